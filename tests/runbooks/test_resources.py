"""Which resources a ticket names, and which names may never reach a shell."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticketgen.core.config import load_config
from ticketgen.core.errors import ConfigError, ContentError
from ticketgen.core.kinds import KINDS, ResourceRef, invalid_resources, kind_info, parse_ref
from ticketgen.core.parse import parse_document
from ticketgen.core.template import load_schema
from ticketgen.runbooks.collect import collect_resources, load_extra_resources, ticket_resources
from ticketgen.runbooks.detect import detect_in_ticket, kinds_mentioned, shell_commands
from ticketgen.runbooks.generate import shell_literal


def one_ticket(text: str):
    doc = parse_document(text, Path("tickets/t.md"), load_schema(None))
    assert len(doc.tickets) == 1, doc.problems
    return doc.tickets[0]


def shell(code: str) -> str:
    return f"### Workarounds\n\n```bash\n{code}\n```\n"


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "terraform/ns/$(rm -rf ~)",
        "terraform/ns/`id`",
        "terraform/ns/a;b",
        "helmrelease/Ingest/api",  # uppercase namespace
        "helmrelease/ingest/Api",
        "helmrelease/-ingest/api",
        "helmrelease/" + "a" * 64 + "/api",  # namespace over 63
        "helmrelease/ingest/" + "a" * 254,  # name over 253
        "terraform/ns/" + "a" * 64,  # Terraform names are labels (<= 63)
        "terraform/ns/a.b",  # ... so no dots
        "pod/ns/name",  # unknown kind
        "terraform/ns",  # not three parts
        "terraform//name",
    ],
)
def test_unsafe_or_malformed_refs_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_ref(text)


def test_valid_refs_map_short_kinds_to_canonical_ones() -> None:
    assert parse_ref("hr/ingest/ingest-api") == ResourceRef("helmrelease", "ingest", "ingest-api")
    assert parse_ref("ks/flux-system/apps") == ResourceRef("kustomization", "flux-system", "apps")
    assert parse_ref("tf/lotus-lake/lotus-lake-airbyte").kind == "terraform"
    assert parse_ref("deploy/ingest/ingest-worker").kind == "deployment"
    assert parse_ref("gitrepositories.source.toolkit.fluxcd.io/flux-system/platform").kind == "gitrepository"
    assert parse_ref("helmrelease/ingest/" + "a" * 253).name == "a" * 253
    assert parse_ref("gitrepository/flux-system/my.repo").name == "my.repo"


def test_every_kind_has_a_template() -> None:
    templates = Path(__file__).resolve().parents[2] / "ticketgen" / "templates" / "runbooks"
    for info in KINDS:
        assert (templates / f"{info.kind}.md.j2").is_file(), info.kind
        assert kind_info(info.api_kind) is info


# --- declared resources and lint -----------------------------------------------------------


def test_injection_in_a_resources_line_is_a_lint_error_and_no_resource(ticket_text) -> None:
    ticket = one_ticket(ticket_text(1, meta="**Resources:** terraform/ns/$(rm -rf ~), hr/ingest/ingest-api\n"))
    problems = invalid_resources(ticket)
    assert len(problems) == 1
    line, message = problems[0]
    assert line == 7  # the Resources line
    assert "$(rm -rf ~)" in message and "RFC 1123" in message
    assert [str(r) for r, _ in ticket_resources(ticket)] == ["helmrelease/ingest/ingest-api"]


def test_frontmatter_resources_are_declared_and_validated(ticket_text) -> None:
    fm = "resources:\n  - deployment/ingest/ingest-worker\n  - terraform/NS/x\n  - 42\n"
    ticket = one_ticket(ticket_text(2, frontmatter=fm))
    assert [str(r) for r, o in ticket_resources(ticket) if o.how == "frontmatter"] == [
        "deployment/ingest/ingest-worker"
    ]
    messages = [m for _, m in invalid_resources(ticket)]
    assert len(messages) == 2
    assert all(m.startswith("frontmatter `resources`") for m in messages)


def test_settings_rename_the_field_and_reject_unknown_keys(ticket_text, tmp_path) -> None:
    ticket = one_ticket(ticket_text(3, meta="**Affects:** ks/flux-system/apps\n"))
    (tmp_path / "ticketgen.toml").write_text('[runbooks]\nresources_field = "Affects"\n')
    settings = load_config(tmp_path).runbooks
    assert [str(r) for r, _ in ticket_resources(ticket, settings) if not r.is_kind_level] == [
        "kustomization/flux-system/apps"
    ]
    (tmp_path / "ticketgen.toml").write_text('[runbooks]\nresource_field = "x"\n')
    with pytest.raises(ConfigError, match="unknown setting") as err:
        load_config(tmp_path)
    assert err.value.location.line == 2 and err.value.location.path.name == "ticketgen.toml"
    (tmp_path / "ticketgen.toml").write_text("[runbooks]\n\nstuck_after_minutes = 0\n")
    with pytest.raises(ConfigError, match="stuck_after_minutes must be a positive integer") as err:
        load_config(tmp_path)
    assert err.value.location.line == 3


# --- detection in shell blocks --------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("kubectl get helmrelease ingest-api -n ingest -o yaml", ["helmrelease/ingest/ingest-api"]),
        ("kubectl -n ingest get hr ingest-api", ["helmrelease/ingest/ingest-api"]),
        ("kubectl --namespace=ingest describe hr/ingest-api", ["helmrelease/ingest/ingest-api"]),
        ("kubectl rollout restart deployment/minio -n storage", ["deployment/storage/minio"]),
        ("kubectl -n team annotate --overwrite tf/vpc reconcile.fluxcd.io/requestedAt=1", ["terraform/team/vpc"]),
        ("kubectl get hr ingest-api", []),  # kube-context namespace: unknown, not guessed
        ("kubectl get terraforms,gitrepositories -A -o json", []),
        ("kubectl get pods -n ingest", []),
        ("flux reconcile helmrelease ingest-api -n ingest --reset", ["helmrelease/ingest/ingest-api"]),
        ("flux reconcile ks apps", ["kustomization/flux-system/apps"]),  # flux's default namespace
        ("flux reconcile source git platform", ["gitrepository/flux-system/platform"]),
        ("flux reconcile source oci manifests -n apps", ["ocirepository/apps/manifests"]),
        ("flux suspend hr ingest-api -n ingest", ["helmrelease/ingest/ingest-api"]),
        ("flux get helmreleases -n ingest", []),  # a namespace, no object
        ("flux events -n ingest --for HelmRelease/ingest-api", ["helmrelease/ingest/ingest-api"]),
        ("flux --ns-follows-kube-context reconcile ks apps", []),
        ("tfctl replan lotus-lake-airbyte -n lotus-lake", ["terraform/lotus-lake/lotus-lake-airbyte"]),
        ("tfctl reconcile vpc", ["terraform/flux-system/vpc"]),  # tfctl's default namespace
        ("tfctl show plan vpc -n infra", ["terraform/infra/vpc"]),
        ("tfctl suspend --all", []),
        ("$ kubectl get ks apps -n flux-system | grep Ready", ["kustomization/flux-system/apps"]),
        ('kubectl get tf "$NAME" -n "$NS"', []),  # placeholders are not resources
        ("kubectl get tf 'vpc -n infra", []),  # unbalanced quote: skipped, no crash
        ("echo kubectl get hr x -n y && kubectl get tf a -n b", ["terraform/b/a"]),
    ],
)
def test_detection_follows_each_cli(command: str, expected: list[str], ticket_text) -> None:
    ticket = one_ticket(ticket_text(4, body=shell(command)))
    assert [str(r) for r, _ in detect_in_ticket(ticket)] == expected


def test_detection_joins_continuation_lines_and_reports_the_start_line() -> None:
    code = "echo start\nflux reconcile \\\n  source git platform \\\n  -n flux-system"
    commands = list(shell_commands(code, 10))
    assert [(c.program, c.line) for c in commands] == [("flux", 11)]


def test_only_shell_blocks_are_read(ticket_text) -> None:
    body = "### Workarounds\n\n```yaml\ncommand: kubectl get hr x -n y\n```\n\n```python\nkubectl get hr x -n y\n```\n"
    assert detect_in_ticket(one_ticket(ticket_text(5, body=body))) == []


# --- kinds the prose speaks of --------------------------------------------------------------


def test_seed_ticket_speaks_of_terraform_and_its_gitrepository(seed_project: Path) -> None:
    doc = parse_document((seed_project / "TICKETS.md").read_text(), Path("TICKETS.md"), _seed_schema(seed_project))
    (ticket,) = doc.tickets
    assert [k for k, _, _ in kinds_mentioned(ticket)] == ["terraform", "gitrepository"]
    found = collect_resources(doc.tickets)
    assert [str(f.ref) for f in found] == ["gitrepository/*/*", "terraform/*/*"]
    assert all(f.ticket_ids == ["TICKET-001"] for f in found)


def test_a_named_object_replaces_the_kind_level_runbook(ticket_text) -> None:
    body = "HelmRelease trouble.\n\n" + shell("flux reconcile hr api -n web")
    refs = [str(r) for r, _ in ticket_resources(one_ticket(ticket_text(6, body=body)))]
    assert refs == ["helmrelease/web/api"]


def test_kind_words_in_code_do_not_count(ticket_text) -> None:
    body = "### Observed Behavior\n\n```\nTerraform failed\n```\n"
    assert kinds_mentioned(one_ticket(ticket_text(7, body=body))) == []


def _seed_schema(project: Path):
    from ticketgen.core.template import schema_from_text

    return schema_from_text((project / "TICKETS.md").read_text())


# --- runbooks/resources.yaml ------------------------------------------------------------------


def test_resources_yaml_adds_resources(tmp_path: Path) -> None:
    path = tmp_path / "resources.yaml"
    path.write_text("resources:\n  - ks/flux-system/apps\n  - hr/ingest/api\n", encoding="utf-8")
    found = load_extra_resources(path)
    assert [(str(r), o.line) for r, o in found] == [
        ("kustomization/flux-system/apps", 2),
        ("helmrelease/ingest/api", 3),
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("resources:\n  - ks/flux-system/apps\n  - terraform/ns/$(x)\n", 3, "RFC 1123"),
        ("resources:\n  - ks/flux-system/apps\n  - {kind: ks}\n", 3, "must be a kind/namespace/name string"),
        ("resource:\n  - ks/a/b\n", 1, "unknown key"),
        ("resources: ks/a/b\n", 1, "must be a list"),
        ("resources:\n  - [unclosed\n", 3, "not valid YAML"),
    ],
)
def test_resources_yaml_errors_name_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "resources.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match=message) as info:
        load_extra_resources(path)
    assert info.value.location.path == path
    assert info.value.location.line == line


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40), st.text(max_size=40))
def test_anything_accepted_is_one_inert_shell_word(namespace: str, name: str) -> None:
    try:
        ref = parse_ref(f"helmrelease/{namespace}/{name}")
    except ValueError:
        return
    for value in (ref.namespace, ref.name):
        assert shlex.split(shell_literal(value)) == [value]
        assert not set(value) & set("$`'\"\\;&|<>(){}*?!~ \t\n")
