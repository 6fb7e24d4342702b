"""The template is the schema.

One Markdown template (a file, or a fenced block inside a document as in the seed) defines
the ticket ID pattern, the metadata fields with their kinds, and the sections in order.
Scaffolding, parsing, linting and rendering all read the `Schema` built here; no field or
section name is written in Python.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

from markdown_it.token import Token

from .errors import ConfigError, ContentError, UsageError
from .io import BOM, read_source, split_lines
from .markdown import block_tokens, heading_level, heading_text, match_field, match_task
from .terminal import CONTROL
from .validate import ID_DIGITS, ID_NUMBER

# `TICKET-XXX: Title`, `INC-NNN: Title`, `ADR-0000: Title`
_PLACEHOLDER_HEADING = re.compile(r"^(?P<prefix>[A-Za-z][\w.-]*?[-_])(?P<digits>X+|N+|0+|#+)\s*:\s*(?P<title>.*)$")
# Cheap pre-check before block-parsing a fence's content: a line that could be the heading.
_MAYBE_TEMPLATE_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+[A-Za-z][\w.-]*?[-_](?:X+|N+|0+|#+)\s*:", re.MULTILINE)
_DATE_PLACEHOLDER = re.compile(r"^(YYYY-MM-DD|yyyy-mm-dd)$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
ROLE_NAMES = ("status", "priority", "discovered", "component", "action_items", "resolved")
# Roles that name values of a role's field rather than a field: which statuses mean "done",
# which priorities are urgent. Defaults come from choice order (see `Schema.done_statuses`).
VALUE_ROLES = {"done": "status", "urgent": "priority"}


@dataclass(frozen=True)
class FieldSpec:
    """A metadata field: `kind` is `choice` (`A | B | C`), `date` (`YYYY-MM-DD`) or `text`."""

    name: str
    kind: str
    placeholder: str
    choices: tuple[str, ...] = ()

    def choice_for(self, value: str) -> str | None:
        """The template's spelling of `value`, matched without regard to case."""
        folded = value.casefold()
        return next((c for c in self.choices if c.casefold() == folded), None)


@dataclass(frozen=True)
class SectionSpec:
    title: str
    placeholder: str
    has_tasks: bool


