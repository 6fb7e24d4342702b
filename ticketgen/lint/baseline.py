"""The lint baseline: findings a team accepted once (`ticketgen lint --update-baseline`), so that
CI fails only on new findings, and on recorded ones that are gone, so the file only shrinks.

An entry is keyed by (file, rule, ticket ID, message fingerprint), never by line: editing a
ticket above another must not turn the other's accepted findings into new ones. The
fingerprint is a hash of the message with its volatile parts (line numbers, today's date)
taken out. The same key may be recorded several times (`count`), as in eslint's and
phpstan's baselines. The file is sorted JSON, one key per line, written atomically.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import ConfigError, UsageError
from .model import Finding

if TYPE_CHECKING:
    from ..core.project import Project
    from .engine import LintRun

DEFAULT_PATH = ".ticketgen-baseline.json"
VERSION = 1
_ABOUT = (
    "Findings `ticketgen lint` accepts. Written by `ticketgen lint --update-baseline`; "
    "an entry whose finding is gone fails lint until that command drops it."
)
# Parts of a message that change without the finding changing: line numbers, today's date.
_VOLATILE = (
    (re.compile(r"\bline \d+"), "line #"),
    (re.compile(r"(?<=\S):\d+\b"), ":#"),
    (re.compile(r"\s*\(today is [^)]*\)"), ""),
)


def fingerprint(message: str) -> str:
    """16 hex digits of the SHA-256 of the message without its volatile parts."""
    for pattern, replacement in _VOLATILE:
        message = pattern.sub(replacement, message)
    return hashlib.sha256(message.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    file: str  # POSIX path relative to the project root
    ticket: str  # the ticket the finding is in; "" for text outside every ticket
    rule: str
    fingerprint: str
    message: str = field(compare=False)  # as last recorded: for people reading the diff
    count: int = field(default=1, compare=False)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.file, self.ticket, self.rule, self.fingerprint)


def ticket_at(tickets: list[tuple[int, str]], line: int) -> str:
    """The ID of the ticket whose heading is the last one at or above `line` ("" before the first)."""
    at = bisect.bisect_right(tickets, (line, "\U0010ffff"))
    return tickets[at - 1][1] if at else ""


def key_of(finding: Finding, run: LintRun) -> tuple[str, str, str, str]:
    ticket = ticket_at(run.tickets.get(finding.path, []), finding.line)
    return (finding.path, ticket, finding.code, fingerprint(finding.message))


def entries_of(run: LintRun, findings: list[Finding]) -> list[Entry]:
    """Entries for `findings`, one per key, counted."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    messages: dict[tuple[str, str, str, str], str] = {}
    for f in findings:
        key = key_of(f, run)
        counts[key] += 1
        messages.setdefault(key, f.message)
    return [Entry(*key, message=messages[key], count=n) for key, n in counts.items()]


def in_scope(entry: Entry, run: LintRun) -> bool:
    """Whether this run could have seen the entry's finding: its file was linted (every ticket
    file when no PATH was given) and its rule was not switched off by --select/--ignore."""
    return (run.complete or entry.file in run.files) and entry.rule not in run.rules_off


def apply(run: LintRun, entries: list[Entry], shown_path: str) -> LintRun:
    """The run with recorded findings moved to `baselined`, and the entries in scope whose
    findings no longer occur (or occur fewer times) in `stale`."""
    left = {e.key: e.count for e in entries}
    new: list[Finding] = []
    baselined: list[Finding] = []
    for f in run.findings:
        key = key_of(f, run)
        if left.get(key, 0) > 0:
            left[key] -= 1
            baselined.append(f)
        else:
            new.append(f)
    stale = [replace(e, count=left[e.key]) for e in entries if left[e.key] > 0 and in_scope(e, run)]
    return replace(run, findings=new, baselined=baselined, stale=stale, baseline=shown_path)


def updated(run: LintRun, old: list[Entry]) -> list[Entry]:
    """Today's findings, plus the old entries this run could not judge (other files when PATHs
    were given, rules left out by --select/--ignore)."""
    kept = [e for e in old if not in_scope(e, run)]
    return sorted([*entries_of(run, run.findings), *kept], key=lambda e: e.key)


