"""The mkdocs adapter: adds the renderer's pages to the build, watches their sources.

All content decisions live in `site.pages` (records → HTML); this file only speaks mkdocs.
Generated pages reach mkdocs already as HTML, as `GeneratedPage`s (a Page class of their own,
as Material's blog plugin gives its posts): mkdocs reads no file and runs no Python-Markdown for
them, so ticket text is never converted twice. Problems in tickets are WARNINGs on
`mkdocs.plugins.ticketgen` (so `--strict` fails); the rest of the site still builds.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import replace
from html import escape
from pathlib import Path
from urllib.parse import urljoin

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page as MkdocsPage
from mkdocs.structure.toc import get_toc

from ..core.errors import TicketgenError
from ..core.io import check_readable
from ..core.project import Project
from ..core.sanitize import terminal as printable
from ..core.sanitize import url_path
from ..core.validate import markdown_page_problem
from .content import SiteContent, site_content
from .links import TicketLinks
from .options import load_options
from .pages import ASSET_DIR, ASSETS, Page, PageSpec, SiteRenderer, asset_bytes

log = get_plugin_logger("ticketgen")


class TicketgenPluginConfig(base.Config):
    project_dir = c.Optional(c.Dir(exists=True))  # default: the folder of mkdocs.yml
    links = c.Type(bool, default=True)  # link ticket mentions in docs pages; point repo links at pages
    cache = c.Type(bool, default=True)  # keep parsed tickets and their HTML (the user's cache folder)


class TicketgenPlugin(BasePlugin[TicketgenPluginConfig]):
    def __init__(self) -> None:
        self.project: Project | None = None
        self.failure: str | None = None
        self.content: SiteContent | None = None  # kept while serving, for on_serve
        self.pages: set[str] = set()  # src_uris of the pages this build adds
        self.serving = False
        self.links: TicketLinks | None = None  # mention links in hand-written docs pages
        self.nav: Navigation | None = None
        self.notes: list[str] = []  # summed up at the end of the build (INFO)
        self.built: tuple[Files, object] | None = None  # the last build's files and theme env, for `ticketgen serve`
        self.titles: dict[str, str] = {}
        self.theirs: set[str] = set()

    def load_config(self, options, config_file_path=None):
        """Also find the project and read its settings, so a broken one is a config error."""
        errors, warnings = super().load_config(options, config_file_path)
        if errors:
            return errors, warnings
        start = Path(self.config.project_dir or os.path.dirname(config_file_path or "mkdocs.yml"))
        try:
            project = Project.discover(start, use_cache=self.config.cache)
            note = project.check_tickets_dir()
            if note is not None:
                log.info(note)
            self.options = load_options(project.config, project.schema)
        except TicketgenError as exc:
            self.project, self.failure = None, f"ticketgen: {exc}"
            return errors, warnings
        # mkdocs serve keeps this plugin across rebuilds: keep the project (and its cache in
        # memory) while its settings stay the same.
        kept = self.project
        if kept is None or (kept.settings_key, kept.use_cache) != (project.settings_key, project.use_cache):
            self.project = project
        self.failure = None
        return errors, warnings

    def on_startup(self, *, command, dirty) -> None:
        """Defined so mkdocs keeps this instance (and its cache) across serve rebuilds."""
        self.serving = command == "serve"

    def on_config(self, config):
        if self.project is None:
            raise PluginError(self.failure or "ticketgen: no project")
        self.renderer = SiteRenderer(
            self.project,
            self.options,
            use_directory_urls=config.use_directory_urls,
            edit_url=self._edit_url_for(config, self.options.edit_url),
            tags=any(name in config.plugins for name in ("material/tags", "tags")),
        )
        for name in ASSETS:
            target = config.extra_css if name.endswith(".css") else config.extra_javascript
            if f"{ASSET_DIR}/{name}" not in [str(x) for x in target]:
                target.append(f"{ASSET_DIR}/{name}")
        if self.config.links:
            self.links = TicketLinks(self.project.schema.mention_regex)
            config.markdown_extensions.append(self.links)
        return config

    def _edit_url_for(self, config, configured: str | None):
        """Edit links to the real ticket file: `[tool.ticketgen.site] edit_url`, else the
        mkdocs repo_url + edit_uri (which points at docs_dir) resolved to the file."""
        if configured:
            return None  # the renderer formats edit_url itself
        if not config.repo_url or config.edit_uri is None:
            return lambda path: None
        base_url = urljoin(config.repo_url.rstrip("/") + "/", config.edit_uri)
        if not base_url.endswith("/"):
            base_url += "/"
        docs_dir = Path(config.docs_dir)

        def edit_url(path: Path) -> str:
            return urljoin(base_url, url_path(Path(os.path.relpath(path, docs_dir)).as_posix()))

        return edit_url

    def on_files(self, files: Files, *, config) -> Files:
        _drop_unsafe_files(files, self.project)
        renderer = self.renderer
        theirs = {f.dest_uri: f for f in files}  # every URL the site has before ours are added
        renderer.moved = self._move_off_their_urls(config, theirs, set(files.src_uris))
        taken = set(files.src_uris)  # pages in docs_dir replace generated ones
        self.load(files)
        titles = self.titles = _nav_titles(config.nav)
        self.theirs = set(theirs)  # the site's own URLs: `ticketgen serve` checks new pages against them
        pages: list[GeneratedPage] = []
        for spec in self.content.specs:
            if spec.src_uri in taken:
                log.info("%s exists in docs_dir; it replaces the generated page", printable(spec.src_uri))
                continue
            inclusion = InclusionLevel.INCLUDED if spec.in_nav else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, spec.src_uri, content="", inclusion=inclusion)
            other = theirs.get(file.dest_uri)
            if other is not None:  # two pages, one URL: one of them would vanish without a word
                log.warning(
                    "%s has the URL /%s that the generated page %s would take; the generated page is not "
                    "published (move or rename one of them)",
                    printable(self._shown(other)),
                    printable(file.url),
                    printable(spec.src_uri),
                )
                continue
            files.append(file)
            pages.append(GeneratedPage(titles.get(spec.src_uri), file, config, renderer, spec))
        # Pages that list tickets are made now, while every ticket is at hand; a ticket's own
        # page is made when mkdocs reads it, and then its record is let go (see GeneratedPage).
        for page in pages:
            if page.spec.kind != "ticket":
                page.make()
        self.pages = {page.file.src_uri for page in pages}
        try:
            assets = asset_bytes(self.options.templates)
        except TicketgenError as exc:
            raise PluginError(f"ticketgen: {exc}") from None
        for uri, data in assets.items():
            if uri not in taken:
                files.append(File.generated(config, uri, content=data))
        self.project.cache.shelf("html").save(prune=True)  # every body was asked for: drop the others
        self.project.cache.save()
        if not self.serving:
            # A one-shot build needs each ticket's record and cached body once more, for its
            # page: they are let go page by page, so their memory goes back to the pool mkdocs
            # fills next. `mkdocs serve` keeps them, to rebuild only what changed.
            self.content = SiteContent([], [], self.content.watch, self.content.notes)
            self.project.cache.release()
            renderer.stream()
        return files

    def load(self, files: Files) -> SiteContent:
        """Load and plan every page (warnings said); also at each edit under `ticketgen serve`."""
        renderer = self.renderer
        self.content = site_content(self.project, renderer)
        for warning in self.content.warnings:
            log.warning(printable(warning))
        self.notes = [printable(note) for note in self.content.notes]
        for f in files.documentation_pages():  # `../docs/guide.md` in a ticket: that page
            if f.abs_src_path and f.generated_by is None:  # a document that is a page of theirs stays that page
                renderer.source_pages[Path(f.abs_src_path).resolve()] = f.src_uri
        if self.links is not None:
            self.links.tickets = dict(renderer.ticket_pages)
            self.links.sources = dict(renderer.source_pages)
        return self.content

    def _move_off_their_urls(self, config, theirs: dict[str, File], sources: set[str]) -> dict[str, str]:
        """The generated index, dashboard and runbooks index each move to a free URL when a page
        of the team's already has theirs (their `docs/tickets.md` is `/tickets/`, the generated
        index's URL): a warning names both files. No free URL left: the build fails."""
        moved: dict[str, str] = {}
        used = set(theirs)
        for kind, (wanted, *spare) in self.renderer.fixed_uris().items():
            if wanted in sources:
                continue  # their page at that very path replaces ours (said in on_files)
            dest = _dest_uri(config, wanted)
            other = theirs.get(dest)
            if other is None:
                used.add(dest)
                continue
            free = next((u for u in spare if u not in sources and _dest_uri(config, u) not in used), None)
            setting = {"tickets index": "index_uri", "dashboard": "dashboard_uri"}.get(kind)
            how = f"[tool.ticketgen.site] {setting}" if setting else "[tool.ticketgen.site] runbooks_url"
            if free is None:
                raise PluginError(
                    f"ticketgen: {printable(self._shown(other))} has the URL /{printable(other.url)} of the generated "
                    f"{kind} ({wanted}), "
                    f"and none of {', '.join(spare)} is free; choose a free place with {how}"
                )
            used.add(_dest_uri(config, free))
            moved[wanted] = free
            log.warning(
                "%s has the URL /%s that the generated %s (%s) would take; the %s is at %s instead "
                "(set %s to choose its place)",
                printable(self._shown(other)),
                printable(other.url),
                kind,
                wanted,
                kind,
                free,
                how,
            )
        return moved

    def _shown(self, file: File) -> str:
        """A docs file as the user knows it: its path in the repository."""
        if file.abs_src_path and self.project is not None:
            return self.project.display(Path(file.abs_src_path)).as_posix()
        return file.src_uri

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        if not isinstance(page, GeneratedPage):
            problem = markdown_page_problem(markdown)
            if problem:  # Python-Markdown would take minutes: say so, and keep the build going
                log.warning(printable(f"ticketgen: {page.file.src_uri}: {problem}; the page is not rendered"))
                return (
                    "# Page not rendered\n\n"
                    f"`{page.file.src_uri.replace('`', '')}` is over the size bounds ticketgen keeps for "
                    "hand-written pages, so this site does not show it.\n"
                )
        if self.links is not None and not isinstance(page, GeneratedPage):
            self.links.current = page.file.src_uri
            source = page.file.abs_src_path
            self.links.current_dir = Path(source).resolve().parent if source else None
        return markdown

    def on_nav(self, nav, *, config, files):
        self.nav = nav
        return nav

    @event_priority(-100)  # after other plugins' on_env; every page has been read, so titles are known
    def on_env(self, env, *, config, files):
        if self.nav is not None and _unfold_echoes(self.nav.items, None, self.pages):
            _relink(self.nav)
        self.built = (files, env)  # what `ticketgen serve` renders single pages with
        if not self.serving:
            self.renderer.release()  # every page is made
        return env

    @event_priority(50)  # before Material's search plugin indexes the page
    def on_page_context(self, context, *, page, config, nav):
        # Search: Material's query parser always splits `TICKET-003` at the hyphen into
        # `ticket` + `003`, so an ID alone cannot rank its ticket first (a title such as
        # "Follow-up of TICKET-003" scores the same). The ID as the page's only search tag
        # (boost 1e6) does. The tags plugin has made its chips by now, so they still show
        # the metadata tags; the index does not repeat them in every section's entry (the
        # header card's text keeps status, priority and component searchable).
        if not isinstance(page, GeneratedPage):
            return context
        if page.ticket_id:
            page.meta["tags"] = [page.ticket_id]
        if page.source is not None:
            page.edit_url = self.renderer.edit_url(page.source)
        return context

    def on_post_build(self, *, config) -> None:
        """Notes (text that is not a ticket...) are INFO, summed up once at the end of the build:
        worth knowing, never a reason for `--strict` to fail."""
        if self.notes:
            log.info("%d note(s):\n  %s", len(self.notes), "\n  ".join(self.notes))

    def on_serve(self, server, *, config, builder):
        docs = Path(config.docs_dir).resolve()
        for path in self.content.watch if self.content else []:
            path = path.resolve()
            if path != docs and docs not in path.parents:  # docs_dir is watched already
                server.watch(str(path))
        return server


