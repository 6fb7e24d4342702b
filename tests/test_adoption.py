"""The README's adoption steps, as a new user runs them: a wheel built from this checkout,
installed into a fresh venv (dependencies from the package index, nothing borrowed from ours),
then init -> new -> set -> lint -> mkdocs build --strict in another repository.
About half a minute, most of it pip."""

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from tests.conftest import FIXTURES, run_cli
from tests.site.site_repo import build_site

ROOT = Path(__file__).parents[1]
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


def test_a_wheel_built_here_adopts_another_repository(tmp_path: Path):
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--quiet", "-w", dist, cwd=ROOT)
    (wheel,) = dist.glob("ticketgen-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    run(venv / "bin/python", "-m", "pip", "install", "--quiet", "--no-compile", wheel, cwd=tmp_path)

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
