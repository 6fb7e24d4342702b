"""Ticket records: what the parser produces and lint, site and runbooks consume.

`Ticket.to_json()` is the stable, documented record (schema: ticketgen/data/ticket.schema.json).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JSON_VERSION = 1


@dataclass(frozen=True, slots=True)
class Field:
    """A metadata line. `value` drops a parenthesised qualifier, kept in `note`:
    `Open (blocking deploys)` is value `Open`, note `blocking deploys`."""

    name: str
    raw: str
    value: str
    note: str | None
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    level: int
    line: int  # the heading's line
    end_line: int  # last line with content, inclusive
    body: str  # the Markdown under the heading, verbatim

    @property
    def is_empty(self) -> bool:
        return not self.body.strip()


@dataclass(frozen=True, slots=True)
class ActionItem:
    text: str
    done: bool
    line: int


@dataclass(frozen=True, slots=True)
class Reference:
    text: str
    url: str
    line: int


@dataclass(frozen=True, slots=True)
class CodeBlock:
    info: str  # the fence's info string ("" for indented code)
    content: str
    line: int  # first line of the code itself


@dataclass
class Ticket:
    id: str
    number: int
    title: str
    path: Path
    line: int
    end_line: int
    text: str  # the ticket's Markdown, verbatim
    fields: dict[str, Field]
    sections: list[Section]
    action_items: list[ActionItem]
    references: list[Reference]
    related: list[str]
    code_blocks: list[CodeBlock]
    frontmatter: dict[str, Any] = field(default_factory=dict)
    mention_lines: dict[int, int] = field(default_factory=dict)  # number of each of `related` -> first line
    status: str | None = None
    status_note: str | None = None
    priority: str | None = None
    discovered: dt.date | None = None
    component: str | None = None

    def section(self, title: str) -> Section | None:
        folded = title.casefold()
        return next((s for s in self.sections if s.title.casefold() == folded), None)

    def __getstate__(self) -> dict[str, Any]:
        """Stored without its token stream (`tokens`, the parser's, kept in memory for rendering);
        `env` (the document's link reference definitions) is kept: a ticket read back from the
        cache is rendered from its own text with them."""
        if "_spans" in self.__dict__:
            self._unspan()
        state = dict(self.__dict__)
        state.pop("tokens", None)
        return state

    def __getattr__(self, name: str) -> Any:
        """A ticket read back from the cache makes its `sections` and `code_blocks` on first use,
        from spans of its document's text (see `Document.__setstate__`): they are a quarter of a
        record's memory, and a warm site build or a `ticketgen list` table never reads them."""
        if name in ("sections", "code_blocks") and "_spans" in self.__dict__:
            self._unspan()
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _unspan(self) -> None:
        text, sections, code_blocks = self.__dict__.pop("_spans")
        self.sections = [Section(t, lvl, line, end, _string(text, body)) for t, lvl, line, end, body in sections]
        self.code_blocks = [CodeBlock(info, _string(text, content), line) for info, content, line in code_blocks]

    @property
    def open_items(self) -> list[ActionItem]:
        return [a for a in self.action_items if not a.done]

    def value_of(self, name: str) -> Any:
        """A value by name, wherever the ticket keeps it: a metadata line (a template field or
        not), else a frontmatter key (`owner`, `tags`); names match without regard to case."""
        folded = name.casefold()
        found = next((f.value for n, f in self.fields.items() if n.casefold() == folded), None)
        if found is not None:
            return line_value(found)
        return next((v for k, v in self.frontmatter.items() if str(k).casefold() == folded), None)

    def age_days(self, today: dt.date) -> int | None:
        return (today - self.discovered).days if self.discovered else None

    def to_json(self, mentioned_by: list[Backlink] | None = None) -> dict[str, Any]:
        """The record; `mentioned_by` comes from `Corpus.mentioned_by()` (it needs every ticket)."""
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "status_note": self.status_note,
            "priority": self.priority,
            "discovered": self.discovered.isoformat() if self.discovered else None,
            "component": self.component,
            "fields": {
                f.name: {"value": f.value, "note": f.note, "raw": f.raw, "line": f.line} for f in self.fields.values()
            },
            "sections": [
                {"title": s.title, "line": s.line, "end_line": s.end_line, "body": s.body} for s in self.sections
            ],
            "action_items": [{"text": a.text, "done": a.done, "line": a.line} for a in self.action_items],
            "references": [{"text": r.text, "url": r.url, "line": r.line} for r in self.references],
            "related": list(self.related),
            "frontmatter": _jsonable(self.frontmatter),
            "path": self.path.as_posix(),
            "line": self.line,
            "end_line": self.end_line,
            "mentioned_by": [
                {"id": b.id, "title": b.title, "path": b.path.as_posix(), "line": b.line} for b in mentioned_by or []
            ],
        }


@dataclass(frozen=True, slots=True)
class Backlink:
    """A ticket that mentions another: its ID and title, and where the first mention is."""

    id: str
    title: str
    path: Path
    line: int


@dataclass(frozen=True, slots=True)
class Chunk:
    """Text of a document that is not a ticket, kept so nothing is dropped silently.

    kind: `text` (intros, separators, group headings), `frontmatter`, `template` (the fenced template),
    `foreign` (a record with another ID prefix, such as FLOW-001 among INC- tickets),
    `malformed` (a heading that starts like a ticket ID but is not one).
    """

    kind: str
    line: int
    end_line: int
    label: str


@dataclass(frozen=True, slots=True)
class Problem:
    """Something in a file that stopped part of it from being read (bad frontmatter...)."""

    code: str
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Document:
    path: Path
    text: str
    tickets: list[Ticket]
    other: list[Chunk]
    frontmatter: dict[str, Any]
    problems: list[Problem]

    def release_tokens(self) -> None:
        """Drop the parser's token stream (kept for rendering): it is the bulk of a parsed file's memory."""
        for ticket in self.tickets:
            ticket.__dict__.pop("tokens", None)

    def __getstate__(self) -> dict[str, Any]:
        """Stored (in the cache) with each ticket's text, section bodies and code as spans of the
        document's text, of which they are slices: about half the bytes to write and read back."""
        state = dict(self.__dict__)
        state["tickets"] = [_packed(ticket, self.text) for ticket in self.tickets]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        text = state["text"]
        state["tickets"] = [_unpacked(packed, text) for packed in state["tickets"]]
        self.__dict__.update(state)


def _packed(ticket: Ticket, text: str) -> dict[str, Any]:
    cursor = 0

    def span(value: str) -> str | tuple[int, int]:
        """(start, end) of `value` in `text`, or `value` itself. The parts come in document
        order, so each search starts where the last one matched: linear in the text."""
        nonlocal cursor
        at = text.find(value, cursor) if value else -1
        if at < 0:
            return value
        cursor = at
        return (at, at + len(value))

    lazy = ticket.__dict__.get("_spans")
    if lazy is not None and lazy[0] is text:  # read back and never opened: stored as it came
        state = {k: v for k, v in ticket.__dict__.items() if k not in ("_spans", "tokens")}
        state["text"] = span(ticket.text)
        state["sections"], state["code_blocks"] = lazy[1], lazy[2]
        return state
    state = ticket.__getstate__()
    state["text"] = span(ticket.text)
    start = cursor
    state["sections"] = [(s.title, s.level, s.line, s.end_line, span(s.body)) for s in ticket.sections]
    cursor = start
    state["code_blocks"] = [(c.info, span(c.content), c.line) for c in ticket.code_blocks]
    return state


def _unpacked(state: dict[str, Any], text: str) -> Ticket:
    state["text"] = _string(text, state["text"])
    state["_spans"] = (text, state.pop("sections"), state.pop("code_blocks"))  # made on first use
    ticket = Ticket.__new__(Ticket)
    ticket.__dict__.update(state)
    return ticket


def _string(text: str, value: str | tuple[int, int]) -> str:
    return text[value[0] : value[1]] if isinstance(value, tuple) else value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def line_value(text: str) -> Any:
    """A metadata line's value as frontmatter would give it: `[a, b]` is the list of a and b
    (read by the one YAML reader); any other text is itself."""
    if not (text.startswith("[") and text.endswith("]")):
        return text
    import yaml

    from .safe_yaml import load

    try:
        items = load(text)
    except yaml.YAMLError:
        return text
    if isinstance(items, list) and all(isinstance(i, (str, int, float, bool)) for i in items):
        return items
    return text
