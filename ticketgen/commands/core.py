"""Core commands: new, list, show, import, init."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from ..core.errors import EXIT_CONTENT, TicketgenError, UsageError, did_you_mean
from ..core.project import Corpus, Project
from ..core.sanitize import markdown_code
from ..core.template import Schema
from ..core.terminal import printable
from ._shared import current_project, from_project_dir, report_unread, stdin_is_terminal, want_color

_RAW = click.option("--raw", is_flag=True, help="Print ticket text as is, control characters and escape sequences too.")


def _report_malformed(corpus: Corpus) -> None:
    """Headings that look like tickets but have no valid ID: tickets this list cannot show. Text
    that is plainly not a ticket (an intro, another prefix's records) is `ticketgen lint`'s to
    name (TG007), once, not every listing's."""
    for doc in corpus.documents:
        for chunk in doc.other:
            if chunk.kind == "malformed":
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
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Any other template field, or a frontmatter key (owner=alice); repeatable.",
)
@click.option(
    "--into",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append the ticket to this multi-ticket document (one of `documents`) instead of a new file.",
)
@click.option("--edit", is_flag=True, help="Open the new ticket in $EDITOR, then lint it (as `ticketgen edit`).")
def new(
    ticket_id: str | None,
    title: str | None,
    status: str | None,
    priority: str | None,
    component: str | None,
    settings: tuple[str, ...],
    into: Path | None,
    edit: bool,
) -> None:
    """Create a ticket from the template and print where it is and its ID (`path:line: ID`).

    Without TICKET_ID the next free number is taken: one past the highest in the
    tickets folder (ticket file names count, even of files that cannot be read), the
    configured documents and every local and remote-tracking git branch. Existing files
    are never overwritten.

    \b
    Examples:
      ticketgen new --title "Orphaned connections" --priority High
      ticketgen new TICKET-002 --title "Orphaned connections"
    """
    from ..authoring.edit import metadata_value, pairs, refuse_near_field, yaml_value
    from ..authoring.new import configured_defaults, create_ticket, missing_choices

    if edit:
        from .edit import require_terminal

        require_terminal()  # before anything is written
    project = current_project()
    schema = project.schema
    given: dict[str, str] = {}
    frontmatter: dict[str, str] = {}
    for name, value in pairs(settings):
        if schema.field(name) is not None:
            given[name] = value
        else:  # not a template field: a frontmatter key (owner, tags...); in a document, a metadata line
            refuse_near_field(project, name)
            try:
                frontmatter[name] = metadata_value(name, value) if into else yaml_value(name, value)
            except TicketgenError as exc:
                raise UsageError(exc.message) from None
    interactive = stdin_is_terminal()
    if title is None and interactive:
        title = click.prompt("Title")
    for role, option in (("status", status), ("priority", priority), ("component", component)):
        field_name = schema.role(role)
        if option is not None and field_name is None:
            raise UsageError(f"the template has no {role} field, so --{role} cannot be used")
        if option and field_name:
            given[field_name] = option
    if interactive:  # ask for what has no value yet: every choice but the status, and the component
        defaults = configured_defaults(project)
        component_field = schema.role("component")
        asked = [*missing_choices(project, given)]
        if component_field and component_field not in given and component_field not in defaults:
            asked.append(component_field)
        for name in asked:
            spec = schema.field(name)
            choice = click.Choice(spec.choices, case_sensitive=False) if spec and spec.choices else None
            value = click.prompt(name, type=choice, default="" if choice is None else None, show_default=False)
            if value:
                given[name] = value
    document = from_project_dir(into) if into else None
    created = create_ticket(project, ticket_id, title or "", given, frontmatter=frontmatter, into=document)
    for note in created.notes:
        click.echo(f"note: {printable(note)}", err=True)
    # `path:line: ID`, as `set` and `check` print: the ID and where it is, in a document too
    click.echo(printable(f"{project.display(created.path).as_posix()}:{created.line}: {created.ticket_id}"))
    if edit:
        from .edit import edit_and_lint

        edit_and_lint(project, created.ticket_id)


