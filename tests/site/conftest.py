"""Site tests: the `browser` marker, and a served fixture site with a headless chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from site_repo import CHROMIUM, CHROMIUM_ARGS


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: end-to-end test in headless chromium against `mkdocs serve`")


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through playwright (never a downloaded browser)."""
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


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()
