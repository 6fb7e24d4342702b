"""When each phase of one `mkdocs build` starts and ends, in this process: the plugin's hooks,
the parse it shares with its forked child, and mkdocs' first page read and first page build.

    python bench/timeline.py SITE_FOLDER     # a folder with mkdocs.yml (see bench/site.py)

Set XDG_CACHE_HOME to an empty folder for a cold build. Not a test: this prints.
"""

from __future__ import annotations

import contextlib
import functools
import runpy
import sys
import time

START = time.perf_counter()


def mark(label: str) -> None:
    print(f"{time.perf_counter() - START:8.3f} s  {label}", flush=True)


def timed(owner, name: str) -> None:
    """Mark the start and end of every call of `owner.name`."""
    real = getattr(owner, name)

    @functools.wraps(real)
    def wrapper(*args, **kwargs):
        mark(f"> {name}")
        try:
            return real(*args, **kwargs)
        finally:
            mark(f"< {name}")

    setattr(owner, name, wrapper)


def first(owner, name: str) -> None:
    """Mark the first call of `owner.name` only."""
    real, seen = getattr(owner, name), []

    def wrapper(*args, **kwargs):
        if not seen:
            seen.append(name)
            mark(f"first {name}")
        return real(*args, **kwargs)

    setattr(owner, name, wrapper)


if __name__ == "__main__":
    import mkdocs.commands.build as build

    from ticketgen.site import content, parallel, plugin

    mark("imported")
    for hook in ("on_config", "on_files", "on_post_build"):
        timed(plugin.TicketgenPlugin, hook)
    timed(parallel.SharedJobs, "results")
    timed(content, "replay")
    first(build, "_populate_page")
    first(build, "_build_page")
    site = sys.argv[1]
    sys.argv = ["mkdocs", "build", "-q", "-f", f"{site}/mkdocs.yml", "-d", f"{site}/site"]
    with contextlib.suppress(SystemExit):
        runpy.run_module("mkdocs", run_name="__main__")
    mark("end")
