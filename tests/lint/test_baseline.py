"""The lint baseline: green on the day it is recorded, red on a new finding and on a recorded
finding that is gone (so the file shrinks), never keyed by line; and the severity filter."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import FIXTURES, run_cli
from tests.lint.conftest import make_project
from ticketgen.lint.baseline import fingerprint

BASELINE = ".ticketgen-baseline.json"
NOTES = "platform-notes.md"


def _lint(root: Path, *args: str):
    return run_cli("lint", "--no-cache", *args, cwd=root)


def _recorded(root: Path, name: str = BASELINE) -> list[dict]:
    return json.loads((root / name).read_text())["findings"]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def baselined(examples_project: Path) -> Path:
    """The INC- examples (5 errors, 6 warnings, 10 info) with every finding recorded."""
    result = _lint(examples_project, "--update-baseline")
    assert result.exit_code == 0, result.output
    assert "Wrote .ticketgen-baseline.json: 21 findings recorded (21 added, 0 dropped)." in result.stderr
    return examples_project


def test_a_recorded_project_is_green_and_says_how_many_findings_remain(baselined: Path):
    result = _lint(baselined)
    assert result.exit_code == 0
    assert (
        result.stdout
        == "All good: 3 files checked, no new findings. 21 baselined findings remain (.ticketgen-baseline.json).\n"
    )
    assert _lint(baselined, "--no-baseline").exit_code == 1  # the findings are still there, only accepted


def test_the_file_is_keyed_without_lines_sorted_and_stable(baselined: Path):
    first = (baselined / BASELINE).read_bytes()
    entries = _recorded(baselined)
    assert all(set(e) == {"file", "ticket", "rule", "fingerprint", "message", "count"} for e in entries)
    keys = [(e["file"], e["ticket"], e["rule"], e["fingerprint"]) for e in entries]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert {"file": NOTES, "ticket": "INC-008", "rule": "TG020"}.items() <= next(
        e for e in entries if e["rule"] == "TG020"
    ).items()
    assert sum(e["count"] for e in entries) == 21
    assert _lint(baselined, "--update-baseline").exit_code == 0
    assert (baselined / BASELINE).read_bytes() == first  # rerunning changes no byte: a clean diff


def test_moving_tickets_down_the_file_keeps_them_baselined(baselined: Path):
    notes = baselined / NOTES
    text = notes.read_text()
    head, sep, rest = text.partition("\n## ")
    notes.write_text(head + "\n\nA new paragraph\n\nand another,\n\nabove every ticket.\n" + sep + rest)
    result = _lint(baselined)
    assert result.exit_code == 0, result.stdout
    assert "21 baselined findings remain" in result.stdout


def test_a_new_finding_fails_and_only_it_is_reported(baselined: Path):
    _edit(baselined / "tickets" / "INC-012-registry-pull-secret.md", "**Priority:**", "**Priority:** Urgent\n**Prio:**")
    result = _lint(baselined)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert all(line.startswith("tickets/INC-012-registry-pull-secret.md:") for line in lines[:-1]), lines
    assert any("TG013 [error] **Priority:** 'Urgent' is not one of" in line for line in lines)
    assert "Found 1 error, 1 info (new) in 1 of 3 files." in lines[-1] and "21 baselined findings remain" in lines[-1]


def test_a_fixed_finding_fails_until_update_baseline_drops_it(baselined: Path):
    _edit(baselined / NOTES, "2026-13-40", "2026-01-04")
    result = _lint(baselined)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{NOTES}: TG015 [stale] no longer occurs, drop it with --update-baseline: INC-009: "
        "**Discovered:** '2026-13-40' is not a valid date (YYYY-MM-DD)"
    )
    assert "1 baseline entry no longer occurs" in result.stdout
    update = _lint(baselined, "--update-baseline")
    assert "20 findings recorded (0 added, 1 dropped)" in update.stderr
    assert all(e["rule"] != "TG015" for e in _recorded(baselined))
    assert _lint(baselined).exit_code == 0


def test_the_same_finding_twice_in_a_ticket_is_counted(baselined: Path):
    entries = _recorded(baselined)
    bullets = next(e for e in entries if e["rule"] == "TG034")
    assert bullets["count"] == 2
    _edit(baselined / NOTES, "* [X]", "- [X]")  # fix one of the two
    result = _lint(baselined)
    assert result.exit_code == 1
    assert "TG034 [stale] no longer occurs, drop it with --update-baseline: INC-007:" in result.stdout
    _edit(baselined / NOTES, "- [X]", "* [X]")
    assert _lint(baselined).exit_code == 0


@pytest.mark.parametrize(
    ("message", "same_as", "other"),
    [
        (
            "**Discovered:** 2027-01-01 is in the future (today is 2026-12-06)",
            "**Discovered:** 2027-01-01 is in the future (today is 2026-12-07)",
            "**Discovered:** 2027-01-02 is in the future (today is 2026-12-06)",
        ),
        (
            "INC-004 is also defined at a.md:12",
            "INC-004 is also defined at a.md:40",
            "INC-004 is also defined at b.md:12",
        ),
        (
            "'Notes' repeats the section at line 12",
            "'Notes' repeats the section at line 90",
            "'Notas' repeats the section at line 12",
        ),
    ],
)
def test_line_numbers_and_today_do_not_change_the_fingerprint(message: str, same_as: str, other: str):
    assert fingerprint(message) == fingerprint(same_as)
    assert fingerprint(message) != fingerprint(other)


def test_paths_judge_only_their_own_entries(baselined: Path):
    _edit(baselined / NOTES, "2026-13-40", "2026-01-04")  # stale, but in a file not named below
    ticket = "tickets/INC-012-registry-pull-secret.md"
    assert _lint(baselined, ticket).exit_code == 0
    assert _lint(baselined, "--select", "TG020").exit_code == 0  # TG015 did not run: not judged
    update = _lint(baselined, ticket, "--update-baseline")
    assert "21 findings recorded (0 added, 0 dropped)" in update.stderr  # the other file's entries are kept
    assert _lint(baselined).exit_code == 1


def test_every_format_reports_baselined_and_stale(baselined: Path):
    _edit(baselined / NOTES, "2026-13-40", "2026-01-04")
    _edit(baselined / "tickets" / "INC-012-registry-pull-secret.md", "**Priority:**", "**Prio:** x\n**Priority:**")

    report = json.loads(_lint(baselined, "--format", "json").stdout)
    assert report["summary"]["baselined"] == 20 and report["summary"]["stale"] == 1
    assert [f["code"] for f in report["findings"]] == ["TG017"]
    assert report["baseline"]["file"] == BASELINE and len(report["baseline"]["baselined"]) == 20
    assert report["baseline"]["stale"][0]["rule"] == "TG015"

    sarif = json.loads(_lint(baselined, "--format", "sarif").stdout)
    jsonschema.validate(sarif, json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text()))
    states = [(r["ruleId"], r["baselineState"]) for r in sarif["runs"][0]["results"]]
    assert states.count(("TG017", "new")) == 1 and ("TG015", "absent") in states
    unchanged = [r for r in sarif["runs"][0]["results"] if r["baselineState"] == "unchanged"]
    assert len(unchanged) == 20 and all(r["suppressions"][0]["status"] == "accepted" for r in unchanged)

    github = _lint(baselined, "--format", "github").stdout.splitlines()
    assert any(line.startswith("::notice file=tickets/INC-012") for line in github)
    assert any(line.startswith(f"::error file={NOTES},title=ticketgen baseline::TG015 [stale]") for line in github)
    assert len(github) == 3 and "20 baselined findings remain" in github[-1]

    junit = _lint(baselined, "--format", "junit").stdout
    assert 'name="TG015 baseline"' in junit and 'failures="1"' in junit


def test_the_step_summary_lists_stale_entries(baselined: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    _edit(baselined / NOTES, "2026-13-40", "2026-01-04")
    assert _lint(baselined, "--format", "github").exit_code == 1
    text = summary.read_text()
    assert "20 baselined findings remain" in text
    assert (
        f"| `{NOTES}` | `INC-009` | TG015 | `**Discovered:** '2026-13-40' is not a valid date (YYYY-MM-DD)` | 1 |"
        in text
    )


def test_a_baseline_named_in_the_settings_must_exist(examples_project: Path):
    config = examples_project / "ticketgen.toml"
    config.write_text(config.read_text() + '[lint]\nbaseline = "ci/lint-baseline.json"\n')
    result = _lint(examples_project)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "ci/lint-baseline.json" in result.stderr
    assert "--update-baseline" in result.stderr and len(result.stderr.splitlines()) == 1
    (examples_project / "ci").mkdir()
    assert _lint(examples_project, "--update-baseline").exit_code == 0
    assert len(_recorded(examples_project, "ci/lint-baseline.json")) > 0
    assert not (examples_project / BASELINE).exists()
    assert _lint(examples_project).exit_code == 0


def test_a_broken_baseline_is_an_error_naming_the_file_and_line(baselined: Path):
    (baselined / BASELINE).write_text('{\n  "version": 1,\n<<<<<<< HEAD\n')
    result = _lint(baselined)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {BASELINE}:3: not a ticketgen baseline (not valid JSON")
    update = _lint(baselined, "--update-baseline")  # the way out the message names works
    assert update.exit_code == 0 and "writing a new one" in update.stderr
    assert _lint(baselined).exit_code == 0


@pytest.mark.parametrize(
    "content", ['{"version": 2, "findings": []}', '{"version": 1, "findings": [{"file": 1}]}', "[]"]
)
def test_a_baseline_of_another_shape_is_refused(baselined: Path, content: str):
    (baselined / BASELINE).write_text(content)
    result = _lint(baselined)
    assert result.exit_code == 2 and "not a ticketgen baseline" in result.stderr


def test_min_severity_hides_and_says_what_it_hid(examples_project: Path):
    result = _lint(examples_project, "--min-severity", "warning")
    assert result.exit_code == 1
    assert "[info]" not in result.stdout
    assert result.stdout.splitlines()[-1].endswith("Not shown (below the minimum severity): 10 info.")
    config = examples_project / "ticketgen.toml"
    config.write_text(config.read_text() + '[lint]\nmin_severity = "error"\n')
    configured = _lint(examples_project, "--format", "json")
    assert json.loads(configured.stdout)["summary"]["not_shown"] == {"warning": 6, "info": 10}
    assert "[info]" in _lint(examples_project, "--min-severity", "info").stdout  # the flag wins


def test_quiet_prints_only_what_fails(examples_project: Path):
    result = _lint(examples_project, "--quiet")
    assert result.exit_code == 1
    assert all("[error]" in line for line in result.stdout.splitlines()[:-1])
    clean = make_project(examples_project / "clean", {})
    quiet = _lint(clean, "--quiet")
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_bad_min_severity_setting_is_a_configuration_error(examples_project: Path):
    config = examples_project / "ticketgen.toml"
    config.write_text(config.read_text() + '[lint]\nmin_severity = "notice"\n')
    result = _lint(examples_project)
    assert result.exit_code == 2 and "min_severity must be one of error, warning, info" in result.stderr
