import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLES, SEED, run_cli
from ticketgen.authoring.import_ import MARKER

_MARKER = re.compile(re.escape(MARKER).replace(r"\{name\}", r"(\S+)") + r"(?:\r\n|\r|\n)?")


def reassemble(folder: Path) -> bytes:
    """Put the pieces back: each marker line of the index is replaced by its file."""
    index = (folder / "index.md").read_bytes().decode()
    return _MARKER.sub(lambda m: (folder / m.group(1)).read_bytes().decode(), index).encode()


def test_seed_import_round_trips_byte_for_byte(seed_project: Path):
    into = seed_project / "imported"
    result = run_cli("import", str(SEED), "--into", str(into), cwd=seed_project)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in into.iterdir()) == [
        "TICKET-001-tofu-controller-source-refresh-on-retry.md",
        "_template.md",
        "index.md",
    ]
    assert reassemble(into) == SEED.read_bytes()
    assert (into / "_template.md").read_text().startswith("## TICKET-XXX: Title\n")
    ticket = (into / "TICKET-001-tofu-controller-source-refresh-on-retry.md").read_text()
    assert ticket.startswith("## TICKET-001:") and ticket.endswith(
        "(https://fluxcd.io/flux/components/source/gitrepositories/)\n"
    )


def test_examples_import_round_trips_and_keeps_other_records(tmp_path: Path):
    into = tmp_path / "split"
    source = EXAMPLES / "platform-notes.md"
    result = run_cli("import", str(source), "--into", str(into), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert reassemble(into) == source.read_bytes()
    assert "FLOW-001" in (into / "index.md").read_text()
    assert sorted(p.name for p in into.glob("INC-*.md")) == [
        "INC-007-helmrelease-for-the-ingest-api-stuck-after-a-failed-upgrade.md",
        "INC-008-git-source-stops-updating-after-deploy-key-rotation.md",
        "INC-009-dashboard-kustomization-waits-forever-on-a-dependency.md",
    ]


def test_import_refuses_to_overwrite_and_writes_nothing(seed_project: Path):
    into = seed_project / "tickets"
    existing = into / "TICKET-001-tofu-controller-source-refresh-on-retry.md"
    existing.write_bytes(b"mine\r\n")
    result = run_cli("import", str(SEED), cwd=seed_project)
    assert result.exit_code == 1
    assert "would overwrite an existing file; nothing was written" in result.stderr
    assert existing.read_bytes() == b"mine\r\n"
    assert not (into / "index.md").exists()


def test_import_refuses_an_id_that_already_exists_elsewhere(seed_project: Path):
    run_cli("new", "--priority", "Low", "TICKET-001", "--title", "already here", cwd=seed_project)
    result = run_cli("import", str(SEED), "--into", str(seed_project / "other"), cwd=seed_project)
    assert result.exit_code == 1
    assert "TICKET-001 already exists" in result.stderr
    assert not (seed_project / "other").exists()


def test_dry_run_writes_nothing(seed_project: Path):
    result = run_cli("import", str(SEED), "--into", str(seed_project / "x"), "--dry-run", cwd=seed_project)
    assert result.exit_code == 0
    assert "would write x/index.md (index)" in result.stdout
    assert not (seed_project / "x").exists()


_piece = st.text(alphabet=st.sampled_from(list("ab #-*`\n\r\t[]x:")), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    intro=_piece,
    bodies=st.lists(_piece, min_size=1, max_size=4),
    newline=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
    final_newline=st.booleans(),
)
def test_import_round_trips_generated_documents(tmp_path_factory, intro, bodies, newline, bom, final_newline):
    root = tmp_path_factory.mktemp("rt")
    parts = ["\ufeff" if bom else "", "# Doc", newline, intro, newline]
    for n, body in enumerate(bodies, 1):
        parts += [
            newline,
            f"## TICKET-{n:03d}: T{n}",
            newline,
            newline,
            "**Status:** Open",
            newline,
            body,
            newline,
            "---",
            newline,
        ]
    text = "".join(parts)
    if not final_newline:
        text = text.rstrip("\r\n")
    source = root / "doc.md"
    source.write_bytes(text.encode())
    result = run_cli("import", str(source), "--into", str(root / "out"), cwd=root)
    if result.exit_code != 0:  # a generated body can itself make a duplicate or swallow a heading
        assert "appears twice" in result.stderr or "no TICKET-N tickets" in result.stderr
        return
    assert reassemble(root / "out") == text.encode()


def test_import_paths_are_relative_to_the_project_dir(tmp_path: Path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "T.md").write_bytes(SEED.read_bytes())
    result = run_cli("import", "notes/T.md", "--into", "out", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "index.md").is_file()
    missing = run_cli("import", "nope.md", cwd=tmp_path)
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_a_link_whose_reference_is_defined_elsewhere_in_the_document_is_warned_about(tmp_path: Path):
    from tests.conftest import run_cli

    template = (Path(__file__).parents[2] / "ticketgen" / "data" / "template.md").read_text()
    (tmp_path / "tickets").mkdir()
    (tmp_path / "tickets" / "_template.md").write_text(template)
    one = "## TICKET-001: A\n\n**Status:** Open\n\n### Problem Statement\n\nSee [the guide][guide].\n"
    two = "## TICKET-002: B\n\n**Status:** Open\n\n### Problem Statement\n\nSee [the guide][guide] too.\n\n[guide]: https://example.org\n"
    (tmp_path / "NOTES.md").write_text(one + "\n" + two)
    result = run_cli("import", "NOTES.md", cwd=tmp_path)
    assert result.exit_code == 0
    assert "NOTES.md:1: TICKET-001 links through a reference defined elsewhere in the document" in result.stderr
    assert "TICKET-002 links through" not in result.stderr  # its own definition moves with it
