"""Every rule, by group: importing the group modules registers their rules in the one table."""

from __future__ import annotations

from ..rule import RULES, Rule
from . import content, files, ids, style  # noqa: F401  (registers the rules)


def all_rules() -> dict[str, Rule]:
    """Every rule, sorted by code."""
    return dict(sorted(RULES.items()))
