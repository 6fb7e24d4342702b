"""`[tool.ticketgen.site]`: where pages go, which templates override ours, how badges look.

Every key is optional. Values that name statuses or priorities are checked against the
template's choices, so a typo fails loudly instead of silently colouring nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.config import Config
from ..core.template import Schema


@dataclass(frozen=True)
class SiteOptions:
    tickets_url: str = "tickets"
    runbooks_url: str = "runbooks"
    templates: Path | None = None  # a folder whose same-named .j2 files replace ours
    badge_colors: dict[str, str] = field(default_factory=dict)  # casefolded value -> palette name
    dashboard_rows: int = 10
    edit_url: str | None = None  # e.g. "https://github.com/o/r/edit/main/{path}"
    runbooks_in_nav: bool = True
    columns: tuple[str, ...] = ("owner", "tags")  # frontmatter keys on the card and in the index
    # Where the tickets index and the dashboard go among the docs (None: `<tickets_url>/index.md`,
    # `<tickets_url>/dashboard.md`); a page of the team's at that URL moves them to a free one.
    index_uri: str | None = None
    dashboard_uri: str | None = None


def load_options(config: Config, schema: Schema) -> SiteOptions:
    """The site's table as the renderer uses it (the settings model has checked every value)."""
    site = config.site
    templates_dir = (config.root / site.templates).resolve() if site.templates else (config.root / "templates" / "site")
    if site.templates and not templates_dir.is_dir():
        raise config.error(f"templates folder {site.templates!r} does not exist", "site", "templates")
    return SiteOptions(
        tickets_url=site.tickets_url,
        runbooks_url=site.runbooks_url,
        templates=templates_dir if templates_dir.is_dir() else None,
        badge_colors={k.casefold(): v for k, v in site.badge_colors.items()},
        dashboard_rows=site.dashboard_rows,
        edit_url=site.edit_url,
        runbooks_in_nav=site.runbooks_in_nav,
        columns=site.columns,
        index_uri=site.index_uri,
        dashboard_uri=site.dashboard_uri,
    )