@dataclass(frozen=True)
class Schema:
    prefix: str
    width: int
    heading_level: int
    title_placeholder: str
    fields: tuple[FieldSpec, ...]
    sections: tuple[SectionSpec, ...]
    sections_text: str  # the template's verbatim text from the first section on
    roles: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # VALUE_ROLES set in the config

    @cached_property
    def id_regex(self) -> re.Pattern[str]:
        return re.compile(re.escape(self.prefix) + ID_NUMBER, re.IGNORECASE)

    @cached_property
    def mention_regex(self) -> re.Pattern[str]:
        """A mention in prose: the prefix and digits, not inside a longer word or path."""
        return re.compile(r"(?<![\w/-])" + re.escape(self.prefix) + ID_NUMBER + r"(?![\w-])")

    def format_id(self, number: int, width: int | None = None) -> str:
        return f"{self.prefix}{number:0{width or self.width}d}"

    def id_number(self, ticket_id: str) -> int | None:
        m = self.id_regex.fullmatch(ticket_id)
        return int(m.group(1)) if m else None

    def given_number(self, raw: str) -> int | None:
        """The number a user means: `TICKET-2`, `ticket-002` or `2` -> 2; None if not an ID."""
        text = raw.strip()
        return int(text) if ID_DIGITS.fullmatch(text) else self.id_number(text)

    def name_number(self, name: str) -> int | None:
        """The ID number a file name starts with (`TICKET-007-title.md` -> 7), if any."""
        m = re.match(re.escape(self.prefix) + ID_NUMBER, name, re.IGNORECASE)
        return int(m.group(1)) if m else None

    def field(self, name: str) -> FieldSpec | None:
        folded = name.casefold()
        return next((f for f in self.fields if f.name.casefold() == folded), None)

    def value_problem(self, name: str, value: str) -> str | None:
        """Why `value` is not allowed in field `name` (a choice the template does not list, a
        date that is no real date), or None. Empty values and unknown fields are lint's business."""
        spec = self.field(name)
        if spec is None or not value.strip():
            return None
        if spec.kind == "choice" and spec.choice_for(value) is None:
            return f"{spec.name} {value!r} is not one of the template's choices ({', '.join(spec.choices)})"
        if spec.kind == "date" and parse_date(value) is None:
            return f"{spec.name} {value!r} is not a date (YYYY-MM-DD)"
        return None

    def section(self, title: str) -> SectionSpec | None:
        folded = title.casefold()
        return next((s for s in self.sections if s.title.casefold() == folded), None)

    def role(self, role: str) -> str | None:
        """The field (or, for `action_items`, section) name that plays `role`."""
        return self.roles.get(role)

    def choices_of(self, role: str) -> tuple[str, ...]:
        spec = self.field(self.role(role) or "")
        return spec.choices if spec else ()

    @property
    def done_statuses(self) -> tuple[str, ...]:
        """Statuses that mean the work is done: `done` in `[tool.ticketgen.roles]`, else the
        status field's last choice (`Resolved` in `Open | In Progress | Resolved`)."""
        return self.values.get("done", self.choices_of("status")[-1:])

    @property
    def urgent_priorities(self) -> tuple[str, ...]:
        """Priorities the dashboard leads with: `urgent` in the roles, else the last two choices."""
        return self.values.get("urgent", self.choices_of("priority")[-2:])

    def is_done(self, status: str | None) -> bool:
        return status is not None and status in self.done_statuses

    @property
    def open_status(self) -> str | None:
        """The status a new or reopened ticket gets: the first choice that does not mean done."""
        return next((s for s in self.choices_of("status") if not self.is_done(s)), None)

    @property
    def resolved_field(self) -> str | None:
        """The date field `close` fills: `resolved` in the roles, else a date field named after a
        done status (`Resolved`, `Resolved on` for the status `Resolved`); None when there is none."""
        if "resolved" in self.roles:
            return self.roles["resolved"]
        done = [s.casefold() for s in self.done_statuses]
        return next(
            (
                f.name
                for f in self.fields
                if f.kind == "date"
                and f.name != self.role("discovered")
                and any(f.name.casefold().startswith(d) for d in done)
            ),
            None,
        )

    def with_roles(self, overrides: dict[str, str | list[str]], source: Path | None = None) -> Schema:
        """The schema with `[tool.ticketgen.roles]` applied (errors name `source`, the config)."""
        roles = dict(self.roles)
        values = dict(self.values)
        where = source or self.path
        for role, name in overrides.items():
            if role in VALUE_ROLES:
                continue
            if role not in ROLE_NAMES:
                names = ", ".join((*ROLE_NAMES, *VALUE_ROLES))
                raise ConfigError(f"unknown role {role!r} (known: {names})", where)
            roles[role] = self._role_target(role, name, where)
        fields = {f: getattr(self, f) for f in self.__dataclass_fields__}
        schema = Schema(**{**fields, "roles": roles})
        for role, of in VALUE_ROLES.items():
            if role in overrides:
                values[role] = schema._role_values(role, of, overrides[role], where)
        return Schema(**{**fields, "roles": roles, "values": values})

    def _role_target(self, role: str, name: str | list[str], where: Path | None) -> str:
        """The field (or, for action items, the section) a role names, as the template spells it:
        a role pointing at nothing the template defines is a config error, not a silent no-op."""
        if not isinstance(name, str):
            raise ConfigError(f"role {role!r} must name a field", where)
        known = self.section(name) if role == "action_items" else self.field(name)
        if known is None:
            raise ConfigError(f"role {role!r} names {name!r}, which the template does not define", where)
        return known.title if isinstance(known, SectionSpec) else known.name

    def _role_values(self, role: str, of: str, given: str | list[str], where: Path | None) -> tuple[str, ...]:
        """A value role (e.g. which statuses count as done) as the canonical choices of the field
        its role names; a value that is not one of them is a config error."""
        if not isinstance(given, list) or not all(isinstance(v, str) for v in given):
            raise ConfigError(f"role {role!r} must be a list of {of} values", where)
        spec = self.field(self.role(of) or "")
        if spec is None:
            raise ConfigError(f"role {role!r}: the template has no {of} field", where)
        canonical = []
        for value in given:
            found = spec.choice_for(value)
            if found is None:
                raise ConfigError(
                    f"role {role!r}: {value!r} is not one of the {spec.name} choices ({', '.join(spec.choices)})",
                    where,
                )
            canonical.append(found)
        return tuple(canonical)


