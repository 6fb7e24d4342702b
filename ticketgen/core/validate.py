"""What a ticket may hold, judged once for lint and for every renderer.

Whatever lint lets through, `list`, `show`, `render` and the site must handle: so the checks
that decide it (an ID's digits, a link's local target, a value's characters) live here, and
both sides call them. A check that only lint made is how a lint-green ticket breaks a build.
"""

from __future__ import annotations

import os
import re
from urllib.parse import unquote, urlsplit

MAX_ID_DIGITS = 18  # more is no ID (Python refuses to read 4,300 digits as a number; nobody writes 19)
# The digits of an ID: ASCII only (`\d` takes `٠٠١` too), bounded, not followed by a further digit.
ID_NUMBER = rf"([0-9]{{1,{MAX_ID_DIGITS}}})(?![0-9])"
ID_DIGITS = re.compile(rf"[0-9]{{1,{MAX_ID_DIGITS}}}")

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why `value` cannot be written to a file, a page or a terminal, or None. A lone
    surrogate (`"\\ud800"` in YAML) is a str Python holds but no UTF-8 output can carry."""
    m = _SURROGATE.search(value)
    return None if m is None else f"holds a lone surrogate (\\u{ord(m.group()):04x}), which no UTF-8 file can hold"


def local_target(url: str) -> str | None:
    """The repository path a relative link points to (`../docs/guide.md`, `my%20notes.md` ->
    `my notes.md`), decoded once as a browser would, or None for any other link."""
    parts = urlsplit(url.strip())
    if parts.scheme or parts.netloc or url.strip().startswith(("#", "/")) or not parts.path:
        return None
    return unquote(parts.path)


def target_problem(path: str) -> str | None:
    """Why a decoded local link target can name no file (`%00`, a name over the system's
    limits, a drive-letter `C:` prefix), or None if it could."""
    if "\0" in path:
        return "points to an impossible path (it holds a NUL byte, %00)"
    if ":" in path.split("/")[0]:
        return "points to a file that does not exist"
    if len(os.fsencode(path)) > 4096 or any(len(os.fsencode(part)) > 255 for part in path.split("/")):
        return "points to an impossible path (a name longer than any file system allows)"
    return None


MAX_PAGE_CHARS = 1024 * 1024  # a hand-written docs page larger than this is not rendered
MAX_BRACKETS_PER_BLOCK = 2000  # `[` in one block (text between blank lines) of such a page


def markdown_page_problem(text: str) -> str | None:
    """Why a hand-written docs page must not go to Python-Markdown (which mkdocs uses for
    them), or None. Its link parser is quadratic in the `[` of one block: 2,000 take about
    3 s, 20,000 about a minute; so a page over either bound is reported, not rendered."""
    if len(text) > MAX_PAGE_CHARS:
        return f"it is {len(text):,} characters long, over the {MAX_PAGE_CHARS:,}-character bound"
    if text.count("[") <= MAX_BRACKETS_PER_BLOCK:
        return None
    count, line_no, start = 0, 0, 1
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            count, start = 0, line_no + 1
            continue
        count += line.count("[")
        if count > MAX_BRACKETS_PER_BLOCK:
            return (
                f"the block starting at line {start} holds over {MAX_BRACKETS_PER_BLOCK:,} `[`, "
                "which Python-Markdown cannot parse in reasonable time"
            )
    return None
