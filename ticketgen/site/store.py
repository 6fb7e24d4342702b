"""Parsed tickets kept on disk between `mkdocs build` runs, so a build parses only changed files.

The store is a pickle, so it lives in the user's cache folder ($XDG_CACHE_HOME/ticketgen, else
~/.cache/ticketgen), never in the repository, where anyone could commit one. Entries are keyed by
the file's content hash; the whole store is dropped when the template, the settings that shape
parsing, ticketgen or Python change.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from ..project import Project
from ..records import Document

_FORMAT = 1
_PARSER_FILES = ("parse.py", "records.py", "markdown.py", "template.py", "textio.py")


def _parser_digest() -> str:
    """The parser's own source: a changed parser (even uninstalled, in development) changes it."""
    here = Path(__file__).parents[1]
    return digest(b"".join((here / name).read_bytes() for name in _PARSER_FILES))


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ticketgen" / "site"


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class ParseStore:
    def __init__(self, project: Project):
        config = project.config
        template = config.template.read_bytes() if config.template and config.template.is_file() else b""
        self.key = (
            _FORMAT,
            _parser_digest(),
            sys.version_info[:2],
            digest(template),
            config.max_file_bytes,
            tuple(sorted(config.roles.items())),
        )
        name = digest(str(config.root).encode())
        self.path = cache_folder() / f"{name}.pickle"
        self.entries: dict[Path, tuple[str, Document]] = {}
        self.dirty = False
        self.autosave = True  # False under `mkdocs serve`: saved once at exit, not per edit
        self.keep: set[Path] = set()

    def load(self) -> None:
        try:
            with self.path.open("rb") as handle:
                key, entries = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            return
        if key == self.key and isinstance(entries, dict):
            self.entries = entries

    def get(self, path: Path, data_digest: str) -> Document | None:
        found = self.entries.get(path)
        return found[1] if found and found[0] == data_digest else None

    def put(self, path: Path, data_digest: str, document: Document) -> None:
        self.entries[path] = (data_digest, document)
        self.dirty = True

    def save(self, keep: set[Path] | None = None) -> None:
        """Write the entries of the files in `keep` (the others were deleted or moved)."""
        keep = self.keep if keep is None else keep
        if not self.dirty and keep == set(self.entries):
            return
        entries = {p: e for p, e in self.entries.items() if p in keep}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".parses.", dir=self.path.parent)
        except OSError:
            return  # a cache that cannot be written only costs speed
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((self.key, entries), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            return
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.dirty = False
