"""The mkdocs adapter: adds the renderer's pages to the build, links mentions, watches sources.

All content decisions live in `ticketgen.site.render`; this file only speaks mkdocs.
Problems in tickets are WARNINGs on `mkdocs.plugins.ticketgen` (so `--strict` fails) and the
rest of the site still builds.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urljoin

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from ..errors import TicketgenError
from ..project import Project
from .content import ParseCache, SiteContent, site_content, use_store
from .links import TicketLinks
from .options import load_options
from .render import ASSET_DIR, ASSETS, SiteRenderer, asset_bytes

log = get_plugin_logger("ticketgen")

# Index pages are mostly big HTML tables built (and escaped) by the templates, and ticket pages
# start with the header card; Python-Markdown would only copy that HTML, slowly. It skips it:
# stashed before conversion, put back after. On ticket pages only the leading card is taken,
# as the ticket's own Markdown that follows may contain anything.
_PASS_THROUGH = re.compile(r"<!-- tg:html -->\n(.*?)<!-- /tg:html -->\n?", re.DOTALL)
_STASHED = re.compile(r'<div data-tg-stash="(\d+)"></div>')
_TAG = re.compile(r"<[^>]*>")
_GENERATED_ONLY = {"tickets-index", "dashboard", "status", "component", "runbooks-index"}


class TicketgenPluginConfig(base.Config):
    project_dir = c.Optional(c.Dir(exists=True))  # default: the folder of mkdocs.yml
    links = c.Type(bool, default=True)  # link ticket mentions; point repo links at generated pages
    cache = c.Type(bool, default=True)  # keep parsed tickets on disk between builds (user cache folder)


class TicketgenPlugin(BasePlugin[TicketgenPluginConfig]):
    def __init__(self) -> None:
        self.cache = ParseCache()
        self.content: SiteContent | None = None
        self.sources: dict[str, Path] = {}
        self.source_dirs: dict[str, Path] = {}  # page -> resolved folder of its source (resolved once)
        self.ticket_ids: dict[str, str] = {}
        self.pass_through: set[str] = set()  # pages made only of template output (no ticket Markdown)
        self.stashes: dict[str, list[str]] = {}
        self.cards: dict[str, tuple[str, str]] = {}  # page -> (its card's text, the card), until indexed
        self.links: TicketLinks | None = None
        self.serving = False

    def on_startup(self, *, command, dirty) -> None:
        """Defined so mkdocs keeps this instance (and its parse cache) across serve rebuilds."""
        self.serving = command == "serve"

    def on_shutdown(self) -> None:
        if self.cache.store is not None:
            self.cache.store.save()

    def on_config(self, config):
        start = Path(self.config.project_dir or os.path.dirname(config.config_file_path))
        try:
            project = Project.discover(start)
            options = load_options(project.config, project.schema)
        except TicketgenError as exc:
            raise PluginError(f"ticketgen: {exc}") from None
        self.project = project
        if self.config.cache:
            use_store(self.cache, project)
            self.cache.store.autosave = not self.serving
        else:
            self.cache.store = None
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
        self.content = site_content(self.project, self.renderer, self.cache)
        for warning in self.content.warnings:
            log.warning(warning)
        self.sources, self.ticket_ids = {}, {}
        self.pass_through = {p.src_uri for p in self.content.pages if p.kind in _GENERATED_ONLY}
        for page in self.content.pages:
            if files.get_file_from_path(page.src_uri) is not None:
                log.info("%s exists in docs_dir; it replaces the generated page", page.src_uri)
                continue
            inclusion = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, page.src_uri, content=page.markdown, inclusion=inclusion))
            if page.source is not None:
                self.sources[page.src_uri] = page.source
            if page.ticket_id:
                self.ticket_ids[page.src_uri] = page.ticket_id
        for uri, data in asset_bytes(self.renderer.options.templates).items():
            if files.get_file_from_path(uri) is None:
                files.append(File.generated(config, uri, content=data))
        if self.links is not None:
            published = [p for p in self.content.pages if files.get_file_from_path(p.src_uri) is not None]
            self.links.tickets = {
                self.project.schema.id_number(p.ticket_id): p.src_uri for p in published if p.ticket_id
            }
            self.links.sources, self.source_dirs = {}, {}
            for p in published:  # a file holding several tickets links to its first one
                if p.source is not None:
                    real = p.source.resolve()
                    self.links.sources.setdefault(real, p.src_uri)
                    self.source_dirs[p.src_uri] = real.parent
        return files

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        uri = page.file.src_uri
        if uri in self.pass_through or uri in self.ticket_ids:
            stash: list[str] = []

            def keep(match: re.Match[str]) -> str:
                stash.append(match.group(1))
                return f'\n<div data-tg-stash="{len(stash) - 1}"></div>\n'

            if uri in self.pass_through:
                markdown = _PASS_THROUGH.sub(keep, markdown)
            else:
                match = _PASS_THROUGH.match(markdown.lstrip("\n"))
                if match:
                    markdown = keep(match) + markdown.lstrip("\n")[match.end() :]
            self.stashes[uri] = stash
        if self.links is not None:
            self.links.current = page.file.src_uri
            folder = self.source_dirs.get(page.file.src_uri)
            if folder is None:
                source = self.sources.get(page.file.src_uri) or page.file.abs_src_path
                folder = Path(source).resolve().parent if source else None
            self.links.current_dir = folder
        return markdown

    def on_page_content(self, html: str, *, page, config, files) -> str:
        uri = page.file.src_uri
        stash = self.stashes.pop(uri, None)
        if stash and uri in self.ticket_ids:
            # The search plugin would parse the header card's markup on every ticket page (a
            # fifth of its work) to index a few words: it gets the words, the card comes after.
            text = f"<p>{' '.join(_TAG.sub(' ', stash[0]).split())}</p>"
            self.cards[uri] = (text, stash[0])
            stash[0] = text
        if stash:
            html = _STASHED.sub(lambda m: stash[int(m.group(1))], html)
        return html

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
    def _put_card_back(self, context, *, page, config, nav):
        card = self.cards.pop(page.file.src_uri, None)
        if card is not None:
            page.content = page.content.replace(card[0], card[1], 1)
        return context

    on_page_context = CombinedEvent(_search_tags, _put_card_back)

    def on_serve(self, server, *, config, builder):
        docs = Path(config.docs_dir).resolve()
        for path in self.content.watch if self.content else []:
            path = path.resolve()
            if path != docs and docs not in path.parents:  # docs_dir is watched already
                server.watch(str(path))
        return server
