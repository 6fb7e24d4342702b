"""The two-process parse of large sites gives exactly what the one-process parse gives.

It runs in a fresh interpreter: the forked path is only taken where no other thread runs,
and this test session has browser threads.
"""

import os
import subprocess
import sys
from pathlib import Path

from tests.site.site_repo import make_repo, ticket

COMPARE = """
import datetime as dt, sys
from pathlib import Path
from ticketgen.project import Project
from ticketgen.site import content, parallel
from ticketgen.site.options import load_options
from ticketgen.site.render import SiteRenderer

def site(minimum):
    content._PARALLEL_MIN = minimum
    project = Project.discover(Path(sys.argv[1]))
    options = load_options(project.config, project.schema)
    renderer = SiteRenderer(project, options, edit_url=lambda _: None, today=dt.date(2026, 6, 1))
    cache = content.ParseCache()
    found = content.site_content(project, renderer, cache)
    return [(p.src_uri, p.markdown) for p in found.pages], found.warnings, sorted(cache.parsed)

if not parallel.spare_core():
    print("no second core")
    sys.exit(0)
serial, forked = site(10**9), site(2)
assert forked == serial, "forked parse differs"
assert any("zz-nul.md" in w for w in serial[1]) and any("zz-latin1.md" in w for w in serial[1])
print("same")
"""


def test_parallel_and_serial_parse_agree(tmp_path: Path):
    tickets = {f"TICKET-{n:03d}-t.md": ticket(f"TICKET-{n:03d}", f"Ticket {n}") for n in range(10, 40)}
    tickets["zz-nul.md"] = "## TICKET-900: x\n\0"
    tickets["zz-dupe.md"] = ticket("TICKET-010", "Same ID again")
    tickets["zz-yaml.md"] = "---\n: [\n---\n" + ticket("TICKET-901", "Bad frontmatter")
    root = make_repo(tmp_path, tickets=tickets, runbooks={})
    (root / "tickets" / "zz-latin1.md").write_bytes("## TICKET-902: caf\xe9\n".encode("latin-1"))
    result = subprocess.run([sys.executable, "-c", COMPARE, str(root)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in ("same", "no second core")


BUILD_TWICE = """
import os, sys
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
from ticketgen.site import content, parallel

if not parallel.spare_core():
    print("no second core")
    sys.exit(0)
parsed = []
real = content._parse
content._parse = lambda project, path, data: parsed.append(path.name) or real(project, path, data)
root = Path(sys.argv[1])
for run in (1, 2):
    parsed.clear()
    build(load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(root / "site"), strict=True))
    print(run, len(parsed))
"""


def test_a_large_build_parses_in_two_processes_from_load_config_and_reuses_the_store(tmp_path: Path):
    # 130 tickets: enough for the plugin to start a child parsing in load_config. This
    # process parses only what the child did not; the next build parses nothing.
    tickets = {f"TICKET-{n:03d}-t.md": ticket(f"TICKET-{n:03d}", f"Ticket {n}") for n in range(10, 140)}
    root = make_repo(tmp_path, tickets=tickets, runbooks={})
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-c", BUILD_TWICE, str(root)], capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stderr
    if result.stdout.strip() == "no second core":
        return
    first, second = (int(line.split()[1]) for line in result.stdout.splitlines())
    assert first < 131, result.stdout  # the child parsed the others of the 131 files
    assert second == 0
    for n in (10, 75, 139):
        page = (root / "site" / "tickets" / f"TICKET-{n:03d}" / "index.html").read_text()
        assert f"TICKET-{n:03d}: Ticket {n}" in page and 'class="tg-card"' in page
    assert list((tmp_path / "cache" / "ticketgen" / "site").glob("*.pickle"))
