"""Every rule's documented failing example fails and its passing example passes, and the real
fixtures (the seed, the INC- examples) produce exactly the findings they should, at the right lines."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, run_cli
from tests.lint.conftest import codes_at, lint_json, make_project
from ticketgen.lint.rule import EXAMPLE
from ticketgen.lint.rules import all_rules

RULES = all_rules()
_FILE_HINT = re.compile(r"^<!-- file: (\S+) -->\n")


def _example_files(text: str) -> dict[str, str]:
    """The file an example names in its hint; `\\r` there is a real control character (TG019)."""
    m = _FILE_HINT.match(text)
    return {m.group(1).replace("\\r", "\r") if m else "tickets/TICKET-001-example.md": text}


# The manifests TG051's examples are read against: a HelmRelease ingest/cube.
MANIFESTS = {
    "deploy/ingest/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
    "namespace: ingest\n",
    "deploy/ingest/release.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: cube\n",
}
# What a rule's examples need besides the ticket: (settings, other files).
_SETUP = {"TG051": ('manifests = ["deploy/"]\n', MANIFESTS)}


@pytest.mark.parametrize("code", [c for c in RULES if c != "TG001"])
def test_failing_example_fails_and_passing_example_passes(tmp_path: Path, code: str):
    rule = RULES[code]
    config, files = _SETUP.get(code, ("", {}))
    _, bad = lint_json(make_project(tmp_path / "bad", {**files, **_example_files(rule.bad)}, config))
    assert code in {f["code"] for f in bad}, f"{code}'s failing example does not trigger it: {bad}"
    _, good = lint_json(make_project(tmp_path / "good", {**files, **_example_files(rule.good)}, config))
    assert code not in {f["code"] for f in good}
    assert [f for f in good if f["severity"] == "error"] == []


def test_the_base_example_is_clean(tmp_path: Path):
    code, findings = lint_json(make_project(tmp_path, _example_files(EXAMPLE)))
    assert (code, findings) == (0, [])


def test_seed_lints_without_errors(seed_doc_project: Path):
    code, findings = lint_json(seed_doc_project)
    assert code == 0
    assert {f["severity"] for f in findings} <= {"warning", "info"}
    current = next(f for f in findings if "'Current Workarounds'" in f["message"])
    assert (current["code"], current["line"]) == ("TG024", 45)
    assert "closest template section: 'Workarounds'" in current["message"]


def test_examples_produce_the_findings_their_readme_describes(examples_project: Path):
    code, findings = lint_json(examples_project)
    assert code == 1
    got = codes_at(findings)
    notes, inc13 = "platform-notes.md", "tickets/INC-013-crlf-and-mismatch.md"
    expected = {
        ("TG015", notes, 131),  # Discovered: 2026-13-40
        ("TG041", notes, 86),  # INC-003 is not defined
        ("TG041", notes, 87),  # INC-011 does not exist
        ("TG022", notes, 144),  # empty Expected Behavior
        ("TG014", notes, 93),  # resolved
        ("TG014", notes, 94),  # medium
        ("TG018", inc13, 6),  # frontmatter says Resolved, the line says Open (BOM + CRLF file)
        ("TG020", notes, 91),  # INC-008 has no Action Items
        ("TG034", notes, 81),  # * bullets
        ("TG034", notes, 82),
        ("TG033", notes, 82),  # [X]
        ("TG007", notes, 15),  # FLOW-001 is another kind of record: info only
        ("TG024", notes, 101),  # Current Workarounds
    }
    assert expected <= got
    errors = {(c, p, n) for c, p, n in got if next(f for f in findings if f["code"] == c)["severity"] == "error"}
    assert errors == {x for x in expected if x[0] in {"TG015", "TG041", "TG018", "TG020"}}
    flow = next(f for f in findings if f["code"] == "TG007")
    assert flow["severity"] == "info"
    # qualifiers in parentheses are allowed; extra frontmatter keys and the registry ticket are clean
    assert not [
        f for f in findings if f["path"] == "tickets/INC-012-registry-pull-secret.md" and f["severity"] != "info"
    ]
    assert not [f for f in findings if f["code"] == "TG013"]


def test_aliases_count_as_the_template_section_and_silence_unknown_section(examples_project: Path):
    (examples_project / "ticketgen.toml").write_text(
        'template = "platform-notes.md"\ndocuments = ["platform-notes.md"]\n'
        '[lint]\naliases = {"Current Workarounds" = "Workarounds", "Workaround" = "Workarounds"}\n'
    )
    _, findings = lint_json(examples_project)
    unknown = {f["line"] for f in findings if f["code"] == "TG024"}
    assert 101 not in unknown and 70 not in unknown
    assert 53 in unknown  # Root Cause is still reported


def test_required_sections_are_configurable_per_status(examples_project: Path):
    (examples_project / "ticketgen.toml").write_text(
        'template = "platform-notes.md"\ndocuments = ["platform-notes.md"]\n'
        '[lint]\nrequired_sections = {default = ["Problem Statement", "Action Items"], resolved = ["Problem Statement"]}\n'
    )
    _, findings = lint_json(examples_project)
    assert not [f for f in findings if f["code"] == "TG020"]


def test_ticket_rules_with_another_template_need_no_code_change(tmp_path: Path):
    template = "## BUG-000: Title\n\n**State:** New | Fixed\n**Seen:** YYYY-MM-DD\n\n### Summary\nWhat?\n\n### Steps\n- [ ] step\n"
    ticket = "## BUG-007: Crash\n\n**State:** Fixd\n**Seen:** 2026-02-30\n\n### Steps\n- [ ] reproduce\n"
    root = tmp_path
    (root / "tickets").mkdir()
    (root / "tickets" / "_template.md").write_text(template)
    (root / "tickets" / "BUG-007-crash.md").write_text(ticket)
    _, findings = lint_json(root)
    assert {(f["code"], f["line"]) for f in findings if f["severity"] == "error"} == {
        ("TG013", 3),  # Fixd is not New | Fixed
        ("TG015", 4),  # February 30th
        ("TG020", 1),  # no Summary (the template's first section)
    }


def test_placeholders_from_the_template_are_reported(tmp_path: Path):
    template = (Path(__file__).parents[2] / "ticketgen" / "data" / "template.md").read_text()
    root = make_project(tmp_path, {"tickets/TICKET-003.md": template.replace("TICKET-XXX", "TICKET-003")})
    _, findings = lint_json(root)
    placeholders = {f["line"] for f in findings if f["code"] == "TG023"}
    # The choice and date placeholders are no value at all: errors. The title and the text field
    # are, in a draft, part of its one warning, with the sections.
    assert placeholders == {3, 4, 5}
    (draft,) = [f["message"] for f in findings if f["code"] == "TG026" and f["line"] == 9]
    assert draft.startswith("draft: 7 sections to write") and "(Problem Statement, Observed Behavior," in draft
    assert draft.endswith("; placeholders to fill: the title, Component")
    assert not [f for f in findings if f["code"] in ("TG013", "TG015")]  # no double report
    written = (root / "tickets/TICKET-003.md").read_text().replace("What's broken or limiting?", "It breaks.")
    for section in ("What actually happens?", "What should happen?", "Current ways to deal with it.",
                    "Ideas for fixing properly.", "Concrete next steps", "Links to relevant docs/issues"):  # fmt: skip
        written = written.replace(section, "Written.")
    (root / "tickets/TICKET-003.md").write_text(written)
    _, findings = lint_json(root)  # no longer a draft: every placeholder left is an error
    assert {f["line"] for f in findings if f["code"] == "TG023"} == {1, 3, 4, 5, 6}
    assert not [f for f in findings if f["code"] == "TG026"]


def test_malformed_heading_and_empty_file_are_findings(tmp_path: Path):
    root = make_project(
        tmp_path,
        {
            "tickets/TICKET-009.md": "## TICKET-9a: Bad id\n\ntext\n",
            "tickets/notes.md": "# Just notes\n",
        },
    )
    code, findings = lint_json(root)
    assert code == 1
    assert {(f["code"], f["path"], f["line"]) for f in findings} == {
        ("TG003", "tickets/TICKET-009.md", 1),
        ("TG008", "tickets/notes.md", 1),
    }


def test_unreadable_files_are_findings_not_crashes(tmp_path: Path):
    root = make_project(tmp_path, {"tickets/TICKET-001-ok.md": EXAMPLE}, config="max_file_bytes = 2000\n")
    (root / "tickets" / "TICKET-002-latin1.md").write_bytes(b"## TICKET-002: Caf\xe9\n")
    (root / "tickets" / "TICKET-003-binary.md").write_bytes(b"## TICKET-003: x\n\x00\n")
    (root / "tickets" / "TICKET-004-huge.md").write_text("x" * 3000)
    (root / "tickets" / "TICKET-005-yaml.md").write_text("---\ntags: [a\n---\n" + EXAMPLE.replace("001", "005"))
    code, findings = lint_json(root)
    assert code == 1
    got = {(f["code"], f["path"], f["line"]) for f in findings if f["severity"] == "error"}
    assert got == {
        ("TG001", "tickets/TICKET-002-latin1.md", 1),
        ("TG001", "tickets/TICKET-003-binary.md", 2),
        ("TG001", "tickets/TICKET-004-huge.md", 1),
        ("TG002", "tickets/TICKET-005-yaml.md", 3),
    }


def test_duplicate_ids_across_files_name_each_other(tmp_path: Path):
    other = EXAMPLE.replace("Login fails after a password reset", "Avatars do not load")
    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": EXAMPLE, "tickets/more/TICKET-001-b.md": other})
    _, findings = lint_json(root)
    dups = sorted((f["path"], f["message"]) for f in findings if f["code"] == "TG006")
    assert dups == [
        ("tickets/TICKET-001-a.md", "TICKET-001 is also defined at tickets/more/TICKET-001-b.md:1"),
        ("tickets/more/TICKET-001-b.md", "TICKET-001 is also defined at tickets/TICKET-001-a.md:1"),
    ]


def test_files_on_the_command_line_still_see_every_id(tmp_path: Path):
    mention = EXAMPLE.replace("TICKET-001", "TICKET-002").replace("on password reset", "on reset (see TICKET-001)")
    root = make_project(
        tmp_path,
        {
            "tickets/TICKET-001-a.md": EXAMPLE.replace("**Status:** Open", "**Status:** Opne"),
            "tickets/TICKET-002-b.md": mention,
            "tickets/TICKET-003-c.md": mention.replace("TICKET-002", "TICKET-003").replace("TICKET-001", "TICKET-009"),
        },
    )
    code, findings = lint_json(root, str(root / "tickets/TICKET-002-b.md"), str(root / "tickets/TICKET-003-c.md"))
    assert code == 1
    assert codes_at(findings) == {("TG041", "tickets/TICKET-003-c.md", 14)}  # TICKET-001 exists; TICKET-009 does not
    code, findings = lint_json(root, str(root / "tickets/TICKET-002-b.md"))
    assert (code, findings) == (0, [])


def test_the_template_named_on_the_command_line_is_skipped_with_a_note(tmp_path: Path):
    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": EXAMPLE})
    result = run_cli("lint", "tickets/_template.md", "tickets/TICKET-001-a.md", cwd=root)
    assert result.exit_code == 0
    assert "skipped: tickets/_template.md" in result.stderr
    assert result.stdout == "All good: 1 file checked, no findings.\n"


def test_a_markdown_file_named_outside_tickets_dir_is_linted_against_the_template(tmp_path: Path):
    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": EXAMPLE})
    (root / "notes.md").write_text(
        EXAMPLE.replace("TICKET-001", "TICKET-002").replace("**Status:** Open", "**Status:** Opn")
    )
    code, findings = lint_json(root, "notes.md")
    assert code == 1
    assert {(f["code"], f["path"], f["line"]) for f in findings} == {("TG013", "notes.md", 3)}


def test_a_folder_is_linted_recursively_ticket_files_only(tmp_path: Path):
    bad = EXAMPLE.replace("**Status:** Open", "**Status:** Opn")
    root = make_project(
        tmp_path,
        {
            "tickets/TICKET-001-a.md": EXAMPLE,
            "tickets/db/TICKET-002-b.md": bad.replace("TICKET-001", "TICKET-002"),
            "tickets/TICKET-003-c.md": bad.replace("TICKET-001", "TICKET-003"),
        },
    )
    code, findings = lint_json(root, "tickets/db")
    assert code == 1 and {(f["code"], f["path"]) for f in findings} == {("TG013", "tickets/db/TICKET-002-b.md")}
    result = run_cli("lint", "tickets/", cwd=root)
    assert result.exit_code == 1 and "of 3 files" in result.stdout  # the template is not a ticket file


@pytest.mark.parametrize("named", [["tickets/_template.md"], ["empty"], ["missing.md"]])
def test_naming_paths_with_nothing_to_check_is_a_usage_error(tmp_path: Path, named: list[str]):
    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": EXAMPLE})
    (root / "empty").mkdir()
    result = run_cli("lint", *named, cwd=root)
    assert result.exit_code == 2
    assert "All good" not in result.stdout
    assert result.stderr.splitlines()[-1].startswith("error: ")


def test_a_symlinked_ticket_named_on_the_command_line_is_linted(tmp_path: Path):
    # Some repos keep a ticket elsewhere and link it into tickets/; pre-commit names the link.
    root = make_project(tmp_path, {"shared/TICKET-002-b.md": EXAMPLE.replace("TICKET-001", "TICKET-002")})
    (root / "tickets" / "TICKET-002-b.md").symlink_to(root / "shared" / "TICKET-002-b.md")
    (root / "shared" / "TICKET-002-b.md").write_text(
        EXAMPLE.replace("TICKET-001", "TICKET-002").replace("Open", "Opne")
    )
    for named in ("tickets/TICKET-002-b.md", "shared/TICKET-002-b.md"):
        code, findings = lint_json(root, named)
        assert code == 1 and {(f["code"], f["path"]) for f in findings} == {("TG013", "tickets/TICKET-002-b.md")}


def test_inline_comments_disable_rules(tmp_path: Path):
    text = EXAMPLE.replace("**Status:** Open", "**Status:** Opne").replace("2026-01-06", "2026-02-30")
    disabled_next = text.replace("**Status:** Opne", "<!-- ticketgen-disable-next-line TG013 -->\n**Status:** Opne")
    root = make_project(tmp_path, {"tickets/TICKET-001-x.md": disabled_next})
    _, findings = lint_json(root)
    assert {f["code"] for f in findings if f["severity"] == "error"} == {"TG015"}
    whole = "<!-- ticketgen-disable TG013 TG015 -->\n" + text
    (root / "tickets/TICKET-001-x.md").write_text(whole)
    _, findings = lint_json(root)
    assert not [f for f in findings if f["severity"] == "error"]
    ranged = (
        EXAMPLE.replace("### Action Items", "<!-- ticketgen-disable TG034 -->\n\n* one\n\n### Action Items")
        + "\n<!-- ticketgen-enable TG034 -->\n\n* two\n"
    )
    (root / "tickets/TICKET-001-x.md").write_text(ranged)
    _, findings = lint_json(root)
    assert [f["line"] for f in findings if f["code"] == "TG034"] == [22]  # "* one" (line 12) is disabled
    in_code = "```\n<!-- ticketgen-disable TG013 -->\n```\n" + text
    (root / "tickets/TICKET-001-x.md").write_text(in_code)
    _, findings = lint_json(root)
    assert "TG013" in {f["code"] for f in findings}  # a comment inside code is code


def test_select_ignore_severity_and_overrides(tmp_path: Path):
    bad = EXAMPLE.replace("**Status:** Open", "**Status:** Opne").replace("- [ ]", "* [ ]")
    root = make_project(
        tmp_path, {"tickets/TICKET-001-x.md": bad, "tickets/legacy/TICKET-002-y.md": bad.replace("001", "002")}
    )
    _, findings = lint_json(root, "--select", "TG013")
    assert {f["code"] for f in findings} == {"TG013"}
    _, findings = lint_json(root, "--ignore", "TG01,TG034")
    assert findings == []
    (root / "ticketgen.toml").write_text(
        '[lint]\nseverity = {TG034 = "error"}\n[[lint.overrides]]\npaths = ["tickets/legacy/*"]\nignore = ["TG013"]\n'
    )
    _, findings = lint_json(root)
    assert {(f["code"], f["path"], f["severity"]) for f in findings} == {
        ("TG013", "tickets/TICKET-001-x.md", "error"),
        ("TG034", "tickets/TICKET-001-x.md", "error"),
        ("TG034", "tickets/legacy/TICKET-002-y.md", "error"),
    }


def test_strict_turns_warnings_into_errors(tmp_path: Path):
    root = make_project(tmp_path, {"tickets/TICKET-001-x.md": EXAMPLE.replace("- [ ]", "* [ ]")})
    assert run_cli("lint", cwd=root).exit_code == 0
    assert run_cli("lint", "--strict", cwd=root).exit_code == 1


@pytest.mark.parametrize(
    "config, message",
    [
        ("[lint]\nselcet = []\n", "unknown setting(s) selcet"),
        ('[lint]\nseverity = {TG999 = "error"}\n', "unknown rule code 'TG999'"),
        ('[lint]\nseverity = {TG013 = "fatal"}\n', "severity must be a table of rule codes and severities (error,"),
        ('[lint]\naliases = {"Fixes" = "Solutions"}\n', "'Solutions' is not a template section"),
        ('[lint]\nrequired_sections = {Closed = ["Problem Statement"]}\n', "'Closed' is not a status"),
        ("[lint]\noverrides = [{ignore = []}]\n", "`paths` (glob patterns) is required"),
    ],
)
def test_bad_config_is_a_usage_error(tmp_path: Path, config: str, message: str):
    root = make_project(tmp_path, {"tickets/TICKET-001-x.md": EXAMPLE}, config=config)
    result = run_cli("lint", cwd=root)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert "ticketgen.toml:2: " in result.stderr  # the line of the key


def test_unknown_code_on_the_command_line_is_a_usage_error(tmp_path: Path):
    root = make_project(tmp_path, {"tickets/TICKET-001-x.md": EXAMPLE})
    result = run_cli("lint", "--select", "TG9", cwd=root)
    assert result.exit_code == 2 and "unknown rule code 'TG9'" in result.stderr


def test_unsafe_resource_declarations_are_errors(tmp_path: Path):
    pytest.importorskip("ticketgen.runbooks.collect")
    text = "---\nresources:\n  - terraform/ns/$(rm -rf ~)\n---\n" + EXAMPLE.replace(
        "**Component:** auth service",
        "**Component:** auth service\n**Resources:** deployment/auth/ok, pod/auth/Bad_Name",
    )
    root = make_project(tmp_path, {"tickets/TICKET-001-x.md": text})
    code, findings = lint_json(root)
    assert code == 1
    resources = [f for f in findings if f["code"] == "TG050"]
    assert [(f["line"], f["severity"]) for f in resources] == [(1, "error"), (11, "error")]
    assert "$(rm -rf ~)" in resources[0]["message"] and "Bad_Name" in resources[1]["message"]
    assert ("TG017", 11) in {(f["code"], f["line"]) for f in findings}  # the extra metadata line itself is only info


def _names(resources: str, shell: str = "", frontmatter: str = "") -> str:
    """The example ticket declaring `resources`, with `shell` in a shell block."""
    text = EXAMPLE.replace("**Component:** auth service", f"**Component:** auth service\n**Resources:** {resources}")
    if frontmatter:
        text = f"---\n{frontmatter}---\n{text}"
    return text + (f"\n### Workarounds\n\nThe HelmRelease is stuck:\n\n```sh\n{shell}```\n" if shell else "")


def test_resources_the_manifests_do_not_define_are_warnings(tmp_path: Path):
    shell = "flux reconcile hr cubez -n ingest\nflux resume hr cubez -n ingest\nkubectl get hr cube -n ingest\n"
    ticket = _names("hr/ingest/cube, hr/ingest/cubes, ks/flux-system/apps", shell, "resources: [deploy/ingest/gone]\n")
    extra = {"runbooks/resources.yaml": "resources: [kustomization/flux-system/apps]\n"}  # lives outside Git
    root = make_project(
        tmp_path, {**MANIFESTS, **extra, "tickets/TICKET-001-x.md": ticket}, 'manifests = ["deploy/"]\n'
    )
    code, findings = lint_json(root)
    assert code == 0  # warnings only
    assert [(f["line"], f["severity"], f["message"]) for f in findings if f["code"] == "TG051"] == [
        (1, "warning", "names deployment/ingest/gone, which the manifests (deploy) do not define"),
        (10, "warning", "names helmrelease/ingest/cubes, which the manifests (deploy) do not define"),
        (25, "warning", "names helmrelease/ingest/cubez, which the manifests (deploy) do not define"),  # once
    ]  # the defined cube, the resources.yaml entry and the kind-level "HelmRelease" in prose never fire


def test_tg051_speaks_only_from_readable_manifests(tmp_path: Path):
    files = {**MANIFESTS, "tickets/TICKET-001-x.md": _names("hr/ingest/cubes")}
    root = make_project(tmp_path, files, 'manifests = ["deploy/"]\n')

    def tg051() -> list[str]:
        return [f["message"] for f in lint_json(root)[1] if f["code"] == "TG051"]

    assert len(tg051()) == 1
    (root / "deploy" / "ingest" / "release.yaml").write_text("a: &x [1]\nb: *x\n")  # runbooks reports it, not lint
    assert tg051() == []
    (root / "ticketgen.toml").write_text("")  # no manifests configured
    (root / "deploy" / "ingest" / "release.yaml").write_text(MANIFESTS["deploy/ingest/release.yaml"])
    assert tg051() == []


def test_ids_on_other_branches_are_duplicates_with_branches(tmp_path: Path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": EXAMPLE})

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@e", *args], cwd=root, check=True, capture_output=True
        )

    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-qm", "one")
    git("checkout", "-qb", "other")
    (root / "tickets/TICKET-002-theirs.md").write_text(EXAMPLE.replace("001", "002"))
    git("add", ".")
    git("commit", "-qm", "two")
    git("checkout", "-q", "main")
    (root / "tickets/TICKET-002-mine.md").write_text(EXAMPLE.replace("001", "002").replace("Login", "Logout"))
    _, findings = lint_json(root)
    assert not [f for f in findings if f["code"] == "TG006"]
    _, findings = lint_json(root, "--branches")
    dup = [f for f in findings if f["code"] == "TG006"]
    assert [(f["path"], f["line"]) for f in dup] == [("tickets/TICKET-002-mine.md", 1)]
    assert "other:tickets/TICKET-002-theirs.md" in dup[0]["message"]
    assert EXAMPLES.is_dir()


def test_text_a_heading_cut_off_from_its_ticket_is_reported_where_it_starts(tmp_path: Path):
    notes = EXAMPLE + "\n## Notes\n\n- [ ] an action item that no longer belongs to the ticket\n"
    files = {"tickets/TICKET-001-a.md": notes, "TICKETS.md": notes.replace("001", "002")}
    root = make_project(tmp_path, files, 'documents = ["TICKETS.md"]\n')
    _, findings = lint_json(root)
    cut = [f for f in findings if f["code"] == "TG009"]
    line = notes.splitlines().index("## Notes") + 1
    assert [(f["path"], f["line"]) for f in cut] == [("tickets/TICKET-001-a.md", line)]
    assert "TICKET-001 ends before this text" in cut[0]["message"]
    # A document of many tickets has intros and group headings between them: no TG009 there,
    # though it is read (its ticket is listed).
    assert "TICKET-002" in run_cli("list", cwd=root).stdout


def test_a_malformed_heading_is_reported_once_not_also_as_cut_off_text(tmp_path: Path):
    text = EXAMPLE + "\n## TICKET-01x: typo heading\n\nmore\n"
    _, findings = lint_json(make_project(tmp_path, {"tickets/TICKET-001-a.md": text}))
    line = text.splitlines().index("## TICKET-01x: typo heading") + 1
    assert [(f["code"], f["line"]) for f in findings if f["code"] in ("TG003", "TG009")] == [("TG003", line)]


def test_tg050_reads_the_configured_resources_field(tmp_path: Path):
    ticket = EXAMPLE.replace(
        "**Component:** auth service", "**Component:** auth service\n**Affects:** terraform/ns/$(rm -rf ~)"
    )
    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": ticket})
    (root / "ticketgen.toml").write_text('[runbooks]\nresources_field = "Affects"\n')
    _, found = lint_json(root)
    assert [(f["code"], f["line"]) for f in found if f["code"] == "TG050"] == [("TG050", 7)]
