"""Raw HTML written in a ticket's sections is kept as GitHub keeps it, and never runs."""

import re
from pathlib import Path

from tests.site.site_repo import article, build_site, make_repo, ticket


def test_raw_html_in_sections_and_headings_keeps_githubs_tags_and_never_runs(tmp_path: Path):
    evil = ticket(
        "TICKET-004",
        "Hostile body",
        problem="<script>alert(1)</script>\n\nInline <img src=x onerror=alert(2)> too, and `<b>code</b>`.",
    ).replace("### Action Items", "### Observed <img src=y onerror=alert(3)>\nText.\n\n### Action Items")
    site = build_site(make_repo(tmp_path, tickets={"TICKET-004-hostile.md": evil}, runbooks={}))
    html = article(site / "tickets" / "TICKET-004" / "index.html")
    assert "<script" not in html and "onerror" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # GFM's tagfilter: shown as text, as on GitHub
    assert '<p>Inline <img src="x"> too' in html and 'Observed <img src="y">' in html  # GitHub keeps the image
    assert "<code>&lt;b&gt;code&lt;/b&gt;</code>" in html


def test_generated_html_is_put_back_and_lookalike_placeholders_stay_text(tmp_path: Path):
    # Finished HTML (header card, runbook list) travels through Markdown as a one-word
    # paragraph with a per-process nonce; a ticket cannot forge it, and none is left over.
    lookalike = "tgstash0123456789abcdefn0"
    body = ticket("TICKET-005", "Lookalike", problem=f"{lookalike}\n\nEnd.")
    runbook = {"r.md": "---\ntickets: [TICKET-005]\n---\n# Restart\n"}
    site = build_site(make_repo(tmp_path, tickets={"TICKET-005-x.md": body}, runbooks=runbook))
    html = article(site / "tickets" / "TICKET-005" / "index.html")
    assert f"<p>{lookalike}</p>" in html
    assert html.count('class="tg-card"') == 1 and 'class="tg-runbooks"' in html
    for page in site.rglob("*.html"):
        assert "data-tg-html" not in page.read_text() and "tgstash" not in page.read_text().replace(lookalike, "")


def test_attribute_lists_in_ticket_text_cannot_add_attributes(tmp_path: Path):
    # attr_list is on in most Material sites: `{: onmouseover=… }` in a ticket stays text.
    body = ticket(
        "TICKET-006",
        "Attributes",
        problem='Hover me\n{: onmouseover="alert(1)" }\n\nAn *em*{: onclick="alert(2)"} and `{: kept }` code.',
    )
    site = build_site(make_repo(tmp_path, tickets={"TICKET-006-x.md": body}, runbooks={}))
    html = article(site / "tickets" / "TICKET-006" / "index.html")
    assert not re.search(r"<[^>]*\s(onmouseover|onclick)=", html)  # no tag got the attribute
    assert '{: onmouseover="alert(1)" }' in html and "<code>{: kept }</code>" in html


def test_runbook_lines_after_its_frontmatter_are_text_not_page_metadata(tmp_path: Path):
    runbook = (
        "---\ntitle: Rotate\ntickets: [TICKET-001]\n---\n"
        'description: "x\\u0022\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"\n'
        "Service: ingest\n\n# Rotate\n\nSteps.\n"
    )
    site = build_site(make_repo(tmp_path, runbooks={"rotate.md": runbook}))
    page = (site / "runbooks" / "rotate" / "index.html").read_text()
    assert "<script>alert(1)" not in page
    assert "Service: ingest" in article(site / "runbooks" / "rotate" / "index.html")
