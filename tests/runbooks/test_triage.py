"""`ticketgen triage` on dumps shaped like `kubectl get ... -A -o json` output (status shapes
from gitops-recovery.md and the Kubernetes Deployment docs)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from ticketgen.runbooks.triage import RUNBOOK_STEPS, TriageInputError, anchor, load_dump, triage_dump

DATA = Path(__file__).resolve().parent / "data"  # dumps built from the reference's status shapes

NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
NOW_ARG = ("--now", "2026-11-26T09:00:00Z")


def findings(name: str, **kwargs):
    report = triage_dump(load_dump(str(DATA / name)), now=NOW, **kwargs)
    return report.checked, report.findings


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
        # deliberately paused: an info line, not STUCK (test_suspended_is_info_with_how_long)
        ("kustomization-suspended.json", {}),
        ("kustomization-not-ready.json", {"kustomization/flux-system/apps-dashboards": ["dependency-not-ready"]}),
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
    found = triage_dump(data, now=NOW).findings
    return {str(f.ref): [d.code for d in f.diagnoses] for f in found}


def test_a_manual_plan_becomes_stuck_only_when_old_and_an_approved_one_never() -> None:
    data = load_dump(str(DATA / "terraform-manual-plan-fresh.json"))
    later = NOW + dt.timedelta(hours=1)
    (finding,) = triage_dump(data, now=later).findings
    assert [d.code for d in finding.diagnoses] == ["plan-pending"]
    assert "waits for 1h 3m for manual approval" in finding.diagnoses[0].message
    data["items"][1]["spec"]["approvePlan"] = "plan-main-bb"  # a prefix of the pending id approves it
    assert triage_dump(data, now=later).findings == []


def test_revision_comparison_uses_the_source_named_by_sourceRef() -> None:
    _, (finding,) = findings("terraform-revision-behind.json")
    message = finding.diagnoses[0].message
    assert "main@sha1:" + "b" * 40 in message and "main@sha1:" + "c" * 40 in message
    assert "GitRepository lotus-lake/lotus-lake" in message  # default namespace = the Terraform's
    data = load_dump(str(DATA / "terraform-revision-behind.json"))
    data["items"][0]["status"]["artifact"]["revision"] = data["items"][1]["status"]["lastAttemptedRevision"]
    assert triage_dump(data, now=NOW).findings == []


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
    assert checked == 12  # the ConfigMap too: kstatus' alwaysReady judges it Current
    assert [str(f.ref) for f in found] == [
        "terraform/lotus-lake/lotus-lake-airbyte",
        "helmrelease/billing/billing-api",
        "deployment/storage/minio-gateway",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ((DATA / "malformed.json").read_text(), r"malformed\.json:\d+:\d+: not valid JSON"),
        ((DATA / "wrong-shape.json").read_text(), "the API answered NotFound"),
        ("[1, 2]", "expected a v1 List"),
        ("apiVersion: v1\nkind: List\nitems: []\n", r"YAML, not JSON: .*kubectl get \.\.\. -o json"),
        ("[\n" * 100_000 + "]\n" * 100_000, r"malformed\.json:101:1: JSON nested deeper than 100 levels"),
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
    assert healthy.exit_code == 0 and healthy.stdout.endswith("\n0 of 9 judged resources stuck\n")
    stuck = run(examples_project, "triage", str(DATA / "mixed.json"), *NOW_ARG)
    assert stuck.exit_code == 1 and "3 of 12 judged resources stuck" in stuck.stdout
    for bad in ("malformed.json", "wrong-shape.json"):
        result = run(examples_project, "triage", str(DATA / bad), *NOW_ARG)
        assert result.exit_code == 2 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    # the command it suggests uses fully-qualified resource names (short names can clash)
    shape = run(examples_project, "triage", "-", *NOW_ARG, input='{"kind": "List"}')
    assert "kubectl get terraforms.infra.contrib.fluxcd.io,gitrepositories.source.toolkit.fluxcd.io," in shape.stderr
    assert "helmreleases.helm.toolkit.fluxcd.io,deployments.apps," in shape.stderr


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
    assert (
        'runbook: runbooks/terraform.md#4-clear-retrylimitreached, step "4. Clear `RetryLimitReached`"' in result.stdout
    )
    assert "tickets about Terraforms: TICKET-001" in result.stdout


def test_stuck_after_option_overrides_the_default(examples_project: Path, run) -> None:
    result = run(examples_project, "triage", str(DATA / "healthy.json"), "--stuck-after", "4", *NOW_ARG)
    assert result.exit_code == 1 and "Kustomization flux-system/infra" in result.stdout


# A kubectl that has no Terraform CRD, forbids HelmReleases, serves the rest from per-resource files
# (the messages are kubectl's own: "the server doesn't have a resource type", "Error from server (Forbidden)").
STUB_KUBECTL = """#!/bin/sh
printf '%s\\n' "$*" >> "$CALLS"
case "$2" in
  terraforms.infra.contrib.fluxcd.io)
    echo 'error: the server doesn'"'"'t have a resource type "terraforms"' >&2; exit 1 ;;
  helmreleases.helm.toolkit.fluxcd.io)
    echo 'Error from server (Forbidden): helmreleases.helm.toolkit.fluxcd.io is forbidden: User "oncall" cannot list resource "helmreleases" in API group "helm.toolkit.fluxcd.io" at the cluster scope' >&2; exit 1 ;;
