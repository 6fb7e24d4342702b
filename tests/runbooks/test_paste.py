"""Runbook blocks pasted into an interactive bash, as a person on call does it.

kubectl, flux and tfctl are stubs that record each call (and answer a few reads from STUB_* values),
so these tests show what a block would run against a cluster. In an interactive shell an expansion
error such as `${NS:?...}` abandons only the current command: a block is safe only when it is one
compound command, so the failed guard stops all of it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.runbooks.test_generate import page_blocks, runbook_files
from ticketgen.runbooks.generate import VARIABLE_PREFIX

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="bash not on PATH")

ALL_KINDS = (
    "**Resources:** terraform/team-a/vpc, gitrepository/flux-system/platform, "
    "ocirepository/flux-system/manifests, bucket/flux-system/assets, ks/flux-system/apps, hr/ingest/api, "
    "deployment/ingest/worker\n"
)
STUB = r"""#!/bin/sh
printf '%s\n' "$(basename "$0") $*" >> "$STUB_CALLS"
case "$*" in
  *"get pod"*) printf '%s' "${STUB_POD-}"; exit "${STUB_POD_RC:-0}" ;;
  *"get secret"*) [ -n "${STUB_SECRET-}" ] || exit 1; printf '%s' "$STUB_SECRET" ;;
  *"{.status.lock.pending}"*) printf '%s' "${STUB_LOCK-}" ;;
  *"jsonpath={.spec.approvePlan}"*) printf '%s' "${STUB_APPROVE-}" ;;
  *"{.metadata.labels.kustomize"*) printf '%s\n' "${STUB_PARENT-/}" ;;
  *"{.spec.sourceRef.kind} {.spec.sourceRef.name}"*) printf '%s platform \n' "${STUB_SRC_KIND-GitRepository}" ;;
  *"get deploy -l app.kubernetes.io/name=tofu-controller -o name"*) printf 'deployment.apps/tofu-controller\n' ;;
