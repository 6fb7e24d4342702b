import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import SEED, run_cli

SCHEMA = json.loads((Path(__file__).parents[2] / "ticketgen/data/ticket.schema.json").read_text())


@pytest.fixture
def listed_project(seed_project: Path) -> Path:
    run_cli(
        "new",
        "TICKET-002",
        "--title",
        "Orphaned connections",
        "--priority",
        "High",
        "--component",
        "db",
        cwd=seed_project,
    )
    run_cli("new", "TICKET-003", "--title", "Slow sync", "--priority", "Low", "--status", "Resolved", cwd=seed_project)
    run_cli("import", str(SEED), "--into", str(seed_project / "tickets" / "seed"), cwd=seed_project)
    return seed_project


def test_list_table_and_filters(listed_project: Path):
    out = run_cli("list", cwd=listed_project).stdout.splitlines()
    assert out[0].split()[:3] == ["ID", "TITLE", "STATUS"]
    assert [line.split()[0] for line in out[1:]] == ["TICKET-001", "TICKET-002", "TICKET-003"]
    open_high = run_cli("list", "--status", "open", "--priority", "HIGH", cwd=listed_project).stdout
    assert "TICKET-002" in open_high and "TICKET-001" not in open_high and "TICKET-003" not in open_high
    flux = run_cli("list", "--component", "flux", cwd=listed_project).stdout
    assert "TICKET-001" in flux and "TICKET-002" not in flux
    assert run_cli("list", "--component", "nothing", cwd=listed_project).stdout == "no tickets\n"


def test_list_json_matches_the_shipped_schema(listed_project: Path):
    records = json.loads(run_cli("list", "--format", "json", cwd=listed_project).stdout)
    assert [r["id"] for r in records] == ["TICKET-001", "TICKET-002", "TICKET-003"]
    for record in records:
        jsonschema.validate(record, SCHEMA)
    seed = records[0]
    assert seed["path"] == "tickets/seed/TICKET-001-tofu-controller-source-refresh-on-retry.md"
    assert seed["line"] == 1
    assert [a["done"] for a in seed["action_items"]] == [False] * 4
    assert len(seed["references"]) == 2


def test_list_csv(listed_project: Path):
    rows = list(csv.DictReader(io.StringIO(run_cli("list", "--format", "csv", cwd=listed_project).stdout)))
    assert rows[2]["status"] == "Resolved" and rows[0]["items"] == "0/4"


def test_show_markdown_is_verbatim_and_json_is_the_record(listed_project: Path):
    md = run_cli("show", "ticket-001", cwd=listed_project).stdout
    seed_lines = SEED.read_text().splitlines(keepends=True)
    assert md == "".join(seed_lines[6:100])
    record = json.loads(run_cli("show", "TICKET-001", "--format", "json", cwd=listed_project).stdout)
    jsonschema.validate(record, SCHEMA)
    assert record["component"] == "tofu-controller / Flux GitOps"


def test_show_unknown_id(listed_project: Path):
    result = run_cli("show", "TICKET-404", cwd=listed_project)
    assert result.exit_code == 1
    assert "no ticket 'TICKET-404'" in result.stderr


def test_unreadable_files_are_reported_and_the_rest_still_listed(listed_project: Path):
    tickets = listed_project / "tickets"
    (tickets / "latin1.md").write_bytes("## TICKET-010: caf\xe9\n".encode("latin-1"))
    (tickets / "binary.md").write_bytes(b"## TICKET-011: x\n\0\0")
    (tickets / "big.md").write_bytes(b"x" * (1024 * 1024 + 1))
    (tickets / "badfm.md").write_text("---\nowner: [a\n---\n## TICKET-012: bad frontmatter\n")
    result = run_cli("list", cwd=listed_project)
    assert result.exit_code == 1
    err = result.stderr
    assert "tickets/latin1.md:1: not UTF-8" in err
    assert "tickets/binary.md:2: binary file" in err
    assert "tickets/big.md:1: file is 1,048,577 bytes, over the 1,048,576-byte limit" in err
    assert "tickets/badfm.md:3: frontmatter is not valid YAML" in err
    assert "Traceback" not in result.output
    assert [line.split()[0] for line in result.stdout.splitlines()[1:]] == [
        "TICKET-001",
        "TICKET-002",
        "TICKET-003",
        "TICKET-012",
    ]


