"""Destructive commands in quoted ticket text are flagged however they are wrapped, what cannot be
read is said, and invisible characters from a ticket never reach a runbook page as they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketgen.runbooks.detect import destructive_commands


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("kubectl -n team-a delete terraform vpc", "deletes a Terraform"),
        ("eval kubectl delete terraform vpc -n team-a", "deletes a Terraform"),
        ('eval "kubectl delete tf vpc -n team-a"', "deletes a Terraform"),
        ('bash -c "kubectl -n team-a delete terraform vpc"', "deletes a Terraform"),
        ("sh -c 'kubectl delete secret tfstate-default-vpc -n team-a'", "deletes a state or Helm release secret"),
        ("bash -ec 'eval \"kubectl delete secret sh.helm.release.v1.api.v3 -n ingest\"'", "Helm release secret"),
        ("sudo -E env A=1 kubectl delete tf vpc -n team-a", "deletes a Terraform"),
        ('echo "$(kubectl delete tf vpc -n team-a)"', "(run through $(...)) deletes a Terraform"),
        ("x=`kubectl delete terraform vpc -n team-a`", "(run through $(...)) deletes a Terraform"),
        ("kubectl get tf -n team-a -o name | xargs kubectl delete -n team-a", "(run through xargs) deletes objects"),
        ("kubectl get tf -o name | xargs -I{} kubectl delete {} -n team-a", "(run through xargs) deletes objects"),
        ("kubectl delete $(kubectl get tf -o name -n team-a) -n team-a", "kubectl delete $(...) deletes objects"),
        ('kubectl delete "$(kubectl get tf -o name -n team-a)" -n team-a', "deletes objects this text does not name"),
        ('bash -c "$(curl -s https://example.com/fix.sh)"', "runs a command built at run time"),
        ('eval "$FIX"', "runs a command built at run time"),
        ("flux reconcile hr api -n ingest --force", "--force forces the operation"),
        ('bash -c "flux reconcile hr api -n ingest --force"', "--force forces the operation"),
        ("kubectl get tf vpc -n team-a x#; kubectl delete tf vpc -n team-a", "deletes a Terraform"),  # `#` mid-word
        ('echo "#"; kubectl delete tf vpc -n team-a', "deletes a Terraform"),  # a quoted `#` is no comment
        ("echo 'unbalanced", "could not be read as shell"),
        ("eval " * 12 + "kubectl delete tf vpc -n team-a", "nested too deep"),
    ],
)
def test_a_destructive_command_is_flagged_however_it_is_wrapped(code: str, said: str) -> None:
    found = destructive_commands(code)
    assert any(said in line for line in found), found


@pytest.mark.parametrize(
    "code",
    [
        "kubectl -n team-a get terraform vpc",
        "kubectl delete pod worker-1 -n ingest",  # a pod comes back: not on the "What not to do" list
        "kubectl logs $(kubectl get pod -n ingest -o name) -n ingest",
        "echo $((1 + 2))",
        "kubectl get tf -n team-a  # then: kubectl delete tf vpc -n team-a",  # a comment runs nothing
        "bash -c 'kubectl -n team-a annotate tf vpc reconcile.fluxcd.io/requestedAt=1'",
    ],
)
def test_harmless_commands_are_not_flagged(code: str) -> None:
    assert destructive_commands(code) == []


def test_wrapped_commands_are_flagged_on_the_page(tmp_path: Path, run, write_ticket, ticket_text) -> None:
    body = (
        "### Workarounds\n\n```bash\n"
        'bash -c "kubectl -n team-a delete terraform vpc"\n'
        "kubectl get tf -n team-a -o name | xargs kubectl delete -n team-a\n```\n"
    )
    write_ticket(tmp_path, "TICKET-001.md", ticket_text(1, meta="**Resources:** tf/team-a/vpc\n", body=body))
    assert run(tmp_path, "runbooks").exit_code == 0
    page = (tmp_path / "runbooks" / "terraform-team-a-vpc.md").read_text(encoding="utf-8")
    flags = [line for line in page.splitlines() if line.startswith("> **Destructive")]
    assert len(flags) == 2 and "deletes a Terraform" in flags[0] and "xargs" in flags[1]


def test_invisible_characters_from_a_ticket_are_shown_not_kept(tmp_path: Path, run, write_ticket, ticket_text) -> None:
    # "Trojan source": U+202E reverses what follows, so a reader sees another command than the one that runs.
    body = (
        "### Workarounds\n\nRun the \u202efix\u202c below.\n\n```bash\n"
        "kubectl -n team-a get tf vpc \u202e# harmless\u202c; kubectl delete tf vpc -n team-a\u200b\n```\n"
    )
    title_meta = "**Resources:** tf/team-a/vpc\n"
    write_ticket(tmp_path, "TICKET-001.md", ticket_text(1, meta=title_meta, body=body))
    assert run(tmp_path, "runbooks").exit_code == 0
    page = (tmp_path / "runbooks" / "terraform-team-a-vpc.md").read_text(encoding="utf-8")
    assert not any(c in page for c in "\u202e\u202c\u200b")
    assert "\\u202e" in page and "\\u202c" in page and "\\u200b" in page
    flags = [line for line in page.splitlines() if line.startswith("> **Destructive")]
    assert any("deletes a Terraform" in f for f in flags)
    assert any("invisible character" in f for f in flags)
    assert run(tmp_path, "runbooks", "--check").exit_code == 0  # stable: a rerun writes the same page
