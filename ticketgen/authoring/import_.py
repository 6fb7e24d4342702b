"""`ticketgen import`: split a multi-ticket document into one file per ticket.

Nothing is lost: each ticket's lines go to its own file byte for byte, and the index page
keeps every other byte with a marker line where each ticket was, so the original is the
index with each marker replaced by its file's content.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from mdit_py_plugins.anchors.index import slugify as heading_slug

from ..core.errors import ConfigError, ContentError
from ..core.io import create_all, read_bytes, read_source, remove_stale_temps, rewrite, split_lines
from ..core.markdown import IMPORT_MARKER as MARKER
from ..core.markdown import block_tokens, iter_links
from ..core.parse import parse_document
from ..core.project import Project
from ..core.records import Ticket
from ..core.template import Schema, find_template, schema_from_text
from .new import slugify

INDEX_NAME = "index.md"
TEMPLATE_NAME = "_template.md"
# Folders whose Markdown is not the repository's own text: never searched for tickets or links.
SKIPPED_FOLDERS = frozenset({".git", ".venv", "venv", "node_modules", "site", "__pycache__", ".tox", ".nox"})


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
    own_anchors = {_heading_anchor(lines[t.line - 1]) for t in doc.tickets}
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
        others = own_anchors - {_heading_anchor(body[0])}
        here, there = project.display(source.parent).as_posix(), project.display(into).as_posix()
        for url in _links_moved("".join(body), source, into, others):
            warnings.append(
                f"{doc.path}:{ticket.line}: {ticket.id} links to {url}, which works in {here}/{source.name} "
                f"but not in its own file {there}/{name}; fix that link there"
            )
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


def _heading_anchor(line: str) -> str:
    """The anchor GitHub and mkdocs give a ticket's heading line (`ticket-001-title`)."""
    return heading_slug(line.strip().strip("#").strip())


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


@dataclass(frozen=True)
class LinkToSource:
    """A link in another file of the repository to the document an import splits, and where it
    should point once the document is gone: the ticket's own file for a ticket's heading
    anchor, else the index that keeps the rest (other `#anchors` kept)."""

    path: Path
    line: int
    url: str
    new: str


def markdown_files(root: Path) -> list[Path]:
    """Markdown files of the repository, outside folders that are not its own text
    (.git, virtualenvs, node_modules, the built site)."""
    found: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS and not d.startswith("."))
        found.extend(Path(folder) / n for n in sorted(names) if n.lower().endswith(".md") and not n.startswith("."))
    return found


def links_to_source(project: Project, source: Path, into: Path) -> list[LinkToSource]:
    """Every link to `source` in the repository's Markdown (its docs, its README, tickets), with
    where it points once `source` is split into `into`."""
    source = source.resolve()
    text = read_source(source, project.config.max_file_bytes).text
    doc = parse_document(text, project.display(source), _schema_for(project, text, source))
    lines = split_lines(text)
    anchors = {
        heading_slug(lines[t.line - 1].strip().strip("#").strip()): into / ticket_file_name(t) for t in doc.tickets
    }
    index = into / INDEX_NAME
    found: list[LinkToSource] = []
    for path in markdown_files(project.root):
        resolved = path.resolve()
        if resolved == source:
            continue
        try:
            text = read_source(path, project.config.max_file_bytes, project.display(path), root=project.root).text
        except ContentError:
            continue  # lint reports unreadable files; links in them cannot be judged here
        if source.name not in text:
            continue
        env: dict = {}
        for tok in block_tokens(text, env):
            if tok.type != "inline" or not tok.map:
                continue
            for _, url, offset in iter_links(tok.content, env):
                parts = urlsplit(url)
                if parts.scheme or parts.netloc or not parts.path:
                    continue
                if (path.parent / unquote(parts.path)).resolve() != source:
                    continue
                target = anchors.get(parts.fragment) if parts.fragment else None
                keep = "" if target is not None else parts.fragment
                relative = Path(os.path.relpath(target or index, path.parent)).as_posix()
                new = quote(relative) + (f"#{keep}" if keep else "")
                found.append(LinkToSource(path, tok.map[0] + offset + 1, url, new))
    return found


def rewrite_links(links: list[LinkToSource], root: Path) -> list[LinkToSource]:
    """Point each link at its new place, file by file, each written atomically and only if it
    is still what was read; the links whose text could not be found as written are returned."""
    missed: list[LinkToSource] = []
    by_file: dict[Path, list[LinkToSource]] = {}
    for link in links:
        by_file.setdefault(link.path, []).append(link)
    for path, items in by_file.items():
        data = read_bytes(path, display=Path(os.path.relpath(path, root)), root=root)
        text = data.decode("utf-8")
        for url in dict.fromkeys(link.url for link in items):
            new = next(link.new for link in items if link.url == url)
            # `[text](url)`, `[text](<url>)`, `[label]: url`: the destination as written
            pattern = re.compile(r"(\]\(\s*<?|^\s{0,3}\[[^\]]+\]:\s*<?)" + re.escape(url) + r"(?=[\s)>\"']|$)", re.M)
            text, count = pattern.subn(lambda m, new=new: m.group(1) + new, text)
            if not count:
                missed.extend(link for link in items if link.url == url)
        if text.encode("utf-8") != data:
            rewrite(path, data, text.encode("utf-8"), inside=root)
    return missed


def _links_moved(text: str, source: Path, into: Path, anchors: set[str]) -> list[str]:
    """Links of a ticket that work in its document and not in a file of its own: a relative
    path that resolves from the document's folder only, or an `#anchor` of another ticket."""
    env: dict = {}
    lost: list[str] = []
    for tok in block_tokens(text, env):
        if tok.type != "inline":
            continue
        for _, url, _offset in iter_links(tok.content, env):
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                continue
            if not parts.path:
                if parts.fragment in anchors:
                    lost.append(url)
                continue
            relative = unquote(parts.path)
            if (source.parent / relative).exists() and not (into / relative).exists():
                lost.append(url)
    return lost
