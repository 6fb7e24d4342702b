"""The one YAML reader for untrusted YAML (ticket and runbook frontmatter, Kubernetes manifests,
runbooks/resources.yaml), read in bounded time and memory and checked against a declared shape.

PyYAML's safe loader still expands aliases (a 537-byte alias chain becomes gigabytes), recurses
once per nesting level, accepts any tag its constructors know, and lets values Python cannot
hold (`2026-02-30`, an integer of 100,000 digits) escape as ValueError. `StrictLoader` refuses
aliases, nesting deeper than MAX_DEPTH and tags other than the plain ones, and reports bad
values, each as a `yaml.MarkedYAMLError` naming the line, like any other YAML error. Callers turn
those into their own `path:line:` errors or warnings; nothing here raises anything else.

A shape (`Shape`, a mapping of key -> `Expect`) declares the type each known key must have:
`load_checked` leaves out a key whose value does not fit and says so, with the key's line, so
a wrong type is a warning at its line, never a traceback further on (in mkdocs, say).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from .validate import text_problem

MAX_CHARS = 64 * 1024  # frontmatter is a few keys: anything larger is refused, not parsed
MAX_DEPTH = 32  # nesting levels (mappings and lists inside each other)
_YAML_TAG = "tag:yaml.org,2002:"
# What plain YAML resolves to without an explicit tag (and `<<` merges of a mapping written out).
PLAIN_TAGS = frozenset(
    _YAML_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")
)


class StrictLoader(yaml.SafeLoader):
    """A SafeLoader without aliases, with bounded nesting and plain tags only; bad scalars are
    YAML errors."""

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
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is not None and node.tag not in PLAIN_TAGS:
            raise ComposerError(None, None, f"YAML tag {node.tag[:80]!r} is not read", node.start_mark)
        return node

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


@dataclass(frozen=True)
class Expect:
    """The type a value must have: `accepts` tells, `describe` says it in the warning."""

    describe: str
    accepts: Callable[[Any], bool]


Shape = Mapping[str, Expect]


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


TEXT = Expect("a string", lambda v: isinstance(v, str))
TEXTS = Expect("a list of strings", _strings)
TEXT_OR_TEXTS = Expect("a string or a list of strings", lambda v: isinstance(v, str) or _strings(v))
SCALARS = Expect(
    "a value or a list of values",
    lambda v: not isinstance(v, dict) and (not isinstance(v, list) or not any(isinstance(i, (dict, list)) for i in v)),
)


def _what(value: Any) -> str:
    """The YAML kind of `value`, for messages (never the value itself: it may be huge)."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (dt.date, dt.datetime)):
        return "a date"
    if value is None:
        return "nothing"
    return "a string" if isinstance(value, str) else type(value).__name__


def _check_size(text: str, max_chars: int | None) -> None:
    if max_chars is not None and len(text) > max_chars:
        raise yaml.YAMLError(f"it is {len(text):,} characters long, over the {max_chars:,}-character limit")


def load(text: str, max_chars: int | None = MAX_CHARS) -> Any:
    """The document in `text`; any problem is a `yaml.YAMLError` (with a `problem_mark` when it
    has a place)."""
    return load_checked(text, None, max_chars)[0]


def load_checked(
    text: str, shape: Shape | None, max_chars: int | None = MAX_CHARS
) -> tuple[Any, list[tuple[int, str]]]:
    """The document in `text` and, when it is a mapping, (line, message) for each key whose value
    does not fit `shape` (such keys are left out) or that is not a string. Lines count from 1 at
    the first line of `text`. YAML problems raise `yaml.YAMLError` as `load` does."""
    _check_size(text, max_chars)
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    if shape is None or not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return data, []
    lines: dict[Any, int] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            lines.setdefault(key_node.value, key_node.start_mark.line + 1)
    problems = []
    for key in list(data):
        if not isinstance(key, str):
            problems.append((lines.get(str(key), 1), f"key {str(key)[:60]!r} is not a string; left out"))
            del data[key]
        elif key in shape and not shape[key].accepts(data[key]):
            expect = shape[key]
            problems.append((lines.get(key, 1), f"`{key}` must be {expect.describe}, not {_what(data[key])}; left out"))
            del data[key]
    return data, problems


def compose(text: str, max_chars: int | None = None) -> yaml.Node | None:
    """The node tree of the one document in `text` (nodes keep their lines), under the same
    bounds as `load`: for files read by their structure (resources.yaml)."""
    _check_size(text, max_chars)
    loader = StrictLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def compose_all(text: str, max_chars: int | None = None) -> Iterator[yaml.Node]:
    """The node tree of each document in `text` (Kubernetes manifests), under the same bounds."""
    _check_size(text, max_chars)
    loader = StrictLoader(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()
