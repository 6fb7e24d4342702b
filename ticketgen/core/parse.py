"""Parse Markdown into ticket records, on markdown-it's block token stream.

A file may hold one ticket or many (a long TICKETS.md). Headings inside code are code,
so a template in a fenced block is never mistaken for a ticket. Everything that is not a
ticket is kept as a `Chunk`; the parser never raises on text, it records `Problem`s.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from .io import BOM, DEFAULT_MAX_BYTES, read_source, split_lines
from .markdown import (
    block_tokens,
    heading_level,
    heading_text,
    iter_links,
    match_field,
    match_task,
    may_hold_links,
    prose_text,
)
from .records import ActionItem, Chunk, CodeBlock, Document, Field, Problem, Reference, Section, Ticket
from .template import Schema, find_template, parse_date

_ANY_RECORD_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]*[-_][0-9]+\b")
_FM_OPEN = "---"


@contextmanager
def rare_collections() -> Iterator[None]:
    """For parsing many files: it makes many objects, most freed by reference counting, and few
    cycles, so the garbage collector's walks over the growing results (a tenth of the time at
    default settings) are mostly wasted. Collect rarely instead."""
    threshold = gc.get_threshold()
    gc.set_threshold(20_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def read_document(
    path: Path, schema: Schema, max_bytes: int = DEFAULT_MAX_BYTES, display: Path | None = None
) -> Document:
    """Read and parse a file; unreadable files raise `ContentError` naming file and line."""
    source = read_source(path, max_bytes, display)
    return parse_document(source.text, display or path, schema)


def parse_document(text: str, path: Path, schema: Schema) -> Document:
    body = text.removeprefix(BOM)
    lines = split_lines(body)
    frontmatter, fm_lines, problems = _frontmatter(lines, path)
    # Blank out the frontmatter so token line maps stay in whole-file coordinates.
    parse_text = "\n" * fm_lines + "".join(lines[fm_lines:]) if fm_lines else body
    env: dict[str, Any] = {}
    tokens = block_tokens(parse_text, env)
    tickets, other = _split(tokens, lines, path, schema, fm_lines, env)
    if len(tickets) == 1:
        tickets[0].frontmatter = frontmatter
    for ticket in tickets:
        if ticket.text == text:  # the whole file: one string, kept (and stored) once
            ticket.text = text
    return Document(path, text, tickets, other, frontmatter, problems)


def _frontmatter(lines: list[str], path: Path) -> tuple[dict[str, Any], int, list[Problem]]:
    if not lines or lines[0].rstrip("\r\n").rstrip() != _FM_OPEN:
        return {}, 0, []
    # YAML is imported only for files that have frontmatter: most tickets do not.
    import yaml
    from frontmatter.default_handlers import YAMLHandler

    from . import safe_yaml

    boundary = YAMLHandler.FM_BOUNDARY
    close = next((i for i in range(1, len(lines)) if boundary.match(lines[i].rstrip("\r\n"))), None)
    if close is None:
        return {}, 0, []
    raw = "".join(lines[1:close])
    try:
        data = safe_yaml.load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark is not None else 2  # the YAML starts on line 2
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return {}, close + 1, [Problem("frontmatter", path, line, f"frontmatter is not valid YAML: {reason}")]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return {}, close + 1, [Problem("frontmatter", path, 2, "frontmatter must be a mapping of keys to values")]
    return data, close + 1, []


def _line_end(tokens: list[Token], lines: list[str], start: int, stop: int, fallback: int) -> int:
    """End (exclusive, 0-based) of a piece: up to the next heading that closes it, less the
    trailing blank lines and `---` rules between pieces. Only a top-level rule separates: one in
    a list item or quote (`- * * *`) is the piece's own text, kept in it (and so in what the
    site's cache key covers). Lines that make no token, such as link reference definitions,
    stay with the piece they follow."""
    end = tokens[stop].map[0] if stop < len(tokens) and tokens[stop].map else len(lines)
    rules = {t.map[0] for t in tokens[start:stop] if t.type == "hr" and t.level == 0 and t.map}
    while end > fallback and (not lines[end - 1].strip() or end - 1 in rules):
        end -= 1
    return end


def _closing_heads(tokens: list[Token], heads: list[int]) -> list[int]:
    """For each heading, the token index of the next heading at its level or above (the end
    of its piece), else len(tokens): one pass with a stack, so 200,000 headings cost linear
    time (searching forward from each one was quadratic)."""
    stops = [len(tokens)] * len(heads)
    open_: list[int] = []  # positions in `heads` still waiting for their closing heading
    for n, i in enumerate(heads):
        level = heading_level(tokens[i])
        while open_ and heading_level(tokens[heads[open_[-1]]]) >= level:
            stops[open_.pop()] = i
        open_.append(n)
    return stops


def _split(
    tokens: list[Token], lines: list[str], path: Path, schema: Schema, fm_lines: int, env: dict[str, Any]
) -> tuple[list[Ticket], list[Chunk]]:
    """Cut the document at headings of the ticket level or above; classify each piece.
    Only top-level headings count: one quoted or in a list item is part of the text."""
    heads = [
        i
        for i, t in enumerate(tokens)
        if t.type == "heading_open" and t.level == 0 and heading_level(t) <= schema.heading_level
    ]
    tickets: list[Ticket] = []
    other: list[Chunk] = []
    covered: list[tuple[int, int]] = []
    if fm_lines:
        other.append(Chunk("frontmatter", 1, fm_lines, "frontmatter"))
        covered.append((0, fm_lines))
    stops = _closing_heads(tokens, heads)
    for i, stop in zip(heads, stops, strict=True):
        text = heading_text(tokens, i)
        first = tokens[i].map[0]
        end = _line_end(tokens, lines, i, stop, first + 1)
        m = schema.id_regex.match(text)
        if m and not text[m.end() : m.end() + 1].isalnum():
            ticket = _ticket(tokens, i, stop, lines, path, schema, text, m, end, env)
            tickets.append(ticket)
            covered.append((first, end))
        elif text.casefold().startswith(schema.prefix.casefold()):
            other.append(Chunk("malformed", first + 1, end, text))
        elif _ANY_RECORD_ID.match(text):
            other.append(Chunk("foreign", first + 1, end, text))
            covered.append((first, end))
    found = find_template(tokens)
    if found is not None:
        fence = tokens[found[0]]
        if found[1] and fence.map:
            other.append(Chunk("template", fence.map[0] + 1, fence.map[1], "template"))
    other.extend(_text_chunks(lines, covered))
    other.sort(key=lambda c: (c.line, c.kind))
    return tickets, other


def _text_chunks(lines: list[str], covered: list[tuple[int, int]]) -> list[Chunk]:
    chunks = []
    pos = 0
    for start, end in sorted(covered) + [(len(lines), len(lines))]:
        gap = [(k, line) for k, line in enumerate(lines[pos:start], pos) if line.strip()]
        if gap:
            label = gap[0][1].strip()[:60]
            chunks.append(Chunk("text", gap[0][0] + 1, gap[-1][0] + 1, label))
        pos = max(pos, end)
    return chunks


def _ticket(
    tokens: list[Token],
    start: int,
    stop: int,
    lines: list[str],
    path: Path,
    schema: Schema,
    heading: str,
    m: re.Match[str],
    end: int,
    env: dict[str, Any],
) -> Ticket:
    level = heading_level(tokens[start])
    first = tokens[start].map[0]
    title = heading[m.end() :].lstrip(" \t:-–—").strip()
    ticket_id = heading[: m.end()]
    all_fields: list[Field] = []
    section_heads: list[tuple[int, str, int]] = []  # (line, title, level)
    code_blocks: list[CodeBlock] = []
    references: list[Reference] = []
    mentions: dict[str, None] = {}
    mention_lines: dict[int, int] = {}  # mentioned ID number -> line of its first mention
    items: list[tuple[int, ActionItem]] = []  # (line, item), sorted out to sections later
    own = ticket_id.casefold()
    has_refs = bool(env.get("references"))

    for k in range(start + 3, stop):
        tok = tokens[k]
        kind = tok.type
        if kind == "heading_open" and tok.level == 0 and level < heading_level(tok) <= schema.heading_level + 1:
            section_heads.append((tok.map[0], heading_text(tokens, k), heading_level(tok)))
        elif kind == "inline":
            content = tok.content
            line0 = tok.map[0] if tok.map else first
            if not section_heads and tokens[k - 1].type == "paragraph_open":
                all_fields.extend(_paragraph_fields(lines, tok, line0, schema))
            task = _task_item(tokens, k, content, line0)
            if task:
                items.append((line0 + 1, task))
            if may_hold_links(content) or (has_refs and "[" in content):
                references.extend(
                    Reference(text, url, line0 + offset + 1) for text, url, offset in iter_links(content, env)
                )
            if schema.mention_regex.search(content):
                _collect_mentions(content, line0, own, schema, mentions, mention_lines)
        elif kind == "fence" and tok.map:
            code_blocks.append(CodeBlock(tok.info.strip(), tok.content, tok.map[0] + 2))
        elif kind == "code_block" and tok.map:
            code_blocks.append(CodeBlock("", tok.content, tok.map[0] + 1))

    sections = _sections(section_heads, lines, end)
    action_items = _action_items(items, sections, schema)

    fields = _first_by_name(all_fields)
    ticket = Ticket(
        id=ticket_id,
        number=int(m.group(1)),
        title=title,
        path=path,
        line=first + 1,
        end_line=end,
        text="".join(lines[first:end]),
        fields=fields,
        sections=sections,
        action_items=action_items,
        references=references,
        related=list(mentions),
        mention_lines=mention_lines,
        code_blocks=code_blocks,
        all_fields=all_fields,
        env=env,
        tokens=tokens[start:stop],  # for the site: rendered, never parsed again
    )
    _apply_roles(ticket, schema)
    return ticket


def _task_item(tokens: list[Token], k: int, content: str, line0: int) -> ActionItem | None:
    """A `[ ]`/`[x]` checkbox counts only as the first text of a list item."""
    if k >= 2 and tokens[k - 2].type == "list_item_open":
        task = match_task(content)
        if task:
            return ActionItem(task.text, task.done, line0 + 1)
    return None


def _first_by_name(all_fields: list[Field]) -> dict[str, Field]:
    """A field written twice keeps its first value (lint reports the repeat from all_fields)."""
    fields: dict[str, Field] = {}
    for f in all_fields:
        fields.setdefault(f.name, f)
    return fields


def _paragraph_fields(lines: list[str], tok: Token, line0: int, schema: Schema) -> list[Field]:
    """The `Name: value` lines of one paragraph before the first section: a ticket's fields."""
    fields = []
    for offset, raw_line in enumerate(lines[line0 : tok.map[1]] if tok.map else []):
        found = match_field(raw_line)
        if found:
            fields.append(_field(found.name, found.value, line0 + offset + 1, found.column, schema))
    return fields


