"""What every command module needs: the project for this invocation, and notes on stderr."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.project import Corpus, Project
from ..core.terminal import printable


def current_project(*, makes_tickets_dir: bool = False, use_cache: bool = True) -> Project:
    """The project of `-C DIR` (or the current folder). A tickets_dir named in the settings
    must exist, except for a command that makes it (`import` into a new folder)."""
    ctx = click.get_current_context()
    project = Project.discover(ctx.find_root().obj, use_cache=use_cache)
    if not makes_tickets_dir:
        note = project.check_tickets_dir()
        if note is not None:  # documents only, or a fresh clone: say where tickets come from
            click.echo(f"note: {printable(note)}", err=True)
    return project


def from_project_dir(path: Path) -> Path:
    """A path argument, relative to `-C DIR` when one was given (as git does)."""
    base = click.get_current_context().find_root().obj
    return path if path.is_absolute() or base is None else base / path


def want_color() -> bool:
    """Colour on a terminal; never with NO_COLOR set (no-color.org), always with FORCE_COLOR."""
    import os

    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout is not None and sys.stdout.isatty()


def stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def report_unread(corpus: Corpus) -> bool:
    """Print files or parts that could not be read; True when there were any."""
    for error in corpus.unreadable:
        click.echo(f"error: {printable(str(error))}", err=True)
    for problem in corpus.problems:
        click.echo(f"error: {printable(str(problem))}", err=True)
    return bool(corpus.unreadable or corpus.problems)
