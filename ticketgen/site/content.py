"""Everything a site build needs from a project: pages, problems to warn about, paths to watch.

`ParseCache` keeps parsed documents between builds (mkdocs serve rebuilds on every change),
keyed by path, mtime and size, so editing one ticket re-parses only that file. With a
`ParseStore`, parsed tickets also survive from one `mkdocs build` process to the next.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from ..core.errors import ContentError
from ..core.io import decode
from ..core.parse import parse_document
from ..core.project import Corpus, Project
from ..core.records import Document
from .parallel import Background, SharedJobs, spare_core
from .render import PLACEHOLDER_WORD, GeneratedPage, PageSpec, SiteRenderer, unique_tickets
from .runbooks import Runbook, read_runbook, runbook_files
from .store import ParseStore, digest


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


@dataclass
class ParseCache:
    """Parsed files by absolute path, valid while (mtime_ns, size) and the schema are unchanged."""

    entries: dict[Path, tuple[tuple[int, int], Document | Runbook | ContentError]] = field(default_factory=dict)
    schema_key: object = None
    parsed: list[Path] = field(default_factory=list)  # files (re)parsed by the last build
    seen: set[Path] = field(default_factory=set)  # files asked for by the last build
    store: ParseStore | None = None

    def fresh(self, path: Path) -> bool:
        """Whether `get` would answer from memory, without reading the file."""
        cached = self.entries.get(path)
        return cached is not None and cached[0] == _stamp(path)

    def get(self, path: Path, read):
        self.seen.add(path)
        stamp = _stamp(path)
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
        key = (template, _stamp(template) if template else None, project.config.max_file_bytes)
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
    made: dict[str, GeneratedPage] = field(default_factory=dict)  # pages replayed from a snapshot
    ticket_pages: TicketPages | None = None  # ticket pages kept from earlier builds

    def page(self, spec: PageSpec) -> GeneratedPage:
        made = self.made.get(spec.src_uri)
        if made is not None:
            return made
        return (self.ticket_pages or self.renderer).page(spec)

    @cached_property
    def pages(self) -> list[GeneratedPage]:
        return [self.page(spec) for spec in self.specs]


_PARALLEL_MIN = 100  # files to parse, or pages to render; below this a second process costs more than it saves


class Parsing:
    """New and changed ticket files being parsed by two processes (see `start_parsing`)."""

    def __init__(self, jobs: list[tuple[Path, bytes, str]], shared: SharedJobs):
        self.jobs, self.shared = jobs, shared

    def collect(self) -> dict[tuple[Path, str], Document]:
        """Documents by (path, content hash); files that failed are left out, for the
        one-by-one path to report as usual."""
        ready = {}
        for (path, _, key), found in zip(self.jobs, self.shared.results(), strict=True):
            if found is not None:
                ready[(path, key)] = found
        return ready

    def cancel(self) -> None:
        self.shared.close()


@dataclass
class TicketScan:
    """A build's ticket files and the hash of each one's bytes, read once: the parse store
    and the site snapshot are keyed by them, and the parse jobs take the bytes."""

    files: list[Path]  # resolved, in the project's order
    hashes: dict[Path, tuple[tuple[int, int], str]] = field(default_factory=dict)  # stamp when read, hash
    data: dict[Path, bytes] = field(default_factory=dict)  # until the parse jobs are made
    complete: bool = True  # every file hashed (none fresh in memory, too big or unreadable)

    def hash_of(self, path: Path) -> str | None:
        """The hash read for `path`, if the file has not changed since."""
        found = self.hashes.get(path)
        return found[1] if found is not None and found[0] == _stamp(path) else None

    def digest(self) -> str | None:
        """One hash for all the files' names and bytes; None unless every file was read."""
        if not self.complete:
            return None
        return digest(repr([(str(p), self.hashes[p][1]) for p in self.files]).encode())


def scan_tickets(project: Project, cache: ParseCache) -> TicketScan:
    """Read and hash the ticket files `cache` does not hold unchanged."""
    scan = TicketScan([path.resolve() for path in project.ticket_files()])
    for path in scan.files:
        if cache.fresh(path):
            scan.complete = False
            continue
        stamp = _stamp(path)
        try:
            if stamp is None or stamp[1] > project.config.max_file_bytes:
                raise OSError
            data = path.read_bytes()
        except OSError:
            scan.complete = False
            continue
        scan.hashes[path] = (stamp, digest(data))
        scan.data[path] = data
    return scan


