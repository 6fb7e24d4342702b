from pathlib import Path

import pytest

from tests.conftest import run_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "tickets").mkdir()
    return tmp_path


def _ticket(project: Path, resources: str) -> None:
    (project / "tickets" / "TICKET-001-r.md").write_text(
        f"## TICKET-001: r\n\n**Status:** Open\n**Resources:** {resources}\n\n### Problem Statement\nx\n"
    )


def test_longest_valid_names_get_a_short_file_name(project: Path):
    name = ".".join(["a" * 63] * 3) + "." + "b" * 61  # a 253-character RFC 1123 subdomain
    _ticket(project, f"hr/{'n' * 63}/{name}")
    result = run_cli("runbooks", cwd=project)
    assert result.exit_code == 0, result.output
    (written,) = (project / "runbooks").glob("helmrelease-*.md")
    assert len(written.name) < 255
    assert name in written.read_text()  # the full name is still what the commands use
    assert run_cli("runbooks", "--check", cwd=project).exit_code == 0


def test_a_broken_override_template_is_a_config_error(project: Path):
    _ticket(project, "deployment/ingest/ingest-worker")
    overrides = project / "runbooks" / "templates"
    overrides.mkdir(parents=True)
    (overrides / "deployment.md.j2").write_text("# {{ rb.title }}\n{% if %}\n")
    result = run_cli("runbooks", cwd=project)
    assert result.exit_code == 2
    assert "deployment.md.j2:2: runbook template error" in result.stderr
    assert "Traceback" not in result.output


def test_quoted_ticket_html_stays_text_in_the_runbook(project: Path):
    (project / "tickets" / "TICKET-001-r.md").write_text(
        "## TICKET-001: r <img src=x onerror=alert(1)>\n\n**Status:** Open\n"
        "**Resources:** deployment/ingest/ingest-worker\n\n### Workarounds\n<script>alert(2)</script>\n\n"
        "```bash\necho '<b>kept in code</b>'\n```\n"
    )
    assert run_cli("runbooks", cwd=project).exit_code == 0
    text = (project / "runbooks" / "deployment-ingest-ingest-worker.md").read_text()
    assert "<script>" not in text and "> &lt;script\\>alert\\(2\\)&lt;/script\\>" in text
    assert "<img" not in text and "r &lt;img src=x" in text
    assert "> echo '<b>kept in code</b>'" in text
