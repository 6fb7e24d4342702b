"""Run the rules: read each file once, lint it (or take its cached result), then add the
cross-file checks (duplicate IDs, missing references) from every file's ID list, and finally
apply settings: select/ignore, severities, per-path overrides and inline suppressions."""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import ContentError, UsageError
from .cache import LintCache, code_stamp, digest
from .model import Finding, Hit
from .settings import Reporting, expand_codes, load_reporting, load_rule_settings

if TYPE_CHECKING:  # the rules and their context are imported only when some file is not cached
    from ..core.project import Project
    from ..core.records import Ticket
    from .context import DocView, LintContext
    from .rule import Rule

# Below this many files to lint (cache misses), forking a helper costs more than it saves
# (measured: about even at 100 files, 15% faster at 200, on 2 cores).
PARALLEL_MIN_FILES = 100
MAX_PROCESSES = 4
BATCH = 4  # files a process takes at a time: small, so that all processes finish at about the same time
_MAX_BATCHES = 2048  # 4 bytes each: the turns pipe must hold them all (a pipe buffers at least 16 KiB)
_DIRECTIVE = re.compile(
    r"<!--\s*ticketgen-(?P<kind>disable-next-line|disable-line|disable-file|disable|enable)"
    r"(?P<codes>(?:[\s,]+[A-Za-z]+[0-9]+)*)\s*-->"
)


@dataclass
class FileResult:
    """One file's findings before settings are applied, plus what the cross-file checks need."""

    path: str
    digest: str
    findings: list[Finding] = field(default_factory=list)
    ids: list[tuple[str, int, int]] = field(default_factory=list)  # (id, number, line)
    mentions: list[tuple[str, int, int]] = field(default_factory=list)  # (id as written, number, line)
    directives: list[tuple[str, list[str], int]] = field(default_factory=list)  # (kind, codes, line)

    def to_cache(self) -> dict[str, Any]:
        return {
            "digest": self.digest,
            "findings": [f.to_cache() for f in self.findings],
            "ids": self.ids,
            "mentions": self.mentions,
            "directives": self.directives,
        }

    @classmethod
    def from_cache(cls, path: str, data: dict[str, Any]) -> FileResult:
        return cls(
            path,
            data["digest"],
            [Finding.from_cache(path, f) for f in data["findings"]],
            [tuple(i) for i in data["ids"]],
            [tuple(m) for m in data["mentions"]],
            [(k, list(c), n) for k, c, n in data["directives"]],
        )


@dataclass
class LintOptions:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    strict: bool = False
    branches: bool = False
    use_cache: bool = True
    today: dt.date | None = None


@dataclass
class LintRun:
    findings: list[Finding]
    files: list[str]  # the files reported on, relative POSIX paths
    root: Path
    cached: int = 0  # files whose result came from the cache
    skipped: list[str] = field(default_factory=list)  # files given that are not ticket files
    digests: dict[str, str] = field(default_factory=dict)  # content hash each file was linted at

    @property
    def rules(self) -> dict[str, Rule]:
        """The rule table (imported only by reporters that print rule names)."""
        from .rules import all_rules

        return all_rules()


def _rule_hits(view: DocView, ctx: LintContext, rules: Iterable[Rule]) -> list[Finding]:
    path = view.document.path.as_posix()
    found: list[Finding] = []
    doc_rules = [r for r in rules if r.scope == "document" and r.check is not None]
    ticket_rules = [r for r in rules if r.scope == "ticket" and r.check is not None]
    for r in doc_rules:
        found.extend(_finding(r.code, path, h) for h in r.check(view, ctx))
    for ticket in view.document.tickets:
        for r in ticket_rules:
            found.extend(_finding(r.code, path, h) for h in r.check(ticket, view, ctx))
    return found


def _finding(code: str, path: str, hit: Hit) -> Finding:
    return Finding(code, "", path, hit.line, hit.column, hit.message, hit.edits)


