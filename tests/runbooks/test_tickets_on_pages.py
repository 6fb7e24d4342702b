"""Which tickets a runbook page quotes, and how: sections matched by meaning, pointers under
"Related" not taken for the subject, kind-level tickets on named pages, destructive commands flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketgen.core.parse import parse_document
from ticketgen.core.template import load_schema
from ticketgen.runbooks.collect import DEFAULT_SETTINGS
from ticketgen.runbooks.detect import detect_in_ticket, kinds_mentioned


def one_ticket(text: str):
    (ticket,) = parse_document(text, Path("tickets/t.md"), load_schema(None)).tickets
    return ticket


@pytest.mark.parametrize(
    ("title", "quoted"),
    [
        ("How to Fix (Nuclear Option)", True),
        ("How to Fix", True),
        ("Current Workarounds", True),
        ("Verification Steps", True),
        ("Fix: restart the controller", True),
        ("Potential Solutions", True),
        ("How to Diagnose", False),
        ("Fixed versions", False),
        ("Related", False),
    ],
)
def test_section_titles_are_matched_by_meaning(title: str, quoted: bool) -> None:
    assert DEFAULT_SETTINGS.quotes(title) is quoted


def test_a_fix_section_with_a_remark_is_quoted_on_the_page(tmp_path: Path, run, write_ticket, ticket_text) -> None:
    body = "### How to Fix (Nuclear Option)\n\nDelete the runner pod.\n"
    write_ticket(tmp_path, "TICKET-001.md", ticket_text(1, meta="**Resources:** tf/team-a/vpc\n", body=body))
    assert run(tmp_path, "runbooks").exit_code == 0
    page = (tmp_path / "runbooks" / "terraform-team-a-vpc.md").read_text(encoding="utf-8")
    assert 'From "How to Fix \\(Nuclear Option\\)"' in page and "> Delete the runner pod." in page
    assert "has no workaround, fix or verification section" not in page


def test_a_kind_listed_only_under_related_is_not_what_the_ticket_is_about() -> None:
    pointer = one_ticket(
        "## TICKET-001: Grafana panel\n\n**Status:** Open\n\n### Problem Statement\n\nThe panel is empty.\n\n"
        "### Related\n\n- Terraform module for dashboards\n"
    )
    assert kinds_mentioned(pointer) == []
    subject = one_ticket(
        "## TICKET-002: Stuck apply\n\n**Status:** Open\n\n### Problem Statement\n\nThe Terraform never applies.\n"
    )
    assert [k for k, _, _ in kinds_mentioned(subject)] == ["terraform"]


def test_kind_level_tickets_are_shown_on_named_pages(tmp_path: Path, run, write_ticket, ticket_text) -> None:
    write_ticket(tmp_path, "TICKET-001.md", ticket_text(1, meta="**Resources:** tf/team-a/vpc\n"))
    general = "### Workarounds\n\nA Terraform stuck on a lock: check the runner pod first.\n"
    write_ticket(tmp_path, "TICKET-002.md", ticket_text(2, body=general))
    assert run(tmp_path, "runbooks").exit_code == 0
    page = (tmp_path / "runbooks" / "terraform-team-a-vpc.md").read_text(encoding="utf-8")
    assert "[TICKET-001]" in page and "[TICKET-002]" in page
    assert page.index("[TICKET-002]") < page.index("About Terraforms in general, not this object.")
    assert "check the runner pod first" in page


def test_destructive_commands_are_flagged_in_the_quote(tmp_path: Path, run, write_ticket, ticket_text) -> None:
    body = (
        "### Workarounds\n\n```bash\nkubectl -n team-a delete secret tfstate-default-vpc\n"
        "flux reconcile hr api -n ingest --force\nkubectl -n team-a get terraform vpc\n```\n"
    )
    write_ticket(tmp_path, "TICKET-001.md", ticket_text(1, meta="**Resources:** tf/team-a/vpc\n", body=body))
    assert run(tmp_path, "runbooks").exit_code == 0
    page = (tmp_path / "runbooks" / "terraform-team-a-vpc.md").read_text(encoding="utf-8")
    flags = [line for line in page.splitlines() if line.startswith("> **Destructive")]
    assert len(flags) == 2
    assert "delete secret tfstate-default-vpc deletes a state" in flags[0]
    assert "hr api --force forces the operation" in flags[1]


@pytest.mark.parametrize(
    "command",
    [
        "kubectl exec -it deploy/cube -n analytics -- cube-cli status",
        "kubectl -n analytics logs -f deploy/cube",
        "kubectl logs deploy/cube --namespace=analytics --tail=50",
        "kubectl rollout restart deploy/cube -n analytics",
    ],
)
def test_deployment_commands_are_detected(command: str) -> None:
    ticket = one_ticket(f"## TICKET-001: Cube\n\n**Status:** Open\n\n### Workarounds\n\n```bash\n{command}\n```\n")
    assert [str(ref) for ref, _ in detect_in_ticket(ticket)] == ["deployment/analytics/cube"]
