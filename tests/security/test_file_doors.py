"""The one file reader: only regular files, never through a symlink leading out of the project,
never more than the size bound, for tickets, runbooks, manifests, site assets and docs files alike.

Commands run in a child process with a timeout: a reader that opened a FIFO would hang forever."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.security.conftest import make_project, ticket
from tests.site.site_repo import make_repo
from ticketgen.core.errors import ContentError
from ticketgen.core.io import read_bytes, read_source, read_stream

SECRET = "s3cr3t-token-do-not-publish"


def _run(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            [sys.executable, "-m", "ticketgen", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"ticketgen {' '.join(args)} hung (over {timeout} s)") from None


def _mkdocs(root: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml")],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=root,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"mkdocs build hung (over {timeout} s)") from None


def _site_text(site: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in site.rglob("*") if p.is_file())


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "credentials.md"
    path.parent.mkdir()
    path.write_text(f"# Credentials\n\n{SECRET}\n")
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda path, secret: os.mkfifo(path), "is a named pipe (FIFO), not a regular file"),
        (lambda path, secret: path.symlink_to("/dev/zero"), "is a symlink to a file outside the project"),
        (lambda path, secret: path.symlink_to(secret), "is a symlink to a file outside the project"),
    ],
    ids=["fifo", "dev-zero", "symlink-out"],
)
@pytest.mark.parametrize("command", [["lint"], ["list"], ["show", "1"]], ids=["lint", "list", "show"])
def test_a_ticket_that_is_not_a_regular_file_inside_the_project_is_refused(tmp_path, secret, make, message, command):
    root = make_project(tmp_path / "p", {"tickets/TICKET-001-a.md": ticket(1)})
    make(root / "tickets" / "TICKET-002-b.md", secret)
    result = _run(root, *command)
    assert result.returncode == 1, result.stderr
    # lint: a TG001 finding at the file; list and show: an error line naming it
    named = [line for line in (result.stdout + result.stderr).splitlines() if "tickets/TICKET-002-b.md" in line]
    assert named and message in named[0], result.stdout + result.stderr
    assert "Traceback" not in result.stderr and SECRET not in result.stdout


def test_a_symlink_inside_the_project_is_still_read(tmp_path: Path):
    root = make_project(tmp_path / "p", {"shared/TICKET-002-b.md": ticket(2)})
    (root / "tickets" / "TICKET-002-b.md").symlink_to(root / "shared" / "TICKET-002-b.md")
    result = _run(root, "list")
    assert result.returncode == 0, result.stderr
    assert "TICKET-002" in result.stdout


def test_runbooks_and_docs_files_leading_out_of_the_project_are_not_published(tmp_path: Path, secret: Path):
    """mkdocs copies docs files and ticketgen publishes runbooks: a symlink to a secret, a FIFO
    or a device there is left out of the site with a warning naming it, and the build finishes."""
    root = make_repo(tmp_path / "repo")
    (root / "runbooks" / "notes.md").symlink_to(secret)
    os.mkfifo(root / "runbooks" / "pipe.md")
    (root / "docs" / "leak.md").symlink_to(secret)
    (root / "docs" / "assets").mkdir()
    (root / "docs" / "assets" / "token.txt").symlink_to(secret)
    os.mkfifo(root / "docs" / "assets" / "pipe.css")
    (root / "docs" / "assets" / "zero.bin").symlink_to("/dev/zero")
    result = _mkdocs(root)
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stderr
    for name, why in [
        ("runbooks/notes.md", "is a symlink to a file outside the project"),
        ("runbooks/pipe.md", "is a named pipe (FIFO)"),
        ("docs/leak.md", "is a symlink to a file outside the project"),
        ("docs/assets/token.txt", "is a symlink to a file outside the project"),
        ("docs/assets/pipe.css", "is a named pipe (FIFO)"),
        ("docs/assets/zero.bin", "is a symlink to a file outside the project"),
    ]:
        assert f"{name}: {why}" in log, (name, log[-3000:])
    assert "Traceback" not in log
    site = root / "site"
    assert (site / "index.html").is_file()
    assert SECRET not in _site_text(site)
    assert not (site / "assets" / "token.txt").exists()


def test_render_leaves_out_a_runbook_symlinked_out_of_the_project(tmp_path: Path, secret: Path):
    root = make_repo(tmp_path / "repo")
    (root / "runbooks" / "notes.md").symlink_to(secret)
    result = _run(root, "render", "--out", str(tmp_path / "out"), "--strict")
    assert result.returncode == 1  # --strict: a warning fails the run
    assert "runbooks/notes.md: is a symlink to a file outside the project" in result.stderr
    assert SECRET not in _site_text(tmp_path / "out")


def test_a_site_asset_override_symlinked_out_is_a_config_error(tmp_path: Path, secret: Path):
    root = make_repo(tmp_path / "repo")
    assets = root / "templates" / "site" / "assets"
    assets.mkdir(parents=True)
    (assets / "ticketgen.css").symlink_to(secret)
    result = _run(root, "render", "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "assets/ticketgen.css: site asset override: is a symlink to a file outside the project" in result.stderr
    assert not (tmp_path / "out").exists() or SECRET not in _site_text(tmp_path / "out")


def test_manifests_and_resources_files_are_read_through_the_door(tmp_path: Path, secret: Path):
    root = make_project(tmp_path / "p", {"tickets/TICKET-001-a.md": ticket(1)}, config='manifests = ["deploy"]\n')
    (root / "deploy").mkdir()
    (root / "deploy" / "app.yaml").symlink_to(secret)
    result = _run(root, "runbooks", "--check")
    assert result.returncode in (1, 2), result.stdout + result.stderr
    assert "deploy/app.yaml: is a symlink to a file outside the project" in result.stderr
    (root / "deploy" / "app.yaml").unlink()
    (root / "runbooks").mkdir()
    os.mkfifo(root / "runbooks" / "resources.yaml")
    result = _run(root, "runbooks", "--check")
    assert result.returncode in (1, 2) and "runbooks/resources.yaml: is a named pipe (FIFO)" in result.stderr


def test_devices_and_fifos_are_refused_before_they_are_opened(tmp_path: Path):
    with pytest.raises(ContentError, match="is a character device, not a regular file"):
        read_bytes(Path("/dev/zero"))
    os.mkfifo(tmp_path / "pipe")  # opening it for reading would block until a writer came
    with pytest.raises(ContentError, match=r"is a named pipe \(FIFO\), not a regular file"):
        read_source(tmp_path / "pipe")


def test_the_reader_reads_at_most_one_byte_over_the_bound(tmp_path: Path):
    class Endless(io.RawIOBase):
        """A pipe that never ends (as /dev/zero): asked sizes are recorded."""

        asked: list[int] = []

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            self.asked.append(size)
            return b"x" * (size if size > 0 else 1 << 30)

    stream = Endless()
    with pytest.raises(ContentError, match="over the 1,000-byte limit"):
        read_stream(stream, "<stdin>", 1000)
    assert stream.asked == [1001]
    big = tmp_path / "big.md"
    big.write_bytes(b"a\n" * 600)
    with pytest.raises(ContentError, match="1,200 bytes, over the 1,000-byte limit"):
        read_bytes(big, 1000)
    assert read_source(big, 2000).text == "a\n" * 600


def test_decode_errors_name_the_file_and_line(tmp_path: Path):
    path = tmp_path / "t.md"
    path.write_bytes(textwrap.dedent("one\ntwo\n").encode() + b"\xff\n")
    with pytest.raises(ContentError) as err:
        read_source(path, display=Path("tickets/t.md"))
    assert str(err.value) == "tickets/t.md:3: not UTF-8 (byte 0xff at offset 8)"
