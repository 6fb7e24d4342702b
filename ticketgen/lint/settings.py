"""The `[tool.ticketgen.lint]` table, validated against the rules and the template.

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
from typing import TYPE_CHECKING, Any

from ..core.config import MOVED
from ..core.errors import ConfigError
from .model import SEVERITIES

if TYPE_CHECKING:
    from ..core.template import Schema

_KEYS = {
    "select",
    "ignore",
    "severity",
    "required_sections",
    "aliases",
    "overrides",
    "cache",
    "baseline",
    "min_severity",
}
_OVERRIDE_KEYS = {"paths", "select", "ignore", "severity"}
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


def _string_list(value: Any, what: str, source: Path | None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{what} must be a list of strings", source)
    return value


def _severities(value: Any, codes: dict[str, str], what: str, source: Path | None) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f'{what} must map rule codes to a severity, e.g. {{TG022 = "error"}}', source)
    out = {}
    for code, level in value.items():
        if code.upper() not in codes:
            raise ConfigError(f"{what}: unknown rule code {code!r}", source)
        if level not in SEVERITIES:
            raise ConfigError(f"{what}: {code} severity must be one of {', '.join(SEVERITIES)}, not {level!r}", source)
        out[code.upper()] = level
    return out


def check_keys(table: dict[str, Any], source: Path | None) -> None:
    moved = sorted(set(table) & set(MOVED))
    if moved:
        raise ConfigError(f"[tool.ticketgen.lint] {moved[0]} is now {MOVED[moved[0]]}", source)
    unknown = set(table) - _KEYS
    if unknown:
        known = ", ".join(sorted(_KEYS))
        raise ConfigError(
            f"[tool.ticketgen.lint]: unknown setting(s) {', '.join(sorted(unknown))} (known: {known})", source
        )
    if not isinstance(table.get("cache", True), bool):
        raise ConfigError("[tool.ticketgen.lint] cache must be true or false", source)
    baseline_setting(table, source)
    min_severity_setting(table, source)


def baseline_setting(table: dict[str, Any], source: Path | None) -> str | None:
    """The baseline file named in the settings (None: the default name, used if it exists)."""
    value = table.get("baseline")
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError('[tool.ticketgen.lint] baseline must be a file name, e.g. ".ticketgen-baseline.json"', source)
    return value


def min_severity_setting(table: dict[str, Any], source: Path | None) -> str:
    """The lowest severity shown ("info": everything)."""
    value = table.get("min_severity", "info")
    if value not in SEVERITIES:
        raise ConfigError(
            f"[tool.ticketgen.lint] min_severity must be one of {', '.join(SEVERITIES)}, not {value!r}", source
        )
    return value


def load_reporting(table: dict[str, Any], defaults: dict[str, str], source: Path | None) -> Reporting:
    """select/ignore/severity/overrides; `defaults` maps every rule code to its default severity."""
    check_keys(table, source)
    where = "[tool.ticketgen.lint]"
    codes = defaults.keys()
    select = expand_codes(_string_list(table.get("select", ["ALL"]), "select", source), codes, "select", source)
    ignore = expand_codes(_string_list(table.get("ignore", []), "ignore", source), codes, "ignore", source)
    severity = _severities(table.get("severity", {}), defaults, "severity", source)
    overrides_raw = table.get("overrides", [])
    if not isinstance(overrides_raw, list) or not all(isinstance(o, dict) for o in overrides_raw):
        raise ConfigError(f"{where} overrides must be an array of tables ([[tool.ticketgen.lint.overrides]])", source)
    overrides = []
    for n, raw in enumerate(overrides_raw, 1):
        what = f"overrides[{n}]"
        extra = set(raw) - _OVERRIDE_KEYS
        if extra:
            raise ConfigError(f"{where} {what}: unknown setting(s) {', '.join(sorted(extra))}", source)
        if "paths" not in raw:
            raise ConfigError(f"{where} {what}: `paths` (glob patterns) is required", source)
        overrides.append(
            Override(
                tuple(_string_list(raw["paths"], f"{what}.paths", source)),
                expand_codes(_string_list(raw["select"], what, source), codes, f"{what}.select", source)
                if "select" in raw
                else None,
                expand_codes(_string_list(raw.get("ignore", []), what, source), codes, f"{what}.ignore", source),
                _severities(raw.get("severity", {}), defaults, f"{what}.severity", source),
            )
        )
    return Reporting(select, ignore, severity, tuple(overrides), dict(defaults))


def load_rule_settings(table: dict[str, Any], schema: Schema, source: Path | None) -> RuleSettings:
    """required_sections and aliases, checked against the template."""
    check_keys(table, source)
    where = "[tool.ticketgen.lint]"

    def section_title(name: Any, what: str) -> str:
        spec = schema.section(name) if isinstance(name, str) else None
        if spec is None:
            known = ", ".join(s.title for s in schema.sections)
            raise ConfigError(f"{where} {what}: {name!r} is not a template section (known: {known})", source)
        return spec.title

    status_field = schema.field(schema.role("status") or "")
    required = _required(table.get("required_sections"), schema, status_field, section_title, source)
    aliases_table = table.get("aliases", {})
    if not isinstance(aliases_table, dict):
        raise ConfigError(
            f'{where} aliases must map a heading to a template section, e.g. {{"Workaround" = "Workarounds"}}', source
        )
    aliases = {str(k).casefold(): section_title(v, f"aliases.{k}") for k, v in aliases_table.items()}
    return RuleSettings(required, aliases)


def _required(raw: Any, schema: Schema, status_field, section_title, source: Path | None) -> dict[str, tuple[str, ...]]:
    """By default the template's first section and its action-items section, for every status."""
    default = [s.title for s in schema.sections[:1]]
    action = schema.role("action_items")
    if action and action not in default:
        default.append(action)
    if raw is None:
        return {DEFAULT_KEY: tuple(default)}
    if isinstance(raw, list):
        raw = {DEFAULT_KEY: raw}
    if not isinstance(raw, dict):
        raise ConfigError("[tool.ticketgen.lint] required_sections must be a list or a table by status", source)
    out = {DEFAULT_KEY: tuple(default)}
    for key, titles in raw.items():
        names = _string_list(titles, f"required_sections.{key}", source)
        if key != DEFAULT_KEY:
            canonical = status_field.choice_for(key) if status_field else None
            if canonical is None:
                choices = ", ".join(status_field.choices) if status_field else "none"
                raise ConfigError(
                    f"[tool.ticketgen.lint] required_sections: {key!r} is not a status (choices: {choices})", source
                )
            key = canonical.casefold()
        out[key] = tuple(section_title(n, f"required_sections.{key}") for n in names)
    return out