esac
exit 0
"""


class Shell:
    """`bash -i` fed through stdin, with stubbed kubectl/flux/tfctl; cwd is a fresh directory."""

    def __init__(self, tmp: Path) -> None:
        self.bin = tmp / "bin"
        self.bin.mkdir()
        for tool in ("kubectl", "flux", "tfctl"):
            (self.bin / tool).write_text(STUB)
            (self.bin / tool).chmod(0o755)
        self.calls_file = tmp / "calls.txt"
        self.cwd = tmp / "work"
        self.cwd.mkdir()
        self.home = tmp / "home"  # bash -i writes its history there
        self.home.mkdir()

    def run(self, *pasted: str, **stub: str) -> str:
        """Paste each text in turn into one interactive shell; its stdout and stderr together."""
        self.calls_file.write_text("")
        env = {
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(self.home),
            "TERM": "dumb",
            "STUB_CALLS": str(self.calls_file),
            **{f"STUB_{k.upper()}": v for k, v in stub.items()},
        }
        script = "".join(p if p.endswith("\n") else p + "\n" for p in pasted) + "exit\n"
        done = subprocess.run(
            [BASH, "--norc", "--noprofile", "--noediting", "-i"],  # no echo of the input
            input=script,
            text=True,
            capture_output=True,
            env=env,
            cwd=self.cwd,
            timeout=60,
        )
        return done.stdout + done.stderr

    @property
    def calls(self) -> list[str]:
        return self.calls_file.read_text().splitlines()


@pytest.fixture
def shell(tmp_path_factory: pytest.TempPathFactory) -> Shell:
    return Shell(tmp_path_factory.mktemp("shell"))


@pytest.fixture
def pages(tmp_path_factory, seed_project: Path, run, write_ticket, ticket_text) -> dict[str, Path]:
    """Every generated page: kind-level (seed) and one per kind (a ticket naming them all)."""
    named = tmp_path_factory.mktemp("named")
    write_ticket(named, "TICKET-001.md", ticket_text(1, meta=ALL_KINDS))
    for project in (seed_project, named):
        result = run(project, "runbooks")
        assert result.exit_code == 0, result.stderr
    found = {p.stem: p for project in (seed_project, named) for p in runbook_files(project)}
    assert len(found) == 9, sorted(found)
    return found


def blocks(path: Path) -> tuple[str, list[str]]:
    """(Set up block then the Quick path's read-only line, the step blocks) of a runbook page."""
    codes = page_blocks(path)  # the ticket text quoted under "Tickets" is not the page's
    return codes[0] + codes[1], codes[2:]


def filled(quick: str) -> str:
    return quick.replace("_NS=''", "_NS='team-a'").replace("_NAME=''", "_NAME='vpc'")


def block_with(path: Path, needle: str) -> str:
    (code,) = [c for c in blocks(path)[1] if needle in c]
    return code


def test_a_block_pasted_before_the_quick_path_runs_nothing_in_an_interactive_shell(pages, shell: Shell) -> None:
    checked = 0
    for stem, path in pages.items():
        for code in blocks(path)[1]:
            out = shell.run(code, "echo SHELL-STILL-OPEN")
            assert re.search(r"bash: (\w+_STOP): paste Set up first", out), (stem, code, out)
            assert shell.calls == [], f"{stem}: ran without its variables:\n{code}\n{shell.calls}"
            assert "SHELL-STILL-OPEN" in out  # the guard stops the block, not the user's shell
            checked += 1
    assert checked > 50


def test_the_quick_path_is_read_only_and_then_the_steps_run(pages, shell: Shell) -> None:
    for stem, path in pages.items():
        quick, steps = blocks(path)
        shell.run(filled(quick))
        (call,) = shell.calls
        assert " get " in call and "-o jsonpath=" in call, (stem, call)
        shell.run(filled(quick), steps[0])
        assert len(shell.calls) > 1, f"{stem}: the first step ran nothing with its variables set"
        assert all(re.search(r"-n (team-a|flux-system|ingest) ", c) for c in shell.calls), shell.calls


def test_the_source_block_finds_the_source_and_keeps_its_values(pages, shell: Shell) -> None:
    page = pages["terraform"]
    quick, _ = blocks(page)
    source = block_with(page, "SRC_RESOURCE")
    out = shell.run(filled(quick), source, 'echo "got $SRC_KIND/$SRC_NS/$SRC_NAME"')
    assert "got GitRepository/team-a/platform" in out
    calls = " ".join(shell.calls)
    assert "-n team-a annotate --overwrite --field-manager=flux-client-side-apply " in calls
    assert "gitrepository.source.toolkit.fluxcd.io/platform reconcile.fluxcd.io/requestedAt=" in calls


def test_each_kind_has_its_own_variable_names(pages, shell: Shell) -> None:
    names = {}
    for stem in ("terraform", "gitrepository", "kustomization-flux-system-apps", "helmrelease-ingest-api"):
        quick = blocks(pages[stem])[0]
        names[stem] = [m.group(1) for m in re.finditer(r"^export ([A-Z_]+)='", quick, re.MULTILINE)]
    assert names["terraform"] == ["TF_NS", "TF_NAME", "CTRL_NS"]
    assert names["gitrepository"] == ["SRC_NS", "SRC_NAME"]
    assert names["kustomization-flux-system-apps"] == ["KS_NS", "KS_NAME"]
    assert names["helmrelease-ingest-api"] == ["HR_NS", "HR_NAME"]
    assert set(VARIABLE_PREFIX.values()) == {"TF", "SRC", "KS", "HR", "DEPLOY"}
    # following the source's runbook in the same shell leaves the Terraform's values alone
    tf_quick = filled(blocks(pages["terraform"])[0])
    git_quick = blocks(pages["gitrepository-flux-system-platform"])[0]
    out = shell.run(tf_quick, git_quick, 'echo "tf=$TF_NS/$TF_NAME"')
    assert "tf=team-a/vpc" in out


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("Team-A", "TF_NS='Team-A' is not an RFC 1123 label"),
        ("a" * 64, "is not an RFC 1123 label"),
        ("$(touch pwned)", "is not an RFC 1123"),
    ],
)
def test_an_invalid_name_stops_the_quick_path_and_every_step(pages, shell: Shell, value, problem) -> None:
    quick, steps = blocks(pages["terraform"])
    bad = filled(quick).replace("TF_NS='team-a'", f"TF_NS='{value}'")
    out = shell.run(bad, steps[0])
    assert problem in out and "bash: TF_STOP: paste Set up first" in out
    assert shell.calls == [] and not (shell.cwd / "pwned").exists()
    # fixed after the Quick path was pasted: the next block checks again
    out = shell.run(filled(quick), 'TF_NAME="Bad"', steps[0])
    assert "TF_NAME='Bad' is not an RFC 1123" in out and not any("patch" in c for c in shell.calls)


