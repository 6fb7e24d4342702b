"""What a rule is, and the one table the rule modules register into. Every rule has a stable
code, a name, a one-line summary, a default severity and its docs (why, a failing and a
passing example, how to fix). `ticketgen rules`, the docs pages and the SARIF rule list all
read this one table, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .model import Hit

# What a rule looks at: one ticket, one document (a file), or the whole project (cross-file).
SCOPES = ("ticket", "document", "project")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    severity: str
    scope: str
    why: str
    bad: str
    good: str
    how_to_fix: str
    fixable: bool = False
    check: Callable[..., Iterable[Hit]] | None = None  # None: the engine computes it (cross-file)

    def explain(self) -> str:
        """The Markdown page for this rule: `ticketgen rules CODE` and docs/rules/CODE.md."""
        fix_note = " Fixable with `ticketgen lint --fix`." if self.fixable else ""
        return (
            f"# {self.code}: {self.name}\n\n"
            f"{self.summary}\n\n"
            f"Default severity: **{self.severity}**.{fix_note}\n\n"
            f"## Why\n\n{self.why}\n\n"
            f"## Failing example\n\n{_fence(self.bad)}\n\n"
            f"## Passing example\n\n{_fence(self.good)}\n\n"
            f"## How to fix\n\n{self.how_to_fix}\n"
        )


def _fence(text: str) -> str:
    fence = "````" if "```" in text else "```"
    return f"{fence}markdown\n{text.rstrip()}\n{fence}"


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: str, summary: str, **docs: Any) -> Callable[[Callable], Callable]:
    """Register the decorated check function as rule `code`."""

    def register(check: Callable[..., Iterable[Hit]]) -> Callable[..., Iterable[Hit]]:
        add(Rule(code, name, summary, severity, check=check, **docs))
        return check

    return register


def add(new: Rule) -> None:
    if new.code in RULES:
        raise ValueError(f"rule {new.code} registered twice")
    RULES[new.code] = new


# A complete, clean ticket for the default template; rule examples are variations of it.
EXAMPLE = """\
## TICKET-001: Login fails after a password reset

**Status:** Open
**Priority:** High
**Discovered:** 2026-01-06
**Component:** auth service

### Problem Statement

Users who reset their password cannot log in until the session cache expires.

### Action Items

- [ ] Invalidate the session cache on password reset
"""


def example(old: str, new: str, base: str = EXAMPLE) -> str:
    """The example ticket with one change (the change must apply: docs examples are tested)."""
    if old not in base:
        raise ValueError(f"example text {old!r} not found")
    return base.replace(old, new, 1)
