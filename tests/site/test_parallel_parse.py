"""The two-process parse of large sites gives exactly what the one-process parse gives."""

import datetime as dt
from pathlib import Path

import pytest

from tests.site.site_repo import make_repo, ticket
from ticketgen.project import Project
from ticketgen.site import content, parallel
from ticketgen.site.options import load_options
from ticketgen.site.render import SiteRenderer


def _site(root: Path, monkeypatch, minimum: int):
    monkeypatch.setattr(content, "_PARALLEL_MIN", minimum)
    project = Project.discover(root)
    renderer = SiteRenderer(
        project, load_options(project.config, project.schema), edit_url=lambda _: None, today=dt.date(2026, 6, 1)
    )
    cache = content.ParseCache()
    found = content.site_content(project, renderer, cache)
    return [(p.src_uri, p.markdown) for p in found.pages], found.warnings, sorted(cache.parsed)


def test_parallel_and_serial_parse_agree(tmp_path: Path, monkeypatch):
    if not parallel.spare_core():
        pytest.skip("no second core to parse on")
    tickets = {f"TICKET-{n:03d}-t.md": ticket(f"TICKET-{n:03d}", f"Ticket {n}") for n in range(10, 40)}
    tickets["zz-nul.md"] = "## TICKET-900: x\n\0"
    tickets["zz-dupe.md"] = ticket("TICKET-010", "Same ID again")
    tickets["zz-yaml.md"] = "---\n: [\n---\n" + ticket("TICKET-901", "Bad frontmatter")
    root = make_repo(tmp_path, tickets=tickets, runbooks={})
    (root / "tickets" / "zz-latin1.md").write_bytes("## TICKET-902: caf\xe9\n".encode("latin-1"))
    serial = _site(root, monkeypatch, 10**9)
    forked = _site(root, monkeypatch, 2)
    assert forked == serial
    assert any("zz-nul.md" in w for w in serial[1]) and any("zz-latin1.md" in w for w in serial[1])
