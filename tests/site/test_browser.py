"""End to end in headless chromium against `mkdocs serve --livereload` of a fixture repo."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_repo import MKDOCS_YML, Served, build_site, free_port, make_repo, ticket, write

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    repo = make_repo(tmp_path_factory.mktemp("served"))
    # Many mentions of TICKET-001 elsewhere, so "first result" means something.
    (repo / "tickets" / "TICKET-004-echo.md").write_text(
        ticket(
            "TICKET-004", "TICKET-001 follow-up, TICKET-001 again", problem="TICKET-001 TICKET-001 again TICKET-001."
        )
    )
    # Frontmatter columns: tags hold several values.
    resolved = repo / "tickets" / "TICKET-003-resolved.md"
    resolved.write_text("---\nowner: bob\ntags: [db]\n---\n" + resolved.read_text())
    echo = repo / "tickets" / "TICKET-004-echo.md"
    echo.write_text("---\nowner: alice\ntags: [db, network]\n---\n" + echo.read_text())
    server = Served(repo)
    try:
        server.wait()
        yield server
    finally:
        server.stop()


def rows(page) -> list[str]:
    return page.locator(".tg-tickets table tbody tr:visible td:first-child").all_inner_texts()


def test_index_sorts_by_any_column_and_filters(served: Served, page):
    page.goto(served.url + "tickets/")
    assert rows(page) == ["TICKET-001", "TICKET-002", "TICKET-003", "TICKET-004"]
    priority = page.locator(".tg-tickets table th", has_text="Priority")
    priority.click()  # Low < Medium < High < Critical: template order, not alphabetical
    assert rows(page)[0] == "TICKET-003" and rows(page)[-1] == "TICKET-002"
    priority.click()
    assert rows(page)[0] == "TICKET-002"
    page.locator(".tg-tickets table th", has_text="Discovered").click()
    assert rows(page)[0] == "TICKET-003"  # 2025-12-01 is the oldest

    page.select_option("select[data-tg-filter=status]", "Open")
    assert sorted(rows(page)) == ["TICKET-001", "TICKET-004"]
    page.select_option("select[data-tg-filter=component]", "ingest")
    assert rows(page) == ["TICKET-004"]
    assert page.locator("[data-tg-count]").inner_text() == "1 of 4 tickets"
    page.select_option("select[data-tg-filter=status]", "")
    page.select_option("select[data-tg-filter=component]", "")
    page.fill("input[data-tg-filter-text]", "token expiry")
    assert rows(page) == ["TICKET-003"]


@pytest.mark.parametrize("width", [1024, 1440])
def test_the_index_table_fits_the_content_column_with_owner_and_tags(served: Served, browser, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(served.url + "tickets/")
        headers = page.locator(".tg-tickets table th").all_inner_texts()
        assert any(h.startswith("Owner") for h in headers) and any(h.startswith("Tags") for h in headers)
        box = page.evaluate("""() => {
            const content = document.querySelector('.md-content__inner').getBoundingClientRect();
            const table = document.querySelector('.tg-tickets table');
            const scroller = table.closest('.md-typeset__scrollwrap') || table.parentElement;
            const last = [...table.querySelectorAll('th')].pop().getBoundingClientRect();
            return {left: content.left, right: content.right, tableLeft: table.getBoundingClientRect().left,
                    tableRight: table.getBoundingClientRect().right, lastRight: last.right,
                    scroll: scroller.scrollWidth, client: scroller.clientWidth,
                    page: document.documentElement.scrollWidth, viewport: window.innerWidth};
        }""")
        # Every column, the last included, is inside the content column: none behind a scrollbar.
        assert box["left"] - 0.5 <= box["tableLeft"] and box["tableRight"] <= box["right"] + 0.5, box
        assert box["lastRight"] <= box["right"] + 0.5, box
        assert box["scroll"] <= box["client"] and box["page"] <= box["viewport"], box
    finally:
        context.close()


def hash_of(page) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(page.evaluate("location.hash").lstrip("#")))  # page.url lags replaceState


def test_filters_and_sort_of_the_index_are_kept_in_the_url(served: Served, page):
    page.goto(served.url + "tickets/")
    page.evaluate("window.tgSamePage = true")  # gone if the page reloads
    page.select_option("select[data-tg-filter=status]", "Open")
    assert hash_of(page) == {"status": "Open"}
    priority = page.locator(".tg-tickets table th", has_text="Priority")
    priority.click()
    assert hash_of(page) == {"status": "Open", "sort": "priority"}
    priority.click()
    page.select_option("select[data-tg-filter=x-tags]", "network")
    page.fill("input[data-tg-filter-text]", "follow-up")
    assert hash_of(page) == {"status": "Open", "x-tags": "network", "sort": "-priority", "q": "follow-up"}
    assert rows(page) == ["TICKET-004"]
    page.select_option("select[data-tg-filter=status]", "")
    page.select_option("select[data-tg-filter=x-tags]", "")
    page.fill("input[data-tg-filter-text]", "")
    page.locator(".tg-tickets table th", has_text="ID").click()  # back to the order as built
    assert page.evaluate("location.href") == served.url + "tickets/"
    assert page.evaluate("window.tgSamePage") is True


def test_a_url_with_filters_opens_the_index_filtered_and_sorted(served: Served, page):
    page.goto(served.url + "tickets/#status=Open&x-tags=db&sort=-id")
    assert rows(page) == ["TICKET-004"]
    page.goto(served.url + "tickets/#x-tags=db&sort=-id")  # a ticket with one tag and one with two
    assert rows(page) == ["TICKET-004", "TICKET-003"]
    assert page.locator("select[data-tg-filter=x-tags]").input_value() == "db"
    assert page.locator("th[aria-sort=descending]").inner_text() == "ID"
    page.goto(served.url + "tickets/#priority=Low&q=token%20expiry")
    assert rows(page) == ["TICKET-003"]
    assert page.locator("input[data-tg-filter-text]").input_value() == "token expiry"
    assert page.locator("[data-tg-count]").inner_text() == "1 of 4 tickets"


def test_the_dashboard_links_to_the_index_filtered(served: Served, page):
    page.goto(served.url + "tickets/dashboard/")
    page.locator(".tg-counts a", has=page.locator(".tg-badge", has_text="Critical")).click()
    page.wait_for_url("**/tickets/#priority=Critical")
    assert rows(page) == ["TICKET-002"]


def test_a_changed_hash_filters_again_and_back_restores(served: Served, page):
    page.goto(served.url + "tickets/#status=Open")
    assert sorted(rows(page)) == ["TICKET-001", "TICKET-004"]
    page.evaluate("location.hash = 'priority=Critical'")  # as a link to another filter does
    page.wait_for_function("document.querySelectorAll('.tg-tickets tbody tr:not([hidden])').length === 1")
    assert rows(page) == ["TICKET-002"]
    assert page.locator("select[data-tg-filter=status]").input_value() == ""  # not in the new hash
    page.go_back()
    page.wait_for_function("document.querySelectorAll('.tg-tickets tbody tr:not([hidden])').length === 2")
    assert page.locator("select[data-tg-filter=status]").input_value() == "Open"
    page.evaluate("location.hash = ''")
    page.wait_for_function("document.querySelectorAll('.tg-tickets tbody tr:not([hidden])').length === 4")


def test_values_from_the_url_are_only_matched_never_inserted(served: Served, page):
    bad = "%3Cimg%20src%3Dx%20onerror%3D%22window.tgInjected%3D1%22%3E"
    page.goto(served.url + f"tickets/#status={bad}&q={bad}")
    assert page.locator("select[data-tg-filter=status]").input_value() == ""  # not an option: All
    assert page.locator("input[data-tg-filter-text]").input_value() == '<img src=x onerror="window.tgInjected=1">'
    assert page.locator(".tg-tickets img").count() == 0
    assert page.evaluate("window.tgInjected") is None


@pytest.fixture(scope="module")
def one_ticket(tmp_path_factory):
    """A built site of one ticket with Material's instant navigation, served as static files."""
    import functools
    import http.server
    import threading

    repo = make_repo(tmp_path_factory.mktemp("one"), tickets={}, runbooks={})
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    instant = MKDOCS_YML.replace("features: [", "features: [navigation.instant, ")
    write(repo / "mkdocs.yml", f"site_url: {url}\n" + instant)  # instant navigation needs site_url
    site = build_site(repo)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


