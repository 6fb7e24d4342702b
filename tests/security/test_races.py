"""Class 6: races and partial work. An edit saved while `lint --fix` runs is never lost, a killed
run's temp files do not stay forever, and `import` writes all of its files or none."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.security.conftest import make_project, ticket

FIXABLE = ticket().replace("- [ ] Fix it", "* [ ] Fix it")  # TG034: `*` bullet, fixed to `-`


def test_an_edit_saved_while_fix_writes_is_kept_and_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The editor saves at the worst moment: after lint read the file, while the fixed text is
    being synced to disk (the old code checked, then synced, then renamed over the edit)."""
    root = make_project(tmp_path, {"tickets/TICKET-001-x.md": FIXABLE})
    path = root / "tickets" / "TICKET-001-x.md"
    edited = FIXABLE.replace("Users cannot log in.", "Users cannot log in. (edited by a human)")
    real_fsync = os.fsync

    def fsync_while_someone_saves(fd: int) -> None:
        if path.read_text() != edited:
            path.write_text(edited)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_while_someone_saves)
    result = run_cli("lint", "--fix", "--no-cache", cwd=root)
    assert path.read_text() == edited
    assert "Fixed" not in result.stderr
    assert "error: tickets/TICKET-001-x.md: changed while fixing; rerun" in result.stderr
    assert result.exit_code == 1


def test_fix_without_interference_still_fixes(tmp_path: Path):
    root = make_project(tmp_path, {"tickets/TICKET-001-x.md": FIXABLE})
    result = run_cli("lint", "--fix", "--no-cache", cwd=root)
    assert result.exit_code == 0 and "Fixed 1 file." in result.stderr
    assert (root / "tickets" / "TICKET-001-x.md").read_text() == ticket()


def _temp_files(folder: Path) -> tuple[Path, Path, Path]:
    """A temp file a killed run left an hour ago, one a running writer made just now, and a
    user's file that only looks similar."""
    stale = folder / ".TICKET-001-x.md.ab_c1234.tmp"
    fresh = folder / ".TICKET-001-x.md.zz9y8x7w.tmp"
    mine = folder / ".notes.tmp"
    for path in (stale, fresh, mine):
        path.write_text("partial")
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    os.utime(mine, (hour_ago, hour_ago))
    return stale, fresh, mine


@pytest.mark.parametrize("command", [["lint", "--fix", "--no-cache"], ["new", "--priority", "Low", "--title", "x"]])
def test_stale_temp_files_of_a_killed_run_are_removed_by_the_next(tmp_path: Path, command: list[str]):
    root = make_project(tmp_path, {"tickets/TICKET-001-x.md": ticket()})
    stale, fresh, mine = _temp_files(root / "tickets")
    result = run_cli(*command, cwd=root, input="")
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert fresh.exists() and mine.exists()


DOCUMENT = "# Notes\n\n" + ticket(1) + "\n" + ticket(2) + "\n" + ticket(3)


def test_import_on_a_full_disk_writes_nothing_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = make_project(tmp_path, {"notes.md": DOCUMENT})
    into = root / "split"
    real_link = os.link
    calls = []

    def link_until_the_disk_fills(src, dst, *args, **kwargs):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "link", link_until_the_disk_fills)
    result = run_cli("import", "notes.md", "--into", "split", cwd=root)
    assert result.exit_code == 1
    assert "wrote" not in result.stdout
    assert "No space left on device" in result.stderr
    assert not into.exists() or list(into.iterdir()) == []

    monkeypatch.setattr(os, "link", real_link)
    again = run_cli("import", "notes.md", "--into", "split", cwd=root)
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in into.iterdir()) == [
        "TICKET-001-a-ticket.md",
        "TICKET-002-a-ticket.md",
        "TICKET-003-a-ticket.md",
        "index.md",
    ]
    assert again.stdout.count("wrote ") == 4


def test_a_rerun_finishes_an_import_killed_part_way(tmp_path: Path):
    """Killed between two renames, an import leaves some files: each exactly as the import
    writes it. The rerun writes the rest instead of refusing."""
    root = make_project(tmp_path, {"notes.md": DOCUMENT})
    into = root / "split"
    into.mkdir()
    (into / "TICKET-001-a-ticket.md").write_text(ticket(1))  # as the import writes it
    result = run_cli("import", "notes.md", "--into", "split", cwd=root)
    assert result.exit_code == 0, result.output
    assert "TICKET-001" not in result.stdout and result.stdout.count("wrote ") == 3
    assert len(list(into.iterdir())) == 4
    again = run_cli("import", "notes.md", "--into", "split", cwd=root)
    assert again.exit_code == 0 and "nothing to write" in again.stdout
