"""The README's adoption steps, as a new user runs them: a wheel built from this checkout,
installed into a fresh venv (dependencies from the package index, nothing borrowed from ours),
then init -> new -> set -> lint -> mkdocs build --strict in another repository.
About half a minute, most of it pip."""

import logging
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from mkdocs.exceptions import Abort

from tests.conftest import FIXTURES, run_cli
from tests.site.site_repo import build_site

ROOT = Path(__file__).parents[1]
# pip's cache as the user has it, read before conftest points XDG_CACHE_HOME at a fresh folder
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pip"
)
TEAM_REPO = FIXTURES / "adopt-repo"  # docs/tickets.md (6 tickets, 4 TODO records, a template block), 8 pages
TEAM_PAGES = sorted(p.relative_to(TEAM_REPO / "docs").as_posix() for p in (TEAM_REPO / "docs").glob("*.md"))


@pytest.fixture
def team_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "team"
    shutil.copytree(TEAM_REPO, repo)
    return repo


def _plugin_messages(caplog, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "mkdocs.plugins.ticketgen" and r.levelno == level]


def test_init_keeps_their_documents_and_template_and_extends_their_mkdocs_yml(team_repo: Path):
    before = (team_repo / "mkdocs.yml").read_text()
    result = run_cli("init", cwd=team_repo)
    assert result.exit_code == 0, result.output
    assert "found 6 ticket(s) in docs/tickets.md: kept in place" in result.stderr
    assert "using the template block in docs/tickets.md" in result.stderr
    assert not (team_repo / "tickets").exists()  # no second template beside theirs
    settings = (team_repo / "ticketgen.toml").read_text()
    assert 'documents = ["docs/tickets.md"]' in settings and 'template = "docs/tickets.md"' in settings
    after = (team_repo / "mkdocs.yml").read_text()
    assert after.startswith(before)  # every line of theirs, comments and order, then the plugins
    assert after[len(before) :] == "plugins:\n  - search\n  - ticketgen\n"
    assert (team_repo / "docs/index.md").read_bytes() == (TEAM_REPO / "docs/index.md").read_bytes()
    listed = run_cli("list", "--format", "csv", cwd=team_repo)
    assert [line.split(",")[0] for line in listed.stdout.splitlines()[1:]] == [f"TICKET-00{n}" for n in range(1, 7)]
    assert "no tickets/ folder" in listed.stderr  # the default folder is missing: said, not an error
    new = run_cli("new", "--title", "Certificates expire unnoticed", "--priority", "Low", "--into", "docs/tickets.md",
                  "--component", "cert-manager", cwd=team_repo)  # fmt: skip
    assert new.exit_code == 0, new.output  # their template's fields: Low is one of its priorities


def test_init_dry_run_prints_the_plan_and_writes_nothing(team_repo: Path):
    before = {p: p.read_bytes() for p in team_repo.rglob("*") if p.is_file()}
    result = run_cli("init", "--dry-run", cwd=team_repo)
    assert result.exit_code == 0
    assert "would update mkdocs.yml" in result.stdout and "would create ticketgen.toml" in result.stdout
    assert "dry run: nothing was written" in result.stdout
    assert {p: p.read_bytes() for p in team_repo.rglob("*") if p.is_file()} == before


def test_init_leaves_another_theme_alone_and_says_what_needs_material(tmp_path: Path):
    (tmp_path / "mkdocs.yml").write_text("site_name: x\ntheme: readthedocs\nplugins:\n- search  # ours\n")
    result = run_cli("init", cwd=tmp_path)
    assert "theme 'readthedocs', left as it is" in result.stderr and "tags plugin" in result.stderr
    assert (tmp_path / "mkdocs.yml").read_text() == (
        "site_name: x\ntheme: readthedocs\nplugins:\n- search  # ours\n- ticketgen\n"
    )


