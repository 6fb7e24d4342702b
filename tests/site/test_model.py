"""The site's dependency model: after one edit, exactly the pages whose content changed are
named for rendering again (its page, the tables and dashboard that show what changed, the pages
whose "Mentioned by" or links it touches), new pages as new and gone pages as gone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from site_repo import make_repo, ticket, write

from ticketgen.core.project import Project
from ticketgen.site.content import site_content
from ticketgen.site.model import Changes, SiteModel
from ticketgen.site.options import load_options
from ticketgen.site.pages import SiteRenderer

TODAY = dt.date(2026, 4, 1)
INDEX, DASHBOARD = "tickets/index.md", "tickets/dashboard.md"


class Site:
    """One project and renderer kept across edits, as `ticketgen serve` keeps them."""

    def __init__(self, root: Path):
        self.project = Project.discover(root, use_cache=False)
        options = load_options(self.project.config, self.project.schema)
        self.renderer = SiteRenderer(self.project, options, today=TODAY)
        self.model = self._model()

    def _model(self) -> SiteModel:
        earlier = getattr(self, "model", None)  # as serve does: ticket pages whose inputs are the same are reused
        return SiteModel.of(self.renderer, site_content(self.project, self.renderer).specs, earlier)

    def edit(self) -> Changes:
        newer = self._model()
        changes, self.model = self.model.changes(newer), newer
        return changes


def _fresh(root: Path) -> SiteModel:
    return Site(root).model


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_nothing_edited_nothing_to_render(tmp_path: Path):
    site = Site(make_repo(tmp_path))
    assert not site.edit()


def test_a_body_edit_renders_only_that_ticket_page(tmp_path: Path):
    root = make_repo(tmp_path)
    site = Site(root)
    _edit(root / "tickets/TICKET-003-resolved.md", "Something is broken.", "Tokens expire after 30 days.")
    changes = site.edit()
    assert changes.render == {"tickets/TICKET-003.md"}
    assert not changes.removed and not changes.navigation


def test_a_title_edit_renders_its_page_its_rows_and_the_pages_it_mentions(tmp_path: Path):
    root = make_repo(tmp_path)
    site = Site(root)
    _edit(root / "tickets/TICKET-002-mentions.md", "Mentions and literal braces", "Registry pull fails")
    changes = site.edit()
    assert changes.changed == {
        "tickets/TICKET-002.md",
        "tickets/TICKET-001.md",  # its "Mentioned by" shows TICKET-002's title
        INDEX,
        DASHBOARD,
        "tickets/status/in-progress.md",
        "tickets/component/registry.md",
    }
    assert not changes.added and not changes.removed
    # the runbook that mentions TICKET-002 links it by URL, not by title: unchanged
    assert "runbooks/manual-restart.md" not in changes.render


def test_a_status_edit_moves_the_ticket_between_status_pages(tmp_path: Path):
    root = make_repo(tmp_path)
    site = Site(root)
    _edit(root / "tickets/TICKET-003-resolved.md", "**Status:** Resolved", "**Status:** Open")
    changes = site.edit()
    assert changes.changed == {
        "tickets/TICKET-003.md",
        INDEX,
        DASHBOARD,
        "tickets/status/open.md",
        "tickets/component/registry.md",
    }
    assert changes.removed == {"tickets/status/resolved.md"}  # its only ticket left it


def test_a_new_ticket_is_added_and_the_pages_that_name_it_are_rendered(tmp_path: Path):
    root = make_repo(tmp_path)
    _edit(root / "tickets/TICKET-003-resolved.md", "Something is broken.", "Follow-up in TICKET-004.")
    site = Site(root)
    write(root / "tickets/TICKET-004-new.md", ticket("TICKET-004", "Disk full", component="storage"))
    changes = site.edit()
    assert changes.added == {"tickets/TICKET-004.md", "tickets/component/storage.md"}
    assert changes.changed == {
        "tickets/TICKET-003.md",  # its mention of TICKET-004 is a link now
        INDEX,
        DASHBOARD,
        "tickets/status/open.md",
    }
    assert not changes.removed


def test_a_deleted_ticket_takes_its_pages_with_it(tmp_path: Path):
    root = make_repo(tmp_path)
    site = Site(root)
    (root / "tickets/TICKET-003-resolved.md").unlink()
    changes = site.edit()
    assert changes.removed == {"tickets/TICKET-003.md", "tickets/status/resolved.md"}
    assert changes.changed == {INDEX, DASHBOARD, "tickets/component/registry.md"}
    assert not changes.added


def test_a_mention_added_renders_the_mentioned_page_too(tmp_path: Path):
    root = make_repo(tmp_path)
    site = Site(root)
    _edit(root / "tickets/TICKET-003-resolved.md", "Something is broken.", "Same as TICKET-001.")
    assert site.edit().render == {"tickets/TICKET-003.md", "tickets/TICKET-001.md"}


def test_a_runbook_edit_renders_its_page_and_the_tickets_it_now_mentions(tmp_path: Path):
    root = make_repo(tmp_path)
    site = Site(root)
    _edit(root / "runbooks/manual-restart.md", "See TICKET-002.", "See TICKET-002 and TICKET-003.")
    assert site.edit().render == {"runbooks/manual-restart.md", "tickets/TICKET-003.md"}


def test_a_kept_renderer_gives_the_model_of_a_fresh_one(tmp_path: Path):
    """What serve relies on: a renderer kept across edits holds nothing stale."""
    root = make_repo(tmp_path)
    site = Site(root)
    _edit(root / "tickets/TICKET-002-mentions.md", "**Status:** In Progress", "**Status:** Resolved")
    (root / "tickets/TICKET-003-resolved.md").unlink()
    site.edit()
    assert site.model.pages == _fresh(root).pages


def test_a_page_rendered_again_keeps_its_headings_in_page_order(tmp_path: Path):
    """Serve renders a page again with the same templates: headings the template names with
    constant text are placed on every render, in the order the page shows them."""
    site = Site(make_repo(tmp_path))
    spec = next(s for s in site_content(site.project, site.renderer).specs if s.kind == "dashboard")
    first, again = site.renderer.page(spec), site.renderer.page(spec)
    assert [h.id for h in first.toc] == ["tg-urgent", "tg-recent", "tg-oldest", "tg-busiest"]
    assert again.toc == first.toc
