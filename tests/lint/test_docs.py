"""The rule pages in docs/rules/ are exactly what `ticketgen rules CODE` prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from ticketgen.lint.docs import rule_pages
from ticketgen.lint.rules import all_rules

DOCS = Path(__file__).parents[2] / "docs" / "rules"


def test_committed_rule_pages_are_current():
    pages = rule_pages()
    assert sorted(p.name for p in DOCS.glob("*.md")) == sorted(pages), "run: python -m ticketgen.lint.docs docs/rules"
    for name, text in pages.items():
        assert (DOCS / name).read_text() == text, f"{name} is stale: python -m ticketgen.lint.docs docs/rules"


@pytest.mark.parametrize("code", ["TG003", "TG014"])
def test_rules_command_explains_a_rule(tmp_path: Path, code: str):
    result = run_cli("rules", code.lower(), cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout == (DOCS / f"{code}.md").read_text()
    assert "## Failing example" in result.stdout and "## Passing example" in result.stdout


def test_rules_lists_every_rule_and_rejects_unknown_codes(tmp_path: Path):
    listing = run_cli("rules", cwd=tmp_path).stdout.splitlines()
    assert [line.split()[0] for line in listing] == list(all_rules())
    assert run_cli("rules", "TG999", cwd=tmp_path).exit_code == 2


def test_every_rule_has_complete_docs():
    for rule in all_rules().values():
        assert rule.code.startswith("TG") and len(rule.code) == 5
        assert rule.severity in ("error", "warning", "info")
        assert all([rule.name, rule.summary, rule.why, rule.bad, rule.good, rule.how_to_fix]), rule.code
        assert rule.bad != rule.good
