"""Class 5: no command writes through a symlink that leaves the project, and a dangling symlink
is never followed on write. (`render --out` and the lint cache are the lead's.)"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli
from tests.security.conftest import make_project, ticket


def test_lint_fix_does_not_rewrite_a_file_outside_the_project_through_a_symlinked_ticket(tmp_path: Path):
    outside = tmp_path / "elsewhere" / "victim.md"
    outside.parent.mkdir()
    text = ticket().replace("- [ ] Fix it", "* [ ] Fix it")  # fixable: TG034 bullet style
    outside.write_text(text)
    root = make_project(tmp_path / "repo", {})
    (root / "tickets" / "TICKET-001-x.md").symlink_to(outside)
    result = run_cli("lint", "--fix", "--no-cache", cwd=root)
    assert outside.read_text() == text
    assert result.exit_code == 1
    # refused by the one file reader before anything is read, let alone fixed
    assert "tickets/TICKET-001-x.md:1:1: TG001 [error] is a symlink to a file outside the project" in result.stdout


def test_lint_fix_still_writes_through_a_symlink_inside_the_project(tmp_path: Path):
    text = ticket().replace("- [ ] Fix it", "* [ ] Fix it")
    root = make_project(tmp_path, {"notes/real.md": text})
    (root / "tickets" / "TICKET-001-x.md").symlink_to(root / "notes" / "real.md")
    result = run_cli("lint", "--fix", "--no-cache", cwd=root)
    assert result.exit_code == 0, result.output
    assert (root / "tickets" / "TICKET-001-x.md").is_symlink()
    assert "- [ ] Fix it" in (root / "notes" / "real.md").read_text()


def test_init_never_follows_a_dangling_symlink(tmp_path: Path):
    target = tmp_path / "elsewhere" / "mkdocs.yml"
    root = tmp_path / "repo"
    root.mkdir()
    (root / "mkdocs.yml").symlink_to(target)
    result = run_cli("init", cwd=root)
    assert result.exit_code == 0, result.output
    assert not target.exists() and not target.parent.exists()
    assert "kept    mkdocs.yml" in result.stdout


def test_init_does_not_create_files_through_a_symlinked_folder_leading_out(tmp_path: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    root = tmp_path / "repo"
    root.mkdir()
    (root / "docs").symlink_to(outside)
    result = run_cli("init", cwd=root)
    assert list(outside.iterdir()) == []
    assert result.exit_code == 1
    assert "docs/index.md: a symlink leads outside the project" in result.stderr


def test_lint_report_is_not_written_through_a_symlink_leading_out(tmp_path: Path):
    outside = tmp_path / "elsewhere" / "report.json"
    outside.parent.mkdir()
    outside.write_text("keep me")
    root = make_project(tmp_path / "repo", {"tickets/TICKET-001-x.md": ticket()})
    (root / "report.json").symlink_to(outside)
    (root / "dangling.json").symlink_to(tmp_path / "elsewhere" / "new.json")
    for name in ("report.json", "dangling.json"):
        result = run_cli("lint", "--no-cache", "--format", "json", "-o", name, cwd=root)
        assert result.exit_code == 1, result.output
        assert f"error: {name}: " in result.stderr
    assert outside.read_text() == "keep me"
    assert not (tmp_path / "elsewhere" / "new.json").exists()
