"""Choosing, ordering and showing tickets by any field, read from the schema: what `list`
filters and sorts on, and the site's index can too.

A name is a column (`id`, `title`, `status`, `age`...), a template field, any other metadata
line or a frontmatter key (`owner`, `tags`). Choice fields sort in the template's order
(`Low` before `Critical`), dates as dates, IDs by number; tickets without a value come last.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .parse import parse_date
from .records import Ticket
from .template import Schema

# The columns every ticket has, whatever the template calls its fields.
COLUMNS = ("id", "title", "status", "priority", "component", "discovered", "age", "items", "path")


def value(ticket: Ticket, name: str, today: dt.date) -> Any:
    """The value of a column, field or frontmatter key (None when the ticket has none)."""
    key = name.casefold()
    if key == "id":
        return ticket.id
    if key == "title":
        return ticket.title
    if key in ("status", "priority", "component", "discovered"):
        return getattr(ticket, key)
    if key == "age":
        return ticket.age_days(today)
    if key == "items":
        return f"{sum(a.done for a in ticket.action_items)}/{len(ticket.action_items)}"
    if key == "path":
        return f"{ticket.path.as_posix()}:{ticket.line}"
    return ticket.value_of(name)


def text(value: Any) -> str:
    """A value in a cell: lists joined with commas, dates in ISO form, nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(text(v) for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def matches(ticket: Ticket, name: str, wanted: tuple[str, ...], today: dt.date, *, partial: bool = False) -> bool:
    """True when the value (or, for a list such as `tags`, one of its items) is one of `wanted`,
    compared without regard to case; `partial` accepts a part of the text."""
    if not wanted:
        return True
    found = value(ticket, name, today)
    if found is None:
        return False
    items = found if isinstance(found, (list, tuple)) else [found]
    folded = [text(i).casefold() for i in items]
    want = [w.casefold() for w in wanted]
    return any((w in f) if partial else (w == f) for f in folded for w in want)


def sort_key(schema: Schema, name: str, today: dt.date):  # noqa: ANN201 - a key function
    """A key for `sorted`: template order for choices, dates as dates, IDs by number."""
    spec = schema.field(schema.role(name.casefold()) or name)

    def key(ticket: Ticket) -> tuple:
        if name.casefold() == "id":
            return (0, ticket.number, ticket.id)
        found = value(ticket, name, today)
        if found is None or found == "":
            return (1,)
        if spec is not None and spec.kind == "choice":
            choice = spec.choice_for(text(found))
            return (0, spec.choices.index(choice)) if choice else (0, len(spec.choices), text(found).casefold())
        if isinstance(found, (int, float)):
            return (0, found)
        date = found if isinstance(found, dt.date) else parse_date(text(found))
        if date is not None:
            return (0, date.toordinal())
        return (0, text(found).casefold())

    return key


def ordered(tickets: list[Ticket], schema: Schema, sorts: tuple[str, ...], today: dt.date) -> list[Ticket]:
    """Tickets by ID, then by each `FIELD` (or `-FIELD`, descending), the first sort leading.
    Tickets without a value stay last either way."""
    result = sorted(tickets, key=lambda t: (t.number, t.id))
    for spec in reversed(sorts):
        descending = spec.startswith("-")
        key = sort_key(schema, spec.lstrip("-"), today)
        present = [t for t in result if key(t)[0] == 0]
        absent = [t for t in result if key(t)[0] != 0]
        result = sorted(present, key=key, reverse=descending) + absent
    return result
