"""`[tool.ticketgen.site]`: where pages go, which templates override ours, how badges look.

Every key is optional. Values that name statuses or priorities are checked against the
template's choices, so a typo fails loudly instead of silently colouring nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.config import MOVED, Config
from ..core.errors import ConfigError
from ..core.template import Schema

PALETTE = ("green", "teal", "blue", "yellow", "orange", "red", "grey")
_KEYS = {
    "tickets_url",
    "runbooks_url",
    "templates",
    "badge_colors",
    "dashboard_rows",
    "edit_url",
    "runbooks_in_nav",
    "columns",
    "index_uri",
    "dashboard_uri",
}


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
    table: dict[str, Any] = config.tables.get("site", {})
    where = config.source

    def fail(message: str) -> ConfigError:
        return ConfigError(f"[tool.ticketgen.site] {message}", where)

    moved = sorted(set(table) & set(MOVED))
    if moved:
        raise fail(f"{moved[0]} is now {MOVED[moved[0]]}")
    unknown = set(table) - _KEYS
    if unknown:
        raise fail(f"unknown setting(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(_KEYS))})")

    def text(key: str, default: str | None) -> str | None:
        value = table.get(key, default)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise fail(f"{key} must be a non-empty string")
        return value

    def url_part(key: str, default: str) -> str:
        value = (text(key, default) or default).strip("/")
        if not value or any(part in ("", ".", "..") for part in value.split("/")):
            raise fail(f"{key} must be a relative folder such as {default!r}")
        return value

    def choices(key: str, role: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(f"{key} must be a list of strings")
        name = schema.role(role)
        spec = schema.field(name) if name else None
        if spec is None or not spec.choices:
            return tuple(value)
        canonical = []
        for v in value:
            found = spec.choice_for(v)
            if found is None:
                raise fail(f"{key}: {v!r} is not one of the template's {spec.name} values ({', '.join(spec.choices)})")
            canonical.append(found)
        return tuple(canonical)

    colors = table.get("badge_colors", {})
    if not isinstance(colors, dict) or not all(isinstance(v, str) for v in colors.values()):
        raise fail("badge_colors must map a value to a colour name")
    bad = sorted(v for v in colors.values() if v not in PALETTE)
    if bad:
        raise fail(f"badge_colors: unknown colour(s) {', '.join(bad)} (known: {', '.join(PALETTE)})")
    rows = table.get("dashboard_rows", 10)
    if not isinstance(rows, int) or isinstance(rows, bool) or rows <= 0:
        raise fail("dashboard_rows must be a positive integer")
    in_nav = table.get("runbooks_in_nav", True)
    if not isinstance(in_nav, bool):
        raise fail("runbooks_in_nav must be true or false")
    columns = table.get("columns", ["owner", "tags"])
    if not isinstance(columns, list) or not all(isinstance(c, str) and c.strip() for c in columns):
        raise fail("columns must be a list of frontmatter keys")

    def page_uri(key: str, example: str) -> str | None:
        value = text(key, None)
        if value is None:
            return None
        value = value.strip().lstrip("/")
        parts = value.split("/")
        if not value.endswith(".md") or any(part in ("", ".", "..") for part in parts):
            raise fail(f"{key} must be a Markdown path among the docs such as {example!r} (got {value!r})")
        return value

    edit_url = text("edit_url", None)
    if edit_url is not None and "{path}" not in edit_url:
        raise fail("edit_url must contain {path}")
    templates = text("templates", None)
    templates_dir = (config.root / templates).resolve() if templates else (config.root / "templates" / "site")
    if templates and not templates_dir.is_dir():
        raise fail(f"templates folder {templates!r} does not exist")
    return SiteOptions(
        tickets_url=url_part("tickets_url", "tickets"),
        runbooks_url=url_part("runbooks_url", "runbooks"),
        templates=templates_dir if templates_dir.is_dir() else None,
        badge_colors={k.casefold(): v for k, v in colors.items()},
        dashboard_rows=rows,
        edit_url=edit_url,
        runbooks_in_nav=in_nav,
        columns=tuple(columns),
        index_uri=page_uri("index_uri", "tickets/all.md"),
        dashboard_uri=page_uri("dashboard_uri", "tickets/overview.md"),
    )
