import os
from pathlib import Path

import pytest

from ticketgen.core.errors import ContentError
from ticketgen.core.io import write_atomic


def test_atomic_write_keeps_mode_and_writes_through_symlinks(tmp_path: Path):
    real = tmp_path / "real.md"
    real.write_text("old\r\n")
    os.chmod(real, 0o640)
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_atomic(link, "new\r\n")
    assert link.is_symlink()
    assert real.read_bytes() == b"new\r\n"
    assert real.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_exclusive_write_never_replaces(tmp_path: Path):
    path = tmp_path / "a.md"
    path.write_text("mine")
    with pytest.raises(ContentError, match="refusing to overwrite"):
        write_atomic(path, "theirs", exclusive=True)
    assert path.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_os_errors_become_content_errors(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ContentError, match="cannot write"):
        write_atomic(blocker / "child.md", "text")