def test_the_check_applies_the_subdomain_rule_to_other_names(pages, shell: Shell) -> None:
    quick, steps = blocks(pages["gitrepository"])
    ok = quick.replace("SRC_NS=''", "SRC_NS='flux-system'").replace("SRC_NAME=''", "SRC_NAME='a.b-c'")
    assert "not an RFC 1123" not in shell.run(ok)
    out = shell.run(ok.replace("SRC_NAME='a.b-c'", "SRC_NAME='a..b'"), steps[0])
    assert "SRC_NAME='a..b' is not an RFC 1123 subdomain" in out and shell.calls == []


def test_force_unlock_refuses_while_the_runner_pod_exists(pages, shell: Shell) -> None:
    page = pages["terraform"]
    quick = filled(blocks(page)[0])
    unlock = block_with(page, '"forceUnlock":"yes"')
    out = shell.run(quick, unlock, pod="pod/vpc-tf-runner", lock="lock-1")
    assert "not unlocking: runner pod pod/vpc-tf-runner" in out and not any("patch" in c for c in shell.calls)
    out = shell.run(quick, unlock, pod="", pod_rc="1", lock="lock-1")
    assert "not unlocking: runner pod (unknown)" in out and not any("patch" in c for c in shell.calls)
    out = shell.run(quick, unlock, pod="", lock="x\"}}}' ; touch pwned")
    assert "unexpected id" in out and not any("patch" in c for c in shell.calls)
    shell.run(quick, unlock, pod="", lock="f2ab685b-f84d-ac0b-a125-378a22877e8d")
    patch = '{"spec":{"tfstate":{"forceUnlock":"yes","lockIdentifier":"f2ab685b-f84d-ac0b-a125-378a22877e8d"}}}'
    assert f"kubectl -n team-a patch terraforms.infra.contrib.fluxcd.io vpc --type=merge -p {patch}" in shell.calls


def test_force_unlock_is_undone_on_the_live_object(pages, shell: Shell) -> None:
    page = pages["terraform"]
    cleanup = block_with(page, '"forceUnlock":null')
    shell.run(filled(blocks(page)[0]), cleanup)
    assert shell.calls[-1] == (
        "kubectl -n team-a patch terraforms.infra.contrib.fluxcd.io vpc --type=merge "
        '-p {"spec":{"tfstate":{"forceUnlock":null,"lockIdentifier":null}}}'
    )


def test_the_controller_restart_lists_running_runners_first(pages, shell: Shell) -> None:
    page = pages["terraform"]
    quick = filled(blocks(page)[0])
    restart = block_with(page, "rollout restart")
    out = shell.run(quick, restart, pod="team-b   db-tf-runner")
    assert "runs in progress" in out and "db-tf-runner" in out
    assert not any("rollout restart" in c for c in shell.calls)
    assert any("get pods -A -l app.kubernetes.io/name=tf-runner" in c for c in shell.calls)
    shell.run(quick, "TF_RESTART_ANYWAY=yes", restart, pod="team-b   db-tf-runner")
    assert "kubectl -n flux-system rollout restart deployment.apps/tofu-controller" in shell.calls
    shell.run(quick, "TF_RESTART_ANYWAY=no", restart, pod="")
    assert "kubectl -n flux-system rollout restart deployment.apps/tofu-controller" in shell.calls


