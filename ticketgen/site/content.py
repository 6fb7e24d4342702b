"""Everything a site build needs from a project, whatever builds it: the planned pages, the
problems to warn about (`path:line: message`), and the paths to watch while serving."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import ContentError
from ..core.project import Project
from .pages import PageSpec, SiteRenderer, unique_tickets
from .runbooks import Runbook, load_runbooks


@dataclass
class SiteContent:
    specs: list[PageSpec]
    warnings: list[str]
    watch: list[Path]
    notes: list[str] = field(default_factory=list)  # worth knowing, never failing a build (INFO)


def site_content(project: Project, renderer: SiteRenderer) -> SiteContent:
    """Load tickets (through the one loader and cache) and runbooks, and plan every page."""
    corpus = project.load(each=renderer.prepare)
    runbooks, unreadable_runbooks = load_runbooks(
        project.config.runbooks_dir, project.display, project.config.max_file_bytes, project.root
    )
    tickets, dupes = unique_tickets(corpus.tickets)
    warnings = [_where(project, e) for e in corpus.unreadable + unreadable_runbooks]
    warnings += [str(p) for p in corpus.problems]
    schema = project.schema
    notes: list[str] = []
    for doc in corpus.documents:
        for chunk in doc.other:
            if chunk.kind == "foreign":
                notes.append(
                    f"{doc.path}:{chunk.line}: {chunk.label!r} is not a ticket of this template; no page of its own"
                )
            if chunk.kind == "malformed":
                warnings.append(
                    f"{doc.path}:{chunk.line}: heading {chunk.label!r} starts like a ticket but has no valid "
                    f"ID ({schema.format_id(1)}...); it is not published"
                )
    first = {t.id.upper(): t for t in tickets}
    for dupe in dupes:
        original = first[dupe.id.upper()]
        warnings.append(
            f"{dupe.path}:{dupe.line}: {dupe.id} is also used by {original.path}:{original.line}; "
            "only that one is published"
        )
    for ticket in tickets:
        warnings += renderer.problems(ticket)
    warnings += _runbook_warnings(project, runbooks, first)
    watch = [project.config.tickets_dir, project.config.runbooks_dir, *project.config.documents]
    if project.config.template:
        watch.append(project.config.template)
    if renderer.options.templates:
        watch.append(renderer.options.templates)
    renderer.intro = _intro(project, corpus)
    specs = renderer.plan(tickets, runbooks, corpus.mentioned_by())
    return SiteContent(specs, warnings, [p for p in watch if p.exists()], notes)


def _intro(project: Project, corpus) -> Path | None:  # noqa: ANN001 - a Corpus
    """`<tickets_dir>/index.md` when it holds no ticket: the text `import` kept of a document
    (its intro, its other records), shown above the tickets index instead of on no page."""
    wanted = project.config.tickets_dir / "index.md"
    shown = project.display(wanted)
    for doc in corpus.documents:
        if doc.path == shown:
            return wanted if not doc.tickets else None
    return None


def _runbook_warnings(project: Project, runbooks: list[Runbook], known: dict) -> list[str]:
    warnings = []
    for runbook in runbooks:
        warnings += [str(p) for p in runbook.problems]
        where = f"{project.display(runbook.path)}:{runbook.tickets_line}"
        warnings += [f"{where}: tickets: {t} is not a known ticket" for t in runbook.tickets if t.upper() not in known]
    return warnings


def _where(project: Project, error: ContentError) -> str:
    """The error with its path relative to the project, like every other warning."""
    where = error.location
    if where.path is None:
        return error.message
    line = f":{where.line}" if where.line is not None else ""
    return f"{project.display(where.path)}{line}: {error.message}"
