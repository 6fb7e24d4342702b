"""Reading untrusted files safely and writing files atomically.

Every byte of a user's file matters: reads keep the original text (BOM and line endings
included) and writes go through a temp file + rename so a crash never leaves half a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import ContentError

DEFAULT_MAX_BYTES = 1024 * 1024
# Longer lines are refused like oversized files: they bound the work any per-line step can do.
MAX_LINE_CHARS = 128 * 1024
BOM = "\ufeff"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class SourceText:
    """A decoded file: `text` is exactly the file's content (BOM included)."""

    path: Path
    text: str


def split_lines(text: str) -> list[str]:
    """Split like markdown-it does (CRLF, CR and LF end a line), keeping the endings."""
    return _LINE.findall(text)


def decode(
    data: bytes, path: Path, max_bytes: int = DEFAULT_MAX_BYTES, max_line_chars: int | None = MAX_LINE_CHARS
) -> SourceText:
    """The one decode: size bound, no NUL, UTF-8, line length bound (None: no line bound, for
    machine-written input such as one-line JSON); each refusal names the file and the line."""
    if len(data) > max_bytes:
        raise ContentError(f"file is {len(data):,} bytes, over the {max_bytes:,}-byte limit", path, 1)
    nul = data.find(b"\0")
    if nul != -1:
        raise ContentError("binary file (contains a NUL byte)", path, data.count(b"\n", 0, nul) + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ContentError(f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", path, line) from None
    if max_line_chars is not None and len(text) > max_line_chars:
        for number, line_text in enumerate(_BREAK.split(text), 1):
            if len(line_text) > max_line_chars:
                message = f"line is {len(line_text):,} characters long, over the {max_line_chars:,}-character limit"
                raise ContentError(message, path, number)
    return SourceText(path, text)


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, for the message."""
    for test, name in (
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def check_inside(path: Path, root: Path | None, shown: Path | None = None) -> None:
    """Refuse a path inside `root` (as named) whose symlinks lead outside it: a file a pull
    request symlinked to a secret elsewhere on the machine. A path named outside `root` is the
    user's choice and is left alone, as for writes (`check_write_target`)."""
    if root is None:
        return
    looks, real = os.path.abspath(path), os.path.realpath(path)
    top = os.path.realpath(root)
    named_inside = _within(looks, os.path.abspath(root)) or _within(looks, top)
    if named_inside and not _within(real, top):
        raise ContentError("is a symlink to a file outside the project; refusing to read it", shown or path)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def check_readable(path: Path, root: Path | None = None, display: Path | None = None) -> None:
    """What `read_bytes` checks before it opens a file, for a file another program will read
    (mkdocs copies the docs folder's files): inside `root` after symlinks, and a regular file."""
    shown = display or path
    check_inside(path, root, shown)
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise ContentError(f"cannot read: {exc.strerror or exc}", shown) from None
    if not stat.S_ISREG(mode):
        raise ContentError(f"is {_kind(mode)}, not a regular file; refusing to read it", shown)


def read_bytes(
    path: Path, max_bytes: int = DEFAULT_MAX_BYTES, display: Path | None = None, *, root: Path | None = None
) -> bytes:
    """The one file reader: the bytes of a regular file of at most `max_bytes`, else ContentError
    naming `display` (the path as the user knows it).

    FIFOs, devices and sockets are refused before opening (a FIFO would block, /dev/zero never
    ends); the open is non-blocking and the opened file is checked again, so one swapped in
    meanwhile is refused too; at most `max_bytes` + 1 bytes are read, so a file that grows
    meanwhile cannot exhaust memory. With `root`, a path inside it must not lead outside it
    through a symlink (`check_inside`)."""
    shown = display or path
    check_inside(path, root, shown)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise ContentError(f"is {_kind(info.st_mode)}, not a regular file; refusing to read it", shown)
        if info.st_size > max_bytes:
            raise ContentError(f"file is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit", shown, 1)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):
                raise ContentError(f"is {_kind(opened.st_mode)}, not a regular file; refusing to read it", shown)
            chunks, left = [], max_bytes + 1
            while left > 0:
                chunk = os.read(fd, min(left, 1024 * 1024))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ContentError(f"cannot read: {exc.strerror or exc}", shown) from None
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise ContentError(f"file grew over the {max_bytes:,}-byte limit while being read", shown, 1)
    return data


def read_source(
    path: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    display: Path | None = None,
    *,
    root: Path | None = None,
    max_line_chars: int | None = MAX_LINE_CHARS,
) -> SourceText:
    """Read `path` through `read_bytes` and `decode`; errors name `display` and a line."""
    shown = display or path
    return decode(read_bytes(path, max_bytes, shown, root=root), shown, max_bytes, max_line_chars)


def read_stream(stream: BinaryIO, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """At most `max_bytes` of a pipe (stdin, a subprocess): one byte more is read to tell, never
    the whole of an endless stream. Decode the result with `decode`."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ContentError(f"input is over the {max_bytes:,}-byte limit", name, 1)
    return data


def check_write_target(path: Path, root: Path | None = None) -> None:
    """Refuse a write that a symlink would take somewhere unintended: through a dangling
    symlink (never followed), or, for a path inside `root`, to a place outside it (a
    symlinked ticket or folder from a pull request). A path named outside `root` is the
    user's choice and is left alone."""
    if path.is_symlink() and not path.exists():
        raise ContentError("is a dangling symlink; refusing to write through it", path)
    if root is None:
        return
    looks, real = Path(os.path.abspath(path)), Path(os.path.realpath(path))
    top = Path(os.path.realpath(root))
    if (looks.is_relative_to(os.path.abspath(root)) or looks.is_relative_to(top)) and not real.is_relative_to(top):
        raise ContentError(f"a symlink leads outside the project (to {real}); refusing to write there", path)


# What a writer writes: text, bytes as they are, or a function that writes into the open file
# (a large pickle goes straight to the disk, never whole into memory).
Content = str | bytes | Callable[[BinaryIO], None]


def write_atomic(
    path: Path, text: Content, *, exclusive: bool = False, inside: Path | None = None, sync: bool = True
) -> None:
    """Write `text` to `path` via a temp file in the same folder and a rename.

    With `exclusive`, an existing `path` (a symlink included) is never replaced: the final step
    is a hard link, which fails if the name exists, so two writers can never overwrite each
    other. Otherwise a symlink is written through (its target changes, the link stays), unless
    `check_write_target` refuses it for project root `inside`. `sync=False` skips the fsync, for
    files that may be lost in a crash (the cache: a truncated one reads as empty). OS errors
    become ContentError.
    """
    check_write_target(path, inside)
    if path.is_symlink() and not exclusive:
        path = path.resolve()
    try:
        tmp = _temp_copy(path, text, sync)
        try:
            if exclusive:
                _link_new(tmp, path)
            else:
                os.replace(tmp, path)
        finally:
            _discard(tmp)
    except OSError as exc:
        raise ContentError(f"cannot write: {exc.strerror or exc}", path) from None


def replace_if_unchanged(path: Path, expected: bytes, text: str | bytes, *, inside: Path | None = None) -> bool:
    """Replace `path` with `text` only if it still holds `expected` (the bytes the change was
    computed from); False, and nothing written, when someone changed it meanwhile.

    The new text is written and synced to a temp file first; then, under a lock on the folder
    (shared by every ticketgen writer), the file is read again and the temp file renamed over
    it at once. An editor saving in the microseconds between that read and the rename is the
    only edit that can still be lost.
    """
    check_write_target(path, inside)
    target = path.resolve() if path.is_symlink() else path
    try:
        tmp = _temp_copy(target, text)
        try:
            with _folder_lock(target.parent):
                try:  # bounded: a file now longer than `expected` has changed, whatever it holds
                    if read_bytes(target, len(expected), display=path) != expected:
                        return False
                except ContentError:  # deleted, grown or replaced by something else meanwhile: a change too
                    return False
                os.replace(tmp, target)
                return True
        finally:
            _discard(tmp)
    except OSError as exc:
        raise ContentError(f"cannot write: {exc.strerror or exc}", path) from None


CHANGED = "file changed while it was being edited; nothing written, run the command again"


def rewrite(path: Path, expected: bytes, text: str | bytes, *, inside: Path | None = None) -> None:
    """`replace_if_unchanged`, for an edit that must not be lost quietly: ContentError (naming the
    file) when someone changed it meanwhile."""
    if not replace_if_unchanged(path, expected, text, inside=inside):
        raise ContentError(CHANGED, path)


def create_all(files: list[tuple[Path, str]], *, inside: Path | None = None) -> None:
    """Create every file or none: each text goes to a synced temp file first, then each temp
    file is linked to its name (never replacing one that exists). On any failure the files
    and folders this call made are removed again, and the error is raised."""
    temps: list[str] = []
    made: list[Path] = []
    folders: list[Path] = []
    path = files[0][0] if files else Path()
    try:
        for path, text in files:
            check_write_target(path, inside)
            missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.extend(missing)
            temps.append(_temp_copy(path, text))
        for (path, _), tmp in zip(files, temps, strict=True):
            _link_new(tmp, path)
            made.append(path)
    except BaseException as exc:
        for path in made:
            path.unlink(missing_ok=True)
        for tmp in temps:
            _discard(tmp)
        for folder in folders:  # deepest first, as they were listed
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(exc, OSError):
            raise ContentError(f"cannot write: {exc.strerror or exc}; nothing was written", path) from None
        raise
    for tmp in temps:
        _discard(tmp)


_OUR_TEMP = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")  # tempfile.mkstemp(prefix=".NAME.", suffix=".tmp")
STALE_TEMP_SECONDS = 15 * 60


def remove_stale_temps(folder: Path) -> None:
    """Delete temp files a killed run of ours left in `folder`: our name pattern, a regular
    file we own, untouched for STALE_TEMP_SECONDS (a running writer's is seconds old)."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not _OUR_TEMP.fullmatch(entry.name):
            continue
        with contextlib.suppress(OSError):
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid() and st.st_mtime < cutoff:
                os.unlink(entry.path)


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _temp_copy(path: Path, text: Content, sync: bool = True) -> str:
    """A synced temp file beside `path` holding `text`, with `path`'s mode (or the umask's)."""
    import tempfile  # only commands that write need it

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:  # text as UTF-8 bytes, newlines as they are
            if callable(text):
                text(handle)
            else:
                handle.write(text.encode("utf-8") if isinstance(text, str) else text)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
    except BaseException:
        _discard(tmp)
        raise
    return tmp


def _link_new(tmp: str, path: Path) -> None:
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise ContentError("file exists; refusing to overwrite it", path) from None


def _discard(tmp: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
