"""Every kind's generated page stays short enough to follow at night, its shell passes
`shellcheck -S warning`, and every `#anchor` it links to is one of its own headings."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from markdown.extensions.toc import slugify

from tests.runbooks.test_generate import BASH, SHELLCHECK, page_blocks, runbook_files

ALL_KINDS = (
    "**Resources:** terraform/team-a/vpc, gitrepository/flux-system/platform, "
    "ocirepository/flux-system/manifests, bucket/flux-system/assets, ks/flux-system/apps, hr/ingest/api, "
    "deployment/ingest/worker\n"
)
PROSE = (  # a ticket that speaks of every kind without naming an object: one kind-level page each
    "### Workarounds\n\nA Terraform, a GitRepository, an OCIRepository, a Kustomization, a HelmRelease and a "
    "Deployment are stuck.\n"
)
# The generic steps triage links to by anchor (and the two kind-specific ones).
GENERIC = ("Stuck deletion (finalizers)", "Dependency not ready", "Controller down", "Generation not observed")


@pytest.fixture
def pages(tmp_path_factory, seed_project: Path, run, write_ticket, ticket_text) -> dict[str, Path]:
    """Named pages of every kind (one ticket names them all), kind-level pages of every kind that has
    prose words (all but Bucket), and the seed's kind-level pages (with a quoted ticket)."""
    named, kinds = tmp_path_factory.mktemp("named"), tmp_path_factory.mktemp("kinds")
    write_ticket(named, "TICKET-001.md", ticket_text(1, meta=ALL_KINDS))
    write_ticket(kinds, "TICKET-001.md", ticket_text(1, body=PROSE))
    projects = {"seed": seed_project, "named": named, "kinds": kinds}
    for project in projects.values():
        assert run(project, "runbooks").exit_code == 0
    return {f"{label}/{p.stem}": p for label, project in projects.items() for p in runbook_files(project)}


def _generated_part(path: Path) -> str:
    """The page without its quoted tickets: their length is the tickets' own, not the template's."""
    return path.read_text(encoding="utf-8").split("\n## Tickets\n", 1)[0]


def test_every_page_is_within_its_word_limit_and_its_quick_path_within_15_lines(pages) -> None:
    assert len(pages) == 15, sorted(pages)
    for stem, path in pages.items():
        words = len(_generated_part(path).split())  # as `wc -w`: code included
        limit = 1500 if stem.split("/")[1].startswith("terraform") else 900
        assert words <= limit, f"{stem}: {words} words (limit {limit})"
        quick = path.read_text(encoding="utf-8").split("\n## Quick path\n", 1)[1].split("\n## ", 1)[0]
        lines = [line for line in quick.splitlines() if line.strip()]
        assert len(lines) <= 15, f"{stem}: quick path has {len(lines)} lines"
        assert any(line.startswith("| ") for line in lines)  # it routes through its table


def test_every_page_has_the_generic_steps_and_links_only_to_its_own_headings(pages) -> None:
    for stem, path in pages.items():
        text = path.read_text(encoding="utf-8")
        headings = re.findall(r"^#{2,3} (.+)$", _generated_part(path), re.MULTILINE)
        for step in GENERIC:
            assert step in headings, (stem, step)
        kind = stem.split("/")[1]
        assert ("Drift correction loop" in headings) == kind.startswith("helmrelease")
        assert ("Source artifact failed" in headings) == kind.startswith("terraform")
        recover = headings.index("Recover")
        numbered = [i for i, h in enumerate(headings) if re.match(r"\d+\. ", h)]
        assert all(recover < i < headings.index(GENERIC[0]) for i in numbered), (stem, headings)
        anchors = {slugify(h, "-") for h in headings}
        for target in re.findall(r"\]\(#([^)]+)\)", _generated_part(path)):
            assert target in anchors, (stem, target)
        assert "<details>" not in text  # folded blocks are `<details markdown>`: rendered on the site too


@pytest.mark.skipif(SHELLCHECK is None or BASH is None, reason="shellcheck or bash not on PATH")
def test_every_generated_shell_block_passes_shellcheck_warning(pages) -> None:
    for stem, path in pages.items():
        for code in page_blocks(path):
            lint = subprocess.run(
                [SHELLCHECK, "-s", "bash", "-S", "warning", "-"], input=code, text=True, capture_output=True
            )
            assert lint.returncode == 0, f"{stem}:\n{code}\n{lint.stdout}"


def test_tofu_controller_logs_never_name_a_container(pages) -> None:
    # The Helm chart names the container `tofu-controller`, the kustomize install `manager`.
    for stem in ("seed/terraform", "named/terraform-team-a-vpc"):
        code = "\n".join(page_blocks(pages[stem]))
        assert " -c manager" not in code and "--container" not in code
        assert "app.kubernetes.io/name=tofu-controller" in code and "control-plane=tofu-controller" in code
        logs = [line for line in code.splitlines() if " logs " in line and "CTRL_DEPLOY" in line]
        assert logs and all("--all-containers --prefix" in line for line in logs), logs
        assert any("--previous" in line for line in logs)


def test_the_helmrelease_fix_step_reconciles_the_parent_kustomization(pages) -> None:
    (fix,) = [c for c in page_blocks(pages["named/helmrelease-ingest-api"]) if "KS_PARENT" in c]
    assert "kustomize\\.toolkit\\.fluxcd\\.io/name" in fix and "kustomize\\.toolkit\\.fluxcd\\.io/namespace" in fix
    assert 'kustomizations.kustomize.toolkit.fluxcd.io/"$KS_PARENT" reconcile.fluxcd.io/requestedAt=' in fix
