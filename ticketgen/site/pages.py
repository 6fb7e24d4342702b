"""Records → the site's pages, as HTML, through Jinja templates. No mkdocs here.

The mkdocs plugin and `ticketgen render --out` both call `SiteRenderer.plan` (where each page
goes, what its template gets) and `SiteRenderer.page` (one page's HTML, title, table of
contents and metadata). Ticket bodies and runbooks are rendered from markdown-it tokens by
`site.html`, once per content (the one cache keeps the HTML); the templates place them.
Ticket text is always template *data*: never compiled, and escaped by autoescape.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import markupsafe
from markupsafe import Markup

from ..core.cache import Codec, Shelf, digest
from ..core.errors import ConfigError, ContentError
from ..core.markdown import block_tokens
from ..core.project import Project
from ..core.records import Backlink, Field, Ticket
from ..core.sanitize import url_path
from ..core.template import Schema
from ..core.templating import environment, render
from ..core.validate import local_target, target_problem
from . import html as markdown_html
from . import views as views_module
from .options import SiteOptions
from .runbooks import Runbook

ASSET_DIR = "assets/ticketgen"
ASSETS = ("ticketgen.css", "ticketgen.js")
_HEAT = ("green", "blue", "yellow", "orange", "red")  # priority: first choice calm, last alarming
_PROGRESS = ("orange", "yellow", "blue", "teal", "green")  # status: first choice new, last done
_RENDER_VERSION = "2"  # bump when site.html's output changes shape without a code change


def _rendered_from_data(data: list[Any]) -> markdown_html.Rendered:
    html, headings = data
    if not isinstance(html, str):
        raise TypeError("not HTML")
    return markdown_html.Rendered(html, tuple(markdown_html.Heading(int(n), str(a), str(t)) for n, a, t in headings))


# The cache's "html" shelf: rendered bodies as JSON data.
RENDERED = Codec(lambda r: [r.html, [[h.level, h.id, h.title] for h in r.headings]], _rendered_from_data)


@dataclass(frozen=True)
class Page:
    """One page of the site. `src_uri` is where it sits among the docs (posix, `.md`); `html`
    is its body (links resolved for that place), `toc` its headings, `meta` what a site
    generator reads from frontmatter (title, tags, search, hide)."""

    src_uri: str
    kind: str  # ticket | tickets-index | dashboard | status | component | runbook | runbooks-index
    title: str
    html: str
    toc: tuple[markdown_html.Heading, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None  # the file it comes from, for edit links and watching
    in_nav: bool = False
    ticket_id: str | None = None


@dataclass
class _Placing:
    """The page being rendered, for the `href`, `body` and `heading` filters."""

    uri: str
    toc: list[markdown_html.Heading] = field(default_factory=list)


@dataclass(frozen=True)
class PageSpec:
    """A page to render: its template, place, kind, and what its view is made from
    (`context`: records of ours, turned into template data by `views.py` when rendered)."""

    template: str
    src_uri: str
    kind: str
    source: Path | None = None
    in_nav: bool = False
    ticket_id: str | None = None
    context: dict[str, Any] = field(default_factory=dict)


def page_url(src_uri: str, use_directory_urls: bool) -> str:
    """The URL mkdocs (and Zensical) give a Markdown file, relative to the site root."""
    stem = src_uri[:-3] if src_uri.endswith(".md") else src_uri
    if not use_directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def relative_href(from_src: str, to_src: str, use_directory_urls: bool) -> str:
    here, there = page_url(from_src, use_directory_urls), page_url(to_src, use_directory_urls)
    base = here if here.endswith("/") or not here else posixpath.dirname(here)
    rel = relpath(there, base)
    if there.endswith("/") or not there:
        rel = "./" if rel == "." else rel + "/"
    return rel


def relpath(path: str, start: str) -> str:
    """`posixpath.relpath` for two site-root-relative paths, without its `os.getcwd()` calls
    (index pages link thousands of tickets)."""
    to = [part for part in path.split("/") if part and part != "."]
    base = [part for part in start.split("/") if part and part != "."]
    common = 0
    for mine, theirs in zip(to, base, strict=False):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(base) - common) + to[common:]) or "."


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.casefold()).strip("-") or "none"


def asset_bytes(override: Path | None = None) -> dict[str, bytes]:
    """The offline JS/CSS for sortable, filterable tables, by site path. A same-named file in
    the override folder's `assets/` replaces ours, as for templates, read through the one file
    reader (a symlink leading out of that folder, a FIFO, a device: ConfigError naming it)."""
    from ..core.io import read_bytes

    packaged = resources.files("ticketgen").joinpath("templates/site/assets")
    found = {}
    for name in ASSETS:
        mine = override / "assets" / name if override else None
        if mine is not None and os.path.lexists(mine):
            try:
                data = read_bytes(mine, root=override)
            except ContentError as exc:
                raise ConfigError(f"site asset override: {exc.message}", exc.location.path) from None
        else:
            data = packaged.joinpath(name).read_bytes()
        found[f"{ASSET_DIR}/{name}"] = data
    return found


@dataclass
class Badge:
    value: str
    color: str
    rank: int  # position among the template's choices; unknown values sort last
    valid: bool = True  # False: not one of the template's choices (shown as such, never as a badge)


@dataclass
class Row:
    """What every ticket table shows about a ticket, computed once per build."""

    ticket: Ticket
    uri: str
    status: Badge | None
    priority: Badge | None
    age: int | None
    done: int
    total: int


@dataclass(frozen=True)
class Mention:
    """A ticket or runbook that mentions a ticket: for "Mentioned by"."""

    title: str
    uri: str
    where: str  # path:line


class SiteRenderer:
    def __init__(
        self,
        project: Project,
        options: SiteOptions,
        *,
        use_directory_urls: bool = True,
        edit_url: Callable[[Path], str | None] | None = None,
        today: dt.date | None = None,
        tags: bool = True,
        source_links: bool = False,
    ):
        """`source_links`: link pages by their Markdown files (`../runbooks/x.md`), for a
        generator that turns such links into URLs itself (Zensical does, even in raw HTML);
        otherwise by URL, as the mkdocs plugin hands over finished pages."""
        self.project = project
        self.schema: Schema = project.schema
        self.options = options
        self.use_directory_urls = use_directory_urls
        self.edit_url = edit_url or self._configured_edit_url
        self.today = today or dt.date.today()
        self.with_tags = tags
        self.source_links = source_links
        self.env = environment("site", options.templates, autoescape=True)
        # The placing filters take the context so Jinja never folds a constant call at compile
        # time (`{{ "Recently discovered" | heading("tg-recent") }}` would reach only the first
        # page rendered with that template, out of order, and no later one).
        placed = {"href": self._href_filter, "body": self._body_filter, "heading": self._heading_filter}
        self.env.filters.update(slug=slug, **{name: _at_render(f) for name, f in placed.items()})
        self.views = views_module.Views(self)
        self._placing: _Placing | None = None
        self.known: dict[str, Ticket] = {}  # upper-cased ID -> ticket, from the last `plan`
        self.bodies: Shelf = project.cache.shelf("html", RENDERED)
        self.streaming = False  # see `stream`
        self._badges: dict[tuple[str, str], Badge | None] = {}
        self._rows: dict[int, Row] = {}
        self._group_uris: dict[tuple[str, str], str] = {}
        self.ticket_pages: dict[int, str] = {}  # ticket number -> src_uri (mention links)
        self.source_pages: dict[Path, str] = {}  # resolved source file -> src_uri (repository links)
        self.mentioned_by: dict[str, list[Mention]] = {}
        self.link_problems: list[str] = []  # repository links that lead to no page (`resolve`)
        # Pages moved off a URL the team's own docs use (`moved_to`): default src_uri -> the free one.
        self.moved: dict[str, str] = {}
        self.intro: Path | None = None  # the tickets folder's own index.md (what `import` kept), if any

    # -- where things go -------------------------------------------------------------------
    def ticket_uri(self, ticket_id: str) -> str:
        return f"{self.options.tickets_url}/{ticket_id}.md"

    def runbook_uri(self, runbook: Runbook) -> str:
        return f"{self.options.runbooks_url}/{runbook.rel}"

    @property
    def index_uri(self) -> str:
        wanted = self.options.index_uri or f"{self.options.tickets_url}/index.md"
        return self.moved.get(wanted, wanted)

    @property
    def runbooks_index_uri(self) -> str:
        wanted = f"{self.options.runbooks_url}/index.md"
        return self.moved.get(wanted, wanted)

    @property
    def dashboard_uri(self) -> str:
        wanted = self.options.dashboard_uri or f"{self.options.tickets_url}/dashboard.md"
        return self.moved.get(wanted, wanted)

    def fixed_uris(self) -> dict[str, list[str]]:
        """The one-of-a-kind pages, by kind: the src_uri each wants, then the free ones it may
        move to when a page of the team's has that URL (see the plugin's `on_files`)."""
        tickets, runbooks = self.options.tickets_url, self.options.runbooks_url
        index = self.options.index_uri or f"{tickets}/index.md"
        dashboard = self.options.dashboard_uri or f"{tickets}/dashboard.md"
        return {
            "tickets index": [index, *(f"{tickets}/{n}.md" for n in ("all", "all-tickets", "ticket-index"))],
            "dashboard": [dashboard, *(f"{tickets}/{n}.md" for n in ("overview", "ticket-dashboard"))],
            "runbooks index": [f"{runbooks}/index.md", *(f"{runbooks}/{n}.md" for n in ("all", "all-runbooks"))],
        }

    def group_uri(self, role: str, value: str) -> str:
        return self._group_uris.get((role, value)) or f"{self.options.tickets_url}/{role}/{slug(value)}.md"

    def _assign_group_uris(self, groups: dict[str, dict[str, list[Ticket]]]) -> None:
        """`a/b` and `a b` both slug to `a-b`: later values get `-2`, `-3`... so none is lost."""
        self._group_uris = {}
        for role, values in groups.items():
            taken: set[str] = set()
            for value in values:
                base = f"{self.options.tickets_url}/{role}/{slug(value)}"
                uri, n = f"{base}.md", 1
                while uri in taken:
                    n += 1
                    uri = f"{base}-{n}.md"
                taken.add(uri)
                self._group_uris[(role, value)] = uri

    def _configured_edit_url(self, path: Path) -> str | None:
        if not self.options.edit_url:
            return None
        return self.options.edit_url.format(path=url_path(self.project.display(path).as_posix()))

    # -- colours and ranks come from the template's choice order ---------------------------
    def badge(self, role: str, value: str | None) -> Badge | None:
        if not value:
            return None
        key = (role, value)
        if key not in self._badges:
            self._badges[key] = self._make_badge(role, value)
        return self._badges[key]

    def _make_badge(self, role: str, value: str) -> Badge:
        name = self.schema.role(role)
        spec = self.schema.field(name) if name else None
        choices = spec.choices if spec else ()
        canonical = spec.choice_for(value) if spec else None
        rank = choices.index(canonical) if canonical else len(choices)
        color = self.options.badge_colors.get(value.casefold())
        if color is None and canonical:
            scale = _PROGRESS if role == "status" else _HEAT
            if role == "status" and self.schema.is_done(canonical):
                color = _PROGRESS[-1]
            else:
                position = rank / (len(choices) - 1) if len(choices) > 1 else 0
                color = scale[round(position * (len(scale) - 1))]
        return Badge(value, color or "grey", rank, valid=canonical is not None or not choices)

    def is_open(self, ticket: Ticket) -> bool:
        return not self.schema.is_done(ticket.status)

    # -- pages -------------------------------------------------------------------------------
    def plan(
        self,
        tickets: Iterable[Ticket],
        runbooks: Iterable[Runbook] = (),
        backlinks: dict[str, list[Backlink]] | None = None,
    ) -> list[PageSpec]:
        """Every generated page, planned (cheap): where it goes and what its template gets;
        `page(spec)` renders one. `tickets` must have unique IDs (see `unique_tickets`);
        `backlinks` are the corpus's (`Corpus.mentioned_by`)."""
        tickets = sorted(tickets, key=lambda t: (t.number, t.id))
        runbooks = list(runbooks)
        self._rows = {}
        groups = {role: self._groups(tickets, role) for role in ("status", "component")}
        self._assign_group_uris(groups)
        by_ticket = runbooks_by_ticket(runbooks)
        known = self.known = {t.id.upper(): t for t in tickets}
        self.views.forget()
        self.ticket_pages = {t.number: self.ticket_uri(t.id) for t in tickets}
        self.source_pages = {}
        for ticket in tickets:  # a file holding several tickets links to its first one
            self.source_pages.setdefault((self.project.root / ticket.path).resolve(), self.ticket_uri(ticket.id))
        for runbook in runbooks:
            self.source_pages.setdefault(runbook.path.resolve(), self.runbook_uri(runbook))
        if self.intro is not None:  # `tickets/index.md` (what an import kept) is shown on the index
            self.source_pages.setdefault(self.intro.resolve(), self.index_uri)
        self.mentioned_by = self._mentions(tickets, runbooks, backlinks or {})
        specs = [self.ticket_spec(t, by_ticket) for t in tickets]
        intro = self.intro_body()
        specs.append(
            PageSpec(
                "index.html.j2",
                self.index_uri,
                "tickets-index",
                self.intro if intro is not None else None,
                in_nav=True,
                context={"tickets": tickets, "intro": intro},
            )
        )
        dashboard = {"tickets": tickets, **self._dashboard(tickets)}
        specs.append(PageSpec("dashboard.html.j2", self.dashboard_uri, "dashboard", in_nav=True, context=dashboard))
        for role, values in groups.items():
            for value, members in values.items():
                context = {"role": role, "value": value, "tickets": members}
                specs.append(PageSpec("group.html.j2", self.group_uri(role, value), role, context=context))
        for runbook in runbooks:
            linked = [known[t.upper()] for t in runbook.tickets if t.upper() in known]
            specs.append(
                PageSpec(
                    "runbook.html.j2",
                    self.runbook_uri(runbook),
                    "runbook",
                    runbook.path,
                    in_nav=self.options.runbooks_in_nav,
                    context={"runbook": runbook, "tickets": linked},
                )
            )
        # Always there, even before the first runbook: a home page can link it (a dead link
        # fails `mkdocs build --strict`), and it says how runbooks are made.
        runbooks_index = self.runbooks_index_uri
        if not any(spec.src_uri == runbooks_index for spec in specs):
            context = {"runbooks": runbooks}
            specs.append(PageSpec("runbooks.html.j2", runbooks_index, "runbooks-index", in_nav=True, context=context))
        return specs

    def ticket_spec(self, ticket: Ticket, by_ticket: dict[str, list[Runbook]]) -> PageSpec:
        return PageSpec(
            "ticket.html.j2",
            self.ticket_uri(ticket.id),
            "ticket",
            self.project.root / ticket.path,
            ticket_id=ticket.id,
            context={"ticket": ticket, "runbooks": by_ticket.get(ticket.id.upper(), [])},
        )

    def _mentions(
        self, tickets: list[Ticket], runbooks: list[Runbook], backlinks: dict[str, list[Backlink]]
    ) -> dict[str, list[Mention]]:
        """ "Mentioned by" of each ticket page: the tickets that mention it, and the runbooks whose
        text does (those listing it in their frontmatter are its related runbooks already)."""
        found: dict[str, list[Mention]] = {}
        for ticket in tickets:
            for link in backlinks.get(ticket.id.upper(), []):
                mention = Mention(
                    f"{link.id}: {link.title}", self.ticket_uri(link.id), f"{link.path.as_posix()}:{link.line}"
                )
                found.setdefault(self.ticket_uri(ticket.id), []).append(mention)
        for runbook in runbooks:
            listed = {t.upper() for t in runbook.tickets}
            for m in self.schema.mention_regex.finditer(runbook.body):
                target = self.ticket_pages.get(int(m.group(1)))
                if target is None or m.group(0).upper() in listed:
                    continue  # listed in its frontmatter: shown as a related runbook already
                entry = Mention(runbook.title, self.runbook_uri(runbook), self.project.display(runbook.path).as_posix())
                if entry not in found.setdefault(target, []):
                    found[target].append(entry)
        return found

    def rows(self, tickets: Iterable[Ticket]) -> list[Row]:
        return [self.row(t) for t in tickets]

    def row(self, ticket: Ticket) -> Row:
        found = self._rows.get(id(ticket))
        if found is None:
            total = len(ticket.action_items)
            found = Row(
                ticket,
                self.ticket_uri(ticket.id),
                self.badge("status", ticket.status),
                self.badge("priority", ticket.priority),
                ticket.age_days(self.today),
                total - len(ticket.open_items),
                total,
            )
            self._rows[id(ticket)] = found
        return found

    def _groups(self, tickets: list[Ticket], role: str) -> dict[str, list[Ticket]]:
        groups: dict[str, list[Ticket]] = {}
        for ticket in tickets:
            value = getattr(ticket, role)
            if value and (role != "status" or self.badge(role, value).valid):
                groups.setdefault(value, []).append(ticket)
        return groups

    def _dashboard(self, tickets: list[Ticket]) -> dict[str, Any]:
        rows = self.options.dashboard_rows
        open_tickets = [t for t in tickets if self.is_open(t)]
        dated = [t for t in tickets if t.discovered]
        urgent = [t for t in open_tickets if t.priority in self.schema.urgent_priorities]
        urgent.sort(key=lambda t: (-(self.badge("priority", t.priority).rank), t.number))
        items = [a for t in tickets for a in t.action_items]
        busy = [t for t in open_tickets if t.open_items]
        return {
            "by_status": self._counts(tickets, "status"),
            "by_priority": self._counts(tickets, "priority"),
            "open_count": len(open_tickets),
            "urgent": urgent,
            "urgent_names": self.schema.urgent_priorities,
            "recent": sorted(dated, key=lambda t: (t.discovered, t.number), reverse=True)[:rows],
            "oldest": sorted((t for t in open_tickets if t.discovered), key=lambda t: (t.discovered, t.number))[:rows],
            "items_done": sum(a.done for a in items),
            "items_total": len(items),
            "busiest": sorted(busy, key=lambda t: (-len(t.open_items), t.number))[:rows],
        }

    def _counts(self, tickets: list[Ticket], role: str) -> list[tuple[Badge, int, int]]:
        """(badge, all tickets, open tickets) per valid value, in the template's order."""
        counts: dict[str, list[int]] = {}
        for ticket in tickets:
            value = getattr(ticket, role)
            if value and self.badge(role, value).valid:
                entry = counts.setdefault(value, [0, 0])
                entry[0] += 1
                entry[1] += self.is_open(ticket)
        badges = [(self.badge(role, v), n, o) for v, (n, o) in counts.items()]
        return sorted(badges, key=lambda b: (b[0].rank, b[0].value.casefold()))

    def page(self, spec: PageSpec) -> Page:
        """Render one planned page: its view records (`views.py`, plain data) through its
        template. The template's top-level `meta` (title, tags, search...) is the page's
        metadata; everything it prints is the page's HTML."""
        uri = spec.src_uri
        variables = self.view_record(spec)
        self._placing = _Placing(uri)
        try:
            body, exported = render(self.env, spec.template, variables, what="site template")
        finally:
            toc, self._placing = self._placing.toc, None
        # Themes print titles and tags as they are: ticket text in them must arrive escaped.
        meta = _escape_strings(dict(exported.get("meta") or {}))
        title = str(meta.get("title") or spec.ticket_id or Path(uri).stem)
        return Page(uri, spec.kind, title, body, tuple(toc), meta, spec.source, spec.in_nav, spec.ticket_id)

    def view_record(self, spec: PageSpec) -> dict[str, Any]:
        """Everything the page's template is given (plain data): what `site.model` digests."""
        return self.views.common(spec.src_uri, spec.kind) | self._view(spec)

    def _view(self, spec: PageSpec) -> dict[str, Any]:
        data, views = spec.context, self.views
        if spec.kind == "ticket":
            return views.ticket_page(data["ticket"], data["runbooks"], spec.src_uri, spec.source)
        if spec.kind == "tickets-index":
            return views.index_page(data["tickets"], data.get("intro"), spec.src_uri, spec.source)
        if spec.kind == "dashboard":
            return views.dashboard_page(data)
        if spec.kind == "runbook":
            return views.runbook_page(data["runbook"], data["tickets"], spec.src_uri)
        if spec.kind == "runbooks-index":
            return views.runbooks_index(data["runbooks"])
        return views.group_page(data["role"], data["value"], data["tickets"])

    # -- the filters templates get besides Jinja's own -------------------------------------------
    def _href_filter(self, target: str) -> str:
        """`{{ uri | href }}`: a site-root URI (`tickets/index.md#status=Open`) relative to this page."""
        path, hash_, fragment = str(target).partition("#")
        return self.href(self._placing_now().uri, path) + hash_ + fragment

    def _body_filter(self, record: dict[str, Any]) -> Markup:
        """`{{ ticket.body | body }}`: a rendered body placed, its headings in the table of contents."""
        self._placing_now().toc.extend(views_module.as_headings(record.get("headings", ())))
        html = record.get("html", "")
        return html if isinstance(html, Markup) else Markup(markupsafe.escape(html))

    def _heading_filter(self, title: str, anchor: str, level: int = 2) -> Markup:
        """`{{ "Related runbooks" | heading("tg-related") }}`: a heading of the template's own."""
        self._placing_now().toc.append(markdown_html.Heading(int(level), str(anchor), str(title)))
        return Markup(markdown_html.heading_html(int(level), str(anchor), markupsafe.escape(title)))

    def _placing_now(self) -> _Placing:
        if self._placing is None:
            raise jinja2.TemplateRuntimeError("this filter places things on a page; it is not for macros run alone")
        return self._placing

    def href(self, from_uri: str, to_uri: str) -> str:
        """A link from one generated page to another."""
        if self.source_links:
            return relpath(to_uri, posixpath.dirname(from_uri))
        return relative_href(from_uri, to_uri, self.use_directory_urls)

    def resolve(self, html: str, uri: str, source: Path | None) -> str:
        """Mention and repository links of a rendered body, for the page at `uri`."""
        folder = source.resolve().parent if source is not None else None

        def mention(number: int) -> str | None:
            target = self.ticket_pages.get(number)
            return None if target is None or target == uri else self.href(uri, target)

        def repo(url: str) -> str | None:
            path, fragment = local_target(url), urlsplit(url).fragment
            if folder is None or not path:
                return None
            problem = target_problem(path)
            if problem:  # lint's TG040 reports the same link: the page keeps the text, as written
                self.link_problems.append(f"{self.project.display(source).as_posix()}: link {url} {problem}")
                return None
            target = self.source_pages.get((folder / path).resolve())
            if target is None:  # works on GitHub, 404 on the site: a warning, so --strict fails
                shown = self.project.display(source).as_posix()
                self.link_problems.append(f"{shown}: link {url} leads to no page of the site")
                return None
            return self.href(uri, target) + (f"#{fragment}" if fragment else "")

        return markdown_html.resolve_links(html, mention, repo)

    def stream(self) -> None:
        """The pages that list tickets are made and the cache is saved: from now on each ticket
        page is made once, so its cached body is let go as it is placed, and the table rows
        (which hold every ticket) are dropped now."""
        self._rows, self.streaming = {}, True
        self.views.forget()

    def release(self) -> None:
        """Drop what the last `plan` computed (rows, backlinks) and the cached bodies it used."""
        self._rows, self.mentioned_by, self.streaming = {}, {}, False
        self.views.forget()
        self.bodies = self.project.cache.shelf("html", RENDERED)

    # -- helpers the templates call ------------------------------------------------------------
    def ticket_body(self, ticket: Ticket) -> markdown_html.Rendered:
        """The ticket's text below its heading, rendered once per content (the cache keeps it):
        metadata lines left to the card, sections one level up, untouched template sections
        shown as to be written."""
        env = ticket.env
        # Keyed by the whole file's bytes (a body shows reference definitions from anywhere in
        # it, and lines past its text: a rule nested in its last list item); a ticket that did
        # not come from a file's bytes (`source_digest` unset) is rendered, never cached.
        key = ("ticket", ticket.source_digest, ticket.line, ticket.id, _RENDER_VERSION)
        cached = bool(ticket.source_digest)
        found = None
        if cached:
            found = self.bodies.take(key) if self.streaming else self.bodies.get(key)
        if found is None:
            tokens = ticket.tokens
            base = 0  # the parser's tokens count lines from the file's first line
            if tokens is None:  # read from the cache by another command: parse this ticket alone
                env = {"references": dict(env.get("references", {}))}
                tokens, base = block_tokens(ticket.text, env), ticket.line - 1
            fields = ticket.all_fields if ticket.all_fields is not None else ticket.fields.values()
            drafts = frozenset(s.line - 1 - base for s in ticket.sections if self.is_draft(s.title, s.body))
            options = markdown_html.Options(
                shift=self.schema.heading_level - 1,
                mention=self.schema.mention_regex,
                skip_lines=frozenset(f.line - 1 - base for f in fields),
                drafts=drafts,
                stop_line=ticket.end_line - base,
            )
            found = markdown_html.render(tokens[3:], env, options)
            if cached:
                self.bodies.put(key, found)
        return found

    def prepare(self, document) -> None:
        """Render a document's ticket bodies while the parser's tokens are at hand (see `Project.load`)."""
        for ticket in document.tickets:
            self.ticket_body(ticket)

    def intro_body(self) -> markdown_html.Rendered | None:
        """The tickets folder's index.md (what `import` kept of a document: its intro, its other
        records), rendered for the top of the tickets index, so no text of the team's is lost."""
        if self.intro is None:
            return None
        from ..core.io import read_source

        project = self.project
        shown = project.display(self.intro)
        text = read_source(self.intro, project.config.max_file_bytes, shown, root=project.root).text
        return self.markdown_body(text) if text.strip() else None

    def markdown_body(self, text: str) -> markdown_html.Rendered:
        """Any other Markdown of the repository (a runbook), rendered once per content."""
        key = ("markdown", digest(text.encode()), _RENDER_VERSION)
        found = self.bodies.get(key)
        if found is None:
            env: dict[str, Any] = {}
            options = markdown_html.Options(mention=self.schema.mention_regex)
            found = markdown_html.render(block_tokens(text, env), env, options)
            self.bodies.put(key, found)
        return found

    def is_draft(self, title: str, body: str) -> bool:
        """A section still holding the template's placeholder text: to be written."""
        spec = self.schema.section(title)
        return spec is not None and bool(spec.placeholder) and body.strip() == spec.placeholder.strip()

    def card_fields(self, ticket: Ticket) -> list[tuple[str, Field, Badge | None, str | None]]:
        """(name, field, badge or None, problem or None) for the header card, in the template's
        order. A value the template does not allow is shown with its problem, never as a badge."""
        badges = {self.schema.role(r): r for r in ("status", "priority") if self.schema.role(r)}
        found = []
        for spec in self.schema.fields:
            value = ticket.fields.get(spec.name)
            if value is None:
                continue
            problem = self.schema.value_problem(spec.name, value.value)
            role = badges.get(spec.name)
            badge = self.badge(role, getattr(ticket, role) or value.value) if role and problem is None else None
            found.append((spec.name, value, badge, problem))
        return found

    def extras(self, ticket: Ticket) -> list[tuple[str, list[str]]]:
        """Frontmatter shown on the card and in the index: the configured keys (owner, tags...)."""
        return [(key, values) for key in self.options.columns if (values := self.extra(ticket, key))]

    def extra(self, ticket: Ticket, key: str) -> list[str]:
        """A frontmatter key, or a metadata line of that name (in a multi-ticket document)."""
        value = ticket.value_of(key)
        if isinstance(value, str) and key == "tags" and key not in ticket.frontmatter:
            value = [tag.strip() for tag in value.split(",")]  # `**tags:** a, b` on a metadata line
        return _strings(value)

    def extra_columns(self, tickets: list[Ticket]) -> list[tuple[str, list[str]]]:
        """(key, its values) for each configured frontmatter column some of `tickets` fills: the
        table's extra columns and their filter menus, in one pass over the tickets."""
        shown = []
        for key in self.options.columns:
            values = sorted({v for t in tickets for v in self.extra(t, key)}, key=str.casefold)
            if values:
                shown.append((key, values))
        return shown

    def values(self, tickets: Iterable[Ticket], role: str) -> list[str]:
        """The valid values of `role` present in `tickets`, in the template's order (filter menus)."""
        present = {getattr(t, role) for t in tickets} - {None, ""}
        if role in ("status", "priority"):
            present = {v for v in present if self.badge(role, v).valid}
        return sorted(present, key=lambda v: (self.badge(role, v).rank, v.casefold()))

    def role_name(self, role: str) -> str | None:
        return self.schema.role(role)

    def tags(self, ticket: Ticket) -> list[str]:
        """Material tags (`Status: Open`..., and frontmatter `tags`): chips, tag pages, search."""
        tags: list[str] = []
        if not self.with_tags:
            return tags
        for role in ("status", "priority", "component"):
            value = getattr(ticket, role)
            name = self.schema.role(role)
            valid = role == "component" or (value and self.badge(role, value).valid)
            if value and name and valid:
                tags.append(f"{name}: {value}")
        tags.extend(self.extra(ticket, "tags"))
        return tags

    def problems(self, ticket: Ticket) -> list[str]:
        """`path:line: message` for each metadata value the template does not allow: warnings, so
        `mkdocs build --strict` fails where `ticketgen lint` reports an error."""
        found = []
        for f in ticket.fields.values():
            problem = self.schema.value_problem(f.name, f.value)
            if problem:
                found.append(f"{ticket.path.as_posix()}:{f.line}: {ticket.id}: {problem}")
        return found