def render(entries: list[Entry]) -> str:
    """Sorted, one key per line, no line numbers and no tool version: a diff shows only what changed."""
    rows = [
        {
            "file": e.file,
            "ticket": e.ticket,
            "rule": e.rule,
            "fingerprint": e.fingerprint,
            "message": e.message,
            "count": e.count,
        }
        for e in sorted(entries, key=lambda e: e.key)
    ]
    document = {"version": VERSION, "about": _ABOUT, "findings": rows}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def parse(text: str, shown: str) -> list[Entry]:
    """The entries of a baseline file; anything else is a configuration error naming the file."""

    def bad(why: str, line: int | None = None) -> ConfigError:
        where = f"{shown}:{line}" if line else shown
        return ConfigError(
            f"{where}: not a ticketgen baseline ({why}); rewrite it with `ticketgen lint --update-baseline`"
        )

    from ..core.jsonio import JSONInputError, loads

    try:
        document = loads(text, shown, max_depth=8)  # the one JSON reader; a baseline nests 3 deep
    except JSONInputError as exc:
        raise bad(exc.message, exc.line) from None
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise bad('expected an object with a "findings" list')
    if document.get("version") != VERSION:
        raise bad(f"version {document.get('version')!r}, expected {VERSION}")
    entries: dict[tuple[str, str, str, str], Entry] = {}
    for n, row in enumerate(document["findings"], 1):
        entry = _entry(row)
        if entry is None:
            raise bad(f"finding {n} needs string file, ticket, rule, fingerprint, message and a positive count")
        if entry.key in entries:  # hand-merged: add up, as two recorded findings
            entry = replace(entry, count=entry.count + entries[entry.key].count)
        entries[entry.key] = entry
    return list(entries.values())


def _entry(row: Any) -> Entry | None:
    if not isinstance(row, dict):
        return None
    names = ("file", "ticket", "rule", "fingerprint", "message")
    if not all(isinstance(row.get(n), str) for n in names):
        return None
    count = row.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        return None
    return Entry(row["file"], row["ticket"], row["rule"], row["fingerprint"], message=row["message"], count=count)


@dataclass(frozen=True)
class Location:
    """Where the baseline is: the `baseline` setting, or the default file name."""

    path: Path
    shown: str  # as the user names it
    configured: bool  # named in the settings: it must exist


def locate(project: Project) -> Location:
    config = project.config
    value = config.lint.baseline
    path = (config.root / (value or DEFAULT_PATH)).resolve()
    if not path.is_relative_to(config.root):
        raise config.error(f"baseline {value!r} is outside the project folder", "lint", "baseline")
    return Location(path, project.display(path).as_posix(), value is not None)


def read(project: Project, where: Location) -> list[Entry] | None:
    """The recorded entries; None when there is no baseline (the default file does not exist).
    A baseline named in the settings must exist: a typo must not make every finding new."""
    from ..core.errors import ContentError
    from ..core.io import read_source

    if not where.path.exists():
        if where.configured:
            raise ConfigError(
                f"baseline {where.shown!r} does not exist; create it with `ticketgen lint --update-baseline`",
                project.config.source,
            )
        return None
    try:
        text = read_source(where.path, project.config.max_file_bytes, Path(where.shown), root=project.root).text
    except ContentError as exc:
        raise ConfigError(exc.message, Path(where.shown)) from None
    return parse(text, where.shown)


def write(project: Project, where: Location, entries: list[Entry]) -> None:
    from ..core.io import write_atomic

    if project.holds_input(where.path):
        raise UsageError(f"baseline {where.shown!r} is one of this project's inputs; name a .json file")
    write_atomic(where.path, render(entries), inside=project.root)


@dataclass(frozen=True)
class Recorded:
    """What `--update-baseline` did, for the message after it."""

    where: Location
    entries: int
    added: int
    dropped: int
    note: str | None = None  # the old file could not be read


def record(project: Project, run: LintRun) -> tuple[LintRun, Recorded]:
    """Write the baseline for `run` (kept entries it could not judge stay), then apply it."""
    where = locate(project)
    note = None
    try:
        old = (read(project, where) if where.path.exists() else None) or []
    except ConfigError as exc:  # a merge conflict in the file, say: start again, and say so
        old, note = [], f"{exc.message}; writing a new one"
    entries = updated(run, old)
    write(project, where, entries)
    before = {e.key: e.count for e in old}
    after = {e.key: e.count for e in entries}
    added = sum(max(0, n - before.get(k, 0)) for k, n in after.items())
    dropped = sum(max(0, n - after.get(k, 0)) for k, n in before.items())
    total = sum(after.values())
    return apply(run, entries, where.shown), Recorded(where, total, added, dropped, note)


def applied(project: Project, run: LintRun) -> LintRun:
    """`run` with the project's baseline applied, when it has one."""
    where = locate(project)
    entries = read(project, where)
    return run if entries is None else apply(run, entries, where.shown)
