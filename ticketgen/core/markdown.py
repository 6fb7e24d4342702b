"""The Markdown layer every stage shares: one block-level markdown-it parser and the few
micro-syntaxes tickets use inside its tokens (bold field lines, task-list items).

Block parsing is cheap and gives line maps; inline parsing is done only on the few
tokens that need it (links, ticket mentions), which keeps a full parse near the cost of
markdown-it's own block pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .mdlinear import linear_inline_plugin

# `ticketgen import` leaves this line in the index page where each ticket was.
IMPORT_MARKER = "<!-- ticketgen:import {name} -->"
IMPORT_MARKER_PREFIX = IMPORT_MARKER.split("{", 1)[0]

# Linear time on any line: no two quantifiers compete for the same blanks (the name's and the
# value's surrounding blanks and a hard-break backslash are stripped in `match_field`).
_FIELD = re.compile(
    r"""^[ ]{0,3}(?:[-*+][ \t]+)?          # optional list bullet
    (?P<mark>\*\*|__)(?P<name>[^*_\n:][^*_\n]*?)
    (?::(?P=mark)|(?P=mark)[ \t]*:)       # **Name:** or **Name**:
    (?P<value>.*)$""",
    re.VERBOSE,
)
_TASK = re.compile(r"^\[(?P<mark>[ xX])\](?:[ \t]+(?P<text>.*)|$)", re.DOTALL)
_BARE_URL = re.compile(r"<(?:https?|mailto):[^<>\s]*>|https?://")


@lru_cache(maxsize=1)
def block_parser() -> MarkdownIt:
    """CommonMark + tables, block rules only: inline tokens keep their raw `content`."""
    md = MarkdownIt("commonmark").enable("table")
    md.disable(["inline", "text_join"])
    return md


@lru_cache(maxsize=1)
def inline_parser() -> MarkdownIt:
    return MarkdownIt("commonmark").use(linear_inline_plugin)  # linear time on runs of `[`


def block_tokens(text: str, env: dict | None = None) -> list[Token]:
    """Block tokens; `env` collects the document's link reference definitions."""
    return block_parser().parse(text, {} if env is None else env)


def inline_children(content: str, env: dict | None = None) -> list[Token]:
    tokens = inline_parser().parseInline(content, {} if env is None else dict(env))
    return tokens[0].children or [] if tokens else []


@dataclass(frozen=True)
class FieldLine:
    """A `**Name:** value` line; `column` is the 1-based column of the value."""

    name: str
    value: str
    column: int


def match_field(line: str) -> FieldLine | None:
    m = _FIELD.match(line.rstrip("\r\n"))
    if not m:
        return None
    raw = m.group("value")
    value = raw.lstrip(" \t")
    column = m.start("value") + len(raw) - len(value) + 1
    value = value.rstrip(" \t")
    if value.endswith("\\"):  # a hard line break
        value = value[:-1].rstrip(" \t")
    return FieldLine(m.group("name").strip(), value, column)


@dataclass(frozen=True)
class TaskMark:
    done: bool
    mark: str
    text: str


def match_task(inline_content: str) -> TaskMark | None:
    """A task-list item's first paragraph starts with `[ ]`, `[x]` or `[X]`."""
    m = _TASK.match(inline_content)
    if not m:
        return None
    return TaskMark(m.group("mark") != " ", m.group("mark"), (m.group("text") or "").strip())


def heading_text(tokens: list[Token], index: int) -> str:
    """Text of the heading whose `heading_open` is at `index`."""
    return tokens[index + 1].content.strip()


def heading_level(token: Token) -> int:
    return int(token.tag[1])


def may_hold_links(content: str) -> bool:
    return "](" in content or "][" in content or _BARE_URL.search(content) is not None


def iter_links(content: str, env: dict | None = None) -> Iterator[tuple[str, str, int]]:
    """(text, url, line offset within `content`) for every link in an inline's content;
    `env` (from `block_tokens`) resolves reference-style links."""
    offset = 0
    children = inline_children(content, env)
    for i, tok in enumerate(children):
        if tok.type in ("softbreak", "hardbreak"):
            offset += 1
        elif tok.type == "link_open":
            parts = []
            for inner in children[i + 1 :]:
                if inner.type == "link_close":
                    break
                parts.append(inner.content)
            yield "".join(parts).strip(), str(tok.attrs.get("href", "")), offset


def prose_text(content: str) -> str:
    """An inline's content without its code spans (mentions inside code are code)."""
    if "`" not in content:
        return content
    parts = []
    for tok in inline_children(content):
        if tok.type == "code_inline":
            parts.append(" ")
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        else:
            parts.append(tok.content)
    return "".join(parts)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]()#!|~{}>])")
_LINE_START = re.compile(r"^([ \t]*)([-+=]|\d+(?=[.)]))")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029]")
_INFO_WORD = re.compile(r"[A-Za-z0-9_+-]{1,32}")


def has_control_characters(text: str) -> bool:
    """Newlines, carriage returns and other control characters: never fit a one-line slot."""
    return bool(_CONTROL.search(text) or "\n" in text)


def escape_markdown_line(text: str) -> str:
    """One line of untrusted text that renders as itself: no markup, link, HTML or heading.

    Control characters become U+FFFD, so a line stays one line in every renderer.
    """
    text = _CONTROL.sub("\ufffd", text.replace("\n", " "))
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text, count=1)


def code_fence(content: str, info: str = "") -> str:
    """`content` as a fenced block whose fence is longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * max(3, longest + 1)
    word = info.split(maxsplit=1)[0] if info.strip() else ""
    info = word if _INFO_WORD.fullmatch(word) else ""
    body = _CONTROL.sub("\ufffd", content.rstrip("\n"))
    return f"{fence}{info}\n{body}\n{fence}"


def as_data(markdown_text: str) -> list[tuple[str, str]]:
    """Untrusted Markdown split into ("prose", escaped line) and ("code", fenced block) parts.

    Code blocks keep their text byte for byte inside a fence nothing in them can close; every
    other line is escaped (escape_markdown_line), so nothing the author wrote becomes markup.
    """
    text = markdown_text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    parts: list[tuple[str, str]] = []
    line = 0
    for tok in block_tokens(text):
        if tok.type not in ("fence", "code_block") or not tok.map:
            continue
        parts += [("prose", escape_markdown_line(x)) for x in lines[line : tok.map[0]]]
        parts.append(("code", code_fence(tok.content, tok.info if tok.type == "fence" else "")))
        line = tok.map[1]
    parts += [("prose", escape_markdown_line(x)) for x in lines[line:]]
    return parts
