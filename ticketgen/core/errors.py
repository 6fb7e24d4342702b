"""Errors that reach the user as `path:line: message` and an exit code, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
EXIT_CONTENT = 1  # content problems: bad tickets, lint errors, refused writes
EXIT_USAGE = 2  # usage, configuration or internal errors


@dataclass(frozen=True)
class Location:
    path: Path | None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.path is None:
            return ""
        parts = [str(self.path)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class TicketgenError(Exception):
    """A problem the user can fix; carries where it is and which exit code it means."""

    exit_code = EXIT_CONTENT

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.location = Location(Path(path) if path is not None else None, line)

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


class ContentError(TicketgenError):
    """A file's content cannot be used (encoding, size, frontmatter, an ID clash)."""


class ConfigError(TicketgenError):
    """The configuration or the template cannot be used."""

    exit_code = EXIT_USAGE


class UsageError(TicketgenError):
    """The command line asks for something impossible."""

    exit_code = EXIT_USAGE


def did_you_mean(word: str, known: list[str] | tuple[str, ...]) -> str:
    """`; did you mean lint?` for a mistyped name, compared without regard to case; "" when
    nothing is close. The one place that guesses, so every command guesses alike."""
    import difflib

    by_fold = {k.casefold(): k for k in known}
    close = difflib.get_close_matches(word.casefold(), list(by_fold), n=3, cutoff=0.75)
    return f"; did you mean {' or '.join(by_fold[c] for c in close)}?" if close else ""
