"""`ticketgen triage` on dumps shaped like `kubectl get ... -A -o json` output (status shapes
from gitops-recovery.md and the Kubernetes Deployment docs)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from ticketgen.runbooks.triage import DUMP_RESOURCES, RUNBOOK_STEPS, TriageInputError, load_dump, triage_dump

DATA = Path(__file__).resolve().parent / "data"  # dumps built from the reference's status shapes

NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
NOW_ARG = ("--now", "2026-11-26T09:00:00Z")


def findings(name: str, **kwargs):
    return triage_dump(load_dump(str(DATA / name)), now=NOW, **kwargs)


def codes(name: str, **kwargs) -> dict[str, list[str]]:
    _, found = findings(name, **kwargs)
    return {str(f.ref): [d.code for d in f.diagnoses] for f in found}


def test_healthy_cluster_has_nothing_stuck() -> None:
    checked, found = findings("healthy.json")
    assert checked == 9 and found == []


def test_a_ready_false_no_attempt_reset_is_stuck_after_the_threshold() -> None:
    # infra: Ready=False for 5 minutes, no retry condition; lotus-lake-airbyte: its source moved 2 minutes ago
    assert codes("healthy.json", stuck_after_minutes=4) == {"kustomization/flux-system/infra": ["not-ready"]}
    assert codes("healthy.json", stuck_after_minutes=1) == {
        "terraform/lotus-lake/lotus-lake-airbyte": ["revision-behind"],
        "kustomization/flux-system/infra": ["not-ready"],
    }


@pytest.mark.parametrize(
    ("dump", "expected"),
    [
        ("terraform-retry-limit.json", {"terraform/lotus-lake/lotus-lake-airbyte": ["retry-limit"]}),
        ("terraform-revision-behind.json", {"terraform/lotus-lake/lotus-lake-airbyte": ["revision-behind"]}),
        ("terraform-plan-pending.json", {"terraform/infra/network": ["plan-pending"]}),
        ("terraform-locked.json", {"terraform/infra/dns": ["state-locked"]}),
        # Ready is reset at every attempt: the retry counter and how long the retrying held decide
        ("terraform-retrying.json", {"terraform/team-a/vpc": ["retrying"], "terraform/team-a/dns": ["retrying"]}),
        ("kustomization-retrying.json", {"kustomization/flux-system/apps": ["retrying"]}),
        ("gitrepository-retrying.json", {"gitrepository/team-a/team-repo": ["retrying"]}),
        ("helmrelease-retrying.json", {"helmrelease/billing/billing-api": ["retrying"]}),
        # plan.pending under approvePlan: auto is the plan being applied; a 3-minute-old manual plan is fresh
        ("terraform-mid-apply-auto.json", {}),
        ("terraform-manual-plan-fresh.json", {}),
        ("kustomization-suspended.json", {"kustomization/flux-system/apps-dashboards": ["suspended"]}),
        ("kustomization-not-ready.json", {"kustomization/flux-system/apps-dashboards": ["not-ready"]}),
        ("helmrelease-retries-exceeded.json", {"helmrelease/ingest/ingest-api": ["retries-exceeded"]}),
        ("deployment-progress-deadline.json", {"deployment/ingest/ingest-worker": ["progress-deadline"]}),
    ],
)
def test_each_kind_of_stuck_is_diagnosed(dump: str, expected: dict[str, list[str]]) -> None:
    assert codes(dump) == expected


def test_a_retry_loop_says_which_fields_and_since_when() -> None:
    _, found = findings("terraform-retrying.json")
    vpc, dns = ({f.ref.name: f for f in found}[n] for n in ("vpc", "dns"))
    (diagnosis,) = vpc.diagnoses
    assert "status.reconciliationFailures=118" in diagnosis.message
    assert "attempted main@sha1:" + "b" * 40 in diagnosis.message and "TFExecPlanFailed" in diagnosis.message
    assert diagnosis.since == dt.datetime(2026, 11, 26, 7, 0, tzinfo=dt.UTC)  # lastSuccessfulReconcileAt
    assert vpc.step == RUNBOOK_STEPS["terraform"]["retrying"]
    # without lastSuccessfulReconcileAt (before v0.16.5): at least failures x retryInterval (15s unset)
    assert "failing for at least 50m" in dns.diagnoses[0].message
    _, (kustomization,) = findings("kustomization-retrying.json")
    assert "ProgressingWithRetry for 8h 30m" in kustomization.diagnoses[0].message
    assert kustomization.diagnoses[0].since == dt.datetime(2026, 11, 26, 0, 30, tzinfo=dt.UTC)


def test_exponential_backoff_counts_doubling_waits() -> None:
    data = load_dump(str(DATA / "terraform-retrying.json"))
    cdn = data["items"][3]
    cdn["status"]["reconciliationFailures"] = 8  # 15s x (2^8 - 1) = 63m45s
    assert codes_of(data) == {"terraform/team-a/vpc": ["retrying"], "terraform/team-a/dns": ["retrying"]}
    cdn["spec"]["retryStrategy"] = "ExponentialBackoff"
    assert codes_of(data)["terraform/team-a/cdn"] == ["retrying"]


def codes_of(data) -> dict[str, list[str]]:
    _, found = triage_dump(data, now=NOW)
    return {str(f.ref): [d.code for d in f.diagnoses] for f in found}


def test_a_manual_plan_becomes_stuck_only_when_old_and_an_approved_one_never() -> None:
    data = load_dump(str(DATA / "terraform-manual-plan-fresh.json"))
    later = NOW + dt.timedelta(hours=1)
    _, (finding,) = triage_dump(data, now=later)
    assert [d.code for d in finding.diagnoses] == ["plan-pending"]
    assert "waits for 1h 3m for manual approval" in finding.diagnoses[0].message
    data["items"][1]["spec"]["approvePlan"] = "plan-main-bb"  # a prefix of the pending id approves it
    assert triage_dump(data, now=later)[1] == []


def test_revision_comparison_uses_the_source_named_by_sourceRef() -> None:
    _, (finding,) = findings("terraform-revision-behind.json")
    message = finding.diagnoses[0].message
    assert "main@sha1:" + "b" * 40 in message and "main@sha1:" + "c" * 40 in message
    assert "GitRepository lotus-lake/lotus-lake" in message  # default namespace = the Terraform's
    data = load_dump(str(DATA / "terraform-revision-behind.json"))
    data["items"][0]["status"]["artifact"]["revision"] = data["items"][1]["status"]["lastAttemptedRevision"]
    assert triage_dump(data, now=NOW)[1] == []


def test_retry_limit_says_a_plain_annotation_does_not_clear_it() -> None:
    _, (finding,) = findings("terraform-retry-limit.json")
    assert "requestedAt" in finding.diagnoses[0].message
    assert finding.step == RUNBOOK_STEPS["terraform"]["retry-limit"]


def test_retries_exceeded_sends_to_the_cause_before_a_reset() -> None:
    _, (finding,) = findings("helmrelease-retries-exceeded.json")
    assert "fix the cause first" in finding.diagnoses[0].message
    assert finding.step == "1. Find the cause"


def test_mixed_dump_reports_only_the_stuck_ones() -> None:
    checked, found = findings("mixed.json")
    assert checked == 11  # the ConfigMap is not counted
    assert [str(f.ref) for f in found] == [
        "terraform/lotus-lake/lotus-lake-airbyte",
        "helmrelease/billing/billing-api",
        "deployment/storage/minio-gateway",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ((DATA / "malformed.json").read_text(), r"malformed\.json:\d+:\d+: not valid JSON"),
        ((DATA / "wrong-shape.json").read_text(), "expected a v1 List with `items`"),
        ('{"kind": "List", "items": [{"kind": "Terraform", "metadata": {"name": "x"}}]}', "metadata.namespace"),
        (
            '{"kind": "List", "items": [{"kind": "Terraform", "metadata": {"name": "x", "namespace": "y"},'
            ' "status": {"conditions": {"type": "Ready"}}}]}',
            "status.conditions must be a list",
        ),
        (
            '{"kind": "List", "items": [{"kind": "Kustomization", "metadata": {"name": "x", "namespace": "y"},'
            ' "status": {"conditions": [{"type": "Ready", "status": "False", "lastTransitionTime": "yesterday"}]}}]}',
            "not an RFC 3339 timestamp",
        ),
        ("[1, 2]", "expected a v1 List"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "malformed.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TriageInputError, match=message):
        triage_dump(load_dump(str(path)), now=NOW)


# --- the command ---------------------------------------------------------------------------------


def test_cli_exit_codes(examples_project: Path, run) -> None:
    healthy = run(examples_project, "triage", str(DATA / "healthy.json"), *NOW_ARG)
    assert healthy.exit_code == 0 and "0 of 9 resources stuck" in healthy.stdout
    stuck = run(examples_project, "triage", str(DATA / "mixed.json"), *NOW_ARG)
    assert stuck.exit_code == 1 and "3 of 11 resources stuck" in stuck.stdout
    for bad in ("malformed.json", "wrong-shape.json"):
        result = run(examples_project, "triage", str(DATA / bad), *NOW_ARG)
        assert result.exit_code == 2 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    # the command it suggests uses fully-qualified resource names (short names can clash)
    shape = run(examples_project, "triage", str(DATA / "wrong-shape.json"), *NOW_ARG)
    assert "kubectl get terraforms.infra.contrib.fluxcd.io,gitrepositories.source.toolkit.fluxcd.io," in shape.stderr
    assert "helmreleases.helm.toolkit.fluxcd.io,deployments.apps -A -o json" in shape.stderr


def test_cli_reads_stdin_and_links_runbooks_and_tickets(examples_project: Path, run) -> None:
    run(examples_project, "runbooks")
    dump = (DATA / "helmrelease-retries-exceeded.json").read_text()
    result = run(examples_project, "triage", "-", "--format", "json", *NOW_ARG, input=dump)
    assert result.exit_code == 1
    (row,) = json.loads(result.stdout)["stuck"]
    assert row["resource"] == "helmrelease/ingest/ingest-api"
    assert row["runbook"] == "runbooks/helmrelease-ingest-ingest-api.md" and row["runbook_exists"]
    assert row["tickets"] == ["INC-007"]
    assert row["diagnoses"][0]["code"] == "retries-exceeded"
    # the step named is a heading of that runbook
    runbook = (examples_project / "runbooks" / "helmrelease-ingest-ingest-api.md").read_text()
    assert f"### {row['step']}\n" in runbook


def test_kind_level_runbook_and_tickets_for_unnamed_objects(seed_project: Path, run) -> None:
    run(seed_project, "runbooks")
    result = run(seed_project, "triage", str(DATA / "terraform-retry-limit.json"), *NOW_ARG)
    assert result.exit_code == 1
    assert 'runbook: runbooks/terraform.md, step "4. Clear `RetryLimitReached`"' in result.stdout
    assert "tickets about Terraforms: TICKET-001" in result.stdout


def test_stuck_after_option_overrides_the_default(examples_project: Path, run) -> None:
    result = run(examples_project, "triage", str(DATA / "healthy.json"), "--stuck-after", "4", *NOW_ARG)
    assert result.exit_code == 1 and "Kustomization flux-system/infra" in result.stdout


STUB_KUBECTL = """#!/bin/sh
printf '%s\\n' "$*" >> "$CALLS"
while IFS= read -r line || [ -n "$line" ]; do printf '%s\\n' "$line"; done < "$DUMP"
"""


def test_kubectl_option_reads_the_cluster_read_only(examples_project: Path, run, tmp_path: Path, monkeypatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "kubectl").write_text(STUB_KUBECTL)
    (bin_dir / "kubectl").chmod(0o755)
    calls = tmp_path / "calls"
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("CALLS", str(calls))
    monkeypatch.setenv("DUMP", str(DATA / "kustomization-retrying.json"))
    result = run(examples_project, "triage", "--kubectl", *NOW_ARG)
    assert result.exit_code == 1 and "Kustomization flux-system/apps" in result.stdout
    (call,) = calls.read_text().splitlines()
    assert call == f"get {DUMP_RESOURCES} -A -o json"
    assert "buckets.source.toolkit.fluxcd.io" in call
    both = run(examples_project, "triage", "--kubectl", str(DATA / "healthy.json"))
    assert both.exit_code == 2 and "give no FILE" in both.stderr
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    missing = run(examples_project, "triage", "--kubectl")
    assert missing.exit_code == 2 and "kubectl is not on PATH" in missing.stderr and "Traceback" not in missing.stderr


def test_every_step_triage_names_is_a_heading_of_its_template() -> None:
    templates = Path(__file__).resolve().parents[2] / "ticketgen" / "templates" / "runbooks"
    for kind, steps in RUNBOOK_STEPS.items():
        source = (templates / f"{kind}.md.j2").read_text()
        if "_source.md.j2" in source:
            source = (templates / "_source.md.j2").read_text()
        headings = set(re.findall(r"^#{2,3} (.+)$", source, re.MULTILINE))
        for code, step in steps.items():
            assert step in headings, (kind, code, step)


def test_a_cluster_message_cannot_fake_a_line_of_the_report(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    dump = json.loads((DATA / "kustomization-retrying.json").read_text())
    for item in dump["items"]:
        for condition in item.get("status", {}).get("conditions", []):
            condition["message"] = "build failed\r\nSTUCK Terraform flux-system/fake"
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dump))
    result = run_cli("triage", str(path), *NOW_ARG, cwd=tmp_path)
    assert result.exit_code == 1
    assert "\nSTUCK Terraform flux-system/fake" not in result.stdout
    assert "\\r\\nSTUCK Terraform flux-system/fake" in result.stdout
    assert "\nSTUCK Terraform flux-system/fake" in run_cli("triage", str(path), *NOW_ARG, "--raw", cwd=tmp_path).stdout


def test_tickets_about_a_stuck_resource_list_open_ones_first_and_say_which_are_done(seed_project: Path) -> None:
    from tests.conftest import run_cli

    body = "**Priority:** Low\n**Discovered:** 2026-01-06\n**Component:** tofu\n\n### Problem Statement\n\nThe Terraform retries.\n"
    (seed_project / "tickets").mkdir(exist_ok=True)
    (seed_project / "tickets" / "TICKET-005-a.md").write_text("## TICKET-005: A\n\n**Status:** Resolved\n" + body)
    (seed_project / "tickets" / "TICKET-006-b.md").write_text("## TICKET-006: B\n\n**Status:** Open\n" + body)
    result = run_cli("triage", str(DATA / "terraform-retrying.json"), *NOW_ARG, cwd=seed_project)
    assert "tickets about Terraforms: TICKET-001, TICKET-006, TICKET-005 (Resolved)" in result.stdout