def start_parsing(project: Project, cache: ParseCache, scan: TicketScan) -> Parsing | None:
    """Start parsing the scanned files that the store does not know, shared with a forked
    child that starts now: the mkdocs plugin calls this while mkdocs is still loading, so a
    cold build of a large project gets most of its parsing done in the meantime."""
    data, scan.data = scan.data, {}
    if len(data) < _PARALLEL_MIN or not spare_core():
        return None
    store = cache.store
    jobs = [
        (path, raw, scan.hashes[path][1])
        for path, raw in data.items()
        if store is None or store.get(path, scan.hashes[path][1]) is None
    ]
    if len(jobs) < _PARALLEL_MIN:
        return None
    return Parsing(jobs, SharedJobs(_parse_job(project), jobs))


def load_corpus(
    project: Project, cache: ParseCache, parsing: Parsing | None = None, scan: TicketScan | None = None
) -> Corpus:
    corpus = Corpus([])
    store = cache.store
    if scan is None:  # else the caller has started any parsing for its scan
        scan = scan_tickets(project, cache)
        parsing = start_parsing(project, cache, scan)
    ready = parsing.collect() if parsing is not None else {}

    for path in scan.files:
        found = cache.get(path, lambda path: _read(project, path, store, ready, scan.hash_of(path)))
        if isinstance(found, ContentError):
            corpus.unreadable.append(found)
        else:
            corpus.documents.append(found)
    if store is not None:
        store.keep = set(scan.files)
    return corpus


def _read(
    project: Project,
    path: Path,
    store: ParseStore | None,
    ready: dict[tuple[Path, str], Document],
    known_hash: str | None,
) -> Document:
    """The document for `path`: from the parses made ahead or the store when one of them has
    these bytes (`known_hash`: their hash, from the scan), else parsed here."""
    if store is None and not ready:
        return project.read(path)

    def made(key: str) -> Document | None:
        return ready.get((path, key)) or (store.get(path, key) if store is not None else None)

    key = known_hash
    found = made(key) if key is not None else None
    if found is None:
        try:
            too_big = path.stat().st_size > project.config.max_file_bytes
            data = b"" if too_big else path.read_bytes()
        except OSError:
            too_big = True
        if too_big:
            return project.read(path)  # raises the usual ContentError
        key = digest(data)
        found = made(key) or _parse(project, path, data)
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
    """Ticket pages from earlier builds, kept in the parse store: a page is rendered again
    only when its ticket's text or place, the runbooks listing it, its edit link, or anything
    that shapes every page (site options, the URL style, tags, ticketgen itself) changed.
    The other pages (indexes, dashboard) are always rendered: they depend on every ticket.
    Not used with an override of the ticket template or its macros, which could show
    anything about a ticket (see `usable`)."""

    def __init__(self, renderer: SiteRenderer, store: ParseStore):
        self.renderer, self.store = renderer, store
        # Not today's date: ticket pages leave ages to the browser, so a new day reuses them.
        settings = (renderer.options, renderer.use_directory_urls, renderer.with_tags)
        self.shape = digest(repr((_package_digest(), settings)).encode())

    @staticmethod
    def usable(renderer: SiteRenderer) -> bool:
        override = renderer.options.templates
        return override is None or not any((override / n).exists() for n in ("ticket.md.j2", "_macros.j2"))

    def key(self, spec: PageSpec) -> str:
        ticket = spec.context["ticket"]
        runbooks = [(rb.rel, rb.title, rb.resource) for rb in spec.context["runbooks"]]
        edit = self.renderer.edit_url(spec.source) if spec.source is not None else None
        return digest(
            repr((self.shape, spec.src_uri, str(ticket.path), ticket.line, ticket.text, runbooks, edit)).encode()
        )

    def page(self, spec: PageSpec) -> GeneratedPage:
        if spec.kind != "ticket":
            return self.renderer.page(spec)
        key = self.key(spec)
        kept = self.store.page(spec.src_uri, key)
        if kept is not None:
            return _unstored(kept)
        page = self.renderer.page(spec)
        self.store.put_page(spec.src_uri, key, _stored(page))
        return page


