"""Run the rules: read each file once (the project's loader), lint it or take its result from
the one cache, then add the cross-file checks (duplicate IDs, missing references) from every
file's ID list, and finally apply settings: select/ignore, severities, per-path overrides and
inline suppressions."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.cache import Codec, digest
from ..core.errors import ContentError, UsageError
from .model import Edit, Finding, Hit
from .settings import Reporting, expand_codes, load_reporting, load_rule_settings

if TYPE_CHECKING:  # the rules and their context are imported only when some file is not cached
    from ..core.project import Project, SourceFile
    from ..core.records import Ticket
    from .baseline import Entry
    from .context import DocView, LintContext
    from .rule import Rule

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
    # Local link targets (file, line, link as written): whether they exist is asked on every
    # run, as a cached result cannot know that a target was deleted or added since.
    targets: list[tuple[str, int, str]] = field(default_factory=list)


def _result_to_data(value: FileResult | dict[str, str]) -> dict[str, Any]:
    """A cached lint entry as JSON data: one file's result, or the rules' default severities."""
    if not isinstance(value, FileResult):
        return {"defaults": value}
    edits = [[[e.start, e.end, e.replacement] for e in f.edits] for f in value.findings]
    return {
        "path": value.path,
        "digest": value.digest,
        "findings": [
            [f.code, f.severity, f.path, f.line, f.column, f.message, e]
            for f, e in zip(value.findings, edits, strict=True)
        ],
        "ids": value.ids,
        "mentions": value.mentions,
        "directives": value.directives,
        "targets": value.targets,
    }


def _result_from_data(data: dict[str, Any]) -> FileResult | dict[str, str]:
    if "defaults" in data:
        defaults = data["defaults"]
        if not isinstance(defaults, dict) or not all(isinstance(v, str) for v in defaults.values()):
            raise TypeError("defaults are not a mapping of codes to severities")
        return defaults
    findings = [
        Finding(code, severity, path, line, column, message, tuple(Edit(*e) for e in edits))
        for code, severity, path, line, column, message, edits in data["findings"]
    ]
    return FileResult(
        data["path"],
        data["digest"],
        findings,
        [(i, n, line) for i, n, line in data["ids"]],
        [(i, n, line) for i, n, line in data["mentions"]],
        [(kind, list(codes), line) for kind, codes, line in data["directives"]],
        [(p, line, link) for p, line, link in data["targets"]],
    )


LINT_CODEC = Codec(_result_to_data, _result_from_data)


@dataclass
class LintOptions:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    strict: bool = False
    branches: bool = False
    today: dt.date | None = None


@dataclass
class LintRun:
    findings: list[Finding]
    files: list[str]  # the files reported on, relative POSIX paths
    root: Path
    cached: int = 0  # files whose result came from the cache
    skipped: list[str] = field(default_factory=list)  # files given that are not ticket files
    digests: dict[str, str] = field(default_factory=dict)  # content hash each file was linted at
    tickets: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # file -> (heading line, ID)
    complete: bool = True  # every ticket file was linted (no PATHs given)
    rules_off: frozenset[str] = frozenset()  # rules --select/--ignore left out of this run
    # Set by the baseline (lint/baseline.py) and the severity filter, for the reporters:
    baselined: list[Finding] = field(default_factory=list)  # findings the baseline accepts
    stale: list[Entry] = field(default_factory=list)  # recorded findings that no longer occur
    baseline: str | None = None  # the baseline file, as the user names it, when one was applied
    hidden: dict[str, int] = field(default_factory=dict)  # severity -> findings not shown (min_severity)

    @property
    def rules(self) -> dict[str, Rule]:
        """The rule table (imported only by reporters that print rule names)."""
        from .rules import all_rules

        return all_rules()


def _rule_hits(view: DocView, ctx: LintContext, rules: Iterable[Rule]) -> list[Finding]:
    path = view.document.path.as_posix()
    found: list[Finding] = []
    doc_rules = [(r.code, r.check) for r in rules if r.scope == "document" and r.check is not None]
    ticket_rules = [(r.code, r.check) for r in rules if r.scope == "ticket" and r.check is not None]
    for code, check in doc_rules:
        found.extend(_finding(code, path, h) for h in check(view, ctx))
    for ticket in view.document.tickets:
        for code, check in ticket_rules:
            found.extend(_finding(code, path, h) for h in check(ticket, view, ctx))
    return found


def _finding(code: str, path: str, hit: Hit) -> Finding:
    return Finding(code, "", path, hit.line, hit.column, hit.message, hit.edits)


def lint_source(project: Project, source: SourceFile, ctx: LintContext, rules: list[Rule]) -> FileResult:
    """Lint one file (or report why it could not be read)."""
    from .context import DocView

    rel = source.display.as_posix()
    result = FileResult(rel, source.digest)
    try:
        document = project.document(source)
    except ContentError as exc:
        message = f"{exc.message} (max_file_bytes)" if "-byte limit" in exc.message else exc.message
        result.findings.append(Finding("TG001", "", rel, exc.location.line or 1, 1, message))
        return result
    document.release_tokens()  # rules work on the records and the text
    text = document.text
    view = DocView(document, source.path)
    result.findings = _rule_hits(view, ctx, rules)
    from ..core.validate import local_target, target_problem

    for ticket in document.tickets:
        result.ids.append((ticket.id, ticket.number, ticket.line))
        result.mentions.extend(_mentions(ticket, view, ctx))
        for ref in ticket.references:
            path = local_target(ref.url) if ref.text else None
            if path is not None and target_problem(path) is None:  # else TG040 says why
                target = os.path.normpath(source.path.parent / path)
                result.targets.append((target, ref.line, f"[{ref.text}]({ref.url.strip()})"))
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
    off_all, off, back_on = False, set[str](), set[str]()
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
    settings = load_rule_settings(config, project.schema)
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
    from ..runbooks.collect import load_extra_resources

    # Where tickets declare resources (TG050, TG051): the runbooks' settings, as `ticketgen runbooks` reads them.
    ctx.runbook_settings = config.runbooks
    if config.manifests:
        from ..runbooks.manifests import Defined, read_manifests

        try:
            objects, _ = read_manifests(config.manifests, config.root, config.max_file_bytes)
            extra = load_extra_resources(config.runbooks_dir / "resources.yaml", config.root)
        except ContentError:
            pass  # which objects exist is unknown: TG051 stays quiet; `ticketgen runbooks` reports the file
        else:
            ctx.defined = Defined.of(objects, extra, config.manifests, config.root)
    return ctx, rules


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
    today = options.today or dt.date.today()
    files = project.ticket_files()
    root_prefix = str(config.root).rstrip(os.sep) + os.sep
    reported: list[Path] | None = None
    skipped: list[str] = []
    if paths is not None:
        # A symlinked ticket is named by its link (as pre-commit does) or by its target; the
        # links are resolved only when a name is not found as it is (pre-commit names few files).
        known: dict[Path, Path] = {path: path for path in files}
        resolved: dict[Path, Path] | None = None
        reported = []
        for given in paths:
            absolute = given.resolve()
            if not absolute.is_file():
                raise UsageError(f"{given}: no such file")
            found = known.get(Path(os.path.abspath(given))) or known.get(absolute)
            if found is None:
                resolved = resolved if resolved is not None else {path.resolve(): path for path in files}
                found = resolved.get(absolute)
            if found is not None:
                reported.append(found)
            elif absolute.suffix.lower() in (".md", ".markdown") and absolute != config.template:
                files.append(absolute)  # named on purpose: linted against the template wherever it is
                known[absolute] = absolute
                reported.append(absolute)
            else:  # the template is the schema, not a ticket; other files are not Markdown
                skipped.append(_relative(absolute, root_prefix))

    # Findings depend on the file's bytes, the lint settings, today (future dates) and the
    # manifests' bytes (TG051); the template, the other settings and ticketgen's code are in the
    # cache's own key.
    depends = [repr(config.lint), today.isoformat()]
    if config.manifests:
        from ..runbooks.manifests import inputs_digest

        extra = config.runbooks_dir / "resources.yaml"
        depends.append(inputs_digest(config.manifests, extra, config.max_file_bytes, config.root))
    settings = digest(json.dumps(depends, sort_keys=True, default=str).encode())
    shelf = project.cache.shelf("lint", LINT_CODEC)
    results: dict[str, FileResult] = {}
    misses: list[SourceFile] = []
    order: list[str] = []
    for source in project.sources(files):
        rel = source.display.as_posix()
        order.append(rel)
        found = shelf.get((rel, source.digest, settings)) if source.data is not None else None
        if found is None:
            misses.append(source)
        else:
            results[rel] = found
    defaults = shelf.get(("defaults", settings))
    if misses or defaults is None:
        from ..core.parse import rare_collections

        ctx, rules = build_context(project, options)
        defaults = {code: r.severity for code, r in rules.items()}
        shelf.put(("defaults", settings), defaults)
        with rare_collections():
            for source in misses:
                result = lint_source(project, source, ctx, list(rules.values()))
                results[result.path] = result
                if result.digest:
                    shelf.put((result.path, result.digest, settings), result)
    shelf.save(prune=True)
    project.cache.shelf("records").save()
    reporting = load_reporting(config, defaults)
    cli_select = expand_codes(options.select, defaults, "--select") if options.select else None
    cli_ignore = expand_codes(options.ignore, defaults, "--ignore") if options.ignore else frozenset()

    cross = _cross_file(results, project, options.branches)
    for rel, found in _missing_targets(results).items():
        cross.setdefault(rel, []).extend(found)
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
    tickets = {rel: sorted((line, ticket_id) for ticket_id, _, line in results[rel].ids) for rel in reported_files}
    off = frozenset(defaults) - cli_select if cli_select is not None else frozenset()
    return LintRun(
        findings,
        reported_files,
        config.root,
        len(results) - len(misses),
        skipped,
        digests,
        tickets,
        complete=reported is None,
        rules_off=off | cli_ignore,
    )


def _level(
    code: str, path: str, reporting: Reporting, select: frozenset[str] | None, ignore: frozenset[str], strict: bool
) -> str | None:
    if select is not None and code not in select or code in ignore:
        return None
    level = reporting.severity_for(code, path)
    if strict and level == "warning":
        return "error"
    return level


def _missing_targets(results: dict[str, FileResult]) -> dict[str, list[Finding]]:
    """TG040 for local links whose file does not exist now (see `FileResult.targets`)."""
    found: dict[str, list[Finding]] = {}
    exists: dict[str, bool] = {}
    for rel, result in results.items():
        for target, line, link in result.targets:
            if target not in exists:
                exists[target] = os.path.exists(target)
            if not exists[target]:
                message = f"link {link} points to a file that does not exist"
                found.setdefault(rel, []).append(Finding("TG040", "", rel, line, 1, message))
    return found


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


def at_least(run: LintRun, level: str) -> LintRun:
    """The run showing only findings of `level` or worse; the others are counted in `hidden`,
    so the report can say what it left out."""
    from dataclasses import replace

    from .model import SEVERITIES

    worst = SEVERITIES[: SEVERITIES.index(level) + 1]
    hidden = Counter(f.severity for f in run.findings if f.severity not in worst)
    if not hidden:
        return run
    shown = [f for f in run.findings if f.severity in worst]
    return replace(run, findings=shown, hidden={s: hidden[s] for s in SEVERITIES if hidden[s]})