def parse_date(value: str) -> dt.date | None:
    """An ISO date (`2026-01-06`) as written in a date field, or None."""
    if not _ISO_DATE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def check_value(label: str, value: str) -> str:
    """`value`, if it may be written into a ticket's title or metadata line. A `\\r` or any
    other control character would start a new line for some reader (a second ticket heading,
    say) or hide text on a terminal, so it is refused (UsageError), never stripped."""
    bad = CONTROL.search(value)
    if bad:
        raise UsageError(f"{label} must be a single line without control characters (found U+{ord(bad.group()):04X})")
    return value


def _field_spec(name: str, placeholder: str) -> FieldSpec:
    if "|" in placeholder:
        choices = tuple(c.strip() for c in placeholder.split("|") if c.strip())
        return FieldSpec(name, "choice", placeholder, choices)
    if _DATE_PLACEHOLDER.match(placeholder):
        return FieldSpec(name, "date", placeholder)
    return FieldSpec(name, "text", placeholder)


def _default_roles(fields: tuple[FieldSpec, ...], sections: tuple[SectionSpec, ...]) -> dict[str, str]:
    """Roles follow from kinds and order: the first choice is the status, the second the
    priority, the first date the discovery date, the first free text the component, and
    the section that holds task items the action items."""
    choices = [f.name for f in fields if f.kind == "choice"]
    dates = [f.name for f in fields if f.kind == "date"]
    texts = [f.name for f in fields if f.kind == "text"]
    tasks = [s.title for s in sections if s.has_tasks]
    picks = {
        "status": choices[0] if choices else None,
        "priority": choices[1] if len(choices) > 1 else None,
        "discovered": dates[0] if dates else None,
        "component": texts[0] if texts else None,
        "action_items": tasks[0] if tasks else None,
    }
    return {role: name for role, name in picks.items() if name}


def find_template(tokens: list[Token]) -> tuple[int, str] | None:
    """Where the template starts: (heading token index, "") for a template written as
    Markdown, or (fence token index, fence content) for one inside a fenced block."""
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and _PLACEHOLDER_HEADING.match(heading_text(tokens, i)):
            return i, ""
    for i, tok in enumerate(tokens):
        if (
            tok.type == "fence"
            and tok.info.strip().lower() in ("", "markdown", "md")
            and _MAYBE_TEMPLATE_HEADING.search(tok.content)
        ):
            inner = block_tokens(tok.content)
            if any(
                t.type == "heading_open" and _PLACEHOLDER_HEADING.match(heading_text(inner, j))
                for j, t in enumerate(inner)
            ):
                return i, tok.content
    return None


def schema_from_text(text: str, path: Path | None = None) -> Schema:
    text = text.removeprefix(BOM)
    tokens = block_tokens(text)
    found = find_template(tokens)
    if found is None:
        raise ConfigError(
            "no template found: expected a heading like `## TICKET-XXX: Title`, "
            "in the file or in a ```markdown fenced block",
            path,
        )
    index, fenced = found
    if fenced:
        text = fenced
        tokens = block_tokens(text)
        index = next(i for i, t in enumerate(tokens) if t.type == "heading_open")
    return _schema_from_tokens(text, tokens, index, path)