def _at_render(method: Callable[..., Any]) -> Callable[..., Any]:
    """A filter Jinja calls at render time only (a `pass_context` filter is never constant-folded)."""

    @jinja2.pass_context
    def run(context: Any, *args: Any, **kwargs: Any) -> Any:
        return method(*args, **kwargs)

    return run


def _escape_strings(value: Any) -> Any:
    if isinstance(value, str):
        return str(markupsafe.escape(value))
    if isinstance(value, dict):
        return {k: _escape_strings(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escape_strings(v) for v in value]
    return value


def _strings(value: Any) -> list[str]:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [str(value)] if str(value).strip() else []
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int | float) and not isinstance(v, bool)]
    return []


def runbooks_by_ticket(runbooks: Iterable[Runbook]) -> dict[str, list[Runbook]]:
    """Runbooks by the (upper-cased) IDs their frontmatter `tickets:` lists."""
    found: dict[str, list[Runbook]] = {}
    for runbook in runbooks:
        for ticket_id in runbook.tickets:
            found.setdefault(ticket_id.upper(), []).append(runbook)
    return found


def unique_tickets(tickets: Iterable[Ticket]) -> tuple[list[Ticket], list[Ticket]]:
    """(first ticket of each ID, later ones whose ID is taken): one page per ID."""
    seen: dict[str, Ticket] = {}
    dupes = []
    for ticket in tickets:
        if ticket.id.upper() in seen:
            dupes.append(ticket)
        else:
            seen[ticket.id.upper()] = ticket
    return list(seen.values()), dupes
