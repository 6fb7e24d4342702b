"""What a site template sees: one view record per page, plain data only.

A template (ours, or an override from the repository) gets str, int, bool, None, tuples and
dicts of those, and `Markup` already escaped and resolved for its page — never a `Path`, the
`Project`, the renderer, the cache or a method to call. The renderer (`pages.py`) decides what
goes where and renders bodies; this module turns its results into records; the templates only
place them. Links between pages are site-root URIs (`tickets/TICKET-001.md`), made relative
to the page by the `href` filter; `body` and `heading` filters add to the table of contents.
Records shared by many pages (table rows, badges) are made once per build.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ..core.records import Field, Ticket
from . import html as markdown_html
from .runbooks import Runbook

if TYPE_CHECKING:
    from .pages import Badge, Mention, SiteRenderer

Record = dict[str, Any]
ROLES = ("status", "priority", "component", "discovered", "action_items")
PLAIN = (str, int, bool, type(None))


class Views:
    """Builds each page's records from the renderer's results; caches the shared ones."""

    def __init__(self, renderer: SiteRenderer):
        self.site = renderer
        self._rows: dict[int, Record] = {}
        self._badges: dict[tuple[str, str], Record | None] = {}

    def forget(self) -> None:
        """Drop the rows (they hold every ticket's data): see `SiteRenderer.stream`."""
        self._rows = {}

    # -- shared pieces -----------------------------------------------------------------------
    def common(self, uri: str, kind: str) -> Record:
        site = self.site
        return {
            "page": {"uri": uri, "kind": kind},
            "page_uri": uri,
            "today": site.today.isoformat(),
            "roles": {role: site.schema.role(role) for role in ROLES},
            "links": {
                "index": site.index_uri,
                "dashboard": site.dashboard_uri,
                "runbooks": site.runbooks_index_uri,
            },
        }

    def badge(self, role: str, value: str | None) -> Record | None:
        if not value:
            return None
        key = (role, value)
        if key not in self._badges:
            self._badges[key] = badge_record(self.site.badge(role, value))
        return self._badges[key]

    def row(self, ticket: Ticket) -> Record:
        """What every ticket table shows about a ticket."""
        found = self._rows.get(id(ticket))
        if found is None:
            site = self.site
            row = site.row(ticket)
            found = {
                "id": ticket.id,
                "number": ticket.number,
                "title": ticket.title,
                "uri": row.uri,
                "status": ticket.status,
                "priority": ticket.priority,
                "component": ticket.component,
                "discovered": ticket.discovered.isoformat() if ticket.discovered else None,
                "status_badge": badge_record(row.status),
                "priority_badge": badge_record(row.priority),
                "age": row.age,
                "done": row.done,
                "total": row.total,
                "extras": {key: tuple(site.extra(ticket, key)) for key in site.options.columns},
            }
            self._rows[id(ticket)] = found
        return found

    def table(self, tickets: list[Ticket]) -> Record:
        """A ticket table: its rows, the frontmatter columns some row fills, the filter menus."""
        site = self.site
        return {
            "rows": tuple(self.row(t) for t in tickets),
            "columns": tuple((key, tuple(values)) for key, values in site.extra_columns(tickets)),
            "menus": {role: tuple(site.values(tickets, role)) for role in ("status", "priority", "component")},
            "count": len(tickets),
        }

    def groups(self, tickets: list[Ticket]) -> Record:
        """Links to the status and component pages: {role: ({value, uri}...)}."""
        site = self.site
        return {
            role: tuple({"value": v, "uri": site.group_uri(role, v)} for v in site.values(tickets, role))
            for role in ("status", "component")
        }

    def mention(self, mention: Mention) -> Record:
        return {"title": mention.title, "uri": mention.uri, "where": mention.where}

    def runbook_link(self, runbook: Runbook) -> Record:
        tickets = []
        for ticket_id in runbook.tickets:
            target = self.site.known.get(ticket_id.upper())
            shown = target.id if target else ticket_id
            tickets.append({"id": shown, "uri": self.site.ticket_uri(target.id) if target else None})
        return {
            "title": runbook.title,
            "uri": self.site.runbook_uri(runbook),
            "resource": runbook.resource,
            "tickets": tuple(tickets),
        }

    def body(self, rendered: markdown_html.Rendered, uri: str, source: Any) -> Record:
        """A rendered body placed at `uri`: its links resolved, as Markup, and its headings."""
        return {
            "html": Markup(self.site.resolve(rendered.html, uri, source)),
            "headings": tuple(heading_record(h) for h in rendered.headings),
        }

    # -- pages -------------------------------------------------------------------------------
    def ticket_page(self, ticket: Ticket, runbooks: list[Runbook], uri: str, source: Any) -> Record:
        site = self.site
        done = len(ticket.action_items) - len(ticket.open_items)
        card = tuple(
            {"name": name, **field_record(f), "badge": badge_record(b), "problem": problem}
            for name, f, b, problem in site.card_fields(ticket)
        )
        record = {
            "id": ticket.id,
            "number": ticket.number,
            "title": ticket.title,
            "path": ticket.path.as_posix(),
            "line": ticket.line,
            "end_line": ticket.end_line,
            "status": ticket.status,
            "status_note": ticket.status_note,
            "priority": ticket.priority,
            "component": ticket.component,
            "discovered": ticket.discovered.isoformat() if ticket.discovered else None,
            "fields": {name: field_record(f) for name, f in ticket.fields.items()},
            "card": card,
            "extras": tuple((key, tuple(values)) for key, values in site.extras(ticket)),
            "action_items": tuple({"text": a.text, "done": a.done, "line": a.line} for a in ticket.action_items),
            "done": done,
            "total": len(ticket.action_items),
            "references": tuple({"text": r.text, "url": r.url, "line": r.line} for r in ticket.references),
            "related": tuple(ticket.related),
            "tags": tuple(site.tags(ticket)),
            "edit_url": site.edit_url(site.project.root / ticket.path),
            "body": self.body(site.ticket_body(ticket), uri, source),
        }
        return {
            "ticket": record,
            "mentions": tuple(self.mention(m) for m in site.mentioned_by.get(uri, [])),
            "runbooks": tuple(self.runbook_link(rb) for rb in runbooks),
        }

    def index_page(
        self, tickets: list[Ticket], intro: markdown_html.Rendered | None = None, uri: str = "", source: Any = None
    ) -> Record:
        """`intro`: the text `import` kept of a document (`SiteRenderer.intro_body`), shown above the table."""
        table = self.table(tickets)
        placed = self.body(intro, uri, source) if intro is not None else None
        return {"tickets": table["rows"], "table": table, "groups": self.groups(tickets), "intro": placed}

    def group_page(self, role: str, value: str, tickets: list[Ticket]) -> Record:
        table = self.table(tickets)
        return {"role": role, "value": value, "tickets": table["rows"], "table": table}

    def dashboard_page(self, data: dict[str, Any]) -> Record:
        site = self.site
        counts = {}
        for role in ("status", "priority"):
            counts[role] = tuple(
                {
                    "badge": badge_record(b),
                    "total": total,
                    "open": still_open,
                    "uri": site.group_uri(role, b.value)
                    if role == "status"
                    else f"{site.index_uri}#{_fragment(role, b.value)}",
                }
                for b, total, still_open in data[f"by_{role}"]
            )
        tables = {name: self.table(data[name]) for name in ("urgent", "recent", "oldest", "busiest")}
        return {
            "tickets": tuple(self.row(t) for t in data["tickets"]),
            "open_count": data["open_count"],
            "by_status": counts["status"],
            "by_priority": counts["priority"],
            "urgent_names": tuple(data["urgent_names"]),
            **{name: table["rows"] for name, table in tables.items()},
            "tables": tables,
            "items_done": data["items_done"],
            "items_total": data["items_total"],
        }

    def runbook_page(self, runbook: Runbook, tickets: list[Ticket], uri: str) -> Record:
        rendered = self.site.markdown_body(runbook.body)
        record = self.runbook_link(runbook)
        record["meta"] = plain(runbook.page_meta)
        record["body"] = self.body(rendered, uri, runbook.path)
        linked = tuple(
            {"id": t.id, "title": t.title, "status": t.status, "badge": self.badge("status", t.status), "uri": u}
            for t in tickets
            for u in (self.site.ticket_uri(t.id),)
        )
        return {"runbook": record, "tickets": linked}

    def runbooks_index(self, runbooks: list[Runbook]) -> Record:
        return {"runbooks": tuple(self.runbook_link(rb) for rb in runbooks)}


def badge_record(badge: Badge | None) -> Record | None:
    if badge is None:
        return None
    return {"value": badge.value, "color": badge.color, "rank": badge.rank, "valid": badge.valid}


def field_record(f: Field) -> Record:
    return {"value": f.value, "raw": f.raw, "note": f.note, "line": f.line}


def heading_record(heading: markdown_html.Heading) -> Record:
    return {"level": heading.level, "anchor": heading.id, "title": heading.title}


def _fragment(role: str, value: str) -> str:
    from urllib.parse import urlencode

    return urlencode({role: value})


def plain(value: Any) -> Any:
    """`value` as template data: str, int, bool, None, and tuples and dicts of those (a YAML
    date or float becomes its text)."""
    if isinstance(value, PLAIN):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return tuple(plain(v) for v in value)
    return str(value)


def is_plain(value: Any) -> bool:
    """True when `value` is template data all the way down (what a test asserts of every view)."""
    if isinstance(value, PLAIN):  # Markup is a str
        return True
    if type(value) is dict:
        return all(type(k) is str and is_plain(v) for k, v in value.items())
    if type(value) is tuple:
        return all(is_plain(v) for v in value)
    return False


def as_headings(record: Iterable[Record]) -> list[markdown_html.Heading]:
    return [markdown_html.Heading(int(h["level"]), str(h["anchor"]), str(h["title"])) for h in record]
