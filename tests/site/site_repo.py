"""Fixture repos for site tests (tickets, runbooks, docs, mkdocs.yml), and `mkdocs serve` of one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SEED = FIXTURES / "seed-TICKETS.md"

CHROMIUM = os.environ.get("TICKETGEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


MKDOCS_YML = """\
site_name: Fixture tickets
repo_url: https://github.com/example/fixture
edit_uri: edit/main/docs/
theme:
  name: material
  font: false  # no Google Fonts: the site works offline
  features: [content.action.edit]
plugins:
  - search
  - tags
  - ticketgen
markdown_extensions:
  - admonition
  - attr_list
  - pymdownx.superfences
  - pymdownx.tasklist:
      custom_checkbox: true
"""

TICKET = """\
## {id}: {title}

**Status:** {status}
**Priority:** {priority}
**Discovered:** {discovered}
**Component:** {component}

### Problem Statement
{problem}

### Action Items
{items}
"""


def ticket(
    id: str,
    title: str,
    *,
    status="Open",
    priority="Medium",
    discovered="2026-01-10",
    component="ingest",
    problem="Something is broken.",
    items="- [ ] Fix it",
) -> str:
    return TICKET.format(
        id=id,
        title=title,
        status=status,
        priority=priority,
        discovered=discovered,
        component=component,
        problem=problem,
        items=items,
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_repo(root: Path, tickets: dict[str, str] | None = None, runbooks: dict[str, str] | None = None) -> Path:
    """A repo using the seed's template; TICKET-001 is the seed ticket itself."""
    write(root / "pyproject.toml", '[tool.ticketgen]\ntickets_dir = "tickets"\nrunbooks_dir = "runbooks"\n')
    write(root / "mkdocs.yml", MKDOCS_YML)
    write(root / "docs" / "index.md", "# Home\n\nStart with TICKET-001, not `TICKET-002`.\n")
    write(root / "tickets" / "_template.md", (ROOT / "ticketgen" / "data" / "template.md").read_text())
    seed = SEED.read_text(encoding="utf-8")
    first = seed.index("## TICKET-001")
    write(root / "tickets" / "TICKET-001-tofu.md", seed[first : seed.index("\n---\n", first) + 1])
    for name, text in (tickets if tickets is not None else default_tickets()).items():
        write(root / "tickets" / name, text)
    for name, text in (runbooks if runbooks is not None else default_runbooks()).items():
        write(root / "runbooks" / name, text)
    return root


def default_tickets() -> dict[str, str]:
    return {
        "TICKET-002-mentions.md": ticket(
            "TICKET-002",
            "Mentions and literal braces",
            status="In Progress",
            priority="Critical",
            discovered="2026-03-01",
            component="registry",
            problem=textwrap.dedent("""\
                Same cause as TICKET-001. Not in code: `TICKET-001` nor below.

                ```bash
                echo TICKET-001 {{ 7 * 7 }}
                ```

                Braces stay literal: {{ 6 * 7 }} and {% if true %}shown{% endif %}."""),
            items="- [x] Reproduce\n- [ ] Patch",
        ),
        "TICKET-003-resolved.md": ticket(
            "TICKET-003",
            "Registry token expiry",
            status="Resolved",
            priority="Low",
            discovered="2025-12-01",
            component="registry",
            items="- [x] Rotate\n- [x] Alert",
        ),
    }


def default_runbooks() -> dict[str, str]:
    return {
        "terraform-lotus-lake.md": textwrap.dedent("""\
            ---
            generated_by: ticketgen
            resource: terraform/flux-system/lotus-lake
            tickets: [TICKET-001]
            ---
            # Recover a stuck Terraform

            ```bash
            kubectl annotate terraform -n flux-system lotus-lake reconcile.fluxcd.io/requestedAt="$(date +%s)"
            ```
            """),
        "manual-restart.md": "# Restart the ingest worker\n\nSee TICKET-002.\n\n    flux reconcile kustomization ingest\n\n"
        "Background: [the ticket file](../tickets/TICKET-002-mentions.md#action-items).\n",
    }


def build_site(root: Path, strict: bool = True) -> Path:
    """Build with mkdocs' Python API (as `mkdocs build`), return the site folder."""
    site = root / "site"
    config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(site), strict=strict)
    build(config)
    return site


def article(html_path: Path) -> str:
    """The page's main content (not nav, header or search config)."""
    html = html_path.read_text(encoding="utf-8")
    return html[html.index("<article") : html.index("</article>")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """`mkdocs serve --livereload` of a repo on a free localhost port; always stopped."""

    def __init__(self, repo: Path):
        self.repo = repo
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = repo / "serve.log"
        env = {
            **os.environ,
            "NO_MKDOCS_2_WARNING": "1",
            "DISABLE_MKDOCS_2_WARNING": "true",
            "XDG_CACHE_HOME": str(repo / ".user-cache"),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--livereload", "-a", f"127.0.0.1:{self.port}"],
            cwd=repo,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mkdocs serve exited: {self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "tickets/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"mkdocs serve did not answer in {timeout}s: {self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
