"""What rules see besides the record: the run's settings and a view of the file's lines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.io import BOM, DEFAULT_MAX_BYTES, split_lines
from ..core.records import Document, Section, Ticket
from .settings import RuleSettings

if TYPE_CHECKING:
    from ..core.config import RunbooksSettings
    from ..core.template import FieldSpec, Schema
    from ..runbooks.manifests import Defined


@dataclass
class LintContext:
    schema: Schema
    settings: RuleSettings
    today: dt.date
    root: Path
    tickets_dir: Path
    documents: frozenset[Path]  # configured multi-ticket documents (absolute)
    blank_after_headings: bool = False  # the template puts a blank line after its headings
    max_bytes: int = DEFAULT_MAX_BYTES
    # What the manifests define, and where tickets declare resources: None without manifests,
    # or when a manifest cannot be read (`ticketgen runbooks` reports that file).
    defined: Defined | None = None
    runbook_settings: RunbooksSettings | None = None
    _sections: dict[int, tuple[Ticket, list[tuple[str | None, Section]]]] = field(default_factory=dict, repr=False)

    @cached_property
    def fields(self) -> dict[str, FieldSpec]:
        """Template fields by case-folded name (rules look fields up for every metadata line)."""
        return {f.name.casefold(): f for f in self.schema.fields}

    def field_spec(self, name: str) -> FieldSpec | None:
        return self.fields.get(name.casefold())

    @cached_property
    def section_titles(self) -> dict[str, str]:
        """Case-folded heading -> template section title, aliases included."""
        return {**self.settings.aliases, **{s.title.casefold(): s.title for s in self.schema.sections}}

    def sections(self, ticket: Ticket) -> list[tuple[str | None, Section]]:
        """Each section with the template section it stands for (None: not in the template)."""
        key = id(ticket)
        found = self._sections.get(key)
        if found is None or found[0] is not ticket:
            titles = self.section_titles
            found = (ticket, [(titles.get(s.title.casefold()), s) for s in ticket.sections])
            self._sections = {key: found}
        return found[1]


def template_blank_after_headings(schema: Schema) -> bool:
    """Whether the template's own section headings are followed by a blank line."""
    from ..core.markdown import block_tokens

    lines = split_lines(schema.sections_text)
    heads = [t.map[1] for t in block_tokens(schema.sections_text) if t.type == "heading_open" and t.map]
    return bool(heads) and all(end >= len(lines) or not lines[end].strip() for end in heads)


@dataclass
class DocView:
    """A document's lines as the parser numbered them, with offsets back into the file's text
    (BOM included) so fixes can edit exact spans."""

    document: Document
    absolute: Path
    _code: set[int] = field(default_factory=set)

    @cached_property
    def bom(self) -> int:
        return len(BOM) if self.document.text.startswith(BOM) else 0

    @cached_property
    def lines(self) -> list[str]:
        text = self.document.text[self.bom :]
        if "\r" in text:
            return split_lines(text)
        # Only LF endings (the common case): the same lines as split_lines gives, a few times faster.
        lines = text.split("\n")
        last = lines.pop()
        return [line + "\n" for line in lines] + ([last] if last else [])

    @cached_property
    def starts(self) -> list[int]:
        starts, pos = [], self.bom
        for line in self.lines:
            starts.append(pos)
            pos += len(line)
        starts.append(pos)
        return starts

    def text(self, line: int) -> str:
        """Line `line` (1-based) without its ending."""
        return self.lines[line - 1].rstrip("\r\n") if 0 < line <= len(self.lines) else ""

    def ending(self, line: int) -> str:
        raw = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return raw[len(raw.rstrip("\r\n")) :] or _common_ending(self.lines)

    def offset(self, line: int, column: int = 1) -> int:
        return self.starts[line - 1] + column - 1

    @cached_property
    def bullets(self) -> dict[int, str]:
        """Line -> bullet (`-`, `*` or `+`) of every bullet list item starting there, from the
        token stream: a `* ` line in raw HTML, code or a paragraph is no list item."""
        from ..core.markdown import block_tokens

        frontmatter = next((c.end_line for c in self.document.other if c.kind == "frontmatter"), 0)
        text = "\n" * frontmatter + "".join(self.lines[frontmatter:])
        return {
            t.map[0] + 1: t.markup
            for t in block_tokens(text)
            if t.type == "list_item_open" and t.map and t.markup in ("-", "*", "+")
        }

    @cached_property
    def code_lines(self) -> frozenset[int]:
        """Lines inside code blocks (fences included), from the tickets' code records."""
        code: set[int] = set()
        for ticket in self.document.tickets:
            code.update(code_lines(ticket, self))
        for chunk in self.document.other:
            if chunk.kind == "template":
                code.update(range(chunk.line, chunk.end_line + 1))
        return frozenset(code)


def code_lines(ticket: Ticket, view: DocView) -> set[int]:
    lines: set[int] = set()
    for block in ticket.code_blocks:
        count = max(block.content.count("\n"), 1)
        lines.update(range(block.line, block.line + count))
        for fence in (block.line - 1, block.line + count):
            if view.text(fence).lstrip().startswith(("```", "~~~")):
                lines.add(fence)
    return lines


def _common_ending(lines: list[str]) -> str:
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
    return "\n"
