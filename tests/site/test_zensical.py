"""The way out of MkDocs 1.x, tested: `ticketgen render --out` builds with Zensical (the
Material team's successor), and its ticket pages show what ours show."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from site_repo import make_repo

from tests.conftest import run_cli
from tests.site.test_github_parity import structure

ZENSICAL = shutil.which("zensical", path=str(Path(sys.executable).parent)) or shutil.which("zensical")
CONFIG = """\
site_name: Tickets
docs_dir: docs
site_dir: site
theme:
  name: material
extra_css: [assets/ticketgen/ticketgen.css]
extra_javascript: [assets/ticketgen/ticketgen.js]
"""


def _between(html: str, start: str, end: str) -> str:
    i = html.index(start)
    return html[i : html.index(end, i)]


@pytest.mark.skipif(ZENSICAL is None, reason="zensical is not installed (pip install -e '.[test]')")
def test_rendered_pages_build_with_zensical(tmp_path: Path):
    repo = make_repo(tmp_path / "repo")
    out = tmp_path / "zensical"
    assert run_cli("render", "--out", str(out / "docs"), cwd=repo).exit_code == 0
    (out / "mkdocs.yml").write_text(CONFIG)
    build = subprocess.run([ZENSICAL, "build"], cwd=out, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    site = out / "site"
    for page in ("tickets/index.html", "tickets/dashboard/index.html", "runbooks/index.html"):
        assert (site / page).is_file(), page
    assert (site / "runbooks" / "terraform-lotus-lake" / "index.html").is_file()
    page = (site / "tickets" / "TICKET-002" / "index.html").read_text()
    assert "<title>TICKET-002:" in page and 'src="../../assets/ticketgen/ticketgen.js"' in page
    # The body came through the engine's Markdown untouched: same blocks as the file we wrote.
    written = (out / "docs" / "tickets" / "TICKET-002.md").read_text()
    ours = _between(written, '<div class="tg-page">', "\n</div>\n")
    theirs = _between(
        page, '<div class="tg-page">', '<div class="md-source-file">' if "md-source-file" in page else "</article>"
    )
    assert structure(theirs)[: len(structure(ours))] == structure(ours)
    assert '<a class="tg-mention" href="../TICKET-001/">TICKET-001</a>' in theirs  # a working link
    assert (
        '<a href="../../runbooks/terraform-lotus-lake/">'
        in (site / "tickets" / "TICKET-001" / "index.html").read_text()
    )
