"""The two-process parse of large sites gives exactly what the one-process parse gives.

It runs in a fresh interpreter: the forked path is only taken where no other thread runs,
and this test session has browser threads.
"""

import subprocess
import sys
from pathlib import Path

from tests.site.site_repo import make_repo, ticket

COMPARE = """
import datetime as dt, sys
from pathlib import Path
from ticketgen.core.project import Project
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


BUILDS = """
import os, sys, time
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
from ticketgen.site import content, parallel
from ticketgen.site.render import SiteRenderer

if not parallel.spare_core():
    print("no second core")
    sys.exit(0)
parsed, rendered, replayed = [], [], []
real_parse, real_page, real_replay = content._parse, SiteRenderer.page, content.replay
parent = os.getpid()

def counted_parse(project, path, data):
    if os.getpid() == parent:  # this process parses slowly: the child is sure to take its share
        parsed.append(path.name)
        time.sleep(0.003)
    return real_parse(project, path, data)

content._parse = counted_parse
SiteRenderer.page = lambda self, spec: rendered.append(spec.kind) or real_page(self, spec)
content.replay = lambda snapshot, renderer: replayed.append(1) or real_replay(snapshot, renderer)
root, caches = Path(sys.argv[1]), Path(sys.argv[2])
minimum = content._PARALLEL_MIN
own = root / "docs" / "tickets" / "dashboard.md"  # replaces the generated dashboard
own.parent.mkdir(parents=True, exist_ok=True)
own.write_text("# Our own dashboard")
runs = [("serial", "a", 10**9), ("forked", "b", minimum), ("again", "b", minimum), ("removed", "b", minimum)]
for run, cache, parallel_min in runs:
    if run == "removed":
        own.unlink()
    parsed.clear(), rendered.clear(), replayed.clear()
    content._PARALLEL_MIN = parallel_min
    os.environ["XDG_CACHE_HOME"] = str(caches / cache)
    build(load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(root / f"site-{run}"), strict=True))
    print(run, len(parsed), rendered.count("ticket"), rendered.count("tickets-index"), len(replayed))
"""


def test_a_large_build_parses_and_renders_in_two_processes_and_the_next_one_replays(tmp_path: Path):
    # 130 tickets: enough for the plugin to start a child in on_config that parses tickets
    # with this process, and another in on_files that renders the pages while mkdocs builds
    # them, and saves the caches. The site is the one a one-process build makes, and the
    # next build parses and renders nothing. A docs page replaces the dashboard; the child
    # made that page all the same, so the build after the docs page is gone replays it.
    tickets = {f"TICKET-{n:03d}-t.md": ticket(f"TICKET-{n:03d}", f"Ticket {n}") for n in range(10, 140)}
    runbooks = {"restart.md": "---\ntickets: [TICKET-075]\n---\n# Restart the worker\n"}
    root = make_repo(tmp_path, tickets=tickets, runbooks=runbooks)
    result = subprocess.run(
        [sys.executable, "-c", BUILDS, str(root), str(tmp_path / "caches")], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    if result.stdout.strip() == "no second core":
        return
    counts = {line.split()[0]: [int(n) for n in line.split()[1:]] for line in result.stdout.splitlines()}
    assert counts["serial"] == [131, 131, 1, 0]
    assert counts["forked"][0] < 131, result.stdout  # the first child parsed the others
    assert counts["forked"][1:] == [0, 0, 0], result.stdout  # pages made by the second child
    assert counts["again"] == counts["removed"] == [0, 0, 0, 1], result.stdout  # replays
    serial, forked = root / "site-serial", root / "site-forked"
    pages = sorted(p.relative_to(serial) for p in serial.rglob("*.html"))
    assert pages == sorted(p.relative_to(forked) for p in forked.rglob("*.html"))
    for page in pages:
        assert (serial / page).read_text() == (forked / page).read_text(), page
    assert "Restart the worker" in (forked / "tickets" / "TICKET-075" / "index.html").read_text()
    assert "Our own dashboard" in (forked / "tickets" / "dashboard" / "index.html").read_text()
    dashboard = (root / "site-removed" / "tickets" / "dashboard" / "index.html").read_text()
    assert "Our own dashboard" not in dashboard and "tg-" in dashboard
    assert list((tmp_path / "caches" / "b" / "ticketgen" / "site").glob("*.pickle"))