def _values(given: tuple[str, ...]) -> tuple[str, ...]:
    """Repeated and comma-separated option values: `--status open,"in progress" --status resolved`."""
    return tuple(v.strip() for item in given for v in item.split(",") if v.strip())


_MANY = "Repeatable, or comma-separated."


@click.command("list")
@click.option("--status", multiple=True, help=f"Only tickets with one of these statuses. {_MANY}")
@click.option("--priority", multiple=True, help=f"Only tickets with one of these priorities. {_MANY}")
@click.option("--component", multiple=True, help=f"Only tickets whose component contains this text. {_MANY}")
@click.option("--owner", multiple=True, help=f"Only tickets with this owner (frontmatter `owner`). {_MANY}")
@click.option("--tag", multiple=True, help=f"Only tickets with this tag (frontmatter `tags`). {_MANY}")
@click.option(
    "--where", multiple=True, metavar="FIELD=VALUE", help="Only tickets whose field or frontmatter key has this value."
)
@click.option(
    "--sort",
    "sorts",
    multiple=True,
    metavar="[-]FIELD",
    help="Sort by a column, field or frontmatter key; -FIELD descending. Choices sort in template order.",
)
@click.option("--columns", multiple=True, metavar="NAME", help=f"Extra columns: fields or frontmatter keys. {_MANY}")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv", "markdown"]), default="table", show_default=True
)
@_RAW
def list_(
    status: tuple[str, ...],
    priority: tuple[str, ...],
    component: tuple[str, ...],
    owner: tuple[str, ...],
    tag: tuple[str, ...],
    where: tuple[str, ...],
    sorts: tuple[str, ...],
    columns: tuple[str, ...],
    fmt: str,
    raw: bool,
) -> None:
    """List tickets (exit 1 if a file could not be read). Control characters in the table, CSV
    and Markdown are shown escaped (`\\x1b`) unless --raw; JSON escapes them as JSON does.

    The table is coloured in a terminal (not when piped, nor with NO_COLOR set).

    \b
    Examples:
      ticketgen list --status open,"in progress" --sort -priority
      ticketgen list --owner alice --tag on-call --columns owner,tags
      ticketgen list --format json | jq '.[].id'
    """
    from ..authoring.edit import pairs
    from ..core import query

    project = current_project()
    schema = project.schema
    today = dt.date.today()
    filters: list[tuple[str, tuple[str, ...], bool]] = [
        ("status", _choices(project, "status", _values(status)), False),
        ("priority", _choices(project, "priority", _values(priority)), False),
        ("component", _values(component), True),
        ("owner", _values(owner), False),
        ("tags", _values(tag), False),
        *((name, _values((value,)), False) for name, value in pairs(where)),
    ]
    sort_names = _values(sorts)
    corpus = project.load()
    bad = report_unread(corpus)
    _report_malformed(corpus)
    named = (
        ("--sort", [n.removeprefix("-") for n in sort_names]),
        ("--columns", _values(columns)),
        ("--where", [name for name, _ in pairs(where)]),
    )
    for option, names in named:  # a typo must not sort or filter by nothing, or add an empty column, silently
        for name in names:
            known = name.casefold() in query.COLUMNS or schema.field(name) is not None
            if not known and all(query.value(t, name, today) is None for t in corpus.tickets):
                keys = {str(k) for t in corpus.tickets for k in [*t.frontmatter, *t.fields]}
                hint = did_you_mean(name, sorted({*query.COLUMNS, *(f.name for f in schema.fields), *keys}))
                fields = ", ".join([*query.COLUMNS, *(f.name for f in schema.fields)])
                raise UsageError(
                    f"{option}: no ticket has a field or frontmatter key {name!r}{hint} (columns: {fields})"
                )
    chosen = [t for t in corpus.tickets if all(query.matches(t, n, w, today, partial=p) for n, w, p in filters)]
    tickets = query.ordered(chosen, schema, sort_names, today)
    if fmt == "json":
        backlinks = corpus.mentioned_by()
        records = [t.to_json(backlinks.get(t.id.upper())) for t in tickets]
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
    else:
        shown = {c.casefold() for c in query.COLUMNS}  # asking for a column the table has adds nothing
        extra = [c for c in dict.fromkeys(_values(columns)) if c.casefold() not in shown]
        header = [*query.COLUMNS[:-1], *extra, query.COLUMNS[-1]]
        rows = [[query.text(query.value(t, name, today)) for name in header] for t in tickets]
        if not raw:
            rows = [[printable(cell) for cell in row] for row in rows]
        if fmt == "csv":
            click.echo(_csv(header, rows), nl=False, color=raw or None)
        elif fmt == "markdown":
            click.echo(_markdown(header, rows, raw), nl=False, color=raw or None)
        else:
            color = want_color() or raw or None
            chosen_format = click.get_current_context().get_parameter_source("fmt") == ParameterSource.COMMANDLINE
            width = None if chosen_format else _fit_width()  # `--format table`: full width, as piped
            table = _table(header, rows, _painter(schema, header) if color else None, width)
            click.echo(table, nl=False, color=color)
    if bad:
        sys.exit(EXIT_CONTENT)


