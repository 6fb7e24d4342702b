"""Autolinks, fence languages and inline tags as GitHub (cmark-gfm) makes them: the cases where
the site once differed (issue 23)."""

from __future__ import annotations

import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options as CmarkOptions
from hypothesis import given, settings
from hypothesis import strategies as st

from ticketgen.core.markdown import block_tokens
from ticketgen.site.html import render


def body(markdown: str) -> str:
    env: dict = {}
    return render(block_tokens(markdown, env), env).html


def github(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=CmarkOptions.CMARK_OPT_UNSAFE)


@pytest.mark.parametrize(
    ("markdown", "link"),
    [
        ("Write to john_doe@example.com today.", '<a href="mailto:john_doe@example.com">john_doe@example.com</a>'),
        ("a.b-c_d+e@mail.example.org", '<a href="mailto:a.b-c_d+e@mail.example.org">a.b-c_d+e@mail.example.org</a>'),
        ("_ops_team@example.com_", '<em><a href="mailto:ops_team@example.com">ops_team@example.com</a></em>'),
        ("<foo\\+@bar.example.com>", '&lt;<a href="mailto:foo+@bar.example.com">foo+@bar.example.com</a>&gt;'),
        ("Mirror at ftp://foo.bar.baz.", '<a href="ftp://foo.bar.baz">ftp://foo.bar.baz</a>.'),
        ("FTP://Example.org/x", '<a href="FTP://Example.org/x">FTP://Example.org/x</a>'),
        ("<http://foo.bar/baz bim>", '&lt;<a href="http://foo.bar/baz">http://foo.bar/baz</a> bim&gt;'),
        ("5http://x.example", '5<a href="http://x.example">http://x.example</a>'),
    ],
)
def test_autolinks_as_github_makes_them(markdown: str, link: str):
    assert link in body(markdown)
    assert link in github(markdown)  # the expectation is GitHub's own output


@pytest.mark.parametrize(
    "markdown", ["x@y.com@z.com", "Xhttp://x.example", "a@b", "a@b.c-", "[x@y.com](/u)", "`a@b.com`"]
)
def test_what_github_does_not_link_is_not_linked_twice(markdown: str):
    ours, theirs = body(markdown), github(markdown)
    assert ours.count("<a ") == theirs.count("<a ")


@pytest.mark.parametrize(
    ("markdown", "language"),
    [
        ("``` foo\\+bar\nfoo\n```\n", "foo+bar"),
        ("``` f&ouml;&ouml;\nfoo\n```\n", "föö"),
        ("```py&#116;hon\nx\n```\n", "python"),
    ],
)
def test_a_fence_info_string_is_unescaped_before_its_language_is_read(markdown: str, language: str):
    assert f'class="language-{language} highlight"' in body(markdown)


def test_strikethrough_is_del_and_strong_inside_strong_is_one_strong():
    assert body("~~gone~~") == "<p><del>gone</del></p>\n"
    assert body("****foo****") == "<p><strong>foo</strong></p>\n"
    assert body("**foo **bar****") == "<p><strong>foo bar</strong></p>\n"
    assert body("***foo** bar*") == github("***foo** bar*")  # strong inside em stays


@pytest.mark.parametrize("markdown", ["mailto:a@b.com", "xmpp:a@b.com/r/s", "xmailto:a@b.com", "(mailto:x.y@z.org)"])
def test_mailto_and_xmpp_addresses_as_github_links_them(markdown: str):
    assert body(markdown) == github(markdown)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "Z", "_", ".", "+", "-", "@", ":", "/", "//", " ", "<", ">", "(", ")", "*", "\\",
                                 "mailto:", "xmpp:", "http", "ftp", "www.", "x.com", "`", "~~", "\n"]), max_size=40).map("".join))  # fmt: skip
def test_any_text_of_autolink_pieces_renders_and_links_only_allowed_schemes(markdown: str):
    for href in re.findall(r'href="([^"]*)"', body(markdown)):
        if href.startswith("#"):
            continue  # a heading's own permalink (`a\n-` is a setext heading), not an autolink
        assert href.split(":", 1)[0].lower() in {"http", "https", "ftp", "mailto", "xmpp"}, (markdown, href)
