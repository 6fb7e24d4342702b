"""The linear-time inline rules change no output: the same HTML as markdown-it and the GFM
autolink plugin give without them, for any text made of the pieces those rules look at."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from ticketgen.core.mdlinear import MAX_AUTOLINK, linear_inline_plugin


def _parsers() -> tuple[MarkdownIt, MarkdownIt]:
    plain = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).use(gfm_autolink_plugin)
    linear = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).use(gfm_autolink_plugin)
    return plain, linear.use(linear_inline_plugin)


PLAIN, LINEAR = _parsers()
_PIECES = [*"[]()!<>:@.w \n*_`\\-", "www.", "http", "https://", "mailto:", "xmpp:", "a.b", "x@y.org", "ex.com", "]("]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_same_html_as_without_the_rules(text: str):
    assert LINEAR.render(text) == PLAIN.render(text)


def test_known_shapes_render_the_same():
    for text in [
        "[[[[[[[[[[[[[[[[[[[[[foo]()",
        "[" * 30 + "]",
        "![[![x](y)",
        "[x]: /u\n\n[x] [[x]",
        "see https://example.org/a_(b), www.example.org. and mail a.b@example.org!",
        "mailto:a@example.org xmpp:a@example.org/r http:// www. @x",
    ]:
        assert LINEAR.render(text) == PLAIN.render(text), text


def test_a_bare_url_longer_than_the_bound_stays_text():
    url = "https://example.org/" + "a" * MAX_AUTOLINK
    assert "<a " not in LINEAR.render(url) and url in LINEAR.render(url)
    assert '<a href="https://example.org/x">' in LINEAR.render("https://example.org/x " + "a" * 10 * MAX_AUTOLINK)