def test_init_import_splits_their_documents_with_their_template(team_repo: Path):
    result = run_cli("init", "--import", cwd=team_repo)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (team_repo / "tickets").iterdir())
    assert names[:6] == [
        "TICKET-001-tofu-controller-keeps-a-stale-source-on-retry.md",
        "TICKET-002-helmrelease-stuck-after-a-failed-upgrade.md",
        "TICKET-003-registry-pull-secret-expires-every-12-hours.md",
        "TICKET-004-grafana-dashboards-lost-on-restart.md",
        "TICKET-005-kustomization-apply-times-out-on-large-crds.md",
        "TICKET-006-node-drain-blocked-by-a-poddisruptionbudget.md",
    ]
    assert names[6:] == ["_template.md", "index.md"]
    assert "**Priority:** Low | Medium | High | Critical" in (team_repo / "tickets/_template.md").read_text()
    settings = (team_repo / "ticketgen.toml").read_text()
    assert 'template = "tickets/_template.md"' in settings and "\ndocuments" not in settings


def test_their_page_at_the_index_url_moves_the_index_with_a_warning(team_repo: Path, caplog):
    (team_repo / "ticketgen.toml").write_text('template = "docs/tickets.md"\ndocuments = ["docs/tickets.md"]\n')
    (team_repo / "mkdocs.yml").write_text((team_repo / "mkdocs.yml").read_text() + "plugins: [search, ticketgen]\n")
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.ticketgen"), pytest.raises(Abort):
        build_site(team_repo, strict=True)  # a URL clash is a warning: --strict fails
    (warning,) = _plugin_messages(caplog, logging.WARNING)
    assert "docs/tickets.md has the URL /tickets/" in warning and "tickets/index.md" in warning
    assert "at tickets/all.md instead" in warning and "index_uri" in warning
    site = build_site(team_repo, strict=False)
    assert "Known Problems" in (site / "tickets/index.html").read_text()  # their page kept its URL
    assert "All tickets" in (site / "tickets/all/index.html").read_text()


def test_the_index_setting_places_it_and_every_page_of_theirs_is_built(team_repo: Path, caplog):
    run_cli("init", cwd=team_repo)
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.ticketgen"):
        site = build_site(team_repo, strict=True)
    assert _plugin_messages(caplog, logging.WARNING) == []
    for page in TEAM_PAGES:
        built = site / ("index.html" if page == "index.md" else page.removesuffix(".md") + "/index.html")
        assert built.is_file(), page
    index = (site / "tickets/all/index.html").read_text()
    assert all(f"TICKET-00{n}" in index for n in range(1, 7))
    troubleshooting = (site / "troubleshooting/index.html").read_text()
    assert 'href="../tickets/#ticket-002-helmrelease-stuck-after-a-failed-upgrade"' in troubleshooting


def test_no_free_url_fails_the_build_naming_the_page(team_repo: Path, caplog):
    (team_repo / "ticketgen.toml").write_text('template = "docs/tickets.md"\ndocuments = ["docs/tickets.md"]\n')
    (team_repo / "mkdocs.yml").write_text((team_repo / "mkdocs.yml").read_text() + "plugins: [search, ticketgen]\n")
    for name in ("all", "all-tickets", "ticket-index"):
        (team_repo / "docs/tickets" / name).mkdir(parents=True)
        (team_repo / "docs/tickets" / name / "index.md").write_text(f"# {name}\n")
    with caplog.at_level(logging.ERROR), pytest.raises(Abort, match="BuildError"):
        build_site(team_repo, strict=False)
    assert "docs/tickets.md has the URL /tickets/" in caplog.text
    assert "none of tickets/all.md, tickets/all-tickets.md, tickets/ticket-index.md is free" in caplog.text


def test_text_an_import_kept_is_shown_above_the_tickets_index(team_repo: Path):
    run_cli("init", "--import", cwd=team_repo)
    (team_repo / "docs/tickets.md").unlink()  # the document is split: its text lives in tickets/
    site = build_site(team_repo, strict=False)
    index = (site / "tickets/all/index.html").read_text()  # init moved it: docs/tickets.md was there then
    assert "Problems of the platform we know about" in index  # the intro
    assert "Move the ingest cluster to Flux 2.5" in index and "Check the etcd backup schedule" in index


