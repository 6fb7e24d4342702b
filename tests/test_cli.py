"""CLI manners a user relies on: one `error:` line for a bad command line, "did you mean" for
typos, a `list` that fits the terminal, and the README's own `new` examples linting clean."""

from __future__ import annotations

import os
import pty
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

README = Path(__file__).parents[1] / "README.md"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command, as a shell runs it (click's own error handling included)."""
    return subprocess.run([sys.executable, "-m", "ticketgen", *args], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-C", "/nonexistent", "lint"], "error: Invalid value for '-C' / '--project': Directory '/nonexistent' does"),
        (["lnt"], "error: no such command 'lnt'; did you mean lint? (see 'ticketgen --help')"),
        (["lint", "--bogus"], "error: No such option '--bogus'. (see 'ticketgen lint --help')"),
        (["lint", "--format", "xml"], "error: Invalid value for '--format': 'xml' is not one of"),
        (["show"], "error: Missing argument 'TICKET_ID'. (see 'ticketgen show --help')"),
        (["--bogus"], "error: No such option '--bogus'."),
    ],
)
def test_a_bad_command_line_is_one_error_line_and_exit_2(seed_project: Path, args: list[str], message: str):
    result = _cli(*args, cwd=seed_project)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr  # no usage block, no "Try ..." line
    assert result.stderr.startswith(message)


def test_a_command_nothing_is_close_to_gets_no_guess(seed_project: Path):
    result = run_cli("zzz", cwd=seed_project)
    assert result.exit_code == 2 and result.stderr == "error: no such command 'zzz' (see 'ticketgen --help')\n"


def test_a_mistyped_list_field_is_an_error_with_a_guess(seed_project: Path):
    run_cli("new", "--title", "x", "--priority", "low", "--set", "owner=alice", cwd=seed_project)
    for args in (["--where", "ownr=alice"], ["--sort", "-priorty"], ["--columns", "ownr"]):
        result = run_cli("list", *args, cwd=seed_project)
        assert result.exit_code == 2, args
        assert "did you mean" in result.stderr and ("owner" in result.stderr or "riority" in result.stderr)
    assert "TICKET-001" in run_cli("list", "--where", "owner=alice", cwd=seed_project).stdout


def _on_a_terminal(root: Path, *args: str, columns: int) -> tuple[list[str], str]:
    """`ticketgen list` with stdout on a pseudo-terminal COLUMNS wide: (lines, stderr)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "ticketgen", "-C", str(root), "list", *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
        check=False,
        text=True,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the pty's other end is closed: all read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.returncode == 0, proc.stderr
    return b"".join(chunks).decode().replace("\r\n", "\n").splitlines(), proc.stderr


@pytest.fixture
def wide_project(seed_project: Path) -> Path:
    title = "Orphaned connections pile up in pgbouncer after every failover of the primary"
    for n in (1, 2):
        result = run_cli("new", "--title", f"{title} {n}", "--priority", "High", "--component", "postgres / pgbouncer",
                         "--set", "owner=alice", "--set", "tags=[postgres, on-call]", cwd=seed_project)  # fmt: skip
        assert result.exit_code == 0
    return seed_project


def test_list_fits_the_terminal_by_cutting_the_title_first(wide_project: Path):
    full = run_cli("list", "--columns", "owner,tags", cwd=wide_project).stdout.splitlines()
    width = max(len(line) for line in full) - 10
    lines, stderr = _on_a_terminal(wide_project, "--columns", "owner,tags", columns=width)
    assert all(len(line) <= width for line in lines), [len(line) for line in lines]
    assert [line.replace(" ", "") for line in lines[:1]] == [full[0].replace(" ", "")]
    title = "Orphaned connections pile up in pgbouncer after every failover of the primary 1"
    assert lines[1] == full[1].replace(title + "  ", title[:-11] + "…  ")  # only the title is cut
    assert "postgres / pgbouncer" in lines[1] and lines[1].endswith(".md:5") and stderr == ""
    narrower, _ = _on_a_terminal(wide_project, "--columns", "owner,tags", columns=width - 40)
    assert all(len(line) <= width - 40 for line in narrower)
    assert narrower[1].endswith(".md:5")  # a path is cut in the middle: its line stays


def test_list_on_a_narrow_terminal_leaves_out_the_path_and_says_so(wide_project: Path):
    lines, stderr = _on_a_terminal(wide_project, columns=80)
    assert all(len(line) <= 80 for line in lines), [len(line) for line in lines]
    assert lines[0].split() == ["ID", "TITLE", "STATUS", "PRIORITY", "COMPONENT", "DISCOVERED", "AGE", "ITEMS"]
    assert lines[1].startswith("TICKET-001  Orphaned") and "…" in lines[1]
    assert stderr == "note: the PATH column is left out to fit 80 columns (a pipe or --format table shows it)\n"


def test_list_is_full_width_when_piped_or_with_format(wide_project: Path):
    piped = run_cli("list", cwd=wide_project).stdout  # CliRunner's stdout is not a terminal
    assert "pile up in pgbouncer after every failover of the primary 1" in piped and "…" not in piped
    chosen, _ = _on_a_terminal(wide_project, "--format", "table", columns=80)
    assert any("failover of the primary 1" in line for line in chosen)


def _readme_new_examples() -> list[list[str]]:
    """The README's `ticketgen new` command lines that run without a terminal or a document."""
    found = []
    for line in README.read_text().splitlines():
        m = re.match(r"\$ (?:\.venv/bin/)?ticketgen new (.*)", line)
        if m:
            args = shlex.split(m.group(1), comments=True)
            if "--edit" not in args and "--into" not in args and "--title" in args:
                found.append(args)
    return found


def test_the_readme_has_new_examples_to_check():
    assert len(_readme_new_examples()) >= 2


@pytest.mark.parametrize("args", _readme_new_examples(), ids=" ".join)
def test_the_readmes_new_examples_with_an_owner_lint_clean(tmp_path: Path, args: list[str]):
    assert run_cli("init", cwd=tmp_path).exit_code == 0
    created = run_cli("new", *args, "--set", "owner=x", cwd=tmp_path)
    assert created.exit_code == 0, created.stderr
    path, line, ticket_id = created.stdout.rstrip("\n").split(":")  # `path:line: ID`
    assert (tmp_path / path).read_text().splitlines()[int(line) - 1].startswith(f"## {ticket_id.strip()}:")
    linted = run_cli("lint", "--no-cache", cwd=tmp_path)
    assert linted.exit_code == 0, linted.stdout
    assert "[error]" not in linted.stdout and "TG026 [warning] draft" in linted.stdout
