"""`ticketgen serve`: a live preview that renders again only the pages an edit changed.

mkdocs 1.6's `serve` rebuilds the whole site on every change and polls every file; its plugin
hooks cannot skip a page. So this module owns the loop: one full mkdocs build at start, then a
watcher (watchfiles: the OS's change events, no polling) on the tickets, runbooks, docs,
templates and config; after an edit to tickets or runbooks, `site.model` names the pages whose
inputs changed, and only those are rendered (and their entries in Material's search index
replaced). Anything else — mkdocs.yml, docs_dir, the ticket template, template overrides, the
theme, a change to the sidebar, a tags listing page — falls back to a full build, and says so.

This is the ONE module that uses mkdocs' build functions and its LiveReloadServer beyond the
plugin API; `API` lists them and a test fails loudly when mkdocs moves them (mkdocs is pinned
to 1.6.x, which is frozen upstream).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import mkdocs.livereload
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer, _serve_url
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page as MkdocsPage

from .model import Changes, SiteModel
from .plugin import GeneratedPage, TicketgenPlugin

log = logging.getLogger("mkdocs.ticketgen.serve")

# What this module uses of mkdocs beyond its plugin API (checked by tests/site/test_serve.py).
API = {
    mkdocs_build: ("build", "_populate_page", "_build_page", "_build_theme_template"),
    mkdocs.livereload: ("_serve_url",),
    LiveReloadServer: ("_rebuild_cond", "_want_rebuild", "builder", "serve", "shutdown"),
}


class Preview:
    """The site in `site_dir`, kept up to date with the sources by `update`."""

    def __init__(self, config_file: str | None, site_dir: str, host: str, port: int, **options) -> None:
        self.config_file, self.site_dir, self.options = config_file, site_dir, options
        self.host, self.port = host, port
        self.serve_url = ""  # from mkdocs.yml's site_url path, as `mkdocs serve` makes it (`load`)
        self.model: SiteModel | None = None
        self.specs: dict = {}
        self.full_reasons: list[str] = []  # why the last update was a full build (empty: it was not)

    # -- full build -------------------------------------------------------------------------
    def load(self):  # noqa: ANN201 - an MkDocsConfig
        config = load_config(config_file=self.config_file, site_dir=self.site_dir, **self.options)
        if not self.serve_url:
            self.serve_url = _serve_url(self.host, self.port, urlsplit(config.site_url or "/").path)
        config.site_url = self.serve_url
        return config

    def full(self) -> None:
        """A full mkdocs build, as `mkdocs serve` makes it; keeps what single pages need."""
        config = self.config = self.load()
        config.plugins.on_startup(command="serve", dirty=False)
        mkdocs_build.build(config, serve_url=self.serve_url)
        self.plugin = _ticketgen(config)
        self.search = next((p for p in config.plugins.values() if hasattr(p, "search_index")), None)
        tags = self.tags = next((p for p in config.plugins.values() if hasattr(p, "mappings")), None)
        self.listings = bool(tags is not None and getattr(tags, "listings", None) and tags.listings.data)
        if self.listings:
            log.info("ticketgen serve: a tags listing page lists every page by tag; each edit rebuilds the site")
        content = self.plugin.content
        planned = content.specs if content else []
        published = [s for s in planned if s.src_uri in self.plugin.pages]
        # Generated pages a page of the site's own replaces, or whose URL it has: never published.
        files = self.plugin.built[0]
        self.blocked = {s.src_uri for s in planned} - self.plugin.pages
        self.blocked |= {f.src_uri for f in files if f.generated_by is None}
        self.specs = {s.src_uri: s for s in published}
        self.model = SiteModel.of(self.plugin.renderer, published)

    def watched(self) -> list[Path]:
        """The folders and files whose changes matter: docs_dir, mkdocs.yml, the project's
        tickets, runbooks, documents, template and template overrides, the theme's custom_dir."""
        config = self.config
        paths = [Path(config.docs_dir)]
        if config.config_file_path:
            paths.append(Path(config.config_file_path))
        if self.plugin.content is not None:
            paths += self.plugin.content.watch
        if config.theme.custom_dir:
            paths.append(Path(config.theme.custom_dir))
        paths += [Path(p) for p in config.watch]
        found: list[Path] = []
        for path in (p.resolve() for p in paths if p.exists()):
            if not any(path == kept or kept in path.parents for kept in found):
                found = [k for k in found if path not in k.parents] + [path]
        return found

    # -- an edit --------------------------------------------------------------------------------
    def update(self, paths: Iterable[Path]) -> Changes | None:
        """Bring the site up to date after `paths` changed. Returns what was rendered, or None
        after a full build (`full_reasons` says why)."""
        reasons = [reason for path in paths if (reason := self._needs_full(Path(path)))]
        changes = None
        if not reasons:
            changes, reasons = self._incremental()
        self.full_reasons = reasons
        if reasons:
            log.info("ticketgen serve: full build (%s)", "; ".join(dict.fromkeys(reasons)))
            self.full()
            return None
        return changes

    def _needs_full(self, path: Path) -> str | None:
        """Why a change to `path` needs a full build; None when only tickets or runbooks changed."""
        if self.listings:
            return "tags listings"
        project = self.plugin.project
        config = project.config
        path = path.resolve()
        if config.template and path == config.template.resolve():
            return f"{project.display(path)} is the ticket template"
        templates = self.plugin.options.templates
        if templates and (path == templates.resolve() or templates.resolve() in path.parents):
            return f"{project.display(path)} is a template override"
        if path.suffix != ".md":
            return f"{project.display(path)} is not a ticket or runbook"
        folders = [config.tickets_dir, config.runbooks_dir]
        if any(f.resolve() in path.parents for f in folders) or path in {d.resolve() for d in config.documents}:
            docs = Path(self.config.docs_dir).resolve()
            if docs in path.parents:  # a page of the docs as well
                return f"{project.display(path)} is in docs_dir"
            return None
        return f"{project.display(path)} changed"

    def _incremental(self) -> tuple[Changes | None, list[str]]:
        config, plugin = self.config, self.plugin
        files, env = plugin.built
        content = plugin.load(files)
        specs = [s for s in content.specs if s.src_uri not in self.blocked]
        newer = SiteModel.of(plugin.renderer, specs, self.model)
        changes = self.model.changes(newer)
        if changes.navigation:
            return None, ["the sidebar's pages changed"]
        for uri in changes.added:
            dest = File(uri, None, config.site_dir, config.use_directory_urls).dest_uri
            if dest in plugin.theirs:
                return None, [f"the new page {uri} has the URL of a page of the site's own"]
        by_uri = {s.src_uri: s for s in specs}
        titles = {uri: files.get_file_from_path(uri).page.title for uri in self.model.nav}
        self._remove(files, changes.removed)
        if changes.added:
            for uri in changes.added:
                file = File.generated(config, uri, content="", inclusion=InclusionLevel.NOT_IN_NAV)
                GeneratedPage(plugin.titles.get(uri), file, config, plugin.renderer, by_uri[uri])
                files.append(file)
            files = _in_build_order(files, [s.src_uri for s in specs])
            plugin.built = (files, env)
        pages = []
        for uri in sorted(changes.render):
            page = files.get_file_from_path(uri).page
            assert isinstance(page, GeneratedPage)
            page.renew(by_uri[uri])
            pages.append(page)
        if changes.added or changes.removed:  # mention links in the docs' own pages; the sitemap
            pages += [f.page for f in files.documentation_pages() if f.generated_by is None and f.page is not None]
        self._render(pages, files, env)
        if any(files.get_file_from_path(uri).page.title != title for uri, title in titles.items()):
            return None, ["a title in the sidebar changed"]
        if changes.added or changes.removed:
            for template in config.theme.static_templates:
                mkdocs_build._build_theme_template(template, env, files, config, plugin.nav)
        self.model, self.specs = newer, by_uri
        return changes, []

    def _remove(self, files, uris: Iterable[str]) -> None:  # noqa: ANN001 - mkdocs Files
        site = Path(self.config.site_dir).resolve()
        for uri in uris:
            file = files.get_file_from_path(uri)
            files.remove(file)
            self.plugin.pages.discard(uri)
            self._forget_search(file.url)
            if self.tags is not None:
                self.tags.mappings.data.pop(file.url, None)
            target = Path(file.abs_dest_path)
            target.unlink(missing_ok=True)
            folder = target.parent
            while folder != site and site in folder.parents and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent

    def _render(self, pages: list[MkdocsPage], files, env) -> None:  # noqa: ANN001 - mkdocs Files, jinja2 env
        config, nav = self.config, self.plugin.nav
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
        for page in pages:
            mkdocs_build._populate_page(page, config, files)
        if self.tags is not None:  # its pages' tags were read again: its tags.json too
            self.tags.on_env(env, config=config, files=files)
        for page in pages:
            self._forget_search(page.url)
            mkdocs_build._build_page(page, config, doc_files, nav, env)
            if isinstance(page, GeneratedPage):
                self.plugin.pages.add(page.file.src_uri)
        if self.search is not None:
            self.search.on_post_build(config=config)

    def _forget_search(self, url: str) -> None:
        if self.search is None:
            return
        index = self.search.search_index
        index.entries = [e for e in index.entries if e["location"].partition("#")[0] != url]


