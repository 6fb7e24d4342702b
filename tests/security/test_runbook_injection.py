"""Ticket data reaches runbook pages as data: a file name, a title or a quoted section cannot add
a command block, a link or a heading of its own to the page (security issue 14)."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt

from tests.conftest import run_cli

TICKET = """## TICKET-004: Airbyte stuck

**Status:** Open
**Priority:** High
**Discovered:** 2026-05-01
**Component:** platform
**Resources:** terraform/team-a/vpc

### Problem Statement

Something.

### Workaround

Run this ``` then [click](javascript:alert(1)) <img src=x onerror=alert(1)>
[ref]: javascript:alert(2)

````bash
kubectl -n team-a get terraforms.infra.contrib.fluxcd.io vpc
```
touch $HOME.pwned-inner
```
````
"""
EVIL_NAME = "TICKET-004-x)\n\n```bash\ntouch $HOME.pwned\n```\n\n[a](#x.md"


def _page(project: Path) -> str:
    result = run_cli("runbooks", cwd=project)
    assert result.exit_code == 0, result.output
    return (project / "runbooks" / "terraform-team-a-vpc.md").read_text(encoding="utf-8")


def _top_level_code(page: str) -> list[str]:
    tokens = MarkdownIt("commonmark").parse(page)
    return [t.content for t in tokens if t.type in ("fence", "code_block") and t.level == 0]


def test_a_file_name_with_newlines_adds_no_block_to_the_runbook(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ticketgen]\n", encoding="utf-8")
    (tmp_path / "tickets").mkdir()
    (tmp_path / "tickets" / EVIL_NAME).write_text(TICKET, encoding="utf-8")
    page = _page(tmp_path)
    assert not any("pwned" in code for code in _top_level_code(page))
    assert "touch $HOME.pwned\n" not in page and "[a](#x.md" not in page
    # the ticket is still shown, by id, without a link to a name that cannot be written
    assert "### TICKET-004: Airbyte stuck" in page


def test_quoted_sections_stay_inside_the_quote(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ticketgen]\n", encoding="utf-8")
    (tmp_path / "tickets").mkdir()
    (tmp_path / "tickets" / "TICKET-004.md").write_text(TICKET, encoding="utf-8")
    page = _page(tmp_path)
    assert not any("pwned" in code for code in _top_level_code(page))
    html = MarkdownIt("commonmark").render(page)
    assert "<img" not in html and 'href="javascript' not in html
    # the ticket's code is kept byte for byte, in a fence longer than any backtick run inside it
    quoted = [t.content for t in MarkdownIt("commonmark").parse(page) if t.type == "fence" and t.level > 0]
    assert any("```\ntouch $HOME.pwned-inner\n```" in code for code in quoted), quoted
