import datetime as dt
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import run_cli
from ticketgen.core.parse import read_document
from ticketgen.core.project import Project


def test_new_with_title_renders_the_template(seed_project: Path):
    result = run_cli("new", "TICKET-002", "--title", "Orphaned connections", "--priority", "high", cwd=seed_project)
    assert result.exit_code == 0, result.output
    assert result.stdout == "tickets/TICKET-002-orphaned-connections.md:1: TICKET-002\n"
    project = Project.discover(seed_project)
    doc = read_document(seed_project / "tickets/TICKET-002-orphaned-connections.md", project.schema)
    (t,) = doc.tickets
    assert (t.id, t.title, t.status, t.priority) == ("TICKET-002", "Orphaned connections", "Open", "High")
    assert t.discovered == dt.date.today()
    assert [s.title for s in t.sections] == [s.title for s in project.schema.sections]
    assert t.fields["Component"].value == "affected component"  # left for the author to fill


def test_new_without_title_is_named_by_id(seed_project: Path):
    result = run_cli("new", "--priority", "Low", "7", cwd=seed_project)
    assert result.exit_code == 0
    assert result.stdout == "tickets/TICKET-007.md:1: TICKET-007\n"


def test_next_free_id_and_padding(seed_project: Path):
    assert (
        run_cli("new", "--priority", "Low", "--title", "a", cwd=seed_project).stdout
        == "tickets/TICKET-001-a.md:1: TICKET-001\n"
    )
    assert run_cli("new", "--priority", "Low", "TICKET-041", "--title", "b", cwd=seed_project).exit_code == 0
    assert (
        run_cli("new", "--priority", "Low", "--title", "c", cwd=seed_project).stdout
        == "tickets/TICKET-042-c.md:1: TICKET-042\n"
    )