class GeneratedPage(MkdocsPage):
    """A page ticketgen makes: its metadata, HTML and table of contents come from the
    renderer, so mkdocs reads no file and makes no Python-Markdown instance for it (a build of
    1,000 tickets would make 1,000, to convert empty strings). Made at the latest when mkdocs
    reads it; after that it holds only what mkdocs keeps of any page."""

    def __init__(self, title: str | None, file: File, config, renderer: SiteRenderer, spec: PageSpec) -> None:
        super().__init__(title, file, config)
        self.renderer, self.spec = renderer, spec
        self.ticket_id, self.source = spec.ticket_id, spec.source
        self.made: Page | None = None

    def make(self) -> None:
        renderer = self.renderer
        problems = len(renderer.link_problems)
        try:
            self.made = renderer.page(self.spec)
        except TicketgenError as exc:  # a broken template override
            raise PluginError(f"ticketgen: {exc}") from None
        for problem in dict.fromkeys(renderer.link_problems[problems:]):
            log.warning(printable(problem))
        self.spec = None  # the ticket record it held

    def renew(self, spec: PageSpec) -> None:
        """Make the page again from `spec` (`ticketgen serve`, after an edit)."""
        self.spec, self.made = spec, None
        self.ticket_id, self.source = spec.ticket_id, spec.source

    def read_source(self, config) -> None:
        if self.made is None:
            self.make()
        self.markdown = ""
        self.meta = {"title": self.made.title, **self.made.meta}  # before the tags plugin reads them

    def render(self, config, files: Files) -> None:
        made = self.made
        self.content = made.html
        self.toc = get_toc(_toc_tokens(made))
        self.present_anchor_ids = {heading.id for heading in made.toc}  # links to `#anchor` check
        self.made = replace(made, html="", toc=())  # mkdocs holds them now


