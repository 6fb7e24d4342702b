"""Resources read from the repo's own Kubernetes manifests (`manifests = [...]`, `--manifests DIR`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runbooks.test_generate import frontmatter, page_blocks

DATA = Path(__file__).resolve().parent / "data"
GOTK_SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: platform
  namespace: flux-system
spec:
  interval: 1m
  url: ssh://git@example.com/platform.git
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./deploy
  sourceRef:
    kind: GitRepository
    name: platform
"""
TERRAFORM = """\
apiVersion: infra.contrib.fluxcd.io/v1alpha2
kind: Terraform
metadata:
  name: vpc
  namespace: infra
spec:
  interval: 5m
  approvePlan: auto
  sourceRef:
    kind: GitRepository
    name: platform
    namespace: flux-system
"""
KUSTOMIZE = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ingest\nresources:\n  - release.yaml\n"
RELEASE = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: cube
spec:
  interval: 10m
  chart:
    spec:
      chart: cube
      sourceRef:
        kind: HelmRepository
        name: charts
        namespace: flux-system
"""
CHART_TEMPLATE = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repo laid out as Flux users do: clusters/ with the sync objects, deploy/ with a kustomize
    folder and a Helm chart; one ticket that names none of the manifests' objects."""
    files = {
        "clusters/prod/flux-system/gotk-sync.yaml": GOTK_SYNC,
        "clusters/prod/infra/terraform.yml": TERRAFORM,
        "deploy/ingest/kustomization.yaml": KUSTOMIZE,
        "deploy/ingest/release.yaml": RELEASE,
        "deploy/charts/cube/Chart.yaml": "apiVersion: v2\nname: cube\nversion: 1.0.0\n",
        "deploy/charts/cube/templates/deployment.yaml": CHART_TEMPLATE,
        "deploy/README.md": "not YAML\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ticketgen]\nmanifests = ["clusters/", "deploy/"]\n', encoding="utf-8"
    )
    return tmp_path


def test_resources_come_from_the_manifests(repo: Path, run) -> None:
    result = run(repo, "resources", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = {r["resource"]: r for r in json.loads(result.stdout)["resources"]}
    assert sorted(rows) == [
        "gitrepository/flux-system/platform",
        "helmrelease/ingest/cube",  # namespace from the kustomization.yaml next to it
        "kustomization/flux-system/apps",  # Flux's Kustomization, not kustomize's
        "terraform/infra/vpc",
    ]
    assert rows["terraform/infra/vpc"]["source"] == "GitRepository flux-system/platform"
    assert rows["helmrelease/ingest/cube"]["source"] == "HelmRepository flux-system/charts"
    assert rows["kustomization/flux-system/apps"]["source"] == "GitRepository flux-system/platform"
    (origin,) = rows["kustomization/flux-system/apps"]["origins"]
    assert origin == {
        "how": "manifest",
        "path": "clusters/prod/flux-system/gotk-sync.yaml",
        "line": 10,  # the second document of the file
        "ticket": None,
        "detail": "Kustomization flux-system/apps",
    }


def test_the_manifests_option_overrides_the_setting(repo: Path, run) -> None:
    result = run(repo, "resources", "--manifests", "deploy")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("helmrelease/ingest/cube")
    assert "terraform/infra/vpc" not in result.stdout


def test_a_helmrelease_no_ticket_names_gets_a_runbook_and_triage_finds_it(repo: Path, run) -> None:
    result = run(repo, "runbooks")
    assert result.exit_code == 0, result.stderr
    page = repo / "runbooks" / "helmrelease-ingest-cube.md"
    assert frontmatter(page)["tickets"] == []
    text = page.read_text(encoding="utf-8")
    assert "deploy/ingest/release.yaml line 1 defines it" in text
    assert page_blocks(page)[0].startswith("export HR_NS='ingest'\nexport HR_NAME='cube'")
    terraform = (repo / "runbooks" / "terraform-infra-vpc.md").read_text(encoding="utf-8")
    assert "Its source (from the repo's manifests): GitRepository flux-system/platform." in terraform
    dump = json.loads((DATA / "helmrelease-retries-exceeded.json").read_text())
    for item in dump["items"]:
        item["metadata"].update(name="cube", namespace="ingest")
    triage = run(repo, "triage", "-", "--now", "2026-11-26T09:00:00Z", input=json.dumps(dump))
    assert triage.exit_code == 1
    assert 'runbook: runbooks/helmrelease-ingest-cube.md#1-find-the-cause, step "1. Find the cause"' in triage.stdout


def test_a_ticket_naming_an_object_the_manifests_lack_is_warned(repo: Path, run, write_ticket, ticket_text) -> None:
    write_ticket(repo, "TICKET-001.md", ticket_text(1, meta="**Resources:** hr/ingest/cube, hr/ingest/cubes\n"))
    result = run(repo, "runbooks")
    assert result.exit_code == 0
    assert "tickets/TICKET-001.md:7: names helmrelease/ingest/cubes, which the manifests" in result.stderr
    assert "helmrelease/ingest/cube," not in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x [1]\nb: *x\n", "release.yaml:2: aliases (*name) are not allowed"),
        (
            "kind: !!python/object:os.system x\n",
            "release.yaml:1: YAML tag 'tag:yaml.org,2002:python/object:os.system' is not read",
        ),
        ("kind: HelmRelease\nmetadata: [unclosed\n", "release.yaml:3: not valid YAML"),
    ],
)
def test_unsafe_or_broken_yaml_is_an_error_naming_file_and_line(repo: Path, run, text: str, message: str) -> None:
    (repo / "deploy" / "ingest" / "release.yaml").write_text(text, encoding="utf-8")
    result = run(repo, "resources")
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output


def test_an_object_without_a_namespace_is_warned_not_guessed(repo: Path, run) -> None:
    (repo / "deploy" / "ingest" / "kustomization.yaml").unlink()
    result = run(repo, "resources")
    assert result.exit_code == 0
    assert "deploy/ingest/release.yaml:1: HelmRelease without metadata.namespace" in result.stderr
    assert "helmrelease/" not in result.stdout


def test_a_missing_manifests_folder_is_a_config_error(repo: Path, run) -> None:
    (repo / "pyproject.toml").write_text('[tool.ticketgen]\nmanifests = ["nope/"]\n', encoding="utf-8")
    result = run(repo, "resources")
    assert result.exit_code == 2 and "manifests: 'nope/' does not exist" in result.stderr
