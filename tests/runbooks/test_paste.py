"""Runbook blocks pasted into an interactive bash, as a person on call does it.

kubectl, flux and tfctl are stubs that record each call (and answer a few reads from STUB_* values),
so these tests show what a block would run against a cluster. In an interactive shell an expansion
error such as `${NS:?...}` abandons only the current command: a block is safe only when it is one
compound command, so the failed guard stops all of it.
"""

from __future__ import annotations

import base64
import gzip
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
    "ocirepository/flux-system/manifests, ks/flux-system/apps, hr/ingest/api, deployment/ingest/worker\n"
)
STUB = r"""#!/bin/sh
printf '%s\n' "$(basename "$0") $*" >> "$STUB_CALLS"
case "$*" in
  *"get pod"*) printf '%s' "${STUB_POD-}"; exit "${STUB_POD_RC:-0}" ;;
  *"get secret"*) [ -n "${STUB_SECRET-}" ] || exit 1; printf '%s' "$STUB_SECRET" ;;
  *"{.status.lock.pending}"*) printf '%s' "${STUB_LOCK-}" ;;
  *"jsonpath={.spec.approvePlan}"*) printf '%s' "${STUB_APPROVE-}" ;;
  *"{.spec.sourceRef.kind}"*) printf '%s' "${STUB_SRC_KIND-GitRepository}" ;;
  *"{.spec.sourceRef.name}"*) printf 'platform' ;;
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
    assert len(found) == 8, sorted(found)
    return found


def blocks(path: Path) -> tuple[str, str, list[str]]:
    """(Variables block, check block, the generated step blocks) of a runbook page."""
    codes = page_blocks(path)  # the ticket text quoted under "Why" is not the page's
    return codes[0], codes[1], codes[2:]


def filled(variables: str) -> str:
    return variables.replace("_NS=''", "_NS='team-a'").replace("_NAME=''", "_NAME='vpc'")


def block_with(path: Path, needle: str) -> str:
    (code,) = [c for c in blocks(path)[2] if needle in c]
    return code


def test_a_block_pasted_before_the_variables_runs_nothing_in_an_interactive_shell(pages, shell: Shell) -> None:
    checked = 0
    for stem, path in pages.items():
        for code in blocks(path)[2]:
            out = shell.run(code, "echo SHELL-STILL-OPEN")
            assert re.search(r"bash: (\w+): \1 is not set", out), (stem, code, out)
            assert shell.calls == [], f"{stem}: ran without its variables:\n{code}\n{shell.calls}"
            assert "SHELL-STILL-OPEN" in out  # the guard stops the block, not the user's shell
            checked += 1
    assert checked > 40


def test_with_the_variables_set_the_blocks_run_and_assignments_stay(pages, shell: Shell) -> None:
    page = pages["terraform"]
    variables, check, _ = blocks(page)
    source = block_with(page, "SRC_KIND=")
    out = shell.run(filled(variables), check, source, 'echo "got $SRC_KIND/$SRC_NS/$SRC_NAME"')
    assert "got GitRepository/team-a/platform" in out
    assert "kubectl -n team-a get gitrepositories.source.toolkit.fluxcd.io platform" in " ".join(shell.calls)
    for stem, path in pages.items():
        variables, check, generated = blocks(path)
        first = generated[0]
        shell.run(filled(variables), check, first)
        assert shell.calls, f"{stem}: the first step ran nothing with its variables set"
        assert all("-n team-a" in c or "-n flux-system" in c or "-n ingest" in c for c in shell.calls), shell.calls


def test_each_kind_has_its_own_variable_names(pages, shell: Shell) -> None:
    names = {}
    for stem in ("terraform", "gitrepository", "kustomization-flux-system-apps", "helmrelease-ingest-api"):
        variables = blocks(pages[stem])[0]
        names[stem] = [line.split("=", 1)[0] for line in variables.splitlines() if "='" in line]
    assert names["terraform"][:2] == ["TF_NS", "TF_NAME"]
    assert names["gitrepository"] == ["SRC_NS", "SRC_NAME"]
    assert names["kustomization-flux-system-apps"] == ["KS_NS", "KS_NAME"]
    assert names["helmrelease-ingest-api"] == ["HR_NS", "HR_NAME"]
    assert set(VARIABLE_PREFIX.values()) == {"TF", "SRC", "KS", "HR", "DEPLOY"}
    # following the source's runbook in the same shell leaves the Terraform's values alone
    tf_vars, tf_check, _ = blocks(pages["terraform"])
    git_vars = blocks(pages["gitrepository-flux-system-platform"])[0]
    out = shell.run(filled(tf_vars), tf_check, git_vars, 'echo "tf=$TF_NS/$TF_NAME"')
    assert "tf=team-a/vpc" in out


@pytest.mark.parametrize(
    ("value", "problem"),
    [("Team-A", "TF_NS='Team-A' is not a valid RFC 1123 label"), ("a" * 64, "is not a valid RFC 1123 label")],
)
def test_the_check_block_unsets_an_invalid_name_so_later_blocks_stop(pages, shell: Shell, value, problem) -> None:
    variables, check, generated = blocks(pages["terraform"])
    bad = filled(variables).replace("TF_NS='team-a'", f"TF_NS='{value}'")
    out = shell.run(bad, check, generated[0])
    assert problem in out and "bash: TF_NS: TF_NS is not set" in out
    assert shell.calls == []


def test_the_check_block_applies_the_subdomain_rule_to_other_names(pages, shell: Shell) -> None:
    variables, check, _ = blocks(pages["gitrepository"])
    ok = variables.replace("SRC_NS=''", "SRC_NS='flux-system'").replace("SRC_NAME=''", "SRC_NAME='a.b-c'")
    assert "not a valid" not in shell.run(ok, check, 'echo "name=$SRC_NAME"')
    bad = ok.replace("SRC_NAME='a.b-c'", "SRC_NAME='a..b'")
    out = shell.run(bad, check, 'echo "name=${SRC_NAME-unset}"')
    assert "is not a valid RFC 1123 subdomain" in out and "name=unset" in out


def test_force_unlock_refuses_while_the_runner_pod_exists(pages, shell: Shell) -> None:
    page = pages["terraform"]
    variables, check, _ = blocks(page)
    unlock = block_with(page, "tfctl force-unlock")
    out = shell.run(filled(variables), check, unlock, pod="pod/vpc-tf-runner", lock="lock-1")
    assert "refusing to force-unlock" in out
    assert not any(c.startswith("tfctl") for c in shell.calls)
    out = shell.run(filled(variables), check, unlock, pod="", pod_rc="1", lock="lock-1")
    assert "could not check for the runner pod" in out
    assert not any(c.startswith("tfctl") for c in shell.calls)
    shell.run(filled(variables), check, unlock, pod="", lock="lock-1")
    assert "tfctl force-unlock vpc -n team-a --lock-id=lock-1" in shell.calls


def test_state_backup_never_overwrites_and_reports_an_empty_result(pages, shell: Shell) -> None:
    page = pages["terraform"]
    variables, check, _ = blocks(page)
    backup = block_with(page, "tfstate-default-")
    (shell.cwd / "terraform.tfstate").write_text("precious")
    out = shell.run(filled(variables), check, backup)  # the secret is missing: kubectl fails
    assert "backup FAILED" in out and "you may unlock" not in out
    assert sorted(p.name for p in shell.cwd.iterdir()) == ["terraform.tfstate"]  # no empty "backup" left
    state = base64.b64encode(gzip.compress(b'{"version": 4}')).decode()
    out = shell.run(filled(variables), check, backup, secret=state)
    assert "you may unlock" in out
    (saved,) = shell.cwd.glob("tfstate-team-a-vpc-*.tfstate")
    assert saved.read_bytes() == b'{"version": 4}'
    assert (shell.cwd / "terraform.tfstate").read_text() == "precious"


def test_verify_waits_for_ready_only_in_auto_approve_mode(pages, shell: Shell) -> None:
    page = pages["terraform"]
    variables, check, _ = blocks(page)
    ready = block_with(page, "--for=condition=Ready")
    assert "lastHandledReconcileAt" not in ready  # the handled wait is step 3's; Ready waits alone
    out = shell.run(filled(variables), check, ready, approve="")
    assert "not auto" in out
    assert not any("condition=Ready" in c for c in shell.calls)
    shell.run(filled(variables), check, ready, approve="auto")
    assert any("wait terraforms.infra.contrib.fluxcd.io/vpc --for=condition=Ready" in c for c in shell.calls)


def test_an_unknown_source_kind_is_reported_not_ignored(pages, shell: Shell) -> None:
    page = pages["terraform"]
    variables, check, _ = blocks(page)
    fetch = block_with(page, "flux reconcile source git")
    out = shell.run(filled(variables), "SRC_KIND='HelmRepository' SRC_NAME='x' SRC_NS='team-a'", check, fetch)
    assert "unexpected source kind: 'HelmRepository'" in out
    assert shell.calls == []


def test_page_contents_the_review_asked_for(pages) -> None:
    terraform = pages["terraform"].read_text()
    (rc7_row,) = [line for line in terraform.splitlines() if line.startswith("|") and "v0.16.0-rc.7 |" in line]
    go_to = rc7_row.strip("|").split("|")[-1].strip()
    assert go_to.startswith("upgrade to v0.16.0-rc.8"), go_to  # rc.7 ignores step 3's request
    deployment = pages["deployment-ingest-worker"].read_text()
    assert deployment.index("rollout resume") < deployment.index("rollout restart")
    assert deployment.index("rollout resume") < deployment.index("rollout undo")
    assert "gitops-recovery.md" not in deployment and "gitops-recovery.md" in terraform
    oci = pages["ocirepository-flux-system-manifests"].read_text()
    assert "@sha256:<digest>` |" not in oci and "v0.35.0" not in oci
    assert "v0.35.0" in pages["gitrepository"].read_text()
