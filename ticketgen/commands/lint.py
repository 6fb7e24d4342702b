"""`ticketgen lint` and `ticketgen rules`: option parsing only; the work is in ticketgen.lint."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..core.errors import EXIT_CONTENT, EXIT_OK, ContentError, UsageError
from ..core.project import Project
from ..core.terminal import printable
from ..lint.model import SEVERITIES
from ._shared import current_project, from_project_dir, want_color

_FORMATS = ("text", "json", "github", "sarif", "junit")


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code for value in values for code in value.split(",") if code.strip())


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
@click.option(
    "--format", "output_format", type=click.Choice(_FORMATS), default="text", show_default=True, help="Output format."
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to a file.")
@click.option("--select", multiple=True, help="Only these rule codes or prefixes (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, help="Skip these rule codes or prefixes.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--fix", is_flag=True, help="Fix what can be fixed mechanically, in place.")
@click.option("--diff", is_flag=True, help="Show the fixes as a diff; change nothing.")
@click.option("--branches", is_flag=True, help="Also report IDs used by other local or remote branches.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache (~/.cache/ticketgen).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when errors are found.")
@click.option(
    "--update-baseline",
    is_flag=True,
    help="Record today's findings in the baseline file (setting `baseline`); later runs fail only on new ones.",
)
@click.option("--no-baseline", is_flag=True, help="Report every finding, those the baseline accepts too.")
@click.option(
    "--min-severity",
    type=click.Choice(SEVERITIES),
    help="Show only findings of this severity or worse (setting `min_severity`; default info: all).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only what fails the run: errors, stale baseline entries; no notes.")
def lint(
    files: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool,
    fix: bool,
    diff: bool,
    branches: bool,
    no_cache: bool,
    exit_zero: bool,
    update_baseline: bool,
    no_baseline: bool,
    min_severity: str | None,
    quiet: bool,
) -> None:
    """Check tickets against the template. With PATHs, check only those: a folder's ticket files
    (recursively), and any Markdown file named, even outside tickets_dir; ticket IDs are still
    checked across the whole project. Naming paths that hold nothing to check is an error.

    With a baseline (`--update-baseline` writes it), findings it records are not reported; new
    ones are, and so are recorded ones that no longer occur, until the baseline drops them.

    Exit status: 0 no errors (warnings allowed), 1 errors found or stale baseline entries,
    2 usage or configuration error.
    """
    from ..lint import baseline
    from ..lint.engine import LintOptions, at_least, run_lint
    from ..lint.reporters import REPORTERS, plural

    if fix and diff:
        raise UsageError("--fix and --diff cannot be combined")
    if update_baseline and (diff or no_baseline):
        raise UsageError(f"--update-baseline and {'--diff' if diff else '--no-baseline'} cannot be combined")
    project = current_project(use_cache=not no_cache)
    if output is not None:
        output = from_project_dir(output)
        if project.holds_input(output):
            raise UsageError(
                "is one of this project's inputs (a ticket, document, template, config file "
                "or a .md file in tickets_dir); refusing to write the report there",
                project.display(output),
            )
    options = LintOptions(_codes(select), _codes(ignore), strict, branches)
    base = click.get_current_context().find_root().obj  # `-C DIR`: file arguments are relative to it
    paths = _expand(project, [f if f.is_absolute() or base is None else base / f for f in files]) if files else None
    unfixed: list[ContentError] = []
    if fix:
        from ..lint.fixes import fix as fix_files

        result, written, unfixed = fix_files(project, paths, options)
        if written:
            click.echo(f"Fixed {plural(written, 'file')}.", err=True)
        for error in unfixed:
            click.echo(f"error: {printable(str(error))}", err=True)
    else:
        result = run_lint(project, paths, options)
    if result.skipped and not quiet:
        names = ", ".join(result.skipped[:3]) + (" ..." if len(result.skipped) > 3 else "")
        click.echo(f"note: not ticket files (the template, or not Markdown), skipped: {printable(names)}", err=True)
    if paths is not None and not result.files:  # a CI step naming the wrong file must not pass
        raise UsageError(f"nothing to check in {', '.join(str(f) for f in files)}")
    if diff:
        from ..lint.fixes import planned, unified_diff

        changes, changed = planned(result, project.config.max_file_bytes)
        # Ticket text: ESC and BEL are shown, not run (this is for reading; `--fix` writes the bytes).
        click.echo(printable(unified_diff(project.root, changes), multiline=True), nl=False)
        for error in changed:
            click.echo(f"error: {printable(str(error))}", err=True)
        click.echo(f"{plural(len(changes), 'file')} would be fixed.", err=True)
        sys.exit(EXIT_CONTENT if changes or changed else EXIT_OK)
    if update_baseline:
        result, recorded = baseline.record(project, result)
        if recorded.note:
            click.echo(f"warning: {printable(recorded.note)}", err=True)
        click.echo(
            f"Wrote {printable(recorded.where.shown)}: {plural(recorded.entries, 'finding')} recorded "
            f"({recorded.added} added, {recorded.dropped} dropped).",
            err=True,
        )
    elif not no_baseline:
        result = baseline.applied(project, result)
    level = "error" if quiet else min_severity or project.config.lint.min_severity
    result = at_least(result, level)
    color = output is None and output_format == "text" and want_color()
    quiet_clean = quiet and not result.findings and not result.stale
    report = (
        "" if quiet_clean and output is None and output_format == "text" else REPORTERS[output_format](result, color)
    )
    if output is not None:
        from ..core.io import write_atomic

        try:
            write_atomic(output, report, inside=project.root)
        except ContentError as exc:  # named as the user wrote it, not by its absolute path
            raise ContentError(exc.message, project.display(output)) from None
    else:
        click.echo(report, nl=False, color=color)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if output_format == "github" and summary:
        from ..lint.reporters import github_summary

        with open(summary, "a", encoding="utf-8") as handle:  # GitHub's documented use: append
            handle.write(github_summary(result))
    errors = any(f.severity == "error" for f in result.findings) or bool(unfixed) or bool(result.stale)
    sys.exit(EXIT_CONTENT if errors and not exit_zero else EXIT_OK)


def _expand(project: Project, paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the project's ticket files under it, at any depth."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            folder = path.resolve()
            out.extend(f for f in project.ticket_files() if f.resolve().is_relative_to(folder))
        elif not path.exists():
            raise UsageError(f"{path}: no such file or folder")
        else:
            out.append(path)
    return out


@click.command()
@click.argument("code", required=False)
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True)
def rules(code: str | None, output_format: str) -> None:
    """List the lint rules, or explain one (`ticketgen rules TG013`)."""
    import json

    from ..lint.rules import all_rules

    table = all_rules()
    if code is not None:
        found = table.get(code.upper())
        if found is None:
            raise UsageError(f"unknown rule {code!r}; `ticketgen rules` lists them")
        click.echo(found.explain(), nl=False)
        return
    if output_format == "json":
        rows = [
            {"code": r.code, "name": r.name, "severity": r.severity, "fixable": r.fixable, "summary": r.summary}
            for r in table.values()
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for r in table.values():
        fixable = "fix" if r.fixable else "   "
        click.echo(f"{r.code}  {r.severity:<7}  {fixable}  {r.name:<22}  {r.summary}")