def _dest_uri(config, src_uri: str) -> str:
    """Where mkdocs would write a page at `src_uri` (`tickets.md`, `tickets/index.md`: `tickets/index.html`)."""
    return File(src_uri, None, config.site_dir, config.use_directory_urls).dest_uri


def _drop_unsafe_files(files: Files, project: Project) -> None:
    """mkdocs reads and copies every file of docs_dir, following symlinks: a file a pull request
    symlinked to a secret outside the project would be published, a FIFO would hang the build.
    The one file reader's checks run on each first; a refused file is left out, with a warning
    naming it."""
    for file in list(files):
        if file.generated_by is not None or not file.abs_src_path:
            continue
        try:
            path = Path(file.abs_src_path)
            check_readable(path, project.root, project.display(path))
        except TicketgenError as exc:
            log.warning(f"{printable(str(exc))}; left out of the site")
            files.remove(file)


def _nav_titles(nav: list | None) -> dict[str, str]:
    """Titles that mkdocs.yml's `nav:` gives pages, by path: mkdocs takes a page a plugin made
    as it is, so the plugin passes them on."""
    titles: dict[str, str] = {}

    def walk(items) -> None:
        for item in items or []:
            if not isinstance(item, dict):
                continue
            for title, value in item.items():
                if isinstance(value, str):
                    titles[posixpath.normpath(value.lstrip("/"))] = title
                elif isinstance(value, list):
                    walk(value)

    walk(nav)
    return titles


