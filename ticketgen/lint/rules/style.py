"""Mechanical style rules, each with a fix: choice case, `[X]` marks, bullet style and blank
lines around headings. Fixes are exact edits of the file's text (see `fixes`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...core.records import Ticket
from ..context import DocView, LintContext
from ..model import Edit, Hit
from ..rule import EXAMPLE, example, rule

_BULLET = re.compile(r"^(?P<lead>[ \t]*(?:>[ \t]*)*)(?P<mark>[*+])[ \t]+\S")


@rule(
    "TG014",
    "choice-case",
    "warning",
    "A choice value differs from the template's spelling only in case.",
    scope="ticket",
    why="`resolved` means Resolved, but exact-match filters and indexes miss it.",
    bad=example("**Priority:** High", "**Priority:** high"),
    good=EXAMPLE,
    how_to_fix="Write the value as the template does; `ticketgen lint --fix` does it.",
    fixable=True,
)
def choice_case(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    for f in ticket.all_fields:
        spec = ctx.field_spec(f.name)
        if spec is None or spec.kind != "choice" or not f.value:
            continue
        canonical = spec.choice_for(f.value)
        if canonical is None or canonical == f.value:
            continue
        start = f.column - 1
        edits: tuple[Edit, ...] = ()
        if view.text(f.line)[start : start + len(f.value)] == f.value:
            at = view.offset(f.line, f.column)
            edits = (Edit(at, at + len(f.value), canonical),)
        yield Hit(f.line, f.column, f"**{f.name}:** write {canonical!r}, not {f.value!r}", edits)


@rule(
    "TG033",
    "uppercase-task-mark",
    "warning",
    "A done task is marked `[X]` instead of `[x]`.",
    scope="ticket",
    why="Both render, but one spelling keeps diffs and searches (`grep '\\[x\\]'`) simple.",
    bad=example("- [ ] Invalidate", "- [X] Invalidate") + "- [ ] Add a regression test\n",
    good=example("- [ ] Invalidate", "- [x] Invalidate") + "- [ ] Add a regression test\n",
    how_to_fix="Write `[x]`; `ticketgen lint --fix` does it.",
    fixable=True,
)
def uppercase_task_mark(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    for item in ticket.action_items:
        text = view.text(item.line)
        m = re.match(r"^[ \t]*(?:>[ \t]*)*(?:[-*+]|[0-9]+[.)])[ \t]+\[X\]", text)
        if m:
            at = view.offset(item.line, m.end() - 1)
            yield Hit(item.line, m.end() - 1, "write the done mark as [x]", (Edit(at, at + 1, "x"),))


@rule(
    "TG034",
    "bullet-style",
    "warning",
    "A list bullet is `*` or `+` instead of `-` (the template's style).",
    scope="ticket",
    why="One bullet style keeps tickets uniform and diffs small, as markdownlint's MD004 does.",
    bad=example("- [ ] Invalidate", "* [ ] Invalidate"),
    good=EXAMPLE,
    how_to_fix="Use `-` for bullets; `ticketgen lint --fix` does it.",
    fixable=True,
)
def bullet_style(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    lines = view.lines
    for line in range(ticket.line + 1, min(ticket.end_line, len(lines)) + 1):
        m = _BULLET.match(lines[line - 1])  # cheap: the token stream is read only for these
        if m and view.bullets.get(line) == m.group("mark"):
            column = m.start("mark") + 1
            at = view.offset(line, column)
            yield Hit(line, column, f"use '-' for bullets, not '{m.group('mark')}'", (Edit(at, at + 1, "-"),))


@rule(
    "TG035",
    "heading-blank-lines",
    "warning",
    "A heading is not separated from the text around it by a blank line.",
    scope="ticket",
    why="Some Markdown renderers and most readers need the blank line (markdownlint MD022). A blank line "
    "after headings is required only when the template itself puts one there.",
    bad=example(
        "**Discovered:** 2026-01-06\n**Component:** auth service\n\n",
        "**Discovered:** 2026-01-06\n**Component:** auth service\n",
    ),
    good=EXAMPLE,
    how_to_fix="Add the blank line; `ticketgen lint --fix` does it.",
    fixable=True,
)
def heading_blank_lines(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    frontmatter_end = next((c.end_line for c in view.document.other if c.kind == "frontmatter"), 0)
    headings = [ticket.line, *(s.line for s in ticket.sections)]
    for line in headings:
        if line > 1 and line - 1 != frontmatter_end and view.text(line - 1).strip():
            at = view.offset(line)
            yield Hit(line, 1, "add a blank line before this heading", (Edit(at, at, view.ending(line - 1)),))
        if ctx.blank_after_headings and line < len(view.lines) and view.text(line + 1).strip():
            at = view.offset(line + 1)
            yield Hit(line, 1, "add a blank line after this heading", (Edit(at, at, view.ending(line)),))
