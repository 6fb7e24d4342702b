"""Reading untrusted files safely and writing files atomically.

Every byte of a user's file matters: reads keep the original text (BOM and line endings
included) and writes go through a temp file + rename so a crash never leaves half a file.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError

DEFAULT_MAX_BYTES = 1024 * 1024
BOM = "\ufeff"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


@dataclass(frozen=True)
class SourceText:
    """A decoded file: `text` is exactly the file's content (BOM included)."""

    path: Path
    text: str


def split_lines(text: str) -> list[str]:
    """Split like markdown-it does (CRLF, CR and LF end a line), keeping the endings."""
    return _LINE.findall(text)


def decode(data: bytes, path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceText:
    if len(data) > max_bytes:
        raise ContentError(f"file is {len(data):,} bytes, over the {max_bytes:,}-byte limit", path, 1)
    nul = data.find(b"\0")
    if nul != -1:
        raise ContentError("binary file (contains a NUL byte)", path, data.count(b"\n", 0, nul) + 1)
    try:
        return SourceText(path, data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ContentError(f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", path, line) from None


def read_source(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, display: Path | None = None) -> SourceText:
    """Read `path`; errors name `display` (the path as the user knows it) and a line."""
    shown = display or path
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ContentError(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit", shown, 1)
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(f"cannot read: {exc.strerror}", shown) from None
    return decode(data, shown, max_bytes)


def write_atomic(path: Path, text: str | bytes, *, exclusive: bool = False) -> None:
    """Write `text` (or bytes, as they are) to `path` via a temp file in the same folder and a rename.

    With `exclusive`, an existing `path` is never replaced: the final step is a hard link,
    which fails if the name exists, so two writers can never overwrite each other. A symlink
    is written through (its target changes, the link stays). OS errors become ContentError.
    """
    if path.is_symlink():
        path = path.resolve()
    try:
        _write(path, text, exclusive)
    except OSError as exc:
        raise ContentError(f"cannot write: {exc.strerror or exc}", path) from None


def _write(path: Path, text: str | bytes, exclusive: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        binary = isinstance(text, bytes)
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        if exclusive:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise ContentError("file exists; refusing to overwrite it", path) from None
        else:
            os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def replace_if_unchanged(path: Path, expected: bytes, new: bytes) -> None:
    """Replace `path` with `new` only if it still holds `expected`: a lifecycle edit computed from
    what was read must never undo a change made meanwhile (an editor, a second command). The
    check and the write hold an exclusive lock on the file's folder, so two ticketgen edits of
    one file run one after the other; the write is atomic (temp file + rename)."""
    import fcntl

    target = path.resolve() if path.is_symlink() else path
    try:
        folder = os.open(target.parent, os.O_RDONLY)
    except OSError as exc:
        raise ContentError(f"cannot write: {exc.strerror}", path) from None
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        try:
            current = target.read_bytes()
        except OSError as exc:
            raise ContentError(f"cannot read: {exc.strerror}", path) from None
        if current != expected:
            raise ContentError("file changed while it was being edited; nothing written, run the command again", path)
        write_atomic(target, new)
    finally:
        os.close(folder)  # closing releases the lock