def _collect_mentions(
    content: str, line0: int, own: str, schema: Schema, mentions: dict[str, None], mention_lines: dict[int, int]
) -> None:
    """Record the other tickets one inline mentions (in prose, not code), each with the line of
    its first mention: a ticket's `related` list and where lint points for each."""
    prose = prose_text(content)
    seen, newlines = 0, 0  # line breaks counted once, as the mentions go (not from 0 each time)
    for mention in schema.mention_regex.finditer(prose):
        mentioned = schema.format_id(int(mention.group(1)), len(mention.group(1)))
        if mentioned.casefold() != own:
            mentions.setdefault(mentioned)
            newlines += prose.count("\n", seen, mention.start())
            seen = mention.start()
            mention_lines.setdefault(int(mention.group(1)), line0 + 1 + newlines)


def _sections(section_heads: list[tuple[int, str, int]], lines: list[str], end: int) -> list[Section]:
    """Each section runs to the next section head (or the ticket's end), trailing blank lines
    dropped so its end line is its last line of text."""
    sections = []
    bounds = [h[0] for h in section_heads[1:]] + [end] if section_heads else []
    for (line0, title_text, lvl), stop_line in zip(section_heads, bounds, strict=True):
        body_lines = lines[line0 + 1 : stop_line]
        while body_lines and not body_lines[-1].strip():
            body_lines.pop()
        sections.append(Section(title_text, lvl, line0 + 1, line0 + 1 + len(body_lines), "".join(body_lines)))
    return sections


