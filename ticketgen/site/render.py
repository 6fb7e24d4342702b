"""Records -> the site's pages, as Markdown strings, through Jinja templates. No mkdocs here.

The mkdocs plugin and `ticketgen render --out` both plan the pages with `SiteRenderer.plan`
and render each with `SiteRenderer.page`; whatever builds the site only has to turn Markdown
into HTML. Ticket text is always template *data*:
it is never compiled, and where a template builds HTML, autoescape turns `<` into `&lt;`.
Verbatim Markdown (section bodies, runbooks) is passed through the `markdown` filter,
which says "this is Markdown source for the next stage" rather than "this is HTML".
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from markupsafe import Markup, escape

from ..core.errors import ConfigError
from ..core.io import BOM, split_lines
from ..core.markdown import escape_raw_html
from ..core.project import Project
from ..core.records import Field, Ticket
from ..core.template import Schema
from .options import SiteOptions
from .runbooks import Runbook

ASSET_DIR = "assets/ticketgen"
ASSETS = ("ticketgen.css", "ticketgen.js")
_HEAT = ("green", "blue", "yellow", "orange", "red")  # priority: first choice calm, last alarming
_PROGRESS = ("orange", "yellow", "blue", "teal", "green")  # status: first choice new, last done


@dataclass(frozen=True)
class GeneratedPage:
    """One page of the site. `src_uri` is where it sits among the docs (posix, `.md`).

    `body` is Markdown in which each piece of finished HTML the templates made (tables,
    header cards) is a one-word paragraph, a placeholder; `html` holds those pieces in order.
    A site generator that can, keeps the HTML out of its Markdown conversion (the mkdocs
    plugin does); `markdown` is the standalone page, with frontmatter and the HTML in place.
    """

    src_uri: str
    body: str
    kind: str  # ticket | tickets-index | dashboard | status | component | runbook | runbooks-index
    source: Path | None = None  # the file it comes from, for edit links and watching
    in_nav: bool = False
    ticket_id: str | None = None
    # Frontmatter (title, tags, search...) from the template's `meta`; None where the template
    # set none, and its body may start with frontmatter of its own.
    meta: dict[str, Any] | None = None
    html: tuple[str, ...] = ()

    @property
    def content(self) -> str:
        """`body` as a generator reads it: after a blank line where `meta` is set, so no text the
        template put first (a runbook's own lines) is taken for page metadata."""
        return self.body if self.meta is None else "\n" + self.body.lstrip("\n")

    @property
    def markdown(self) -> str:
        body = self.content
        body = PLACEHOLDER.sub(lambda m: self.html[int(m.group(1))], body) if self.html else body
        return f"---\n{frontmatter(self.meta)}---\n{body}" if self.meta else body


@dataclass(frozen=True)
class PageSpec:
    """A page to render: its template, place, kind and the template's data."""

    template: str
    src_uri: str
    kind: str
    source: Path | None = None
    in_nav: bool = False
    ticket_id: str | None = None
    context: dict[str, Any] = field(default_factory=dict)


# A paragraph of one word that no ticket text can contain: the nonce is new in every process.
PLACEHOLDER_WORD = f"tgstash{secrets.token_hex(8)}n"
PLACEHOLDER = re.compile(rf"{PLACEHOLDER_WORD}(\d+)")


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


_JINJA_CODE = tuple(str(Path(module.__file__).parent) for module in (jinja2, markupsafe))
_PACKAGED = str(Path(__file__).parents[1] / "templates")


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line an error was raised at, when the innermost frame outside
    jinja2 itself is template code (jinja2 marks those and maps their lines back to the
    template's); (None, None) when it is Python of ours that a template called."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        template = frame.f_globals.get("__jinja_template__")
        if isinstance(template, jinja2.Template):
            found = (template.filename, template.get_corresponding_lineno(tb.tb_lineno))
        elif not frame.f_code.co_filename.startswith(_JINJA_CODE):
            found = (None, None)
        tb = tb.tb_next
    return found


def relative_href(from_src: str, to_src: str, use_directory_urls: bool) -> str:
    here, there = page_url(from_src, use_directory_urls), page_url(to_src, use_directory_urls)
    base = here if here.endswith("/") or not here else posixpath.dirname(here)
    rel = relpath(there, base)
    if there.endswith("/") or not there:
        rel = "./" if rel == "." else rel + "/"
    return rel


def relpath(path: str, start: str) -> str:
    """`posixpath.relpath` for two site-root-relative paths, without its two `os.getcwd()` calls
    (index pages link thousands of tickets, and every page mentions some)."""
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
    the override folder's `assets/` replaces ours, as for templates."""
    packaged = resources.files("ticketgen").joinpath("templates/site/assets")
    found = {}
    for name in ASSETS:
        mine = override / "assets" / name if override else None
        data = mine.read_bytes() if mine and mine.is_file() else packaged.joinpath(name).read_bytes()
        found[f"{ASSET_DIR}/{name}"] = data
    return found


@dataclass
class Badge:
    value: str
    color: str
    rank: int  # position among the template's choices; unknown values sort last


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
    ):
        self.project = project
        self.schema: Schema = project.schema
        self.options = options
        self.use_directory_urls = use_directory_urls
        self.edit_url = edit_url or self._configured_edit_url
        self.today = today or dt.date.today()
        self.with_tags = tags
        self.env = _environment(options.templates)
        self._badges: dict[tuple[str, str], Badge | None] = {}
        self._rows: dict[int, Row] = {}
        self._group_uris: dict[tuple[str, str], str] = {}

    # -- where things go -------------------------------------------------------------------
    def ticket_uri(self, ticket_id: str) -> str:
        return f"{self.options.tickets_url}/{ticket_id}.md"

    def runbook_uri(self, runbook: Runbook) -> str:
        return f"{self.options.runbooks_url}/{runbook.rel}"

    @property
    def index_uri(self) -> str:
        return f"{self.options.tickets_url}/index.md"

    @property
    def dashboard_uri(self) -> str:
        return f"{self.options.tickets_url}/dashboard.md"

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
        return self.options.edit_url.format(path=self.project.display(path).as_posix())

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
            if role == "status" and canonical in self.schema.done_statuses:
                color = _PROGRESS[-1]
            else:
                position = rank / (len(choices) - 1) if len(choices) > 1 else 0
                color = scale[round(position * (len(scale) - 1))]
        return Badge(value, color or "grey", rank)

    def is_open(self, ticket: Ticket) -> bool:
        return not self.schema.is_done(ticket.status)

    # -- pages -------------------------------------------------------------------------------
    def plan(self, tickets: Iterable[Ticket], runbooks: Iterable[Runbook] = ()) -> list[PageSpec]:
        """Every generated page, planned (cheap): where it goes and what its template gets;
        `page(spec)` renders one. `tickets` must have unique IDs (see `unique_tickets`)."""
        tickets = sorted(tickets, key=lambda t: (t.number, t.id))
        runbooks = list(runbooks)
        self._rows = {}
        groups = {role: self._groups(tickets, role) for role in ("status", "component")}
        self._assign_group_uris(groups)
        by_ticket = runbooks_by_ticket(runbooks)
        known = {t.id.upper(): t for t in tickets}
        specs = [self.ticket_spec(t, by_ticket) for t in tickets]
        specs.append(
            PageSpec("index.md.j2", self.index_uri, "tickets-index", in_nav=True, context={"tickets": tickets})
        )
        dashboard = {"tickets": tickets, **self._dashboard(tickets)}
        specs.append(PageSpec("dashboard.md.j2", self.dashboard_uri, "dashboard", in_nav=True, context=dashboard))
        for role, values in groups.items():
            for value, members in values.items():
                context = {"role": role, "value": value, "tickets": members}
                specs.append(PageSpec("group.md.j2", self.group_uri(role, value), role, context=context))
        for runbook in runbooks:
            linked = [known[t.upper()] for t in runbook.tickets if t.upper() in known]
            specs.append(
                PageSpec(
                    "runbook.md.j2",
                    self.runbook_uri(runbook),
                    "runbook",
                    runbook.path,
                    in_nav=self.options.runbooks_in_nav,
                    context={"runbook": runbook, "tickets": linked},
                )
            )
        runbooks_index = f"{self.options.runbooks_url}/index.md"
        if runbooks and not any(spec.src_uri == runbooks_index for spec in specs):
            context = {"runbooks": runbooks, "known": known}
            specs.append(PageSpec("runbooks.md.j2", runbooks_index, "runbooks-index", in_nav=True, context=context))
        return specs

    def ticket_spec(self, ticket: Ticket, by_ticket: dict[str, list[Runbook]]) -> PageSpec:
        """A ticket's page: it depends on no other ticket (`TicketPages` keeps it across builds)."""
        return PageSpec(
            "ticket.md.j2",
            self.ticket_uri(ticket.id),
            "ticket",
            self.project.root / ticket.path,
            ticket_id=ticket.id,
            context={"ticket": ticket, "runbooks": by_ticket.get(ticket.id.upper(), [])},
        )

    def forget_rows(self) -> None:
        self._rows = {}

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
            if value:
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
        """(badge, all tickets, open tickets) per value, in the template's order."""
        counts: dict[str, list[int]] = {}
        for ticket in tickets:
            value = getattr(ticket, role)
            if value:
                entry = counts.setdefault(value, [0, 0])
                entry[0] += 1
                entry[1] += self.is_open(ticket)
        badges = [(self.badge(role, v), n, o) for v, (n, o) in counts.items()]
        return sorted(badges, key=lambda b: (b[0].rank, b[0].value.casefold()))

    def page(self, spec: PageSpec) -> GeneratedPage:
        """Render one planned page. The template's top-level `meta` becomes the frontmatter
        (its strings HTML-escaped: themes print titles and tags as they are); each
        `{% call html() %}` block becomes a placeholder (see GeneratedPage)."""
        pieces: list[str] = []
        uri = spec.src_uri

        def href(target: str) -> str:
            return relative_href(uri, target, self.use_directory_urls)

        def html(caller: Callable[[], str]) -> Markup:
            pieces.append(caller())
            return Markup(f"\n\n{PLACEHOLDER_WORD}{len(pieces) - 1}\n\n")

        variables = {"site": self, "schema": self.schema, "today": self.today, "page_uri": uri, "href": href}
        try:
            module = self.env.get_template(spec.template).make_module(variables | {"html": html} | spec.context)
            body = str(module)
        except Exception as exc:  # a broken override: say which template, where
            where, line = _template_frame(exc)
            ours = where is None or where.startswith(_PACKAGED)
            if ours and not isinstance(exc, jinja2.TemplateError):
                raise  # not from an override: a bug of ours, not the user's
            where = getattr(exc, "filename", None) or where or spec.template
            line = getattr(exc, "lineno", None) or line
            raise ConfigError(f"site template: {exc}", where, line) from None
        meta = getattr(module, "meta", None)
        if meta is not None:
            meta = _escape_strings(dict(meta))
        return GeneratedPage(uri, body, spec.kind, spec.source, spec.in_nav, spec.ticket_id, meta, tuple(pieces))

    # -- helpers the templates call ------------------------------------------------------------
    def preamble(self, ticket: Ticket) -> str:
        """Text between the ticket's heading and its first section that is not a metadata line."""
        lines = split_lines(ticket.text.removeprefix(BOM))
        stop = (ticket.sections[0].line - ticket.line) if ticket.sections else len(lines)
        field_lines = {f.line - ticket.line for f in getattr(ticket, "all_fields", ticket.fields.values())}
        kept = [line for k, line in enumerate(lines[1:stop], 1) if k not in field_lines]
        return "".join(kept).strip()

    def card_fields(self, ticket: Ticket) -> list[tuple[str, Field, Badge | None]]:
        """(name, field, badge or None) for the header card, in the template's order."""
        badges = {self.schema.role(r): r for r in ("status", "priority") if self.schema.role(r)}
        found = []
        for spec in self.schema.fields:
            value = ticket.fields.get(spec.name)
            if value is not None:
                role = badges.get(spec.name)
                badge = self.badge(role, getattr(ticket, role) or value.value) if role else None
                found.append((spec.name, value, badge))
        return found

    def heading(self, level: int) -> str:
        """Sections sit one level under the ticket heading; on its own page the ticket is the H1."""
        return "#" * max(2, level - self.schema.heading_level + 1)

    def values(self, tickets: Iterable[Ticket], role: str) -> list[str]:
        """The values of `role` present in `tickets`, in the template's order (filter menus)."""
        present = {getattr(t, role) for t in tickets} - {None, ""}
        return sorted(present, key=lambda v: (self.badge(role, v).rank, v.casefold()))

    def role_name(self, role: str) -> str | None:
        return self.schema.role(role)

    def tags(self, ticket: Ticket) -> list[str]:
        """Material tags (`Status: Open`...): chips, tag pages, and search terms."""
        tags: list[str] = []
        if not self.with_tags:
            return tags
        for role in ("status", "priority", "component"):
            value = getattr(ticket, role)
            name = self.schema.role(role)
            if value and name:
                tags.append(f"{name}: {value}")
        return tags


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


def frontmatter(meta: dict[str, Any]) -> str:
    """YAML frontmatter lines, one key a line, each value in JSON's syntax (which YAML reads,
    and which is much cheaper to write than YAML)."""
    return "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in meta.items())


def _yaml(value: dict[str, Any]) -> Markup:
    return Markup(frontmatter(_escape_strings(value)))


def _escape_strings(value: Any) -> Any:
    if isinstance(value, str):
        return str(escape(value))
    if isinstance(value, dict):
        return {k: _escape_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escape_strings(v) for v in value]
    return value


def _markdown(text: str) -> Markup:
    """Verbatim Markdown from the repo, with its raw HTML shown as text (never run)."""
    return Markup(escape_raw_html(text))


def _environment(override: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override is not None:
        loaders.append(jinja2.FileSystemLoader(str(override)))
    loaders.append(jinja2.PackageLoader("ticketgen", "templates/site"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # one environment per build; no stat of every template for every page
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = _markdown
    env.filters["yaml"] = _yaml  # for templates copied before `meta`: `---\n{{ {...} | yaml }}---`
    env.filters["slug"] = slug
    return env
