"""Class 3, exhaustion: a small hostile ticket must not cost minutes or gigabytes in any command."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.conftest import SECONDS_PER_COMMAND, make_project, ticket, timed_commands

READERS = [["lint", "--no-cache"], ["list"], ["show", "1"], ["resources"]]


def _alias_chain() -> str:
    """537 bytes of YAML that expand to 10**10 strings (a "billion laughs")."""
    lines = ["resources:", '  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"  l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_chain_is_refused_at_its_line_in_every_command(tmp_path: Path):
    root = make_project(tmp_path / "p", {"tickets/TICKET-001-x.md": ticket(frontmatter=_alias_chain())})
    results = timed_commands(root, READERS)
    for args, seconds, _, output in results:
        assert seconds < SECONDS_PER_COMMAND, (args, seconds)
        assert "internal error" not in output and "Traceback" not in output, (args, output)
    (_, _, lint_code, lint_out), (_, _, list_code, list_out) = results[0], results[1]
    assert lint_code == 1
    assert "tickets/TICKET-001-x.md:4:" in lint_out and "TG002" in lint_out and "aliases" in lint_out
    assert list_code == 1 and "tickets/TICKET-001-x.md:4: frontmatter is not valid YAML: aliases" in list_out


def test_deeply_nested_yaml_is_refused_not_recursed_into(tmp_path: Path):
    nested = "resources: " + "[" * 5000 + "]" * 5000 + "\n"
    root = make_project(tmp_path / "p", {"tickets/TICKET-001-x.md": ticket(frontmatter=nested)})
    for args, seconds, code, output in timed_commands(root, READERS):
        assert seconds < SECONDS_PER_COMMAND, (args, seconds)
        assert "internal error" not in output and "Traceback" not in output, (args, output)
        if args[0] == "lint":
            assert code == 1 and "TG002" in output and "nested more than" in output


@pytest.mark.parametrize("char", [" ", "*", "`", "<", "["], ids=["spaces", "stars", "backticks", "lt", "brackets"])
def test_100kb_lines_in_every_field_take_linear_time(tmp_path: Path, char: str):
    """A metadata line `**Status:** a` + 3,000 spaces + `b` took 20 s in every command (cubic
    backtracking in the field regex); these lines are 30 times longer."""
    run = "a" + char * 100_000 + "b"
    text = ticket(title=run, status=run, priority=run, discovered=run, component=run, body=run)
    root = make_project(tmp_path / "p", {"tickets/TICKET-001-x.md": text})
    for args, seconds, code, output in timed_commands(root, READERS):
        assert seconds < SECONDS_PER_COMMAND, (args, seconds)
        assert code in (0, 1) and "internal error" not in output, (args, output)


def test_limits_are_findings_naming_file_and_line(tmp_path: Path):
    long_line = "x" * (128 * 1024 + 1)
    root = make_project(
        tmp_path / "p",
        {
            "tickets/TICKET-001-x.md": ticket(body=f"fine\n\n{long_line}"),
            "tickets/TICKET-002-y.md": ticket(2, frontmatter="notes: " + "y" * 70_000 + "\n"),
        },
    )
    (_, _, code, output), *_ = timed_commands(root, [["lint", "--no-cache"]])
    assert code == 1
    assert "tickets/TICKET-001-x.md:12:1: TG001" in output and "over the 131,072-character limit" in output
    assert "tickets/TICKET-002-y.md:2:1: TG002" in output and "over the 65,536-character limit" in output
