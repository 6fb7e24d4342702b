"""Untrusted text (titles, messages, file names, cluster output) on its way to a terminal.

An escape sequence in a ticket title must be shown, not run: printed raw it can recolour,
retitle or rewrite the reader's terminal, and a lone carriage return can hide a line.
"""

from __future__ import annotations

import re

# Characters no name or one-line value may hold: C0 and C1 controls (tab, CR and LF included),
# DEL, line/paragraph separators and bidi overrides.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# The same, tab kept, for one line on a terminal.
_IN_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# The same for multi-line text, where line feeds (and CRLF) stay line breaks.
_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\r(?!\n)")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _shown(m: re.Match[str]) -> str:
    char = m.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str, *, multiline: bool = False) -> str:
    """`text` with every control character written as an escape (`\\x1b`, `\\r`, `\\u202e`).
    A single line (the default) also shows its line breaks as `\\n`/`\\r`; `multiline` keeps
    LF and CRLF line breaks and tabs."""
    return (_IN_TEXT if multiline else _IN_LINE).sub(_shown, text)
