"""Parsed tickets kept on disk between `mkdocs build` runs, so a build parses only changed files.

Rendered ticket pages are kept too (see `content.TicketPages`), so an unchanged ticket is not
rendered again either; and every page of the last build, in a smaller file (`SiteSnapshot`),
so a build in which nothing changed loads no ticket at all. These are pickles, so they live in
the user's cache folder ($XDG_CACHE_HOME/ticketgen, else ~/.cache/ticketgen), never in the
repository, where anyone could commit one. Entries are keyed by the file's content hash; the
whole store is dropped when the template, the settings that shape parsing, the parser's code,
the libraries it uses or Python change.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from ..core.project import Project
from ..core.records import Document

_FORMAT = 3
_PARSER_FILES = (
    "core/parse.py",
    "core/records.py",
    "core/markdown.py",
    "core/template.py",
    "core/io.py",
    "data/template.md",
)
# Libraries whose output is kept here: parsed tickets (markdown-it, YAML) and pages (Jinja).
_LIBRARIES = ("markdown-it-py", "PyYAML", "python-frontmatter", "Jinja2", "MarkupSafe")


@lru_cache(maxsize=1)
def _parser_digest() -> str:
    """The parser's own source, its default template and the versions of the libraries behind
    what is stored: any of them changed (even uninstalled, in development) changes it."""
    here = Path(__file__).parents[1]
    versions = []
    for name in _LIBRARIES:
        try:
            versions.append(f"{name}=={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            versions.append(name.encode())
    return digest(b"".join((here / name).read_bytes() for name in _PARSER_FILES) + b";".join(versions))


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ticketgen" / "site"


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class ParseStore:
    def __init__(self, project: Project):
        self.key = self.settings_key(project)
        name = digest(str(project.config.root).encode())
        self.path = cache_folder() / f"{name}.pickle"
        self.entries: dict[Path, tuple[str, Document]] = {}
        self.pages: dict[str, tuple[str, Any]] = {}  # ticket page uri -> (render key, page)
        self.pages_used: set[str] = set()
        self.dirty = False
        self.loaded = False  # read on first use: a build replayed from the snapshot never needs it
        self.keep: set[Path] = set()

    @staticmethod
    def settings_key(project: Project) -> tuple:
        """What parsed documents depend on besides a file's bytes."""
        config = project.config
        template = config.template.read_bytes() if config.template and config.template.is_file() else b""
        return (
            _FORMAT,
            _parser_digest(),
            sys.version_info[:2],
            digest(template),
            config.max_file_bytes,
            tuple(sorted(config.roles.items())),
        )

    def load(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        found = _read_pickle(self.path, self.key)
        if found is not None and isinstance(found[0], dict) and isinstance(found[1], dict):
            self.entries, self.pages = found

    def get(self, path: Path, data_digest: str) -> Document | None:
        self.load()
        found = self.entries.get(path)
        return found[1] if found and found[0] == data_digest else None

    def put(self, path: Path, data_digest: str, document: Document) -> None:
        self.load()
        self.entries[path] = (data_digest, document)
        self.dirty = True

    def page(self, uri: str, render_key: str) -> Any | None:
        self.load()
        self.pages_used.add(uri)
        found = self.pages.get(uri)
        return found[1] if found and found[0] == render_key else None

    def put_page(self, uri: str, render_key: str, page: Any) -> None:
        self.load()
        self.pages_used.add(uri)
        self.pages[uri] = (render_key, page)
        self.dirty = True

    def save(self, keep: set[Path] | None = None) -> None:
        """Write the entries of the files in `keep` (the others were deleted or moved), and
        the pages the last build used."""
        if not self.loaded:
            return  # nothing read, nothing changed
        keep = self.keep if keep is None else keep
        if not self.dirty and keep == set(self.entries) and self.pages_used == set(self.pages):
            return
        entries = {p: e for p, e in self.entries.items() if p in keep}
        pages = {uri: e for uri, e in self.pages.items() if uri in self.pages_used}
        if _write_pickle(self.path, (self.key, entries, pages)):
            self.dirty = False

    def snapshot(self) -> SiteSnapshot:
        return SiteSnapshot(self.path.with_suffix(".site.pickle"), self.key)


class SiteSnapshot:
    """Every page of the last one-shot build and its warnings, kept with the hash of all its
    inputs. When the next build's inputs hash the same, it replays them: no ticket is loaded,
    planned or rendered. `tickets` (the hash of the ticket files alone) is checked first, while
    mkdocs is still loading, to know whether any ticket needs parsing. The file holds two
    pickles, the hashes and then the pages, which are read only for a replay."""

    def __init__(self, path: Path, store_key: tuple):
        self.path, self.store_key = path, store_key
        self.tickets: str | None = None
        self.inputs: str | None = None
        found = _read_pickle(path, store_key)
        if found is not None and len(found) == 2:
            self.tickets, self.inputs = found

    def content(self) -> Any:
        """The pages and warnings saved with `inputs`; None if the file changed meanwhile."""
        try:
            with self.path.open("rb") as handle:
                if pickle.load(handle) != (self.store_key, self.tickets, self.inputs):
                    return None
                return pickle.load(handle)
        except _UNREADABLE:
            return None

    def save(self, tickets: str, inputs: str, content: Any) -> None:
        _write_pickle(self.path, (self.store_key, tickets, inputs), content)


_UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError)


def _read_pickle(path: Path, key: tuple) -> tuple | None:
    """The values stored after `key`, or None for a missing, broken or outdated file."""
    try:
        with path.open("rb") as handle:
            found = pickle.load(handle)
    except _UNREADABLE:
        return None
    if not isinstance(found, tuple) or not found or found[0] != key:
        return None
    return found[1:]


def _write_pickle(path: Path, *values: Any) -> bool:
    """Atomically (temp file + rename), one pickle after another; False where the cache folder
    cannot be written, which only costs speed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".ticketgen.", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            for value in values:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        return False
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return True