def lint_source(absolute: Path, rel: str, data: bytes | OSError, ctx: LintContext, rules: list[Rule]) -> FileResult:
    """Lint one file's bytes (or report why it could not be read)."""
    from ..core.io import decode
    from ..core.parse import parse_document
    from .context import DocView

    if isinstance(data, OSError):
        return FileResult(rel, "", [Finding("TG001", "", rel, 1, 1, f"cannot read: {data.strerror}")])
    result = FileResult(rel, digest(data))
    if len(data) > ctx.max_bytes:  # _read stops one byte past the limit
        message = f"file is over the {ctx.max_bytes:,}-byte limit (max_file_bytes)"
        result.findings.append(Finding("TG001", "", rel, 1, 1, message))
        return result
    try:
        text = decode(data, Path(rel), ctx.max_bytes).text
    except ContentError as exc:
        result.findings.append(Finding("TG001", "", rel, exc.location.line or 1, 1, exc.message))
        return result
    document = parse_document(text, Path(rel), ctx.schema)
    view = DocView(document, absolute)
    result.findings = _rule_hits(view, ctx, rules)
    for ticket in document.tickets:
        result.ids.append((ticket.id, ticket.number, ticket.line))
        result.mentions.extend(_mentions(ticket, view, ctx))
    if "ticketgen-" in text:
        result.directives = _directives(view)
    return result


def _mentions(ticket: Ticket, view: DocView, ctx: LintContext) -> list[tuple[str, int, int]]:
    """Each mentioned ID with the first line (outside code) where it appears."""
    wanted = {ctx.schema.id_number(m) for m in ticket.related}
    found: list[tuple[str, int, int]] = []
    if not wanted:
        return found
    code = view.code_lines
    prefix = ctx.schema.prefix
    for line in range(ticket.line, ticket.end_line + 1):
        if not wanted:
            break
        if line in code or prefix not in view.lines[line - 1]:
            continue
        for m in ctx.schema.mention_regex.finditer(view.text(line)):
            number = int(m.group(1))
            if number in wanted:
                wanted.discard(number)
                found.append((m.group(0), number, line))
    return found


def _directives(view: DocView) -> list[tuple[str, list[str], int]]:
    """Inline comments, except inside code; only files that mention `ticketgen-` get here."""
    from ..core.markdown import block_tokens

    found = []
    code: set[int] = set()
    for tok in block_tokens("".join(view.lines)):
        if tok.type in ("fence", "code_block") and tok.map:
            code.update(range(tok.map[0] + 1, tok.map[1] + 1))
    for n, line in enumerate(view.lines, 1):
        if "ticketgen-" in line and n not in code:
            for m in _DIRECTIVE.finditer(line):
                codes = [c.upper() for c in re.split(r"[\s,]+", m.group("codes")) if c]
                found.append((m.group("kind"), codes, n))
    return found


def suppressed(directives: list[tuple[str, list[str], int]], line: int, code: str) -> bool:
    """markdownlint-style inline comments: disable/enable ranges, -line, -next-line, -file."""
    off_all, off, back_on = False, set(), set()
    for kind, codes, at in directives:
        matches = not codes or code in codes
        if kind == "disable-file" and matches:
            return True
        if (kind == "disable-line" and at == line or kind == "disable-next-line" and at + 1 == line) and matches:
            return True
        if at > line:
            continue
        if kind == "disable":
            if codes:
                off.update(codes)
                back_on.difference_update(codes)
            else:
                off_all, back_on = True, set()
        elif kind == "enable":
            if codes:
                off.difference_update(codes)
                back_on.update(codes)
            else:
                off_all, off, back_on = False, set(), set()
    return code in off or (off_all and code not in back_on)


def build_context(project: Project, options: LintOptions) -> tuple[LintContext, dict[str, Rule]]:
    from .context import LintContext, template_blank_after_headings
    from .rules import all_rules

    rules = all_rules()
    config = project.config
    settings = load_rule_settings(config.tables.get("lint", {}), project.schema, config.source)
    ctx = LintContext(
        schema=project.schema,
        settings=settings,
        today=options.today or dt.date.today(),
        root=config.root,
        tickets_dir=config.tickets_dir,
        documents=frozenset(config.documents),
        blank_after_headings=template_blank_after_headings(project.schema),
        max_bytes=config.max_file_bytes,
    )
    return ctx, rules


