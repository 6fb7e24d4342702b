"""`ticketgen render --out DIR`: the site's generated pages and assets as files on disk, for
any site generator that reads Markdown with raw HTML (mkdocs, Zensical...).

DIR is ticketgen's: a marker file lists what it wrote, so a re-run replaces those files and
removes stale ones; a folder with anything else in it is refused unless forced, and never one
that holds the project's own sources.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.errors import ContentError
from ..core.io import read_source, write_atomic
from .pages import Page

MARKER = ".ticketgen-render"


def page_markdown(page: Page) -> str:
    """A page as a Markdown file: frontmatter (each value in JSON syntax, which YAML reads),
    then its HTML as one raw block, which Markdown engines pass through untouched."""
    meta = {"title": page.title, **{k: v for k, v in page.meta.items() if k != "title"}}
    front = "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in meta.items())
    return f'---\n{front}---\n\n<div class="tg-page">\n{page.html}\n</div>\n'


def write_site(pages: list[Page], assets: dict[str, bytes], out: Path, *, force: bool = False) -> list[Path]:
    """Write every page and asset under `out`; return the paths written. A folder that cannot
    be read or written is a ContentError (`cannot write`), as for every other writing command."""
    try:
        return _write_site(pages, assets, out, force)
    except OSError as exc:
        raise ContentError(f"cannot write: {exc.strerror or exc}", exc.filename or out) from None


def _write_site(pages: list[Page], assets: dict[str, bytes], out: Path, force: bool) -> list[Path]:
    marker = out / MARKER
    previous: set[str] = set()
    if marker.is_file() and not marker.is_symlink():
        previous = {line for line in read_source(marker).text.splitlines() if line}
    elif out.exists() and not out.is_dir():
        raise ContentError("exists and is not a folder", out)
    elif out.is_dir() and any(out.iterdir()) and not force:
        raise ContentError(
            "folder is not empty and was not written by `ticketgen render`; "
            "choose an empty or new folder, or pass --force to write into it anyway",
            out,
        )
    outputs: dict[str, bytes | str] = {p.src_uri: page_markdown(p) for p in pages}
    outputs.update(assets)
    real = out.resolve()
    written = []
    for rel, data in sorted(outputs.items()):
        target = out / rel
        if not target.resolve().is_relative_to(real) or (target.exists() and rel not in previous and not force):
            raise ContentError("refusing to replace a file `ticketgen render` did not write", target)
        write_atomic(target, data)
        written.append(target)
    for stale in sorted(previous - set(outputs)):
        path = out / stale
        if path.is_file() and not path.is_symlink() and path.resolve().is_relative_to(real):
            path.unlink()
    write_atomic(marker, "".join(f"{rel}\n" for rel in sorted(outputs)))
    return written
