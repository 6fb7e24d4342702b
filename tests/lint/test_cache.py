"""The cache gives the same findings as a cold run, cross-file checks stay right when another
file changes, and the cache folder is ignored by git and safe to delete or corrupt."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.lint.conftest import make_project
from ticketgen.core.project import Project
from ticketgen.lint.engine import LintOptions, run_lint
from ticketgen.lint.rule import EXAMPLE


def _lint(root: Path, use_cache: bool = True):
    return run_lint(Project.discover(root), None, LintOptions(use_cache=use_cache))


def test_warm_run_matches_cold_run_and_reads_from_the_cache(examples_project: Path):
    cold = _lint(examples_project, use_cache=False)
    first = _lint(examples_project)
    warm = _lint(examples_project)
    assert (first.cached, warm.cached) == (0, 3)
    assert [(f.code, f.path, f.line, f.message, f.severity) for f in warm.findings] == [
        (f.code, f.path, f.line, f.message, f.severity) for f in cold.findings
    ]
    assert [f.edits for f in warm.findings] == [f.edits for f in cold.findings]  # --fix works from the cache
    assert (examples_project / ".ticketgen_cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_cross_file_checks_are_recomputed_on_a_warm_run(tmp_path: Path):
    mention = EXAMPLE.replace("TICKET-001", "TICKET-002").replace("on password reset", "on reset (see TICKET-001)")
    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": EXAMPLE, "tickets/TICKET-002-b.md": mention})
    assert [f.code for f in _lint(root).findings] == []
    (root / "tickets" / "TICKET-001-a.md").unlink()  # the mentioned ticket goes away; TICKET-002's file is unchanged
    warm = _lint(root)
    assert warm.cached == 1
    assert [(f.code, f.path) for f in warm.findings] == [("TG041", "tickets/TICKET-002-b.md")]
    (root / "tickets" / "copy.md").write_text(mention.replace("see TICKET-001", "see TICKET-002"))
    assert {f.code for f in _lint(root).findings} == {"TG006", "TG041"}  # two TICKET-002s now; TICKET-001 still missing


def test_changed_content_or_settings_are_not_served_from_the_cache(tmp_path: Path):
    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": EXAMPLE})
    assert _lint(root).findings == []
    (root / "tickets" / "TICKET-001-a.md").write_text(EXAMPLE.replace("**Status:** Open", "**Status:** Opne"))
    assert [f.code for f in _lint(root).findings] == ["TG013"]
    (root / "ticketgen.toml").write_text('[lint]\nrequired_sections = ["Problem Statement", "References"]\n')
    assert {f.code for f in _lint(root).findings} == {"TG013", "TG020"}


def test_a_corrupt_or_deleted_cache_is_harmless(tmp_path: Path):
    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": EXAMPLE.replace("- [ ]", "* [ ]")})
    expected = [f.code for f in _lint(root).findings]
    for cache_file in (root / ".ticketgen_cache").glob("lint-*.json"):
        cache_file.write_text(json.dumps({"files": {"tickets/TICKET-001-a.md": {"digest": "x"}}}) + "garbage")
    assert [f.code for f in _lint(root).findings] == expected
    for cache_file in (root / ".ticketgen_cache").glob("lint-*.json"):
        data = json.loads(cache_file.read_text())
        data["files"]["tickets/TICKET-001-a.md"]["findings"] = "not a list"
        cache_file.write_text(json.dumps(data))
    assert [f.code for f in _lint(root).findings] == expected
    for cache_file in (root / ".ticketgen_cache").glob("lint-*.json"):
        cache_file.write_text(json.dumps({"defaults": "x", "files": []}))
    assert [f.code for f in _lint(root).findings] == expected
    assert run_cli("lint", "--no-cache", cwd=root).exit_code == 0


def test_unchanged_stat_skips_reading_but_any_edit_is_seen(tmp_path: Path):
    import os

    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": EXAMPLE})
    path = root / "tickets" / "TICKET-001-a.md"
    os.utime(path, ns=(10**18, 10**18))  # settled long ago: the cache may trust its stat
    assert _lint(root).findings == []
    warm = _lint(root)
    assert warm.cached == 1
    path.write_text(EXAMPLE.replace("**Status:** Open", "**Status:** Opne"))  # same size, new mtime
    os.utime(path, ns=(10**18 + 5, 10**18 + 5))
    assert [f.code for f in _lint(root).findings] == ["TG013"]


def test_two_processes_find_exactly_what_one_finds(examples_project: Path, monkeypatch):
    import ticketgen.lint.engine as engine

    monkeypatch.setenv("TICKETGEN_LINT_JOBS", "1")
    serial = _lint(examples_project, use_cache=False)
    monkeypatch.delenv("TICKETGEN_LINT_JOBS")
    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 2)
    parallel = _lint(examples_project, use_cache=False)
    assert parallel.findings == serial.findings
    assert [f.edits for f in parallel.findings] == [f.edits for f in serial.findings]


def test_the_code_stamp_covers_the_rule_modules():
    # Editing a rule (ticketgen/lint/rules/*.py) must invalidate cached findings in an editable install.
    from ticketgen.lint.cache import code_stamp
    from ticketgen.lint.rules import content

    assert f"{Path(content.__file__).name}:" in code_stamp()
