"""The `ticketgen` command: wiring only. Each command's work lives in its stage's module.

Subcommands are imported on first use, so `ticketgen --help` and a one-file lint stay fast.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from .core.errors import EXIT_USAGE, TicketgenError, did_you_mean
from .core.terminal import printable

# name -> (module:function, one-line help). Imported only when the command runs.
COMMANDS = {
    "new": ("ticketgen.commands.core:new", "Scaffold a ticket from the template (next free ID by default)."),
    "list": ("ticketgen.commands.core:list_", "List tickets, filtered and sorted by any field, owner or tag."),
    "show": ("ticketgen.commands.core:show", "Show one ticket as Markdown or as its JSON record."),
    "set": ("ticketgen.commands.edit:set_", "Set a ticket's fields or frontmatter keys (owner, tags)."),
    "close": ("ticketgen.commands.edit:close", "Close a ticket (the template's done status)."),
    "reopen": ("ticketgen.commands.edit:reopen", "Reopen a closed ticket."),
    "check": ("ticketgen.commands.edit:check", "Tick an action item of a ticket."),
    "uncheck": ("ticketgen.commands.edit:uncheck", "Untick an action item of a ticket."),
    "edit": ("ticketgen.commands.edit:edit", "Open a ticket in $EDITOR at its line, then lint it."),
    "import": ("ticketgen.commands.core:import_", "Split a multi-ticket document into one file per ticket."),
    "init": ("ticketgen.commands.core:init", "Add ticketgen's files to an existing repository."),
    "lint": ("ticketgen.commands.lint:lint", "Check tickets against the template; CI output formats and fixes."),
    "rules": ("ticketgen.commands.lint:rules", "List lint rules, or explain one with examples."),
    "render": ("ticketgen.commands.site:render", "Write the site's generated pages to a folder."),
    "serve": ("ticketgen.commands.site:serve", "Live preview: render again only the pages an edit changed."),
    "resources": ("ticketgen.commands.runbooks:resources", "List the Kubernetes resources tickets name."),
    "runbooks": ("ticketgen.commands.runbooks:runbooks", "Generate recovery runbooks for those resources."),
    "triage": ("ticketgen.commands.runbooks:triage", "Find stuck resources in `kubectl get ... -o json` output."),
}


class OneLineError(click.ClickException):
    """A usage error shown as one `error:` line (click would add its usage block)."""

    exit_code = EXIT_USAGE

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(f"error: {self.format_message()}", err=True)


def _one_line(exc: click.UsageError) -> str:
    """Click's message, and where to look: the command's --help."""
    message = printable(exc.format_message())
    names, ctx = [], exc.ctx
    while ctx is not None and ctx.parent is not None:  # named as the user types it, however started
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    if exc.ctx is not None:
        message += f" (see '{' '.join(['ticketgen', *reversed(names)])} --help')"
    return message


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (target, _) in COMMANDS.items() if _available(target)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or not _available(entry[0]):
            return None
        module, _, attr = entry[0].partition(":")
        command = getattr(importlib.import_module(module), attr)
        if not command.epilog:  # -C belongs to the group: say where it goes
            command.epilog = f"To run in another folder: ticketgen -C DIR {cmd_name} ... (-C before the command)."
        return command

    def make_context(self, info_name, args, parent=None, **extra):  # noqa: ANN001, ANN201 - click's signature
        """The group's own options (`-C /nonexistent`): one line, as every other usage error."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.exceptions.NoArgsIsHelpError:  # bare `ticketgen`: the help, as click prints it
            raise
        except click.UsageError as exc:
            raise OneLineError(_one_line(exc)) from None

    def resolve_command(self, ctx: click.Context, args: list[str]):  # noqa: ANN201 - click's signature
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            hint = did_you_mean(name, self.list_commands(ctx))
            raise click.UsageError(f"no such command {name!r}{hint}", ctx)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):  # noqa: ANN201 - click's signature
        try:
            try:
                return super().invoke(ctx)
            finally:  # output still buffered meets a closed pipe here, where it is handled below
                sys.stdout.flush()
        except TicketgenError as exc:
            click.echo(f"error: {printable(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # `ticketgen list | head -1`: the reader has all it wants, as with git
            _silence_stdout()
            ctx.exit(0)
        except click.UsageError as exc:  # click's own messages: one `error:` line too, no usage block
            click.echo(f"error: {_one_line(exc)}", err=True)
            ctx.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"error: {exc.format_message()}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug in ticketgen: say so plainly, traceback on request
            if os.environ.get("TICKETGEN_DEBUG"):
                raise
            message = f"internal error: {type(exc).__name__}: {exc} (set TICKETGEN_DEBUG=1 for a traceback)"
            click.echo(f"error: {message}", err=True)
            ctx.exit(EXIT_USAGE)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit does not fail on the closed pipe again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file behind stdout (a test runner)
        pass


def _available(target: str) -> bool:
    module = target.partition(":")[0]
    relative = Path(*module.split(".")[1:]).with_suffix(".py")
    return (Path(__file__).parent / relative).is_file()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "--project",
    "project_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Run as if started in this folder (default: the current one).",
)
@click.version_option(package_name="ticketgen")
@click.pass_context
def main(ctx: click.Context, project_dir: Path | None) -> None:
    """Markdown tickets, linted, browsable and turned into recovery runbooks.

    The ticket template (default tickets/_template.md) is the schema: its ID pattern,
    metadata fields and sections drive every command.
    """
    ctx.obj = project_dir


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