def _cache_key(project: Project, today: dt.date) -> list[str]:
    """Everything that changes what rules find, read from the config alone (no parsing)."""
    config = project.config
    template = config.template.read_bytes() if config.template else b"builtin"
    return [
        code_stamp(),
        digest(template),
        json.dumps(config.tables.get("lint", {}), sort_keys=True, default=str),
        json.dumps(sorted(config.roles.items())),
        today.isoformat(),
        str(config.max_file_bytes),
        str(config.tickets_dir),
        json.dumps(sorted(map(str, config.documents))),
    ]


_RACY_NS = 2_000_000_000


def _stamp(path: Path) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size, st.st_ino]


def _read(path: Path, limit: int) -> bytes | OSError:
    """The file's bytes, at most `limit + 1` of them (enough to hash it and to say it is too large)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        return exc


def _lint_job(job: tuple[Path, str, bytes | OSError | None], ctx: LintContext, rules: list[Rule]) -> FileResult:
    """Lint one file; a file the cache knew nothing about is read here, in whichever process lints it."""
    path, rel, data = job
    return lint_source(path, rel, _read(path, ctx.max_bytes) if data is None else data, ctx, rules)


def _helpers(jobs: int) -> int:
    """How many processes to fork besides this one (which lints its share too)."""
    if jobs < PARALLEL_MIN_FILES or os.environ.get("TICKETGEN_LINT_JOBS") == "1" or not hasattr(os, "fork"):
        return 0  # no fork on Windows: a helper could not inherit the context
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, MAX_PROCESSES) - 1


@contextmanager
def _gc_quiet() -> Iterator[None]:
    """Collect rarely (see `rare_collections`), and never scan the objects that exist before
    the run (which also keeps forked helpers from copying their pages)."""
    from ..core.parse import rare_collections

    gc.freeze()
    try:
        with rare_collections():
            yield
    finally:
        gc.unfreeze()


def _lint_many(
    jobs: list[tuple[Path, str, bytes | OSError | None]], ctx: LintContext, rules: list[Rule]
) -> list[FileResult]:
    from ..core import parse  # noqa: F401  (imported once, before any fork: helpers start ready to parse)

    helpers = _helpers(len(jobs))
    with _gc_quiet():
        if helpers == 0:
            return [_lint_job(job, ctx, rules) for job in jobs]
        return _lint_shared(jobs, ctx, rules, helpers)


def _lint_shared(
    jobs: list[tuple[Path, str, bytes | OSError | None]], ctx: LintContext, rules: list[Rule], helpers: int
) -> list[FileResult]:
    """This process and `helpers` forked ones take batches in turn until none are left, so a
    process slowed down by a noisy machine just takes fewer. The turns are batch numbers in one
    pipe that every process reads 4 bytes at a time (a pipe hands each byte to one reader only).
    Helpers inherit the jobs, the context and every import, and send back only their
    (index, FileResult) pairs. A helper that fails or dies leaves gaps that this process fills, so
    any error surfaces here as it would in a serial run."""
    import pickle
    import signal

    size = max(BATCH, -(-len(jobs) // _MAX_BATCHES))
    turns, turns_in = os.pipe()
    os.write(turns_in, b"".join(start.to_bytes(4, "little") for start in range(0, len(jobs), size)))
    os.close(turns_in)  # all written up front (it fits in the pipe's buffer): readers see EOF when done
    running: list[tuple[int, int]] = []
    results: list[FileResult | None] = [None] * len(jobs)
    try:
        for _ in range(helpers):
            reader, writer = os.pipe()
            pid = os.fork()
            if pid == 0:  # the helper: never returns into the caller's code
                status = 1
                try:
                    os.close(reader)
                    with open(writer, "wb") as out:
                        pickle.dump(_take_turns(jobs, ctx, rules, turns, size), out, pickle.HIGHEST_PROTOCOL)
                    status = 0
                finally:
                    os._exit(status)
            os.close(writer)
            running.append((pid, reader))
        for index, result in _take_turns(jobs, ctx, rules, turns, size):
            results[index] = result
        while running:
            pid, reader = running.pop(0)
            with open(reader, "rb") as stream:
                payload = stream.read()
            os.waitpid(pid, 0)
            try:
                for index, result in pickle.loads(payload):
                    results[index] = result
            except Exception:  # a helper that died mid-way: its gaps are filled below
                pass
    finally:
        os.close(turns)
        for pid, reader in running:  # only after an error in this process: stop the helpers
            os.close(reader)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    return [_lint_job(jobs[i], ctx, rules) if result is None else result for i, result in enumerate(results)]


def _take_turns(
    jobs: list[tuple[Path, str, bytes | OSError | None]], ctx: LintContext, rules: list[Rule], turns: int, size: int
) -> list[tuple[int, FileResult]]:
    done = []
    while len(turn := os.read(turns, 4)) == 4:
        start = int.from_bytes(turn, "little")
        done.extend((i, _lint_job(jobs[i], ctx, rules)) for i in range(start, min(start + size, len(jobs))))
    return done


def _relative(path: Path, root: str) -> str:
    """`path` relative to the root (a string operation: this runs once per file on every run)."""
    text = str(path)
    if text.startswith(root):
        return text[len(root) :].replace(os.sep, "/")
    return path.as_posix()


def run_lint(project: Project, paths: list[Path] | None = None, options: LintOptions | None = None) -> LintRun:
    """Lint the project's ticket files; with `paths`, report only on those (pre-commit), while
    cross-file checks still see every ticket ID in the project.

    A file whose content hash is in the cache is not parsed; when every file is, neither is the
    template, so a warm run costs little more than reading and hashing the files."""
    options = options or LintOptions()
    config = project.config
    table = config.tables.get("lint", {})
    today = options.today or dt.date.today()
    files = project.ticket_files()
    root_prefix = str(config.root).rstrip(os.sep) + os.sep
    reported: list[Path] | None = None
    skipped: list[str] = []
    if paths is not None:
        # A symlinked ticket is named by its link (as pre-commit does) or by its target.
        known = {path.resolve(): path for path in files} | {path: path for path in files}
        reported = []
        for given in paths:
            absolute = given.resolve()
            if not absolute.is_file():
                raise UsageError(f"{given}: no such file")
            found = known.get(Path(os.path.abspath(given))) or known.get(absolute)
            if found is not None:
                reported.append(found)
            else:  # the template, a README...: pre-commit passes every Markdown file it sees
                skipped.append(_relative(absolute, root_prefix))

    cache = (
        LintCache(config.root, _cache_key(project, today)) if options.use_cache and table.get("cache", True) else None
    )
    stored = cache.load() if cache else {}
    entries = stored.get("files", {}) if isinstance(stored.get("files"), dict) else {}
    defaults = stored.get("defaults") if isinstance(stored.get("defaults"), dict) else None
    results: dict[str, FileResult] = {}
    misses: list[tuple[Path, str, bytes | OSError | None]] = []  # None: not read yet
    order: list[str] = []
    stats: dict[str, list[int]] = {}
    restamp = False  # some file matched by content but not by stat: store its stat for next time
    for path in files:
        rel = _relative(path, root_prefix)
        order.append(rel)
        entry = entries.get(rel)
        stamp = _stamp(path)
        if stamp is not None:
            stats[rel] = stamp
        if not isinstance(entry, dict):
            misses.append((path, rel, None))
            continue
        if stamp is not None and entry.get("stat") == stamp:
            data: bytes | OSError | None = None  # unchanged since a run that hashed it: no need to read
        else:
            data = _read(path, config.max_file_bytes)
            if isinstance(data, OSError) or entry.get("digest") != digest(data):
                misses.append((path, rel, data))
                continue
            restamp = restamp or stamp is not None
        try:
            results[rel] = FileResult.from_cache(rel, entry)
        except (KeyError, TypeError, ValueError):
            misses.append((path, rel, data if data is not None else _read(path, config.max_file_bytes)))
    if misses or defaults is None:
        ctx, rules = build_context(project, options)
        defaults = {code: r.severity for code, r in rules.items()}
        for result in _lint_many(misses, ctx, list(rules.values())):
            results[result.path] = result
    reporting = load_reporting(table, defaults, config.source)
    cli_select = expand_codes(options.select, defaults, "--select") if options.select else None
    cli_ignore = expand_codes(options.ignore, defaults, "--ignore") if options.ignore else frozenset()
    if cache is not None and (misses or restamp or set(entries) != set(results) or "defaults" not in stored):
        settled = time.time_ns() - _RACY_NS
        files_out = {}
        for rel, r in results.items():
            if r.digest:
                files_out[rel] = r.to_cache()
                stamp = stats.get(rel)
                # Like git's racily-clean rule: a file modified just now may change again within the
                # clock's granularity without changing size, so only older files are trusted by stat.
                files_out[rel]["stat"] = stamp if stamp is not None and stamp[0] < settled else None
        cache.save({"defaults": defaults, "files": files_out})

    cross = _cross_file(results, project, options.branches)
    report_on = order if reported is None else [_relative(p, root_prefix) for p in reported]
    findings: list[Finding] = []
    for rel in dict.fromkeys(report_on):
        result = results[rel]
        for f in [*result.findings, *cross.get(rel, [])]:
            level = _level(f.code, rel, reporting, cli_select, cli_ignore, options.strict)
            if level is None or suppressed(result.directives, f.line, f.code):
                continue
            findings.append(Finding(f.code, level, rel, f.line, f.column, f.message, f.edits))
    findings.sort(key=Finding.sort_key)
    reported_files = list(dict.fromkeys(report_on))
    digests = {rel: results[rel].digest for rel in reported_files}
    return LintRun(findings, reported_files, config.root, len(results) - len(misses), skipped, digests)


def _level(
    code: str, path: str, reporting: Reporting, select: frozenset[str] | None, ignore: frozenset[str], strict: bool
) -> str | None:
    if select is not None and code not in select or code in ignore:
        return None
    level = reporting.severity_for(code, path)
    if strict and level == "warning":
        return "error"
    return level


def _cross_file(results: dict[str, FileResult], project: Project, branches: bool) -> dict[str, list[Finding]]:
    found: dict[str, list[Finding]] = {}
    places: dict[int, list[tuple[str, str, int]]] = {}
    for rel, result in results.items():
        for ticket_id, number, line in result.ids:
            places.setdefault(number, []).append((rel, ticket_id, line))
    for where in places.values():
        if len(where) < 2:
            continue
        for rel, ticket_id, line in where:
            others = ", ".join(f"{p}:{n}" for p, _, n in where if (p, n) != (rel, line))
            found.setdefault(rel, []).append(
                Finding("TG006", "", rel, line, 1, f"{ticket_id} is also defined at {others}")
            )
    if branches:
        from ..authoring.ids import branch_ids

        elsewhere = branch_ids(project)
        for number, where in places.items():
            spots = elsewhere.get(project.schema.format_id(number), set())
            for rel, ticket_id, line in where:
                other = sorted(s for s in spots if s.partition(":")[2] != rel)
                if other:
                    message = f"{ticket_id} is also used on another branch: {', '.join(other[:3])}"
                    found.setdefault(rel, []).append(Finding("TG006", "", rel, line, 1, message))
    for rel, result in results.items():
        for written, number, line in result.mentions:
            if number not in places:
                message = f"{written} is mentioned but no ticket has that ID"
                found.setdefault(rel, []).append(Finding("TG041", "", rel, line, 1, message))
    return found
