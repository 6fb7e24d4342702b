import shutil
from pathlib import Path

import pytest

from tests.conftest import SEED, run_cli
from ticketgen.core.config import load_config
from ticketgen.core.errors import ConfigError


def test_init_creates_what_adoption_needs_and_a_working_setup(tmp_path: Path):
    result = run_cli("init", cwd=tmp_path)
    assert result.exit_code == 0
    for name in ["tickets/_template.md", "mkdocs.yml", "docs/index.md", "ticketgen.toml", ".markdownlint.yaml"]:
        assert (tmp_path / name).is_file(), name
    assert (tmp_path / "runbooks").is_dir()
    lint = (tmp_path / ".markdownlint.yaml").read_text()
    assert "siblings_only: true" in lint and "MD041: false" in lint
    assert "- ticketgen" in (tmp_path / "mkdocs.yml").read_text()
    assert (
        run_cli("new", "--priority", "Low", "--title", "first", cwd=tmp_path).stdout
        == "tickets/TICKET-001-first.md:1: TICKET-001\n"
    )


def test_init_adds_ci_pre_commit_ignores_and_a_home_page_that_links_the_site(tmp_path: Path):
    import yaml

    assert run_cli("init", cwd=tmp_path).exit_code == 0
    ignored = (tmp_path / ".gitignore").read_text().splitlines()
    assert "/site/" in ignored
    workflow = yaml.safe_load((tmp_path / ".github/workflows/tickets.yml").read_text())
    runs = [s.get("run", "") for s in workflow["jobs"]["tickets"]["steps"]]
    assert "ticketgen lint --format github --branches" in runs and "mkdocs build --strict" in runs
    assert any("--format sarif" in r for r in runs)
    uses = [s.get("uses", "") for s in workflow["jobs"]["tickets"]["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    (hook,) = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())["repos"]
    assert hook["repo"] == "local" and hook["hooks"][0]["entry"] == "ticketgen lint"
    assert hook["hooks"][0]["language"] == "system"
    home = (tmp_path / "docs/index.md").read_text()
    assert "(tickets/index.md)" in home and "(tickets/dashboard.md)" in home and "Runbooks" in home


def test_init_appends_only_the_missing_ignore_lines(tmp_path: Path):
    (tmp_path / ".gitignore").write_bytes(b"node_modules\r\n.venv")
    result = run_cli("init", cwd=tmp_path)
    assert "updated .gitignore  (appended /site/)" in result.stdout
    assert (tmp_path / ".gitignore").read_bytes() == (
        b"node_modules\r\n.venv\r\n# ticketgen: the built site is generated (its cache lives in ~/.cache/ticketgen)\r\n"
        b"/site/\r\n"
    )
    assert "kept    .gitignore" in run_cli("init", cwd=tmp_path).stdout


def test_init_never_touches_existing_files_but_adds_the_plugin_to_mkdocs_yml(tmp_path: Path):
    (tmp_path / "mkdocs.yml").write_bytes(b"site_name: mine\r\n")
    (tmp_path / ".markdownlint.json").write_text("{}")
    (tmp_path / "pyproject.toml").write_text("[tool.ticketgen]\ntickets_dir = 'issues'\n")
    result = run_cli("init", cwd=tmp_path)
    assert result.exit_code == 0
    # mkdocs drops its default search once `plugins:` exists: init lists it; CRLF kept
    assert (tmp_path / "mkdocs.yml").read_bytes() == b"site_name: mine\r\nplugins:\r\n  - search\r\n  - ticketgen\r\n"
    assert not (tmp_path / ".markdownlint.yaml").exists()
    assert not (tmp_path / "ticketgen.toml").exists()
    assert "updated mkdocs.yml" in result.stdout
    again = run_cli("init", cwd=tmp_path)
    assert "created" not in again.stdout and "updated" not in again.stdout
    assert "kept    mkdocs.yml  (has the ticketgen plugin already)" in again.stdout


def test_config_from_pyproject_and_ticketgen_toml(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.ticketgen]\ntickets_dir = 'issues'\ndocuments = ['NOTES.md']\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    config = load_config(sub)
    assert config.root == tmp_path.resolve()
    assert config.tickets_dir == tmp_path.resolve() / "issues"
    assert config.documents == (tmp_path.resolve() / "NOTES.md",)
    assert config.template is None  # falls back to the shipped template
    (sub / "ticketgen.toml").write_text("runbooks_dir = 'rb'\n")
    assert load_config(sub).runbooks_dir == sub.resolve() / "rb"


@pytest.mark.parametrize(
    "toml, message",
    [
        ("tickets_dirr = 'x'\n", "unknown setting(s) tickets_dirr"),
        ("template = 'missing.md'\n", "does not exist"),
        ("template = 'tickets'\n", "template 'tickets' is not a file"),
        ("documents = 'one.md'\n", "documents must be a list"),
        ("max_file_bytes = -1\n", "positive integer"),
        ("lint = 3\n", "must be a table"),
        ("tickets_dir = [\n", "invalid TOML"),
    ],
)
def test_bad_config_is_exit_2_naming_the_file(tmp_path: Path, toml: str, message: str):
    (tmp_path / "tickets").mkdir()
    (tmp_path / "ticketgen.toml").write_text(toml)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(tmp_path)
    result = run_cli("list", cwd=tmp_path)
    assert result.exit_code == 2
    assert "ticketgen.toml" in result.stderr and message in result.stderr


def test_roles_from_config_change_what_list_shows(seed_project: Path):
    (seed_project / "ticketgen.toml").write_text("[roles]\ncomponent = 'Priority'\n")
    run_cli("new", "--priority", "Low", "--title", "x", "--component", "High", cwd=seed_project)
    out = run_cli("list", "--format", "csv", cwd=seed_project).stdout
    assert out.splitlines()[1].split(",")[3:5] == ["High", "High"]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("ticketgen.toml", b"\xff\xfe", "invalid TOML"),
        ("ticketgen.toml", b"tickets_dir = '../..'\n", "outside the project folder"),
        ("ticketgen.toml", b"documents = ['/etc/passwd']\n", "outside the project folder"),
    ],
)
def test_more_bad_config(tmp_path: Path, name: str, content: bytes, message: str):
    (tmp_path / name).write_bytes(content)
    result = run_cli("list", cwd=tmp_path)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_a_pyproject_whose_tool_is_not_a_table_is_ignored(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("tool = 5\n")
    assert run_cli("list", cwd=tmp_path).exit_code == 0


def test_missing_project_dir_is_a_usage_error(tmp_path: Path):
    result = run_cli("new", "--priority", "Low", "--title", "x", cwd=tmp_path / "missing")
    assert result.exit_code == 2
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(
    "command", ["new", "lint", "list", "show", "render", "runbooks", "set", "close", "check", "edit"]
)
def test_subcommand_help_says_where_dash_c_goes(tmp_path: Path, command: str):
    from click.testing import CliRunner

    from ticketgen.cli import main

    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert f"ticketgen -C DIR {command} ..." in " ".join(result.output.split())


def test_unwritable_target_is_an_error_not_a_crash(tmp_path: Path):
    (tmp_path / "tickets").write_text("a file where the folder should be")
    result = run_cli("new", "--priority", "Low", "--title", "x", cwd=tmp_path)
    assert result.exit_code in (1, 2)
    assert result.stderr.startswith("error: ") and "Traceback" not in result.output
    assert (tmp_path / "tickets").read_text() == "a file where the folder should be"


@pytest.mark.parametrize(
    "template, message",
    [
        ("## T-XX: Title\n\n**Status:** A | B\n\n### One\nx\n\n### one\ny\n", "section 'One' twice"),
        ("## T-XX: Title\n\n**Status:** |\n", "without choices"),
    ],
)
def test_templates_that_would_make_unlintable_tickets_are_refused(tmp_path: Path, template: str, message: str):
    (tmp_path / "tickets").mkdir()
    (tmp_path / "tickets" / "_template.md").write_text(template)
    result = run_cli("new", "--priority", "Low", cwd=tmp_path)
    assert result.exit_code == 2 and message in result.stderr


def test_unreadable_template_is_a_config_error(tmp_path: Path):
    (tmp_path / "tickets").mkdir()
    (tmp_path / "tickets" / "_template.md").write_bytes(b"## T-XX: \xff\n")
    result = run_cli("list", cwd=tmp_path)
    assert result.exit_code == 2 and "_template.md:1: not UTF-8" in result.stderr


@pytest.mark.parametrize(
    "command", [["lint"], ["list"], ["show", "TICKET-001"], ["resources"], ["new", "--priority", "Low", "-t", "x"]]
)
def test_a_configured_tickets_dir_that_is_missing_is_a_config_error(seed_project: Path, command: list[str]):
    (seed_project / "ticketgen.toml").write_text("tickets_dir = 'nope'\ntemplate = 'tickets/_template.md'\n")
    result = run_cli(*command, cwd=seed_project)
    assert result.exit_code == 2, result.output
    assert "ticketgen.toml: tickets_dir 'nope' does not exist" in result.stderr
    assert "All good" not in result.stdout
    assert not (seed_project / "nope").exists()


@pytest.mark.parametrize("command", [["lint"], ["list"], ["new", "--priority", "Low", "-t", "x"]])
def test_a_tickets_dir_that_is_a_file_is_a_config_error(seed_project: Path, command: list[str]):
    (seed_project / "README.md").write_text("# readme\n")
    (seed_project / "ticketgen.toml").write_text("tickets_dir = 'README.md'\ntemplate = 'tickets/_template.md'\n")
    result = run_cli(*command, cwd=seed_project)
    assert result.exit_code == 2, result.output
    assert "ticketgen.toml:1: tickets_dir 'README.md' is a file, not a folder" in result.stderr
    assert (seed_project / "README.md").read_text() == "# readme\n"


def test_new_in_a_brand_new_project_creates_the_default_tickets_folder(tmp_path: Path):
    result = run_cli("new", "--priority", "Low", "--title", "first", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "tickets/TICKET-001-first.md:1: TICKET-001\n"
    assert (tmp_path / "tickets" / "TICKET-001-first.md").is_file()


def test_import_into_a_configured_tickets_dir_makes_it(seed_project: Path):
    # Moving from one TICKETS.md to a file per ticket: the configured folder does not exist yet.
    (seed_project / "ticketgen.toml").write_text("tickets_dir = 'issues'\ntemplate = 'tickets/_template.md'\n")
    shutil.copy(SEED, seed_project / "TICKETS.md")
    result = run_cli("import", "TICKETS.md", cwd=seed_project)
    assert result.exit_code == 0, result.stderr
    assert list((seed_project / "issues").glob("TICKET-001-*.md"))


def test_settings_that_moved_to_the_schema_name_their_new_place(tmp_path: Path):
    (tmp_path / "tickets").mkdir()
    (tmp_path / "ticketgen.toml").write_text('[lint]\ndone_statuses = ["Resolved"]\n')
    result = run_cli("lint", cwd=tmp_path)
    assert result.exit_code == 2 and "done_statuses is now [tool.ticketgen.roles] done" in result.stderr


def test_init_leaves_a_mkdocs_yml_it_cannot_decode_byte_for_byte(tmp_path: Path):
    original = b"site_name: caf\xe9\n# latin-1, not UTF-8\n"
    (tmp_path / "mkdocs.yml").write_bytes(original)
    result = run_cli("init", cwd=tmp_path)
    assert result.exit_code != 0
    assert "mkdocs.yml" in result.stderr and "not UTF-8" in result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "mkdocs.yml").read_bytes() == original