@pytest.mark.parametrize("given", ["TICKET-2", "ticket-0002", "2"])
def test_show_reads_an_id_as_new_does(listed_project: Path, given: str):
    result = run_cli("show", given, "--format", "json", cwd=listed_project)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["id"] == "TICKET-002"


def test_show_exits_1_like_list_when_a_file_could_not_be_read(listed_project: Path):
    (listed_project / "tickets" / "latin1.md").write_bytes("## TICKET-010: caf\xe9\n".encode("latin-1"))
    shown = run_cli("show", "TICKET-002", cwd=listed_project)
    assert shown.stdout.startswith("## TICKET-002: Orphaned connections")  # still shown
    assert "tickets/latin1.md:1: not UTF-8" in shown.stderr
    assert shown.exit_code == run_cli("list", cwd=listed_project).exit_code == 1


def test_foreign_records_are_named_once_by_lint_not_on_every_list(inc_project: Path):
    result = run_cli("list", cwd=inc_project)
    assert result.exit_code == 0 and result.stderr == ""
    assert "INC-007" in result.stdout
    lint = run_cli("lint", cwd=inc_project).stdout
    assert "platform-notes.md:15:1: TG007 [info] 'FLOW-001: Rotate the object-store credentials' is not checked" in lint
    (inc_project / "tickets" / "INC-020-x.md").write_text("## INC-2x: Broken id\n\ntext\n")
    malformed = run_cli("list", cwd=inc_project)  # a ticket the list cannot show: still said there
    assert "INC-020-x.md:1: 'INC-2x: Broken id' looks like a ticket heading without a valid ID" in malformed.stderr


def test_filters_and_ids_are_checked_against_the_template(listed_project: Path):
    bad = run_cli("list", "--status", "bogus", cwd=listed_project)
    assert bad.exit_code == 2 and "--status must be one of: Open, In Progress, Resolved" in bad.stderr
    not_an_id = run_cli("show", "bogus", cwd=listed_project)
    assert not_an_id.exit_code == 2 and "not a ticket ID" in not_an_id.stderr


def test_control_characters_in_titles_do_not_reach_the_terminal(seed_project: Path):
    (seed_project / "tickets" / "TICKET-009-evil.md").write_text(
        "## TICKET-009: \x1b]0;pwned\x07 title\n\n**Status:** Open\n"
    )
    out = run_cli("list", cwd=seed_project).stdout
    assert "\x1b" not in out and "\\x1b]0;pwned\\x07 title" in out


@pytest.fixture
def people_project(seed_project: Path) -> Path:
    """Four tickets with owners, tags, priorities and discovery dates that sort differently."""
    rows = [
        ("1", "Low", "Open", "2026-01-10", "owner: alice\ntags: [postgres, on-call]\n"),
        ("2", "Critical", "In Progress", "2026-01-02", "owner: bob\ntags: [flux]\n"),
        ("3", "Medium", "Resolved", "2026-01-05", "owner: alice\n"),
        ("4", "High", "Open", "2026-01-01", ""),
    ]
    for number, priority, status, found, frontmatter in rows:
        head = f"---\n{frontmatter}---\n" if frontmatter else ""
        (seed_project / "tickets" / f"TICKET-00{number}-t.md").write_text(
            f"{head}## TICKET-00{number}: T{number}\n\n**Status:** {status}\n**Priority:** {priority}\n"
            f"**Discovered:** {found}\n**Component:** db\n"
        )
    return seed_project


def ids(root: Path, *args: str) -> list[str]:
    result = run_cli("list", "--format", "json", *args, cwd=root)
    assert result.exit_code == 0, result.stderr
    return [r["id"] for r in json.loads(result.stdout)]


def test_list_filters_take_several_values(people_project: Path):
    assert ids(people_project, "--status", "open", "--status", "resolved") == ["TICKET-001", "TICKET-003", "TICKET-004"]
    assert ids(people_project, "--status", "open,in progress") == ["TICKET-001", "TICKET-002", "TICKET-004"]
    assert ids(people_project, "--priority", "low,critical") == ["TICKET-001", "TICKET-002"]
    bad = run_cli("list", "--status", "open,closed", cwd=people_project)
    assert bad.exit_code == 2 and "--status must be one of: Open, In Progress, Resolved (got 'closed')" in bad.stderr


