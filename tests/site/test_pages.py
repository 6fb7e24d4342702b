"""What a ticket page shows beyond the ticket's own text: the card (owners, tags, values the
template does not allow), backlinks, drafts, GitHub alerts, code, the table of contents, and
a strict build that fails where lint reports an error."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort
from site_repo import article, build_site, default_tickets, make_repo, ticket

from ticketgen.core.template import default_template_text


def _page(site: Path, ticket_id: str) -> str:
    return article(site / "tickets" / ticket_id / "index.html")


def test_mentioned_by_lists_the_tickets_and_runbooks_that_mention_a_ticket(tmp_path: Path):
    site = build_site(make_repo(tmp_path))
    first = _page(site, "TICKET-001")
    mentioned = first[first.index('id="tg-mentioned-by"') :]
    assert '<a href="../TICKET-002/">TICKET-002: Mentions and literal braces</a>' in mentioned
    assert "tickets/TICKET-002-mentions.md:" in mentioned
    second = _page(site, "TICKET-002")  # a runbook's text mentions it
    assert '<a href="../../runbooks/manual-restart/">Restart the ingest worker</a>' in second
    assert "tg-mentioned-by" not in _page(site, "TICKET-003")  # nobody mentions it: no empty section


def test_owner_and_tags_show_on_the_card_in_the_index_and_as_material_tags(tmp_path: Path):
    tagged = "---\nowner: alice\ntags: [postgres, on-call]\n---\n" + ticket("TICKET-004", "Pool exhaustion")
    site = build_site(make_repo(tmp_path, {**default_tickets(), "TICKET-004-pool.md": tagged}))
    card = _page(site, "TICKET-004")
    assert '<dt>Owner</dt><dd><span class="tg-chip">alice</span></dd>' in card
    assert '<span class="tg-chip">postgres</span> <span class="tg-chip">on-call</span>' in card
    page = (site / "tickets" / "TICKET-004" / "index.html").read_text()
    assert re.search(r'class="md-tag[^"]*"[^>]*>\s*on-call', page)  # Material's tag chips
    index = article(site / "tickets" / "index.html")
    assert '<select data-tg-filter="x-owner" data-tg-list><option value="">All</option><option value="alice">' in index
    assert 'data-x-tags="postgres\non-call"' in index and "<td>postgres, on-call</td>" in index


def test_a_list_in_a_metadata_line_gives_one_tag_per_item(tmp_path: Path):
    text = ticket("TICKET-004", "Pool exhaustion").replace(
        "**Component:**", "**tags:** [postgres, on-call]\n**Component:**"
    )
    site = build_site(make_repo(tmp_path, {**default_tickets(), "TICKET-004-pool.md": text}))
    index = article(site / "tickets" / "index.html")
    assert 'data-x-tags="postgres\non-call"' in index and "<td>postgres, on-call</td>" in index
    assert '<option value="[postgres">' not in index  # the filter offers the tags, not pieces of the text


def test_a_value_the_template_does_not_allow_is_never_a_badge_and_fails_the_strict_build(tmp_path: Path, caplog):
    bad = ticket("TICKET-004", "Typo", status="Opn", discovered="2026-02-30")
    repo = make_repo(tmp_path, {"TICKET-004-typo.md": bad}, {})
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.ticketgen"), pytest.raises(Abort):
        build_site(repo, strict=True)
    messages = [r.getMessage() for r in caplog.records if r.name == "mkdocs.plugins.ticketgen"]
    assert any("tickets/TICKET-004-typo.md:3: TICKET-004: Status 'Opn' is not one of" in m for m in messages)
    assert any("tickets/TICKET-004-typo.md:5: TICKET-004: Discovered '2026-02-30' is not a date" in m for m in messages)
    site = build_site(repo, strict=False)
    card = _page(site, "TICKET-004")
    assert "tg-badge" not in card[: card.index("<dt>Priority")]  # no badge for the status
    assert '<span class="tg-invalid" title="Status &#39;Opn&#39; is not one of' in card
    index = article(site / "tickets" / "index.html")
    assert '<option value="Opn">' not in index  # not offered as a status to filter by
    assert not (site / "tickets" / "status" / "opn").exists()


def test_sections_left_as_the_template_wrote_them_show_as_to_be_written(tmp_path: Path):
    template = default_template_text()
    sections = template[template.index("### ") :]
    draft = "## TICKET-004: Fresh\n\n**Status:** Open\n**Priority:** High\n**Discovered:** 2026-01-10\n"
    draft += "**Component:** db\n\n" + sections
    site = build_site(make_repo(tmp_path, {"TICKET-004-fresh.md": draft}, {}), strict=False)
    body = _page(site, "TICKET-004")
    placeholder = next(line for line in sections.splitlines()[1:] if line.strip() and not line.startswith("#"))
    assert placeholder.strip() not in body
    assert body.count('<p class="tg-draft">To be written.</p>') == sections.count("### ")


def test_alerts_code_and_the_table_of_contents(tmp_path: Path):
    problem = "> [!WARNING]\n> Deleting the state secret loses the state.\n\n```python\ndef f():\n    return 1\n```"
    site = build_site(make_repo(tmp_path, {"TICKET-004-x.md": ticket("TICKET-004", "Alerts", problem=problem)}, {}))
    body = _page(site, "TICKET-004")
    assert '<div class="admonition warning">\n<p class="admonition-title">Warning</p>' in body
    assert '<div class="language-python highlight"><pre><span></span><code><span class="k">def</span>' in body
    page = (site / "tickets" / "TICKET-004" / "index.html").read_text()
    toc = page[page.index('<nav class="md-nav md-nav--secondary"') :]
    assert 'href="#problem-statement"' in toc and 'href="#action-items"' in toc
    assert '<h2 id="problem-statement">Problem Statement<a class="headerlink" href="#problem-statement"' in body


def test_a_ticket_linking_an_anchor_written_for_github_lands_on_the_heading(tmp_path: Path):
    problem = "See [the items](#action-items) and [the fix](#how-to-fix-nuclear-option).\n\n### How to Fix (Nuclear Option)\n\nx"
    site = build_site(make_repo(tmp_path, {"TICKET-004-x.md": ticket("TICKET-004", "Anchors", problem=problem)}, {}))
    body = _page(site, "TICKET-004")
    assert 'id="how-to-fix-nuclear-option"' in body and 'href="#how-to-fix-nuclear-option"' in body


def test_metadata_written_as_bullets_is_shown_once_in_the_card(tmp_path: Path):
    bulleted = ticket("TICKET-004", "Bullets").replace("**Status:**", "- **Status:**")
    for name in ("Priority", "Discovered", "Component"):
        bulleted = bulleted.replace(f"**{name}:**", f"- **{name}:**")
    body = _page(build_site(make_repo(tmp_path, {"TICKET-004-b.md": bulleted}, {})), "TICKET-004")
    assert "<dt>Status</dt>" in body and "<strong>Status:</strong>" not in body  # in the card, not again below
    assert "<li><strong>Status:</strong>" not in body


def test_a_reference_defined_elsewhere_in_a_document_links_before_and_after_lint(tmp_path: Path):
    from tests.conftest import run_cli

    document = (
        ticket("TICKET-004", "Uses a reference", problem="See [the ref][ref].")
        + "\n---\n\n"
        + ticket("TICKET-005", "Defines it")
        + "\n[ref]: https://example.org/first\n"
    )
    repo = make_repo(tmp_path, {}, {})
    (repo / "TICKETS.md").write_text(document)
    (repo / "pyproject.toml").write_text('[tool.ticketgen]\ntickets_dir = "tickets"\ndocuments = ["TICKETS.md"]\n')
    assert '<a href="https://example.org/first">the ref</a>' in _page(build_site(repo), "TICKET-004")
    (repo / "TICKETS.md").write_text(document.replace("/first", "/second"))
    assert run_cli("lint", cwd=repo).exit_code in (0, 1)  # the records come from lint's parse now
    assert '<a href="https://example.org/second">the ref</a>' in _page(build_site(repo), "TICKET-004")


def test_a_repository_link_that_leads_to_no_page_fails_the_strict_build(tmp_path: Path, caplog):
    problem = "See [the config](../mkdocs.yml) and [a note](../docs/missing.md)."
    repo = make_repo(tmp_path, {"TICKET-004-x.md": ticket("TICKET-004", "Links", problem=problem)}, {})
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.ticketgen"), pytest.raises(Abort):
        build_site(repo, strict=True)
    messages = [r.getMessage() for r in caplog.records if r.name == "mkdocs.plugins.ticketgen"]
    assert "ticketgen: tickets/TICKET-004-x.md: link ../mkdocs.yml leads to no page of the site" in messages
    assert "ticketgen: tickets/TICKET-004-x.md: link ../docs/missing.md leads to no page of the site" in messages
