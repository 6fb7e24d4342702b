"""End to end in headless chromium against `mkdocs serve --livereload` of a fixture repo."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_repo import Served, make_repo, ticket

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
