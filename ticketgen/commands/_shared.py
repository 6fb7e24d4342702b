"""What every command module needs: the project for this invocation, and notes on stderr."""

from __future__ import annotations

import click

from ..project import Corpus, Project


def current_project() -> Project:
    ctx = click.get_current_context()
    return Project.discover(ctx.find_root().obj)


def report_unread(corpus: Corpus) -> bool:
    """Print files or parts that could not be read; True when there were any."""
    for error in corpus.unreadable:
        click.echo(f"error: {error}", err=True)
    for problem in corpus.problems:
        click.echo(f"error: {problem}", err=True)
    return bool(corpus.unreadable or corpus.problems)