def test_existing_id_is_refused_and_the_file_kept(seed_project: Path):
    run_cli("new", "--priority", "Low", "TICKET-002", "--title", "first", cwd=seed_project)
    path = seed_project / "tickets/TICKET-002-first.md"
    path.write_bytes(path.read_bytes() + b"\r\nhand edit\r\n")
    before = path.read_bytes()
    result = run_cli("new", "--priority", "Low", "TICKET-002", "--title", "second", cwd=seed_project)
    assert result.exit_code == 1
    assert "TICKET-002 already exists" in result.stderr
    assert "tickets/TICKET-002-first.md:1" in result.stderr
    assert path.read_bytes() == before
    assert not (seed_project / "tickets/TICKET-002-second.md").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["new", "--priority", "Low", "BUG-1"], "does not match the template's ID pattern"),
        (["new", "--priority", "Low", "--status", "Closed"], "must be one of: Open, In Progress, Resolved"),
        (["new", "--set", "owner=me"], "Priority needs a value, one of: Low, Medium, High, Critical; pass --priority"),
        (["new", "--priority", "Low", "--set", "owner=a\rb"], "owner must be a single line without control characters"),
        (["new", "--priority", "Low", "--edit"], "editing needs a terminal"),
        (["new", "--priority", "Low", "--component", "a\x1b[31mb"], "must be a single line without control characters"),
        (["new", "--priority", "Low", "--set", "Discovered=yesterday"], "must be a date"),
        (["new", "--priority", "Low", "--set", "nonsense"], "FIELD=VALUE"),
        (["new", "--priority", "Low", "--title", "two\nlines"], "single line"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(seed_project: Path, args, message):
    result = run_cli(*args, cwd=seed_project)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    written = sorted(p.name for p in (seed_project / "tickets").iterdir() if not p.name.startswith("."))
    assert written == ["_template.md"]


def test_title_cannot_leave_the_tickets_folder(seed_project: Path):
    result = run_cli("new", "--priority", "Low", "--title", "../../etc/passwd", cwd=seed_project)
    assert result.exit_code == 0
    assert result.stdout == "tickets/TICKET-001-etc-passwd.md:1: TICKET-001\n"
    assert "slug" in result.stderr
    assert (
        (seed_project / "tickets/TICKET-001-etc-passwd.md").read_text().startswith("## TICKET-001: ../../etc/passwd\n")
    )


def test_template_text_in_values_is_data_not_jinja(seed_project: Path):
    run_cli(
        "new", "--priority", "Low", "--title", "{{ 7 * 7 }} {% if x %}", "--component", "{{ config }}", cwd=seed_project
    )
    text = next((seed_project / "tickets").glob("TICKET-001*.md")).read_text()
    assert "## TICKET-001: {{ 7 * 7 }} {% if x %}" in text
    assert "**Component:** {{ config }}" in text


def test_other_template_prefix_and_fields(inc_project: Path):
    result = run_cli("new", "--priority", "Low", "--title", "Queue stalls", "--status", "in progress", cwd=inc_project)
    assert result.exit_code == 0, result.output
    assert (
        result.stdout == "tickets/INC-014-queue-stalls.md:1: INC-014\n"
    )  # after INC-013 in tickets/, INC-009 in the doc
    text = (inc_project / result.stdout.split(":")[0]).read_text()
    assert "**Status:** In Progress\n" in text


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_next_id_sees_local_and_remote_branches(seed_project: Path, tmp_path_factory):
    _git(seed_project, "init", "-q", "-b", "main")
    _git(seed_project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "root")
    _git(seed_project, "checkout", "-q", "-b", "feature")
    (seed_project / "tickets/TICKET-005-on-a-branch.md").write_text("## TICKET-005: x\n")
    _git(seed_project, "add", "-A")
    _git(seed_project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "t5")
    _git(seed_project, "checkout", "-q", "main")
    (seed_project / "tickets/TICKET-005-on-a-branch.md").unlink(missing_ok=True)
    # a remote-tracking branch holding a multi-ticket document with TICKET-009
    remote = tmp_path_factory.mktemp("remote")
    _git(remote, "init", "-q", "-b", "main")
    (remote / "tickets").mkdir()
    (remote / "tickets/backlog.md").write_text("## TICKET-009: in a document\n\n```\n## TICKET-050: code\n```\n")
    _git(remote, "add", "-A")
    _git(remote, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "t9")
    _git(seed_project, "remote", "add", "origin", str(remote))
    _git(seed_project, "fetch", "-q", "origin")
    result = run_cli("new", "--priority", "Low", "--title", "next", cwd=seed_project)
    assert result.stdout == "tickets/TICKET-010-next.md:1: TICKET-010\n"
    clash = run_cli("new", "--priority", "Low", "TICKET-005", cwd=seed_project)
    assert clash.exit_code == 1 and "feature:tickets/TICKET-005-on-a-branch.md" in clash.stderr


def test_parallel_new_calls_get_distinct_ids(seed_project: Path):
    def one(i: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "ticketgen",
                "-C",
                str(seed_project),
                "new",
                "--priority",
                "Low",
                "--title",
                f"parallel {i}",
            ],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(8)))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    ids = sorted(r.stdout.split("/")[1][:10] for r in results)
    assert ids == [f"TICKET-{n:03d}" for n in range(1, 9)]
    listed = json.loads(run_cli("list", "--format", "json", cwd=seed_project).stdout)
    assert sorted(t["id"] for t in listed) == ids


@pytest.mark.parametrize(
    "name, content",
    [
        ("TICKET-002-cafe.md", "## TICKET-002: Caf\xe9\n".encode("latin-1")),  # not UTF-8
        ("TICKET-002-huge-logs.md", b"## TICKET-002: huge\n" + b"x" * (1024 * 1024 + 1)),  # over max_file_bytes
    ],
)
def test_unreadable_ticket_files_still_hold_their_id(seed_project: Path, name: str, content: bytes):
    (seed_project / "tickets" / name).write_bytes(content)
    first = run_cli("new", "--priority", "Low", "--title", "next", cwd=seed_project)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == "tickets/TICKET-003-next.md:1: TICKET-003\n"
    assert (
        run_cli("new", "--priority", "Low", "--title", "after", cwd=seed_project).stdout
        == "tickets/TICKET-004-after.md:1: TICKET-004\n"
    )
    assert (seed_project / "tickets" / name).read_bytes() == content


