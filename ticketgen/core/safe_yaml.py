"""YAML from untrusted files (ticket frontmatter), read in bounded time and memory.

PyYAML's safe loader still expands aliases (a 537-byte alias chain becomes gigabytes),
recurses once per nesting level, and lets values Python cannot hold (`2026-02-30`, an
integer of 100,000 digits) escape as ValueError. `load` refuses the first two and reports
the third, each as a `yaml.MarkedYAMLError` naming the line, like any other YAML error.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from .validate import text_problem

MAX_CHARS = 64 * 1024  # frontmatter is a few keys: anything larger is refused, not parsed
MAX_DEPTH = 32  # nesting levels (mappings and lists inside each other)


class StrictLoader(yaml.SafeLoader):
    """A SafeLoader without aliases and with bounded nesting; bad scalars are YAML errors."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise ComposerError(None, None, "aliases (*name) are not allowed; write the value out", mark)
        if self._depth >= MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            value = super().construct_object(node, deep)
            problem = text_problem(value) if isinstance(value, str) else None  # `"\ud800"`: no output can carry it
            if problem:
                raise ConstructorError(None, None, f"{node.value[:60]!r} {problem}", node.start_mark)
            return value
        except (ValueError, OverflowError) as exc:  # `2026-02-30`, too many digits...
            reason = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            shown = node.value[:60] if isinstance(node, yaml.ScalarNode) else node.tag
            raise ConstructorError(None, None, f"{shown!r} is not a usable value ({reason})", node.start_mark) from None


def load(text: str) -> Any:
    """The document in `text`; any problem is a `yaml.YAMLError` with a `problem_mark`."""
    if len(text) > MAX_CHARS:
        raise yaml.YAMLError(f"it is {len(text):,} characters long, over the {MAX_CHARS:,}-character limit")
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
