"""What each generated page was made from, keyed by content digest: the site's dependency model.

A page's HTML is a function of its template and its view record (`views.py`: plain data only,
its body's links already resolved for the page), so the digest of (template, view record) is
everything a page depends on — a ticket's title in another ticket's "Mentioned by", a row in an
index table, a status count on the dashboard. Comparing two models says exactly which pages to
render again after an edit, which are new and which are gone, without a rule per kind of page
that could forget one. Search entries are made from a page's HTML, so they change with it.
No mkdocs here: `site.serve` turns a `Changes` into work.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.cache import digest
from ..core.records import Ticket
from .pages import PageSpec, SiteRenderer


@dataclass(frozen=True)
class PageInput:
    """One page: where it goes, its kind and template, and the digest of what it is made from."""

    src_uri: str
    kind: str
    template: str
    in_nav: bool
    digest: str


@dataclass(frozen=True)
class Changes:
    """What an edit changed: pages to render again, new pages, pages to delete. `navigation`:
    the sidebar's pages or their order changed, so every page's navigation is stale."""

    changed: frozenset[str]
    added: frozenset[str]
    removed: frozenset[str]
    navigation: bool

    @property
    def render(self) -> frozenset[str]:
        """The pages to render (again): changed and new; their search entries are replaced."""
        return self.changed | self.added

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.removed or self.navigation)


@dataclass(frozen=True)
class SiteModel:
    pages: dict[str, PageInput]
    nav: tuple[str, ...]  # src_uris of in-nav pages, in order
    inputs: dict[str, str] = field(default_factory=dict)  # ticket page -> digest of what its record is made of

    @classmethod
    def of(cls, renderer: SiteRenderer, specs: list[PageSpec], earlier: SiteModel | None = None) -> SiteModel:
        """The model of a planned site (`SiteRenderer.plan`'s specs). Makes every page's view
        record (not its HTML), but a ticket page's only when what it is made from (its ticket's
        text and place, its runbooks, its "Mentioned by", the site's ticket and file URLs) differs
        from `earlier`'s. Link problems found on the way are left to the real render."""
        problems = len(renderer.link_problems)
        shared = _shared(renderer)
        pages: dict[str, PageInput] = {}
        inputs: dict[str, str] = {}
        try:
            for spec in specs:
                uri = spec.src_uri
                key = _ticket_inputs(renderer, spec, shared) if spec.kind == "ticket" else None
                if key is not None and earlier is not None and earlier.inputs.get(uri) == key:
                    pages[uri] = earlier.pages[uri]
                else:
                    pages[uri] = page_input(renderer, spec)
                if key is not None:
                    inputs[uri] = key
        finally:
            del renderer.link_problems[problems:]
        return cls(pages, tuple(s.src_uri for s in specs if s.in_nav), inputs)

    def changes(self, newer: SiteModel) -> Changes:
        mine, theirs = self.pages, newer.pages
        changed = {uri for uri, page in theirs.items() if uri in mine and mine[uri] != page}
        return Changes(
            frozenset(changed),
            frozenset(theirs.keys() - mine.keys()),
            frozenset(mine.keys() - theirs.keys()),
            navigation=self.nav != newer.nav,
        )


def page_input(renderer: SiteRenderer, spec: PageSpec) -> PageInput:
    """A page's digest: its template's name and the view record it is given (plain data: str,
    int, bool, None, tuples and dicts, built in a fixed order, so its `repr` is its content)."""
    record = renderer.view_record(spec)
    return PageInput(spec.src_uri, spec.kind, spec.template, spec.in_nav, digest(repr(record).encode()))


def _shared(renderer: SiteRenderer) -> str:
    """What every ticket page's record may read besides its own ticket: which tickets and
    files have pages (mention and repository links), the fixed pages' places, the date."""
    ticket_pages = sorted(renderer.ticket_pages.items())
    source_pages = sorted((str(path), uri) for path, uri in renderer.source_pages.items())
    fixed = (renderer.index_uri, renderer.dashboard_uri, renderer.runbooks_index_uri, renderer.use_directory_urls)
    return digest(repr((ticket_pages, source_pages, fixed, renderer.today.isoformat())).encode())


def _ticket_inputs(renderer: SiteRenderer, spec: PageSpec, shared: str) -> str:
    """Everything a ticket page's view record is made from, as one digest."""
    ticket: Ticket = spec.context["ticket"]
    env = getattr(ticket, "env", None) or {}
    runbooks = [(r.rel, r.title, r.resource, tuple(r.tickets)) for r in spec.context["runbooks"]]
    mentions = renderer.mentioned_by.get(spec.src_uri, [])
    made_of = (
        shared,
        spec.src_uri,
        str(spec.source),
        ticket.path.as_posix(),
        ticket.line,
        ticket.text,
        repr(ticket.frontmatter),
        repr(sorted(env.get("references", {}).items())),
        runbooks,
        [(m.title, m.uri, m.where) for m in mentions],
    )
    return digest(repr(made_of).encode())
