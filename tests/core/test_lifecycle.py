"""set / close / reopen / check / uncheck / edit: the life of a ticket from the command line,
changing only the bytes of the values that change."""

import datetime as dt
import difflib
import json
from pathlib import Path

import pytest

from tests.conftest import SEED, run_cli
from ticketgen.authoring.edit import open_ticket
from ticketgen.core.errors import ContentError
from ticketgen.core.io import rewrite
from ticketgen.core.project import Project

TODAY = dt.date.today().isoformat()


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(removed, added) line pairs: what `git diff` would show."""
    diff = list(difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)))
    return [(d[0], d[2:]) for d in diff if d[0] in "+-"]


def step(root: Path, path: Path, *args: str) -> tuple[list[tuple[str, str]], str]:
    before = path.read_bytes().decode()
    result = run_cli(*args, cwd=root)
    assert result.exit_code == 0, result.output + result.stderr
    return changed_lines(before, path.read_bytes().decode()), result.stdout


def test_the_life_of_a_ticket_in_its_own_file(seed_project: Path):
    created = run_cli("new", "--title", "Slow sync", "--priority", "High", "--component", "db", cwd=seed_project)
    path = seed_project / created.stdout.split(":")[0]
    diff, out = step(seed_project, path, "set", "1", "owner=alice")
    assert diff == [("+", "---\n"), ("+", "owner: alice\n"), ("+", "---\n")]
    assert out == "tickets/TICKET-001-slow-sync.md:2: TICKET-001 owner (frontmatter): (none) -> alice\n"
    diff, _ = step(seed_project, path, "set", "TICKET-1", "owner=bob", "tags=[postgres, on-call]", "Priority=critical")
    assert diff == [
        ("-", "owner: alice\n"),
        ("+", "owner: bob\n"),
        ("+", "tags: [postgres, on-call]\n"),
        ("-", "**Priority:** High\n"),
        ("+", "**Priority:** Critical\n"),
    ]
    diff, out = step(seed_project, path, "check", "1", "1")
    assert diff == [("-", "- [ ] Concrete next steps\n"), ("+", "- [x] Concrete next steps\n")]
    assert out.endswith("TICKET-001 [x] Concrete next steps\n")
    diff, _ = step(seed_project, path, "close", "1", "--note", "fixed in v2")
    assert diff == [("-", "**Status:** Open\n"), ("+", "**Status:** Resolved (fixed in v2)\n")]
    diff, _ = step(seed_project, path, "reopen", "1")
    assert diff == [("-", "**Status:** Resolved (fixed in v2)\n"), ("+", "**Status:** Open\n")]
    diff, _ = step(seed_project, path, "uncheck", "1", "concrete")
    assert diff == [("-", "- [x] Concrete next steps\n"), ("+", "- [ ] Concrete next steps\n")]
    listed = run_cli("list", "--owner", "BOB", "--tag", "on-call", "--format", "json", cwd=seed_project).stdout
    assert [t["id"] for t in json.loads(listed)] == ["TICKET-001"]


def test_the_life_of_a_ticket_in_a_multi_ticket_document(tmp_path: Path):
    second = "\n---\n\n## TICKET-002: Second\n\n**Status:** Open\n**Priority:** Low\n**Discovered:** 2026-01-07\n**Component:** db\n\n### Problem Statement\n\nIt breaks.\n\n### Action Items\n\n- [ ] First step\n- [ ] Second step\n"
    doc = tmp_path / "TICKETS.md"
    original = SEED.read_text() + second
    doc.write_text(original)
    (tmp_path / "ticketgen.toml").write_text('template = "TICKETS.md"\ndocuments = ["TICKETS.md"]\n')
    diff, out = step(tmp_path, doc, "set", "2", "owner=alice", "Priority=High")
    assert diff == [("-", "**Priority:** Low\n"), ("+", "**Priority:** High\n"), ("+", "**owner:** alice\n")]
    step(tmp_path, doc, "check", "2", "second")
    step(tmp_path, doc, "close", "2")
    after = doc.read_text()
    assert after.startswith(SEED.read_text())  # TICKET-001 and the rest of the document: untouched
    assert sorted(changed_lines(original, after)) == sorted(
        [
            ("-", "**Status:** Open\n"),
            ("+", "**Status:** Resolved\n"),
            ("-", "**Priority:** Low\n"),
            ("+", "**Priority:** High\n"),
            ("+", "**owner:** alice\n"),
            ("-", "- [ ] Second step\n"),
            ("+", "- [x] Second step\n"),
        ]
    )
    assert "**Status:** Resolved\n**Priority:** High" in after
    step(tmp_path, doc, "reopen", "2")
    record = json.loads(run_cli("show", "2", "--format", "json", cwd=tmp_path).stdout)
    assert (record["status"], record["priority"], record["fields"]["owner"]["value"]) == ("Open", "High", "alice")
    assert run_cli("list", "--owner", "alice", cwd=tmp_path).stdout.count("TICKET-") == 1


def test_edits_keep_crlf_a_bom_and_trailing_spaces(seed_project: Path):
    text = "\ufeff## TICKET-001: X\r\n\r\n**Status:** Open  \r\n**Priority:** Low  \r\n**Discovered:** 2026-01-06  \r\n**Component:** db\r\n\r\n### Problem Statement\r\n\r\nIt breaks.\r\n\r\n### Action Items\r\n\r\n* [ ] step\r\n"
    path = seed_project / "tickets" / "TICKET-001-x.md"
    path.write_bytes(text.encode())
    assert run_cli("close", "1", cwd=seed_project).exit_code == 0
    assert run_cli("check", "1", "step", cwd=seed_project).exit_code == 0
    assert run_cli("set", "1", "owner=alice", cwd=seed_project).exit_code == 0
    expected = "\ufeff---\r\nowner: alice\r\n---\r\n" + text[1:].replace("Open  ", "Resolved  ").replace(
        "* [ ]", "* [x]"
    )
    assert path.read_bytes() == expected.encode()


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["set", "1", "Priority=Urgent"], 1, "Priority must be one of: Low, Medium, High, Critical (got 'Urgent')"),
        (["set", "1", "Discovered=2026-02-30"], 1, "Discovered must be a date YYYY-MM-DD"),
        (["set", "1", "owner=a\rb"], 2, "control character"),
        (["set", "1", "Component=a\x1b[2Jb"], 2, "control character"),
        (["set", "1", "nonsense"], 2, "FIELD=VALUE"),
        (["check", "1", "9"], 1, "has 1 action item(s): 1. step"),
        (["check", "1", "nothing like it"], 1, "no action item of TICKET-001 match"),
        (["close", "1", "--note", "see (x)"], 2, "parentheses"),
        (["close", "404"], 1, "no ticket '404'"),
        (["edit", "1"], 2, "editing needs a terminal"),
    ],
)
def test_bad_edits_are_refused_and_the_file_kept(seed_project: Path, args, code, message):
    path = seed_project / "tickets" / "TICKET-001-x.md"
    path.write_text(
        "## TICKET-001: X\n\n**Status:** Open\n**Priority:** Low\n**Discovered:** 2026-01-06\n**Component:** db\n\n### Action Items\n\n- [ ] step\n"
    )
    before = path.read_bytes()
    result = run_cli(*args, cwd=seed_project)
    assert result.exit_code == code
    assert message in result.stderr and result.stderr.startswith("error: ")
    assert path.read_bytes() == before


def test_an_ambiguous_item_is_refused_with_the_numbered_list(seed_project: Path):
    path = seed_project / "tickets" / "TICKET-001-x.md"
    path.write_text("## TICKET-001: X\n\n**Status:** Open\n\n### Action Items\n\n- [ ] fix the db\n- [ ] test the db\n")
    result = run_cli("check", "1", "db", cwd=seed_project)
    assert result.exit_code == 1 and "2 action items of TICKET-001 match 'db'" in result.stderr
    assert "1. fix the db; 2. test the db" in result.stderr


def test_a_file_changed_underneath_is_not_overwritten(seed_project: Path):
    path = seed_project / "tickets" / "TICKET-001-x.md"
    path.write_text("## TICKET-001: X\n\n**Status:** Open\n")
    edit = open_ticket(Project.discover(seed_project), "1")
    edit.set_any("Status", "resolved")
    path.write_text("## TICKET-001: X\n\n**Status:** Open\n\nA line someone just wrote.\n")
    with pytest.raises(ContentError, match="changed while it was being edited"):
        edit.save()
    assert path.read_text().endswith("A line someone just wrote.\n")
    with pytest.raises(ContentError):
        rewrite(path, b"old", b"new")
    rewrite(path, path.read_bytes(), b"new")
    assert path.read_bytes() == b"new"


def test_close_fills_a_resolved_date_field_and_reopen_clears_it(tmp_path: Path):
    (tmp_path / "tickets").mkdir()
    (tmp_path / "tickets" / "_template.md").write_text(
        "## BUG-XXX: Title\n\n**State:** New | Doing | Closed\n**Found:** YYYY-MM-DD\n**Closed on:** YYYY-MM-DD\n\n### Notes\nText.\n"
    )
    created = run_cli("new", "--title", "x", cwd=tmp_path)
    path = tmp_path / created.stdout.split(":")[0]
    assert "**State:** New\n**Found:** " + TODAY + "\n**Closed on:** YYYY-MM-DD\n" in path.read_text()
    diff, _ = step(tmp_path, path, "close", "BUG-1")
    assert diff == [
        ("-", "**State:** New\n"),
        ("+", "**State:** Closed\n"),
        ("-", "**Closed on:** YYYY-MM-DD\n"),
        ("+", f"**Closed on:** {TODAY}\n"),
    ]
    assert run_cli("close", "1", cwd=tmp_path).stderr == "BUG-001: nothing to change\n"
    diff, _ = step(tmp_path, path, "reopen", "1")
    assert ("+", "**State:** New\n") in diff and ("+", "**Closed on:** YYYY-MM-DD\n") in diff


def test_set_replaces_a_block_frontmatter_value_only(seed_project: Path):
    path = seed_project / "tickets" / "TICKET-001-x.md"
    path.write_text("---\ntags:\n  - a\n  - b\nowner: x\n---\n## TICKET-001: X\n\n**Status:** Open\n")
    assert run_cli("set", "1", "tags=[c, 'yes', 12]", cwd=seed_project).exit_code == 0
    assert path.read_text() == '---\ntags: [c, "yes", "12"]\nowner: x\n---\n## TICKET-001: X\n\n**Status:** Open\n'
    record = json.loads(run_cli("show", "1", "--format", "json", cwd=seed_project).stdout)
    assert record["frontmatter"] == {"tags": ["c", "yes", "12"], "owner": "x"}


def test_edit_opens_the_editor_at_the_ticket_line_then_lints(tmp_path: Path):
    import os
    import subprocess
    import sys

    doc = tmp_path / "TICKETS.md"
    doc.write_text(
        SEED.read_text()
        + "\n## TICKET-002: Second\n\n**Status:** Open\n**Priority:** Low\n**Discovered:** 2026-01-07\n**Component:** db\n\n### Problem Statement\n\nIt breaks.\n\n### Action Items\n\n- [ ] step\n"
    )
    (tmp_path / "ticketgen.toml").write_text('template = "TICKETS.md"\ndocuments = ["TICKETS.md"]\n')
    editor = tmp_path / "vi"  # named like an editor that takes +LINE
    editor.write_text(
        f"#!{sys.executable}\nimport sys, pathlib\nline, path = sys.argv[1:]\npathlib.Path('{tmp_path}/args').write_text(line)\np = pathlib.Path(path)\np.write_text(p.read_text().replace('**Priority:** Low', '**Priority:** Lo'))\n"
    )
    editor.chmod(0o755)
    primary, secondary = os.openpty()
    proc = subprocess.run(
        [sys.executable, "-m", "ticketgen", "-C", str(tmp_path), "edit", "2"],
        stdin=secondary,
        stdout=secondary,
        stderr=subprocess.PIPE,
        env={**os.environ, "EDITOR": str(editor)},
        timeout=60,
    )
    os.close(secondary)
    output = os.read(primary, 65536).decode()
    os.close(primary)
    assert (tmp_path / "args").read_text() == "+136"  # TICKET-002's heading
    assert proc.returncode == 1  # the lint after the edit found the broken choice
    assert "TICKETS.md:139:15: TG013" in output


def test_set_takes_a_qualified_choice_and_keeps_a_frontmatter_copy_in_step(seed_project: Path):
    path = seed_project / "tickets" / "TICKET-001-x.md"
    path.write_text("---\nstatus: open\n---\n## TICKET-001: X\n\n**Status:** Open\n**Priority:** Low\n")
    result = run_cli("set", "1", "status=in progress (waiting on upstream)", cwd=seed_project)
    assert result.exit_code == 0, result.stderr
    assert path.read_text() == (
        "---\nstatus: In Progress\n---\n## TICKET-001: X\n\n**Status:** In Progress (waiting on upstream)\n**Priority:** Low\n"
    )
    record = json.loads(run_cli("show", "1", "--format", "json", cwd=seed_project).stdout)
    assert (record["status"], record["status_note"]) == ("In Progress", "waiting on upstream")
    lint = json.loads(run_cli("lint", "--format", "json", "--no-cache", cwd=seed_project).stdout)["findings"]
    assert "TG018" not in {f["code"] for f in lint}


def test_new_into_a_document_then_its_whole_life_there(tmp_path: Path):
    doc = tmp_path / "TICKETS.md"
    seed = SEED.read_text()
    doc.write_text(seed)
    (tmp_path / "ticketgen.toml").write_text('template = "TICKETS.md"\ndocuments = ["TICKETS.md"]\n')
    created = run_cli("new", "--into", "TICKETS.md", "--title", "Orphaned connections", "--priority", "high",
                      "--component", "db", "--set", "owner=alice", cwd=tmp_path)  # fmt: skip
    assert (created.exit_code, created.stdout) == (0, "TICKETS.md:104: TICKET-002\n"), created.stderr  # ID and where
    after_new = doc.read_text()
    assert after_new.splitlines()[103] == "## TICKET-002: Orphaned connections"
    end_of_first = seed.index("\n---\n\n## Template for New Tickets")
    assert after_new[:end_of_first] == seed[:end_of_first] and after_new.endswith(seed[end_of_first:])
    added = after_new[end_of_first : len(after_new) - len(seed) + end_of_first]
    assert added.startswith("\n---\n\n## TICKET-002: Orphaned connections\n\n**Status:** Open\n**Priority:** High\n")
    assert "**Component:** db\n**owner:** alice\n\n### Problem Statement\n" in added
    for args in (["set", "2", "Priority=critical"], ["check", "2", "1"], ["close", "2"], ["reopen", "2"]):
        assert run_cli(*args, cwd=tmp_path).exit_code == 0
    final = doc.read_text()
    assert (
        final.replace("- [x] Concrete next steps", "- [ ] Concrete next steps").replace(
            "**Priority:** Critical", "**Priority:** High"
        )
        == after_new
    )
    assert run_cli("list", "--owner", "alice", "--format", "csv", cwd=tmp_path).stdout.count("TICKET-002") == 1
    lint = run_cli("lint", "--format", "json", "--no-cache", cwd=tmp_path)
    assert lint.exit_code == 0, lint.stdout
    refused = run_cli("new", "--into", "notes.md", "--title", "x", "--priority", "low", cwd=tmp_path)
    assert refused.exit_code == 2 and "not a configured document" in refused.stderr


def test_a_list_in_a_metadata_line_is_a_list_as_in_frontmatter(tmp_path: Path):
    (tmp_path / "TICKETS.md").write_text(SEED.read_text())
    (tmp_path / "ticketgen.toml").write_text('template = "TICKETS.md"\ndocuments = ["TICKETS.md"]\n')
    result = run_cli("set", "1", "tags=[postgres,  on-call]", cwd=tmp_path)
    assert result.exit_code == 0 and "**tags:** [postgres, on-call]\n" in (tmp_path / "TICKETS.md").read_text()
    for tag in ("postgres", "on-call"):
        assert "TICKET-001" in run_cli("list", "--tag", tag, cwd=tmp_path).stdout
    assert "TICKET-001" not in run_cli("list", "--tag", "[postgres", cwd=tmp_path).stdout
    (record,) = json.loads(run_cli("list", "--format", "json", cwd=tmp_path).stdout)
    assert record["fields"]["tags"]["raw"] == "[postgres, on-call]"
    created = run_cli("new", "--into", "TICKETS.md", "--title", "t", "--priority", "low",
                      "--set", "tags=[a, b]", cwd=tmp_path)  # fmt: skip
    assert created.exit_code == 0 and created.stdout.endswith(": TICKET-002\n")
    assert "TICKET-002" in run_cli("list", "--tag", "b", cwd=tmp_path).stdout
    bad = run_cli("set", "1", "tags=[a, [b]", cwd=tmp_path)
    assert bad.exit_code != 0 and "is not a list of values like [postgres, on-call]" in bad.stderr


def test_a_field_name_close_to_a_template_field_is_refused_as_a_typo(seed_project: Path):
    created = run_cli("new", "--title", "x", "--priority", "low", "--set", "Priorty=High", cwd=seed_project)
    assert created.exit_code == 2
    assert (
        created.stderr
        == "error: 'Priorty' is not a template field; did you mean Priority? (a new key must not look like one)\n"
    )
    assert not list((seed_project / "tickets").glob("TICKET-*"))
    run_cli("new", "--title", "x", "--priority", "low", "--set", "owner=alice", cwd=seed_project)
    before = next((seed_project / "tickets").glob("TICKET-*")).read_bytes()
    typo = run_cli("set", "1", "componnt=db", cwd=seed_project)
    assert typo.exit_code == 2 and "did you mean Component?" in typo.stderr
    assert next((seed_project / "tickets").glob("TICKET-*")).read_bytes() == before
    assert run_cli("set", "1", "ownr=bob", cwd=seed_project).exit_code == 0  # not near a field: a new key


def test_setting_one_field_twice_in_a_command_keeps_the_last_value(seed_project: Path):
    path = seed_project / "tickets" / "TICKET-001-x.md"
    path.write_text("## TICKET-001: X\n\n**Status:** Open\n**Priority:** Medium\n")
    assert run_cli("set", "1", "Priority=critical", "priority=Low", cwd=seed_project).exit_code == 0
    assert path.read_text() == "## TICKET-001: X\n\n**Status:** Open\n**Priority:** Low\n"


def test_an_open_ticket_may_keep_the_resolved_date_placeholder(tmp_path: Path):
    template = (Path(__file__).parents[2] / "ticketgen" / "data" / "template.md").read_text()
    template = template.replace("**Component:**", "**Resolved on:** YYYY-MM-DD\n**Component:**", 1)
    (tmp_path / "tickets").mkdir()
    (tmp_path / "tickets" / "_template.md").write_text(template)
    created = run_cli("new", "--title", "A", "--priority", "Low", "--set", "Component=db", cwd=tmp_path)
    assert created.exit_code == 0, created.output
    assert "TG023" not in run_cli("lint", "--no-cache", cwd=tmp_path).stdout  # open: the date waits
    assert run_cli("close", "1", cwd=tmp_path).exit_code == 0
    assert run_cli("reopen", "1", cwd=tmp_path).exit_code == 0
    assert "TG023" not in run_cli("lint", "--no-cache", cwd=tmp_path).stdout


def test_a_refused_value_names_the_ticket_file_and_line(tmp_path: Path):
    (tmp_path / "tickets").mkdir()
    (tmp_path / "tickets" / "_template.md").write_text(
        (Path(__file__).parents[2] / "ticketgen" / "data" / "template.md").read_text()
    )
    assert run_cli("new", "--title", "A", "--priority", "Low", cwd=tmp_path).exit_code == 0
    result = run_cli("set", "1", "Priority=bogus", cwd=tmp_path)
    assert result.exit_code == 1
    assert "error: tickets/TICKET-001-a.md:4: Priority must be one of: Low, Medium, High, Critical" in result.stderr


def test_list_columns_already_in_the_table_are_not_repeated(tmp_path: Path):
    (tmp_path / "tickets").mkdir()
    (tmp_path / "tickets" / "_template.md").write_text(
        (Path(__file__).parents[2] / "ticketgen" / "data" / "template.md").read_text()
    )
    assert run_cli("new", "--title", "A", "--priority", "Low", cwd=tmp_path).exit_code == 0
    header = run_cli("list", "--columns", "status", cwd=tmp_path).stdout.splitlines()[0]
    assert header.split().count("STATUS") == 1
