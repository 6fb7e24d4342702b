"""A ticket looks the same on the site as on GitHub: the block structure of every ticket page
(lists and their nesting, tables, code blocks, quotes, paragraphs, headings) matches what
cmark-gfm, GitHub's own renderer, makes of the same Markdown; and every example of the GFM
spec renders as on GitHub, but for the ticket format's own documented rules."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from tests.conftest import EXAMPLES, FIXTURES, SEED
from ticketgen.core.markdown import block_tokens
from ticketgen.core.parse import parse_document
from ticketgen.core.project import Project
from ticketgen.core.template import schema_from_text
from ticketgen.site.html import resolve_links, sanitize
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


# -- the GFM spec -------------------------------------------------------------------------------
# Every example of the GitHub Flavored Markdown spec (tests/fixtures/gfm/spec.txt, CC BY-SA 4.0,
# see the LICENSE beside it) is written as the body of a ticket's section and rendered by the
# site's ticket-body renderer, and by cmark-gfm (GitHub's renderer, with GitHub's extensions and
# raw HTML passed on to GitHub's allowlist, the site's `sanitize`). The two must have the same
# structure: tags, significant attributes and text, ignoring the site's ids, classes, permalinks
# and highlighting spans. The only differences allowed are rules of the ticket format, each
# stated in the README's format section; an example listed here must still differ, so the list
# stays true.
SPEC = FIXTURES / "gfm" / "spec.txt"
README = Path(__file__).parents[2] / "README.md"
# rule -> the README's words for it (the test checks the README states each rule)
RULES = {
    # A `#`/`##` heading (ATX or setext) at the top level is the start of the next ticket or
    # group: the ticket's text ends there.
    "heading-ends-ticket": "A top-level `#` or `##` heading (`Title` underlined with `===` or `---` too) ends the ticket",
    # A top-level thematic break at the end of a ticket separates it from the next one: not shown.
    "closing-rule": "A thematic break (`---`, `***`, `___`) at the top level at the end of a ticket separates tickets",
    # The page's headings are one level up (a ticket's `###` sections are the page's `h2`); a `#`
    # or `##` heading inside a quote or list item has no level above `h1` to move to.
    "clamped-heading": "a `#` or `##` heading inside a quote or list item is shown as `h1`",
    # A fence's info string is a CSS class only when it is a plain language name.
    "fence-language": "is used only when it is a plain name",
}
# fmt: off
ACCEPTED = {
    10: "heading-ends-ticket", 11: "closing-rule", 13: "closing-rule", 17: "closing-rule",
    20: "closing-rule", 21: "closing-rule", 22: "closing-rule", 23: "closing-rule", 24: "closing-rule",
    29: "heading-ends-ticket", 32: "heading-ends-ticket", 36: "heading-ends-ticket",
    37: "heading-ends-ticket", 38: "heading-ends-ticket", 41: "heading-ends-ticket",
    42: "heading-ends-ticket", 45: "heading-ends-ticket", 46: "heading-ends-ticket",
    47: "closing-rule", 48: "heading-ends-ticket", 49: "heading-ends-ticket", 50: "heading-ends-ticket",
    51: "heading-ends-ticket", 52: "heading-ends-ticket", 53: "heading-ends-ticket",
    54: "heading-ends-ticket", 55: "closing-rule", 56: "heading-ends-ticket", 58: "closing-rule",
    59: "heading-ends-ticket", 60: "heading-ends-ticket", 61: "heading-ends-ticket", 62: "closing-rule",
    64: "closing-rule", 65: "heading-ends-ticket", 66: "closing-rule", 68: "closing-rule",
    69: "closing-rule", 70: "closing-rule", 71: "closing-rule", 72: "heading-ends-ticket",
    73: "heading-ends-ticket", 85: "heading-ends-ticket", 111: "heading-ends-ticket",
    114: "fence-language", 183: "heading-ends-ticket", 184: "heading-ends-ticket",
    197: "heading-ends-ticket", 206: "clamped-heading", 207: "clamped-heading", 208: "clamped-heading",
    210: "clamped-heading", 212: "closing-rule", 278: "clamped-heading",
}
# fmt: on
_EXAMPLE = "`" * 32 + " example"


def spec_examples() -> list[tuple[int, str, str]]:
    """(number, section, Markdown) of every example, numbered as the spec numbers them."""
    found, section, lines = [], "", SPEC.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        if lines[i].startswith("#") and " " in lines[i]:
            section = lines[i].split(" ", 1)[1].strip()
        if lines[i].startswith(_EXAMPLE):
            end = lines.index(".", i + 1)
            markdown = "".join(line + "\n" for line in lines[i + 1 : end]).replace("\u2192", "\t")
            found.append((len(found) + 1, section, markdown))
            i = lines.index("`" * 32, end)
        i += 1
    return found


class _Tree(HTMLParser):
    """The element tree of an HTML fragment: [tag, attributes, children] lists and strings."""

    VOID = frozenset({"br", "img", "hr", "input", "wbr", "source"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list = ["", {}, []]
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        node = [tag, {k: v or "" for k, v in attrs}, []]
        self.open[-1][2].append(node)
        if tag not in self.VOID:
            self.open.append(node)

    def handle_startendtag(self, tag, attrs):
        self.open[-1][2].append([tag, {k: v or "" for k, v in attrs}, []])

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        self.open[-1][2].append(data)


def normalised(html: str, shift: int = 0) -> list:
    """What a reader gets from `html`: elements with their significant attributes (link and image
    URLs, titles, alt text, list start, cell alignment, checkbox state, a code block's language)
    and text (whitespace runs as one space outside code). Ids, classes, permalinks, highlighting
    spans and a code block's wrapper are the site's dress, not structure; headings are counted
    `shift` levels down (the site moves them up)."""
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return _tidy(_walk(tree.root[2], shift, pre=False, lang=""))


def _walk(children: list, shift: int, pre: bool, lang: str) -> list:
    out: list = []
    for node in children:
        if isinstance(node, str):
            text = node if pre else re.sub(r"\s+", " ", node)
            if out and out[-1][0] == "text":
                out[-1] = ("text", out[-1][1] + text)
            else:
                out.append(("text", text))
            continue
        tag, attrs, kids = node
        classes = attrs.get("class", "").split()
        if "headerlink" in classes or "task-list-indicator" in classes:
            continue
        if tag == "div" and "highlight" in classes:  # the site's code block wrapper holds the language
            language = next((c[9:] for c in classes if c.startswith("language-")), "")
            out.extend(_walk(kids, shift, pre, language))
            continue
        if tag in ("span", "label") or (tag == "code" and pre) or (tag == "a" and "href" not in attrs):
            for item in _walk(kids, shift, pre, lang):  # dress (and a link the allowlist refused)
                if item[0] == "text" and out and out[-1][0] == "text":
                    out[-1] = ("text", out[-1][1] + item[1])
                else:
                    out.append(item)
            continue
        if tag == "pre":
            code = next((k for k in kids if isinstance(k, list) and k[0] == "code"), None)
            language = attrs.get("lang") or lang
            if code is not None and not language:
                language = next((c[9:] for c in code[1].get("class", "").split() if c.startswith("language-")), "")
            out.append(("pre", (("lang", language),), tuple(_walk(kids, shift, True, ""))))
            continue
        if re.fullmatch(r"h[1-6]", tag):
            tag = f"h{int(tag[1]) + shift}"
        out.append((tag, _significant(tag, attrs), tuple(_walk(kids, shift, pre, lang))))
    return out


def _significant(tag: str, attrs: dict[str, str]) -> tuple:
    kept: dict[str, object] = {}
    if tag == "a":
        kept["href"] = unquote(attrs["href"])
    if tag == "img":
        kept["src"], kept["alt"] = unquote(attrs.get("src", "")), attrs.get("alt", "")
    if tag in ("a", "img") and attrs.get("title"):
        kept["title"] = attrs["title"]
    if tag == "ol" and attrs.get("start", "1") != "1":
        kept["start"] = attrs["start"]
    if tag in ("th", "td"):
        style = re.fullmatch(r"text-align:\s*(\w+);?", attrs.get("style", ""))
        align = attrs.get("align") or (style.group(1) if style else "")
        if align:
            kept["align"] = align
    if tag == "input":
        kept["type"], kept["checked"] = attrs.get("type"), "checked" in attrs
    if tag == "details":
        kept["open"] = "open" in attrs
    return tuple(sorted(kept.items()))


def _tidy(items: list, block: bool = True) -> tuple:
    """Whitespace that only lays out blocks is not text; text at a block's edges is trimmed."""
    out = []
    for item in items:
        if item[0] == "text":
            if block and not item[1].strip():
                continue
            out.append(("text", item[1].strip() if block else item[1]))
        elif item[0] == "pre":
            out.append(item)
        else:
            tag, attrs, kids = item
            inner = tag in _BLOCKS or tag in _HEADINGS or tag in ("details", "dl", "div", "tbody", "thead")
            out.append((tag, attrs, _tidy(list(kids), inner)))
    return tuple(out)


@pytest.fixture(scope="module")
def spec_renderer(tmp_path_factory) -> tuple[SiteRenderer, object]:
    root = tmp_path_factory.mktemp("spec")
    template_text = SEED.read_text(encoding="utf-8")
    (root / "tickets").mkdir()
    (root / "tickets" / "_template.md").write_text(template_text)
    project = Project.discover(root, use_cache=False)
    return SiteRenderer(project, load_options(project.config, project.schema)), schema_from_text(template_text)


def _ours(renderer: SiteRenderer, schema, markdown: str) -> str:
    level = schema.heading_level
    head = f"{'#' * level} TICKET-001: The spec\n\n{'#' * (level + 1)} Example\n\n"
    (ticket,) = parse_document(head + markdown, Path("tickets/TICKET-001-spec.md"), schema).tickets
    html = renderer.ticket_body(ticket).html
    return resolve_links(html, lambda number: None, lambda url: None)


def _github(markdown: str) -> str:
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    return sanitize(html)  # GitHub's allowlist, as on github.com


def test_every_gfm_spec_example_renders_as_github_renders_it(spec_renderer):
    renderer, schema = spec_renderer
    shift = schema.heading_level - 1
    examples = spec_examples()
    assert len(examples) == 673  # the whole spec, none skipped
    differ, still_same = [], []
    for number, section, markdown in examples:
        ours = normalised(_ours(renderer, schema, markdown), shift)
        assert ours[:1] and ours[0][0] == f"h{schema.heading_level + 1}", (number, ours[:1])  # "Example"
        same = ours[1:] == normalised(_github(markdown))
        if not same and number not in ACCEPTED:
            differ.append(f"example {number} ({section}): {markdown!r}")
        elif same and number in ACCEPTED:
            still_same.append(number)
    assert differ == [], "render unlike GitHub:\n" + "\n".join(differ)
    assert still_same == [], f"listed as accepted differences but render as on GitHub: {still_same}"


def test_every_accepted_difference_is_a_documented_format_rule():
    text = README.read_text(encoding="utf-8")
    lines = text.splitlines()
    tops = [t.map[0] for t in block_tokens(text) if t.type == "heading_open" and t.tag == "h2" and t.map]
    start = next(n for n in tops if lines[n] == "## The ticket format")
    format_section = "\n".join(lines[start : min(n for n in tops if n > start)])
    assert set(ACCEPTED.values()) == set(RULES)
    for rule, words in RULES.items():
        assert " ".join(words.split()) in " ".join(format_section.split()), rule
