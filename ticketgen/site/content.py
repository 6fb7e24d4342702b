"""Everything a site build needs from a project: pages, problems to warn about, paths to watch.

`ParseCache` keeps parsed documents between builds (mkdocs serve rebuilds on every change),
keyed by path, mtime and size, so editing one ticket re-parses only that file. With a
`ParseStore`, parsed tickets also survive from one `mkdocs build` process to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ContentError
from ..parse import parse_document
from ..project import Corpus, Project
from ..records import Document
from ..textio import decode
from .parallel import map_in_two, spare_core
from .render import GeneratedPage, SiteRenderer, unique_tickets
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
    pages: list[GeneratedPage]
    warnings: list[str]  # "path:line: message", one per problem
    watch: list[Path]


_PARALLEL_MIN = 100  # files to parse; below this a second process costs more than it saves


def load_corpus(project: Project, cache: ParseCache) -> Corpus:
    corpus = Corpus([])
    store = cache.store
    files = [path.resolve() for path in project.ticket_files()]
    ready = _parse_ahead(project, [path for path in files if not cache.fresh(path)], store)

    def read(path: Path) -> Document:
        found = ready.pop(path, None)
        if found is None:
            found = _read(project, path, store)
        return found

    for path in files:
        found = cache.get(path, read)
        if isinstance(found, ContentError):
            corpus.unreadable.append(found)
        else:
            corpus.documents.append(found)
    if store is not None:
        store.keep = set(files)
        if store.autosave:
            store.save()
    return corpus


def _read(project: Project, path: Path, store: ParseStore | None) -> Document:
    """Parse from the bytes whose hash keys the store, unless it has them already."""
    if store is None:
        return project.read(path)
    try:
        too_big = path.stat().st_size > project.config.max_file_bytes
        data = b"" if too_big else path.read_bytes()
    except OSError:
        too_big = True
    if too_big:
        return project.read(path)  # raises the usual ContentError
    key = digest(data)
    found = store.get(path, key)
    if found is None:
        found = _parse(project, path, data)
        store.put(path, key, found)
    return found


def _parse(project: Project, path: Path, data: bytes) -> Document:
    display = project.display(path)
    return parse_document(decode(data, display, project.config.max_file_bytes).text, display, project.schema)


def _parse_ahead(project: Project, paths: list[Path], store: ParseStore | None) -> dict[Path, Document]:
    """Parse many new or changed files at once, half of them in a second process (a cold build
    of a large project spends most of its plugin time here). Files that fail, or that the store
    has already, are left to the one-by-one path, which reports their errors as usual."""
    if len(paths) < _PARALLEL_MIN or not spare_core():
        return {}
    jobs = []
    for path in paths:
        try:
            if path.stat().st_size > project.config.max_file_bytes:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        key = digest(data)
        if store is None or store.get(path, key) is None:
            jobs.append((path, data, key))
    if len(jobs) < _PARALLEL_MIN:
        return {}
    ready = {}
    for (path, _, key), found in zip(jobs, map_in_two(_parse_job(project), jobs), strict=True):
        if found is not None:
            ready[path] = found
            if store is not None:
                store.put(path, key, found)
    return ready


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


def use_store(cache: ParseCache, project: Project) -> None:
    """Back `cache` with the on-disk store for `project` (read once per process)."""
    store = ParseStore(project)
    if cache.store is None or cache.store.key != store.key or cache.store.path != store.path:
        store.load()
        cache.store = store


def site_content(project: Project, renderer: SiteRenderer, cache: ParseCache | None = None) -> SiteContent:
    cache = cache or ParseCache()
    cache.start(project)
    corpus = load_corpus(project, cache)
    runbooks, unreadable_runbooks = load_runbooks(project, cache)
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
    return SiteContent(renderer.render(tickets, runbooks), warnings, [p for p in watch if p.exists()])


def _where(project: Project, error: ContentError) -> str:
    """The error with its path relative to the project, like every other warning."""
    where = error.location
    if where.path is None:
        return error.message
    line = f":{where.line}" if where.line is not None else ""
    return f"{project.display(where.path)}{line}: {error.message}"