def test_one_ticket_is_counted_as_one_ticket(one_ticket: str, page):
    page.goto(one_ticket + "tickets/")
    page.fill("input[data-tg-filter-text]", "tofu")
    assert page.locator("[data-tg-count]").inner_text() == "1 of 1 ticket"
    page.fill("input[data-tg-filter-text]", "nothing like it")
    assert page.locator("[data-tg-count]").inner_text() == "0 of 1 ticket"


def test_instant_navigation_from_the_dashboard_opens_the_index_filtered(one_ticket: str, page):
    page.goto(one_ticket + "tickets/dashboard/")
    page.evaluate("window.tgSamePage = true")  # instant navigation: the page is not reloaded
    page.locator(".tg-counts a", has=page.locator(".tg-badge", has_text="Medium")).click()
    page.wait_for_url("**/tickets/#priority=Medium")
    page.wait_for_function("document.querySelector('[data-tg-count]')?.textContent === '1 of 1 ticket'")
    assert page.locator("select[data-tg-filter=priority]").input_value() == "Medium"
    # A link to another filter of this page: Material follows it with pushState, no hashchange.
    page.evaluate("""() => {
        const link = document.createElement("a");
        link.href = "#q=nothing+like+it";
        link.textContent = "filtered link";
        document.querySelector("article").append(link);
    }""")
    page.get_by_text("filtered link").click()
    page.wait_for_function("document.querySelector('[data-tg-count]')?.textContent === '0 of 1 ticket'")
    assert page.locator("select[data-tg-filter=priority]").input_value() == ""
    assert page.evaluate("window.tgSamePage") is True


