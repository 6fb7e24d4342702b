"""The one place untrusted text (titles, messages, file names, field values, cluster output) is
made safe for the place it is written to: one function per output kind.

- `terminal`: a terminal runs escape sequences; an ESC in a ticket title could recolour,
  retitle or rewrite the reader's screen, a lone CR hide a line, a bidi override reorder it.
- `markdown_code`: a Markdown document another program renders (the GitHub step summary); a
  field value must not become a live link, a remote image or HTML there.
- `shell`: text pasted into a shell; invisible characters (bidi overrides, zero-width
  characters) make a command read differently from what runs (the "Trojan Source" trick).
- `url_path`: a repository path put into a URL and an HTML attribute (the edit link), which a
  file name with a quote or `<` must not break out of.

HTML from ticket text has its own door, the allowlist in `ticketgen/site/html.py`.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

_BIDI = "\u202a-\u202e\u2066-\u2069"
# Characters no name or one-line value may hold: C0 and C1 controls (tab, CR and LF included),
# DEL, line/paragraph separators and bidi controls (embeddings, overrides, isolates).
CONTROL = re.compile(rf"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
# The same, tab kept, for one line on a terminal.
_IN_LINE = re.compile(rf"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
# The same for multi-line text, where line feeds (and CRLF) stay line breaks.
_IN_TEXT = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]|\r(?!\n)")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(char: str) -> str:
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _shown(m: re.Match[str]) -> str:
    return _escape(m.group())


def terminal(text: str, *, multiline: bool = False) -> str:
    """`text` with every control character written as an escape (`\\x1b`, `\\r`, `\\u202e`).
    A single line (the default) also shows its line breaks as `\\n`/`\\r`; `multiline` keeps
    LF and CRLF line breaks and tabs (for a diff or a whole ticket)."""
    return (_IN_TEXT if multiline else _IN_LINE).sub(_shown, text)


def markdown_code(text: str) -> str:
    """`text` as one GFM code span, safe in a table cell: nothing in it is a link, an image,
    HTML, an entity or a mention, whatever it holds. Controls are shown as escapes."""
    text = terminal(text).replace("|", "\\|")  # GFM splits cells before code spans; `\|` is kept as `|`
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""  # the renderer strips one space each side
    return f"{fence}{pad}{text}{pad}{fence}"


def _invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return category in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn") and char not in "\t\n"


_SHELL_SHOWN = re.compile(r"[^\t\n\x20-\x7e]")


def shell(text: str) -> str:
    """Text for a shell script or a runbook's shell block: every control, format (bidi,
    zero-width), private-use or unassigned character is written as `\\uXXXX`, so what a
    reader sees is what the shell runs. Tabs and line feeds stay."""
    return _SHELL_SHOWN.sub(lambda m: _shown(m) if _invisible(m.group()) else m.group(), text)


def shell_problem(text: str) -> str | None:
    """Why `text` cannot go into a shell command as written (the first hidden character it
    holds, shown as an escape), or None: for writers that refuse rather than show."""
    for char in _SHELL_SHOWN.findall(text):
        if _invisible(char):
            return f"holds the invisible character {_escape(char)}"
    return None


def url_path(path: str) -> str:
    """A POSIX repository path as a URL path: every byte but unreserved characters and `/`
    percent-encoded, so a file name with `"`, `'`, `<`, `#`, `?` or a space stays one path in
    the URL and in the HTML attribute that holds it."""
    return quote(path, safe="/")
