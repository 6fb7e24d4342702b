"""Lifecycle commands: set, close, reopen, check, uncheck, edit. The work is in authoring.edit."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import subprocess
import sys

import click

from ..core.errors import EXIT_CONTENT, UsageError
from ..core.project import Project
from ._shared import current_project, printable

_ID_HELP = "TICKET_ID is read as `new` reads it (TICKET-1, ticket-001 and 1 are the same ticket)."


def _apply(ticket_id: str, change) -> None:  # noqa: ANN001 - a callable taking the TicketEdit
    """Open the ticket, apply `change`, write it if anything changed and say what did."""
    from ..authoring.edit import describe, open_ticket

    edit = open_ticket(current_project(), ticket_id)
    change(edit)
    edit.save()
    for line in describe(edit):
        click.echo(printable(line))
    if not edit.changes:
        click.echo(f"{edit.ticket.id}: nothing to change", err=True)


@click.command("set")
@click.argument("ticket_id")
@click.argument("assignments", nargs=-1, required=True, metavar="FIELD=VALUE...")
def set_(ticket_id: str, assignments: tuple[str, ...]) -> None:
    """Set metadata fields or frontmatter keys of a ticket, changing only those values.

    A template field must get a valid value (a choice, a real date). Any other name is a
    frontmatter key of a ticket in its own file (`owner=alice`, `tags=[postgres, on-call]`),
    or a metadata line of a ticket in a multi-ticket document.

    \b
    Examples:
      ticketgen set 2 Priority=High owner=alice
      ticketgen set TICKET-002 "tags=[postgres, on-call]"

    TICKET_ID is read as `new` reads it (TICKET-1, ticket-001 and 1 are the same ticket).
    """
    from ..authoring.edit import pairs

    given = pairs(assignments)

    def change(edit) -> None:  # noqa: ANN001
        for name, value in given:
            edit.set_any(name, value)

    _apply(ticket_id, change)


@click.command()
@click.argument("ticket_id")
@click.option("--note", help="Written as the status's qualifier: `Resolved (NOTE)`.")
def close(ticket_id: str, note: str | None) -> None:
    """Close a ticket: its status becomes the template's done status (the resolved-date
    field, if the template has one, gets today's date)."""
    from ..authoring.edit import close as close_ticket

    def change(edit) -> None:  # noqa: ANN001
        close_ticket(edit, note, dt.date.today())
        still_open = len(edit.ticket.open_items)
        if still_open and edit.changes:
            click.echo(f"note: {edit.ticket.id} still has {still_open} open action item(s)", err=True)

    _apply(ticket_id, change)


@click.command()
@click.argument("ticket_id")
def reopen(ticket_id: str) -> None:
    """Reopen a closed ticket: its status becomes the first one that is not done."""
    from ..authoring.edit import reopen as reopen_ticket

    _apply(ticket_id, reopen_ticket)


def _task_command(name: str, done: bool) -> click.Command:
    @click.command(name)
    @click.argument("ticket_id")
    @click.argument("item")
    def command(ticket_id: str, item: str) -> None:
        _apply(ticket_id, lambda edit: edit.set_task(item, done))

    verb = "Tick" if done else "Untick"
    command.help = (
        f"{verb} an action item, given by its number (1 is the first) or a unique part of its text.\n\n{_ID_HELP}"
    )
    return command


check = _task_command("check", True)
uncheck = _task_command("uncheck", False)

# Editors that open a file at a line with `+LINE` before the file name.
_PLUS_LINE = {"vi", "vim", "nvim", "gvim", "view", "nano", "emacs", "emacsclient", "micro", "kak", "joe", "ne", "mg"}


@click.command()
@click.argument("ticket_id")
def edit(ticket_id: str) -> None:
    """Open a ticket in $VISUAL or $EDITOR at its first line, then lint its file.

    Needs a terminal. Exit status: the lint's (1 when the file has errors).
    """
    require_terminal()
    edit_and_lint(current_project(), ticket_id)


def require_terminal() -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("editing needs a terminal; use `ticketgen set` to change a ticket from a script")


def edit_and_lint(project: Project, ticket_id: str) -> None:
    """Open the ticket's file at its heading in the user's editor, then lint that file (exit 1
    on errors), so a slip made in the editor is reported at once."""
    from ..authoring.edit import find_ticket
    from ..lint.baseline import applied
    from ..lint.engine import run_lint
    from ..lint.reporters import text

    ticket = find_ticket(project.load(), project, ticket_id)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    path = ticket.path if ticket.path.is_absolute() else project.root / ticket.path
    command = shlex.split(editor)
    at_line = [f"+{ticket.line}"] if os.path.basename(command[0]) in _PLUS_LINE else []
    try:
        subprocess.run([*command, *at_line, str(path)], check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise UsageError(f"the editor {editor!r} failed: {exc}") from None
    result = applied(project, run_lint(project, [path]))  # what CI would say of this file
    click.echo(text(result), nl=False)
    if any(f.severity == "error" for f in result.findings) or result.stale:
        sys.exit(EXIT_CONTENT)
