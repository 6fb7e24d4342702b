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


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through playwright (never a downloaded browser), one for the session:
    the site and security tests share it (playwright's sync API runs one at a time)."""
    from tests.site.site_repo import CHROMIUM, CHROMIUM_ARGS

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install -y chromium, or set TICKETGEN_CHROMIUM)")
    manager = sync_playwright().start()
    try:
        launched = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:  # noqa: BLE001 - any launch failure means "cannot run here"
        manager.stop()
        pytest.skip(f"chromium cannot launch here: {exc}".splitlines()[0])
    yield launched
    launched.close()
    manager.stop()


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
