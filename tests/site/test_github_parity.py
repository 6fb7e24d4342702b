"""A ticket looks the same on the site as on GitHub: the block structure of every ticket page
(lists and their nesting, tables, code blocks, quotes, paragraphs, headings) matches what
cmark-gfm, GitHub's own renderer, makes of the same Markdown."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from tests.conftest import EXAMPLES, SEED
from ticketgen.core.parse import parse_document
from ticketgen.core.project import Project
from ticketgen.core.template import schema_from_text
from ticketgen.site.options import load_options
from ticketgen.site.pages import SiteRenderer

_BLOCKS = {"ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "pre", "blockquote", "p", "hr"}
_HEADINGS = {f"h{n}" for n in range(1, 7)}


class _Structure(HTMLParser):
    """(tag, depth) of every block element, in order, depth counting block ancestors only;
    headings as `h` (the site moves them up one level, under the page title); an admonition
    (a GitHub alert) as the quote it is on GitHub. Wrappers (a code block's `div`) and inline
    tags do not count."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, int]] = []
        self.depth = 0
        self.divs: list[bool] = []  # for each open div: does it count (an admonition)?

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div":
            self.divs.append("admonition" in classes)
            if not self.divs[-1]:
                return
            tag = "blockquote"
        if tag == "p" and "admonition-title" in classes:
            tag = "alert-title"  # GitHub shows the alert's kind too, as a title line
        elif tag not in _BLOCKS and tag not in _HEADINGS:
            return
        self.found.append(("h" if tag in _HEADINGS else tag, self.depth))
        if tag != "hr":
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        if tag == "hr":
            self.found.append(("hr", self.depth))

    def handle_endtag(self, tag):
        if tag == "div":
            if self.divs and self.divs.pop():
                self.depth -= 1
        elif tag in _BLOCKS or tag in _HEADINGS:
            self.depth -= 1


def structure(html: str) -> list[tuple[str, int]]:
    parser = _Structure()
    parser.feed(html)
    return [(tag, depth) for tag, depth in parser.found if tag != "alert-title"]


def github(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_GITHUB_PRE_LANG)


def _documents() -> list[tuple[str, Path, Path | None]]:
    """(id, document, template) for the seed and every example file."""
    found = [("seed", SEED, None)]
    for path in sorted(EXAMPLES.rglob("*.md")):
        found.append((path.relative_to(EXAMPLES).as_posix(), path, EXAMPLES / "platform-notes.md"))
    return found


@pytest.mark.parametrize(("name", "path", "template"), _documents(), ids=[d[0] for d in _documents()])
def test_every_ticket_page_has_githubs_block_structure(name: str, path: Path, template: Path | None, tmp_path: Path):
    template_text = (template or SEED).read_text(encoding="utf-8")
    schema = schema_from_text(template_text)
    (tmp_path / "tickets").mkdir()
    (tmp_path / "tickets" / "_template.md").write_text(template_text)
    project = Project.discover(tmp_path, use_cache=False)
    renderer = SiteRenderer(project, load_options(project.config, project.schema))
    document = parse_document(path.read_text(encoding="utf-8"), path, schema)
    lines = document.text.removeprefix("\ufeff").splitlines(keepends=True)
    checked = 0
    for ticket in document.tickets:
        if not ticket.sections:
            continue
        # From the first section on: above it, the site shows the metadata lines as a card.
        first = ticket.sections[0].line
        markdown = "".join(lines[first - 1 : ticket.end_line])
        ours = renderer.ticket_body(ticket).html
        ours = ours[ours.index("<h") :]
        if any(renderer.is_draft(s.title, s.body) for s in ticket.sections):
            continue  # shown as "to be written", on purpose
        assert structure(ours) == structure(github(markdown)), f"{path.name}: {ticket.id}"
        checked += 1
    assert checked or not document.tickets


def test_the_seed_ticket_keeps_its_lists_where_python_markdown_lost_them():
    schema = schema_from_text(SEED.read_text(encoding="utf-8"))
    ticket = parse_document(SEED.read_text(encoding="utf-8"), SEED, schema).tickets[0]
    body = ticket.text[ticket.text.index("### Problem Statement") :]
    shape = structure(github(body))
    # "This limitation breaks that promise because:" is a paragraph, then a list of its own;
    # "Potential Custom Solutions" is an ordered list of four items, each with its own list.
    assert shape.count(("ul", 0)) >= 2 and ("ol", 0) in shape
    assert sum(1 for tag, depth in shape if tag == "ul") == 7