def _action_items(items: list[tuple[int, ActionItem]], sections: list[Section], schema: Schema) -> list[ActionItem]:
    """Only the task-list items inside the section the schema names for action items count as
    the ticket's action items; a checkbox elsewhere is just text."""
    action_title = schema.role("action_items")
    action = next((s for s in sections if action_title and s.title.casefold() == action_title.casefold()), None)
    return [item for line, item in items if action and action.line < line <= action.end_line]


def _field(name: str, raw: str, line: int, column: int, schema: Schema) -> Field:
    spec = schema.field(name)
    value, note = raw, None
    if spec is not None and spec.kind == "choice":
        found = split_qualifier(raw)
        if found is not None and found[0]:
            value, note = found[0], found[1].strip()
    return Field(spec.name if spec else name, raw, value, note, line, column)


def split_qualifier(raw: str) -> tuple[str, str] | None:
    """`Open (blocking deploys)` -> (`Open`, `blocking deploys`): the last parenthesised part,
    without parentheses inside it. String methods, not a regex: linear on any line."""
    text = raw.rstrip()
    if not text.endswith(")"):
        return None
    start = text.rfind("(", 0, len(text) - 1)
    if start == -1 or ")" in text[start + 1 : -1]:
        return None
    return text[:start].rstrip(), text[start + 1 : -1]


def _lookup(ticket: Ticket, name: str | None) -> Field | None:
    if name is None:
        return None
    folded = name.casefold()
    return next((f for n, f in ticket.fields.items() if n.casefold() == folded), None)


def _apply_roles(ticket: Ticket, schema: Schema) -> None:
    def choice(role: str) -> Field | None:
        return _lookup(ticket, schema.role(role))

    def canonical(f: Field | None) -> str | None:
        if f is None or not f.value:
            return None
        spec = schema.field(f.name)
        return (spec.choice_for(f.value) if spec else None) or f.value

    status = choice("status")
    ticket.status = canonical(status)
    ticket.status_note = status.note if status else None
    ticket.priority = canonical(choice("priority"))
    discovered = choice("discovered")
    ticket.discovered = parse_date(discovered.value) if discovered else None
    component = choice("component")
    ticket.component = component.value or None if component else None