def test_a_missing_tickets_dir_named_in_the_settings_stays_an_error(team_repo: Path):
    (team_repo / "ticketgen.toml").write_text('tickets_dir = "tikets"\ndocuments = ["docs/tickets.md"]\n')
    result = run_cli("lint", cwd=team_repo)
    assert result.exit_code == 2 and "tickets_dir 'tikets' does not exist" in result.stderr


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from this checkout, once for the module."""
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--quiet", "-w", dist, cwd=ROOT)
    (built,) = dist.glob("ticketgen-*.whl")
    return built


def test_a_wheel_built_here_adopts_another_repository(tmp_path: Path, wheel: Path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    pip_env = os.environ | {"PIP_CACHE_DIR": PIP_CACHE}
    run(venv / "bin/python", "-m", "pip", "install", "--quiet", "--no-compile", wheel, cwd=tmp_path, env=pip_env)

    repo = tmp_path / "their-repo"
    repo.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    located = run("python", "-c", "import ticketgen; print(ticketgen.__file__)", cwd=repo, env=env).stdout
    assert Path(located).is_relative_to(venv)  # the installed wheel, not this checkout
    run("git", "init", "-q", cwd=repo, env=env)
    run("ticketgen", "init", cwd=repo, env=env)
    created = run("ticketgen", "new", "--title", "Orphaned connections", "--priority", "High",
                  "--component", "postgres / pgbouncer", cwd=repo, env=env)  # fmt: skip
    assert created.stdout == "tickets/TICKET-001-orphaned-connections.md:1: TICKET-001\n"
    run("ticketgen", "set", "1", "owner=alice", cwd=repo, env=env)
    linted = run("ticketgen", "lint", cwd=repo, env=env)
    assert "TG026" in linted.stdout  # the new ticket is a draft: a warning, and lint passes
    run("mkdocs", "build", "--strict", cwd=repo, env=env)
    assert (repo / "site" / "tickets" / "TICKET-001" / "index.html").is_file()
    ignored = run("git", "status", "--porcelain", "--ignored", cwd=repo, env=env).stdout
    assert "!! site/" in ignored and ".ticketgen_cache" not in ignored  # the cache lives outside the repo


def test_import_lists_links_to_the_document_and_rewrites_them_keeping_anchors(team_repo: Path):
    readme = (team_repo / "README.md").read_bytes()
    listed = run_cli("import", "docs/tickets.md", "--dry-run", cwd=team_repo)
    assert listed.exit_code == 0, listed.output
    assert "links to the document: docs/troubleshooting.md:3: tickets.md -> ../tickets/index.md" in listed.stdout
    assert "README.md:6: docs/tickets.md -> tickets/index.md" in listed.stdout
    assert "8 link(s) point at docs/tickets.md" in listed.stderr
    # links that work in the document and not in a ticket's own file are named, with both files
    assert "TICKET-003 links to deploying.md, which works in docs/tickets.md but not in its own file" in listed.stderr
    assert "TICKET-006 links to #ticket-003-registry-pull-secret-expires-every-12-hours" in listed.stderr
    assert (team_repo / "README.md").read_bytes() == readme  # listed, not changed
    (team_repo / "docs/faq.md").write_bytes(b'# FAQ\r\n\r\nSee [the TODO list](tickets.md#todo "TODO").\r\n')
    done = run_cli("import", "docs/tickets.md", "--rewrite-links", cwd=team_repo)
    assert done.exit_code == 0, done.output
    assert "rewrote: docs/faq.md:3: tickets.md#todo -> ../tickets/index.md#todo" in done.stdout
    # only the link destinations change: the title, the CRLF line endings, every other byte stay
    assert (team_repo / "docs/faq.md").read_bytes() == (
        b'# FAQ\r\n\r\nSee [the TODO list](../tickets/index.md#todo "TODO").\r\n'
    )
    troubleshooting = (team_repo / "docs/troubleshooting.md").read_text()
    assert "](../tickets/TICKET-002-helmrelease-stuck-after-a-failed-upgrade.md)" in troubleshooting
    assert "(tickets.md" not in troubleshooting
    assert (team_repo / "README.md").read_text() == readme.decode().replace(
        "(docs/tickets.md)", "(tickets/index.md)"
    ).replace("(docs/tickets.md#ticket-001-tofu-controller-keeps-a-stale-source-on-retry)",
              "(tickets/TICKET-001-tofu-controller-keeps-a-stale-source-on-retry.md)")  # fmt: skip


# -- docs/adopting.md, run as written -------------------------------------------------------------
DOC = ROOT / "docs" / "adopting.md"
_EXPECTED_EXIT = re.compile(r"\s+#\s*exit (\d+)\b.*$")


def _doc_commands() -> list[tuple[str, int]]:
    """Every `$ ` line of the page's console blocks, in order, with the exit status a trailing
    `# exit N` comment expects (0 otherwise)."""
    from ticketgen.core.markdown import block_tokens

    commands = []
    for tok in block_tokens(DOC.read_text(encoding="utf-8")):
        if tok.type == "fence" and tok.info.strip() == "console":
            for line in tok.content.splitlines():
                if line.startswith("$ "):
                    command = line[2:]
                    found = _EXPECTED_EXIT.search(command)
                    commands.append((_EXPECTED_EXIT.sub("", command), int(found.group(1)) if found else 0))
    return commands


def _clean_path(tmp_path: Path, venv: Path) -> str:
    """A PATH with no ticketgen on it, nor an activated venv: the base Python as `python` (what
    actions/setup-python gives CI), git, and pre-commit as pipx would install it."""
    tools = tmp_path / "path-bin"
    tools.mkdir()
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    for name in ("python", "python3"):
        (tools / name).symlink_to(base if base.exists() else Path(shutil.which("python3") or sys.executable))
    pre_commit = Path(sys.executable).parent / "pre-commit"
    if not pre_commit.exists():
        pytest.fail("pre-commit is not installed: pip install -e '.[test]'")
    (tools / "pre-commit").symlink_to(pre_commit)
    system = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and not (Path(d) / "ticketgen").exists()]
    return os.pathsep.join([str(tools), *system])


def test_the_adoption_page_runs_as_written_on_a_team_repository(tmp_path: Path, wheel: Path):
    """docs/adopting.md end to end: install, init, commit, a fresh clone passing every step of
    the generated workflow and `pre-commit run --all-files` (pre-commit installs ticketgen from a
    file:// clone at a commit), lint green with the baseline and red on a newly broken ticket,
    and no page of the team's missing from the strictly built site. A couple of minutes, most of
    it pip."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: pre-commit needs ticketgen's repository at a commit")
    (tmp_path / "ticketgen" / "dist").mkdir(parents=True)
    shutil.copy(wheel, tmp_path / "ticketgen" / "dist" / wheel.name)
    # pre-commit clones ticketgen's repository at a commit: this checkout's HEAD, through a clone
    source = tmp_path / "ticketgen-src"
    run("git", "clone", "--quiet", ROOT, source, cwd=tmp_path)
    sha = run("git", "rev-parse", "HEAD", cwd=source).stdout.strip()
    repo = tmp_path / "your-repo"
    shutil.copytree(TEAM_REPO, repo)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env |= {"PATH": _clean_path(tmp_path, wheel), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache")}
    env |= {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_COMMITTER_EMAIL": "t@example.com", "NO_COLOR": "1"}
    # pip's own cache (the session's XDG_CACHE_HOME is a fresh folder) and no .pyc compiling: most of an install
    env |= {"PIP_CACHE_DIR": PIP_CACHE, "PIP_NO_COMPILE": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    run("git", "init", "--quiet", "-b", "main", cwd=repo, env=env)
    run("git", "add", "-A", cwd=repo, env=env)
    run("git", "commit", "--quiet", "-m", "The team's repository", cwd=repo, env=env)

    cwd = tmp_path
    commands = _doc_commands()
    assert len(commands) >= 12, commands
    outputs: dict[str, str] = {}
    for command, expected in commands:
        command = command.replace("https://github.com/OWNER/ticketgen", source.as_uri()).replace("v0.1.0", sha)
        if command.startswith("cd "):
            cwd = (cwd / command[3:].strip()).resolve()
            continue
        started = time.monotonic()
        result = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
        print(f"{time.monotonic() - started:6.1f} s  $ {command}")  # shown with -s: where the minutes go
        assert result.returncode == expected, f"$ {command}\n{result.stdout}\n{result.stderr}"
        outputs[command] = result.stdout + result.stderr

    # what the page says the commands show
    lint = next(out for cmd, out in outputs.items() if cmd == ".venv/bin/ticketgen lint")
    assert "no new findings. 3 baselined findings remain" in lint
    dry = next(out for cmd, out in outputs.items() if "init --dry-run" in cmd)
    assert "found 6 ticket(s) in docs/tickets.md: kept in place" in dry and "the index goes to tickets/all.md" in dry
    broken = next(
        out for cmd, out in outputs.items() if cmd.startswith("../ci-python/bin/ticketgen lint") and "Urgent" in out
    )
    assert "docs/tickets.md" in broken
    hook = (repo / ".pre-commit-config.yaml").read_text()
    assert source.as_uri() in hook and sha in hook and "repo: local" not in hook
    assert not (repo / "tickets").exists()  # their template is the template: no second one
    # every page of the team's is in the site the fresh clone built, at its own URL
    site = tmp_path / "fresh-clone" / "site"
    for page in TEAM_PAGES:
        built = site / ("index.html" if page == "index.md" else page.removesuffix(".md") + "/index.html")
        assert built.is_file(), page
    assert "Known Problems" in (site / "tickets" / "index.html").read_text()
    assert "TICKET-006" in (site / "tickets" / "all" / "index.html").read_text()
    steps = yaml.safe_load((repo / ".github/workflows/tickets.yml").read_text())["jobs"]["tickets"]["steps"]
    workflow_runs = [s["run"] for s in steps if "run" in s]
    page_runs = [c.replace("../ci-python/bin/", "").replace("--quiet ", "") for c, _ in commands]
    for step in workflow_runs:  # the page ran every `run:` step of the workflow
        assert any(step in c for c in page_runs), step


def test_init_pages_adds_a_github_pages_job_only_when_asked(tmp_path: Path):
    plain, pages = tmp_path / "plain", tmp_path / "pages"
    plain.mkdir()
    pages.mkdir()
    run_cli("init", cwd=plain)
    run_cli("init", "--pages", cwd=pages)
    assert list(yaml.safe_load((plain / ".github/workflows/tickets.yml").read_text())["jobs"]) == ["tickets"]
    workflow = yaml.safe_load((pages / ".github/workflows/tickets.yml").read_text())
    uses = [s.get("uses", "") for s in workflow["jobs"]["pages"]["steps"]]
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    built = [s.get("uses", "") for s in workflow["jobs"]["tickets"]["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in built)
    assert workflow["permissions"]["pages"] == "write" and workflow["permissions"]["id-token"] == "write"


def test_init_pre_commit_hook_names_the_repository_and_rev_given(tmp_path: Path):
    run_cli("init", "--hook-repo", "https://example.org/ticketgen.git", "--hook-rev", "v9.9.9", cwd=tmp_path)
    (repo,) = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())["repos"]
    assert repo == {"repo": "https://example.org/ticketgen.git", "rev": "v9.9.9", "hooks": [{"id": "ticketgen-lint"}]}
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [(h["id"], h["language"]) for h in hooks] == [("ticketgen-lint", "python")]


def test_site_notes_are_info_summed_up_once_and_do_not_fail_strict(team_repo: Path, caplog):
    run_cli("init", cwd=team_repo)
    text = (team_repo / "docs/tickets.md").read_text()
    (team_repo / "docs/tickets.md").write_text(
        text.replace("# TODO\n", "# TODO\n\n## FLOW-001: Rotate the registry token\n\n**Workflow:** by hand\n\n", 1)
    )
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.ticketgen"):
        build_site(team_repo, strict=True)
    infos = [m for m in _plugin_messages(caplog, logging.INFO) if "note(s)" in m]
    assert len(infos) == 1 and "docs/tickets.md" in infos[0] and "FLOW-001" in infos[0]
    assert _plugin_messages(caplog, logging.WARNING) == []
