"""Golden output for every format on the INC- examples, SARIF schema validation, escaping."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import FIXTURES, run_cli
from ticketgen.lint.reporters import _escape_data, _escape_property

GOLDEN = Path(__file__).parent / "golden"
FORMATS = {"text": "txt", "json": "json", "github": "txt", "sarif": "json", "junit": "xml"}


def _normalise(output: str, root: Path) -> str:
    """Only what differs between machines: the tool version and the absolute project root."""
    output = output.replace(root.resolve().as_uri(), "file:///PROJECT")
    return re.sub(r'("version": )"(?!2\.1\.0)[^"]*"', r'\1"VERSION"', output)


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_output(examples_project: Path, fmt: str):
    result = run_cli("lint", "--format", fmt, "--no-cache", cwd=examples_project)
    assert result.exit_code == 1
    got = _normalise(result.stdout, examples_project)
    golden = GOLDEN / f"examples.{fmt}.{FORMATS[fmt]}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(got)
    assert got == golden.read_text()


def test_sarif_validates_against_the_official_schema(examples_project: Path):
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
    document = json.loads(run_cli("lint", "--format", "sarif", cwd=examples_project).stdout)
    jsonschema.validate(document, schema)
    results = document["runs"][0]["results"]
    assert {r["level"] for r in results} == {"error", "warning", "note"}
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    # ticketgen has no public home page: no made-up informationUri (the property is optional)
    assert "informationUri" not in document["runs"][0]["tool"]["driver"]


def test_sarif_for_a_clean_project_is_valid_too(seed_doc_project: Path):
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
    result = run_cli("lint", "--format", "sarif", "--select", "TG001", cwd=seed_doc_project)
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    jsonschema.validate(document, schema)
    assert document["runs"][0]["results"] == []


def test_github_annotations_escape_workflow_command_characters():
    assert _escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert _escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_annotation_with_hostile_text(tmp_path: Path):
    from tests.lint.conftest import make_project
    from ticketgen.lint.rule import EXAMPLE

    root = make_project(tmp_path, {"tickets/x,y:z%.md": EXAMPLE.replace("**Status:** Open", "**Status:** 100%")})
    out = run_cli("lint", "--format", "github", cwd=root).stdout
    line = next(x for x in out.splitlines() if "TG013" in x)
    assert line.startswith(
        "::error file=tickets/x%2Cy%3Az%25.md,line=3,col=13,title=ticketgen TG013 (invalid-choice)::"
    )
    assert "'100%25' is not one of" in line


def test_text_format_has_colour_only_when_asked(examples_project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run_cli("lint", cwd=examples_project).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run_cli("lint", cwd=examples_project).stdout


def test_output_file_and_exit_codes(examples_project: Path):
    report = examples_project / "out" / "lint.xml"
    result = run_cli("lint", "--format", "junit", "-o", str(report), cwd=examples_project)
    assert result.exit_code == 1 and result.stdout == ""
    assert report.read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')
    assert run_cli("lint", "--exit-zero", cwd=examples_project).exit_code == 0


@pytest.mark.parametrize(
    "target", ["tickets/INC-012-registry-pull-secret.md", "platform-notes.md", "ticketgen.toml", "tickets/report.md"]
)
def test_output_file_never_replaces_a_project_input(examples_project: Path, target: str):
    path = examples_project / target
    before = path.read_bytes() if path.exists() else None
    # relative to `-C DIR`, as FILES are
    result = run_cli("lint", "--format", "json", "-o", target, cwd=examples_project)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {target}: ") and "refusing to write the report" in result.stderr
    assert "Traceback" not in result.stderr
    assert (path.read_bytes() if path.exists() else None) == before


def test_output_file_replaces_an_earlier_report_atomically(examples_project: Path):
    report = examples_project / "lint.json"
    report.write_text("old report")
    report.chmod(0o640)
    result = run_cli("lint", "--format", "json", "-o", "lint.json", cwd=examples_project)
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(report.read_text())["version"] == 1
    assert report.stat().st_mode & 0o777 == 0o640  # replaced by rename, mode kept
    assert [p.name for p in examples_project.iterdir() if p.name.startswith(".lint.json")] == []


def test_warnings_and_info_alone_exit_zero(seed_doc_project: Path):
    clean = run_cli("lint", cwd=seed_doc_project)
    assert clean.exit_code == 0 and clean.stdout.splitlines()[-1].startswith("Found 5 info in 1 of 1 file.")


def test_untrusted_text_cannot_reach_the_terminal_or_break_xml(tmp_path: Path):
    import xml.etree.ElementTree as ET

    from tests.lint.conftest import make_project
    from ticketgen.lint.rule import EXAMPLE

    hostile = EXAMPLE.replace("### Action Items", "### Evil \x1b[2J\x07 heading\n\ntext\n\n### Action Items")
    root = make_project(tmp_path, {"tickets/TICKET-001-x.md": hostile})
    text = run_cli("lint", cwd=root).stdout
    assert "\x1b" not in text and "\x07" not in text and "Evil \\x1b[2J\\x07 heading" in text
    ET.fromstring(run_cli("lint", "--format", "junit", cwd=root).stdout.split("\n", 1)[1])  # well-formed XML
    assert "\x1b" not in run_cli("lint", "--format", "github", cwd=root).stdout


def test_github_format_appends_a_step_summary_table(examples_project: Path, monkeypatch: pytest.MonkeyPatch):
    summary = examples_project / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run_cli("lint", "--format", "github", cwd=examples_project)
    text = summary.read_text()
    assert text.startswith("earlier step\n### ticketgen lint\n")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "Rule" not in line]
    assert len(rows) == 21  # every finding, not only the first 10 annotations
    # File and message are code spans: what a ticket writes stays text on the summary page.
    assert "| `platform-notes.md` | 131 | TG015 | error | `**Discovered:** '2026-13-40' is not a valid date" in text
