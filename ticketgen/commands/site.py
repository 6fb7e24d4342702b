"""`ticketgen render`: the site's pages as Markdown files, for any site generator."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.terminal import printable
from ._shared import current_project


@click.command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to write into (created if missing; refused if it holds other files).",
)
@click.option("--force", is_flag=True, help="Write into a non-empty folder ticketgen did not create.")
@click.option("--strict", is_flag=True, help="Exit 1 when a ticket or runbook has a problem (pages are still written).")
def render(out: Path, force: bool, strict: bool) -> None:
    """Write the generated ticket, index, dashboard and runbook pages (and the table JS/CSS) to OUT.

    Pages are Markdown files holding finished HTML, linked to each other by their `.md` paths,
    which the site generator turns into URLs (tested with Zensical)."""
    from ..core.errors import UsageError
    from ..site.content import site_content
    from ..site.options import load_options
    from ..site.output import write_site
    from ..site.pages import SiteRenderer, asset_bytes

    project = current_project()
    if project.holds_sources(out):
        raise UsageError(f"{out}: holds the project's tickets, runbooks or settings; render into another folder")
    options = load_options(project.config, project.schema)
    renderer = SiteRenderer(project, options, source_links=True)
    content = site_content(project, renderer)
    pages = [renderer.page(spec) for spec in content.specs]
    project.cache.save()
    warnings = [*content.warnings, *dict.fromkeys(renderer.link_problems)]
    for warning in warnings:
        click.echo(f"warning: {printable(warning)}", err=True)
    written = write_site(pages, asset_bytes(options.templates), out, force=force)
    from ..lint.reporters import plural

    click.echo(f"wrote {plural(len(written), 'file')} to {out}", err=True)
    if strict and warnings:
        raise click.exceptions.Exit(1)


@click.command()
@click.option(
    "-f",
    "--config-file",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The mkdocs.yml to serve (default: the project's).",
)
@click.option(
    "-a",
    "--dev-addr",
    "dev_addr",
    default="127.0.0.1:8000",
    show_default=True,
    metavar="HOST:PORT",
    help="Where to serve; loopback unless you name another address.",
)
def serve(config_file: Path | None, dev_addr: str) -> None:
    """Serve the site with live reload, rendering again only the pages an edit changed.

    A full mkdocs build at start; then each edit to a ticket or runbook renders its page, the
    tables and pages that show what changed, and their search entries. mkdocs.yml, docs,
    template or theme changes rebuild the whole site. `mkdocs serve` works too (full rebuilds)."""
    import logging
    import shutil
    import tempfile

    from mkdocs.exceptions import MkDocsException

    from ..core.errors import UsageError
    from ..site.serve import Preview, Server

    config_file = config_file or current_project().root / "mkdocs.yml"  # the plugin finds the project
    if not config_file.is_file():
        raise UsageError(f"{config_file}: no such file; `ticketgen serve` serves an mkdocs site (see `ticketgen init`)")
    host, _, port = dev_addr.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--dev-addr {dev_addr}: expected HOST:PORT, such as 127.0.0.1:8000")
    if host not in ("127.0.0.1", "localhost", "::1", "[::1]"):
        click.echo(f"warning: serving on {host}: anyone who can reach it sees the site", err=True)
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    site_dir = tempfile.mkdtemp(prefix="ticketgen-serve-")
    try:
        preview = Preview(str(config_file), site_dir, host.strip("[]"), int(port))
        preview.full()
        Server(preview).serve()
    except MkDocsException as exc:
        raise UsageError(f"{config_file}: {exc}") from None
    finally:
        shutil.rmtree(site_dir, ignore_errors=True)
