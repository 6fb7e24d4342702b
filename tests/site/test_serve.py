"""`ticketgen serve`: after any sequence of edits, the served site is the site a fresh full
build makes (search index included, nothing left of a deleted ticket), and the edits were
rendered page by page, not by rebuilding everything. Plus the mkdocs API it depends on."""

from __future__ import annotations

import json
import random
from pathlib import Path

import mkdocs
import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from site_repo import make_repo, ticket, write

from ticketgen.site import serve as serve_module
from ticketgen.site.serve import Preview

HOST, PORT = "127.0.0.1", 8765


def test_the_mkdocs_api_serve_uses_is_there():
    """Fails loudly when mkdocs moves what site/serve.py calls (pinned to 1.6.x)."""
    assert mkdocs.__version__.startswith("1.6."), (
        f"ticketgen serve is written against mkdocs 1.6, not {mkdocs.__version__}"
    )
    for owner, names in serve_module.API.items():
        for name in names:
            assert hasattr(owner, name) or name in owner.__init__.__code__.co_names, (
                f"mkdocs moved {getattr(owner, '__name__', owner)}.{name}: update ticketgen/site/serve.py"
            )


def _fresh(root: Path, serve_url: str, site: Path) -> Path:
    """A full build in a plugin instance of its own (mkdocs keeps one instance of a plugin
    with `on_startup` per process: the preview's)."""
    cache = dict(MkDocsConfig._schema)["plugins"].plugin_cache
    kept = dict(cache)
    cache.clear()
    try:
        config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(site))
        config.site_url = serve_url
        config.plugins.on_startup(command="build", dirty=False)
        build(config, serve_url=serve_url)
    finally:
        cache.clear()
        cache.update(kept)
    return site


def _tree(site: Path) -> dict[str, object]:
    """Every file of a built site; the search index as its entries by location (order is not
    what search uses), the gzipped sitemap left out (its header holds a time)."""
    found: dict[str, object] = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.is_dir() or rel == "sitemap.xml.gz":
            continue
        if rel == "search/search_index.json":
            data = json.loads(path.read_text(encoding="utf-8"))
            data["docs"] = sorted(data["docs"], key=lambda d: json.dumps(d, sort_keys=True))
            found[rel] = data
        else:
            found[rel] = path.read_bytes()
    return found


def _assert_same(served: Path, fresh: Path, step: str) -> None:
    mine, theirs = _tree(served), _tree(fresh)
    assert sorted(mine) == sorted(theirs), f"after {step}: files differ"
    different = [rel for rel in theirs if mine[rel] != theirs[rel]]
    assert not different, f"after {step}: {different} differ from a fresh build"


def _edits(root: Path, rng: random.Random, counter: list[int], kinds: list[str]):
    """One random edit of the kinds a writer makes; returns (what, changed path)."""
    tickets = sorted(p for p in (root / "tickets").glob("TICKET-*.md"))
    kind = kinds.pop()
    if kind == "new" or len(tickets) < 2:
        counter[0] += 1
        number = counter[0]
        path = root / "tickets" / f"TICKET-{number:03d}-new.md"
        status = rng.choice(["Open", "In Progress", "Resolved"])
        write(
            path,
            ticket(
                f"TICKET-{number:03d}",
                f"New ticket {number}",
                status=status,
                component=rng.choice(["ingest", "storage"]),
            ),
        )
        return f"new TICKET-{number:03d}", path
    path = rng.choice(tickets)
    text = path.read_text(encoding="utf-8")
    if kind == "delete":
        path.unlink()
        return f"deleted {path.name}", path
    if kind == "title":
        head, _, rest = text.partition("\n")
        text = f"{head.split(':', 1)[0]}: Retitled {rng.randrange(1000)}\n{rest}"
    elif kind == "status":
        for old in ("Open", "In Progress", "Resolved"):
            if f"**Status:** {old}\n" in text:
                new = rng.choice([s for s in ("Open", "In Progress", "Resolved") if s != old])
                text = text.replace(f"**Status:** {old}\n", f"**Status:** {new}\n", 1)
                break
    elif kind == "mention":
        other = rng.choice(tickets).name[:10]
        text = text.rstrip("\n") + f"\n\nSee also {other}.\n"
    else:
        text = text.rstrip("\n") + f"\n\nMore text {rng.randrange(1000)}.\n"
    path.write_text(text, encoding="utf-8")
    return f"{kind} of {path.name}", path


@pytest.mark.parametrize("seed", [1])
def test_random_edits_serve_the_site_a_fresh_build_makes(tmp_path: Path, monkeypatch, seed: int):
    """Each kind of edit once, in a seeded random order on random tickets."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_repo(tmp_path / "repo")
    preview = Preview(str(root / "mkdocs.yml"), str(tmp_path / "served"), HOST, PORT)
    preview.full()
    rng, counter = random.Random(seed), [3]
    kinds = ["title", "status", "new", "delete", "mention", "body"]
    rng.shuffle(kinds)
    incremental, steps = 0, len(kinds)
    for step in range(steps):
        what, path = _edits(root, rng, counter, kinds)
        changes = preview.update([path])
        incremental += changes is not None
        _assert_same(Path(preview.site_dir), _fresh(root, preview.serve_url, tmp_path / f"fresh{step}"), what)
    assert incremental == steps, f"full builds instead of page renders: {preview.full_reasons}"


def test_a_title_edit_renders_only_the_pages_that_show_it(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_repo(tmp_path / "repo")
    preview = Preview(str(root / "mkdocs.yml"), str(tmp_path / "served"), HOST, PORT)
    preview.full()
    untouched = Path(preview.site_dir) / "tickets" / "TICKET-003" / "index.html"
    before = untouched.stat().st_mtime_ns
    path = root / "tickets" / "TICKET-002-mentions.md"
    path.write_text(path.read_text().replace("Mentions and literal braces", "Registry pull fails"))
    changes = preview.update([path])
    assert changes is not None and "tickets/TICKET-003.md" not in changes.render
    assert untouched.stat().st_mtime_ns == before  # not written again
    page = (Path(preview.site_dir) / "tickets" / "TICKET-002" / "index.html").read_text()
    assert "Registry pull fails" in page
    index = json.loads((Path(preview.site_dir) / "search" / "search_index.json").read_text())
    assert any("Registry pull fails" in d["title"] for d in index["docs"])


def test_a_template_or_config_change_rebuilds_everything_and_says_why(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_repo(tmp_path / "repo")
    preview = Preview(str(root / "mkdocs.yml"), str(tmp_path / "served"), HOST, PORT)
    preview.full()
    assert preview.update([root / "mkdocs.yml"]) is None
    assert preview.full_reasons == ["mkdocs.yml is not a ticket or runbook"]
    assert preview.update([root / "tickets" / "_template.md"]) is None
    assert preview.full_reasons == ["tickets/_template.md is the ticket template"]


def test_serve_without_a_site_or_with_a_bad_address_is_a_usage_error(tmp_path: Path):
    from click.testing import CliRunner

    from ticketgen.cli import main

    root = make_repo(tmp_path / "repo")
    (root / "mkdocs.yml").unlink()
    result = CliRunner().invoke(main, ["-C", str(root), "serve"])
    assert result.exit_code == 2 and "mkdocs.yml: no such file" in result.stderr
    write(root / "mkdocs.yml", "site_name: x\n")
    result = CliRunner().invoke(main, ["-C", str(root), "serve", "--dev-addr", "8000"])
    assert result.exit_code == 2 and "expected HOST:PORT" in result.stderr
