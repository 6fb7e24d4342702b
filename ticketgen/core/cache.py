"""The one cache: work done for a file's bytes (parsed records, lint findings, rendered HTML),
kept by content hash so it is never done twice, by any command or by the site.

It holds data, never code: JSON, decoded by each kind's codec (`records.document_from_data`...)
into records, so a planted or corrupt file can at worst be ignored, never run. It lives in the
user's cache folder (`$XDG_CACHE_HOME/ticketgen`, else `~/.cache/ticketgen`), never in the
repository: a pull request can neither plant an entry nor point the cache elsewhere. The folders
are 0700 and the files 0600; a file another user owns, that others may write, that is not a
regular file, or whose checksum does not match (corruption, not tampering: anyone who can write
the folder can write a matching checksum) is ignored and rewritten, with a note. Safe to delete.

Each kind of result is a *shelf* with a file of its own, so a warm `ticketgen lint` reads only
its findings. An entry's key holds the digest of every input that reaches its output beyond
what the shelf's file name holds (ticketgen's code and the libraries behind what is stored,
the template, the settings): a changed byte anywhere in a ticket's file is a new key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

_FORMAT = 2  # 1 was pickle: never read
_MAGIC = b"ticketgen-cache"
# Libraries whose output is stored: tokens and records (markdown-it, YAML), HTML (Pygments).
_LIBRARIES = ("markdown_it", "mdit_py_plugins", "yaml", "frontmatter", "jinja2", "pygments")
_PACKAGE_SUFFIXES = (".py", ".j2", ".md", ".json", ".css", ".js")
_UNSAFE_MODE = stat.S_IWGRP | stat.S_IWOTH

log = logging.getLogger("ticketgen.cache")


def digest(data: bytes) -> str:
    """The content hash used everywhere in ticketgen (cache keys, fix checks)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """ticketgen's own code, templates and data, and the libraries behind what is stored: any
    change (an upgrade, or an edit in a development checkout) makes every stored result stale.
    Read from the files' size and modification time, without importing the libraries (a warm
    `ticketgen lint` never needs them)."""
    package = Path(__file__).parents[1]
    files = [p for p in package.rglob("*") if p.suffix in _PACKAGE_SUFFIXES and "__pycache__" not in p.parts]
    for name in _LIBRARIES:
        spec = find_spec(name)
        if spec is not None and spec.origin:
            files.append(Path(spec.origin))
    parts = []
    for path in sorted(files, key=str):
        try:
            st = path.stat()
        except OSError:
            continue
        parts.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
    return digest("\n".join(parts).encode())


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ticketgen"


@dataclass(frozen=True)
class Codec:
    """How one kind of result becomes JSON data and back. `decode` raises ValueError,
    TypeError, KeyError or IndexError on data of the wrong shape (the entry is then ignored)."""

    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]


PLAIN = Codec(lambda value: value, lambda data: data)  # values that are JSON data already


def _note(message: str) -> None:
    log.warning("note: %s", message)


def secure_folder(folder: Path) -> bool:
    """Make `folder` (and the cache root above it) 0700, owned by us. False, with a note, when
    it cannot be: a folder someone else owns, or a symlink, is never used."""
    root = cache_root()
    for path in (root, folder) if folder.parent == root else (folder,):
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            st = os.lstat(path)
        except OSError:
            return False  # no cache folder we can write: everything still works, uncached
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
            _note(f"cache folder {path} is not a folder of this user's: the cache is not used")
            return False
        if st.st_mode & 0o077:
            try:
                os.chmod(path, 0o700)
            except OSError:
                return False
            _note(f"cache folder {path} was open to other users: made private (0700)")
    return True


