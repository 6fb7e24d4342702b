"""Output formats. A reporter turns a `LintRun` into text; add one by registering a function
in `REPORTERS` (name -> reporter). Paths are always relative to the project root, POSIX."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from urllib.parse import quote

from ..core.sanitize import markdown_code
from ..core.terminal import printable  # ticket text is untrusted: no escape sequences, nothing XML forbids
from .baseline import Entry
from .engine import LintRun
from .model import SEVERITIES, Finding

_COLORS = {"error": "31", "warning": "33", "info": "36"}


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ticketgen")
    except PackageNotFoundError:
        return "0"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 file`, `2 files`."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def summary_line(run: LintRun) -> str:
    """One line: what was found, then what is not shown (below min_severity, in the baseline) and
    which baseline entries are stale, so a quiet report never hides that something was left out."""
    counts = Counter(f.severity for f in run.findings)
    files = len({f.path for f in run.findings})
    if not run.findings:
        found = "no new findings" if run.baseline else "no findings"
        line = f"{'Not clean' if run.stale else 'All good'}: {plural(len(run.files), 'file')} checked, {found}."
    else:
        parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}" for s in SEVERITIES if counts[s]]
        fixable = sum(1 for f in run.findings if f.fixable)
        fix_note = f" ({fixable} fixable with --fix)" if fixable else ""
        new = " (new)" if run.baseline else ""
        line = f"Found {', '.join(parts)}{new} in {files} of {plural(len(run.files), 'file')}{fix_note}."
    return line + "".join(f" {note}" for note in _left_out(run))


def _left_out(run: LintRun) -> list[str]:
    notes = []
    if run.hidden:
        shown = ", ".join(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in run.hidden.items())
        notes.append(f"Not shown (below the minimum severity): {shown}.")
    if run.baseline:
        remain = "remains" if len(run.baselined) == 1 else "remain"
        notes.append(f"{plural(len(run.baselined), 'baselined finding')} {remain} ({run.baseline}).")
    if run.stale:
        stale = sum(e.count for e in run.stale)
        occur = "occurs" if stale == 1 else "occur"
        notes.append(
            f"{plural(stale, 'baseline entry', 'baseline entries')} no longer {occur}: "
            "`ticketgen lint --update-baseline` drops them."
        )
    return notes


def stale_line(entry: Entry) -> str:
    """A baseline entry whose finding is gone: it fails the run until the baseline drops it."""
    times = f" ({entry.count} times)" if entry.count > 1 else ""
    where = f"{entry.ticket}: " if entry.ticket else ""
    return f"[stale] no longer occurs{times}, drop it with --update-baseline: {where}{entry.message}"


def text(run: LintRun, color: bool = False) -> str:
    """`path:line:col: TG003 [severity] message`, one per line, then a summary line."""

    def paint(s: str, code: str) -> str:
        return f"\x1b[{code}m{s}\x1b[0m" if color else s

    lines = []
    for f in run.findings:
        where = paint(f"{printable(f.path)}:{f.line}:{f.column}:", "1")
        message = printable(f.message)
        lines.append(f"{where} {paint(f.code, _COLORS[f.severity])} [{f.severity}] {message}")
    for e in run.stale:
        lines.append(
            f"{paint(printable(e.file) + ':', '1')} {paint(e.rule, _COLORS['error'])} {printable(stale_line(e))}"
        )
    lines.append(summary_line(run))
    return "\n".join(lines) + "\n"


def as_json(run: LintRun, color: bool = False) -> str:
    findings = [_finding_json(f, run) for f in run.findings]
    counts = Counter(f.severity for f in run.findings)
    summary: dict[str, int | dict[str, int]] = {"files": len(run.files), **{s: counts[s] for s in SEVERITIES}}
    document = {
        "version": 1,
        "tool": {"name": "ticketgen", "version": tool_version()},
        "summary": summary,
        "findings": findings,
    }
    if run.hidden:  # said, so a consumer knows the list is not everything
        summary["not_shown"] = dict(run.hidden)
    if run.baseline:
        summary["baselined"] = len(run.baselined)
        summary["stale"] = sum(e.count for e in run.stale)
        document["baseline"] = {
            "file": run.baseline,
            "baselined": [_finding_json(f, run) for f in run.baselined],
            "stale": [
                {"file": e.file, "ticket": e.ticket, "rule": e.rule, "message": e.message, "count": e.count}
                for e in run.stale
            ],
        }
    return json.dumps(document, indent=2) + "\n"


def _finding_json(f: Finding, run: LintRun) -> dict[str, object]:
    return {
        "code": f.code,
        "name": run.rules[f.code].name,
        "severity": f.severity,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "message": f.message,
        "fixable": f.fixable,
    }


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(run: LintRun, color: bool = False) -> str:
    """GitHub Actions workflow commands (`::error file=...::message`), escaped per actions/toolkit."""
    command = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for f in run.findings:
        props = {
            "file": printable(f.path),
            "line": str(f.line),
            "col": str(f.column),
            "title": f"ticketgen {f.code} ({run.rules[f.code].name})",
        }
        rendered = ",".join(f"{k}={_escape_property(v)}" for k, v in props.items())
        lines.append(f"::{command[f.severity]} {rendered}::{_escape_data(printable(f'{f.code} {f.message}'))}")
    for e in run.stale:  # it fails the run: an error, on the file
        rendered = ",".join(
            f"{k}={_escape_property(v)}" for k, v in {"file": printable(e.file), "title": "ticketgen baseline"}.items()
        )
        lines.append(f"::error {rendered}::{_escape_data(printable(f'{e.rule} {stale_line(e)}'))}")
    lines.append(summary_line(run))
    return "\n".join(lines) + "\n"


def github_summary(run: LintRun) -> str:
    """A Markdown table for $GITHUB_STEP_SUMMARY: annotations stop at 10 per type, this does not.
    File names and messages are code spans: a link, image or HTML in a ticket stays text."""
    lines = ["### ticketgen lint", "", summary_line(run), ""]
    if run.findings:
        lines += ["| File | Line | Rule | Severity | Message |", "|---|---|---|---|---|"]
        lines += [
            f"| {markdown_code(f.path)} | {f.line} | {f.code} | {f.severity} | {markdown_code(f.message)} |"
            for f in run.findings
        ]
    if run.stale:
        lines += ["", "Baseline entries that no longer occur (`ticketgen lint --update-baseline` drops them):", ""]
        lines += ["| File | Ticket | Rule | Message | Count |", "|---|---|---|---|---|"]
        lines += [
            "| "
            + " | ".join([markdown_code(e.file), markdown_code(e.ticket), e.rule, markdown_code(e.message)])
            + f" | {e.count} |"
            for e in run.stale
        ]
    return "\n".join(lines) + "\n\n"


def sarif(run: LintRun, color: bool = False) -> str:
    """SARIF 2.1.0 (validated against the official schema in the tests), for code scanning."""
    codes = sorted(run.rules)
    index = {code: n for n, code in enumerate(codes)}
    level = {"error": "error", "warning": "warning", "info": "note"}
    rules = [
        {
            "id": code,
            "name": run.rules[code].name,
            "shortDescription": {"text": run.rules[code].summary},
            "fullDescription": {"text": run.rules[code].why},
            "help": {"text": run.rules[code].how_to_fix, "markdown": run.rules[code].explain()},
            "defaultConfiguration": {"level": level[run.rules[code].severity]},
        }
        for code in codes
    ]

    def result(f: Finding) -> dict[str, object]:
        return {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": level[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": quote(f.path, safe="/"), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
        }

    results = [result(f) for f in run.findings]
    properties: dict[str, object] = {}
    if run.baseline:  # SARIF's own words: new, unchanged (and suppressed: accepted), absent
        accepted = {"kind": "external", "status": "accepted", "justification": f"recorded in {run.baseline}"}
        results = [{**r, "baselineState": "new"} for r in results]
        results += [{**result(f), "baselineState": "unchanged", "suppressions": [accepted]} for f in run.baselined]
        results += [
            {
                "ruleId": e.rule,
                **({"ruleIndex": index[e.rule]} if e.rule in index else {}),  # a rule since removed has none
                "level": "error",  # it fails the run until the baseline drops it
                "message": {"text": stale_line(e)},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": quote(e.file, safe="/"), "uriBaseId": "%SRCROOT%"}
                        }
                    }
                ],
                "baselineState": "absent",
            }
            for e in run.stale
        ]
        properties.update(baseline=run.baseline, baselined=len(run.baselined), stale=sum(e.count for e in run.stale))
    if run.hidden:
        properties["notShown"] = dict(run.hidden)
    sarif_run: dict[str, object] = {
        # No informationUri: SARIF makes it optional, and ticketgen has no public home to name.
        "tool": {"driver": {"name": "ticketgen", "version": tool_version(), "rules": rules}},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": run.root.as_uri() + "/"}},
        "results": results,
    }
    if properties:
        sarif_run["properties"] = properties
    document = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [sarif_run]}
    return json.dumps(document, indent=2) + "\n"


def junit(run: LintRun, color: bool = False) -> str:
    """One test suite per file, one failing test case per error or warning (info is not a failure)."""
    import xml.etree.ElementTree as ET

    by_file: dict[str, list[Finding]] = {p: [] for p in run.files}
    for f in run.findings:
        by_file.setdefault(f.path, []).append(f)
    stale: dict[str, list[Entry]] = {}
    for e in run.stale:
        by_file.setdefault(e.file, [])
        stale.setdefault(e.file, []).append(e)
    failures = [f for f in run.findings if f.severity != "info"]
    total = len(failures) + len(run.stale)
    root = ET.Element("testsuites", name="ticketgen lint", tests=str(max(total, 1)), failures=str(total))
    for path, found in by_file.items():
        failing = [f for f in found if f.severity != "info"]
        gone = stale.get(path, [])
        count = len(failing) + len(gone)
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(max(count, 1)), failures=str(count))
        if not count:
            ET.SubElement(suite, "testcase", name="ticketgen lint", classname=path)
        for f in failing:
            case = ET.SubElement(
                suite, "testcase", name=f"{f.code} {run.rules[f.code].name}", classname=path, line=str(f.line)
            )
            failure = ET.SubElement(case, "failure", message=printable(f.message), type=f.severity)
            failure.text = printable(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}")
        for e in gone:
            case = ET.SubElement(suite, "testcase", name=f"{e.rule} baseline", classname=path)
            failure = ET.SubElement(case, "failure", message=printable(stale_line(e)), type="baseline")
            failure.text = printable(f"{e.file}: {e.rule} {stale_line(e)}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


REPORTERS: dict[str, Callable[[LintRun, bool], str]] = {
    "text": text,
    "json": as_json,
    "github": github,
    "sarif": sarif,
    "junit": junit,
}
