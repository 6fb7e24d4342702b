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

from dataclasses import dataclass
from typing import Any

from ..core.cache import digest
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

    @classmethod
    def of(cls, renderer: SiteRenderer, specs: list[PageSpec]) -> SiteModel:
        """The model of a planned site (`SiteRenderer.plan`'s specs). Makes every page's view
        record (not its HTML): link problems found on the way are left to the real render."""
        problems = len(renderer.link_problems)
        try:
            pages = {spec.src_uri: page_input(renderer, spec) for spec in specs}
        finally:
            del renderer.link_problems[problems:]
        return cls(pages, tuple(s.src_uri for s in specs if s.in_nav))

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
    """A page's digest: its template's name and the view record it is given (plain data, so its
    `repr` is its content)."""
    record = renderer.view_record(spec)
    return PageInput(spec.src_uri, spec.kind, spec.template, spec.in_nav, digest(_canonical(record).encode()))


def _canonical(value: Any) -> str:
    """View records hold str, int, bool, None, tuples and dicts (`views.is_plain`): their repr,
    with dict keys sorted so two equal records give one text."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{k!r}:{_canonical(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, tuple | list):
        return "(" + ",".join(_canonical(v) for v in value) + ")"
    return f"{type(value).__name__}:{value!r}"
