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
