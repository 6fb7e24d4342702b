"""`mkdocs build --strict` of fixture repos, with assertions on the HTML a reader gets."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort
from site_repo import article, build_site, make_repo, ticket, write


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site(make_repo(tmp_path_factory.mktemp("repo")))


def test_ticket_page_is_titled_by_id_and_title(site: Path):
    html = (site / "tickets" / "TICKET-001" / "index.html").read_text()
    assert "<title>TICKET-001: Tofu-Controller Source Refresh on Retry - Fixture tickets</title>" in html
    assert "<h1>TICKET-001: Tofu-Controller Source Refresh on Retry</h1>" in article(
        site / "tickets" / "TICKET-001" / "index.html"
    )


def test_header_card_shows_metadata_with_badges_coloured_by_choice_position(site: Path):
    card = article(site / "tickets" / "TICKET-002" / "index.html")
    card = card[card.index('class="tg-card"') :]
    card = card[: card.index('class="tg-card-links"')]
    # In Progress is the 2nd of 3 statuses; Critical the last of 4 priorities.
    assert '<span class="tg-badge tg-badge--blue" data-rank="1">In Progress</span>' in card
    assert '<span class="tg-badge tg-badge--red" data-rank="3">Critical</span>' in card
    assert "<dt>Component</dt><dd>registry</dd>" in card
    assert "<dt>Discovered</dt><dd>2026-03-01</dd>" in card
    # The age is counted by the browser on the day it is read (see test_browser).
    assert '<div class="tg-field" data-tg-since="2026-03-01" hidden><dt>Age</dt><dd></dd></div>' in card
    assert "1/2 done" in card


def test_resolved_ticket_badge_is_green(site: Path):
    card = article(site / "tickets" / "TICKET-003" / "index.html")
    assert 'tg-badge--green" data-rank="2">Resolved<' in card


def test_sections_as_written_and_action_items_as_task_list(site: Path):
    body = article(site / "tickets" / "TICKET-001" / "index.html")
    titles = re.findall(r'<h2 id="[^"]*">([^<]*)', body)
    assert titles[:3] == ["Problem Statement", "Observed Behavior", "Why This Breaks GitOps"]
    assert titles[-1] == "Related runbooks"
    assert body.count('<li class="task-list-item">') == 4
    body2 = article(site / "tickets" / "TICKET-002" / "index.html")
    assert len(re.findall(r'<input type="checkbox" disabled(?:="")? checked(?:="")?>', body2)) == 1


def test_related_runbooks_and_edit_source_link_to_the_real_files(site: Path):
    body = article(site / "tickets" / "TICKET-001" / "index.html")
    related = body[body.index('id="tg-related-runbooks"') :]
    assert '<a href="../../runbooks/terraform-lotus-lake/">Recover a stuck Terraform</a>' in related
    without = article(site / "tickets" / "TICKET-003" / "index.html")  # no runbook lists it: no empty section
    assert "related-runbooks" not in without and "Related runbooks" not in without
    assert '<a class="tg-edit" href="https://github.com/example/fixture/edit/main/tickets/TICKET-001-tofu.md">' in body
    page = (site / "tickets" / "TICKET-001" / "index.html").read_text()
    # Material's own edit button points at the ticket file too, not at a docs/ page
    assert (
        'href="https://github.com/example/fixture/edit/main/tickets/TICKET-001-tofu.md" title="Edit this page"' in page
    )


def test_runbook_pages_list_their_tickets(site: Path):
    body = article(site / "runbooks" / "terraform-lotus-lake" / "index.html")
    assert '<a href="../../tickets/TICKET-001/">TICKET-001: Tofu-Controller Source Refresh on Retry</a>' in body
    assert "kubectl annotate terraform -n flux-system lotus-lake" in text_of(body)
    index = article(site / "runbooks" / "index.html")
    assert "Restart the ingest worker" in index and "<code>terraform/flux-system/lotus-lake</code>" in index


def test_mentions_link_to_tickets_everywhere_but_never_inside_code(site: Path):
    body = article(site / "tickets" / "TICKET-002" / "index.html")
    assert 'Same cause as <a class="tg-mention" href="../TICKET-001/">TICKET-001</a>' in body
    assert "<code>TICKET-001</code>" in body  # inline code untouched
    code = body[body.index('highlight"><pre>') :]
    code = code[: code.index("</pre>")]
    assert "echo TICKET-001" in text_of(code) and "tg-mention" not in code  # fenced code untouched
    home = article(site / "index.html")
    assert '<a class="tg-mention" href="tickets/TICKET-001/">TICKET-001</a>' in home
    assert "<code>TICKET-002</code>" in home
    runbook = article(site / "runbooks" / "manual-restart" / "index.html")
    assert '<a class="tg-mention" href="../../tickets/TICKET-002/">TICKET-002</a>' in runbook


def test_repo_links_to_ticket_files_point_at_their_pages(site: Path):
    runbook = article(site / "runbooks" / "manual-restart" / "index.html")
    assert '<a href="../../tickets/TICKET-002/#action-items">the ticket file</a>' in runbook


def test_repo_links_from_a_ticket_to_a_docs_page_point_at_that_page(tmp_path: Path):
    # `../docs/guide.md` works on GitHub from tickets/; on the site it must reach the guide's
    # page, or `mkdocs build --strict` fails on a link the author got right.
    tickets = {"TICKET-002-x.md": ticket("TICKET-002", "Links", problem="See [the guide](../docs/guide.md#setup).")}
    root = make_repo(tmp_path, tickets=tickets, runbooks={})
    write(root / "docs" / "guide.md", "# Guide\n\n## Setup\n\nBack to [the ticket](../tickets/TICKET-002-x.md).\n")
    site = build_site(root)
    assert '<a href="../../guide/#setup">the guide</a>' in article(site / "tickets" / "TICKET-002" / "index.html")
    assert '<a href="../tickets/TICKET-002/">the ticket</a>' in article(site / "guide" / "index.html")


def test_ticket_text_is_data_never_a_template(site: Path):
    body = article(site / "tickets" / "TICKET-002" / "index.html")
    assert "{{ 6 * 7 }}" in body and "{% if true %}shown{% endif %}" in body
    assert "42" not in body and "49" not in body


def test_index_lists_every_ticket_with_sortable_filterable_columns(site: Path):
    body = article(site / "tickets" / "index.html")
    rows = re.findall(r'<tr data-status="([^"]*)" data-priority="([^"]*)" data-component="([^"]*)"', body)
    assert rows == [
        ("Open", "Medium", "tofu-controller / Flux GitOps"),
        ("In Progress", "Critical", "registry"),
        ("Resolved", "Low", "registry"),
    ]
    headers = re.findall(r'<th data-tg-sort="\w+"[^>]*>([^<]*)</th>', body)
    assert headers == ["ID", "Title", "Status", "Priority", "Component", "Discovered", "Age (days)", "Action Items"]
    assert '<select data-tg-filter="priority">' in body
    page = (site / "tickets" / "index.html").read_text()
    assert re.search(r'<script src="[./]*assets/ticketgen/ticketgen\.js"></script>', page)
    assert (site / "assets" / "ticketgen" / "ticketgen.js").is_file()


def test_dashboard_counts_and_lists(site: Path):
    body = article(site / "tickets" / "dashboard" / "index.html")
    assert '<span class="tg-stat-value">3</span> tickets' in body
    assert '<span class="tg-stat-value">2</span> open' in body
    assert '<span class="tg-stat-value">3/8</span>' in body  # action items done/total: 0/4 + 1/2 + 2/2
    urgent = body[body.index("Open High/Critical tickets") :]
    urgent = urgent[: urgent.index("</table>")]
    assert "TICKET-002" in urgent and "TICKET-001" not in urgent
    oldest = body[body.index("Oldest open tickets") :]
    assert oldest.index("TICKET-001") < oldest.index("TICKET-002")  # 2026-01-06 before 2026-03-01
    assert "TICKET-003" not in oldest[: oldest.index("</table>")]  # resolved


def test_status_and_component_pages(site: Path):
    body = article(site / "tickets" / "component" / "registry" / "index.html")
    assert "TICKET-002" in body and "TICKET-003" in body and "TICKET-001/" not in body
    assert "TICKET-003" in article(site / "tickets" / "status" / "resolved" / "index.html")


def test_components_whose_names_slug_alike_get_their_own_pages(tmp_path: Path):
    tickets = {
        "TICKET-004-a.md": ticket("TICKET-004", "Slash", component="auth/api"),
        "TICKET-005-b.md": ticket("TICKET-005", "Space", component="auth api"),
    }
    site = build_site(make_repo(tmp_path, tickets, {}))
    first = article(site / "tickets" / "component" / "auth-api" / "index.html")
    second = article(site / "tickets" / "component" / "auth-api-2" / "index.html")
    assert "TICKET-004" in first and "TICKET-005" not in first
    assert "TICKET-005" in second and "TICKET-004" not in second


def test_tags_from_metadata(site: Path):
    page = (site / "tickets" / "TICKET-002" / "index.html").read_text()
    chips = page[page.index('<nav class="md-tags"') :]
    chips = chips[: chips.index("</nav>")]
    assert "Priority: Critical" in chips and "Component: registry" in chips
    assert "TICKET-002" not in chips  # the ID is a search-only tag


def test_search_index_has_tickets_and_runbook_commands_but_not_generated_indexes(site: Path):
    index = json.loads((site / "search" / "search_index.json").read_text())
    locations = {d["location"] for d in index["docs"]}
    assert "tickets/TICKET-002/" in locations
    assert not any(
        loc.startswith(("tickets/index", "tickets/dashboard", "tickets/status", "tickets/component"))
        for loc in locations
        if loc != "tickets/TICKET-002/"
    )
    assert "tickets/" not in locations and "tickets/dashboard/" not in locations and "runbooks/" not in locations
    assert any("kubectl annotate terraform" in d["text"] for d in index["docs"])
    # The header card is indexed as its text (status, component...), never as a placeholder
    card_entry = next(d for d in index["docs"] if d["location"] == "tickets/TICKET-002/")
    assert "Critical" in card_entry["text"] and "registry" in card_entry["text"]
    assert "tgstash" not in json.dumps(index) and "data-tg-html" not in json.dumps(index)
    # The ID is a search tag of its own page only (ranks it first; see test_browser)
    page_entry = next(d for d in index["docs"] if d["location"] == "tickets/TICKET-002/")
    assert "TICKET-002" in page_entry["tags"]
    assert not any("TICKET-002" in d.get("tags", []) for d in index["docs"] if "TICKET-002" not in d["location"])


def test_tickets_stay_out_of_the_nav(site: Path):
    page = (site / "index.html").read_text()
    nav = page[page.index('<nav class="md-nav md-nav--primary"') :]
    nav = nav[: nav.index("md-sidebar--secondary")]
    assert "All tickets" in nav and "Dashboard" in nav
    assert "TICKET-001:" not in nav


def sidebar(page_html: str) -> list[str]:
    """The entries of the primary sidebar, as a reader sees them (not the drawer's section titles)."""
    nav = page_html[page_html.index('<nav class="md-nav md-nav--primary"') :]
    nav = nav[: nav.index("md-sidebar--secondary")]
    entries = re.findall(r'class="md-nav__link[^"]*"[^>]*>(.*?)</(?:a|label)>', nav, re.S)
    return [t for t in (" ".join(text_of(e).split()) for e in entries) if t]


def test_a_fresh_init_site_builds_strict_names_each_entry_once_and_has_a_runbooks_index(tmp_path: Path):
    from ticketgen.authoring.init import init_repository

    init_repository(tmp_path)
    write(tmp_path / "tickets" / "TICKET-001-first.md", ticket("TICKET-001", "First"))
    site = build_site(tmp_path)  # strict: the home page's link to the runbooks index resolves
    home = (site / "index.html").read_text()
    # The home page `# Tickets` stands beside the generated `tickets/` pages: "Tickets" once.
    assert sidebar(home) == ["Tickets", "All tickets", "Dashboard", "Runbooks", "All runbooks"]
    assert 'href="runbooks/"' in article(site / "index.html")
    runbooks = text_of(article(site / "runbooks" / "index.html"))
    assert "No runbooks yet" in runbooks and "ticketgen runbooks" in runbooks
    # Previous/next links follow the sidebar's order.
    assert '<link rel="next" href="tickets/">' in home


def test_mkdocs_nav_titles_and_anchor_checks_reach_generated_pages(tmp_path: Path, caplog):
    repo = make_repo(tmp_path)
    config = (repo / "mkdocs.yml").read_text()
    config += "validation:\n  anchors: warn\nnav:\n  - Home: index.md\n  - Open work: tickets/status/open.md\n"
    write(repo / "mkdocs.yml", config)
    write(repo / "docs" / "index.md", "# Home\n\n[Why](tickets/TICKET-002.md#problem-statement)\n")
    site = build_site(repo)  # strict: the anchor exists on the ticket's page
    assert sidebar((site / "index.html").read_text()) == ["Home", "Open work"]
    write(repo / "docs" / "index.md", "# Home\n\n[Why](tickets/TICKET-002.md#no-such-section)\n")
    with pytest.raises(Abort):
        build_site(repo)
    assert "no-such-section" in caplog.text


def test_a_tickets_section_keeps_its_place_when_no_page_shares_its_name(site: Path):
    entries = sidebar((site / "index.html").read_text())
    assert entries[0] == "Home" and entries[-3:] == ["Tickets", "All tickets", "Dashboard"]


def test_script_title_is_text_in_index_and_card(tmp_path: Path):
    evil = ticket("TICKET-004", "<script>alert(1)</script> & co", component="<b>x</b>")
    site = build_site(make_repo(tmp_path, {"TICKET-004-x.md": evil}, {}))
    for page in (site / "tickets" / "index.html", site / "tickets" / "TICKET-004" / "index.html"):
        html = page.read_text()
        assert "<script>alert(1)" not in html and "<b>x</b>" not in html
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</td>" in article(site / "tickets" / "index.html")
    assert "<dd>&lt;b&gt;x&lt;/b&gt;</dd>" in article(site / "tickets" / "TICKET-004" / "index.html")


def test_broken_ticket_warns_with_path_and_line_and_fails_strict(tmp_path: Path, caplog):
    broken = "---\ntags: [a, b\n---\n" + ticket("TICKET-005", "Bad frontmatter")
    repo = make_repo(tmp_path, {"TICKET-005-bad.md": broken, "TICKET-006-bad-id.md": "## TICKET-00x: oops\n"}, {})
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.ticketgen"), pytest.raises(Abort):
        build_site(repo, strict=True)
    messages = [r.getMessage() for r in caplog.records if r.name == "mkdocs.plugins.ticketgen"]
    assert any(m.startswith("ticketgen: tickets/TICKET-005-bad.md:3: frontmatter is not valid YAML") for m in messages)
    assert any("tickets/TICKET-006-bad-id.md:1: heading 'TICKET-00x: oops'" in m for m in messages)
    site = build_site(repo, strict=False)  # the rest of the site still builds
    assert (site / "tickets" / "TICKET-001" / "index.html").is_file()
    assert (site / "tickets" / "TICKET-005" / "index.html").is_file()


def test_unreadable_ticket_file_is_a_warning_not_a_crash(tmp_path: Path, caplog):
    repo = make_repo(tmp_path, {}, {})
    (repo / "tickets" / "TICKET-007-binary.md").write_bytes(b"## TICKET-007: x\n\0\0")
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.ticketgen"), pytest.raises(Abort):
        build_site(repo, strict=True)
    assert "ticketgen: tickets/TICKET-007-binary.md:2: binary file (contains a NUL byte)" in [
        r.getMessage() for r in caplog.records
    ]


def test_runbook_naming_an_unknown_ticket_is_a_warning(tmp_path: Path, caplog):
    runbook = "---\ngenerated_by: ticketgen\ntickets: [TICKET-001, TICKET-404]\n---\n# Stale\n"
    repo = make_repo(tmp_path, {}, {"stale.md": runbook})
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.ticketgen"), pytest.raises(Abort):
        build_site(repo, strict=True)
    assert "ticketgen: runbooks/stale.md:3: tickets: TICKET-404 is not a known ticket" in [
        r.getMessage() for r in caplog.records
    ]


INC_TEMPLATE = """\
# INC-NNN: Title

**State:** New | Triaged | Mitigated | Closed
**Severity:** S4 | S3 | S2 | S1
**Reported:** YYYY-MM-DD
**Area:** area

## Impact
Who is hurt?

## Steps
- [ ] step
"""


def test_another_template_works_without_code_change(tmp_path: Path):
    write(
        tmp_path / "pyproject.toml",
        '[tool.ticketgen]\ntemplate = "incidents/_template.md"\ntickets_dir = "incidents"\n'
        '\n[tool.ticketgen.site]\ntickets_url = "incidents"\nbadge_colors = { Triaged = "teal" }\n',
    )
    write(tmp_path / "mkdocs.yml", "site_name: Incidents\ntheme: material\nplugins: [search, ticketgen]\n")
    write(tmp_path / "docs" / "index.md", "# Home\n\nSee INC-7.\n")
    write(tmp_path / "incidents" / "_template.md", INC_TEMPLATE)
    write(
        tmp_path / "incidents" / "INC-007.md",
        "# INC-007: Disk full\n\n**State:** triaged\n**Severity:** S1\n"
        "**Reported:** 2026-02-02\n**Area:** storage\n\n## Impact\nEveryone.\n\n## Steps\n- [X] Clean\n- [ ] Alert\n",
    )
    site = build_site(tmp_path)
    body = article(site / "incidents" / "INC-007" / "index.html")
    assert "<h1>INC-007: Disk full</h1>" in body
    assert '<span class="tg-badge tg-badge--teal" data-rank="1">Triaged</span>' in body  # configured colour
    assert '<span class="tg-badge tg-badge--red" data-rank="3">S1</span>' in body  # last severity: alarm
    assert "1/2 done" in body
    index = article(site / "incidents" / "index.html")
    assert re.findall(r'<th data-tg-sort="\w+"[^>]*>([^<]*)</th>', index) == [
        "ID",
        "Title",
        "State",
        "Severity",
        "Area",
        "Reported",
        "Age (days)",
        "Steps",
    ]
    assert '<a class="tg-mention" href="incidents/INC-007/">INC-7</a>' in article(site / "index.html")


def test_repo_template_overrides_the_packaged_one(tmp_path: Path):
    repo = make_repo(tmp_path)
    write(
        repo / "templates" / "site" / "group.html.j2",
        '{% set meta = {"title": value} %}<p>Custom {{ tickets|length }}</p>\n',
    )
    write(repo / "templates" / "site" / "assets" / "ticketgen.css", ".tg-badge { color: hotpink; }\n")
    site = build_site(repo)
    assert "<title>registry - " in (site / "tickets" / "component" / "registry" / "index.html").read_text()
    assert (site / "assets" / "ticketgen" / "ticketgen.css").read_text() == ".tg-badge { color: hotpink; }\n"
    assert "function sortBy" in (site / "assets" / "ticketgen" / "ticketgen.js").read_text()  # not overridden
    assert "Custom 2" in article(site / "tickets" / "component" / "registry" / "index.html")
    assert 'class="tg-card"' in article(site / "tickets" / "TICKET-001" / "index.html")  # others unchanged


def test_a_broken_override_is_named_with_its_line(tmp_path: Path, caplog):
    repo = make_repo(tmp_path)
    overrides = repo / "templates" / "site"
    (overrides).mkdir(parents=True)
    (overrides / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")  # not a template: ignored
    build_site(repo)
    write(overrides / "index.html.j2", "{% for x in %}broken{% endfor %}\n")
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_site(repo)
    assert "index.html.j2" in caplog.text and "Traceback" not in caplog.text
    # Errors while it runs name the override file and line too, whatever their kind.
    for line_3 in ("{{ tickets.nonexistent.deeper }}", "{{ 1 + 'a' }}"):
        write(overrides / "index.html.j2", "<h1>Index</h1>\n\n" + line_3 + "\n")
        caplog.clear()
        with caplog.at_level(logging.ERROR), pytest.raises(Abort):
            build_site(repo)
        assert f"{overrides / 'index.html.j2'}:3" in caplog.text and "Traceback" not in caplog.text, caplog.text
    # A ticket's page is made when mkdocs reads it: its override's errors are named as well.
    (overrides / "index.html.j2").unlink()
    write(overrides / "ticket.html.j2", "<p>{{ ticket.id }}</p>\n{{ ticket.nonexistent.deeper }}\n")
    caplog.clear()
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_site(repo)
    assert f"{overrides / 'ticket.html.j2'}:2" in caplog.text and "Traceback" not in caplog.text, caplog.text


def test_an_override_cannot_reach_python_internals(tmp_path: Path, caplog):
    repo = make_repo(tmp_path)
    payload = "{{ cycler.__init__.__globals__.os.system('touch pwned') }}"
    write(repo / "templates" / "site" / "index.html.j2", payload + "\n")
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_site(repo)
    assert "site template" in caplog.text and not (repo / "pwned").exists() and not Path("pwned").exists()


def test_bad_site_settings_stop_the_build_with_a_clear_error(tmp_path: Path, caplog):
    repo = make_repo(tmp_path)
    write(repo / "pyproject.toml", '[tool.ticketgen]\n\n[tool.ticketgen.roles]\ndone = ["Finished"]\n')
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_site(repo)
    assert "role 'done': 'Finished' is not one of the Status choices" in caplog.text
    # A tickets_dir that does not exist is a configuration error too, not an empty site.
    write(repo / "pyproject.toml", '[tool.ticketgen]\ntickets_dir = "tickest"\n')
    caplog.clear()
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_site(repo)
    assert "tickets_dir 'tickest' does not exist" in caplog.text and "Traceback" not in caplog.text


def _outputs(site: Path) -> dict[str, bytes]:
    """What a reader gets; the sitemap's .gz differs by its timestamp alone."""
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.suffix in (".html", ".json")}


def _later(days: int):
    """A stand-in for the renderer's `datetime` module whose today is `days` from now."""
    from types import SimpleNamespace

    real = dt.date.today()

    class Later(dt.date):
        @classmethod
        def today(cls):
            return real + dt.timedelta(days=days)

    return SimpleNamespace(date=Later)


@pytest.mark.parametrize(
    ("change", "page", "shown"),
    [
        (
            lambda repo, mp: write(repo / "tickets" / "TICKET-003-resolved.md", ticket("TICKET-003", "Renamed")),
            "tickets/index.html",
            "Renamed",
        ),
        (
            lambda repo, mp: write(
                repo / "runbooks" / "terraform-lotus-lake.md", "---\ntickets: [TICKET-001]\n---\n# Moved on\n"
            ),
            "tickets/TICKET-001/index.html",
            "Moved on",
        ),
        (
            lambda repo, mp: write(repo / "templates" / "site" / "group.html.j2", "Custom {{ tickets | length }}\n"),
            "tickets/component/registry/index.html",
            "Custom 2",
        ),
        (
            lambda repo, mp: write(
                repo / "pyproject.toml",
                '[tool.ticketgen]\n\n[tool.ticketgen.site]\nedit_url = "https://example.org/e/{path}"\n',
            ),
            "tickets/TICKET-002/index.html",
            'class="tg-edit" href="https://example.org/e/tickets/TICKET-002-mentions.md"',  # in the card
        ),
        (
            lambda repo, mp: write(
                repo / "mkdocs.yml", (repo / "mkdocs.yml").read_text().replace("example/fixture", "example/moved")
            ),
            "tickets/TICKET-002/index.html",
            'class="tg-edit" href="https://github.com/example/moved/edit/main/tickets/TICKET-002-mentions.md"',
        ),
        (
            lambda repo, mp: mp.setattr("ticketgen.site.pages.dt", _later(1000)),
            "tickets/index.html",
            f">{(dt.date.today() + dt.timedelta(days=1000) - dt.date(2026, 3, 1)).days}</td>",
        ),
    ],
    ids=["ticket", "runbook", "template override", "site setting", "mkdocs setting", "date"],
)
def test_any_changed_input_rebuilds_the_pages(tmp_path: Path, monkeypatch, change, page, shown):
    repo = make_repo(tmp_path)
    write(repo / "templates" / "site" / "notes.txt", "Overrides go here.\n")  # the folder exists before
    before = article(build_site(repo) / page)
    change(repo, monkeypatch)
    after = article(build_site(repo) / page)
    assert after != before and shown in after


def test_a_docs_page_replaces_a_generated_one_and_removing_it_brings_that_back(tmp_path: Path):
    repo = make_repo(tmp_path)
    write(repo / "docs" / "tickets" / "dashboard.md", "# Our own dashboard\n")
    write(repo / "docs" / "tickets" / "TICKET-001.md", "# TICKET-001, written by hand\n")
    site = build_site(repo)
    assert "Our own dashboard" in article(site / "tickets" / "dashboard" / "index.html")
    assert "written by hand" in article(site / "tickets" / "TICKET-001" / "index.html")
    # Mentions of a ticket whose page is replaced still link to that page.
    assert '<a class="tg-mention" href="tickets/TICKET-001/">TICKET-001</a>' in article(site / "index.html")
    (repo / "docs" / "tickets" / "dashboard.md").unlink()
    site = build_site(repo)
    assert "Our own dashboard" not in article(site / "tickets" / "dashboard" / "index.html")
    assert "tg-" in article(site / "tickets" / "dashboard" / "index.html")


def test_this_repos_own_site_builds_strict_with_every_page(tmp_path: Path):
    """The repo dogfoods itself: a URL clash or broken link in its own site fails `--strict` (run without -q,
    which would drop the warnings)."""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=repo, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    assert (tmp_path / "site" / "recovery" / "terraform" / "index.html").is_file()
    assert (tmp_path / "site" / "runbooks" / "index.html").is_file()  # the guide, docs/runbooks.md