def test_next_id_never_goes_backwards_when_no_file_can_be_read(seed_project: Path):
    (seed_project / "ticketgen.toml").write_text("max_file_bytes = 10\n")
    for name in ("TICKET-005-a.md", "TICKET-006-b.md", "TICKET-999-c.md", "TICKET-1000-d.md"):
        (seed_project / "tickets" / name).write_text(f"## {name[:-5]}: a ticket\n")
    result = run_cli("new", "--priority", "Low", "--title", "next", cwd=seed_project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "tickets/TICKET-1001-next.md:1: TICKET-1001\n"


def test_a_choice_gets_its_configured_default_and_other_keys_go_to_frontmatter(seed_project: Path):
    (seed_project / "ticketgen.toml").write_text('[new]\ndefaults = { Priority = "medium" }\n')
    result = run_cli(
        "new", "--title", "x", "--set", "owner=alice", "--set", "tags=[postgres, on-call]", cwd=seed_project
    )
    assert result.exit_code == 0, result.stderr
    text = (seed_project / result.stdout.split(":")[0]).read_text()
    assert text.startswith(
        "---\nowner: alice\ntags: [postgres, on-call]\n---\n## TICKET-001: x\n\n**Status:** Open\n**Priority:** Medium\n"
    )
    assert "|" not in text.split("### ")[0]  # no choice placeholder anywhere in the metadata
    assert "**Component:** affected component\n\n### Problem Statement\n" in text  # a blank line before the sections
    record = json.loads(run_cli("show", "1", "--format", "json", cwd=seed_project).stdout)
    assert record["frontmatter"] == {"owner": "alice", "tags": ["postgres", "on-call"]}


@pytest.mark.parametrize(
    "defaults, message",
    [('{ Priority = "Urgent" }', "Priority must be one of"), ('{ Owner = "x" }', "the template has no field 'Owner'")],
)
def test_a_bad_configured_default_is_a_config_error(seed_project: Path, defaults: str, message: str):
    (seed_project / "ticketgen.toml").write_text(f"[new]\ndefaults = {defaults}\n")
    result = run_cli("new", "--title", "x", cwd=seed_project)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ticketgen.toml") or "ticketgen.toml" in result.stderr
    assert message in result.stderr


def test_a_fresh_ticket_is_one_draft_warning_not_one_error_per_section(seed_project: Path):
    run_cli("new", "--title", "Slow sync", "--priority", "High", "--component", "db", cwd=seed_project)
    result = run_cli("lint", "--format", "json", "--no-cache", cwd=seed_project)
    assert result.exit_code == 0  # a draft is a reminder, not a failure
    findings = json.loads(result.stdout)["findings"]
    assert [(f["code"], f["severity"], f["line"]) for f in findings] == [("TG026", "warning", 9)]
    assert findings[0]["message"].startswith("draft: 7 sections to write")


def test_in_a_terminal_new_asks_for_every_choice_and_the_component(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "tickets").mkdir()
    (tmp_path / "tickets" / "_template.md").write_text(
        "## INC-XXX: Title\n\n**Status:** Open | Closed\n**Priority:** P1 | P2\n**Severity:** S1 | S2\n**Team:** team name\n"
    )
    monkeypatch.setattr("ticketgen.commands.core.stdin_is_terminal", lambda: True)
    result = run_cli("new", cwd=tmp_path, input="Slow sync\np9\np2\ns1\npayments\n")
    assert result.exit_code == 0, result.output
    assert "Severity (S1, S2)" in result.output
    text = (tmp_path / "tickets/INC-001-slow-sync.md").read_text()
    assert "**Status:** Open\n**Priority:** P2\n**Severity:** S1\n**Team:** payments\n" in text