def _stored(page: GeneratedPage) -> tuple:
    """A page as kept on disk: with NUL (which no ticket file holds) where this process's
    placeholder word was, as the next process has another."""
    body = page.body.replace(PLACEHOLDER_WORD, "\0")
    return (page.src_uri, body, page.kind, page.source, page.in_nav, page.ticket_id, page.meta, page.html)


def _unstored(fields: tuple) -> GeneratedPage:
    uri, body, *rest = fields
    return GeneratedPage(uri, body.replace("\0", PLACEHOLDER_WORD), *rest)


@lru_cache(maxsize=1)
def _package_digest() -> str:
    """ticketgen's own code, packaged templates and default template: a new version renders differently."""
    return _folder_digest(Path(__file__).parents[1], (".py", ".j2", ".md"))


def _folder_digest(folder: Path | None, suffixes: tuple[str, ...] | None = None) -> str:
    """One hash for the names and bytes of the files under `folder` (those with `suffixes`)."""
    if folder is None or not folder.is_dir():
        return ""
    files = sorted(p for p in folder.rglob("*") if (suffixes is None or p.suffix in suffixes) and p.is_file())
    return digest(b"".join(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes() for p in files))


def site_inputs(project: Project, renderer: SiteRenderer, scan: TicketScan, extra: object = None) -> str | None:
    """The hash of everything a build's pages are made from: ticket and runbook files, the
    template, settings, template overrides, ticketgen itself, today's date (ages) and `extra`
    (the site generator's settings that pages depend on). None where the scan did not read
    every ticket file."""
    tickets = scan.digest()
    if tickets is None:
        return None
    try:
        runbooks = [(str(p), digest(p.read_bytes())) for p in runbook_files(project.config.runbooks_dir)]
        overrides = _folder_digest(renderer.options.templates)
    except OSError:
        return None
    # The snapshot's file is keyed by the parse store's key (template, parser, libraries) too.
    settings = (_package_digest(), repr(project.config), renderer.options)
    settings += (renderer.today, renderer.use_directory_urls, renderer.with_tags)
    return digest(repr((settings, overrides, tickets, runbooks, extra)).encode())


def snapshot_of(content: SiteContent, pages: list[GeneratedPage]) -> tuple:
    """What `replay` needs: every page (`pages`, in `content.specs` order), the warnings, the
    folders to watch."""
    return ([_stored(page) for page in pages], content.warnings, content.watch)


def replay(snapshot: tuple, renderer: SiteRenderer) -> SiteContent:
    stored, warnings, watch = snapshot
    pages = [_unstored(fields) for fields in stored]
    specs = [PageSpec("", p.src_uri, p.kind, p.source, p.in_nav, p.ticket_id) for p in pages]
    return SiteContent(specs, list(warnings), list(watch), renderer, {p.src_uri: p for p in pages})


def use_store(cache: ParseCache, project: Project) -> None:
    """Back `cache` with the on-disk store for `project` (read once per process, when first needed)."""
    store = ParseStore(project)
    if cache.store is None or cache.store.key != store.key or cache.store.path != store.path:
        cache.store = store


def site_content(
    project: Project,
    renderer: SiteRenderer,
    cache: ParseCache | None = None,
    parsing: Parsing | None = None,
    scan: TicketScan | None = None,
    ticket_pages: TicketPages | None = None,
) -> SiteContent:
    cache = cache or ParseCache()
    cache.start(project)
    runbooks, unreadable_runbooks = load_runbooks(project, cache)  # first: a child may still be parsing tickets
    corpus = load_corpus(project, cache, parsing, scan)
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
    watch = [p for p in watch if p.exists()]
    return SiteContent(renderer.plan(tickets, runbooks), warnings, watch, renderer, ticket_pages=ticket_pages)


