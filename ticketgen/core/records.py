"""Ticket records: what the parser produces and lint, site and runbooks consume.

`Ticket.to_json()` is the stable, documented record (schema: ticketgen/data/ticket.schema.json).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import Codec

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


@dataclass(slots=True)
class Ticket:
    """A ticket's record. Every attribute is declared (slots: none can be added later).
    `sections` and `code_blocks` of a ticket read back from the cache are made on first use
    from `_spans` (see `ticket_from_data`): a quarter of a record's memory, and a warm site
    build or a `ticketgen list` table never reads them."""

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
    all_fields: list[Field] | None = None  # every metadata line, duplicates included (for lint)
    env: dict[str, Any] = field(default_factory=dict)  # the document's link reference definitions
    tokens: list[Any] | None = field(default=None, repr=False, compare=False)  # the parser's, for the site; not stored
    source_digest: str = ""  # digest of the whole file's bytes: what a rendered body is cached by
    _spans: tuple[str, list[Any], list[Any]] | None = field(default=None, repr=False, compare=False)

    def section(self, title: str) -> Section | None:
        folded = title.casefold()
        return next((s for s in self.sections if s.title.casefold() == folded), None)

    def __getattr__(self, name: str) -> Any:
        """Only reached for an unset slot: `sections` and `code_blocks` of a ticket read back
        from the cache, made now from spans of its document's text."""
        spans = object.__getattribute__(self, "_spans")
        if name in ("sections", "code_blocks") and spans is not None:
            text, sections, code_blocks = spans
            self.sections = [Section(t, lvl, line, end, _string(text, body)) for t, lvl, line, end, body in sections]
            self.code_blocks = [CodeBlock(info, _string(text, content), line) for info, content, line in code_blocks]
            self._spans = None
            return object.__getattribute__(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

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
            ticket.tokens = None


# -- The record codec: a Document as JSON data, and back. The one place records are stored
# (the cache), so the one place that knows their shape. Data only: decoding builds records from
# strings, numbers and lists, and a value of the wrong shape raises ValueError/TypeError/KeyError.
# Each ticket's text, section bodies and code are stored as spans of the document's text, of
# which they are slices: about half the bytes to write and read back.


def document_to_data(doc: Document) -> dict[str, Any]:
    text = doc.text
    return {
        "path": doc.path.as_posix(),
        "text": text,
        "tickets": [_ticket_to_data(t, doc) for t in doc.tickets],
        "other": [[c.kind, c.line, c.end_line, c.label] for c in doc.other],
        "frontmatter": value_to_data(doc.frontmatter),
        "problems": [[p.code, p.path.as_posix(), p.line, p.message] for p in doc.problems],
    }


def document_from_data(data: dict[str, Any]) -> Document:
    text = _str(data["text"])
    frontmatter = value_from_data(data["frontmatter"])
    if not isinstance(frontmatter, dict):
        raise TypeError("frontmatter is not a mapping")
    return Document(
        Path(_str(data["path"])),
        text,
        [_ticket_from_data(t, text, frontmatter) for t in data["tickets"]],
        [Chunk(_str(k), _int(line), _int(end), _str(label)) for k, line, end, label in data["other"]],
        frontmatter,
        [Problem(_str(c), Path(_str(p)), _int(line), _str(m)) for c, p, line, m in data["problems"]],
    )


def _ticket_to_data(ticket: Ticket, doc: Document) -> dict[str, Any]:
    text = doc.text
    cursor = 0

    def span(value: str) -> str | list[int]:
        """[start, end] of `value` in `text`, or `value` itself. The parts come in document
        order, so each search starts where the last one matched: linear in the text."""
        nonlocal cursor
        at = text.find(value, cursor) if value else -1
        if at < 0:
            return value
        cursor = at
        return [at, at + len(value)]

    lazy = ticket._spans
    if lazy is not None and lazy[0] is text:  # read back and never opened: stored as it came
        sections, code_blocks = lazy[1], lazy[2]
        whole = span(ticket.text)
    else:
        whole = span(ticket.text)
        start = cursor
        sections = [[s.title, s.level, s.line, s.end_line, span(s.body)] for s in ticket.sections]
        cursor = start
        code_blocks = [[c.info, span(c.content), c.line] for c in ticket.code_blocks]
    fields = ticket.all_fields if ticket.all_fields is not None else list(ticket.fields.values())
    return {
        "id": ticket.id,
        "number": ticket.number,
        "title": ticket.title,
        "path": ticket.path.as_posix(),
        "line": ticket.line,
        "end_line": ticket.end_line,
        "text": whole,
        "all_fields": ticket.all_fields is not None,
        "fields": [[f.name, f.raw, f.value, f.note, f.line, f.column] for f in fields],
        "field_names": list(ticket.fields),
        "sections": sections,
        "code_blocks": code_blocks,
        "action_items": [[a.text, a.done, a.line] for a in ticket.action_items],
        "references": [[r.text, r.url, r.line] for r in ticket.references],
        "related": ticket.related,
        "frontmatter": 1 if ticket.frontmatter is doc.frontmatter else value_to_data(ticket.frontmatter),
        "mention_lines": [[k, v] for k, v in ticket.mention_lines.items()],
        "status": ticket.status,
        "status_note": ticket.status_note,
        "priority": ticket.priority,
        "discovered": ticket.discovered.isoformat() if ticket.discovered else None,
        "component": ticket.component,
        "env": value_to_data({k: v for k, v in ticket.env.items() if k == "references"}),
        "source_digest": ticket.source_digest,
    }


def _ticket_from_data(data: dict[str, Any], text: str, frontmatter: dict[str, Any]) -> Ticket:
    all_fields = [
        Field(_str(n), _str(r), _str(v), _opt_str(note), _int(ln), _int(c)) for n, r, v, note, ln, c in data["fields"]
    ]
    by_name: dict[str, Field] = {}
    for f in all_fields:
        by_name.setdefault(f.name, f)
    fields = {_str(name): by_name[name] for name in data["field_names"]}
    own = data["frontmatter"]
    env = value_from_data(data["env"])
    discovered = data["discovered"]
    ticket = Ticket(
        id=_str(data["id"]),
        number=_int(data["number"]),
        title=_str(data["title"]),
        path=Path(_str(data["path"])),
        line=_int(data["line"]),
        end_line=_int(data["end_line"]),
        text=_string(text, data["text"]),
        fields=fields,
        sections=[],
        action_items=[ActionItem(_str(t), bool(d), _int(ln)) for t, d, ln in data["action_items"]],
        references=[Reference(_str(t), _str(u), _int(ln)) for t, u, ln in data["references"]],
        related=[_str(r) for r in data["related"]],
        code_blocks=[],
        frontmatter=frontmatter if own == 1 else value_from_data(own),
        mention_lines={_int(k): _int(v) for k, v in data["mention_lines"]},
        status=_opt_str(data["status"]),
        status_note=_opt_str(data["status_note"]),
        priority=_opt_str(data["priority"]),
        discovered=dt.date.fromisoformat(discovered) if discovered is not None else None,
        component=_opt_str(data["component"]),
        all_fields=all_fields if data["all_fields"] else None,
        env=env if isinstance(env, dict) else {},
        source_digest=_str(data["source_digest"]),
    )
    del ticket.sections, ticket.code_blocks  # made on first use, from the spans
    ticket._spans = (text, data["sections"], data["code_blocks"])
    return ticket


RECORDS = Codec(document_to_data, document_from_data)  # the cache's "records" shelf


def value_to_data(value: Any) -> Any:
    """A YAML value (frontmatter) as JSON data that keeps its types: lists and mappings are
    tagged arrays (a mapping's keys need not be strings), dates are tagged strings."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, dict):
        return ["d", *([value_to_data(k), value_to_data(v)] for k, v in value.items())]
    if isinstance(value, list | tuple):
        return ["l", *(value_to_data(v) for v in value)]
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["D", value.isoformat()]
    return ["s", str(value)]


def value_from_data(data: Any) -> Any:
    if data is None or isinstance(data, str | bool | int | float):
        return data
    if not isinstance(data, list) or not data:
        raise TypeError("not a stored value")
    tag, rest = data[0], data[1:]
    if tag == "d":
        return {value_from_data(k): value_from_data(v) for k, v in rest}
    if tag == "l":
        return [value_from_data(v) for v in rest]
    if tag == "t":
        return dt.datetime.fromisoformat(_str(rest[0]))
    if tag == "D":
        return dt.date.fromisoformat(_str(rest[0]))
    if tag == "s":
        return _str(rest[0])
    raise ValueError(f"unknown stored value tag {tag!r}")


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not an integer")
    return value


def _string(text: str, value: Any) -> str:
    """A stored span of `text`, or a string stored as it is."""
    if isinstance(value, list):
        start, end = value
        return text[_int(start) : _int(end)]
    return _str(value)


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