class Shelf:
    """One kind of result, by key. Loaded on first use; `save` writes it back if it changed,
    dropping (with `prune`) the entries this run did not use (files deleted or edited).

    On disk: a header line (`ticketgen-cache <format> <checksum>`), then one entry a line,
    `<key as JSON>\\t<value as JSON>`. An entry is decoded when first asked for."""

    def __init__(self, path: Path | None, codec: Codec = PLAIN):
        self.path = path  # None: kept in memory only (`--no-cache`)
        self.codec = codec
        self._raw: dict[str, str] | None = None if path is not None else {}  # key -> value as JSON
        self._objects: dict[str, Any] = {}  # key -> decoded (or put) value
        self.used: set[str] = set()
        self.dirty = False

    @property
    def raw(self) -> dict[str, str]:
        if self._raw is None:
            self._raw = self._load()
        return self._raw

    def _load(self) -> dict[str, str]:
        assert self.path is not None
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            return {}
        except OSError:
            self._ignored("cannot be opened (a symlink?)")
            return {}
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            if not stat.S_ISREG(st.st_mode):
                self._ignored("is not a regular file")
                return {}
            if st.st_uid != os.geteuid() or st.st_mode & _UNSAFE_MODE:
                self._ignored("is owned by another user or writable by others")
                return {}
            data = handle.read()
        header, _, payload = data.partition(b"\n")
        parts = header.split(b" ")
        if len(parts) != 3 or parts[0] != _MAGIC or parts[1] != str(_FORMAT).encode():
            self._ignored("is not a cache file of this version")
            return {}
        if parts[2].decode("ascii", "replace") != digest(payload):
            self._ignored("is corrupt (its checksum does not match)")
            return {}
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            self._ignored("is corrupt (not UTF-8)")
            return {}
        entries = {}
        for line in text.split("\n"):
            key, tab, value = line.partition("\t")
            if tab:
                entries[key] = value
        return entries

    def _ignored(self, why: str) -> None:
        _note(f"cache file {self.path} {why}: ignored, and rewritten")
        self.dirty = True  # rewritten by `save`, even with nothing new

    def get(self, key: tuple[Any, ...]) -> Any:
        name = _key(key)
        found = self._objects.get(name)
        if found is None:
            value = self.raw.get(name)
            if value is None:
                return None
            try:
                found = self.codec.decode(json.loads(value))
            except (ValueError, TypeError, KeyError, IndexError):
                _note(f"cache file {self.path}: an entry of the wrong shape is ignored, and rewritten")
                del self.raw[name]
                self.dirty = True
                return None
            self._objects[name] = found
        self.used.add(name)
        return found

    def take(self, key: tuple[Any, ...]) -> Any:
        """`get`, then forget the entry in memory (the file keeps it): for a result needed once
        more after `save`."""
        found = self.get(key)
        if found is not None:
            name = _key(key)
            self._objects.pop(name, None)
            self.raw.pop(name, None)
        return found

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        """Store `value`, encoded now: what is saved is the value as it was put."""
        name = _key(key)
        self.raw[name] = json.dumps(self.codec.encode(value), ensure_ascii=False, separators=(",", ":"))
        self._objects[name] = value
        self.used.add(name)
        self.dirty = True

    def save(self, *, prune: bool = False) -> None:
        if self._raw is None or self.path is None:
            return
        if prune and set(self._raw) - self.used:
            self._raw = {k: v for k, v in self._raw.items() if k in self.used}
            self.dirty = True
        if not self.dirty:
            return
        payload = "".join(f"{k}\t{v}\n" for k, v in self._raw.items()).encode("utf-8")
        if _write_private(self.path, b"%s %d %s\n" % (_MAGIC, _FORMAT, digest(payload).encode()) + payload):
            for old in self.path.parent.glob(f"{self.path.name.split('-', 1)[0]}-*"):
                if old != self.path and not old.name.startswith("."):
                    old.unlink(missing_ok=True)
            self.dirty = False


def _key(key: tuple[Any, ...]) -> str:
    return json.dumps(key, ensure_ascii=False, separators=(",", ":"))


def _write_private(path: Path, data: bytes) -> bool:
    """Write `path` atomically as a 0600 file (a temp file beside it, renamed). False when the
    folder cannot be written: everything still works, uncached."""
    if not secure_folder(path.parent):
        return False
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # 0600
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
        return True
    except OSError:
        return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


class Cache:
    """The shelves of one project. `key` is what every entry depends on beyond its own key
    (the template, the settings); None makes a cache that keeps nothing (`--no-cache`)."""

    def __init__(self, root: Path, key: str | None):
        self.enabled = key is not None
        project = digest(str(root).encode())
        stamp = digest(f"{_FORMAT}\0{code_stamp()}\0{key}".encode())
        self.folder = cache_root() / project
        self.stamp = stamp
        self.shelves: dict[str, Shelf] = {}
        self._usable: bool | None = None

    def shelf(self, name: str, codec: Codec | None = None) -> Shelf:
        """The shelf `name`; its values go through `codec` (given by the code that gets and
        puts them; a caller that only saves may leave it out)."""
        found = self.shelves.get(name)
        if found is None:
            if self._usable is None:
                self._usable = self.enabled and secure_folder(self.folder)
                if self._usable:  # the old format's files: pickles, code to whoever loads them
                    for old in self.folder.glob("*.pickle"):
                        old.unlink(missing_ok=True)
            found = Shelf(self.folder / f"{name}-{self.stamp}.json" if self._usable else None, codec or PLAIN)
            self.shelves[name] = found
        elif codec is not None:
            found.codec = codec
        return found

    def save(self, *, prune: bool = False) -> None:
        for shelf in self.shelves.values():
            shelf.save(prune=prune)

    def release(self) -> None:
        """Forget what was loaded (after `save`): the next use reads the files again."""
        self.shelves = {}
