"""The cache holds data, never code: JSON read through codecs, private folders and files, and
anything it did not write as this user (or that changed since) ignored, said, and rewritten."""

from __future__ import annotations

import json
import logging
import os
import pickle
import stat
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.lint.conftest import make_project
from ticketgen.core.project import Project
from ticketgen.core.records import Ticket
from ticketgen.lint.rule import EXAMPLE


def _cached_project(tmp_path: Path) -> tuple[Path, Path]:
    root = make_project(tmp_path / "repo", {"tickets/TICKET-001-a.md": EXAMPLE.replace("- [ ]", "* [ ]")})
    assert _codes(root) == ["TG034"]  # one finding: the bullet style
    folder = Project.discover(root).cache.folder
    assert sorted(p.name.split("-")[0] for p in folder.iterdir()) == ["lint", "records"]
    return root, folder


def _codes(root: Path) -> list[str]:
    result = run_cli("lint", "--format", "json", cwd=root)
    return [f["code"] for f in json.loads(result.stdout)["findings"]]


class _Planted:
    """A pickle that makes a folder when loaded: what an attacker plants."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def test_the_cache_is_json_and_a_planted_pickle_never_runs(tmp_path: Path):
    root, folder = _cached_project(tmp_path)
    for shelf in folder.iterdir():
        header, _, payload = shelf.read_bytes().partition(b"\n")
        assert header.startswith(b"ticketgen-cache 2 ")
        for line in payload.decode().splitlines():  # one entry a line: key TAB value, both JSON
            key, value = line.split("\t")
            json.loads(key), json.loads(value)
    # A pickle in the old format's place, and one in the new file's place: neither is loaded.
    marker = tmp_path / "pwned"
    planted = pickle.dumps({"x": _Planted(marker)})
    stamp = next(folder.glob("lint-*")).name.removeprefix("lint-").removesuffix(".json")
    (folder / f"lint-{stamp}.pickle").write_bytes(planted)
    (folder / f"records-{stamp}.json").write_bytes(planted)
    assert _codes(root) == ["TG034"]
    assert not marker.exists()
    assert not list(folder.glob("*.pickle"))  # the old format's files are removed


def test_folders_are_0700_and_files_0600(tmp_path: Path):
    root, folder = _cached_project(tmp_path)
    for path in (folder.parent, folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # A folder opened up (by a umask, a copy...) is made private again, with a note.
    os.chmod(folder, 0o755)
    assert _codes(root) == ["TG034"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_corrupt_entry_is_ignored_said_and_rewritten(tmp_path: Path, caplog):
    from ticketgen.core.cache import digest

    root, folder = _cached_project(tmp_path)
    lint = next(folder.glob("lint-*.json"))
    data = bytearray(lint.read_bytes())
    at = data.index(b"TG034")
    data[at : at + 5] = b"TG035"  # a flipped finding: only the checksum can tell
    lint.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="ticketgen.cache"):
        assert _codes(root) == ["TG034"]  # not the corrupt TG035
    assert "checksum does not match" in caplog.text and str(lint) in caplog.text
    header, _, payload = lint.read_bytes().partition(b"\n")
    assert header.endswith(digest(payload).encode()) and b'"findings":[["TG034"' in payload  # rewritten
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="ticketgen.cache"):
        assert _codes(root) == ["TG034"]
    assert caplog.text == ""  # and read without a note from then on


def test_an_entry_of_the_wrong_shape_is_ignored_and_rewritten(tmp_path: Path, caplog):
    from ticketgen.core.cache import _FORMAT, _MAGIC, digest

    root, folder = _cached_project(tmp_path)
    records = next(folder.glob("records-*.json"))
    _, _, payload = records.read_bytes().partition(b"\n")
    key = payload.split(b"\t")[0]
    payload = key + b'\t{"path": 1}\n'  # a matching checksum, a value no record has
    records.write_bytes(b"%s %d %s\n" % (_MAGIC, _FORMAT, digest(payload).encode()) + payload)
    with caplog.at_level(logging.WARNING, logger="ticketgen.cache"):
        assert run_cli("show", "TICKET-001", cwd=root).exit_code == 0
    assert "wrong shape" in caplog.text
    assert b'{"path": 1}' not in records.read_bytes()


@pytest.mark.parametrize("how", ["group-writable", "world-writable", "another user's", "a symlink", "a fifo"])
def test_an_entry_file_this_user_did_not_write_privately_is_ignored(tmp_path: Path, caplog, how: str):
    root, folder = _cached_project(tmp_path)
    lint = next(folder.glob("lint-*.json"))
    planted = lint.read_bytes().replace(b"TG034", b"TG035")  # what another user wants shown
    from ticketgen.core.cache import digest

    header, _, payload = planted.partition(b"\n")
    planted = header.rsplit(b" ", 1)[0] + b" " + digest(payload).encode() + b"\n" + payload  # a valid checksum
    lint.unlink()
    if how == "a symlink":
        (tmp_path / "elsewhere.json").write_bytes(planted)
        lint.symlink_to(tmp_path / "elsewhere.json")
    elif how == "a fifo":
        os.mkfifo(lint)
    else:
        lint.write_bytes(planted)
        if how == "group-writable":
            os.chmod(lint, 0o620)
        elif how == "world-writable":
            os.chmod(lint, 0o602)
        else:
            if os.geteuid() != 0:
                pytest.skip("only root can give a file to another user")
            os.chown(lint, 12345, 12345)
    with caplog.at_level(logging.WARNING, logger="ticketgen.cache"):
        assert _codes(root) == ["TG034"]
    assert f"cache file {lint}" in caplog.text and "ignored, and rewritten" in caplog.text
    st = os.lstat(lint)
    assert stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) == 0o600


def test_a_cache_folder_of_another_user_is_not_used(tmp_path: Path, caplog):
    if os.geteuid() != 0:
        pytest.skip("only root can give a folder to another user")
    root, folder = _cached_project(tmp_path)
    os.chown(folder, 12345, 12345)
    with caplog.at_level(logging.WARNING, logger="ticketgen.cache"):
        assert _codes(root) == ["TG034"]
    assert "not a folder of this user's" in caplog.text


def test_cache_false_writes_nothing(tmp_path: Path):
    root = make_project(tmp_path / "repo", {"tickets/TICKET-001-a.md": EXAMPLE})
    (root / "ticketgen.toml").write_text("[lint]\ncache = false\n")
    folder = Project.discover(root).cache.folder
    assert run_cli("lint", cwd=root).exit_code == 0
    assert not folder.exists() or not list(folder.iterdir())


def test_a_ticket_declares_every_attribute_it_carries(tmp_path: Path):
    root = make_project(tmp_path / "repo", {"tickets/TICKET-001-a.md": EXAMPLE})
    for _ in range(2):  # parsed, then read back from the cache
        ticket = Project.discover(root).load().tickets[0]
        assert not hasattr(ticket, "__dict__")
        with pytest.raises(AttributeError):
            ticket.rendered = "x"  # type: ignore[attr-defined]
        assert ticket.sections and ticket.all_fields and ticket.source_digest
    assert "__dict__" not in Ticket.__slots__
