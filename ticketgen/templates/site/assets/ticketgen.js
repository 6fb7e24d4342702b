/* ticketgen: sortable, filterable ticket tables, ticket ages. No dependencies, works offline. */
(function () {
  "use strict";

  function cellValue(row, index, kind) {
    var cell = row.cells[index];
    if (!cell) return kind === "number" ? -Infinity : "";
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (kind === "number") {
      var n = parseFloat(raw);
      return isNaN(n) ? -Infinity : n;
    }
    return raw.toLowerCase();
  }

  function sortBy(table, header, ascending) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var index = headers.indexOf(header);
    var kind = header.getAttribute("data-tg-sort");
    headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
      var order = x < y ? -1 : x > y ? 1 : 0;
      if (order === 0) order = cellValue(a, 0, "number") - cellValue(b, 0, "number");
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  function applyFilters(container) {
    var text = container.querySelector("[data-tg-filter-text]");
    var needle = text ? text.value.trim().toLowerCase() : "";
    var selects = container.querySelectorAll("select[data-tg-filter]");
    var shown = 0;
    var rows = container.querySelectorAll("tbody tr");
    each(rows, function (row) {
      var visible = !needle || row.textContent.toLowerCase().indexOf(needle) !== -1;
      each(selects, function (select) {
        var want = select.value;
        if (!want) return;
        var have = row.getAttribute("data-" + select.getAttribute("data-tg-filter")) || "";
        /* frontmatter columns (tags) hold several values, one per line */
        var match = select.hasAttribute("data-tg-list") ? have.split("\n").indexOf(want) !== -1 : have === want;
        if (!match) visible = false;
      });
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    var count = container.querySelector("[data-tg-count]");
    if (count) count.textContent = shown + " of " + rows.length + (rows.length === 1 ? " ticket" : " tickets");
  }

  /* The filtered index keeps its state in the hash (`#status=Open&priority=High&sort=-priority&q=text`),
     so it can be linked (the dashboard does), reloaded, and followed back and forward.
     Values from the hash are only compared with option values or used as text. */
  var synced = null; /* the index's {container, apply} on the current page */

  function hashParams() {
    var hash = location.hash.slice(1);
    if (hash && hash.indexOf("=") === -1) return null; /* an ordinary anchor, not ours */
    return new URLSearchParams(hash);
  }

  function sync(container, table) {
    var headers = table.tHead.rows[0].cells;
    var byDefault = table.tHead.querySelector("th[aria-sort]") || headers[0]; /* as rendered: ID, ascending */

    function sorted() {
      var header = table.tHead.querySelector("th[aria-sort]");
      return header ? { header: header, ascending: header.getAttribute("aria-sort") === "ascending" } : null;
    }

    function write() {
      var params = new URLSearchParams();
      each(container.querySelectorAll("select[data-tg-filter]"), function (select) {
        if (select.value) params.set(select.getAttribute("data-tg-filter"), select.value);
      });
      var now = sorted();
      if (now && !(now.header === byDefault && now.ascending) && now.header.hasAttribute("data-tg-key")) {
        params.set("sort", (now.ascending ? "" : "-") + now.header.getAttribute("data-tg-key"));
      }
      var text = container.querySelector("[data-tg-filter-text]");
      if (text && text.value.trim()) params.set("q", text.value.trim());
      var hash = params.toString();
      if (location.hash.slice(1) === hash) return;
      /* replaceState: no reload, no history entry per keystroke, and no hashchange back to us */
      history.replaceState(history.state, "", location.pathname + location.search + (hash ? "#" + hash : ""));
    }

    function apply() {
      var params = hashParams();
      if (!params) return;
      each(container.querySelectorAll("select[data-tg-filter]"), function (select) {
        var want = params.get(select.getAttribute("data-tg-filter"));
        var known = want !== null && Array.prototype.some.call(select.options, function (o) { return o.value === want; });
        select.value = known ? want : "";
      });
      var text = container.querySelector("[data-tg-filter-text]");
      if (text) text.value = params.get("q") || "";
      var sort = params.get("sort") || "";
      var descending = sort.charAt(0) === "-";
      var key = descending ? sort.slice(1) : sort;
      var header = null;
      each(headers, function (h) {
        if (!header && key && h.getAttribute("data-tg-key") === key && h.hasAttribute("data-tg-sort")) header = h;
      });
      if (!header) { header = byDefault; descending = false; }
      var now = sorted();
      if (!now || now.header !== header || now.ascending === descending) sortBy(table, header, !descending);
      applyFilters(container);
    }

    synced = { container: container, apply: apply };
    return { write: write, apply: apply };
  }

  function setUp(container) {
    if (container.getAttribute("data-tg-ready")) return;
    container.setAttribute("data-tg-ready", "1");
    var table = container.tagName === "TABLE" ? container : container.querySelector("table");
    if (!table || !table.tHead) return;
    /* only the table with filters (the index) is in the URL; the dashboard's several are not */
    var state = container.querySelector("[data-tg-count]") && !syncedHere() ? sync(container, table) : null;
    function changed() {
      applyFilters(container);
      if (state) state.write();
    }
    each(table.tHead.rows[0].cells, function (header) {
      if (!header.hasAttribute("data-tg-sort")) return;
      function toggle() {
        sortBy(table, header, header.getAttribute("aria-sort") !== "ascending");
        if (state) state.write();
      }
      header.tabIndex = 0;
      header.classList.add("tg-sortable");
      header.addEventListener("click", toggle);
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(); }
      });
    });
    each(container.querySelectorAll("[data-tg-filter], [data-tg-filter-text]"), function (input) {
      input.addEventListener("input", changed);
      input.addEventListener("change", changed);
    });
    if (state && location.hash.indexOf("=") !== -1) state.apply();
  }

  function syncedHere() { return synced !== null && synced.container.isConnected; }

  function followHash() {
    if (syncedHere()) synced.apply();
  }

  /* Ages in days, counted on the day the page is read (a built page shows its build day):
     table cells get the number (and sort by it), the ticket card's hidden field is shown. */
  function showAge(element) {
    var parts = element.getAttribute("data-tg-since").split("-");
    if (parts.length !== 3) return;
    var since = new Date(+parts[0], +parts[1] - 1, +parts[2]); /* local midnight, like the build */
    if (isNaN(since.getTime())) return;
    var now = new Date();
    var today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    var days = Math.round((today - since) / 86400000); /* round: a DST day is 23 or 25 hours */
    if (element.tagName === "TD") {
      element.textContent = String(days);
      element.setAttribute("data-sort", String(days));
      return;
    }
    element.querySelector("dd").textContent = days + (days === 1 ? " day" : " days");
    element.hidden = false;
  }

  function init() {
    each(document.querySelectorAll("[data-tg-since]"), showAge); /* first: a sort from the URL may use them */
    each(document.querySelectorAll("[data-tg-table]"), setUp);
  }

  /* back/forward, an edited URL, a link to another filter of this page (Material's instant
     navigation follows such a link with pushState and a popstate, no hashchange; other pages
     it loads arrive through document$) */
  window.addEventListener("hashchange", followHash);
  window.addEventListener("popstate", followHash);

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init); /* Material's instant navigation */
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
