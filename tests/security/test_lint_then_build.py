"""What lint accepts, the build renders: lint and the renderers share one validation of IDs,
link targets and text (`ticketgen/core/validate.py`), so a ticket lint passes without errors
renders without an exception. Hypothesis writes tickets from the pieces that once broke the
build after a green lint; each is linted and rendered in-process (the renderer mkdocs and
`ticketgen render` use, not a full mkdocs build per example)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import run_cli
from tests.security.conftest import make_project, ticket
from ticketgen.core.project import Project
from ticketgen.lint.engine import LintOptions, run_lint
from ticketgen.site.content import site_content
from ticketgen.site.options import load_options
from ticketgen.site.pages import SiteRenderer

EXAMPLES = int(os.environ.get("TICKETGEN_FUZZ_EXAMPLES", "40"))

_TEXT_PIECES = [
    *" `*_[]()<>!:\"'/\\&#|-",
    "\x1b[2J",
    "\x07",
    "\u202e",
    "\u2066",
    "\u200b",
    "\ufeff",
    "TICKET-" + "9" * 30,
    "TICKET-001",
    "[x](a%00b.md)",
    "[x](%00)",
    "[x](../%2e%2e/%00/y.md)",
    "[x](" + "a" * 300 + ".md)",
    "[x](C:/x.md)",
    "[x](%ED%A0%80.md)",
    "[x](other.md#frag%00)",
    "[x](javascript:alert(1))",
    "![i](https://example.org/i.png)",
    "[" * 50,
]
_YAML_VALUES = ['"\\ud800"', '"a\\udfffb"', '"\\x1b[31m"', '"\\u202e"', "x", "'[x](javascript:1)'", "9" * 40]
_TEXT = st.lists(st.sampled_from(_TEXT_PIECES), max_size=12).map("".join)
_NUMBER = st.one_of(st.integers(1, 999).map(lambda n: f"{n:03d}"), st.integers(15, 5000).map(lambda n: "9" * n))


@st.composite
def _tickets(draw) -> dict[str, str]:
    files = {}
    for n in range(draw(st.integers(1, 3))):
        number = draw(_NUMBER)
        frontmatter = ""
        if draw(st.booleans()):
            frontmatter = (
                f"owner: {draw(st.sampled_from(_YAML_VALUES))}\ntags: [{draw(st.sampled_from(_YAML_VALUES))}]\n"
            )
        text = ticket(
            title=draw(_TEXT) or "t", component=draw(_TEXT) or "c", body=draw(_TEXT), frontmatter=frontmatter
        ).replace("TICKET-001", f"TICKET-{number}", 1)
        files[f"tickets/TICKET-{n + 1:03d}-{draw(st.sampled_from(['a', 'b%00', 'q']))}.md"] = text
    return files


def _render_every_page(root: Path) -> int:
    project = Project.discover(root, use_cache=False)  # Project is frozen: the choice is made at start
    renderer = SiteRenderer(project, load_options(project.config, project.schema), source_links=True)
    pages = [renderer.page(spec) for spec in site_content(project, renderer).specs]
    for page in pages:
        page.html.encode("utf-8")  # what the writer does: a lone surrogate would fail here
        json.dumps(page.meta, ensure_ascii=False).encode("utf-8")
    return len(pages)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=_tickets())
def test_a_ticket_lint_passes_without_errors_renders(files: dict[str, str]):
    root = Path(tempfile.mkdtemp())
    try:
        make_project(root, files)
        project = Project.discover(root, use_cache=False)
        run = run_lint(project, None, LintOptions())
        if any(f.severity == "error" for f in run.findings):
            return
        assert _render_every_page(root) >= 2  # the tickets and the index, at least
    finally:
        shutil.rmtree(root)


def test_the_cases_that_broke_the_build_are_lint_errors_or_render(tmp_path: Path):
    """The three known ways: a 5,000-digit ID, a `%00` link, a lone surrogate in a field."""
    root = make_project(
        tmp_path,
        {
            "tickets/TICKET-001-a.md": ticket(body="see [x](a%00b.md) and [y](../%00)"),
            "tickets/TICKET-002-b.md": ticket(2, frontmatter='owner: "a\\ud800b"\n'),
            "tickets/TICKET-003-c.md": ticket(3).replace("TICKET-003", "TICKET-" + "9" * 5000),
        },
    )
    lint = run_cli("lint", "--format", "json", "--no-cache", cwd=root)
    assert lint.exit_code == 1, lint.output  # findings, not "internal error"
    found = {(f["code"], f["path"]) for f in json.loads(lint.stdout)["findings"]}
    assert ("TG040", "tickets/TICKET-001-a.md") in found  # the impossible link target
    assert ("TG002", "tickets/TICKET-002-b.md") in found  # the surrogate
    assert ("TG003", "tickets/TICKET-003-c.md") in found  # the ID with too many digits
    for args in (["list"], ["list", "--format", "json"], ["show", "2", "--format", "json"], ["show", "1"]):
        result = run_cli(*args, cwd=root)
        assert "internal error" not in result.output + result.stderr, args
    rendered = run_cli("render", "--out", str(tmp_path / "out"), cwd=root)
    assert rendered.exit_code == 0, rendered.output + rendered.stderr
    assert "impossible path" in rendered.stderr  # the build names the link it did not follow