def test_list_by_owner_tag_and_any_key(people_project: Path):
    assert ids(people_project, "--owner", "alice") == ["TICKET-001", "TICKET-003"]
    assert ids(people_project, "--owner", "alice", "--tag", "on-call") == ["TICKET-001"]
    assert ids(people_project, "--tag", "flux,postgres") == ["TICKET-001", "TICKET-002"]
    assert ids(people_project, "--where", "Component=db", "--where", "owner=bob") == ["TICKET-002"]
    table = run_cli("list", "--columns", "owner,tags", cwd=people_project).stdout.splitlines()
    assert table[0].split() == [
        "ID",
        "TITLE",
        "STATUS",
        "PRIORITY",
        "COMPONENT",
        "DISCOVERED",
        "AGE",
        "ITEMS",
        "OWNER",
        "TAGS",
        "PATH",
    ]
    assert "alice  postgres, on-call" in table[1]


def test_list_sorts_choices_in_template_order_and_dates_as_dates(people_project: Path):
    assert ids(people_project, "--sort", "priority") == ["TICKET-001", "TICKET-003", "TICKET-004", "TICKET-002"]
    assert ids(people_project, "--sort=-priority") == ["TICKET-002", "TICKET-004", "TICKET-003", "TICKET-001"]
    assert ids(people_project, "--sort", "status") == ["TICKET-001", "TICKET-004", "TICKET-002", "TICKET-003"]
    assert ids(people_project, "--sort", "discovered") == ["TICKET-004", "TICKET-002", "TICKET-003", "TICKET-001"]
    # A key some tickets lack: those come last, in either direction.
    assert ids(people_project, "--sort", "-owner") == ["TICKET-002", "TICKET-001", "TICKET-003", "TICKET-004"]


def test_list_age_markdown_and_colour(people_project: Path, monkeypatch: pytest.MonkeyPatch):
    age = (dt.date.today() - dt.date(2026, 1, 1)).days
    rows = list(csv.DictReader(io.StringIO(run_cli("list", "--format", "csv", cwd=people_project).stdout)))
    assert rows[3]["age"] == str(age)
    md = run_cli("list", "--format", "markdown", "--owner", "bob", cwd=people_project).stdout.splitlines()
    assert md[0] == "| id | title | status | priority | component | discovered | age | items | path |"
    assert md[2].startswith("| `TICKET-002` | `T2` | `In Progress` | `Critical` | `db` | `2026-01-02` |")
    plain = run_cli("list", cwd=people_project).stdout
    assert "\x1b[" not in plain  # piped (the test runner's stdout is not a terminal)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[31m\x1b[1mCritical" in run_cli("list", cwd=people_project).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run_cli("list", cwd=people_project).stdout


def test_show_json_lists_the_tickets_that_mention_it(people_project: Path):
    tickets = people_project / "tickets"
    two = tickets / "TICKET-002-t.md"
    two.write_text(two.read_text() + "\n### Problem Statement\n\nSame root cause as TICKET-1, see `TICKET-004`.\n")
    three = tickets / "TICKET-003-t.md"
    three.write_text(three.read_text() + "\n### Problem Statement\n\nBlocks TICKET-001.\nAnd TICKET-001 again.\n")
    record = json.loads(run_cli("show", "1", "--format", "json", cwd=people_project).stdout)
    jsonschema.validate(record, SCHEMA)
    assert record["mentioned_by"] == [
        {"id": "TICKET-002", "title": "T2", "path": "tickets/TICKET-002-t.md", "line": 14},
        {"id": "TICKET-003", "title": "T3", "path": "tickets/TICKET-003-t.md", "line": 13},
    ]
    four = json.loads(run_cli("show", "4", "--format", "json", cwd=people_project).stdout)
    assert four["mentioned_by"] == []  # a mention inside code is code


def test_a_closed_pipe_ends_output_commands_quietly(people_project: Path):
    for command in (["rules"], ["list"], ["show", "1", "--format", "json"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "ticketgen", "-C", str(people_project), *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        proc.stdout.close()  # as `| head -1` does once it has its line
        assert (proc.wait(), proc.stderr.read()) == (0, b"")


def test_click_usage_errors_have_the_one_error_prefix(people_project: Path):
    result = run_cli("list", "--bogus", cwd=people_project)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("error: No such option '--bogus'.")


@pytest.mark.parametrize("args", [["--sort", "priorty"], ["--columns", "ownr"]])
def test_a_misspelt_sort_or_column_is_a_usage_error(people_project: Path, args: list[str]):
    result = run_cli("list", *args, cwd=people_project)
    assert result.exit_code == 2
    assert f"no ticket has a field or frontmatter key {args[1]!r}" in result.stderr
