"""A cached ticket body is never stale: whatever line of a document is edited, the body the
site shows (from the cache when its key matches) is the body a fresh render makes."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import SEED
from ticketgen.core.cache import Shelf
from ticketgen.core.parse import parse_document
from ticketgen.core.project import Project
from ticketgen.core.template import schema_from_text
from ticketgen.site.options import load_options
from ticketgen.site.pages import SiteRenderer

SCHEMA = schema_from_text(SEED.read_text(encoding="utf-8"))
_LINES = [
    "",
    "Text.",
    "- item",
    "- * * *",
    "  - * * *",
    "> ---",
    "> quoted",
    "1. ___",
    "---",
    "***",
    "### Notes",
    "#### Deeper",
    "[r]: https://example.org/r",
    "See [r].",
    "```",
    "    code",
    "<details>",
    "</details>",
    "| a |",
    "|---|",
]
# Lines that are all a thematic break, in a list item or quote or not: an edit from one to
# another changes the page (a bullet list to an ordered one) while every one of them is a rule.
_RULES = ["- * * *", "1. ***", "> ---", "  - * * *", "  1. ___", "***"]


def _renderer(root: Path, cached: bool) -> SiteRenderer:
    if not (root / "tickets").exists():
        (root / "tickets").mkdir()
        (root / "tickets" / "_template.md").write_text(SEED.read_text(encoding="utf-8"))
    project = Project.discover(root, use_cache=cached)
    return SiteRenderer(project, load_options(project.config, project.schema))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.sampled_from(_LINES), min_size=1, max_size=6))
@example(lines=["Text.", "- item", "  - * * *"])  # a rule nested in the last list item
def test_editing_any_line_never_shows_a_stale_cached_body(lines: list[str], tmp_path: Path):
    head = ["## TICKET-001: First", "", "**Status:** Open", "", "### Problem Statement", ""]
    tail = ["", "---", "", "## TICKET-002: Second", "", "### Problem Statement", "", "[r]: https://example.org/2"]
    document = head + lines + tail
    cached, fresh = _renderer(tmp_path, cached=True), _renderer(tmp_path, cached=False)
    for index in range(len(head) - 1, len(head) + len(lines) + 2):  # the first ticket's lines, and its end
        for line in (document[index] + " zq", *_RULES):
            text = document[:index] + [line] + document[index + 1 :]
            source = "\n".join(text) + "\n"
            shown = [cached.ticket_body(t).html for t in parse_document(source, Path("t.md"), SCHEMA).tickets]
            made = []
            for ticket in parse_document(source, Path("t.md"), SCHEMA).tickets:
                fresh.bodies = Shelf(None)  # nothing kept: rendered now
                made.append(fresh.ticket_body(ticket).html)
            assert shown == made, (index, source)
