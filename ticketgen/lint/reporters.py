"""Output formats. A reporter turns a `LintRun` into text; add one by registering a function
in `REPORTERS` (name -> reporter). Paths are always relative to the project root, POSIX."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from urllib.parse import quote

from ..core.terminal import printable  # ticket text is untrusted: no escape sequences, nothing XML forbids
from .engine import LintRun
from .model import SEVERITIES, Finding

_COLORS = {"error": "31", "warning": "33", "info": "36"}


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ticketgen")
    except PackageNotFoundError:
        return "0"


def plural(count: int, noun: str) -> str:
    """`1 file`, `2 files`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary_line(run: LintRun) -> str:
    counts = Counter(f.severity for f in run.findings)
    files = len({f.path for f in run.findings})
    if not run.findings:
        return f"All good: {plural(len(run.files), 'file')} checked, no findings."
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}" for s in SEVERITIES if counts[s]]
    fixable = sum(1 for f in run.findings if f.fixable)
    fix_note = f" ({fixable} fixable with --fix)" if fixable else ""
    return f"Found {', '.join(parts)} in {files} of {plural(len(run.files), 'file')}{fix_note}."


def text(run: LintRun, color: bool = False) -> str:
    """`path:line:col: TG003 [severity] message`, one per line, then a summary line."""

    def paint(s: str, code: str) -> str:
        return f"\x1b[{code}m{s}\x1b[0m" if color else s

    lines = []
    for f in run.findings:
        where = paint(f"{printable(f.path)}:{f.line}:{f.column}:", "1")
        message = printable(f.message)
        lines.append(f"{where} {paint(f.code, _COLORS[f.severity])} [{f.severity}] {message}")
    lines.append(summary_line(run))
    return "\n".join(lines) + "\n"


def as_json(run: LintRun, color: bool = False) -> str:
    findings = [
        {
            "code": f.code,
            "name": run.rules[f.code].name,
            "severity": f.severity,
            "path": f.path,
            "line": f.line,
            "column": f.column,
            "message": f.message,
            "fixable": f.fixable,
        }
        for f in run.findings
    ]
    counts = Counter(f.severity for f in run.findings)
    summary = {"files": len(run.files), **{s: counts[s] for s in SEVERITIES}}
    document = {
        "version": 1,
        "tool": {"name": "ticketgen", "version": tool_version()},
        "summary": summary,
        "findings": findings,
    }
    return json.dumps(document, indent=2) + "\n"


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
    lines.append(summary_line(run))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Markdown table cell text: no pipes, no HTML, one line."""
    return printable(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def github_summary(run: LintRun) -> str:
    """A Markdown table for $GITHUB_STEP_SUMMARY: annotations stop at 10 per type, this does not."""
    lines = ["### ticketgen lint", "", summary_line(run), ""]
    if run.findings:
        lines += ["| File | Line | Rule | Severity | Message |", "|---|---|---|---|---|"]
        lines += [
            f"| {_cell(f.path)} | {f.line} | {f.code} | {f.severity} | {_cell(f.message)} |" for f in run.findings
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
    results = [
        {
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
        for f in run.findings
    ]
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                # No informationUri: SARIF makes it optional, and ticketgen has no public home to name.
                "tool": {"driver": {"name": "ticketgen", "version": tool_version(), "rules": rules}},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": run.root.as_uri() + "/"}},
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def junit(run: LintRun, color: bool = False) -> str:
    """One test suite per file, one failing test case per error or warning (info is not a failure)."""
    import xml.etree.ElementTree as ET

    by_file: dict[str, list[Finding]] = {p: [] for p in run.files}
    for f in run.findings:
        by_file.setdefault(f.path, []).append(f)
    failures = [f for f in run.findings if f.severity != "info"]
    root = ET.Element(
        "testsuites", name="ticketgen lint", tests=str(max(len(failures), 1)), failures=str(len(failures))
    )
    for path, found in by_file.items():
        failing = [f for f in found if f.severity != "info"]
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(max(len(failing), 1)), failures=str(len(failing)))
        if not failing:
            ET.SubElement(suite, "testcase", name="ticketgen lint", classname=path)
        for f in failing:
            case = ET.SubElement(
                suite, "testcase", name=f"{f.code} {run.rules[f.code].name}", classname=path, line=str(f.line)
            )
            failure = ET.SubElement(case, "failure", message=printable(f.message), type=f.severity)
            failure.text = printable(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


REPORTERS: dict[str, Callable[[LintRun, bool], str]] = {
    "text": text,
    "json": as_json,
    "github": github,
    "sarif": sarif,
    "junit": junit,
}
