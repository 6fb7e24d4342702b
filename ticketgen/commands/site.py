"""`ticketgen render`: the site's pages as Markdown files, for any site generator."""

from __future__ import annotations

from pathlib import Path

import click

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
@click.option(
    "--no-directory-urls",
    "directory_urls",
    flag_value=False,
    default=True,
    help="Links for sites built with use_directory_urls: false (page.html instead of page/).",
)
@click.option("--strict", is_flag=True, help="Exit 1 when a ticket or runbook has a problem (pages are still written).")
def render(out: Path, force: bool, directory_urls: bool, strict: bool) -> None:
    """Write the generated ticket, index, dashboard and runbook pages (and the table JS/CSS) to OUT."""
    from ..site.content import ParseCache, site_content, use_store
    from ..site.options import load_options
    from ..site.output import write_site
    from ..site.render import SiteRenderer, asset_bytes

    project = current_project()
    options = load_options(project.config, project.schema)
    renderer = SiteRenderer(project, options, use_directory_urls=directory_urls)
    cache = ParseCache()
    use_store(cache, project)
    content = site_content(project, renderer, cache)
    cache.store.save()  # parsed tickets, for the next build or render
    for warning in content.warnings:
        click.echo(f"warning: {warning}", err=True)
    written = write_site(content, asset_bytes(options.templates), out, force=force)
    from ..lint.reporters import plural

    click.echo(f"wrote {plural(len(written), 'file')} to {out}", err=True)
    if strict and content.warnings:
        raise click.exceptions.Exit(1)