def test_ages_are_counted_on_the_day_the_page_is_read(served: Served, page):
    # A site built today and read 100 days later shows ages 100 days older, in the ticket card
    # and in the index (where they also sort).
    import datetime as dt

    later = dt.date.today() + dt.timedelta(days=100)
    page.clock.set_fixed_time(dt.datetime(later.year, later.month, later.day, 12, 0))
    days = (later - dt.date(2026, 3, 1)).days  # TICKET-002 was discovered on 2026-03-01
    page.goto(served.url + "tickets/TICKET-002/")
    age = page.locator(".tg-card [data-tg-since] dd")
    age.wait_for(timeout=15_000)  # shown once the script has counted it
    assert age.inner_text() == f"{days} days"
    page.goto(served.url + "tickets/")
    cell = page.locator(".tg-tickets tbody tr", has_text="TICKET-002").locator("td[data-tg-since]")
    assert cell.inner_text() == str(days) and cell.get_attribute("data-sort") == str(days)


def first_result(page, query: str):
    """The first search result for `query` typed into Material's search box, once settled."""
    from playwright.sync_api import expect  # imported here: without playwright the fixtures skip

    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially(query, delay=20)
    # Results follow each keystroke, and a half-typed query (`TICKET-00`) ranks its matches in
    # any order: let the last query's results replace the others before reading the first.
    page.wait_for_timeout(1_000)
    first = page.locator(".md-search-result__list > li").first
    expect(first).to_be_visible(timeout=15_000)
    return first


def test_searching_a_ticket_id_puts_that_ticket_first(served: Served, page):
    page.goto(served.url)
    first = first_result(page, "TICKET-001")
    assert first.locator("a").first.get_attribute("href").endswith("tickets/TICKET-001/")
    assert "TICKET-001: Tofu-Controller" in first.inner_text()


def test_searching_a_title_word_or_component_finds_the_ticket(served: Served, page):
    page.goto(served.url)
    first = first_result(page, "tofu")
    assert first.locator("a").first.get_attribute("href").endswith("tickets/TICKET-001/")


def test_edited_ticket_shows_up_after_live_reload(served: Served, page):
    page.goto(served.url + "tickets/TICKET-003/")
    assert page.locator("h1").inner_text() == "TICKET-003: Registry token expiry"
    path: Path = served.repo / "tickets" / "TICKET-003-resolved.md"
    path.write_text(path.read_text().replace("Registry token expiry", "Registry token expiry (edited live)"))
    page.wait_for_function(
        "document.querySelector('h1') && document.querySelector('h1').innerText.includes('edited live')",
        timeout=30_000,
    )
    assert "edited live" in page.locator("h1").inner_text()


def test_added_ticket_appears_in_the_open_index_after_live_reload(served: Served, page):
    page.goto(served.url + "tickets/")
    assert "TICKET-009" not in rows(page)
    (served.repo / "tickets" / "TICKET-009-added.md").write_text(ticket("TICKET-009", "Added while serving"))
    page.wait_for_function(
        "[...document.querySelectorAll('.tg-tickets td:first-child')].some(td => td.innerText === 'TICKET-009')",
        timeout=30_000,
    )
    page.goto(served.url + "tickets/TICKET-009/")
    assert page.locator("h1").inner_text() == "TICKET-009: Added while serving"