class SiteBuild:
    """One build's content, begun as early as possible: `SiteBuild(...)` scans the ticket
    files and, unless the last build's snapshot has them all, starts parsing the new ones in
    a second process; `content()` then replays the snapshot when none of the build's inputs
    changed, else loads and plans the pages; `finish()` has them rendered (in a second process,
    while the site generator works, where that pays), saves the parse store and records the
    snapshot for the next build. `one_shot=False` (mkdocs serve, which keeps parsed tickets in
    memory and saves the store at exit) leaves the snapshot and the store alone."""

    def __init__(self, project: Project, cache: ParseCache, renderer: SiteRenderer, *, one_shot: bool = True):
        self.project, self.cache, self.renderer, self.one_shot = project, cache, renderer, one_shot
        self.scan = scan_tickets(project, cache)
        store = cache.store
        self.snapshot = store.snapshot() if store is not None and one_shot else None
        self.ticket_pages = None
        if store is not None and TicketPages.usable(renderer):
            self.ticket_pages = TicketPages(renderer, store)
        self.parsing: Parsing | None = None
        self.inputs: str | None = None  # set when this build's pages should become the snapshot
        tickets = self.scan.digest()
        if self.snapshot is not None and tickets is not None and self.snapshot.tickets == tickets:
            self.scan.data = {}  # parsed by the last build: the store has them, unless it was cleared
        else:
            self.parsing = start_parsing(project, cache, self.scan)

    def content(self, extra: object) -> SiteContent:
        """`extra`: the site generator's settings that pages depend on (edit links)."""
        renderer = self.renderer
        inputs = site_inputs(self.project, renderer, self.scan, extra) if self.snapshot is not None else None
        if inputs is not None and self.snapshot.inputs == inputs:
            kept = self.snapshot.content()
            if kept is not None:
                self.cancel()
                return replay(kept, renderer)
        parsing, self.parsing = self.parsing, None
        self.inputs = inputs
        return site_content(self.project, renderer, self.cache, parsing, self.scan, self.ticket_pages)

    @property
    def recording(self) -> bool:
        return self.inputs is not None

    def forgo_recording(self) -> None:
        self.inputs = None

    def later(self, content: SiteContent) -> list[PageSpec]:
        """The pages `finish` can render in a second process while the site generator works
        on others: all not replayed, in order (a generator reads them one after another).
        Nothing where that does not pay (a small site, mkdocs serve) or no core is spare."""
        pages = [spec for spec in content.specs if spec.src_uri not in content.made]
        if len(pages) < _PARALLEL_MIN or not self.one_shot or not spare_core():
            return []
        return pages

    def finish(
        self,
        content: SiteContent,
        made: Iterable[GeneratedPage],
        later: Iterable[PageSpec] = (),
        wanted: Collection[str] | None = None,
    ) -> Background[str, GeneratedPage] | None:
        """Save the parse store and record the snapshot: every page of `content.specs`, those
        in `made` and the `later` ones. A forked child renders these, sends those `wanted`
        (src_uris; default all) as it makes them, and then does the saving, while this process
        goes on: the returned `Background` gives the pages (`get(src_uri)`; `wait()` when the
        build is done). The snapshot is recorded only if every page was made and no ticket
        file changed since the scan (the pages would show bytes its hashes do not)."""
        later = {spec.src_uri: spec for spec in later}
        made = {page.src_uri: page for page in made}
        store = self.cache.store if self.one_shot else None
        inputs = self.inputs if all(self.scan.hash_of(path) for path in self.scan.files) else None
        snapshot, tickets = self.snapshot, self.scan.digest()

        def save(pages: dict[str, GeneratedPage]) -> None:
            if store is not None:
                store.save()
            made.update(pages)
            if inputs is not None and all(spec.src_uri in made for spec in content.specs):  # none failed
                snapshot.save(tickets, inputs, snapshot_of(content, [made[s.src_uri] for s in content.specs]))

        if later:
            return Background(lambda uri: content.page(later[uri]), list(later), save, wanted=wanted)
        save({})
        return None

    def cancel(self) -> None:
        if self.parsing is not None:
            self.parsing.cancel()
            self.parsing = None


def _where(project: Project, error: ContentError) -> str:
    """The error with its path relative to the project, like every other warning."""
    where = error.location
    if where.path is None:
        return error.message
    line = f":{where.line}" if where.line is not None else ""
    return f"{project.display(where.path)}{line}: {error.message}"
