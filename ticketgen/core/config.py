"""Configuration: `[tool.ticketgen]` in pyproject.toml or the top level of ticketgen.toml.

Nothing is required; every key has a default. Stages (lint, site, runbooks) read their own
sub-tables (`[tool.ticketgen.lint]`...) from `Config.tables`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .io import DEFAULT_MAX_BYTES

DEFAULT_TEMPLATE = "tickets/_template.md"
# Settings a stage once had that now live with the schema, where every stage reads them.
MOVED = {
    "done_statuses": "[tool.ticketgen.roles] done",
    "urgent_priorities": "[tool.ticketgen.roles] urgent",
}
_KEYS = {"tickets_dir", "template", "documents", "runbooks_dir", "max_file_bytes", "roles", "manifests"}
_TABLES = ("lint", "new", "runbooks", "site")  # a tuple: Config compares and prints the same in every run


@dataclass(frozen=True)
class Config:
    root: Path
    source: Path | None  # the file the settings came from, if any
    tickets_dir: Path
    template: Path | None  # None: use the template ticketgen ships
    documents: tuple[Path, ...]
    runbooks_dir: Path
    max_file_bytes: int = DEFAULT_MAX_BYTES
    roles: dict[str, str | list[str]] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    tickets_dir_set: bool = False  # named in the settings (not the default): it must exist
    manifests: tuple[Path, ...] = ()  # folders or files of Kubernetes YAML whose objects get runbooks

    def relative(self, path: Path) -> Path:
        """`path` relative to the project root when it is inside it (for messages and JSON);
        symlinks are not followed, so a link is named as the user sees it."""
        absolute = os.path.abspath(path)  # strings, not Path.relative_to: this runs for every file
        root = str(self.root)
        if absolute == root:
            return Path(".")
        prefix = root.rstrip(os.sep) + os.sep
        return Path(absolute[len(prefix) :]) if absolute.startswith(prefix) else path


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"invalid TOML: {exc}", path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path) from None


def find_settings(start: Path) -> tuple[Path, Path | None, dict[str, Any]]:
    """Walk up from `start` to the first ticketgen.toml or pyproject.toml with [tool.ticketgen]."""
    start = start.resolve()
    for folder in (start, *start.parents):
        own = folder / "ticketgen.toml"
        if own.is_file():
            return folder, own, _read_toml(own)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            tool = _read_toml(pyproject).get("tool", {})
            table = tool.get("ticketgen") if isinstance(tool, dict) else None
            if table is not None:
                return folder, pyproject, table
    return start, None, {}


def load_config(start: Path | None = None) -> Config:
    root, source, table = find_settings(start or Path.cwd())
    if not isinstance(table, dict):
        raise ConfigError("[tool.ticketgen] must be a table", source)
    unknown = set(table) - _KEYS - set(_TABLES)
    if unknown:
        known = ", ".join(sorted(_KEYS | set(_TABLES)))
        raise ConfigError(f"unknown setting(s) {', '.join(sorted(unknown))} (known: {known})", source)

    def inside(key: str, value: str) -> Path:
        path = (root / value).resolve()
        if not path.is_relative_to(root):
            raise ConfigError(f"{key} {value!r} is outside the project folder {root}", source)
        return path

    def path_setting(key: str, default: str) -> Path:
        value = table.get(key, default)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{key} must be a path string", source)
        return inside(key, value)

    documents = table.get("documents", [])
    if not isinstance(documents, list) or not all(isinstance(d, str) for d in documents):
        raise ConfigError("documents must be a list of paths", source)
    manifests = table.get("manifests", [])
    if not isinstance(manifests, list) or not all(isinstance(m, str) and m for m in manifests):
        raise ConfigError('manifests must be a list of folders, e.g. manifests = ["clusters/", "deploy/"]', source)
    for value in manifests:
        if not inside("manifests", value).exists():
            raise ConfigError(f"manifests: {value!r} does not exist", source)
    roles = table.get("roles", {})
    if not isinstance(roles, dict) or not all(isinstance(v, (str, list)) for v in roles.values()):
        raise ConfigError('roles must map a role to a field name, e.g. status = "State"', source)
    max_bytes = table.get("max_file_bytes", DEFAULT_MAX_BYTES)
    if not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ConfigError("max_file_bytes must be a positive integer", source)
    template = path_setting("template", DEFAULT_TEMPLATE)
    if not template.is_file():
        if template.exists():  # a folder, say: never silently fall back to the packaged template
            raise ConfigError(f"template {table.get('template', DEFAULT_TEMPLATE)!r} is not a file", source)
        if "template" in table:
            raise ConfigError(f"template {table['template']!r} does not exist", source)
        template = None
    tickets_dir = path_setting("tickets_dir", "tickets")
    if tickets_dir.exists() and not tickets_dir.is_dir():
        raise ConfigError(f"tickets_dir {table.get('tickets_dir', 'tickets')!r} is a file, not a folder", source)
    tables = {}
    for name in _TABLES:
        sub = table.get(name, {})
        if not isinstance(sub, dict):
            raise ConfigError(f"[tool.ticketgen.{name}] must be a table", source)
        tables[name] = sub
    return Config(
        root=root,
        source=source,
        tickets_dir=tickets_dir,
        template=template,
        documents=tuple(inside("documents", d) for d in documents),
        runbooks_dir=path_setting("runbooks_dir", "runbooks"),
        max_file_bytes=max_bytes,
        roles=dict(roles),
        tables=tables,
        tickets_dir_set="tickets_dir" in table,
        manifests=tuple(inside("manifests", m) for m in manifests),
    )
