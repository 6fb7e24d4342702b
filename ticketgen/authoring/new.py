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

from ..core.errors import ContentError, TicketgenError, UsageError
from ..core.io import remove_stale_temps, write_atomic
from ..core.project import Corpus, Project
from ..core.template import Schema, check_value
from ..core.templating import environment
from .edit import field_value
from .ids import branch_ids, file_name_numbers, git_dir, id_width, used_numbers

_MAX_SLUG = 60


@dataclass(frozen=True)
class NewTicket:
    ticket_id: str
    path: Path
    notes: tuple[str, ...]
    line: int = 1  # the ticket's heading


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


def render_ticket(
    schema: Schema,
    ticket_id: str,
    title: str,
    values: dict[str, str],
    frontmatter: dict[str, str] | None = None,
    extra: dict[str, str] | None = None,
) -> str:
    """The ticket's Markdown; `frontmatter` keys go above it, `extra` ones are metadata lines."""
    env = environment("new", autoescape=False)
    return env.get_template("ticket.md.j2").render(
        schema=schema, ticket_id=ticket_id, title=title, values=values, frontmatter=frontmatter or {}, extra=extra or {}
    )


def configured_defaults(project: Project) -> dict[str, str]:
    """`[tool.ticketgen.new] defaults = {Priority = "Medium"}`: values `new` uses when none is
    given, checked against the template like given ones."""
    config = project.config
    checked = {}
    for name, value in config.new.defaults.items():
        if project.schema.field(name) is None:
            raise config.error(f"defaults: the template has no field {name!r}", "new", "defaults")
        try:
            spec_name, written = field_value(project, name, value)
        except TicketgenError as exc:
            raise config.error(f"defaults: {exc.message}", "new", "defaults") from None
        checked[spec_name] = written
    return checked


def missing_choices(project: Project, given: dict[str, str]) -> list[str]:
    """Choice fields that would get no value: not given, no configured default, and not the
    status (which starts at its first open choice)."""
    schema = project.schema
    have = {name.casefold() for name in [*given, *configured_defaults(project)]}
    status = schema.role("status")
    return [f.name for f in schema.fields if f.kind == "choice" and f.name.casefold() not in have and f.name != status]


def default_values(project: Project, given: dict[str, str], today: dt.date) -> dict[str, str]:
    """Template fields: the given values (checked against the template), else the configured
    default, else today's date for a date field (not the resolved date) and the first open
    status; other text fields keep the template's placeholder. A choice field never does: with
    no value for it, `new` stops and names it."""
    schema = project.schema
    values = {f.name: f.placeholder for f in schema.fields}
    for f in schema.fields:
        if f.kind == "date" and f.name != schema.resolved_field:
            values[f.name] = today.isoformat()
    status = schema.role("status")
    if status and schema.open_status:
        values[status] = schema.open_status
    values.update(configured_defaults(project))
    for name, value in given.items():
        try:
            spec_name, written = field_value(project, name, value)
        except ContentError as exc:  # on the command line, a bad value is a usage error
            raise UsageError(exc.message) from None
        values[spec_name] = written
    missing = missing_choices(project, given)
    if missing:
        spec = schema.field(missing[0])
        assert spec is not None
        flag = "--priority VALUE" if schema.role("priority") == spec.name else f"--set '{spec.name}=VALUE'"
        source = project.config.source
        where = project.display(source).as_posix() if source else "ticketgen.toml"
        raise UsageError(
            f"{spec.name} needs a value, one of: {', '.join(spec.choices)}; pass {flag}, "
            f"or set a default ([new] defaults in {where})"
        )
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
    frontmatter: dict[str, str] | None = None,
    into: Path | None = None,
) -> NewTicket:
    """Write the ticket to its own file, or append it to `into`, a configured document.
    `given` holds template fields; `frontmatter` other keys (`owner`), as YAML values."""
    schema = project.schema
    tickets_dir = project.config.tickets_dir
    title = check_title(title)
    values = default_values(project, given, today or dt.date.today())
    project.check_tickets_dir()  # before the lock, which may create the folder
    if into is not None and into.resolve() not in {d.resolve() for d in project.config.documents}:
        raise UsageError(f"{project.display(into)} is not a configured document (`documents` in the settings)")
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
        clash = sorted(tickets_dir.glob(f"{ticket_id}-*.md")) + sorted(tickets_dir.glob(f"{ticket_id}.md"))
        if clash:
            raise ContentError(f"{ticket_id} is already used by a file", project.display(clash[0]))
        if into is not None:
            # In a document, keys the template does not define are metadata lines of the ticket.
            text = render_ticket(schema, ticket_id, title or schema.title_placeholder, values, extra=frontmatter)
            line = append_to_document(project, into, text) + _heading_line(text, ticket_id) - 1
            return NewTicket(ticket_id, into, tuple(notes), line)
        name = f"{ticket_id}-{slug}.md" if slug else f"{ticket_id}.md"
        path = tickets_dir / name
        text = render_ticket(schema, ticket_id, title or schema.title_placeholder, values, frontmatter)
        remove_stale_temps(tickets_dir)
        write_atomic(path, text, exclusive=True, inside=project.root)
    return NewTicket(ticket_id, path, tuple(notes), _heading_line(text, ticket_id))


def _heading_line(text: str, ticket_id: str) -> int:
    """The line of the ticket's heading in its rendered text (after any frontmatter)."""
    lines = text.splitlines()
    return next((n for n, line in enumerate(lines, 1) if line.startswith("#") and ticket_id in line), 1)


def append_to_document(project: Project, path: Path, ticket: str) -> int:
    """Add a ticket to a multi-ticket document after its last ticket (at the end when it has
    none), behind a `---` rule as in the seed, in the document's line endings; every other byte
    stays, and the document is written only if it did not change meanwhile. Returns the line
    the ticket's text starts at."""
    from ..core.io import decode, read_bytes, rewrite, split_lines
    from ..core.parse import parse_document

    shown = project.display(path)
    data = read_bytes(path, project.config.max_file_bytes, shown, root=project.root)
    text = decode(data, shown, project.config.max_file_bytes).text
    lines = split_lines(text)
    ending = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
    tickets = parse_document(text, shown, project.schema).tickets
    at = max(t.end_line for t in tickets) if tickets else len(lines)
    if at and not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] += ending
    rule = "" if not at else f"{ending}---{ending}{ending}"
    block = rule + ticket.replace("\n", ending)
    if at < len(lines) and lines[at].strip():
        block += ending  # keep a blank line before what follows
    lines.insert(at, block)
    rewrite(path, data, "".join(lines).encode("utf-8"), inside=project.root)
    return at + rule.count(ending) + 1
