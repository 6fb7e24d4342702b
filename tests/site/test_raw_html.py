"""Raw HTML in a ticket renders as on GitHub (its allowlist: `<details>`, `<kbd>`, `<br>`,
`<img>`, table markup...) through the one nh3 door in site/html.py, and every hostile attribute,
tag or URL on those allowed tags is taken out."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from ticketgen.core.markdown import block_tokens
from ticketgen.site.html import GITHUB_TAGS, Options, render, sanitize

MENTION = re.compile(r"\bTICKET-(\d+)\b")


def body(markdown: str) -> str:
    env: dict = {}
    return render(block_tokens(markdown, env), env, Options(shift=1, mention=MENTION)).html


class _Tags(HTMLParser):
    """(tag, {attribute: value}) of every start tag, and the open elements left at the end."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in ("br", "img", "hr", "input", "wbr", "source"):
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:] or 'nothing'}"
        self.open.pop()


def tags(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    assert parser.open == [], f"left open: {parser.open}"
    return parser.tags


def test_githubs_everyday_tags_render():
    html = body(
        "<details>\n<summary>Full log</summary>\n\n```\nline 1\n```\n\n</details>\n\n"
        "Press <kbd>Ctrl</kbd>+<kbd>C</kbd>, H<sub>2</sub>O, x<sup>2</sup>, <b>b</b> <i>i</i> "
        '<ins>new</ins> <del>old</del>\n\n| a | b |\n|---|---|\n| one<br>two | <img src="shot.png" alt="shot"> |\n'
    )
    found = [t for t, _ in tags(html)]
    for tag in ("details", "summary", "kbd", "sub", "sup", "b", "i", "ins", "del", "br", "img", "pre"):
        assert tag in found, tag
    assert "<summary>Full log</summary>" in html and '<img src="shot.png" alt="shot">' in html
    assert "&lt;" not in html  # nothing shown as tags


def test_details_left_open_by_a_ticket_is_closed_inside_its_body():
    html = body("<details open>\n<summary>Log</summary>\n\ntext\n\n</div></div></article>\n\n<table><tr><td>x")
    tags(html)  # balanced: every element opened is closed, nothing closes what the page opened
    assert html.count("<details") == 1 and html.count("</details>") == 1
    assert "</article>" not in html and "</div>" not in html


HOSTILE = {
    # allowed tag, hostile attribute or URL: the tag stays, the attack does not
    "details": "<details open ontoggle=alert(1)><summary onclick=alert(2)>s</summary>x</details>",
    "kbd": '<kbd onmouseover="alert(3)" style="position:fixed;top:0">K</kbd>',
    "img-handler": '<img src="x.png" onerror="alert(4)" onload="alert(5)">',
    "img-js": '<img src="javascript:alert(6)" longdesc="javascript:alert(7)">',
    "img-svg-data": '<img src="data:image/svg+xml,<svg onload=alert(8)>">',
    "a-js": '<a href="javascript:alert(9)">x</a> <a href="jav&#x61;script:alert(10)">y</a>',
    "a-tab-js": '<a href="java\tscript:alert(11)">x</a> <a href="vbscript:x">z</a>',
    "a-data": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxMik8L3NjcmlwdD4=">x</a>',
    "blockquote-cite": '<blockquote cite="javascript:alert(13)">q</blockquote>',
    "source-srcset": '<picture><source srcset="javascript:alert(14) 1x"><img src="a.png"></picture>',
    "table": '<table background="javascript:alert(15)" onclick="alert(16)"><tr><td style="x:y">c</td></tr></table>',
    "div-class": '<div class="md-header" id="__drawer" onfocus="alert(17)" tabindex="1">d</div>',
    "br": "a<br onmouseover=alert(18)>b",
    "sub-sup": "<sub onclick=alert(19)>1</sub><sup formaction=javascript:alert(20)>2</sup>",
}


@pytest.mark.parametrize("attack", HOSTILE.values(), ids=list(HOSTILE))
def test_allowed_tags_lose_hostile_attributes_and_urls(attack: str):
    html = body(f"Before.\n\n{attack}\n\nAfter.")
    for tag, attrs in tags(html):
        for name, value in attrs.items():
            assert not name.startswith("on") and name not in ("style", "formaction", "background"), (tag, name)
            assert not re.match(r"\s*(javascript|vbscript|data:(?!image/(png|gif|jpeg|webp);))", value, re.I), (
                tag,
                name,
                value,
            )
            if name == "class":
                assert not value.startswith("md-"), value  # the theme's classes are not the ticket's to use
            if name == "id":
                assert value.startswith("user-content-"), value  # cannot clobber the page's ids
    allowed = {t for t in re.findall(r"^<(\w+)", attack)}
    assert allowed <= {t for t, _ in tags(html)} <= GITHUB_TAGS | {"p"}


@pytest.mark.parametrize(
    "raw",
    [
        "<script>alert(1)</script>",
        "<style>body{display:none}</style>",
        '<iframe src="https://example.org"></iframe>',
        "<textarea>x</textarea>",
        '<form action="https://example.org"><input type="submit" value="go"><button>b</button></form>',
        '<svg onload="alert(1)"><circle r="1"/></svg>',
        '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
        '<object data="x.swf"></object><embed src="x.swf"><base href="//evil.example">',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><link rel="stylesheet" href="x.css">',
        "<input type=text value=x autofocus onfocus=alert(1)>",
    ],
)
def test_tags_outside_the_allowlist_never_reach_the_page(raw: str):
    html = body(f"Text.\n\n{raw}\n")
    kept = {t for t, _ in tags(html)}
    assert kept <= {"p", "input"}, kept
    for tag, attrs in tags(html):
        if tag == "input":  # only the inert task-list checkbox's shape
            assert attrs.get("type") == "checkbox" and "disabled" in attrs and "onfocus" not in attrs


def test_the_tagfilter_shows_githubs_filtered_tags_as_text():
    html = body("<title>t</title> <xmp>x</xmp> <noembed>n</noembed> <plaintext>p")
    for name in ("title", "xmp", "noembed", "plaintext"):
        assert f"&lt;{name}&gt;" in html


def test_link_markers_survive_the_sanitizer_and_cannot_be_forged():
    html = body("See TICKET-002 and [the notes](../notes/x.md), not \x00L../y.md\x00 or tg00z.")
    assert "\0M2\x01TICKET-002\0" in html and 'href="\0L../notes/x.md\0"' in html
    assert "\0L../y.md" not in html  # the parser turned a written NUL into U+FFFD first


def test_the_sanitizer_keeps_a_safe_body_as_rendered():
    # The renderer's own markup (anchors, task lists, alerts, code, alignment) passes untouched.
    html = body("## Steps\n\n- [x] done\n\n> [!NOTE]\n> n\n\n```python\nx = 1\n```\n\n| a |\n|:-:|\n| b |\n")
    assert sanitize(html, frozenset({"steps"})) == html
    assert '<h1 id="steps">' in html and 'class="headerlink"' in html and 'class="task-list-item"' in html
    assert 'class="admonition note"' in html and 'class="language-python highlight"' in html
    assert '<td style="text-align:center">' in html
