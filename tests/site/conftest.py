"""Site tests: the `browser` marker and a page in the session's chromium (tests/conftest.py)."""

from __future__ import annotations

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: end-to-end test in headless chromium against `mkdocs serve`")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()
