"""Class 4: valid YAML whose values Python cannot hold is a finding naming file and line in lint,
and a clean error elsewhere; never "internal error" or a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.security.conftest import make_project, ticket

VALUES = {
    "impossible-date": "reviewed: 2026-02-30\n",
    "5000-digit-integer": "count: " + "7" * 5000 + "\n",
    "100000-digit-integer": "count: " + "7" * 100_000 + "\n",
}


@pytest.mark.parametrize("yaml_line", VALUES.values(), ids=VALUES.keys())
def test_a_value_python_cannot_hold_is_a_finding_at_its_line(tmp_path: Path, yaml_line: str):
    root = make_project(tmp_path, {"tickets/TICKET-001-x.md": ticket(frontmatter="title: x\n" + yaml_line)})
    lint = run_cli("lint", "--no-cache", cwd=root)
    assert lint.exit_code == 1, lint.output
    assert "tickets/TICKET-001-x.md:" in lint.stdout and "TG002" in lint.stdout
    line = lint.stdout.split("tickets/TICKET-001-x.md:", 1)[1].split(":", 1)[0]
    assert line in ("2", "3")  # the value's line (3), or the first line of YAML (size limit)
    for args in (["list"], ["show", "1"], ["resources"], ["list", "--format", "json"]):
        result = run_cli(*args, cwd=root)
        assert "internal error" not in result.output and "Traceback" not in result.output, (args, result.output)
        assert "error: tickets/TICKET-001-x.md:" in result.stderr, (args, result.stderr)


def test_the_date_finding_says_what_is_wrong(tmp_path: Path):
    root = make_project(tmp_path, {"tickets/TICKET-001-x.md": ticket(frontmatter="reviewed: 2026-02-30\n")})
    lint = run_cli("lint", "--no-cache", cwd=root)
    assert (
        "tickets/TICKET-001-x.md:2:1: TG002 [error] frontmatter is not valid YAML: '2026-02-30' is not a usable value"
        in (lint.stdout)
    )