def _choices(project: Project, role: str, wanted: tuple[str, ...]) -> tuple[str, ...]:
    """A filter on a choice field must name the template's choices."""
    name = project.schema.role(role)
    spec = project.schema.field(name) if name else None
    if spec is not None and spec.choices:
        for value in wanted:
            if spec.choice_for(value) is None:
                raise UsageError(f"--{role} must be one of: {', '.join(spec.choices)} (got {value!r})")
    return wanted


def _painter(schema: Schema, header: list[str]):  # noqa: ANN202 - (column, cell) -> styled cell
    """Colours by meaning read from the schema: done statuses dim, urgent priorities red."""
    done = {s.casefold() for s in schema.done_statuses}
    urgent = {p.casefold() for p in schema.urgent_priorities}

    def paint(column: int, cell: str, padded: str) -> str:
        name = header[column]
        if name == "id":
            return click.style(padded, bold=True)
        if name == "status" and cell.casefold() in done:
            return click.style(padded, fg="green")
        if name == "priority" and cell.casefold() in urgent:
            return click.style(padded, fg="red", bold=True)
        return padded

    return paint


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _fit_width() -> int | None:
    """The terminal's width ($COLUMNS first) when the table goes to a terminal; None (full
    width) when it is piped or written to a file, where a cut cell would be lost data."""
    import shutil

    if sys.stdout is None or not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


# How a narrow terminal shortens columns, step by step: (column, or "*" for the extra columns,
# down to this width). The ID, status, priority, dates and counts keep their width.
_SHRINK = (("title", 24), ("component", 12), ("*", 12), ("path", 24), ("title", 12), ("component", 8), ("*", 8),
           ("path", 16))  # fmt: skip
_FIXED = {"id", "status", "priority", "discovered", "age", "items"}


def _clip(cell: str, width: int, middle: bool = False) -> str:
    """`cell` in `width` characters, an ellipsis marking the cut (in the middle for a path, so
    its `:line` stays)."""
    if len(cell) <= width:
        return cell
    if middle and width > 4:
        tail = (width - 1) // 2
        return cell[: width - 1 - tail] + "…" + cell[len(cell) - tail :]
    return cell[: width - 1] + "…"


def _widths(header: list[str], cells: list[list[str]], width: int) -> tuple[list[int], int]:
    """Each column as wide as its widest cell, then shortened by `_SHRINK` until the table fits
    `width`; returns the widths and by how much the table is still too wide."""
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    over = sum(widths) + 2 * (len(widths) - 1) - width
    for name, least in _SHRINK:
        for i, column in enumerate(header):
            if over <= 0:
                return widths, over
            if column == name or (name == "*" and column not in _FIXED and column not in ("title", "path")):
                cut = min(over, max(0, widths[i] - max(least, len(column))))
                widths[i] -= cut
                over -= cut
    return widths, over


