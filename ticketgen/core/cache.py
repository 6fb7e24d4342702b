"""The one cache: work done for a file's bytes (parsed records, lint findings, rendered HTML),
kept by content hash so it is never done twice, by any command or by the site.

It lives in the user's cache folder (`$XDG_CACHE_HOME/ticketgen`, else `~/.cache/ticketgen`),
never in the repository: a pull request can neither plant an entry nor point the cache
elsewhere. Safe to delete. Each kind of result is a *shelf* with a file of its own, so a warm
`ticketgen lint` reads only its findings. Everything is dropped when ticketgen's code, the
libraries behind what is stored, the template or the settings change.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from .errors import ContentError
from .io import write_atomic

_FORMAT = 1
# Libraries whose output is stored: tokens and records (markdown-it, YAML), HTML (Pygments).
_LIBRARIES = ("markdown_it", "mdit_py_plugins", "yaml", "frontmatter", "jinja2", "pygments")
_PACKAGE_SUFFIXES = (".py", ".j2", ".md", ".json", ".css", ".js")


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
            stat = path.stat()
        except OSError:
            continue
        parts.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return digest("\n".join(parts).encode())


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ticketgen"


class Shelf:
    """One kind of result, by key. Loaded on first use; `save` writes it back if it changed,
    dropping (with `prune`) the entries this run did not use (files deleted or edited)."""

    def __init__(self, path: Path | None):
        self.path = path  # None: kept in memory only (`--no-cache`)
        self._entries: dict[Any, Any] | None = None if path is not None else {}
        self.used: set[Any] = set()
        self.dirty = False

    @property
    def entries(self) -> dict[Any, Any]:
        if self._entries is None:
            try:
                with self.path.open("rb") as handle:
                    loaded = pickle.load(handle)
                self._entries = loaded if isinstance(loaded, dict) else {}
            except Exception:  # noqa: BLE001 - missing, truncated or from another version: start empty
                self._entries = {}
        return self._entries

    def get(self, key: Any) -> Any:
        found = self.entries.get(key)
        if found is not None:
            self.used.add(key)
        return found

    def take(self, key: Any) -> Any:
        """`get`, then forget the entry in memory (the file keeps it): for a result needed once
        more after `save`."""
        found = self.get(key)
        if found is not None:
            del self.entries[key]
        return found

    def put(self, key: Any, value: Any) -> None:
        self.entries[key] = value
        self.used.add(key)
        self.dirty = True

    def save(self, *, prune: bool = False) -> None:
        if self._entries is None or self.path is None:
            return
        if prune and set(self._entries) - self.used:
            self._entries = {k: v for k, v in self._entries.items() if k in self.used}
            self.dirty = True
        if not self.dirty:
            return
        try:
            entries = self._entries
            write_atomic(self.path, lambda out: pickle.dump(entries, out, pickle.HIGHEST_PROTOCOL), sync=False)
            for old in self.path.parent.glob(f"{self.path.name.split('-', 1)[0]}-*.pickle"):
                if old != self.path:
                    old.unlink(missing_ok=True)
        except (OSError, ContentError):
            return  # no cache folder we can write: everything still works, uncached
        self.dirty = False


class Cache:
    """The shelves of one project. `key` is what every entry depends on beyond its own bytes
    (the template, the settings); None makes a cache that keeps nothing (`--no-cache`)."""

    def __init__(self, root: Path, key: str | None):
        self.enabled = key is not None
        project = digest(str(root).encode())
        stamp = digest(f"{_FORMAT}\0{code_stamp()}\0{key}".encode())
        self.folder = cache_root() / project
        self.stamp = stamp
        self.shelves: dict[str, Shelf] = {}

    def shelf(self, name: str) -> Shelf:
        found = self.shelves.get(name)
        if found is None:
            found = Shelf(self.folder / f"{name}-{self.stamp}.pickle" if self.enabled else None)
            self.shelves[name] = found
        return found

    def save(self, *, prune: bool = False) -> None:
        for shelf in self.shelves.values():
            shelf.save(prune=prune)

    def release(self) -> None:
        """Forget what was loaded (after `save`): the next use reads the files again."""
        self.shelves = {}
