"""`ticketgen triage` on dumps shaped like `kubectl get ... -A -o json` output (status shapes
from gitops-recovery.md and the Kubernetes Deployment docs)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from ticketgen.runbooks.triage import RUNBOOK_STEPS, TriageInputError, load_dump, triage_dump

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


def test_thresholds_decide_when_not_ready_is_stuck() -> None:
    # infra: Ready=False for 5 minutes; lotus-lake-airbyte: source moved 2 minutes ago, Ready=Unknown for 1.5
    assert codes("healthy.json", stuck_after_minutes=4) == {"kustomization/flux-system/infra": ["not-ready"]}
    assert codes("healthy.json", stuck_after_minutes=1) == {
        "terraform/lotus-lake/lotus-lake-airbyte": ["revision-behind", "not-ready"],
        "kustomization/flux-system/infra": ["not-ready"],
    }


@pytest.mark.parametrize(
    ("dump", "expected"),
    [
        ("terraform-retry-limit.json", {"terraform/lotus-lake/lotus-lake-airbyte": ["retry-limit", "not-ready"]}),
        (
            "terraform-revision-behind.json",
            {"terraform/lotus-lake/lotus-lake-airbyte": ["revision-behind", "not-ready"]},
        ),
        ("terraform-plan-pending.json", {"terraform/infra/network": ["plan-pending"]}),
        ("terraform-locked.json", {"terraform/infra/dns": ["state-locked"]}),
        ("kustomization-suspended.json", {"kustomization/flux-system/apps-dashboards": ["suspended"]}),
        ("kustomization-not-ready.json", {"kustomization/flux-system/apps-dashboards": ["not-ready"]}),
        ("helmrelease-retries-exceeded.json", {"helmrelease/ingest/ingest-api": ["retries-exceeded"]}),
        ("deployment-progress-deadline.json", {"deployment/ingest/ingest-worker": ["progress-deadline"]}),
    ],
)
def test_each_kind_of_stuck_is_diagnosed(dump: str, expected: dict[str, list[str]]) -> None:
    assert codes(dump) == expected


def test_revision_comparison_uses_the_source_named_by_sourceRef() -> None:
    _, (finding,) = findings("terraform-revision-behind.json")
    message = finding.diagnoses[0].message
    assert "main@sha1:" + "b" * 40 in message and "main@sha1:" + "c" * 40 in message
    assert "GitRepository lotus-lake/lotus-lake" in message  # default namespace = the Terraform's
    data = load_dump(str(DATA / "terraform-revision-behind.json"))
    data["items"][0]["status"]["artifact"]["revision"] = data["items"][1]["status"]["lastAttemptedRevision"]
    _, (same,) = triage_dump(data, now=NOW)
    assert [d.code for d in same.diagnoses] == ["not-ready"]


def test_retry_limit_says_a_plain_annotation_does_not_clear_it() -> None:
    _, (finding,) = findings("terraform-retry-limit.json")
    assert "requestedAt" in finding.diagnoses[0].message
    assert finding.step == RUNBOOK_STEPS["terraform"]["retry-limit"]


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
    assert 'runbook: runbooks/terraform.md, step "4. `Stalled` / `RetryLimitReached`"' in result.stdout
    assert "tickets about Terraforms: TICKET-001" in result.stdout


def test_stuck_after_option_overrides_the_default(examples_project: Path, run) -> None:
    result = run(examples_project, "triage", str(DATA / "healthy.json"), "--stuck-after", "4", *NOW_ARG)
    assert result.exit_code == 1 and "Kustomization flux-system/infra" in result.stdout


def test_every_step_triage_names_is_a_heading_of_its_template() -> None:
    templates = Path(__file__).resolve().parents[2] / "ticketgen" / "templates" / "runbooks"
    for kind, steps in RUNBOOK_STEPS.items():
        source = (templates / f"{kind}.md.j2").read_text()
        if "_source.md.j2" in source:
            source = (templates / "_source.md.j2").read_text()
        headings = set(re.findall(r"^#{2,3} (.+)$", source, re.MULTILINE))
        for code, step in steps.items():
            assert step in headings, (kind, code, step)
