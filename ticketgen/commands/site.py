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
