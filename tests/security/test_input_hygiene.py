"""Class 7: input hygiene. Values with control characters are refused, IDs are ASCII digits,
and terminal output shows escape sequences instead of running them (unless --raw)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.security.conftest import make_project, ticket

TRIAGE_DUMP = Path(__file__).resolve().parents[1] / "runbooks" / "data" / "kustomization-not-ready.json"
ESCAPES = "\x1b]0;owned\x07\x1b[2J\x9b31m"  # retitle the terminal, clear the screen, C1 CSI


@pytest.mark.parametrize(
    "args",
    [
        ["--component", "db\r## TICKET-999: x"],
        ["--title", "Login\x1b[2J fails"],
        ["--title", "Login\u2028fails"],
        ["--set", "Component=auth\u202eevil"],
        ["--component", "db\tx"],
    ],
    ids=["cr-in-component", "escape-in-title", "line-separator", "bidi-override", "tab"],
)
def test_new_refuses_control_characters_in_values(tmp_path: Path, args: list[str]):
    root = make_project(tmp_path, {})
    result = run_cli("new", "--priority", "Low", "--title", "x", *args, cwd=root, input="")
    assert result.exit_code == 2, result.output
    assert "without control characters" in result.stderr
    assert sorted(p.name for p in (root / "tickets").iterdir()) == ["_template.md"]


def test_ids_are_ascii_digits_only(tmp_path: Path):
    arabic = "TICKET-\u0660\u0660\u0661"  # TICKET-٠٠١
    root = make_project(tmp_path, {"tickets/TICKET-002-x.md": ticket(2).replace("TICKET-002", arabic)})
    assert run_cli("new", arabic, "--title", "x", cwd=root, input="").exit_code == 2
    assert run_cli("show", "\u0660\u0660\u0661", cwd=root).exit_code == 2
    listed = json.loads(run_cli("list", "--format", "json", cwd=root).stdout)
    assert listed == []  # a heading with Arabic-Indic digits is no ticket...
    lint = run_cli("lint", "--no-cache", "--format", "json", cwd=root)
    assert "TG003" in {f["code"] for f in json.loads(lint.stdout)["findings"]}  # ...but a malformed ID


def test_show_and_list_print_escape_sequences_escaped_unless_raw(tmp_path: Path):
    root = make_project(tmp_path, {"tickets/TICKET-001-x.md": ticket(title=f"Login {ESCAPES}fails")})
    for args in (["show", "1"], ["list"], ["list", "--format", "csv"]):
        out = run_cli(*args, cwd=root).stdout
        assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out, args
        assert "\\x1b]0;owned\\x07\\x1b[2J\\x9b31m" in out, args
    assert ESCAPES in run_cli("show", "1", "--raw", cwd=root).stdout
    assert ESCAPES in run_cli("list", "--raw", cwd=root).stdout


def test_triage_prints_cluster_messages_escaped_unless_raw(tmp_path: Path):
    hostile = json.dumps(f"{ESCAPES}\rfine")[1:-1]  # as kubectl writes it: JSON-escaped
    dump = TRIAGE_DUMP.read_text().replace("is not ready", f"is not ready{hostile}")
    (tmp_path / "dump.json").write_text(dump)
    args = ("triage", str(tmp_path / "dump.json"), "--now", "2026-11-26T09:00:00Z")
    out = run_cli(*args, cwd=tmp_path).stdout
    assert "\x1b" not in out and "\r" not in out and "\x9b" not in out
    assert "\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\rfine" in out
    assert ESCAPES in run_cli(*args, "--raw", cwd=tmp_path).stdout


def test_a_file_name_with_a_carriage_return_is_reported_and_shown_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    root = make_project(tmp_path, {"tickets/TICKET-001-login\rfails.md": ticket()})
    text = run_cli("lint", "--no-cache", cwd=root)
    assert text.exit_code == 1
    assert text.stdout.splitlines()[0].startswith("tickets/TICKET-001-login\\rfails.md:1:1: TG019 [error]")
    assert "\r" not in text.stdout
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    github = run_cli("lint", "--no-cache", "--format", "github", cwd=root)
    assert "\r" not in github.stdout and "\r" not in summary.read_text()
    assert "| `tickets/TICKET-001-login\\rfails.md` | 1 | TG019 | error |" in summary.read_text()  # a code span
