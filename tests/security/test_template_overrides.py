"""Class 8: template overrides come from the repository, so from pull requests. They run in
Jinja's sandbox: data only, no way from a template to Python internals or the shell."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.security.conftest import make_project, ticket


def _payload(marker: Path) -> str:
    return "{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}\n"


@pytest.mark.parametrize("kind", ["cycler", "subclasses"])
def test_a_runbook_override_cannot_run_code(tmp_path: Path, kind: str):
    marker = tmp_path / "pwned"
    payload = (
        _payload(marker)
        if kind == "cycler"
        else "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == 'Popen' %}"
        "{{ c(['touch', '" + str(marker) + "']) }}{% endif %}{% endfor %}\n"
    )
    body = "```bash\nkubectl get kustomization -n flux-system apps\n```"
    root = make_project(tmp_path / "repo", {"tickets/TICKET-001-x.md": ticket(body=body)})
    override = root / "runbooks" / "templates" / "kustomization.md.j2"
    override.parent.mkdir(parents=True)
    override.write_text(payload)
    result = run_cli("runbooks", cwd=root)
    assert not marker.exists()
    assert result.exit_code == 2, result.output
    assert "runbook template error" in result.stderr and "unsafe" in result.stderr
    assert "internal error" not in result.stderr


def test_a_site_override_cannot_run_code(tmp_path: Path):
    marker = tmp_path / "pwned"
    root = make_project(tmp_path / "repo", {"tickets/TICKET-001-x.md": ticket()})
    override = root / "templates" / "site" / "ticket.html.j2"
    override.parent.mkdir(parents=True)
    override.write_text(_payload(marker))
    result = run_cli("render", "--out", str(tmp_path / "out"), cwd=root)
    assert not marker.exists()
    assert result.exit_code == 2, result.output
    assert "unsafe" in result.stderr and "internal error" not in result.stderr


def test_the_sandbox_is_on_whenever_an_override_folder_holds_a_template(tmp_path: Path):
    from jinja2.sandbox import SandboxedEnvironment

    from ticketgen.core.templating import environment

    folder = tmp_path / "templates"
    folder.mkdir()
    assert not isinstance(environment("site", folder, autoescape=True), SandboxedEnvironment)  # ours only
    (folder / "notes.j2").write_text("{{ 1 }}")  # any template, even one no page uses
    assert isinstance(environment("site", folder, autoescape=True), SandboxedEnvironment)


# -- Templates receive plain data (issue 20, part 1) ------------------------------------------
# Each attack as a hostile contributor wrote it against the old context (`site.project`, a
# `Path` for `ticket.path`), and the same through what a template gets now.
_OUTSIDE = "{{ site.project.root.parent.joinpath('outside.txt').write_text('pwned') }}"
_ATTACKS = {
    "write outside": _OUTSIDE,
    "write outside through the ticket": "{{ ticket.path.parent.parent.joinpath('outside.txt').write_text('x') }}",
    "unlink": "{{ site.project.root.joinpath('tickets', 'TICKET-001-x.md').unlink() }}",
    "unlink through the ticket": "{{ ticket.path.unlink() }}",
    "read a secret": "{{ site.project.root.parent.joinpath('secret.txt').read_text() }}",
    "read a secret through a string": "{{ ticket.path.__class__.__mro__ }}",
    "huge string": "{{ 'a' * 10**9 }}",
    "huge list": "{{ [0] * 10**9 }}",
    "huge format": "{{ '%s' % ('a' | center(10**9)) }}",
    "huge format width": "{{ '%999999999s' % 'x' }}",
    "huge power": "{{ 10 ** 1000000 }}",
    "doubling in a loop": (
        "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}"
    ),
    "huge output": "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
}


def _hostile_project(tmp_path: Path, attack: str) -> tuple[Path, Path]:
    root = make_project(tmp_path / "repo", {"tickets/TICKET-001-x.md": ticket()})
    (tmp_path / "secret.txt").write_text("TOP-SECRET-VALUE\n")
    override = root / "templates" / "site" / "ticket.html.j2"
    override.parent.mkdir(parents=True)
    override.write_text("<p>{{ ticket.id }}</p>\n" + attack + "\n")
    return root, override


@pytest.mark.parametrize("name", list(_ATTACKS))
def test_an_override_cannot_reach_files_or_exhaust_memory(tmp_path: Path, name: str):
    root, override = _hostile_project(tmp_path, _ATTACKS[name])
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    out = tmp_path / "out"
    result = run_cli("render", "--out", str(out), cwd=root)
    assert result.exit_code == 2, result.output
    assert f"{override}:2: site template:" in result.stderr, result.stderr  # the file and line
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert not (tmp_path / "outside.txt").exists()
    assert (root / "tickets" / "TICKET-001-x.md").exists()
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before  # nothing written
    assert "TOP-SECRET" not in result.output + result.stderr


def test_an_override_cannot_write_outside_during_mkdocs_build(tmp_path: Path, caplog):
    from mkdocs.exceptions import Abort

    from tests.site.site_repo import build_site, make_repo

    repo = make_repo(tmp_path / "repo")
    override = repo / "templates" / "site" / "ticket.html.j2"
    override.parent.mkdir(parents=True)
    override.write_text("<p>{{ ticket.id }}</p>\n" + _OUTSIDE + "\n")
    with pytest.raises(Abort):
        build_site(repo)
    assert f"{override}:2" in caplog.text and "Traceback" not in caplog.text
    assert not (tmp_path / "outside.txt").exists()


def test_an_override_symlinked_to_a_file_outside_is_not_read(tmp_path: Path):
    root, override = _hostile_project(tmp_path, "")
    override.write_text('<p>{{ ticket.id }}</p>\n{% include "notes.html.j2" %}\n')
    (override.parent / "notes.html.j2").symlink_to(tmp_path / "secret.txt")
    result = run_cli("render", "--out", str(tmp_path / "out"), cwd=root)
    assert result.exit_code == 2 and "outside its folder" in result.stderr, result.output
    assert "TOP-SECRET" not in result.output + result.stderr and not (tmp_path / "out").exists()


def test_a_runbook_override_is_bounded_too(tmp_path: Path):
    body = "```bash\nkubectl get kustomization -n flux-system apps\n```"
    root = make_project(tmp_path / "repo", {"tickets/TICKET-001-x.md": ticket(body=body)})
    override = root / "runbooks" / "templates" / "kustomization.md.j2"
    override.parent.mkdir(parents=True)
    override.write_text("# {{ rb.title }}\n{{ 'a' * 10**9 }}\n")
    result = run_cli("runbooks", cwd=root)
    assert result.exit_code == 2, result.output
    assert f"{override}:2: runbook template error:" in result.stderr and "Traceback" not in result.stderr
    assert not list((root / "runbooks").glob("*.md"))


def test_an_override_that_stays_in_bounds_still_renders(tmp_path: Path):
    # The bounds refuse only what no page needs: ordinary arithmetic, formatting and joins work.
    attack = "{{ 'ab' ~ ticket.title }} {{ 3 * 4 }} {{ 2 ** 10 }} {{ '%s-%03d' % ('n', 7) }} {{ '-' * 3 }}"
    root, _ = _hostile_project(tmp_path, attack)
    result = run_cli("render", "--out", str(tmp_path / "out"), cwd=root)
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "tickets" / "TICKET-001.md").read_text()
    assert "abA ticket 12 1024 n-007 ---" in page


def test_every_page_gets_plain_data_only(tmp_path: Path):
    """What each template receives is str/int/bool/None, tuples and dicts of those, Markup:
    nothing with a method that reaches files, the project, the renderer or the cache."""
    from tests.site.site_repo import make_repo
    from ticketgen.core.project import Project
    from ticketgen.site.content import site_content
    from ticketgen.site.options import load_options
    from ticketgen.site.pages import SiteRenderer
    from ticketgen.site.views import is_plain

    repo = make_repo(tmp_path / "repo")
    with open(repo / "pyproject.toml", "a") as handle:
        handle.write('\n[tool.ticketgen.site]\ncolumns = ["owner", "tags"]\nedit_url = "https://e.org/{path}"\n')
    project = Project.discover(repo)
    renderer = SiteRenderer(project, load_options(project.config, project.schema))
    specs = site_content(project, renderer).specs
    assert {s.kind for s in specs} >= {"ticket", "tickets-index", "dashboard", "status", "runbook", "runbooks-index"}
    for spec in specs:
        variables = renderer.views.common(spec.src_uri, spec.kind) | renderer._view(spec)
        assert is_plain(variables), spec.src_uri
    assert not is_plain({"p": tmp_path}) and not is_plain({"f": len}) and not is_plain([1])  # the check can fail
