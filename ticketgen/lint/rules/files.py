"""Rules about files and headings: unreadable files, bad frontmatter, headings that look like
ticket IDs but are not, records of another kind, and file names that disagree with the ID or
hold control characters."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...core.markdown import IMPORT_MARKER_PREFIX
from ...core.records import Ticket
from ...core.terminal import CONTROL
from ...core.validate import ID_NUMBER
from ..context import DocView, LintContext
from ..model import Hit
from ..rule import EXAMPLE, Rule, add, example, rule

add(
    Rule(
        "TG001",
        "unreadable-file",
        "A ticket file cannot be read (not UTF-8, binary, too large, a line too long, or unreadable).",
        "error",
        "document",
        why="A file lint cannot read is a file nobody's tooling can read; it is reported, never skipped.",
        bad="A ticket saved as Latin-1 (`Priorit\\xe9`), a file over `max_file_bytes`, or a line over "
        "131,072 characters.",
        good=EXAMPLE,
        how_to_fix="Save the file as UTF-8 (without NUL bytes), split it below the size limit "
        "(`max_file_bytes` in the config), or break the long line. The limits are in docs/security.md.",
    )
)


@rule(
    "TG002",
    "invalid-frontmatter",
    "error",
    "The YAML frontmatter cannot be read.",
    scope="document",
    why="Frontmatter that does not parse is silently dropped by most tools; its values would be lost.",
    bad="---\ntags: [registry, credentials\n---\n" + EXAMPLE,
    good="---\ntags: [registry, credentials]\n---\n" + EXAMPLE,
    how_to_fix="Fix the YAML at the line named (a missing bracket or quote, a tab indent); it must be a mapping.",
)
def invalid_frontmatter(view: DocView, ctx: LintContext) -> Iterator[Hit]:
    for problem in view.document.problems:
        yield Hit(problem.line, 1, problem.message)


@rule(
    "TG003",
    "malformed-id",
    "error",
    "A heading starts like a ticket ID but is not a valid one.",
    scope="document",
    why="A heading such as `## TICKET-01a: ...` or `## TICKET: ...` is neither a ticket nor text: "
    "every tool would skip it.",
    bad=example("## TICKET-001:", "## TICKET-00l:"),
    good=EXAMPLE,
    how_to_fix="Write the ID as the template's prefix followed by digits (`TICKET-001`).",
)
def malformed_id(view: DocView, ctx: LintContext) -> Iterator[Hit]:
    pattern = f"{ctx.schema.prefix}{'N' * ctx.schema.width}"
    for chunk in view.document.other:
        if chunk.kind == "malformed":
            yield Hit(chunk.line, 1, f"heading {chunk.label!r} is not a valid ticket ID (expected {pattern}: Title)")


@rule(
    "TG007",
    "foreign-record",
    "info",
    "A record with another ID prefix is not checked.",
    scope="document",
    why="Documents may hold other kinds of records (`FLOW-001` among `INC-` tickets); lint says it saw them.",
    bad=EXAMPLE + "\n## FLOW-001: Rotate the credentials\n\n**Status:** Implemented\n",
    good=EXAMPLE,
    how_to_fix="Nothing to fix. Move such records out of ticket files, or ignore the rule.",
)
def foreign_record(view: DocView, ctx: LintContext) -> Iterator[Hit]:
    for chunk in view.document.other:
        if chunk.kind == "foreign":
            yield Hit(chunk.line, 1, f"{chunk.label!r} is not checked (its ID prefix is not {ctx.schema.prefix})")


@rule(
    "TG008",
    "no-tickets",
    "warning",
    "A file in the tickets folder holds no ticket.",
    scope="document",
    why="A ticket whose heading was mistyped (`# TICKT-1`) would otherwise vanish from every list without a word.",
    bad=example("## TICKET-001: Login", "## Login"),
    good=EXAMPLE,
    how_to_fix="Give the ticket a heading with its ID (`## TICKET-001: Title`), "
    "or move the file out of the tickets folder.",
)
def no_tickets(view: DocView, ctx: LintContext) -> Iterator[Hit]:
    doc = view.document
    if IMPORT_MARKER_PREFIX in doc.text:  # the index page `ticketgen import` wrote
        return
    if not doc.tickets and not doc.problems and not any(c.kind in ("malformed", "foreign") for c in doc.other):
        yield Hit(1, 1, f"no ticket heading ({ctx.schema.prefix}{'N' * ctx.schema.width}: Title) in this file")


_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:-+|=+)[ \t]*$")


@rule(
    "TG009",
    "cut-off-text",
    "warning",
    "A ticket file has text after the ticket, cut off from it by a heading at the ticket's level.",
    scope="document",
    why="A `---` right under a line of text makes that line a heading (setext), and so does `## Notes`: "
    "either ends the ticket there, and whatever follows (its action items, say) silently leaves it.",
    bad=example(
        "auth service\n\n### Problem Statement\n\nUsers", "auth service\n\n### Problem Statement\nNotes\n---\n\nUsers"
    ),
    good=example(
        "auth service\n\n### Problem Statement\n\nUsers", "auth service\n\n### Problem Statement\nNotes\n\n---\n\nUsers"
    ),
    how_to_fix="Put a blank line before a `---` meant as a rule, and make headings inside a ticket deeper than "
    "its own (`###`).",
)
def cut_off_text(view: DocView, ctx: LintContext) -> Iterator[Hit]:
    doc = view.document
    if view.absolute in ctx.documents or len(doc.tickets) != 1:
        return  # a document of many tickets has intros and group headings between them
    ticket = doc.tickets[0]
    malformed = {c.line for c in doc.other if c.kind == "malformed"}  # TG003 says what is wrong there
    for chunk in doc.other:
        if chunk.kind != "text" or chunk.line <= ticket.line or chunk.line in malformed:
            continue
        if _SETEXT_UNDERLINE.match(view.text(chunk.line + 1)):
            yield Hit(
                chunk.line,
                1,
                f"the {view.text(chunk.line + 1).strip()[:3]!r} under this line makes it a heading that ends "
                f"{ticket.id}; the text from here on belongs to no ticket (a blank line before it makes a rule)",
            )
        else:
            yield Hit(chunk.line, 1, f"{ticket.id} ends before this text, which belongs to no ticket")


@rule(
    "TG005",
    "id-file-mismatch",
    "error",
    "In one-file-per-ticket mode, the ID in the file name must match the ticket's ID.",
    scope="ticket",
    why="Files are found and linked by name; a copied file that kept the old name hides the real ID.",
    bad="<!-- file: tickets/TICKET-002-login-fails.md -->\n" + EXAMPLE,
    good="<!-- file: tickets/TICKET-001-login-fails.md -->\n" + EXAMPLE,
    how_to_fix="Rename the file after the ticket's ID, or fix the ID in the heading.",
)
def id_file_mismatch(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    if view.absolute in ctx.documents or len(view.document.tickets) != 1:
        return
    m = re.match(re.escape(ctx.schema.prefix) + ID_NUMBER, view.absolute.name, re.IGNORECASE)
    if m and int(m.group(1)) != ticket.number:
        yield Hit(ticket.line, 1, f"file name says {m.group(0)}, the heading says {ticket.id}")


@rule(
    "TG019",
    "control-character-in-file-name",
    "error",
    "A ticket file's path holds a control character (a line break, an escape, a bidi override).",
    scope="document",
    why="File names come from pull requests too: a `\\r` or `\\n` in one breaks every line-based report "
    "(lint output, CI annotations, the step summary, `git ls-files` in scripts), and an escape sequence "
    "or bidi override shows a different name than the one on disk.",
    bad="<!-- file: tickets/TICKET-001-login\\rfails.md -->\n" + EXAMPLE,
    good="<!-- file: tickets/TICKET-001-login-fails.md -->\n" + EXAMPLE,
    how_to_fix="Rename the file to letters, digits, dashes and dots (`git mv`); `ticketgen new` names files so.",
)
def control_character_in_file_name(view: DocView, ctx: LintContext) -> Iterator[Hit]:
    bad = CONTROL.search(view.document.path.as_posix())
    if bad:
        yield Hit(1, 1, f"the file's path holds the control character U+{ord(bad.group()):04X}; rename it")
