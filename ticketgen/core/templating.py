"""The one way ticketgen makes a Jinja environment: packaged templates, a user's override
folder in front of them, and a sandbox for those.

Override folders come from the repository, so a pull request can change them: when one holds
a template, everything runs in Jinja's `SandboxedEnvironment`, where a template reads the data
it is given and cannot reach Python internals (`cycler.__init__.__globals__`...). Without one,
only ticketgen's own templates run, and they run without the sandbox's checks on every
attribute (a tenth of a large site's page rendering). Ticket text is always data passed to a
template, never compiled as one.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment


def environment(folder: str, override: Path | None = None, *, autoescape: bool) -> jinja2.Environment:
    """Templates from `ticketgen/templates/<folder>`; a same-named file in `override` wins."""
    loaders: list[jinja2.BaseLoader] = []
    if override is not None:
        loaders.append(jinja2.FileSystemLoader(str(override)))
    loaders.append(jinja2.PackageLoader("ticketgen", f"templates/{folder}"))
    overridden = override is not None and override.is_dir() and any(override.rglob("*.j2"))
    kind = SandboxedEnvironment if overridden else jinja2.Environment
    return kind(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # one environment per run: no stat of every template at every use
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
