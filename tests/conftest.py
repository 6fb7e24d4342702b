"""Shared test helpers: fixture files (copies of the real formats) and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ticketgen.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed-TICKETS.md"
EXAMPLES = FIXTURES / "examples"


@pytest.fixture(autouse=True, scope="session")
def user_cache(tmp_path_factory) -> Path:
    """A cache folder for the session: ticketgen's cache never touches the real ~/.cache."""
    folder = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder


def run_cli(*args: str, cwd: Path, input: str | None = None) -> Result:
    """Run `ticketgen -C cwd ARGS` in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(main, ["-C", str(cwd), *args], input=input, catch_exceptions=False)


@pytest.fixture
def seed_project(tmp_path: Path) -> Path:
    """A repo whose tickets/ holds the seed's template (as `ticketgen init` would)."""
    (tmp_path / "tickets").mkdir()
    (tmp_path / "tickets" / "_template.md").write_text(
        (Path(__file__).parents[1] / "ticketgen" / "data" / "template.md").read_text()
    )
    return tmp_path


@pytest.fixture
def inc_project(tmp_path: Path) -> Path:
    """A repo with another template (INC- prefix) and the one-file-per-ticket examples."""
    shutil.copytree(EXAMPLES / "tickets", tmp_path / "tickets")
    shutil.copy(EXAMPLES / "platform-notes.md", tmp_path / "platform-notes.md")
    (tmp_path / "ticketgen.toml").write_text('template = "platform-notes.md"\ndocuments = ["platform-notes.md"]\n')
    return tmp_path
