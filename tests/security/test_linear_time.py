"""Class: quadratic paths. Work is counted, not timed (timings go in bench/linear.py): the
inline parser's rule calls on 1x and 10x of a hostile shape grow tenfold, not a hundredfold,
and a hand-written docs page Python-Markdown would take minutes on is reported, not built."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.rules_inline import StateInline

from tests.site.site_repo import build_site, make_repo
from ticketgen.core.parse import _closing_heads
from ticketgen.core.validate import MAX_BRACKETS_PER_BLOCK
from ticketgen.site import html as site_html


class _Counted(str):
    """Text that counts the characters its slices copy: the quadratic paths copied the rest
    of the paragraph at each position, so work shows up here even where calls stay few."""

    copied = 0

    def __getitem__(self, key):
        part = str.__getitem__(self, key)
        if isinstance(key, slice):
            _Counted.copied += len(part)
        return part


def _inline_work(text: str) -> int:
    """Rule calls plus characters copied while the site's inline parser reads `text`."""
    md = site_html._parser()
    calls = 0
    rules = md.inline.ruler.getRules("")

    def counted(rule):
        def call(state: StateInline, silent: bool) -> bool:
            nonlocal calls
            calls += 1
            return rule(state, silent)

        return call

    original = list(rules)
    rules[:] = [counted(r) for r in original]
    _Counted.copied = 0
    try:
        md.inline.parse(_Counted(text), md, {}, [])  # the site's block tokens come parsed: inline only
    finally:
        rules[:] = original
    return calls + _Counted.copied


@pytest.mark.parametrize(
    "unit",
    ["[", "![", "TICKET-001 ", "a:b ", "www.x ", "x@y ", "http: ", "w"],
    ids=["brackets", "image-brackets", "mentions", "colons", "www", "at-signs", "protocols", "letters-w"],
)
def test_inline_work_grows_linearly(unit: str):
    small, large = _inline_work(unit * 2000), _inline_work(unit * 20000)
    assert large <= 12 * small, f"{unit!r}: work {small} at 1x, {large} at 10x"


def test_each_heading_is_closed_by_the_next_at_its_level_or_above():
    from ticketgen.core.markdown import block_tokens

    text = "# a\n## b\n### c\n## d\n# e\n### f\n"
    tokens = block_tokens(text)
    heads = [i for i, t in enumerate(tokens) if t.type == "heading_open"]
    stops = _closing_heads(tokens, heads)
    lines = {i: tokens[i].map[0] for i in heads}
    closed_by = [lines.get(s) for s in stops]  # None: the end of the document
    assert closed_by == [4, 3, 3, 4, None, None]


def test_a_docs_page_over_the_bracket_bound_is_reported_not_built(tmp_path: Path, caplog):
    root = make_repo(tmp_path)
    (root / "docs" / "brackets.md").write_text("# Brackets\n\n" + "[" * (MAX_BRACKETS_PER_BLOCK + 1) + "\n")
    (root / "docs" / "fine.md").write_text("# Fine\n\n" + "[a](b) " * 50 + "\n\n" + "[" * 100 + "\n")
    site = build_site(root, strict=False)
    assert "ticketgen: brackets.md: the block starting at line 3 holds over 2,000 `[`" in caplog.text
    assert "the page is not rendered" in caplog.text
    assert "Page not rendered" in (site / "brackets" / "index.html").read_text()
    assert "fine.md" not in caplog.text and "[[[[" in (site / "fine" / "index.html").read_text()
