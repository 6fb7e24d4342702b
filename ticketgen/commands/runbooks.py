"""Commands `resources`, `runbooks` and `triage`: options in, ticketgen.runbooks does the work."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..core.errors import EXIT_CONTENT, EXIT_USAGE, UsageError
from ..core.terminal import printable
from ._shared import current_project, from_project_dir, report_unread


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--manifests",
    "manifest_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Read Kubernetes YAML here instead of the configured `manifests` (repeatable).",
)
def resources(fmt: str, manifest_dirs: tuple[Path, ...]) -> None:
    """List every resource the tickets name or the manifests define, with where each was found.

    \b
    Examples:
      ticketgen resources
      ticketgen resources --manifests clusters/ --manifests deploy/
      ticketgen resources --format json
    """
    from ..core.kinds import invalid_resources
    from ..runbooks.generate import project_resources

    project = current_project()
    settings = project.config.runbooks
    corpus = project.load()
    report_unread(corpus)
    folders = tuple(from_project_dir(d).resolve() for d in manifest_dirs) or None
    for folder in folders or ():
        if not folder.exists():
            raise UsageError(f"--manifests: {folder} does not exist")
    listed = project_resources(project, corpus, folders)
    found = listed.found
    invalid = [
        (t.path, line, msg)
        for t in corpus.tickets
        for line, msg in invalid_resources(t, settings.resources_field, settings.frontmatter_key)
    ]
    if fmt == "json":
        rows = [
            {
                "resource": str(f.ref),
                "kind": f.ref.kind,
                "namespace": f.ref.namespace or None,
                "name": f.ref.name or None,
                "kind_level": f.ref.is_kind_level,
                "tickets": f.ticket_ids,
                "source": listed.sources.get(f.ref),
                "origins": [
                    {
                        "how": o.how,
                        "path": project.display(o.path).as_posix() if o.path.is_absolute() else o.path.as_posix(),
                        "line": o.line,
                        "ticket": o.ticket_id,
                        "detail": o.detail,
                    }
                    for o in f.origins
                ],
            }
            for f in found
        ]
        click.echo(json.dumps({"resources": rows}, indent=2))
    else:
        for f in found:
            click.echo(printable(f"{f.ref}  tickets: {', '.join(f.ticket_ids) or '-'}"))
            for o in f.origins:
                where = project.display(o.path) if o.path.is_absolute() else o.path
                click.echo(printable(f"    {o.how:<14} {where}:{o.line}  {o.detail}"))
    for path, line, msg in listed.warnings:
        click.echo(printable(f"warning: {path}:{line}: {msg}"), err=True)
    for path, line, msg in invalid:
        click.echo(f"error: {printable(f'{path}:{line}: {msg}')} (no runbook)", err=True)
    if invalid:
        sys.exit(EXIT_CONTENT)


@click.command()
@click.option(
    "--check", is_flag=True, help="Write nothing; print a diff and exit 1 when a runbook is stale or missing."
)
@click.option("--force", is_flag=True, help="Overwrite runbooks edited by hand and remove edited orphans.")
def runbooks(check: bool, force: bool) -> None:
    """Generate one recovery runbook per resource into the runbooks folder.

    A rerun with nothing changed writes nothing. A generated runbook that was edited by hand
    is never overwritten without --force; runbooks whose resource no ticket names any more
    are removed when unedited (reported otherwise).

    \b
    Examples:
      ticketgen runbooks
      ticketgen runbooks --check      # in CI
    """
    from ..core.io import write_atomic
    from ..runbooks.generate import generate, plan

    if check and force:
        raise UsageError("--check and --force cannot be combined")
    project = current_project()
    generation = generate(project)
    if generation.corpus is not None:
        report_unread(generation.corpus)
    for path, line, msg in generation.invalid:
        suffix = "" if msg.endswith("no runbook") else " (no runbook)"
        click.echo(printable(f"warning: {path}:{line}: {msg}{suffix}"), err=True)
    changes = plan(generation, project.config.runbooks_dir, project.root)
    root = project.root
    failed = False
    for change in changes:
        shown = printable(project.display(change.path).as_posix())
        if change.action == "unchanged":
            continue
        if change.action == "unreadable":
            click.echo(printable(f"warning: {shown}: not read, so not checked ({change.reason})"), err=True)
            continue
        if change.action == "foreign" and not force:
            click.echo(
                f"error: {shown}: exists and was not generated by ticketgen; not overwriting it "
                "(move it away, or use --force)",
                err=True,
            )
            failed = True
            continue
        if change.action in ("edited", "orphan-edited") and not force:
            what = "would be updated" if change.action == "edited" else "has no resource any more"
            click.echo(
                f"error: {shown}: edited by hand (content hash differs) and {what}; "
                "keep your edits elsewhere and rerun with --force",
                err=True,
            )
            failed = True
            if check:
                click.echo(printable(change.diff(root), multiline=True), nl=False)
            continue
        if check:
            click.echo(printable(change.diff(root), multiline=True), nl=False)
            click.echo(f"stale: {shown} ({change.action})", err=True)
            failed = True
            continue
        if change.new is None:
            change.path.unlink()
            click.echo(f"removed {shown} (no ticket names its resource any more)")
        else:
            write_atomic(change.path, change.new, inside=project.root)
            click.echo(f"{'created' if change.action == 'create' else 'updated'} {shown}")
    if failed:
        sys.exit(EXIT_CONTENT)


@click.command()
@click.argument("source", required=False, default="-", metavar="[FILE|-]")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--stuck-after",
    type=click.IntRange(min=1),
    default=None,
    metavar="MINUTES",
    help="Not Current (failing, retrying, waiting for a plan approval, deleting) longer than this is stuck "
    "(default: stuck_after_minutes in config, else 30).",
)
@click.option("--now", "now_text", metavar="TIMESTAMP", help="Judge ages as of this RFC 3339 time (default: now).")
@click.option(
    "--kubectl",
    "from_cluster",
    is_flag=True,
    help="Run read-only `kubectl get KIND -A -o json` per kind in the current context instead of reading FILE.",
)
@click.option("--raw", is_flag=True, help="Print cluster messages as they are, control characters and escapes too.")
def triage(source: str, fmt: str, stuck_after: int | None, now_text: str | None, from_cluster: bool, raw: bool) -> None:
    """Judge every object in `kubectl get ... -o json` output; say what needs action, cause first.

    Reads the JSON of `kubectl get KINDS -A -o json` from FILE or stdin (or, with --kubectl, runs
    read-only `kubectl get` per kind itself). Any kind is judged as kstatus does (deletion,
    generation, Reconciling/Stalled, the built-in kinds' rules, Ready) and for how long; Flux and
    tofu-controller objects also from the fields their controllers keep (retry counters, plans,
    locks, revisions), since `Ready` is reset at every attempt. A controller that is down is
    reported first with the objects it reconciles under it; an object whose dependency fails is
    reported under that dependency. Suspended objects and states that are normal for a while
    (a plan awaiting approval, an apply holding the lock) are listed, not paged. Objects no rule
    speaks for are listed as not judged. Exit 0: all judged, nothing stuck; 1: something needs
    action; 2: the input is not a usable dump; 3: nothing stuck but the answer is incomplete
    (objects not judged or malformed, kinds forbidden, or no objects at all). Control characters
    in the cluster's messages are shown escaped (`\\x1b`) unless --raw.

    \b
    Examples:
      ticketgen triage --kubectl
      KINDS=terraforms.infra.contrib.fluxcd.io,gitrepositories.source.toolkit.fluxcd.io
      KINDS=$KINDS,kustomizations.kustomize.toolkit.fluxcd.io,helmreleases.helm.toolkit.fluxcd.io
      KINDS=$KINDS,deployments.apps,pods
      kubectl get "$KINDS" -A -o json | ticketgen triage
      ticketgen triage dump.json --format json --stuck-after 60
    """
    import datetime as dt

    from ..core.errors import TicketgenError
    from ..runbooks.triage import (
        TriageInputError,
        link_findings,
        load_dump,
        read_cluster,
        render_json,
        render_text,
        triage_dump,
    )

    if from_cluster and source != "-":
        raise UsageError("--kubectl reads the cluster: give no FILE with it")
    if not from_cluster and source == "-" and (sys.stdin is None or sys.stdin.isatty()):
        raise UsageError("no dump given: pipe `kubectl get ... -A -o json` into triage, or pass FILE")
    now = None
    if now_text:
        try:
            now = dt.datetime.fromisoformat(now_text)
        except ValueError:
            raise UsageError(f"--now {now_text!r} is not an RFC 3339 timestamp") from None
        now = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    try:
        project = current_project()
        settings = project.config.runbooks
    except TicketgenError as exc:  # triage works outside a project; it then names no tickets
        click.echo(f"note: no ticketgen project ({exc}); runbooks and tickets are not linked", err=True)
        project, settings = None, None
    minutes = stuck_after or (settings.stuck_after_minutes if settings else 30)
    try:
        notes = []
        if from_cluster:
            cluster = read_cluster()
            data, notes = {"apiVersion": "v1", "kind": "List", "items": cluster.items}, cluster.notes
        else:
            data = load_dump(sys.stdin if source == "-" else source)
        report = triage_dump(data, now=now, stuck_after_minutes=minutes)
    except TriageInputError as exc:
        click.echo(printable(f"error: {exc}"), err=True)
        sys.exit(EXIT_USAGE)
    report.notes[:0] = notes
    if from_cluster and not data["items"] and notes:
        report.empty = False  # every kind was skipped or forbidden: the notes say so
    link_findings(report.findings, project)
    if project is not None and report.findings and _custom_toc_slugify(project.root / "mkdocs.yml"):
        click.echo(
            "note: mkdocs.yml sets a toc `slugify`; the #anchors printed are Python-Markdown's default ones",
            err=True,
        )
    if fmt == "json":
        click.echo(render_json(report), nl=False)
    else:
        click.echo(render_text(report, raw=raw), nl=False, color=raw or None)
    sys.exit(report.exit_code)


def _custom_toc_slugify(path: Path) -> bool:
    """Whether the site's mkdocs.yml may give headings other ids than the default toc slugify."""
    from ..core.errors import TicketgenError
    from ..core.io import read_source

    try:
        return path.is_file() and "slugify" in read_source(path).text
    except TicketgenError:
        return False