def _in_build_order(files: Files, generated: list[str]) -> Files:
    """The files in the order a full build has them (the sitemap lists pages in that order):
    the generated pages in plan order, where the first of them was."""
    ours = {uri: n for n, uri in enumerate(generated)}
    kept = [f for f in files if f.src_uri not in ours]
    pages = sorted((f for f in files if f.src_uri in ours), key=lambda f: ours[f.src_uri])
    listed = list(files)
    first = next((n for n, f in enumerate(listed) if f.src_uri in ours), len(listed))
    at = sum(1 for f in listed[:first] if f.src_uri not in ours)
    return Files(kept[:at] + pages + kept[at:])


def _ticketgen(config) -> TicketgenPlugin:  # noqa: ANN001 - an MkDocsConfig
    found = next((p for p in config.plugins.values() if isinstance(p, TicketgenPlugin)), None)
    if found is None or found.built is None:
        raise RuntimeError("ticketgen serve needs the ticketgen plugin in mkdocs.yml's plugins")
    return found


class Server:
    """The preview served with mkdocs' LiveReloadServer; watchfiles feeds it changed paths."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview
        self.changed: set[Path] = set()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        mount_path = urlsplit(preview.serve_url).path or "/"
        self.server = LiveReloadServer(
            builder=self.build, host=preview.host, port=preview.port, root=preview.site_dir, mount_path=mount_path
        )
        self.server.build_delay = 0.02  # watchfiles has grouped the events already
        site = preview.site_dir

        def error_page(code: int) -> bytes | None:
            page = Path(site) / f"{code}.html"
            return page.read_bytes() if code in (404, 500) and page.is_file() else None

        self.server.error_handler = error_page

    def build(self) -> None:
        with self.lock:
            changed, self.changed = self.changed, set()
        changes = self.preview.update(changed)
        if changes is not None:
            log.info("ticketgen serve: rendered %d page(s), removed %d", len(changes.render), len(changes.removed))

    def watch(self) -> None:
        import watchfiles

        paths = self.preview.watched()
        log.info("Watching for changes: %s", ", ".join(os.path.relpath(p) for p in paths))
        for events in watchfiles.watch(*paths, stop_event=self.stop, debounce=50, step=10, raise_interrupt=False):
            with self.lock:
                self.changed |= {Path(path) for _, path in events}
            server = self.server
            with server._rebuild_cond:
                server._want_rebuild = True
                server._rebuild_cond.notify_all()

    def serve(self) -> None:
        watcher = threading.Thread(target=self.watch, name="ticketgen-watch", daemon=True)
        watcher.start()
        try:
            self.server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            self.stop.set()
            self.server.shutdown()