def _unfold_echoes(items: list, parent, ours: set[str]) -> bool:
    """A section of generated pages named like a page beside it would show the name twice in
    the sidebar: `ticketgen init`'s home page `# Tickets` beside the `tickets/` folder's section
    "Tickets". Such a section's pages follow that page instead. True when the nav changed."""
    changed = False
    for item in list(items):
        if item.is_section:
            changed |= _unfold_echoes(item.children, item, ours)
            if not any(child.is_page and child.file.src_uri in ours for child in item.children):
                continue
            title = (item.title or "").casefold()
            echo = next((i for i in items if i.is_page and (i.title or "").casefold() == title), None)
            if echo is None:
                continue
            items.remove(item)
            at = items.index(echo) + 1
            items[at:at] = item.children
            for child in item.children:
                child.parent = parent
            changed = True
    return changed


def _relink(nav: Navigation) -> None:
    """Pages in their new sidebar order, with previous/next links to match (mkdocs set them
    before plugins could change the nav)."""

    def walk(items):
        for item in items:
            if item.is_page:
                yield item
            elif item.is_section:
                yield from walk(item.children)

    nav.pages = list(walk(nav.items))
    for before, page, after in zip([None, *nav.pages[:-1]], nav.pages, [*nav.pages[1:], None], strict=True):
        page.previous_page, page.next_page = before, after


def _toc_tokens(page: Page) -> list[dict]:
    """The page's headings as the nested tokens mkdocs builds its table of contents from."""
    roots: list[dict] = []
    stack: list[dict] = []
    for heading in page.toc:
        # mkdocs and Material print a toc name as HTML: the title is text (a code span may hold `<img …>`)
        token = {"level": heading.level, "id": heading.id, "name": escape(heading.title), "children": []}
        while stack and stack[-1]["level"] >= heading.level:
            stack.pop()
        (stack[-1]["children"] if stack else roots).append(token)
        stack.append(token)
    return roots
