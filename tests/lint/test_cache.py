"""The cache gives the same findings as a cold run, cross-file checks stay right when another
file changes, and the cache lives outside the project and is safe to delete or corrupt."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli
from tests.lint.conftest import make_project
from tests.lint.test_rules import MANIFESTS
from ticketgen.core.project import Project
from ticketgen.lint.engine import LintOptions, run_lint
from ticketgen.lint.rule import EXAMPLE


def _lint(root: Path, use_cache: bool = True):
    return run_lint(Project.discover(root, use_cache=use_cache), None, LintOptions())


def test_warm_run_matches_cold_run_and_reads_from_the_cache(examples_project: Path):
    cold = _lint(examples_project, use_cache=False)
    first = _lint(examples_project)
    warm = _lint(examples_project)
    assert (first.cached, warm.cached) == (0, 3)
    assert [(f.code, f.path, f.line, f.message, f.severity) for f in warm.findings] == [
        (f.code, f.path, f.line, f.message, f.severity) for f in cold.findings
    ]
    assert [f.edits for f in warm.findings] == [f.edits for f in cold.findings]  # --fix works from the cache


def test_the_cache_is_kept_outside_the_project(tmp_path: Path, user_cache: Path):
    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": EXAMPLE})
    before = set(root.rglob("*"))
    _lint(root)
    assert set(root.rglob("*")) == before  # nothing a pull request could plant or redirect
    assert list(Project.discover(root).cache.folder.glob("lint-*.json"))
    assert Project.discover(root).cache.folder.is_relative_to(user_cache)


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
    folder = Project.discover(root).cache.folder
    shelves = list(folder.glob("*.json"))
    assert shelves
    for shelf in shelves:
        shelf.write_bytes(b"garbage")
    assert [f.code for f in _lint(root).findings] == expected
    for shelf in folder.glob("*.json"):
        shelf.write_bytes(shelf.read_bytes()[:20])  # cut short mid-write
    assert [f.code for f in _lint(root).findings] == expected
    for shelf in folder.glob("*.json"):
        shelf.unlink()
    assert [f.code for f in _lint(root).findings] == expected
    assert run_cli("lint", "--no-cache", cwd=root).exit_code == 0


def test_an_edit_of_the_same_size_is_seen(tmp_path: Path):
    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": EXAMPLE})
    path = root / "tickets" / "TICKET-001-a.md"
    assert _lint(root).findings == []
    assert _lint(root).cached == 1
    path.write_text(EXAMPLE.replace("**Status:** Open", "**Status:** Opne"))  # same size
    assert [f.code for f in _lint(root).findings] == ["TG013"]


def test_an_edited_manifest_is_not_served_from_the_cache(tmp_path: Path):
    ticket = EXAMPLE.replace(
        "**Component:** auth service", "**Component:** auth service\n**Resources:** hr/ingest/cubes"
    )
    root = make_project(tmp_path, {**MANIFESTS, "tickets/TICKET-001-a.md": ticket}, 'manifests = ["deploy/"]\n')
    release = root / "deploy" / "ingest" / "release.yaml"
    assert [f.code for f in _lint(root).findings if f.code == "TG051"] == ["TG051"]
    assert _lint(root).cached == 1
    release.write_text(release.read_text().replace("name: cube", "name: cubes"))  # now the manifests define it
    warm = _lint(root)
    assert (warm.cached, [f.code for f in warm.findings if f.code == "TG051"]) == (0, [])
    release.write_text(release.read_text().replace("name: cubes", "name: cube"))  # and again they do not
    assert [f.code for f in _lint(root).findings if f.code == "TG051"] == ["TG051"]
    (root / "deploy" / "ingest" / "kustomization.yaml").write_text("namespace: other\n")  # the namespace moves
    release.write_text(release.read_text().replace("name: cube", "name: cubes"))
    assert [f.code for f in _lint(root).findings if f.code == "TG051"] == ["TG051"]


def test_a_link_target_deleted_or_added_is_seen_by_a_warm_run(tmp_path: Path):
    linked = EXAMPLE.replace("expires.", "expires. See [the guide](../docs/guide.md).")
    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": linked})
    guide = root / "docs" / "guide.md"
    guide.parent.mkdir()
    guide.write_text("# Guide\n")
    assert _lint(root).findings == []
    guide.unlink()  # the ticket's bytes are the same: its findings come from the cache
    warm = _lint(root)
    assert warm.cached == 1 and [(f.code, f.line) for f in warm.findings] == [("TG040", 10)]
    guide.write_text("# Guide\n")
    assert _lint(root).findings == []
