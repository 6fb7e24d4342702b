"""Parsed tickets kept on disk between `mkdocs build` runs, so a build parses only changed files.

Rendered ticket pages are kept too (see `content.TicketPages`), so an unchanged ticket is not
rendered again either. The store is a pickle, so it lives in the user's cache folder
($XDG_CACHE_HOME/ticketgen, else ~/.cache/ticketgen), never in the repository, where anyone
could commit one. Entries are keyed by the file's content hash; the whole store is dropped when
the template, the settings that shape parsing, ticketgen or Python change.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..project import Project
from ..records import Document

_FORMAT = 2
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
        self.pages: dict[str, tuple[str, Any]] = {}  # ticket page uri -> (render key, page)
        self.pages_used: set[str] = set()
        self.dirty = False
        self.keep: set[Path] = set()

    def load(self) -> None:
        try:
            with self.path.open("rb") as handle:
                key, entries, pages = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            return
        if key == self.key and isinstance(entries, dict) and isinstance(pages, dict):
            self.entries, self.pages = entries, pages

    def get(self, path: Path, data_digest: str) -> Document | None:
        found = self.entries.get(path)
        return found[1] if found and found[0] == data_digest else None

    def put(self, path: Path, data_digest: str, document: Document) -> None:
        self.entries[path] = (data_digest, document)
        self.dirty = True

    def page(self, uri: str, render_key: str) -> Any | None:
        self.pages_used.add(uri)
        found = self.pages.get(uri)
        return found[1] if found and found[0] == render_key else None

    def put_page(self, uri: str, render_key: str, page: Any) -> None:
        self.pages_used.add(uri)
        self.pages[uri] = (render_key, page)
        self.dirty = True

    def save(self, keep: set[Path] | None = None) -> None:
        """Write the entries of the files in `keep` (the others were deleted or moved), and
        the pages the last build used."""
        keep = self.keep if keep is None else keep
        if not self.dirty and keep == set(self.entries) and self.pages_used == set(self.pages):
            return
        entries = {p: e for p, e in self.entries.items() if p in keep}
        pages = {uri: e for uri, e in self.pages.items() if uri in self.pages_used}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".parses.", dir=self.path.parent)
        except OSError:
            return  # a cache that cannot be written only costs speed
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((self.key, entries, pages), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            return
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.dirty = False
