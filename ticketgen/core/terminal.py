"""Terminal text: the terminal door of `core/sanitize.py`, under the name most writers import.

`printable` is `sanitize.terminal`; `CONTROL` the characters no name or one-line value may hold.
"""

from __future__ import annotations

from .sanitize import CONTROL
from .sanitize import terminal as printable

__all__ = ["CONTROL", "printable"]
