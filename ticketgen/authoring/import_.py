"""`ticketgen import`: split a multi-ticket document into one file per ticket.

Nothing is lost: each ticket's lines go to its own file byte for byte, and the index page
keeps every other byte with a marker line where each ticket was, so the original is the
index with each marker replaced by its file's content.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ConfigError, ContentError
from ..core.io import create_all, read_bytes, read_source, remove_stale_temps, split_lines
from ..core.markdown import IMPORT_MARKER as MARKER
from ..core.markdown import block_tokens, iter_links
from ..core.parse import parse_document
from ..core.project import Project
from ..core.records import Ticket
from ..core.template import Schema, find_template, schema_from_text
from .new import slugify

INDEX_NAME = "index.md"
TEMPLATE_NAME = "_template.md"


@dataclass(frozen=True)
class Piece:
    path: Path
    text: str
    what: str  # "ticket TICKET-001", "index", "template"


def _line_ending(line: str) -> str:
    stripped = line.rstrip("\r\n")
    return line[len(stripped) :]


def ticket_file_name(ticket: Ticket) -> str:
    slug = slugify(ticket.title)
    return f"{ticket.id}-{slug}.md" if slug else f"{ticket.id}.md"


def plan_import(project: Project, source: Path, into: Path) -> tuple[list[Piece], list[str]]:
    """The files an import would write, and warnings; raises before anything is written if one
    clashes. A file already there with exactly a piece's content (from an import killed part
    way) is left out, so the rerun finishes the job."""
    text = read_source(source, project.config.max_file_bytes).text
    schema = _schema_for(project, text, source)
    doc = parse_document(text, project.display(source), schema)
    if not doc.tickets:
        raise ContentError(f"no {schema.prefix}N tickets found", project.display(source))
    lines = split_lines(text)
    pieces: list[Piece] = []
    index_parts: list[str] = []
    pos = 0
    seen: dict[str, Ticket] = {}
    warnings: list[str] = []
    for ticket in doc.tickets:
        key = ticket.id.upper()
        if key in seen:
            raise ContentError(f"{ticket.id} appears twice (first at line {seen[key].line})", doc.path, ticket.line)
        seen[key] = ticket
        name = ticket_file_name(ticket)
        body = lines[ticket.line - 1 : ticket.end_line]
        index_parts.append("".join(lines[pos : ticket.line - 1]))
        index_parts.append(MARKER.format(name=name) + _line_ending(body[-1]))
        pieces.append(Piece(into / name, "".join(body), f"ticket {ticket.id}"))
        if _links_lost(ticket, "".join(body)):
            warnings.append(
                f"{doc.path}:{ticket.line}: {ticket.id} links through a reference defined elsewhere in the "
                f"document ([text][label] with `[label]: url` outside it); in {name} that link will not resolve"
            )
        pos = ticket.end_line
    index_parts.append("".join(lines[pos:]))
    pieces.append(Piece(into / INDEX_NAME, "".join(index_parts), "index"))
    found = find_template(block_tokens(text))
    if found is not None and found[1] and not (into / TEMPLATE_NAME).exists():
        pieces.append(Piece(into / TEMPLATE_NAME, found[1], "template"))
    pieces = [piece for piece in pieces if not _already_written(piece)]
    _refuse_clashes(project, pieces)
    return pieces, warnings


def _links_lost(ticket: Ticket, text: str) -> bool:
    """Whether the ticket, read alone, has fewer links than in its document: a reference link
    whose definition is elsewhere becomes plain text once the ticket has a file of its own."""
    env: dict = {}
    tokens = block_tokens(text, env)
    alone = sum(1 for tok in tokens if tok.type == "inline" for _ in iter_links(tok.content, env))
    return alone < len(ticket.references)


def _already_written(piece: Piece) -> bool:
    path = piece.path
    if not path.is_file() or path.is_symlink():
        return False
    try:
        return read_bytes(path) == piece.text.encode("utf-8")
    except ContentError:  # not readable as a file of ours: the write that follows reports it
        return False


def _schema_for(project: Project, text: str, source: Path) -> Schema:
    """The document's own template when it has one, else the project's."""
    try:
        return schema_from_text(text, source)
    except ConfigError:
        return project.schema


def _refuse_clashes(project: Project, pieces: list[Piece]) -> None:
    for piece in pieces:
        if piece.path.exists():
            raise ContentError(
                f"{piece.what} would overwrite an existing file; nothing was written", project.display(piece.path)
            )
    existing = project.load().by_id()
    for piece in pieces:
        if piece.what.startswith("ticket "):
            ticket_id = piece.what.split(" ", 1)[1].upper()
            if ticket_id in existing:
                other = existing[ticket_id]
                raise ContentError(f"{ticket_id} already exists; nothing was written", other.path, other.line)


def write_pieces(pieces: list[Piece], root: Path) -> None:
    """Write every piece or none (a failure part way removes what was written), after clearing
    temp files a killed import left behind."""
    for folder in {piece.path.parent for piece in pieces}:
        remove_stale_temps(folder)
    create_all([(piece.path, piece.text) for piece in pieces], inside=root)
