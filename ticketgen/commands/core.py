"""Core commands: new, list, show, import, init."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import click

from ..core.errors import EXIT_CONTENT, ContentError, UsageError
from ..core.project import Corpus, Project
from ..core.records import Ticket
from ..core.terminal import printable
from ._shared import current_project, from_project_dir, report_unread, stdin_is_terminal

_RAW = click.option("--raw", is_flag=True, help="Print ticket text as is, control characters and escape sequences too.")


def _report_chunks(corpus: Corpus) -> None:
    """Say what was read but is not a ticket, so nothing disappears silently."""
    for doc in corpus.documents:
        for chunk in doc.other:
            if chunk.kind == "foreign":
                where = printable(f"{doc.path}:{chunk.line}")
                click.echo(f"note: {where}: {chunk.label!r} is not a ticket of this template", err=True)
            elif chunk.kind == "malformed":
                click.echo(
                    f"warning: {printable(str(doc.path))}:{chunk.line}: {chunk.label!r} looks like a ticket heading "
                    "without a valid ID",
                    err=True,
                )


@click.command()
@click.argument("ticket_id", required=False)
@click.option("--title", "-t", help="The ticket's title.")
@click.option("--status", help="Value of the template's status field (default: its first choice).")
@click.option("--priority", help="Value of the template's priority field.")
@click.option("--component", help="Value of the template's component field.")
@click.option("--set", "settings", multiple=True, metavar="FIELD=VALUE", help="Any other template field; repeatable.")
@click.option("--edit", is_flag=True, help="Open the new ticket in $EDITOR.")
def new(
    ticket_id: str | None,
    title: str | None,
    status: str | None,
    priority: str | None,
    component: str | None,
    settings: tuple[str, ...],
    edit: bool,
) -> None:
    """Create a ticket from the template and print its path.

    Without TICKET_ID the next free number is taken: one past the highest in the
    tickets folder (ticket file names count, even of files that cannot be read), the
    configured documents and every local and remote-tracking git branch. Existing files
    are never overwritten.

    \b
    Examples:
      ticketgen new --title "Orphaned connections" --priority High
      ticketgen new TICKET-002 --title "Orphaned connections"
    """
    from ..authoring.new import create_ticket

    project = current_project()
    schema = project.schema
    given: dict[str, str] = {}
    for item in settings:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set takes FIELD=VALUE, got {item!r}")
        given[name.strip()] = value
    interactive = stdin_is_terminal()
    if title is None and interactive:
        title = click.prompt("Title")
    for role, value in (("status", status), ("priority", priority), ("component", component)):
        field_name = schema.role(role)
        if value is not None and field_name is None:
            raise UsageError(f"the template has no {role} field, so --{role} cannot be used")
        if field_name is None:
            continue
        if value is None and interactive and role != "status":
            spec = schema.field(field_name)
            choice = click.Choice(spec.choices, case_sensitive=False) if spec and spec.choices else None
            value = click.prompt(field_name, type=choice, default="" if choice is None else None, show_default=False)
        if value:
            given[field_name] = value
    created = create_ticket(project, ticket_id, title or "", given)
    for note in created.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(project.display(created.path).as_posix())
    if edit:
        click.edit(filename=str(created.path))


def _matches(value: str | None, wanted: str | None, *, partial: bool = False) -> bool:
    if wanted is None:
        return True
    if value is None:
        return False
    return wanted.casefold() in value.casefold() if partial else value.casefold() == wanted.casefold()


def _items(ticket: Ticket) -> str:
    done = sum(a.done for a in ticket.action_items)
    return f"{done}/{len(ticket.action_items)}"


@click.command("list")
@click.option("--status", help="Only tickets with this status (case-insensitive).")
@click.option("--priority", help="Only tickets with this priority.")
@click.option("--component", help="Only tickets whose component contains this text.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@_RAW
def list_(status: str | None, priority: str | None, component: str | None, fmt: str, raw: bool) -> None:
    """List tickets (exit 1 if a file could not be read). Control characters in the table and
    CSV are shown escaped (`\\x1b`) unless --raw; JSON escapes them as JSON does.

    \b
    Examples:
      ticketgen list --status open
      ticketgen list --format json | jq '.[].id'
    """
    project = current_project()
    for role, wanted in (("status", status), ("priority", priority)):
        _check_choice(project, role, wanted)
    corpus = project.load()
    bad = report_unread(corpus)
    _report_chunks(corpus)
    tickets = sorted(
        (
            t
            for t in corpus.tickets
            if _matches(t.status, status)
            and _matches(t.priority, priority)
            and _matches(t.component, component, partial=True)
        ),
        key=lambda t: (t.number, t.id),
    )
    if fmt == "json":
        click.echo(json.dumps([t.to_json() for t in tickets], indent=2, ensure_ascii=False))
    else:
        header = ["id", "title", "status", "priority", "component", "discovered", "items", "path"]
        rows = [
            [
                t.id,
                t.title,
                t.status or "",
                t.priority or "",
                t.component or "",
                t.discovered.isoformat() if t.discovered else "",
                _items(t),
                f"{t.path.as_posix()}:{t.line}",
            ]
            for t in tickets
        ]
        if not raw:
            rows = [[printable(cell) for cell in row] for row in rows]
        click.echo(_csv(header, rows) if fmt == "csv" else _table(header, rows), nl=False, color=raw or None)
    if bad:
        sys.exit(EXIT_CONTENT)


def _check_choice(project: Project, role: str, wanted: str | None) -> None:
    """A filter on a choice field must name one of the template's choices."""
    name = project.schema.role(role)
    spec = project.schema.field(name) if name else None
    if wanted is not None and spec is not None and spec.choices and spec.choice_for(wanted) is None:
        raise UsageError(f"--{role} must be one of: {', '.join(spec.choices)} (got {wanted!r})")


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _table(header: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "no tickets\n"

    def clip(i: int, cell: str) -> str:
        return cell if i == len(header) - 1 or len(cell) <= 50 else cell[:49] + "…"

    cells = [[h.upper() for h in header], *([clip(i, c) for i, c in enumerate(row)] for row in rows)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return "".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n" for r in cells)


@click.command()
@click.argument("ticket_id")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@_RAW
def show(ticket_id: str, fmt: str, raw: bool) -> None:
    """Print one ticket: its Markdown as written, or its JSON record.

    TICKET_ID is read as `new` reads it (TICKET-1, ticket-001 and 1 are the same ticket).
    Exit 1 if the ticket is not found or a file could not be read (as for `list`). Control
    characters in the text are shown escaped (`\\x1b`) unless --raw.
    """
    project = current_project()
    number = project.schema.given_number(ticket_id)
    if number is None:
        raise UsageError(f"{ticket_id!r} is not a ticket ID ({project.schema.prefix}{'N' * project.schema.width})")
    corpus = project.load()
    bad = report_unread(corpus)
    ticket = corpus.find(ticket_id.strip()) or corpus.find_number(number)
    if ticket is None:
        known = ", ".join(t.id for t in sorted(corpus.tickets, key=lambda t: t.number)[:10])
        raise ContentError(f"no ticket {ticket_id!r}" + (f" (known: {known}…)" if known else " (no tickets found)"))
    if fmt == "json":
        click.echo(json.dumps(ticket.to_json(), indent=2, ensure_ascii=False))
    else:
        text = ticket.text if raw else printable(ticket.text, multiline=True)
        # color=True: click would otherwise drop what looks like a colour code from the raw text
        click.echo(text, nl=not ticket.text.endswith(("\n", "\r")), color=raw or None)
    if bad:
        sys.exit(EXIT_CONTENT)


@click.command("import")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--into", type=click.Path(file_okay=False, path_type=Path), help="Target folder (default: tickets_dir).")
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
def import_(source: Path, into: Path | None, dry_run: bool) -> None:
    """Split a multi-ticket Markdown document into one file per ticket.

    Writes TICKET-NNN-title.md per ticket, _template.md from the document's template
    block, and index.md with everything else (a marker line stands where each ticket
    was, so no byte is lost). Refuses to overwrite anything.
    """
    from ..authoring.import_ import plan_import, write_pieces

    project: Project = current_project(makes_tickets_dir=True)
    if not from_project_dir(source).is_file():
        raise UsageError(f"{source}: no such file")
    target = (from_project_dir(into) if into else project.config.tickets_dir).resolve()
    pieces = plan_import(project, from_project_dir(source).resolve(), target)
    if not pieces:
        click.echo("nothing to write: every file is already there, as this import would write it")
    if not dry_run:
        write_pieces(pieces, project.root)  # all or nothing: "wrote" is said only once all are there
    for piece in pieces:
        verb = "would write" if dry_run else "wrote"
        click.echo(f"{verb} {project.display(piece.path).as_posix()} ({piece.what})")


@click.command()
def init() -> None:
    """Add ticketgen's files to this repository; never changes a file that exists.

    Creates tickets/_template.md, runbooks/, mkdocs.yml, docs/index.md, ticketgen.toml and
    a .markdownlint.yaml under which template tickets pass (MD024 siblings_only, MD041,
    MD022, MD032 and MD013 off).
    """
    from ..authoring.init import init_repository

    ctx = click.get_current_context()
    root = Path(ctx.find_root().obj or Path.cwd())
    for step in init_repository(root):
        mark = "created" if step.created else "kept   "
        click.echo(
            f"{mark} {step.path.relative_to(root) if step.path.is_relative_to(root) else step.path}  ({step.why})"
        )