esac
file="$STUBDIR/$2.json"
[ "$2" = pods ] && file="$STUBDIR/pods-$4.json"
if [ -f "$file" ]; then cat "$file"; else printf '{"apiVersion": "v1", "kind": "List", "items": []}\\n'; fi
"""


def _stub_cluster(tmp_path: Path, monkeypatch, files: dict[str, list]) -> Path:
    bin_dir, data_dir = tmp_path / "bin", tmp_path / "cluster"
    bin_dir.mkdir()
    data_dir.mkdir()
    (bin_dir / "kubectl").write_text(STUB_KUBECTL)
    (bin_dir / "kubectl").chmod(0o755)
    for name, items in files.items():
        (data_dir / f"{name}.json").write_text(
            json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, indent=1)
        )
    calls = tmp_path / "calls"
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("CALLS", str(calls))
    monkeypatch.setenv("STUBDIR", str(data_dir))
    return calls


def _items(name: str, kind: str | None = None) -> list:
    items = json.loads((DATA / name).read_text())["items"]
    return [i for i in items if kind is None or i["kind"] == kind]


def test_kubectl_option_asks_per_kind_and_names_what_it_could_not_read(
    examples_project: Path, run, tmp_path: Path, monkeypatch
) -> None:
    down = "controller-down-kustomize.json"
    calls = _stub_cluster(
        tmp_path,
        monkeypatch,
        {
            "kustomizations.kustomize.toolkit.fluxcd.io": _items("kustomization-retrying.json", "Kustomization"),
            "gitrepositories.source.toolkit.fluxcd.io": _items("kustomization-retrying.json", "GitRepository"),
            "deployments.apps": _items(down, "Deployment"),
            "pods-flux-system": _items(down, "Pod"),
        },
    )
    result = run(examples_project, "triage", "--kubectl", *NOW_ARG)
    assert result.exit_code == 1, result.stdout + result.stderr
    lines = calls.read_text().splitlines()
    # read-only, one `get` per kind, so a missing CRD costs that kind only
    assert all(line.startswith("get ") for line in lines)
    assert "get terraforms.infra.contrib.fluxcd.io -A -o json" in lines
    assert "get buckets.source.toolkit.fluxcd.io -A -o json" in lines
    assert "get pods -n flux-system -o json" in lines  # the controllers' namespace
    assert "SKIPPED terraforms.infra.contrib.fluxcd.io: not served by this cluster (CRD absent)" in result.stdout
    assert "FORBIDDEN helmreleases.helm.toolkit.fluxcd.io: forbidden" in result.stdout
    assert "INCOMPLETE: " in result.stdout and "1 forbidden" in result.stdout
    # root cause first: the crash-looping kustomize-controller, the Kustomization under it
    stuck = [line for line in result.stdout.splitlines() if "STUCK" in line]
    assert stuck[0].startswith("STUCK Deployment flux-system/kustomize-controller (controller down")
    assert stuck[1].startswith("    STUCK Kustomization flux-system/apps (symptom: reconciled by kustomize-controller")


def test_kubectl_option_refuses_a_file_and_needs_kubectl(examples_project: Path, run, tmp_path: Path, monkeypatch):
    both = run(examples_project, "triage", "--kubectl", str(DATA / "healthy.json"))
    assert both.exit_code == 2 and "give no FILE" in both.stderr
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    missing = run(examples_project, "triage", "--kubectl")
    assert missing.exit_code == 2 and "kubectl is not on PATH" in missing.stderr and "Traceback" not in missing.stderr


def _template_headings(kind: str) -> set[str]:
    templates = Path(__file__).resolve().parents[2] / "ticketgen" / "templates" / "runbooks"
    source = (templates / f"{kind}.md.j2").read_text()
    if "_source.md.j2" in source:
        source = (templates / "_source.md.j2").read_text()
    return set(re.findall(r"^#{2,3} (.+)$", source, re.MULTILINE))


def test_every_step_triage_names_is_a_heading_of_its_template() -> None:
    for kind, steps in RUNBOOK_STEPS.items():
        headings = _template_headings(kind)
        for code, step in steps.items():
            assert step in headings, (kind, code, step)


def test_anchor_is_the_toc_slug_the_site_renders() -> None:
    assert anchor("4. Clear `RetryLimitReached`") == "4-clear-retrylimitreached"
    assert anchor("Stuck deletion (finalizers)") == "stuck-deletion-finalizers"
    # as the built site has it (mkdocs build of this repo: <h3 id="7-restart-a-hung-controller-last-resort">)
    assert anchor("7. Restart a hung controller (last resort)") == "7-restart-a-hung-controller-last-resort"


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


# --- judging every object, root cause first (issue cases; dumps written from upstream shapes) ---------


def triage_cli(name: str, *args: str, cwd: Path | None = None):
    from tests.conftest import run_cli

    return run_cli("triage", str(DATA / name), *NOW_ARG, *args, cwd=cwd or DATA)


def stuck_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.lstrip().startswith("STUCK ")]


def test_kinds_outside_the_seven_are_judged_too() -> None:
    # image-reflector AuthenticationFailed, source-controller's index 404 retried 5h and a chart
    # version that does not exist (Stalled InvalidChartReference), cert-manager Ready=False, a crash-looping Pod
    result = triage_cli("other-kinds.json")
    assert result.exit_code == 1
    assert [line.split(" (")[0] for line in stuck_lines(result.stdout)] == [
        "STUCK ImageRepository flux-system/podinfo",
        "STUCK HelmRepository flux-system/bitnami",
        "STUCK HelmChart flux-system/flux-system-podinfo",
        "STUCK Certificate web/web-tls",
        "STUCK Pod web/web-5f7c9d8b7-k2j4x",
    ]
    assert "ProgressingWithRetry for 5h 0m" in result.stdout and "ContainerCrashLooping" in result.stdout
    assert "runbook: none for Certificate" in result.stdout  # says it has no page, rather than a wrong one


def test_objects_no_rule_speaks_for_make_the_answer_incomplete() -> None:
    result = triage_cli("not-judged.json")
    assert result.exit_code == 3
    assert "NOT JUDGED NetworkPolicy x2" in result.stdout
    assert result.stdout.splitlines()[-1] == "0 of 1 judged resources stuck; INCOMPLETE: 2 not judged"


def test_an_empty_list_is_not_an_all_clear() -> None:
    result = triage_cli("empty-list.json")
    assert result.exit_code == 3
    assert "INCOMPLETE: the dump holds no objects (wrong kube context or namespace?)" in result.stdout


@pytest.mark.parametrize(
    ("dump", "controller", "symptoms", "why"),
    [
        ("controller-down-source.json", "Deployment flux-system/source-controller", [], "ImagePullBackOff"),
        ("controller-down-kustomize.json", "Deployment flux-system/kustomize-controller",
         ["Kustomization flux-system/apps"], "last exit OOMKilled"),
        ("controller-down-tofu.json", "Deployment flux-system/tofu-controller",
         ["Terraform team-a/vpc", "Terraform team-a/dns"], "CrashLoopBackOff"),
    ],
)  # fmt: skip
def test_a_controller_that_is_down_comes_first_with_its_objects_under_it(dump, controller, symptoms, why) -> None:
    result = triage_cli(dump)
    assert result.exit_code == 1
    lines = stuck_lines(result.stdout)
    assert lines[0] == f"STUCK {controller} (controller down: fix it first)"
    assert [line.split(" (")[0] for line in lines[1:]] == [f"    STUCK {s}" for s in symptoms]
    assert why in result.stdout
    assert "#controller-down" in result.stdout.split("\n    STUCK")[0]  # the controller's step, not the symptoms'


def test_terraform_states_the_controller_layer_reads() -> None:
    report = triage_dump(load_dump(str(DATA / "terraform-states.json")), now=NOW)
    assert {f.obj.name: [d.code for d in f.diagnoses] for f in report.findings} == {
        "net": ["artifact-failed"],
        "app": ["dependency-not-ready"],
        "old-vpc": ["terminating"],
        "shared": ["terminating", "deletion-blocked"],
    }
    by_name = {f.obj.name: f for f in report.findings}
    assert "not in the dump (missing, or not dumped): Terraform infra/db" in by_name["app"].diagnoses[0].message
    assert (
        "finalizers: finalizers.tf.contrib.fluxcd.io, tf.dependency.of.consumer"
        in by_name["shared"].diagnoses[0].message
    )
    assert by_name["shared"].anchor == "stuck-deletion-finalizers"
    assert by_name["net"].step == "Source artifact failed"


def test_reconciling_progressing_for_too_long_is_stuck_and_suspended_is_info() -> None:
    result = triage_cli("flux-progressing.json")
    assert result.exit_code == 1
    report = triage_dump(load_dump(str(DATA / "flux-progressing.json")), now=NOW)
    assert {f.obj.name: [d.code for d in f.diagnoses] for f in report.findings} == {
        "apps": ["generation-not-observed", "reconciling"],  # generation 5, observed 4, for 40m
        "infra": ["reconciling"],  # Reconciling=True Progressing for 2h
        "podinfo": ["drift"],  # "correcting cluster drift" for 2h
    }
    assert "apps-dashboards" not in "".join(stuck_lines(result.stdout))
    assert (
        "SUSPENDED Kustomization flux-system/apps-dashboards: spec.suspend is true, for at least 3h 0m" in result.stdout
    )
    assert 'step "Generation not observed"' in result.stdout and 'step "Drift correction loop"' in result.stdout


def test_a_failing_dependency_is_reported_before_what_waits_on_it() -> None:
    result = triage_cli("dependency-chain.json")  # the dump lists `apps` first
    assert result.exit_code == 1
    assert [line.split(" (")[0] for line in stuck_lines(result.stdout)] == [
        "STUCK Kustomization flux-system/infra-controllers",
        "    STUCK Kustomization flux-system/apps",
    ]
    assert "its dependsOn Kustomization flux-system/infra-controllers fails too" in result.stdout
    assert "#1-fix-it-in-git-then-reconcile-the-source-and-the-kustomization" in stuck_and_next(result.stdout)


def stuck_and_next(stdout: str) -> str:
    return "\n".join(stdout.splitlines()[:3])


def test_a_lock_held_by_a_running_apply_is_not_stuck() -> None:
    result = triage_cli("terraform-locks.json")
    assert result.exit_code == 1
    assert [line.split(" (")[0] for line in stuck_lines(result.stdout)] == ["STUCK Terraform infra/dns-c"]
    assert "WAITING Terraform infra/dns-a: state lock held" in result.stdout  # 2 minutes, Ready=Unknown Progressing
    assert "runner pod infra/dns-b-tf-runner is in the dump: not stuck" in result.stdout
    assert "#6-release-the-state-lock" in result.stdout


def test_a_malformed_object_is_a_warning_and_the_rest_is_judged(tmp_path: Path) -> None:
    result = triage_cli("malformed-objects.json")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "WARNING items[0] (Kustomization flux-system/bad-time): status.conditions[Ready].lastTransitionTime: " \
           "'yesterday' is not an RFC 3339 timestamp; not judged" in result.stdout  # fmt: skip
    assert "WARNING items[1] (Terraform infra/bad-approve): spec.approvePlan: expected a string, got 5" in result.stdout
    assert "WARNING items[3] (Kustomization flux-system/far-future): Ready lastTransitionTime: " in result.stdout
    assert "WARNING items[6]: expected an object, got str" in result.stdout
    # durations and timestamps at the ends of the calendar are bounded, not an OverflowError
    assert (
        "STUCK Terraform infra/huge-retry" in result.stdout
        and "STUCK Kustomization flux-system/far-past" in result.stdout
    )
    assert result.stdout.splitlines()[-1].endswith("INCOMPLETE: 4 malformed")
    # with nothing stuck left, the answer is "incomplete", not "all clear"
    dump = json.loads((DATA / "malformed-objects.json").read_text())
    dump["items"] = [
        i for i in dump["items"] if not (isinstance(i, dict) and i["metadata"]["name"] in ("huge-retry", "far-past"))
    ]
    (tmp_path / "dump.json").write_text(json.dumps(dump))
    from tests.conftest import run_cli

    rest = run_cli("triage", str(tmp_path / "dump.json"), *NOW_ARG, cwd=tmp_path)
    assert (
        rest.exit_code == 3 and rest.stdout.splitlines()[-1] == "0 of 1 judged resources stuck; INCOMPLETE: 4 malformed"
    )


def test_an_api_error_and_yaml_get_their_own_messages(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    forbidden = triage_cli("status-forbidden.json")
    assert forbidden.exit_code == 2
    assert "the API answered Forbidden (403)" in forbidden.stderr
    assert "needs `list` on terraforms.infra.contrib.fluxcd.io" in forbidden.stderr
    (tmp_path / "dump.yaml").write_text("apiVersion: v1\nkind: List\nitems: []\n")
    yaml = run_cli("triage", str(tmp_path / "dump.yaml"), cwd=tmp_path)
    assert yaml.exit_code == 2 and "YAML, not JSON" in yaml.stderr and "-o json" in yaml.stderr


def test_json_output_carries_causes_notes_and_what_is_incomplete() -> None:
    chain = triage_cli("dependency-chain.json", "--format", "json")
    assert chain.exit_code == 1
    rows = json.loads(chain.stdout)["stuck"]
    assert [(r["name"], r["cause"]) for r in rows] == [
        ("infra-controllers", None),
        ("apps", "Kustomization/flux-system/infra-controllers"),
    ]
    assert rows[1]["anchor"] == "dependency-not-ready" and rows[1]["step"] == "Dependency not ready"
    partial = json.loads(triage_cli("not-judged.json", "--format", "json").stdout)
    assert partial["not_judged"] == {"NetworkPolicy": 2} and partial["exit_code"] == 3
    assert partial["incomplete"] == ["2 not judged"] and partial["stuck"] == []
