"""The `[tool.ticketgen.lint]` table (read and type-checked by core/config.py), checked against
the rules and the template, which only lint knows.

```toml
[tool.ticketgen.lint]
select = ["TG0"]                       # codes or code prefixes; default: all
ignore = ["TG024"]
severity = { TG022 = "error" }
required_sections = { default = ["Problem Statement", "Action Items"], Resolved = ["Problem Statement"] }
aliases = { "Current Workarounds" = "Workarounds" }
cache = true
baseline = ".ticketgen-baseline.json"  # findings accepted by `ticketgen lint --update-baseline`
min_severity = "warning"               # hide info findings (the CLI's --min-severity)

[[tool.ticketgen.lint.overrides]]
paths = ["tickets/legacy/*"]
ignore = ["TG020"]
```
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import ConfigError

if TYPE_CHECKING:
    from ..core.config import Config
    from ..core.template import Schema

DEFAULT_KEY = "default"


def expand_codes(entries: Iterable[str], codes: Iterable[str], what: str, source: Path | None = None) -> frozenset[str]:
    """Codes named by `entries` (exact codes, prefixes like `TG02`, or `ALL`)."""
    known = sorted(codes)
    picked: set[str] = set()
    for entry in entries:
        if not isinstance(entry, str) or not entry.strip():
            raise ConfigError(f"{what} must list rule codes such as TG013", source)
        wanted = entry.strip().upper()
        matches = known if wanted == "ALL" else [c for c in known if c.startswith(wanted)]
        if not matches:
            raise ConfigError(f"{what}: unknown rule code {entry!r} (see `ticketgen rules`)", source)
        picked.update(matches)
    return frozenset(picked)


@dataclass(frozen=True)
class Override:
    patterns: tuple[str, ...]
    select: frozenset[str] | None
    ignore: frozenset[str]
    severity: dict[str, str]

    def applies(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, p) for p in self.patterns)


@dataclass(frozen=True)
class Reporting:
    """Which rules run where and how severe they are: needs only the rule codes, not the template,
    so a warm run can apply it from the cache without parsing anything."""

    select: frozenset[str]
    ignore: frozenset[str]
    severity: dict[str, str]
    overrides: tuple[Override, ...]
    defaults: dict[str, str]  # code -> default severity

    def severity_for(self, code: str, path: str) -> str | None:
        """The severity of `code` in `path`, or None when the rule is off there."""
        selected = code in self.select and code not in self.ignore
        level = self.severity.get(code, self.defaults.get(code, "error"))
        for override in self.overrides:
            if override.applies(path):
                if override.select is not None:
                    selected = selected or code in override.select
                if code in override.ignore:
                    selected = False
                level = override.severity.get(code, level)
        return level if selected else None


@dataclass(frozen=True)
class RuleSettings:
    """What the rules themselves read, checked against the template."""

    required: dict[str, tuple[str, ...]]  # casefolded status (or "default") -> template section titles
    aliases: dict[str, str]  # casefolded heading -> template section title

    def required_sections(self, status: str | None) -> tuple[str, ...]:
        if status is not None and status.casefold() in self.required:
            return self.required[status.casefold()]
        return self.required[DEFAULT_KEY]


def _severities(value: dict[str, str], codes: dict[str, str], what: str, config: Config) -> dict[str, str]:
    """Rule codes (any case) to severities; the levels themselves the settings model checked."""
    out = {}
    for code, level in value.items():
        if code.upper() not in codes:
            raise config.error(f"{what}: unknown rule code {code!r}", "lint", what.split(".")[0].split("[")[0])
        out[code.upper()] = level
    return out


def load_reporting(config: Config, defaults: dict[str, str]) -> Reporting:
    """select/ignore/severity/overrides; `defaults` maps every rule code to its default severity."""
    lint = config.lint
    codes = defaults.keys()

    def expand(entries: Iterable[str], what: str, key: str) -> frozenset[str]:
        try:
            return expand_codes(entries, codes, what)
        except ConfigError as exc:
            raise config.error(exc.message, "lint", key) from None

    select = expand(lint.select, "select", "select")
    ignore = expand(lint.ignore, "ignore", "ignore")
    severity = _severities(lint.severity, defaults, "severity", config)
    overrides = []
    for n, raw in enumerate(lint.overrides, 1):
        what = f"overrides[{n}]"
        if not raw.paths:
            raise config.error(f"{what}: `paths` (glob patterns) is required", "lint", "overrides")
        overrides.append(
            Override(
                raw.paths,
                expand(raw.select, f"{what}.select", "overrides") if raw.select is not None else None,
                expand(raw.ignore, f"{what}.ignore", "overrides"),
                _severities(raw.severity, defaults, f"{what}.severity", config),
            )
        )
    return Reporting(select, ignore, severity, tuple(overrides), dict(defaults))


def load_rule_settings(config: Config, schema: Schema) -> RuleSettings:
    """required_sections and aliases, checked against the template."""

    def section_title(name: str, what: str) -> str:
        spec = schema.section(name)
        if spec is None:
            known = ", ".join(s.title for s in schema.sections)
            key = what.split(".")[0]
            raise config.error(f"{what}: {name!r} is not a template section (known: {known})", "lint", key)
        return spec.title

    status_field = schema.field(schema.role("status") or "")
    required = _required(config, schema, status_field, section_title)
    aliases = {k.casefold(): section_title(v, f"aliases.{k}") for k, v in config.lint.aliases.items()}
    return RuleSettings(required, aliases)


def _required(config: Config, schema: Schema, status_field, section_title) -> dict[str, tuple[str, ...]]:
    """By default the template's first section and its action-items section, for every status."""
    default = [s.title for s in schema.sections[:1]]
    action = schema.role("action_items")
    if action and action not in default:
        default.append(action)
    raw = config.lint.required_sections
    if raw is None:
        return {DEFAULT_KEY: tuple(default)}
    if isinstance(raw, tuple):
        raw = {DEFAULT_KEY: raw}
    out = {DEFAULT_KEY: tuple(default)}
    for key, names in raw.items():
        if key != DEFAULT_KEY:
            canonical = status_field.choice_for(key) if status_field else None
            if canonical is None:
                choices = ", ".join(status_field.choices) if status_field else "none"
                message = f"required_sections: {key!r} is not a status (choices: {choices})"
                raise config.error(message, "lint", "required_sections")
            key = canonical.casefold()
        out[key] = tuple(section_title(n, f"required_sections.{key}") for n in names)
    return out
