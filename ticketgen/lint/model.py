"""What a rule reports: a `Finding` at a place in a file, optionally with edits that fix it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.config import SEVERITIES  # noqa: F401 - lint names its levels here too


@dataclass(frozen=True)
class Edit:
    """Replace `text[start:end]` of the file (offsets in the file's full text, BOM included)."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Hit:
    """A rule's raw result, before the engine adds its code, severity and path."""

    line: int
    column: int
    message: str
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    path: str  # POSIX path relative to the project root
    line: int
    column: int
    message: str
    edits: tuple[Edit, ...] = field(default=(), compare=False)

    @property
    def fixable(self) -> bool:
        return bool(self.edits)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)
