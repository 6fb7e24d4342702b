"""Per-file lint results keyed by content hash, in `.ticketgen_cache/` at the project root.

Like ruff's cache: safe to delete, ignored by git (it holds its own `.gitignore`), and JSON
rather than pickle, so a cache file planted in a repository can never run code. The key
covers everything that changes what rules find: the lint code, the template, the lint
settings, the roles and today's date (for future-date checks).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..core.errors import ContentError
from ..core.io import write_atomic

CACHE_DIR = ".ticketgen_cache"
_FORMAT = 1


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def code_stamp() -> str:
    """Changes whenever the code that produces findings changes (also in editable installs)."""
    package = Path(__file__).parents[1]
    files = [
        *sorted((package / "lint").rglob("*.py")),  # rules/ too: a changed rule must not answer from the cache
        *(
            package / n
            for n in ("core/parse.py", "core/markdown.py", "core/records.py", "core/template.py", "data/template.md")
        ),
    ]
    runbooks = package / "runbooks" / "resources.py"
    if runbooks.exists():
        files.append(runbooks)
    return ";".join(f"{p.name}:{p.stat().st_mtime_ns}:{p.stat().st_size}" for p in files if p.exists())


class LintCache:
    def __init__(self, root: Path, key_parts: list[str]):
        self.folder = root / CACHE_DIR
        key = hashlib.sha256("\0".join([str(_FORMAT), *key_parts]).encode()).hexdigest()[:20]
        self.file = self.folder / f"lint-{key}.json"

    def load(self) -> dict[str, Any]:
        """Entries by relative path; anything unreadable counts as an empty cache."""
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, entries: dict[str, Any]) -> None:
        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                write_atomic(ignore, "# Created by ticketgen lint; safe to delete.\n*\n")
            for old in self.folder.glob("lint-*.json"):
                if old != self.file:
                    old.unlink(missing_ok=True)
            write_atomic(self.file, json.dumps(entries, separators=(",", ":")))
        except (OSError, ContentError):  # write_atomic reports OS errors as ContentError
            pass  # a read-only checkout still lints; it just is not cached
