"""Lifecycle edits of an existing ticket: `set`, `close`, `reopen`, `check`, `uncheck`.

An edit changes only the bytes of the values it changes (line endings, BOM, spacing and every
other line stay as they were), works on a ticket inside a multi-ticket document as on one in
its own file, and is written atomically only if the file still holds what was read.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..core.errors import ContentError, UsageError, did_you_mean
from ..core.io import BOM, decode, read_bytes, rewrite, split_lines
from ..core.parse import parse_document, split_qualifier
from ..core.project import Corpus, Project
from ..core.records import Field, Ticket
from ..core.template import check_value, parse_date

_TASK_MARK = re.compile(r"^(?P<lead>[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[)(?P<mark>[ xX])\]")
_FM_BOUNDARY = re.compile(r"^-{3}[ \t]*$")
_PLAIN_YAML = re.compile(r"^[A-Za-z0-9_./@+-][A-Za-z0-9_ ./@+-]*$")


def field_value(project: Project, name: str, value: str) -> tuple[str, str]:
    """(the template's spelling of the field, the value as it is written) for a template field;
    a choice must be one of the choices, a date a real date. Exit 1 when it is not."""
    spec = project.schema.field(name)
    assert spec is not None
    value = check_value(spec.name, value).strip()
    if spec.kind == "choice":
        written = spec.choice_for(value)
        qualified = split_qualifier(value)  # `Open (blocking deploys)`: a choice and its note
        if written is None and qualified and spec.choice_for(qualified[0]):
            written = f"{spec.choice_for(qualified[0])} ({qualified[1].strip()})"
        if written is None:
            raise ContentError(f"{spec.name} must be one of: {', '.join(spec.choices)} (got {value!r})")
        return spec.name, written
    if spec.kind == "date" and parse_date(value) is None:
        raise ContentError(f"{spec.name} must be a date YYYY-MM-DD (got {value!r})")
    return spec.name, value


def yaml_value(name: str, value: str) -> str:
    """A command-line value as YAML: `[a, b]` is a list, anything else one string (quoted when
    YAML would read it as something else: a number, `yes`, a `#` comment...)."""
    value = check_value(name, value).strip()
    if value.startswith("[") and value.endswith("]"):
        import yaml

        from ..core import safe_yaml

        try:
            items = safe_yaml.load(value)
        except yaml.YAMLError:
            items = None
        if not isinstance(items, list) or not all(isinstance(i, (str, int, float)) for i in items):
            raise ContentError(f"{name}: {value!r} is not a list of values like [postgres, on-call]")
        return "[" + ", ".join(_yaml_scalar(str(i)) for i in items) + "]"
    return _yaml_scalar(value)


def metadata_value(name: str, value: str) -> str:
    """A value for a `**name:** value` line: as given, except that a list `[a, b]` is checked and
    written as `yaml_value` writes it, since a metadata line's `[a, b]` is read as a list."""
    value = check_value(name, value).strip()
    return yaml_value(name, value) if value.startswith("[") and value.endswith("]") else value


def refuse_near_field(project: Project, name: str) -> None:
    """A new key or metadata line named almost like a template field (`Priorty`) is a typo far
    more often than a new key: refuse it, naming the field."""
    hint = did_you_mean(name, [f.name for f in project.schema.fields])
    if hint:
        raise UsageError(f"{name!r} is not a template field{hint} (a new key must not look like one)")


def _yaml_scalar(text: str) -> str:
    import yaml

    from ..core import safe_yaml

    try:
        plain = _PLAIN_YAML.match(text) is not None and safe_yaml.load(text) == text
    except yaml.YAMLError:  # `a: b`, an alias: not plain, so quoted
        plain = False
    if plain:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML string


@dataclass(frozen=True)
class Change:
    line: int
    what: str


@dataclass
class TicketEdit:
    """One ticket's file, read once; edits go to its lines and are written by `save`."""

    project: Project
    path: Path  # absolute
    data: bytes
    ticket: Ticket
    alone: bool  # the ticket has a file of its own: frontmatter keys are its own
    lines: list[str]
    changes: list[Change] = field(default_factory=list)

    @property
    def shown(self) -> str:
        return self.project.display(self.path).as_posix()

    def _span(self, f: Field) -> tuple[int, int]:
        """Where the field's value sits in its line (the BOM is not part of the parsed line)."""
        index = f.line - 1
        start = f.column - 1 + (1 if index == 0 and self.lines[0].startswith(BOM) else 0)
        return start, start + len(f.raw)

    def line_field(self, name: str) -> Field | None:
        """The ticket's metadata line of that name (a template field or not), as edited so far."""
        folded = name.casefold()
        return next((f for f in self.ticket.all_fields if f.name.casefold() == folded), None)

    def set_field(self, name: str, value: str) -> None:
        """Set a metadata line's value, adding the line after the last one when it is missing."""
        found = self.line_field(name)
        if found is not None:
            if found.raw == value:
                return
            start, end = self._span(found)
            line = self.lines[found.line - 1]
            gap = " " if not found.raw and line[start - 1 : start] not in (" ", "\t") else ""
            self.lines[found.line - 1] = line[:start] + gap + value + line[end:]
            self.changes.append(Change(found.line, f"{found.name}: {found.raw or '(empty)'} -> {value}"))
            edited = replace(found, raw=value, value=value, column=found.column + len(gap))
            self.ticket.all_fields = [edited if f is found else f for f in self.ticket.all_fields]
            return
        if not self.ticket.all_fields:
            raise ContentError(f"{self.ticket.id} has no metadata lines to add {name} to", self.shown, self.ticket.line)
        last = max(self.ticket.all_fields, key=lambda f: f.line)
        start, end = self._span(last)
        ending = self.lines[last.line - 1][end:]  # trailing hard-break spaces or `\`, and the line ending
        self.lines.insert(last.line, f"**{name}:** {value}{ending}")
        self._shift(last.line + 1)
        self.changes.append(Change(last.line + 1, f"{name}: (none) -> {value}"))

    def _shift(self, from_line: int, by: int = 1) -> None:
        """Keep the parsed line numbers right after inserting lines at `from_line`."""
        self.ticket.all_fields = [
            Field(f.name, f.raw, f.value, f.note, f.line + by if f.line >= from_line else f.line, f.column)
            for f in self.ticket.all_fields
        ]

    def set_frontmatter(self, key: str, value: str) -> None:
        """Set a frontmatter key of a ticket in its own file (adding the key, or the frontmatter)."""
        body = 1 if self.lines and self.lines[0].startswith(BOM) else 0
        first = self.lines[0][body:] if self.lines else ""
        ending = next((e for e in ("\r\n", "\n", "\r") if first.endswith(e)), "\n")
        close = None
        if first.rstrip("\r\n").rstrip() == "---":
            bounds = (i for i in range(1, len(self.lines)) if _FM_BOUNDARY.match(self.lines[i].rstrip("\r\n")))
            close = next(bounds, None)
        if close is None:
            prefix = BOM if body else ""
            if self.lines:
                self.lines[0] = self.lines[0][body:]
            self.lines[0:0] = [f"{prefix}---{ending}", f"{key}: {value}{ending}", f"---{ending}"]
            self._shift(1, 3)
            self.changes.append(Change(2, f"{key} (frontmatter): (none) -> {value}"))
            return
        own = re.compile(rf"^{re.escape(key)}[ \t]*:(?P<value>.*?)[ \t]*$", re.IGNORECASE)
        for i in range(1, close):
            m = own.match(self.lines[i].rstrip("\r\n"))
            if m is None:
                continue
            stop = i + 1  # a block value (`- item` lines, indented lines) belongs to the key
            while stop < close and self.lines[stop][:1] in (" ", "\t", "-"):
                stop += 1
            old = "".join(self.lines[i:stop]).strip()[len(key) + 1 :].strip() or "(empty)"
            line_ending = self.lines[i][len(self.lines[i].rstrip("\r\n")) :] or ending
            written = self.lines[i][: m.start("value")]
            new_line = f"{written.rstrip()} {value}{line_ending}"
            if "".join(self.lines[i:stop]) == new_line:
                return
            self.lines[i:stop] = [new_line]
            self._shift(i + 1, 1 - (stop - i))
            self.changes.append(Change(i + 1, f"{key} (frontmatter): {' '.join(old.split())} -> {value}"))
            return
        self.lines.insert(close, f"{key}: {value}{ending}")
        self._shift(close + 1)
        self.changes.append(Change(close + 1, f"{key} (frontmatter): (none) -> {value}"))

    def set_any(self, name: str, value: str) -> None:
        """`set NAME=VALUE`: a template field or an existing metadata line by that name, else a
        frontmatter key (of a ticket in its own file) or a new metadata line (in a document).
        A new name close to a template field's is refused as a likely typo."""
        schema = self.project.schema
        if schema.field(name) is not None:
            try:
                spec_name, written = field_value(self.project, name, value)
            except ContentError as exc:  # say which ticket, where the value would go
                found = self.line_field(name)
                raise ContentError(exc.message, self.shown, found.line if found else self.ticket.line) from None
            self.set_field(spec_name, written)
            # A frontmatter copy of the field (`status: Open`) must not be left disagreeing (TG018).
            key = next((k for k in self.ticket.frontmatter if str(k).casefold() == spec_name.casefold()), None)
            if self.alone and key is not None:
                self.set_frontmatter(str(key), _yaml_scalar(written.split(" (", 1)[0]))
            return
        line = self.line_field(name)
        if line is None and not any(str(k).casefold() == name.casefold() for k in self.ticket.frontmatter):
            refuse_near_field(self.project, name)
        if self.alone and line is None:
            self.set_frontmatter(name, yaml_value(name, value))
        else:  # a metadata line: `[a, b]` is a list there too, written as frontmatter would have it
            self.set_field(line.name if line else name, metadata_value(name, value))

    def set_task(self, item: str, done: bool) -> None:
        items = self.ticket.action_items
        if not items:
            raise ContentError(f"{self.ticket.id} has no action items", self.shown, self.ticket.line)
        listing = "; ".join(f"{n}. {a.text}" for n, a in enumerate(items, 1))
        if item.strip().isdigit():
            number = int(item)
            if not 1 <= number <= len(items):
                raise ContentError(f"{self.ticket.id} has {len(items)} action item(s): {listing}")
            chosen = items[number - 1]
        else:
            wanted = item.strip().casefold()
            exact = [a for a in items if a.text.casefold() == wanted]
            matches = exact or [a for a in items if wanted in a.text.casefold()]
            if len(matches) != 1:
                what = "no action item" if not matches else f"{len(matches)} action items"
                raise ContentError(f"{what} of {self.ticket.id} match {item!r}; give its number: {listing}")
            chosen = matches[0]
        index = chosen.line - 1
        m = _TASK_MARK.match(self.lines[index].lstrip(BOM))
        if m is None:  # not where the parser saw it: never guess
            raise ContentError("cannot find the checkbox of this action item", self.shown, chosen.line)
        if chosen.done == done:
            return
        offset = m.start("mark") + (1 if self.lines[index].startswith(BOM) else 0)
        line = self.lines[index]
        self.lines[index] = line[:offset] + ("x" if done else " ") + line[offset + 1 :]
        self.changes.append(Change(chosen.line, f"[{'x' if done else ' '}] {chosen.text}"))

    def save(self) -> None:
        if self.changes:
            rewrite(self.path, self.data, "".join(self.lines).encode("utf-8"), inside=self.project.root)


def find_ticket(corpus: Corpus, project: Project, raw: str) -> Ticket:
    """The ticket a user means by `raw` (`TICKET-1`, `ticket-001` and `1` are one ticket)."""
    schema = project.schema
    number = schema.given_number(raw)
    if number is None:
        raise UsageError(f"{raw!r} is not a ticket ID ({schema.prefix}{'N' * schema.width})")
    ticket = corpus.find(raw.strip()) or corpus.find_number(number)
    if ticket is None:
        ordered = sorted(corpus.tickets, key=lambda t: t.number)
        known = ", ".join(t.id for t in ordered[:10]) + ("…" if len(ordered) > 10 else "")
        raise ContentError(f"no ticket {raw!r}" + (f" (known: {known})" if known else " (no tickets found)"))
    return ticket


def open_ticket(project: Project, raw: str) -> TicketEdit:
    """Find the ticket, then read its file once more and parse it from those very bytes, so the
    edit positions and the unchanged-file check refer to the same content."""
    found = find_ticket(project.load(), project, raw)
    path = found.path if found.path.is_absolute() else project.root / found.path
    data = read_bytes(path, project.config.max_file_bytes, found.path, root=project.root)
    text = decode(data, found.path, project.config.max_file_bytes).text
    document = parse_document(text, found.path, project.schema)
    ticket = next((t for t in document.tickets if t.id == found.id and t.line == found.line), None)
    if ticket is None:
        raise ContentError("file changed while it was being read; run the command again", found.path)
    if document.problems:
        raise ContentError(document.problems[0].message, found.path, document.problems[0].line)
    # Frontmatter is a ticket's own only in a file of one ticket that is not a configured document.
    alone = len(document.tickets) == 1 and path.resolve() not in {d.resolve() for d in project.config.documents}
    return TicketEdit(project, path, data, ticket, alone, split_lines(text))


def close(edit: TicketEdit, note: str | None, today: dt.date) -> None:
    """The schema's (first) done status, with `--note` as its qualifier, and today's date in
    the resolved-date field when the template has one."""
    schema = edit.project.schema
    status = schema.role("status")
    if status is None or not schema.done_statuses:
        raise UsageError("the template has no status field with a done status, so tickets cannot be closed")
    value = schema.done_statuses[0]
    if note is not None:
        note = check_value("--note", note).strip()
        if "(" in note or ")" in note:
            raise UsageError("--note cannot contain parentheses (it is written as `Status (note)`)")
        value = f"{value} ({note})"
    if not schema.is_done(edit.ticket.status) or note is not None:
        edit.set_field(status, value)
        resolved = schema.resolved_field
        if resolved is not None:
            edit.set_field(resolved, today.isoformat())


def reopen(edit: TicketEdit) -> None:
    """Back to the first status that is not done; a filled resolved-date field gets the
    template's placeholder again, as `new` writes it."""
    schema = edit.project.schema
    status, opened = schema.role("status"), schema.open_status
    if status is None or opened is None:
        raise UsageError("the template has no status field with an open status, so tickets cannot be reopened")
    if not schema.is_done(edit.ticket.status):
        return
    edit.set_field(status, opened)
    resolved = schema.resolved_field
    if resolved is not None and edit.line_field(resolved) is not None:
        spec = schema.field(resolved)
        edit.set_field(resolved, spec.placeholder if spec else "")


def describe(edit: TicketEdit) -> list[str]:
    return [f"{edit.shown}:{c.line}: {edit.ticket.id} {c.what}" for c in edit.changes]


def pairs(items: tuple[str, ...]) -> list[tuple[str, str]]:
    """`FIELD=VALUE` arguments, in order."""
    out: list[tuple[str, str]] = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"expected FIELD=VALUE, got {item!r}")
        out.append((name.strip(), value))
    return out
