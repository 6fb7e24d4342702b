"""Helpers for lint tests: small projects in tmp_path, linted through the real CLI."""

from __future__ import annotations

import functools
import json
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, SEED, run_cli

DEFAULT_TEMPLATE = Path(__file__).parents[2] / "ticketgen" / "data" / "template.md"


def make_project(root: Path, files: dict[str, str], config: str = "") -> Path:
    """A project with the default template in tickets/_template.md plus `files` (path -> text)."""
    (root / "tickets").mkdir(parents=True, exist_ok=True)
    shutil.copy(DEFAULT_TEMPLATE, root / "tickets" / "_template.md")
    (root / "ticketgen.toml").write_text(config)
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    return root


def lint_json(root: Path, *args: str) -> tuple[int, list[dict]]:
    result = run_cli("lint", "--format", "json", "--no-cache", *args, cwd=root)
    assert result.exit_code in (0, 1), result.output + result.stderr
    return result.exit_code, json.loads(result.stdout)["findings"]


def codes_at(findings: list[dict]) -> set[tuple[str, str, int]]:
    return {(f["code"], f["path"], f["line"]) for f in findings}


@pytest.fixture
def examples_project(tmp_path: Path) -> Path:
    """The INC- examples: platform-notes.md is both the template and a multi-ticket document."""
    shutil.copytree(EXAMPLES / "tickets", tmp_path / "tickets")
    shutil.copy(EXAMPLES / "platform-notes.md", tmp_path / "platform-notes.md")
    (tmp_path / "ticketgen.toml").write_text('template = "platform-notes.md"\ndocuments = ["platform-notes.md"]\n')
    return tmp_path


@pytest.fixture
def seed_doc_project(tmp_path: Path) -> Path:
    """The seed TICKETS.md, with its own embedded template."""
    shutil.copy(SEED, tmp_path / "TICKETS.md")
    (tmp_path / "ticketgen.toml").write_text('template = "TICKETS.md"\ndocuments = ["TICKETS.md"]\n')
    return tmp_path


@functools.cache
def default_lint_context():
    """(project, context, rules) for the default template, uncached, built once per session:
    hypothesis calls the tests that use it many times."""
    from ticketgen.core.project import Project
    from ticketgen.lint.engine import LintOptions, build_context

    root = Path(tempfile.mkdtemp())
    make_project(root, {})
    project = Project.discover(root, use_cache=False)
    ctx, rules = build_context(project, LintOptions())
    return project, ctx, list(rules.values())
