"""--fix edits only the spans it means to (BOM, CRLF and every other byte stay), --diff writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLES, run_cli
from tests.lint.conftest import default_lint_context, lint_json, make_project
from ticketgen.lint.fixes import apply_edits
from ticketgen.lint.model import Edit
from ticketgen.lint.rule import EXAMPLE, example


def test_fix_rewrites_only_the_mechanical_findings(examples_project: Path):
    notes = examples_project / "platform-notes.md"
    before = notes.read_bytes()
    result = run_cli("lint", "--fix", cwd=examples_project)
    assert result.exit_code == 1  # the errors that need a human remain
    after = notes.read_bytes()
    expected = (
        before.replace(b"* [ ] Raise", b"- [ ] Raise")
        .replace(b"* [X] Document", b"- [x] Document")
        .replace(b"**Status:** resolved", b"**Status:** Resolved")
        .replace(b"**Priority:** medium", b"**Priority:** Medium")
    )
    assert after == expected
    _, findings = lint_json(examples_project)
    assert not [f for f in findings if f["code"] in ("TG014", "TG033", "TG034")]
    assert "Fixed 1 file." in result.stderr


def test_fix_keeps_bom_and_crlf(tmp_path: Path):
    text = "\ufeff" + EXAMPLE.replace("**Priority:** High", "**Priority:** high").replace("- [ ]", "* [ ]")
    text = text.replace("\n", "\r\n").replace("expires.\r\n\r\n### Action", "expires.\r\n### Action")
    root = make_project(tmp_path, {})
    path = root / "tickets" / "TICKET-001-x.md"
    path.write_bytes(text.encode("utf-8"))
    assert run_cli("lint", "--fix", cwd=root).exit_code == 0
    expected = (
        text.replace("**Priority:** high", "**Priority:** High")
        .replace("* [ ]", "- [ ]")
        .replace("expires.\r\n### Action", "expires.\r\n\r\n### Action")
    )
    assert path.read_bytes() == expected.encode("utf-8")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_fix_of_the_crlf_example_file_keeps_its_bytes(examples_project: Path):
    crlf = examples_project / "tickets" / "INC-013-crlf-and-mismatch.md"
    before = crlf.read_bytes()
    run_cli("lint", "--fix", cwd=examples_project)
    assert crlf.read_bytes() == before  # nothing fixable there: not a byte changes


def test_diff_shows_the_change_and_writes_nothing(tmp_path: Path):
    root = make_project(tmp_path, {"tickets/TICKET-001-x.md": EXAMPLE.replace("- [ ]", "* [ ]")})
    path = root / "tickets" / "TICKET-001-x.md"
    before = path.read_bytes()
    result = run_cli("lint", "--diff", cwd=root)
    assert result.exit_code == 1
    assert path.read_bytes() == before
    assert "--- a/tickets/TICKET-001-x.md\n+++ b/tickets/TICKET-001-x.md\n" in result.stdout
    assert "\n-* [ ] Invalidate the session cache on password reset\n+- [ ] Invalidate" in result.stdout
    clean = make_project(tmp_path / "clean", {"tickets/TICKET-001-x.md": EXAMPLE})
    assert run_cli("lint", "--diff", cwd=clean).exit_code == 0


def test_fix_and_diff_together_is_a_usage_error(tmp_path: Path):
    root = make_project(tmp_path, {"tickets/TICKET-001-x.md": EXAMPLE})
    assert run_cli("lint", "--fix", "--diff", cwd=root).exit_code == 2


def test_fix_leaves_no_temp_files(examples_project: Path):
    shutil.rmtree(examples_project / "tickets")
    run_cli("lint", "--fix", cwd=examples_project)
    assert sorted(p.name for p in examples_project.iterdir()) == [
        "platform-notes.md",
        "ticketgen.toml",
    ]
    assert EXAMPLES.is_dir()


_noise = st.text(alphabet=st.sampled_from(list("ab *+-[]Xx\r\n\t#>\ufeff")), max_size=40)


@settings(max_examples=150, deadline=None)
@given(prefix=_noise, middle=_noise, suffix=_noise, ending=st.sampled_from(["\n", "\r\n"]))
def test_fixing_never_changes_bytes_outside_the_fixed_spans(prefix: str, middle: str, suffix: str, ending: str):
    """Lint a ticket surrounded by arbitrary text; the fixed text differs only inside edit spans."""
    from ticketgen.core.project import SourceFile
    from ticketgen.lint.engine import lint_source

    body = EXAMPLE.replace("**Priority:** High", "**Priority:** hIGH").replace("- [ ]", "* [X]")
    text = (prefix + ending + body.replace("\n", ending) + middle + ending + "* item" + ending + suffix).lstrip(
        "\ufeff"
    )
    project, ctx, rules = default_lint_context()
    result = lint_source(project, SourceFile(Path("/nonexistent/x.md"), Path("x.md"), text.encode("utf-8")), ctx, rules)
    edits = [e for f in result.findings for e in f.edits]
    fixed = apply_edits(text, edits)
    kept = sorted(set(edits), key=lambda e: (e.start, e.end))
    # Walk the untouched gaps: each must appear in the output unchanged, in order.
    pos_in, pos_out = 0, 0
    for e in kept:
        if e.start < pos_in:
            continue
        gap = text[pos_in : e.start]
        assert fixed[pos_out : pos_out + len(gap)] == gap
        pos_out += len(gap) + len(e.replacement)
        pos_in = e.end
    assert fixed[pos_out:] == text[pos_in:]
    if result.ids:  # the surrounding noise may turn the ticket into frontmatter or code; else it is linted
        assert edits, "the ticket's hIGH and * [X] must produce fixes"


def test_apply_edits_skips_overlaps():
    assert apply_edits("abcdef", [Edit(1, 3, "X"), Edit(2, 4, "Y"), Edit(5, 5, "!")]) == "aXde!f"


def test_a_file_edited_after_lint_is_never_fixed_with_stale_offsets(tmp_path: Path):
    from ticketgen.core.project import Project
    from ticketgen.lint.engine import LintOptions, run_lint
    from ticketgen.lint.fixes import planned

    root = make_project(tmp_path, {"tickets/TICKET-001-x.md": EXAMPLE.replace("- [ ]", "* [ ]")})
    run = run_lint(Project.discover(root, use_cache=False), None, LintOptions())
    path = root / "tickets" / "TICKET-001-x.md"
    edited = "<!-- a line added by someone else -->\n" + path.read_text()
    path.write_text(edited)
    changes, refused = planned(run, 10**6)
    assert not changes
    assert [str(e) for e in refused] == ["tickets/TICKET-001-x.md: changed while fixing; rerun"]
    assert path.read_text() == edited


def test_fix_leaves_raw_html_and_quoted_headings_as_written(tmp_path: Path):
    # A `* ` line inside a raw HTML block is no list item, and a heading inside a quote is
    # quoted text, not a section: --fix must not touch either (a blank line inserted inside
    # the quote would split it in two). The real `*` bullet is still fixed.
    extra = (
        "<details>\n* html block line\n</details>\n\n"
        "> quoted\n> ### Quoted heading\n> - [ ] quoted task\n\n"
        "* a real bullet\n"
    )
    text = example("expires.\n", "expires.\n\n" + extra)
    root = make_project(tmp_path, {})
    path = root / "tickets" / "TICKET-001-x.md"
    path.write_text(text)
    run_cli("lint", "--fix", cwd=root)
    assert path.read_text() == text.replace("* a real bullet", "- a real bullet")
    _, findings = lint_json(root)
    assert not [f for f in findings if f["code"] in ("TG034", "TG035", "TG025")], findings
