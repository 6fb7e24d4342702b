"""The one JSON reader: bounded in size and nesting depth, errors name the input, line and column.

Status dumps are untrusted (a cluster's objects, a file someone pasted). The bytes come through
core/io.py (the one file reader: regular files, size bound, one decode); this module adds what
JSON needs on top: a nesting bound checked before parsing (the stdlib parser recurses, so JSON
nested 100,000 deep would otherwise end in RecursionError), no NaN/Infinity, and numbers whose
digits exceed the interpreter's limit reported as an error of the input, not as an internal one.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import IO, Any

from .errors import ContentError
from .io import decode, read_source

MAX_BYTES = 256 * 1024 * 1024  # a `kubectl get -A -o json` of a large cluster is tens of MB
MAX_DEPTH = 100  # Kubernetes objects nest about 20 deep (managedFields included)

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # unrolled: linear, no backtracking
_TOKEN = re.compile(_STRING.pattern + r"|[\[\]{}]", re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_YAML_KEY = re.compile(r"^(?:---|[A-Za-z_][\w.-]*:(?:\s|$))", re.MULTILINE)


class JSONInputError(ContentError):
    """The input is not JSON within the bounds; `line`/`column` locate it when known."""

    def __init__(
        self, message: str, name: str, line: int | None = None, column: int | None = None, *, yaml_like: bool = False
    ):
        super().__init__(message, name, line)
        self.name, self.line, self.column, self.yaml_like = name, line, column, yaml_like

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.name, self.line, self.column) if p is not None)
        return f"{where}: {self.message}"


def _too_deep(text: str, max_depth: int) -> int | None:
    """The offset where nesting first exceeds `max_depth`, else None. Linear: strings are blanked
    and everything but brackets dropped in C; only the brackets are summed."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if brackets.count("[") + brackets.count("{") <= max_depth:
        return None
    if max(itertools.accumulate(map(_STEP.__getitem__, brackets)), default=0) <= max_depth:
        return None
    depth = 0
    for match in _TOKEN.finditer(text):  # only on the error path: find where, for the message
        depth += _STEP.get(match.group(), 0)
        if depth > max_depth:
            return match.start()
    return None  # pragma: no cover - the sum above said it exceeds


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (only finite numbers are)")


def loads(text: str, name: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse `text` (already decoded and size-checked) as JSON within the depth bound."""
    deep = _too_deep(text, max_depth)
    if deep is not None:
        raise JSONInputError(f"JSON nested deeper than {max_depth} levels", name, *_position(text, deep))
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        yaml_like = text.lstrip("\ufeff \t\r\n")[:1] not in ("{", "[", '"') and bool(_YAML_KEY.search(text))
        message = "YAML, not JSON" if yaml_like else f"not valid JSON: {exc.msg}"
        raise JSONInputError(message, name, exc.lineno, exc.colno, yaml_like=yaml_like) from None
    except (ValueError, RecursionError) as exc:  # a 5,000-digit number, NaN; depth was checked above
        raise JSONInputError(f"not usable JSON: {exc}", name) from None


def read_json(
    path: Path, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH, display: Path | None = None
) -> Any:
    """Read and parse a JSON file through the one file reader."""
    source = read_source(path, max_bytes, display, max_line_chars=None)  # `jq -c` writes one line
    return loads(source.text.removeprefix("\ufeff"), str(display or path), max_depth=max_depth)


def read_json_bytes(data: bytes, name: str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse bytes that came from a pipe or a subprocess, decoded by the one decoder."""
    source = decode(data, Path(name), max_bytes, max_line_chars=None)  # JSON's bounds are size and depth
    return loads(source.text.removeprefix("\ufeff"), name, max_depth=max_depth)


def read_json_stream(stream: IO[bytes], name: str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Read at most `max_bytes` + 1 bytes (never the whole of an endless stream) and parse them."""
    data = stream.read(max_bytes + 1)
    return read_json_bytes(data, name, max_bytes=max_bytes, max_depth=max_depth)