def _table(header: list[str], rows: list[list[str]], paint=None, width: int | None = None) -> str:  # noqa: ANN001
    """The table; with `width` (a terminal's), it fits: the title is cut first (with `…`), then
    the other text columns, and on a very narrow terminal the path is left out, with a note."""
    if not rows:
        return "no tickets\n"
    cells = [[h.upper() for h in header], *rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    if width is not None:
        widths, over = _widths(header, cells, width)
        if over > 0 and "path" in header and len(header) > 1:
            keep = [i for i, name in enumerate(header) if name != "path"]
            header = [header[i] for i in keep]
            cells = [[r[i] for i in keep] for r in cells]
            widths, over = _widths(header, cells, width)
            click.echo(
                f"note: the PATH column is left out to fit {width} columns (a pipe or --format table shows it)",
                err=True,
            )
    cells = [[_clip(c, w, header[i] == "path") for i, (c, w) in enumerate(zip(r, widths, strict=True))] for r in cells]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)).rstrip()]
    for row in cells[1:]:
        padded = [c.ljust(w) if i < len(row) - 1 else c for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        if paint is not None:
            padded = [paint(i, c.rstrip(), p) for i, (c, p) in enumerate(zip(row, padded, strict=True))]
        lines.append("  ".join(padded).rstrip())
    return "".join(line + "\n" for line in lines)


def _markdown(header: list[str], rows: list[list[str]], raw: bool = False) -> str:
    """A GitHub-flavoured table. Each cell is a code span (the Markdown door, `markdown_code`):
    a link, image or HTML in a title stays text where the table is pasted. `--raw` keeps the
    text as Markdown, only `|` and `\\` escaped so a cell stays a cell."""

    def cell(text: str) -> str:
        if not raw:
            return markdown_code(text)
        return text.replace("\\", "\\\\").replace("|", "\\|")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(cell(c) for c in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


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
    from ..authoring.edit import find_ticket

    project = current_project()
    corpus = project.load()
    bad = report_unread(corpus)
    ticket = find_ticket(corpus, project, ticket_id)
    if fmt == "json":
        record = ticket.to_json(corpus.mentioned_by().get(ticket.id.upper()))
        click.echo(json.dumps(record, indent=2, ensure_ascii=False))
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
@click.option(
    "--rewrite-links",
    is_flag=True,
    help="Point links to the document (in docs, README, tickets) at the new files, #anchors kept.",
)
def import_(source: Path, into: Path | None, dry_run: bool, rewrite_links: bool) -> None:
    """Split a multi-ticket Markdown document into one file per ticket.

    Writes TICKET-NNN-title.md per ticket, _template.md from the document's template
    block, and index.md with everything else (a marker line stands where each ticket
    was, so no byte is lost). Refuses to overwrite anything. The document stays; the
    links to it in the repository's Markdown are listed (with --rewrite-links, rewritten,
    each file atomically: a ticket's heading anchor goes to its file, any other anchor
    into index.md).
    """
    from ..authoring.import_ import links_to_source, plan_import, write_pieces
    from ..authoring.import_ import rewrite_links as rewrite_all

    project: Project = current_project(makes_tickets_dir=True)
    if not from_project_dir(source).is_file():
        raise UsageError(f"{source}: no such file")
    target = (from_project_dir(into) if into else project.config.tickets_dir).resolve()
    pieces, warnings = plan_import(project, from_project_dir(source).resolve(), target)
    for warning in warnings:
        click.echo(f"warning: {printable(warning)}", err=True)
    if not pieces:
        click.echo("nothing to write: every file is already there, as this import would write it")
    if not dry_run:
        write_pieces(pieces, project.root)  # all or nothing: "wrote" is said only once all are there
    for piece in pieces:
        verb = "would write" if dry_run else "wrote"
        click.echo(printable(f"{verb} {project.display(piece.path).as_posix()} ({piece.what})"))
    links = links_to_source(project, from_project_dir(source).resolve(), target)
    shown = project.display(from_project_dir(source).resolve()).as_posix()
    missed = rewrite_all(links, project.root) if rewrite_links and not dry_run else []
    for link in links:
        where = f"{project.display(link.path).as_posix()}:{link.line}"
        if link in missed:
            verb = "could not rewrite (its text is not as parsed; edit it by hand)"
        elif rewrite_links:
            verb = "would rewrite" if dry_run else "rewrote"
        else:
            verb = "links to the document"
        click.echo(printable(f"{verb}: {where}: {link.url} -> {link.new}"))
    if links and not rewrite_links:
        click.echo(
            f"note: {len(links)} link(s) point at {printable(shown)}; --rewrite-links points them at the new files",
            err=True,
        )
    if missed:
        sys.exit(EXIT_CONTENT)


@click.command()
@click.option("--import", "import_docs", is_flag=True, help="Split the ticket documents found into tickets_dir.")
@click.option("--rewrite-links", is_flag=True, help="With --import: point links to the documents at the new files.")
@click.option("--dry-run", is_flag=True, help="Print what init would do; write nothing.")
@click.option("--pages", is_flag=True, help="The CI workflow also publishes the site to GitHub Pages.")
@click.option(
    "--hook-repo", metavar="URL", help="Repository pre-commit installs ticketgen from (default: ticketgen's)."
)
@click.option("--hook-rev", metavar="REV", help="Its tag or commit (default: this version's tag, vX.Y.Z).")
def init(
    import_docs: bool, rewrite_links: bool, dry_run: bool, pages: bool, hook_repo: str | None, hook_rev: str | None
) -> None:
    """Adopt this repository: find what is here, add what is missing. Asks nothing.

    \b
    Ticket documents (any Markdown file with headings of the ticket ID pattern, outside .git,
    .venv, node_modules and site/) are kept in place (`documents = [...]` in the settings), or
    split into tickets_dir with --import. A "Template for New Tickets" block found is THE
    template: no second one is written. An existing mkdocs.yml gets the plugin (comments,
    order, theme and home page kept); a page of yours at the tickets index's URL moves the
    index (`index_uri`). Then today's lint findings are recorded as the baseline.

    Files that exist are never changed, except mkdocs.yml (plugin added) and .gitignore (lines
    it lacks). Created when missing: tickets/_template.md (only without a template of yours),
    runbooks/, mkdocs.yml, docs/index.md, ticketgen.toml, a .markdownlint.yaml under which
    template tickets pass (MD024 siblings_only, MD041, MD022, MD032 and MD013 off),
    .github/workflows/tickets.yml (lint, SARIF, strict site build; --pages: GitHub Pages) and a
    .pre-commit-config.yaml whose hook pre-commit installs itself.
    """
    from ..authoring.init import Init, Options

    ctx = click.get_current_context()
    root = Path(ctx.find_root().obj or Path.cwd())
    if rewrite_links and not import_docs:
        raise UsageError("--rewrite-links goes with --import (links change only when a document is split)")
    options = Options(import_docs, rewrite_links, dry_run, pages, hook_repo, hook_rev)
    run = Init(root, options)
    steps = run.run()
    for step in steps:
        if dry_run:
            mark = "would create" if step.created else ("would update" if step.changed else "would keep  ")
        else:
            mark = "created" if step.created else ("updated" if step.changed else "kept   ")
        click.echo(f"{mark} {printable(run.rel(step.path))}  ({printable(step.why)})")
    for note in run.notes:
        click.echo(f"note: {printable(note)}", err=True)
    if dry_run:
        click.echo("dry run: nothing was written")
        return
    click.echo(f"baseline: {printable(_record_baseline(ctx, root))}")


def _record_baseline(ctx: click.Context, root: Path) -> str:
    """Today's lint findings become the baseline (green on day one, red on a new finding), through
    `ticketgen lint --update-baseline` when this ticketgen has it; otherwise it says so."""
    lint = ctx.find_root().command.get_command(ctx, "lint")  # type: ignore[attr-defined]
    if lint is None or not any("--update-baseline" in getattr(p, "opts", ()) for p in lint.params):
        return "this ticketgen has no `lint --update-baseline`: no baseline recorded, so today's findings fail CI"
    try:
        ctx.invoke(lint, update_baseline=True, quiet=True)
    except TicketgenError as exc:  # a settings problem of theirs (a tickets_dir that does not exist...)
        return f"no baseline recorded: {exc}"
    except SystemExit as exc:
        if exc.code not in (0, None):
            return f"`ticketgen lint --update-baseline` exited {exc.code}: today's findings are not all recorded"
    return "today's lint findings recorded (`ticketgen lint --update-baseline`): CI fails only on new ones"
