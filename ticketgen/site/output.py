"""`ticketgen render --out DIR`: the site's generated pages and assets as files on disk.

DIR is ticketgen's: a marker file lists what it wrote, so a re-run replaces those files
and removes stale ones, and a folder with anything else in it is refused unless forced.
"""

from __future__ import annotations

from pathlib import Path

from ..core.errors import ContentError
from ..core.io import write_atomic
from .content import SiteContent

MARKER = ".ticketgen-render"


def write_site(content: SiteContent, assets: dict[str, bytes], out: Path, *, force: bool = False) -> list[Path]:
    """Write every page and asset under `out`; return the paths written. A folder that cannot
    be read or written is a ContentError (`cannot write`), as for every other writing command."""
    try:
        return _write_site(content, assets, out, force)
    except OSError as exc:
        raise ContentError(f"cannot write: {exc.strerror or exc}", exc.filename or out) from None


def _write_site(content: SiteContent, assets: dict[str, bytes], out: Path, force: bool) -> list[Path]:
    marker = out / MARKER
    previous: set[str] = set()
    if marker.is_file():
        previous = {line for line in marker.read_text(encoding="utf-8").splitlines() if line}
    elif out.exists() and not out.is_dir():
        raise ContentError("exists and is not a folder", out)
    elif out.is_dir() and any(out.iterdir()) and not force:
        raise ContentError(
            "folder is not empty and was not written by `ticketgen render`; "
            "choose an empty or new folder, or pass --force to write into it anyway",
            out,
        )
    outputs: dict[str, bytes | str] = {p.src_uri: p.markdown for p in content.pages}
    outputs.update(assets)
    written = []
    for rel, data in sorted(outputs.items()):
        target = out / rel
        write_atomic(target, data)
        written.append(target)
    for stale in sorted(previous - set(outputs)):
        path = out / stale
        if path.is_file() and out.resolve() in path.resolve().parents:
            path.unlink()
    write_atomic(marker, "".join(f"{rel}\n" for rel in sorted(outputs)))
    return written
