"""`ticketgen new`: a ticket rendered from the template, under a never-reused ID.

The ID is chosen and the file created while holding a lock, and the file is created with an
exclusive link, so parallel `new` calls get distinct IDs and no file is ever overwritten.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ContentError, UsageError
from ..core.io import remove_stale_temps, write_atomic
from ..core.project import Corpus, Project
from ..core.template import Schema, check_value
from ..core.templating import environment
from .ids import branch_ids, file_name_numbers, git_dir, id_width, used_numbers

_MAX_SLUG = 60


@dataclass(frozen=True)
class NewTicket:
    ticket_id: str
    path: Path
    notes: tuple[str, ...]


def slugify(title: str) -> str:
    """A file-name-safe slug: ASCII letters, digits and single dashes, never a path."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > _MAX_SLUG:
        slug = slug[:_MAX_SLUG].rsplit("-", 1)[0] or slug[:_MAX_SLUG]
    return slug


def normalize_id(raw: str, schema: Schema, width: int) -> str:
    """`TICKET-2`, `ticket-002` or `2` -> `TICKET-002`; anything else is refused."""
    number = schema.given_number(raw)
    if number is None:
        raise UsageError(f"{raw!r} does not match the template's ID pattern {schema.prefix}{'N' * schema.width}")
    return schema.format_id(number, width)


def check_title(title: str) -> str:
    return check_value("the title", title).strip()


def render_ticket(schema: Schema, ticket_id: str, title: str, values: dict[str, str]) -> str:
    env = environment("new", autoescape=False)
    return env.get_template("ticket.md.j2").render(schema=schema, ticket_id=ticket_id, title=title, values=values)


def default_values(schema: Schema, given: dict[str, str], today: dt.date) -> dict[str, str]:
    """Given values (validated against the template), then today's date for date fields and
    the first choice for the status; anything else keeps the template's placeholder."""
    values = {f.name: f.placeholder for f in schema.fields}
    for f in schema.fields:
        if f.kind == "date":
            values[f.name] = today.isoformat()
    status = schema.role("status")
    if status:
        spec = schema.field(status)
        if spec and spec.choices:
            values[spec.name] = spec.choices[0]
    for name, value in given.items():
        spec = schema.field(name)
        if spec is None:
            raise UsageError(f"the template has no field {name!r} (fields: {', '.join(f.name for f in schema.fields)})")
        check_value(spec.name, value)
        if spec.kind == "choice":
            choice = spec.choice_for(value.strip())
            if choice is None:
                raise UsageError(f"{spec.name} must be one of: {', '.join(spec.choices)} (got {value!r})")
            value = choice
        elif spec.kind == "date":
            try:
                value = dt.date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                raise UsageError(f"{spec.name} must be a date YYYY-MM-DD (got {value!r})") from None
        values[spec.name] = value.strip()
    return values


@contextmanager
def _id_lock(project: Project) -> Iterator[None]:
    folder = git_dir(project.root) or project.config.tickets_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / ".ticketgen-new.lock", "a")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise ContentError(f"cannot create the lock file: {exc.strerror}", project.display(folder)) from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def create_ticket(
    project: Project,
    ticket_id: str | None,
    title: str,
    given: dict[str, str],
    today: dt.date | None = None,
) -> NewTicket:
    schema = project.schema
    tickets_dir = project.config.tickets_dir
    title = check_title(title)
    values = default_values(schema, given, today or dt.date.today())
    project.check_tickets_dir()  # before the lock, which may create the folder
    notes = []
    slug = slugify(title)
    if title and ("/" in title or "\\" in title or ".." in title):
        notes.append(f"the title has path characters; the file name uses the slug {slug!r}")
    with _id_lock(project):
        corpus: Corpus = project.load()
        elsewhere = branch_ids(project)
        width = id_width(corpus, schema)
        if ticket_id is None:
            taken = used_numbers(corpus, schema, elsewhere, file_name_numbers(project))
            ticket_id = schema.format_id(max(taken, default=0) + 1, width)
        else:
            ticket_id = normalize_id(ticket_id, schema, width)
            existing = corpus.find(ticket_id)
            if existing is not None:
                raise ContentError(f"{ticket_id} already exists", existing.path, existing.line)
            if ticket_id in elsewhere:
                raise ContentError(f"{ticket_id} already exists on {', '.join(sorted(elsewhere[ticket_id]))}")
        name = f"{ticket_id}-{slug}.md" if slug else f"{ticket_id}.md"
        path = tickets_dir / name
        clash = sorted(tickets_dir.glob(f"{ticket_id}-*.md")) + sorted(tickets_dir.glob(f"{ticket_id}.md"))
        if clash:
            raise ContentError(f"{ticket_id} is already used by a file", project.display(clash[0]))
        text = render_ticket(schema, ticket_id, title or schema.title_placeholder, values)
        remove_stale_temps(tickets_dir)
        write_atomic(path, text, exclusive=True, inside=project.root)
    return NewTicket(ticket_id, path, tuple(notes))
