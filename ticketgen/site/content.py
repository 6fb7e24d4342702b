"""Everything a site build needs from a project: pages, problems to warn about, paths to watch.

`ParseCache` keeps parsed documents between builds (mkdocs serve rebuilds on every change),
keyed by path, mtime and size, so editing one ticket re-parses only that file. With a
`ParseStore`, parsed tickets also survive from one `mkdocs build` process to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..errors import ContentError
from ..parse import parse_document
from ..project import Corpus, Project
from ..records import Document
from ..textio import decode
from .parallel import SharedJobs, spare_core
from .render import PLACEHOLDER_WORD, GeneratedPage, PageSpec, SiteRenderer, unique_tickets
from .runbooks import Runbook, read_runbook, runbook_files
from .store import ParseStore, digest


@dataclass
class ParseCache:
    """Parsed files by absolute path, valid while (mtime_ns, size) and the schema are unchanged."""

    entries: dict[Path, tuple[tuple[int, int], Document | Runbook | ContentError]] = field(default_factory=dict)
    schema_key: object = None
    parsed: list[Path] = field(default_factory=list)  # files (re)parsed by the last build
    seen: set[Path] = field(default_factory=set)  # files asked for by the last build
    store: ParseStore | None = None

    def _stamp(self, path: Path) -> tuple[int, int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def fresh(self, path: Path) -> bool:
        """Whether `get` would answer from memory, without reading the file."""
        cached = self.entries.get(path)
        return cached is not None and cached[0] == self._stamp(path)

    def get(self, path: Path, read):
        self.seen.add(path)
        stamp = self._stamp(path)
        cached = self.entries.get(path)
        if stamp is not None and cached is not None and cached[0] == stamp:
            return cached[1]
        self.parsed.append(path)
        try:
            value = read(path)
        except ContentError as exc:
            value = exc
        if stamp is not None:
            self.entries[path] = (stamp, value)
        return value

    def start(self, project: Project) -> None:
        """Begin a build: drop everything if the template changed, and forget deleted files."""
        template = project.config.template
        key = (template, self._stamp(template) if template else None, project.config.max_file_bytes)
        if key != self.schema_key:
            self.entries.clear()
            self.schema_key = key
        self.parsed, self.seen = [], set()

    def finish(self) -> None:
        """End a build: forget files that are gone."""
        for path in set(self.entries) - self.seen:
            del self.entries[path]


@dataclass
class SiteContent:
    specs: list[PageSpec]  # the pages, planned; `pages` renders them all
    warnings: list[str]  # "path:line: message", one per problem
    watch: list[Path]
    renderer: SiteRenderer

    @cached_property
    def pages(self) -> list[GeneratedPage]:
        return [self.renderer.page(spec) for spec in self.specs]


_PARALLEL_MIN = 100  # files to parse; below this a second process costs more than it saves


class Parsing:
    """New and changed ticket files being parsed by a second process (see `start_parsing`)."""

    def __init__(self, jobs: list[tuple[Path, bytes, str]], shared: SharedJobs):
        self.jobs, self.shared = jobs, shared

    def collect(self) -> dict[tuple[Path, str], Document]:
        """Documents by (path, content hash); files that failed are left out, for the
        one-by-one path to report as usual."""
        found = self.shared.results()
        return {(path, key): doc for (path, _, key), doc in zip(self.jobs, found, strict=True) if doc is not None}

    def cancel(self) -> None:
        self.shared.close()


def start_parsing(project: Project, cache: ParseCache) -> Parsing | None:
    """Start parsing the ticket files that neither `cache` nor its store know, shared with a
    forked child that starts now: the mkdocs plugin calls this while mkdocs is still loading,
    so a cold build of a large project gets most of its parsing done in the meantime."""
    paths = [path.resolve() for path in project.ticket_files()]
    paths = [path for path in paths if not cache.fresh(path)]
    if len(paths) < _PARALLEL_MIN or not spare_core():
        return None
    jobs = []
    for path in paths:
        try:
            if path.stat().st_size > project.config.max_file_bytes:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        key = digest(data)
        if cache.store is None or cache.store.get(path, key) is None:
            jobs.append((path, data, key))
    if len(jobs) < _PARALLEL_MIN:
        return None
    return Parsing(jobs, SharedJobs(_parse_job(project), jobs))


def load_corpus(project: Project, cache: ParseCache, parsing: Parsing | None = None) -> Corpus:
    corpus = Corpus([])
    store = cache.store
    files = [path.resolve() for path in project.ticket_files()]
    if parsing is None:
        parsing = start_parsing(project, cache)
    ready = parsing.collect() if parsing is not None else {}

    for path in files:
        found = cache.get(path, lambda path: _read(project, path, store, ready))
        if isinstance(found, ContentError):
            corpus.unreadable.append(found)
        else:
            corpus.documents.append(found)
    if store is not None:
        store.keep = set(files)
    return corpus


def _read(project: Project, path: Path, store: ParseStore | None, ready: dict[tuple[Path, str], Document]) -> Document:
    """Parse from the bytes whose hash keys the store and the parses made ahead, unless one
    of them has those bytes already."""
    if store is None and not ready:
        return project.read(path)
    try:
        too_big = path.stat().st_size > project.config.max_file_bytes
        data = b"" if too_big else path.read_bytes()
    except OSError:
        too_big = True
    if too_big:
        return project.read(path)  # raises the usual ContentError
    key = digest(data)
    found = ready.get((path, key)) or (store.get(path, key) if store is not None else None)
    if found is None:
        found = _parse(project, path, data)
    if store is not None and store.get(path, key) is None:
        store.put(path, key, found)
    return found


def _parse(project: Project, path: Path, data: bytes) -> Document:
    display = project.display(path)
    return parse_document(decode(data, display, project.config.max_file_bytes).text, display, project.schema)


def _parse_job(project: Project):
    def parse(job: tuple[Path, bytes, str]) -> Document | None:
        path, data, _ = job
        try:
            return _parse(project, path, data)
        except ContentError:
            return None

    return parse


def load_runbooks(project: Project, cache: ParseCache) -> tuple[list[Runbook], list[ContentError]]:
    folder = project.config.runbooks_dir

    def read(path: Path) -> Runbook:
        return read_runbook(path, folder, project.display(path), project.config.max_file_bytes)

    runbooks, unreadable = [], []
    for path in runbook_files(folder):
        found = cache.get(path.resolve(), read)
        (unreadable if isinstance(found, ContentError) else runbooks).append(found)
    return runbooks, unreadable


class TicketPages:
    """Ticket pages from earlier builds, kept in the parse store: a page is rendered again only
    when its ticket's text or place, the runbooks listing it, its edit link, or anything that
    shapes every page (site options, today's date for ages, the URL style, tags, ticketgen's
    renderer and packaged templates) changed. The other pages (indexes, dashboard) are always
    rendered: they depend on every ticket. Not used with an override of the ticket template or
    its macros, which could show anything about a ticket (see `usable`)."""

    _SHAPERS = ("site/render.py", "markdown.py", "templates/site/ticket.md.j2", "templates/site/_macros.j2")

    def __init__(self, renderer: SiteRenderer, store: ParseStore):
        self.renderer, self.store = renderer, store
        package = Path(__file__).parents[1]
        code = [(package / name).read_bytes() for name in self._SHAPERS]
        shape = (code, renderer.options, renderer.today, renderer.use_directory_urls, renderer.with_tags)
        self.shape = digest(repr(shape).encode())

    @staticmethod
    def usable(renderer: SiteRenderer) -> bool:
        override = renderer.options.templates
        return override is None or not any((override / n).exists() for n in ("ticket.md.j2", "_macros.j2"))

    def page(self, spec: PageSpec) -> GeneratedPage:
        if spec.kind != "ticket":
            return self.renderer.page(spec)
        ticket = spec.context["ticket"]
        runbooks = [(rb.rel, rb.title, rb.resource) for rb in spec.context["runbooks"]]
        edit = self.renderer.edit_url(spec.source) if spec.source is not None else None
        key = digest(
            repr((self.shape, spec.src_uri, str(ticket.path), ticket.line, ticket.text, runbooks, edit)).encode()
        )
        kept = self.store.page(spec.src_uri, key)
        if kept is not None:
            body, meta, html = kept
            # Stored with NUL (which no ticket file holds) where this process's placeholder goes.
            return GeneratedPage(
                spec.src_uri,
                body.replace("\0", PLACEHOLDER_WORD),
                spec.kind,
                spec.source,
                spec.in_nav,
                spec.ticket_id,
                meta,
                html,
            )
        page = self.renderer.page(spec)
        self.store.put_page(spec.src_uri, key, (page.body.replace(PLACEHOLDER_WORD, "\0"), page.meta, page.html))
        return page


def use_store(cache: ParseCache, project: Project) -> None:
    """Back `cache` with the on-disk store for `project` (read once per process)."""
    store = ParseStore(project)
    if cache.store is None or cache.store.key != store.key or cache.store.path != store.path:
        store.load()
        cache.store = store


def site_content(
    project: Project, renderer: SiteRenderer, cache: ParseCache | None = None, parsing: Parsing | None = None
) -> SiteContent:
    cache = cache or ParseCache()
    cache.start(project)
    runbooks, unreadable_runbooks = load_runbooks(project, cache)  # first: a child may still be parsing tickets
    corpus = load_corpus(project, cache, parsing)
    cache.finish()
    tickets, dupes = unique_tickets(corpus.tickets)
    warnings = [_where(project, e) for e in corpus.unreadable + unreadable_runbooks]
    warnings += [str(p) for p in corpus.problems]
    schema = project.schema
    for doc in corpus.documents:
        for chunk in doc.other:
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
    for runbook in runbooks:
        warnings += [str(p) for p in runbook.problems]
        where = f"{project.display(runbook.path)}:{runbook.tickets_line}"
        warnings += [f"{where}: tickets: {t} is not a known ticket" for t in runbook.tickets if t.upper() not in first]
    watch = [project.config.tickets_dir, project.config.runbooks_dir, *project.config.documents]
    if project.config.template:
        watch.append(project.config.template)
    if renderer.options.templates:
        watch.append(renderer.options.templates)
    return SiteContent(renderer.plan(tickets, runbooks), warnings, [p for p in watch if p.exists()], renderer)


def _where(project: Project, error: ContentError) -> str:
    """The error with its path relative to the project, like every other warning."""
    where = error.location
    if where.path is None:
        return error.message
    line = f":{where.line}" if where.line is not None else ""
    return f"{project.display(where.path)}{line}: {error.message}"
