"""Projects built in tmp_path from the repo's fixtures, and a CLI runner for them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ticketgen.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DATA = Path(__file__).resolve().parent / "data"


def _run(project: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["-C", str(project), *args], input=input)


@pytest.fixture
def run():
    """run(project, *args, input=None) -> click Result (stdout and stderr kept apart)."""
    return _run


@pytest.fixture
def seed_project(tmp_path: Path) -> Path:
    """The seed document as-is: its fenced template is the schema."""
    shutil.copy(FIXTURES / "seed-TICKETS.md", tmp_path / "TICKETS.md")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ticketgen]\ntemplate = "TICKETS.md"\ndocuments = ["TICKETS.md"]\n', encoding="utf-8"
    )
    return tmp_path


@pytest.fixture
def examples_project(tmp_path: Path) -> Path:
    """shared/examples: INC- tickets in a multi-ticket document plus one file per ticket."""
    shutil.copy(FIXTURES / "examples" / "platform-notes.md", tmp_path / "platform-notes.md")
    shutil.copytree(FIXTURES / "examples" / "tickets", tmp_path / "tickets")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ticketgen]\ntemplate = "platform-notes.md"\ndocuments = ["platform-notes.md"]\n', encoding="utf-8"
    )
    return tmp_path


@pytest.fixture
def write_ticket():
    """write_ticket(project, name, text) -> path of a ticket file under tickets/."""
    return _write_ticket


@pytest.fixture
def ticket_text():
    """ticket_text(number, meta=..., body=..., frontmatter=...) -> a ticket in ticketgen's own template."""
    return _ticket_text


def _write_ticket(project: Path, name: str, text: str) -> Path:
    """A ticket file under tickets/, for projects that use ticketgen's own template."""
    path = project / "tickets" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if not (project / "pyproject.toml").exists():
        (project / "pyproject.toml").write_text("[tool.ticketgen]\n", encoding="utf-8")
    return path


def _ticket_text(number: int, *, meta: str = "", body: str = "", frontmatter: str = "") -> str:
    head = f"---\n{frontmatter}---\n" if frontmatter else ""
    return (
        f"{head}## TICKET-{number:03d}: Test ticket {number}\n\n**Status:** Open\n**Priority:** High\n"
        f"**Discovered:** 2026-05-01\n**Component:** platform\n{meta}\n### Problem Statement\n\nSomething.\n\n{body}"
    )
