"""The mkdocs adapter: adds the renderer's pages to the build, links mentions, watches sources.

All content decisions live in `ticketgen.site.render`; this file only speaks mkdocs.
Problems in tickets are WARNINGs on `mkdocs.plugins.ticketgen` (so `--strict` fails) and the
rest of the site still builds.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from ..core.errors import TicketgenError
from ..core.parse import rare_collections
from ..core.project import Project
from .content import ParseCache, SiteBuild, SiteContent, use_store
from .links import TicketLinks
from .options import load_options
from .parallel import Background
from .render import ASSET_DIR, ASSETS, PLACEHOLDER_WORD, GeneratedPage, SiteRenderer, asset_bytes

log = get_plugin_logger("ticketgen")

# Pages carry finished HTML (index tables, header cards) as one-word placeholder paragraphs,
# so Python-Markdown and its raw-HTML parsers never see it; it is put back after conversion.
# The search plugin gets each piece's text, not its markup, then the markup returns.
_PLACED = re.compile(rf"<p>{PLACEHOLDER_WORD}(\d+)</p>")
_AS_TEXT = re.compile(rf'<p data-tg-html="{PLACEHOLDER_WORD}(\d+)">.*?</p>', re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def _text_of(html: str) -> str:
    return " ".join(_TAG.sub(" ", html).split())


class _LaterFile(File):
    """A generated page that another process is making (see `SiteBuild.finish`). Its content
    is fetched when first read, which mkdocs does when it converts the page's Markdown, page
    after page in the order they were added: the other process keeps ahead of that."""

    fetch: Callable[[str], str] | None = None
    _made: str | bytes | None = None

    @property
    def _content(self) -> str | bytes | None:
        if self.fetch is not None:
            fetch, self.fetch = self.fetch, None
            self._made = fetch(self.src_uri)
        return self._made

    @_content.setter
    def _content(self, value: str | bytes | None) -> None:  # mkdocs' setters, or another plugin's
        self.fetch, self._made = None, value


class TicketgenPluginConfig(base.Config):
    project_dir = c.Optional(c.Dir(exists=True))  # default: the folder of mkdocs.yml
    links = c.Type(bool, default=True)  # link ticket mentions; point repo links at generated pages
    cache = c.Type(bool, default=True)  # keep parsed tickets on disk between builds (user cache folder)


class TicketgenPlugin(BasePlugin[TicketgenPluginConfig]):
    def __init__(self) -> None:
        self.cache = ParseCache()
        self.content: SiteContent | None = None  # kept while serving, for on_serve
        self.sources: dict[str, Path] = {}
        self.source_dirs: dict[str, Path] = {}  # page -> resolved folder of its source (resolved once)
        self.ticket_ids: dict[str, str] = {}
        self.rendered: dict[str, GeneratedPage] = {}  # by src_uri, pages this build added (meta, html)
        self.html_held: dict[str, tuple[str, ...]] = {}  # page -> its HTML, while search reads text
        self.links: TicketLinks | None = None
        self.serving = False
        self.build: SiteBuild | None = None
        self.project: Project | None = None
        self.failure: str | None = None
        self.frozen = False
        self.finishing: Background | None = None  # pages made and caches saved by a child (`SiteBuild.finish`)

    def load_config(self, options, config_file_path=None):
        """Also find the project and read its settings, so a broken one is a config error."""
        errors, warnings = super().load_config(options, config_file_path)
        if errors:
            return errors, warnings
        start = Path(self.config.project_dir or os.path.dirname(config_file_path or "mkdocs.yml"))
        try:
            self.project, self.failure = Project.discover(start), None
            self.project.check_tickets_dir()
            self.options = load_options(self.project.config, self.project.schema)
        except TicketgenError as exc:
            self.project, self.failure = None, f"ticketgen: {exc}"
            return errors, warnings
        if self.config.cache:
            use_store(self.cache, self.project)
        else:
            self.cache.store = None
        return errors, warnings

    def _cancel_build(self) -> None:
        if self.build is not None:
            self.build.cancel()
            self.build = None

    def on_startup(self, *, command, dirty) -> None:
        """Defined so mkdocs keeps this instance (and its parse cache) across serve rebuilds."""
        self.serving = command == "serve"

    def on_shutdown(self) -> None:
        self._cancel_build()  # only left running if the build failed before on_files
        if self.finishing is not None:  # still running only after Ctrl-C: stop it, do not wait
            self.finishing.cancel()
        if self.cache.store is not None:
            self.cache.store.save()

    def on_config(self, config):
        if self.project is None:
            raise PluginError(self.failure or "ticketgen: no project")
        project, options = self.project, self.options
        self.renderer = SiteRenderer(
            project,
            options,
            use_directory_urls=config.use_directory_urls,
            edit_url=self._edit_url_for(config, options.edit_url),
            tags=any(name in config.plugins for name in ("material/tags", "tags")),
        )
        for name in ASSETS:
            target = config.extra_css if name.endswith(".css") else config.extra_javascript
            if f"{ASSET_DIR}/{name}" not in [str(x) for x in target]:
                target.append(f"{ASSET_DIR}/{name}")
        if not any(str(e).startswith("pymdownx.tasklist") for e in config.markdown_extensions):
            config.markdown_extensions.append("pymdownx.tasklist")
            config.mdx_configs["pymdownx.tasklist"] = {"custom_checkbox": True}
        if self.config.links:
            self.links = TicketLinks(project.schema.mention_regex)
            config.markdown_extensions.append(self.links)
        # Scan the tickets and start parsing new ones in a second process now: mkdocs still
        # has to load its theme and find its files before on_files needs them.
        self._cancel_build()
        if self.finishing is not None:  # left from an earlier build in this process
            self.finishing.cancel()
            self.finishing = None
        self.build = SiteBuild(project, self.cache, self.renderer, one_shot=not self.serving)
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
            return urljoin(base_url, Path(os.path.relpath(path, docs_dir)).as_posix())

        return edit_url

    def on_files(self, files: Files, *, config) -> Files:
        with rare_collections():  # it loads thousands of parsed tickets, and plans their pages
            return self._add_pages(files, config)

    def _add_pages(self, files: Files, config) -> Files:
        build = self.build or SiteBuild(self.project, self.cache, self.renderer, one_shot=not self.serving)
        self.build = None
        self.content = build.content((config.repo_url, config.edit_uri, config.docs_dir))  # edit links
        for warning in self.content.warnings:
            log.warning(warning)
        self.sources, self.ticket_ids, self.rendered = {}, {}, {}
        taken = set(files.src_uris)  # pages in docs_dir replace generated ones
        later = {spec.src_uri for spec in build.later(self.content)}
        made = []
        for spec in self.content.specs:
            if spec.src_uri in taken:
                log.info("%s exists in docs_dir; it replaces the generated page", spec.src_uri)
                if build.recording and spec.src_uri not in later:  # for the snapshot of a build without that file
                    try:
                        made.append(self.content.page(spec))
                    except TicketgenError:
                        build.forgo_recording()
                continue
            inclusion = InclusionLevel.INCLUDED if spec.in_nav else InclusionLevel.NOT_IN_NAV
            if spec.src_uri in later:
                file = _LaterFile.generated(config, spec.src_uri, content="", inclusion=inclusion)
                file.fetch = self._later_page
                files.append(file)
            else:
                try:
                    page = self.content.page(spec)
                except TicketgenError as exc:  # a broken template override
                    raise PluginError(f"ticketgen: {exc}") from None
                made.append(page)
                files.append(File.generated(config, spec.src_uri, content=page.content, inclusion=inclusion))
                self.rendered[spec.src_uri] = replace(page, body="")  # mkdocs holds the body now
            if spec.source is not None:
                self.sources[spec.src_uri] = spec.source
            if spec.ticket_id:
                self.ticket_ids[spec.src_uri] = spec.ticket_id
        for uri, data in asset_bytes(self.renderer.options.templates).items():
            if uri not in taken:
                files.append(File.generated(config, uri, content=data))
        if self.links is not None:
            published = self.content.specs  # a docs page that replaces a generated one takes its links
            self.links.tickets = {
                self.project.schema.id_number(p.ticket_id): p.src_uri for p in published if p.ticket_id
            }
            self.links.sources, self.source_dirs = {}, {}
            for p in published:  # a file holding several tickets links to its first one
                if p.source is not None:
                    real = p.source.resolve()
                    self.links.sources.setdefault(real, p.src_uri)
                    self.source_dirs[p.src_uri] = real.parent
            for f in files.documentation_pages():  # `../docs/guide.md` in a ticket: that page
                if f.abs_src_path and f.generated_by is None:
                    self.links.sources.setdefault(Path(f.abs_src_path).resolve(), f.src_uri)
        try:
            self.finishing = build.finish(
                self.content, made, [s for s in self.content.specs if s.src_uri in later], wanted=later - taken
            )
        except TicketgenError as exc:  # where no child could be made, `later` pages are made here
            raise PluginError(f"ticketgen: {exc}") from None
        if not self.serving:
            # A one-shot build needs no parsed tickets after this (the store is saved, or the
            # child making the pages saves it): drop them, and keep what stays until the end
            # (config, theme, files, pages) out of the collector's walks for the thousands of
            # pages still to build.
            self.cache, self.content = ParseCache(), None
            self.renderer.forget_rows()
            gc.freeze()
            self.frozen = True
        return files

    def _later_page(self, src_uri: str) -> str:
        """The Markdown of a page `finish` makes in the background: mkdocs asks when it reads the page."""
        try:
            page = self.finishing.get(src_uri)
        except TicketgenError as exc:  # the child failed, and so did making the page here
            raise PluginError(f"ticketgen: {exc}") from None
        self.rendered[src_uri] = replace(page, body="")
        return page.content

    def _wait_for_finishing(self) -> None:
        """The store and snapshot are written before the build ends (or fails: the parsed
        tickets are kept). The pages stay available to a late reader."""
        if self.finishing is not None:
            self.finishing.wait()

    def on_build_error(self, *, error) -> None:
        self._wait_for_finishing()

    def on_post_build(self, *, config) -> None:
        self._wait_for_finishing()
        if self.frozen:  # builds run one after another in one process (API, serve --clean)
            gc.unfreeze()
            self.frozen = False

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        generated = self.rendered.get(page.file.src_uri)
        if generated is not None and generated.meta:
            page.meta.update(generated.meta)  # before the tags plugin (priority -50) reads them
        if self.links is not None:
            self.links.current = page.file.src_uri
            folder = self.source_dirs.get(page.file.src_uri)
            if folder is None:
                source = self.sources.get(page.file.src_uri) or page.file.abs_src_path
                folder = Path(source).resolve().parent if source else None
            self.links.current_dir = folder
        return markdown

    def on_page_content(self, html: str, *, page, config, files) -> str:
        generated = self.rendered.get(page.file.src_uri)
        if generated is None or not generated.html:
            return html
        pieces = generated.html
        if (page.meta.get("search") or {}).get("exclude"):
            return _PLACED.sub(lambda m: pieces[int(m.group(1))], html)
        self.html_held[page.file.src_uri] = pieces
        return _PLACED.sub(
            lambda m: f'<p data-tg-html="{PLACEHOLDER_WORD}{m.group(1)}">{_text_of(pieces[int(m.group(1))])}</p>',
            html,
        )

    @event_priority(50)  # before Material's search plugin indexes the page
    def _search_tags(self, context, *, page, config, nav):
        # Search: Material's query parser always splits `TICKET-003` at the hyphen into
        # `ticket` + `003`, so an ID alone cannot rank its ticket first (a title such as
        # "Follow-up of TICKET-003" scores the same). The ID as the page's only search tag
        # (boost 1e6) does. The tags plugin has made its chips by now, so they still show
        # the metadata tags; the index does not repeat them in every section's entry (the
        # header card's text keeps status, priority and component searchable).
        ticket_id = self.ticket_ids.get(page.file.src_uri)
        if ticket_id:
            page.meta["tags"] = [ticket_id]
        source = self.sources.get(page.file.src_uri)
        if source is not None:
            page.edit_url = self.renderer.edit_url(source)
        return context

    @event_priority(-100)  # after every search plugin has indexed the page
    def _put_html_back(self, context, *, page, config, nav):
        pieces = self.html_held.pop(page.file.src_uri, None)
        if pieces is not None:
            page.content = _AS_TEXT.sub(lambda m: pieces[int(m.group(1))], page.content)
        return context

    on_page_context = CombinedEvent(_search_tags, _put_html_back)

    def on_serve(self, server, *, config, builder):
        docs = Path(config.docs_dir).resolve()
        for path in self.content.watch if self.content else []:
            path = path.resolve()
            if path != docs and docs not in path.parents:  # docs_dir is watched already
                server.watch(str(path))
        return server
