"""The engine-agnostic side: parse cache, `ticketgen render --out`, URL helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from site_repo import build_site, make_repo, ticket, write

from ticketgen.cli import main
from ticketgen.core.project import Project
from ticketgen.site.content import ParseCache, site_content
from ticketgen.site.options import load_options
from ticketgen.site.render import SiteRenderer, relative_href


def renderer_for(root: Path) -> SiteRenderer:
    project = Project.discover(root)
    return SiteRenderer(project, load_options(project.config, project.schema))


def test_second_build_reparses_only_the_edited_file(tmp_path: Path):
    repo = make_repo(tmp_path)
    cache = ParseCache()
    first = site_content(Project.discover(repo), renderer_for(repo), cache)
    assert len(cache.parsed) == 5  # 3 tickets and 2 runbooks; the template is not a ticket
    edited = repo / "tickets" / "TICKET-003-resolved.md"
    edited.write_text(edited.read_text().replace("Registry token expiry", "Token expiry, edited"))
    os.utime(edited, ns=(edited.stat().st_atime_ns, edited.stat().st_mtime_ns + 1_000_000))
    second = site_content(Project.discover(repo), renderer_for(repo), cache)
    assert cache.parsed == [edited.resolve()]
    page = {p.src_uri: p.markdown for p in second.pages}["tickets/TICKET-003.md"]
    assert "Token expiry, edited" in page
    assert first.pages != second.pages


def test_parsed_tickets_are_reused_by_the_next_process_until_a_file_or_the_template_changes(
    tmp_path: Path, monkeypatch
):
    import ticketgen.site.content as content

    repo = make_repo(tmp_path, runbooks={})
    parsed: list[str] = []
    real = content.parse_document
    monkeypatch.setattr(
        content, "parse_document", lambda text, path, schema: parsed.append(path.name) or real(text, path, schema)
    )

    def fresh_build() -> list[str]:  # what a new `mkdocs build` process does
        parsed.clear()
        project = Project.discover(repo)
        cache = ParseCache()
        content.use_store(cache, project)
        site_content(project, renderer_for(repo), cache)
        cache.store.save()
        return sorted(parsed)

    assert len(fresh_build()) == 3
    assert fresh_build() == []
    edited = repo / "tickets" / "TICKET-002-mentions.md"
    edited.write_text(edited.read_text().replace("Mentions and", "Mentions, edited, and"))
    assert fresh_build() == ["TICKET-002-mentions.md"]
    template = repo / "tickets" / "_template.md"
    template.write_text(template.read_text().replace("### References", "### Links"))
    assert len(fresh_build()) == 3


def test_new_file_is_parsed_and_deleted_file_disappears(tmp_path: Path):
    repo = make_repo(tmp_path)
    cache = ParseCache()
    site_content(Project.discover(repo), renderer_for(repo), cache)
    write(repo / "tickets" / "TICKET-009-new.md", ticket("TICKET-009", "Brand new"))
    (repo / "tickets" / "TICKET-003-resolved.md").unlink()
    content = site_content(Project.discover(repo), renderer_for(repo), cache)
    uris = {p.src_uri for p in content.pages}
    assert "tickets/TICKET-009.md" in uris and "tickets/TICKET-003.md" not in uris
    assert [p.name for p in cache.parsed] == ["TICKET-009-new.md"]


def test_render_writes_pages_and_assets(tmp_path: Path):
    repo = make_repo(tmp_path / "repo")
    out = tmp_path / "out"
    result = run(repo, "render", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    ticket_page = (out / "tickets" / "TICKET-001.md").read_text()
    assert ticket_page.startswith('---\ntitle: "TICKET-001: Tofu-Controller Source Refresh on Retry"\n')
    assert (out / "tickets" / "index.md").is_file() and (out / "tickets" / "dashboard.md").is_file()
    assert (out / "runbooks" / "terraform-lotus-lake.md").is_file()
    assert (out / "assets" / "ticketgen" / "ticketgen.js").is_file()


def test_render_refuses_a_folder_with_other_files_and_reruns_cleanly(tmp_path: Path):
    repo = make_repo(tmp_path / "repo")
    mine = tmp_path / "mine"
    write(mine / "notes.md", "my notes\n")
    result = run(repo, "render", "--out", str(mine))
    assert result.exit_code == 1
    assert "folder is not empty and was not written by `ticketgen render`" in result.stderr
    assert (mine / "notes.md").read_text() == "my notes\n"
    assert run(repo, "render", "--out", str(mine), "--force").exit_code == 0
    assert (mine / "notes.md").read_text() == "my notes\n"

    out = tmp_path / "out"
    assert run(repo, "render", "--out", str(out)).exit_code == 0
    (repo / "tickets" / "TICKET-003-resolved.md").unlink()
    assert run(repo, "render", "--out", str(out)).exit_code == 0  # ticketgen's own folder: fine
    assert not (out / "tickets" / "TICKET-003.md").exists()  # stale page removed
    assert (out / "tickets" / "TICKET-002.md").exists()


def test_a_bug_in_our_code_that_a_template_calls_is_not_blamed_on_the_template(tmp_path: Path, monkeypatch):
    # Only an error raised by template code is the template author's (named, exit 2); one
    # raised in a helper of ours that a template calls is an internal error, as before.
    repo = make_repo(tmp_path / "repo")

    def broken_helper(self, *args, **kwargs):
        raise AttributeError("a bug in ticketgen")

    monkeypatch.setattr(SiteRenderer, "tags", broken_helper)
    result = run(repo, "render", "--out", str(tmp_path / "out"))
    assert "internal error: AttributeError: a bug in ticketgen" in result.stderr
    assert "site template" not in result.stderr


def test_render_into_a_place_it_cannot_write_is_a_clean_error(tmp_path: Path):
    repo = make_repo(tmp_path / "repo")
    write(tmp_path / "a-file", "x\n")
    result = run(repo, "render", "--out", str(tmp_path / "a-file" / "site"))
    assert result.exit_code == 1  # like every other writing command, not an internal error (2)
    assert result.stderr.startswith(f"error: {tmp_path / 'a-file' / 'site'}/") and "cannot write:" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_render_into_a_read_only_folder_is_a_clean_error(tmp_path: Path):
    repo = make_repo(tmp_path / "repo")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = run(repo, "render", "--out", str(locked / "site"))
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 1
    assert "cannot write: Permission denied" in result.stderr and "internal error" not in result.stderr


def test_render_strict_fails_on_broken_tickets_but_writes_the_rest(tmp_path: Path):
    repo = make_repo(tmp_path / "repo", {"TICKET-005-bad.md": "---\n: [\n---\n" + ticket("TICKET-005", "x")}, {})
    out = tmp_path / "out"
    result = run(repo, "render", "--out", str(out), "--strict")
    assert result.exit_code == 1
    assert "warning: tickets/TICKET-005-bad.md:2: frontmatter is not valid YAML" in result.stderr
    assert (out / "tickets" / "TICKET-001.md").is_file()


@pytest.mark.parametrize(
    ("here", "there", "directory_urls", "expected"),
    [
        ("tickets/index.md", "tickets/TICKET-001.md", True, "TICKET-001/"),
        ("tickets/TICKET-001.md", "runbooks/a.md", True, "../../runbooks/a/"),
        ("tickets/TICKET-001.md", "tickets/index.md", True, "../"),
        ("tickets/status/open.md", "tickets/dashboard.md", True, "../../dashboard/"),
        ("tickets/index.md", "tickets/TICKET-001.md", False, "TICKET-001.html"),
        ("tickets/TICKET-001.md", "runbooks/index.md", False, "../runbooks/index.html"),
    ],
)
def test_links_between_generated_pages(here, there, directory_urls, expected):
    assert relative_href(here, there, directory_urls) == expected


def run(repo: Path, *args: str):
    from click.testing import CliRunner

    return CliRunner().invoke(main, ["-C", str(repo), *args], catch_exceptions=False)


def test_unchanged_ticket_pages_are_not_rendered_again_by_the_next_build(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    repo = make_repo(tmp_path / "repo")
    rendered: list[str] = []
    real = SiteRenderer.page
    monkeypatch.setattr(SiteRenderer, "page", lambda self, spec: rendered.append(spec.src_uri) or real(self, spec))

    def build() -> tuple[list[str], str]:
        rendered.clear()
        site = build_site(repo)
        html = (site / "tickets" / "TICKET-003" / "index.html").read_text()
        return sorted(uri for uri in rendered if uri.startswith("tickets/TICKET-")), html

    first, html = build()
    assert first == ["tickets/TICKET-001.md", "tickets/TICKET-002.md", "tickets/TICKET-003.md"]
    assert build() == ([], html)  # same site, nothing rendered again

    edited = repo / "tickets" / "TICKET-003-resolved.md"
    edited.write_text(edited.read_text().replace("Registry token expiry", "Token expiry, edited"))
    pages, html = build()
    assert pages == ["tickets/TICKET-003.md"] and "Token expiry, edited" in html

    # A runbook newly listing a ticket changes that ticket's page (its related runbooks) only.
    write(repo / "runbooks" / "rotate.md", "---\ntickets: [TICKET-002]\n---\n# Rotate the token\n\nSteps.\n")
    assert build()[0] == ["tickets/TICKET-002.md"]

    # A template override changes every page.
    packaged = (Path(__file__).parents[2] / "ticketgen" / "templates" / "site" / "ticket.md.j2").read_text()
    write(repo / "templates" / "site" / "ticket.md.j2", packaged + "\nOverridden.\n")
    pages, html = build()
    assert pages == first and "Overridden." in html


def test_a_ticket_edited_while_a_build_runs_is_not_replayed_by_the_next_build(tmp_path: Path):
    # The snapshot is keyed by the hashes of the files as scanned at the start; pages made
    # from bytes written after that must not be saved under them.
    from ticketgen.site.content import SiteBuild, use_store

    repo = make_repo(tmp_path)
    tickets = repo / "tickets"

    def edit(name: str, old: str, new: str) -> None:
        path = tickets / name
        path.write_text(path.read_text().replace(old, new))
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))

    def build(meanwhile=lambda: None) -> str:
        project = Project.discover(repo)
        cache = ParseCache()
        use_store(cache, project)
        running = SiteBuild(project, cache, renderer_for(repo))
        meanwhile()  # between the scan (on_config) and the pages (on_files)
        content = running.content(None)
        running.finish(content, content.pages)
        cache.store.save()
        return {p.src_uri: p.markdown for p in content.pages}["tickets/TICKET-003.md"]

    assert "Registry token expiry" in build()
    edit("TICKET-002-mentions.md", "Mentions and", "Mentions, edited, and")  # not a replay
    page = build(lambda: edit("TICKET-003-resolved.md", "Registry token expiry", "Edited mid-build"))
    assert "Edited mid-build" in page
    edit("TICKET-003-resolved.md", "Edited mid-build", "Registry token expiry")  # as scanned last time
    assert "Registry token expiry" in build()
