"""The one settings model: every table checked by one validator, mistakes named with file:line,
and what a command decided at start (the cache) never changing halfway through it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.conftest import SEED, run_cli
from ticketgen.core.config import load_config
from ticketgen.core.errors import ConfigError
from ticketgen.core.project import Project

PYPROJECT_HEAD = '[project]\nname = "x"\n\n[tool.ticketgen]\ntickets_dir = "tickets"\n\n'


def _project(root: Path, settings: str, name: str = "ticketgen.toml") -> Path:
    (root / "tickets").mkdir(parents=True, exist_ok=True)
    (root / "TICKETS.md").write_text(SEED.read_text())
    (root / name).write_text(settings)
    return root


SEED_SETTINGS = "template = 'TICKETS.md'\ndocuments = ['TICKETS.md']\n"


@pytest.mark.parametrize(
    "name, settings, line, message",
    [
        # unknown keys, in every table, at the key's own line
        ("ticketgen.toml", "tickets_dir = 'tickets'\n\nticket_dir = 'x'\n", 3, "unknown setting(s) ticket_dir"),
        ("ticketgen.toml", "[lint]\nselect = ['ALL']\nsevertiy = {}\n", 3, "[lint] unknown setting(s) severtiy"),
        ("ticketgen.toml", "[runbooks]\n\n\nquote = []\n", 4, "[runbooks] unknown setting(s) quote"),
        ("ticketgen.toml", "[site]\ncolumns = ['owner']\nbadges = {}\n", 3, "[site] unknown setting(s) badges"),
        ("ticketgen.toml", "[new]\ndefault = {}\n", 2, "[new] unknown setting(s) default"),
        ("ticketgen.toml", "[triage]\nstuck = 3\n", 2, "[triage] unknown setting(s) stuck"),
        ("ticketgen.toml", "[lint]\n[[lint.overrides]]\npaths = ['a']\nignor = []\n", 4, "unknown setting(s) ignor"),
        ("ticketgen.toml", "lint.cach = true\n", 1, "[lint] unknown setting(s) cach"),
        ("pyproject.toml", PYPROJECT_HEAD + "[tool.ticketgen.site]\nrows = 3\n", 8, "[tool.ticketgen.site] unknown"),
        # wrong types, at the key's line
        ("ticketgen.toml", "[lint]\n\ncache = 'no'\n", 3, "[lint] cache must be true or false (got 'no')"),
        ("ticketgen.toml", "max_file_bytes = true\n", 1, "max_file_bytes must be a positive integer (got True)"),
        ("ticketgen.toml", "[site]\ndashboard_rows = '10'\n", 2, "dashboard_rows must be a positive integer"),
        ("ticketgen.toml", "[site]\nedit_url = 'https://x/{file}'\n", 2, "edit_url must be a URL containing {path}"),
        ("ticketgen.toml", "[site]\ntickets_url = '../up'\n", 2, "tickets_url must be a relative folder"),
        ("ticketgen.toml", "[site]\nbadge_colors = {Open = 'pink'}\n", 2, "badge_colors must be a table of values"),
        ("ticketgen.toml", "[site]\nindex_uri = '../all.md'\n", 2, "index_uri must be a Markdown path among the docs"),
        ("ticketgen.toml", "[lint]\nmin_severity = 'notice'\n", 2, "min_severity must be one of error, warning, info"),
        ("ticketgen.toml", "[runbooks]\nkind_level = 1\n", 2, "kind_level must be true or false (got 1)"),
        ("ticketgen.toml", "[new]\ndefaults = {Priority = 3}\n", 2, "defaults must be a table of strings"),
        ("ticketgen.toml", "[lint]\nselect = 'TG0'\n", 2, "select must be a list of strings (got 'TG0')"),
        ("ticketgen.toml", "[lint]\noverrides = {paths = []}\n", 2, "overrides must be an array of tables"),
        ("ticketgen.toml", "site = 3\n", 1, "[site] must be a table"),
        ("pyproject.toml", PYPROJECT_HEAD + "[tool.ticketgen.lint]\nignore = [1]\n", 8, "ignore must be a list of"),
        ("pyproject.toml", PYPROJECT_HEAD + "roles = 'x'\n", 7, "[tool.ticketgen] roles must be a table of roles"),
    ],
)
def test_a_bad_setting_is_exit_2_naming_the_file_and_line(tmp_path, name, settings, line, message):
    root = _project(tmp_path, settings, name)
    with pytest.raises(ConfigError) as err:
        load_config(root)
    assert (err.value.location.path.name, err.value.location.line) == (name, line)
    assert message in err.value.message
    result = run_cli("list", cwd=root)
    assert result.exit_code == 2
    assert f"{name}:{line}: " in result.stderr and message in result.stderr and "Traceback" not in result.stderr


def test_checks_that_need_the_template_name_the_line_too(tmp_path: Path):
    root = _project(tmp_path, SEED_SETTINGS + "\n[new]\n\ndefaults = {Owner = 'x'}\n")
    result = run_cli("new", "--priority", "Low", "--title", "x", cwd=root)
    assert result.exit_code == 2
    assert "ticketgen.toml:6: [new] defaults: the template has no field 'Owner'" in result.stderr


def test_the_model_is_typed_and_frozen(tmp_path: Path):
    settings = (
        "[lint]\nselect = ['TG0']\ncache = false\n[runbooks]\nquote_sections = ['fix']\n[site]\ncolumns = ['owner']\n"
    )
    config = load_config(_project(tmp_path, settings))
    assert config.lint.select == ("TG0",) and config.lint.cache is False
    assert config.runbooks.quote_sections == ("fix",) and config.runbooks.stuck_after_minutes == 30
    assert config.site.columns == ("owner",) and config.site.dashboard_rows == 10
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.lint.cache = True  # type: ignore[misc]
    project = Project(config)
    assert project.use_cache is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        project.use_cache = True  # type: ignore[misc]


def _cache_files(cache_home: Path) -> list[Path]:
    return [p for p in cache_home.rglob("*") if p.is_file()]


def test_cache_false_is_honoured_by_edit_then_lint(tmp_path: Path, monkeypatch):
    """`edit` reads every ticket and then lints the edited file, in one process: with
    `cache = false` neither step may read or write the cache."""
    from ticketgen.commands.edit import edit_and_lint

    cache_home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    root = _project(tmp_path / "repo", SEED_SETTINGS + "[lint]\ncache = false\n")
    monkeypatch.setenv("EDITOR", "true")
    edit_and_lint(Project.discover(root), "1")
    assert _cache_files(cache_home) == []
    for command in (["lint"], ["list"], ["show", "1"]):
        assert run_cli(*command, cwd=root).exit_code in (0, 1)
    assert _cache_files(cache_home) == []
    # and with the setting gone, the same commands do use it: the check above can fail
    (root / "ticketgen.toml").write_text(SEED_SETTINGS)
    edit_and_lint(Project.discover(root), "1")
    assert _cache_files(cache_home) != []