def _schema_from_tokens(text: str, tokens: list[Token], start: int, path: Path | None) -> Schema:
    lines = split_lines(text)
    level = heading_level(tokens[start])
    m = _PLACEHOLDER_HEADING.match(heading_text(tokens, start))
    assert m is not None
    fields: list[FieldSpec] = []
    sections: list[SectionSpec] = []
    first_section_line: int | None = None
    i = start + 3
    while i < len(tokens):
        tok = tokens[i]
        top = tok.type == "heading_open" and tok.level == 0  # as for tickets: a quoted heading is text
        if top and heading_level(tok) <= level:
            break
        if top and heading_level(tok) == level + 1:
            title = heading_text(tokens, i)
            j = _section_end(tokens, i, level)
            body_start = tok.map[1] if tok.map else 0
            end_map = tokens[j].map if j < len(tokens) else None
            body_end = end_map[0] if end_map else len(lines)
            body = "".join(lines[body_start:body_end]).strip()
            has_tasks = any(t.type == "inline" and match_task(t.content) for t in tokens[i + 3 : j] if t.level >= 3)
            sections.append(SectionSpec(title, body, has_tasks))
            if first_section_line is None:
                first_section_line = tok.map[0] if tok.map else 0
            i = j
            continue
        if not sections and tok.type == "paragraph_open" and tok.map:
            for line in lines[tok.map[0] : tok.map[1]]:
                found = match_field(line)
                if found:
                    fields.append(_field_spec(found.name, found.value))
        i += 1
    if not fields:
        raise ConfigError("the template defines no `**Field:** value` metadata lines", path)
    sections_text = "".join(lines[first_section_line:]) if first_section_line is not None else ""
    _check_definitions(fields, sections, path)
    fields_t, sections_t = tuple(fields), tuple(sections)
    return Schema(
        prefix=m.group("prefix"),
        width=len(m.group("digits")),
        heading_level=level,
        title_placeholder=m.group("title").strip(),
        fields=fields_t,
        sections=sections_t,
        sections_text=sections_text.rstrip() + "\n" if sections_text.strip() else "",
        roles=_default_roles(fields_t, sections_t),
        path=path,
    )


def _section_end(tokens: list[Token], i: int, level: int) -> int:
    """The token index where the template section opened at `i` ends: the next heading at the
    section's level or above (a quoted heading is text), or the end."""
    j = i + 3
    while j < len(tokens) and not (
        tokens[j].type == "heading_open" and tokens[j].level == 0 and heading_level(tokens[j]) <= level + 1
    ):
        j += 1
    return j


def _check_definitions(fields: list[FieldSpec], sections: list[SectionSpec], path: Path | None) -> None:
    """A template that defines a field or section twice, or a choice without choices, is
    ambiguous as a schema: refuse it naming the culprit."""
    names = [f.name.casefold() for f in fields]
    dup = next((f.name for f in fields if names.count(f.name.casefold()) > 1), None)
    if dup:
        raise ConfigError(f"the template defines the field {dup!r} twice", path)
    titles = [s.title.casefold() for s in sections]
    dup = next((s.title for s in sections if titles.count(s.title.casefold()) > 1), None)
    if dup:
        raise ConfigError(f"the template defines the section {dup!r} twice", path)
    empty = next((f.name for f in fields if f.kind == "choice" and not f.choices), None)
    if empty:
        raise ConfigError(f"the field {empty!r} is a choice (`A | B`) without choices", path)


def default_template_text() -> str:
    return resources.files("ticketgen").joinpath("data/template.md").read_text(encoding="utf-8")


def load_schema(path: Path | None) -> Schema:
    """The schema from `path`, or from the template ticketgen ships when `path` is None."""
    if path is None:
        return schema_from_text(default_template_text())
    try:
        text = read_source(path).text
    except ContentError as exc:  # an unreadable template is a configuration problem
        raise ConfigError(exc.message, path, exc.location.line) from None
    return schema_from_text(text, path)
