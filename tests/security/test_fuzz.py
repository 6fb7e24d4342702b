"""Hostile text from the pieces the attack classes use, parsed and linted: never an exception,
never slow. A short run by default; a long one with TICKETGEN_FUZZ_EXAMPLES (docs/security.md)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.lint.conftest import default_lint_context

EXAMPLES = int(os.environ.get("TICKETGEN_FUZZ_EXAMPLES", "100"))  # a long fuzz: 20000 or more

_PIECES = [
    *" *`<[]():-#>\\\t\n\r",
    "\r\n",
    "**",
    "__",
    "**Status:** ",
    "**Priority**: ",
    "## TICKET-001: ",
    "### Action Items\n",
    "- [ ] ",
    "---\n",
    "&a [x, y]\n",
    "*a\n",
    "<<: *a\n",
    "2026-02-30",
    "7" * 40,
    "\x1b[2J",
    "\u0661",
    "\u202e",
    "<http:",
    "](",
    "TICKET-002",
    "<!-- ticketgen-disable TG001 -->",
]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=300).map("".join)
_RUN = st.tuples(st.sampled_from(_PIECES[:8]), st.integers(1, 20_000)).map(lambda p: p[0] * p[1])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(head=_TEXT, run=_RUN, tail=_TEXT)
def test_hostile_text_lints_without_error_in_bounded_time(head: str, run: str, tail: str):
    from ticketgen.core.project import SourceFile
    from ticketgen.lint.engine import lint_source

    text = "---\n" + head + "\n---\n## TICKET-001: " + head + run + tail + "\n**Status:** " + run + tail + "\n"
    start = time.perf_counter()
    project, ctx, rules = default_lint_context()
    source = SourceFile(Path("/nonexistent/x.md"), Path("tickets/x.md"), text.encode("utf-8"))
    result = lint_source(project, source, ctx, rules)
    assert time.perf_counter() - start < 3.0  # "under a second", with slack for a loaded machine
    assert all(f.line >= 1 for f in result.findings)
