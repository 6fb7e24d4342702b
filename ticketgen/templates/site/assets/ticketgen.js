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

  function sortBy(table, header) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var index = headers.indexOf(header);
    var kind = header.getAttribute("data-tg-sort");
    var ascending = header.getAttribute("aria-sort") !== "ascending";
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

  function applyFilters(container) {
    var text = container.querySelector("[data-tg-filter-text]");
    var needle = text ? text.value.trim().toLowerCase() : "";
    var selects = container.querySelectorAll("select[data-tg-filter]");
    var shown = 0;
    var rows = container.querySelectorAll("tbody tr");
    Array.prototype.forEach.call(rows, function (row) {
      var visible = !needle || row.textContent.toLowerCase().indexOf(needle) !== -1;
      Array.prototype.forEach.call(selects, function (select) {
        var want = select.value;
        if (want && row.getAttribute("data-" + select.getAttribute("data-tg-filter")) !== want) visible = false;
      });
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    var count = container.querySelector("[data-tg-count]");
    if (count) count.textContent = shown + " of " + rows.length + " tickets";
  }

  /* `index/#priority=High&status=Open` opens the index filtered (dashboard links). */
  function filtersFromHash(container) {
    if (!location.hash || location.hash.indexOf("=") === -1) return;
    var params = new URLSearchParams(location.hash.slice(1));
    var changed = false;
    Array.prototype.forEach.call(container.querySelectorAll("select[data-tg-filter]"), function (select) {
      var want = params.get(select.getAttribute("data-tg-filter"));
      if (want !== null) { select.value = want; changed = true; }
    });
    if (changed) applyFilters(container);
  }

  function setUp(container) {
    if (container.getAttribute("data-tg-ready")) return;
    container.setAttribute("data-tg-ready", "1");
    var table = container.tagName === "TABLE" ? container : container.querySelector("table");
    if (!table || !table.tHead) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header) {
      if (!header.hasAttribute("data-tg-sort")) return;
      header.tabIndex = 0;
      header.classList.add("tg-sortable");
      header.addEventListener("click", function () { sortBy(table, header); });
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(table, header); }
      });
    });
    Array.prototype.forEach.call(container.querySelectorAll("[data-tg-filter], [data-tg-filter-text]"), function (input) {
      input.addEventListener("input", function () { applyFilters(container); });
      input.addEventListener("change", function () { applyFilters(container); });
    });
    filtersFromHash(container);
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
    Array.prototype.forEach.call(document.querySelectorAll("[data-tg-table]"), setUp);
    Array.prototype.forEach.call(document.querySelectorAll("[data-tg-since]"), showAge);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init); /* Material's instant navigation */
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