def test_waits_allow_long_runs(pages, shell: Shell) -> None:
    page = pages["terraform"]
    quick = filled(blocks(page)[0])
    run_block = block_with(page, "lastHandledReconcileAt")
    shell.run(quick, run_block)
    (wait,) = [c for c in shell.calls if " wait " in c]
    assert wait.endswith("--timeout=2h")
    shell.run(quick, "TF_WAIT=6h", run_block)
    assert [c for c in shell.calls if " wait " in c][0].endswith("--timeout=6h")


def test_an_unknown_source_kind_is_reported_not_ignored(pages, shell: Shell) -> None:
    page = pages["terraform"]
    fetch = block_with(page, "SRC_RESOURCE")
    out = shell.run(filled(blocks(page)[0]), fetch, src_kind="HelmRepository")
    assert "unexpected source kind: 'HelmRepository'" in out
    assert not any("annotate" in c for c in shell.calls)


def test_the_helmrelease_fix_reconciles_its_parent_kustomization_and_its_source(pages, shell: Shell) -> None:
    page = pages["helmrelease-ingest-api"]
    quick = filled(blocks(page)[0])
    fix = block_with(page, "KS_PARENT")
    shell.run(quick, fix, parent="flux-system/apps")
    calls = shell.calls
    assert any("kubectl -n ingest get helmreleases.helm.toolkit.fluxcd.io api" in c for c in calls)
    assert any(
        c.startswith("kubectl -n flux-system get kustomizations.kustomize.toolkit.fluxcd.io apps") for c in calls
    )
    source = [
        c for c in calls if "gitrepository.source.toolkit.fluxcd.io/platform reconcile.fluxcd.io/requestedAt=" in c
    ]
    parent = [
        c for c in calls if "kustomizations.kustomize.toolkit.fluxcd.io/apps reconcile.fluxcd.io/requestedAt=" in c
    ]
    assert source and source[0].startswith("kubectl -n flux-system annotate")  # the parent's namespace
    assert parent and calls.index(source[0]) < calls.index(parent[0])  # the source first, as --with-source
    assert not any("helmreleases.helm.toolkit.fluxcd.io/api reconcile" in c for c in calls)  # the new spec does it
    out = shell.run(quick, fix)  # no kustomize.toolkit.fluxcd.io labels: said, and the release alone
    assert "no Kustomization applies it" in out
    assert any("helmreleases.helm.toolkit.fluxcd.io/api reconcile.fluxcd.io/requestedAt=" in c for c in shell.calls)


def test_deployment_history_comes_before_undo_in_its_own_block(pages, shell: Shell) -> None:
    page = pages["deployment-ingest-worker"]
    history = block_with(page, "rollout history")
    undo = block_with(page, "rollout undo")
    assert history != undo and "undo" not in history
    text = page.read_text()
    assert text.index("rollout resume") < text.index("rollout history") < text.index("rollout undo")
    quick = filled(blocks(page)[0])
    shell.run(quick, "DEPLOY_REVISION=3", undo)
    assert "kubectl -n ingest rollout undo deployment/worker --to-revision=3" in shell.calls


def test_every_page_opens_with_its_quick_path(pages) -> None:
    for stem, path in pages.items():
        body = path.read_text().split("\n---\n", 1)[1]
        headings = re.findall(r"^## (.+)$", body, re.MULTILINE)
        assert headings[:3] == ["Set up", "Quick path", "Recover"], (stem, headings)
        quick = body.split("## Quick path", 1)[1].split("## Recover", 1)[0]
        table = [line for line in quick.splitlines() if line.startswith("| ")][1:]
        assert 2 <= len(table) <= 9, stem  # a small table from what the command prints to a section
        assert all(re.search(r"\| .*\[[^]]+\]\(#[a-z0-9-]+\).*\|$", row) for row in table), table
        # every tfctl and flux command the page's steps name has a kubectl block beside it
        recover = body.split("## Recover", 1)[1].split("<details>", 1)[0]
        for step in re.split(r"^### ", recover, flags=re.MULTILINE)[1:]:
            if re.search(r"`(tfctl|flux) (resume|reconcile|replan|force-unlock)", step):
                assert "```bash" in step and "kubectl" in step, step[:200]
