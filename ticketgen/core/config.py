"""The one settings model: `[tool.ticketgen]` in pyproject.toml or the top level of ticketgen.toml.

The file is read once, at start, into `Config`: frozen dataclasses, one per table (the root,
`lint`, `new`, `runbooks`, `site`, `triage`), checked by one validator against the shapes the
dataclasses declare. An unknown key or a value of the wrong type is a `ConfigError` naming the
file and the line of the key. Nothing is required; every key has a default. Stages get their
table from `Config` (`config.lint`, `config.runbooks`...) and never read the TOML themselves;
checks that need the template (section names, status values) stay with the stage and report
through `Config.error`, which names the key's line too.

To add a key: give its table's dataclass a field made with `setting(default, SHAPE)`. The
validator, the line numbers, the unknown-key message and the cache key (`repr(config)`) follow.
"""

from __future__ import annotations

import fnmatch
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError, ContentError
from .io import DEFAULT_MAX_BYTES, read_source

DEFAULT_TEMPLATE = "tickets/_template.md"
SETTINGS_MAX_BYTES = 256 * 1024  # a settings file is a page of keys
SEVERITIES = ("error", "warning", "info")  # lint's levels, most severe first
PALETTE = ("green", "teal", "blue", "yellow", "orange", "red", "grey")  # the site's badge colours
# Settings a stage once had that now live with the schema, where every stage reads them.
MOVED = {
    "done_statuses": "[tool.ticketgen.roles] done",
    "urgent_priorities": "[tool.ticketgen.roles] urgent",
}


# --- shapes: what a value must look like ------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What a key's value must be: `accepts` tells, `describe` says it in the error message,
    `convert` turns the TOML value into the model's (lists into tuples)."""

    describe: str
    accepts: Callable[[Any], bool]
    convert: Callable[[Any], Any] = lambda value: value


@dataclass(frozen=True)
class Table:
    """A sub-table validated as dataclass `model` (or, with `many`, an array of such tables)."""

    model: type
    many: bool = False


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _strings(value: Any, non_empty: bool = False) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and (v.strip() or not non_empty) for v in value)


def _text_map(value: Any, accepts: Callable[[Any], bool] = lambda v: isinstance(v, str)) -> bool:
    return isinstance(value, dict) and all(accepts(v) for v in value.values())


def _relative_folder(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = value.strip("/").split("/")
    return bool(value.strip("/")) and not any(part in ("", ".", "..") for part in parts)


TEXT = Shape("a non-empty string", lambda v: isinstance(v, str) and bool(v.strip()))
PATH = Shape("a path string", lambda v: isinstance(v, str) and bool(v))
FLAG = Shape("true or false", lambda v: isinstance(v, bool))
POSITIVE = Shape("a positive integer", lambda v: _is_int(v) and v > 0)
STRINGS = Shape("a list of strings", _strings, tuple)
PATHS = Shape("a list of paths", _strings, tuple)
FOLDERS = Shape("a list of folders", lambda v: _strings(v, non_empty=True), tuple)
NAMES = Shape("a list of non-empty strings", lambda v: _strings(v, non_empty=True), tuple)
TEXT_MAP = Shape("a table of strings", _text_map, dict)
LEVEL = Shape(f"one of {', '.join(SEVERITIES)}", lambda v: v in SEVERITIES)
SEVERITY_MAP = Shape(
    f'a table of rule codes and severities ({", ".join(SEVERITIES)}), e.g. {{TG022 = "error"}}',
    lambda v: _text_map(v, lambda level: level in SEVERITIES),
    dict,
)
ROLE_MAP = Shape(
    'a table of roles and field names, e.g. status = "State"',
    lambda v: _text_map(v, lambda name: isinstance(name, str) or _strings(name)),
    dict,
)
SECTIONS = Shape(
    "a list of section titles, or a table of such lists by status",
    lambda v: _strings(v) or _text_map(v, _strings),
    lambda v: tuple(v) if isinstance(v, list) else {k: tuple(titles) for k, titles in v.items()},
)
FOLDER_URL = Shape("a relative folder such as 'tickets'", _relative_folder, lambda v: v.strip("/"))
PAGE_URI = Shape(
    "a Markdown path among the docs",
    lambda v: isinstance(v, str) and v.strip().endswith(".md") and _relative_folder(v.strip().lstrip("/")),
    lambda v: v.strip().lstrip("/"),
)
EDIT_URL = Shape("a URL containing {path}", lambda v: isinstance(v, str) and "{path}" in v)
COLOURS = Shape(
    f"a table of values and colour names ({', '.join(PALETTE)})", lambda v: _text_map(v, PALETTE.__contains__), dict
)


def setting(default: Any, shape: Shape | Table, hint: str = "") -> Any:
    """A dataclass field that is a settings key: its default and the shape its value must have."""
    meta = {"shape": shape, "hint": hint}
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


# --- the tables ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LintOverride:
    """`[[tool.ticketgen.lint.overrides]]`: other rules for files matching `paths`."""

    paths: tuple[str, ...] = setting((), STRINGS)
    select: tuple[str, ...] | None = setting(None, STRINGS)
    ignore: tuple[str, ...] = setting((), STRINGS)
    severity: dict[str, str] = setting({}, SEVERITY_MAP)


@dataclass(frozen=True)
class LintSettings:
    """`[tool.ticketgen.lint]`. Rule codes and section names are checked by lint, which knows them."""

    select: tuple[str, ...] = setting(("ALL",), STRINGS)
    ignore: tuple[str, ...] = setting((), STRINGS)
    severity: dict[str, str] = setting({}, SEVERITY_MAP)
    required_sections: tuple[str, ...] | dict[str, tuple[str, ...]] | None = setting(None, SECTIONS)
    aliases: dict[str, str] = setting({}, TEXT_MAP, 'e.g. {"Workaround" = "Workarounds"}')
    overrides: tuple[LintOverride, ...] = setting((), Table(LintOverride, many=True))
    # False: no command of this project reads or writes the cache (as `lint --no-cache`).
    cache: bool = setting(True, FLAG)
    # The baseline file (None: `.ticketgen-baseline.json`, used if it exists; one named here must).
    baseline: str | None = setting(None, TEXT, 'a file name, e.g. ".ticketgen-baseline.json"')
    min_severity: str = setting("info", LEVEL)  # the lowest severity shown


@dataclass(frozen=True)
class NewSettings:
    """`[tool.ticketgen.new]`: values `new` uses when none is given (checked against the template)."""

    defaults: dict[str, str] = setting({}, TEXT_MAP, 'e.g. {Priority = "Medium"}')


@dataclass(frozen=True)
class RunbooksSettings:
    """`[tool.ticketgen.runbooks]`: where tickets declare resources, which sections to quote."""

    resources_field: str = setting("Resources", TEXT)
    frontmatter_key: str = setting("resources", TEXT)
    # fnmatch patterns, matched case-insensitively against a ticket's section titles with any
    # "(...)" remark dropped; a pattern also matches titles it starts ("How to Fix (Nuclear Option)").
    quote_sections: tuple[str, ...] = setting(
        ("*workaround*", "how to fix", "fix", "verification*", "potential solution*", "resolution", "recovery"),
        NAMES,
    )
    stuck_after_minutes: int = setting(30, POSITIVE)
    kind_level: bool = setting(True, FLAG)

    def quotes(self, title: str) -> bool:
        folded = " ".join(_REMARK.sub(" ", title).casefold().replace(":", " ").split())
        return any(
            fnmatch.fnmatchcase(folded, p) or fnmatch.fnmatchcase(folded, p + " *")
            for p in (pattern.casefold() for pattern in self.quote_sections)
        )


_REMARK = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class SiteSettings:
    """`[tool.ticketgen.site]`: where pages go, which templates override ours, how badges look."""

    tickets_url: str = setting("tickets", FOLDER_URL)
    runbooks_url: str = setting("runbooks", FOLDER_URL)
    templates: str | None = setting(None, TEXT)  # a folder whose same-named .j2 files replace ours
    badge_colors: dict[str, str] = setting({}, COLOURS)
    dashboard_rows: int = setting(10, POSITIVE)
    edit_url: str | None = setting(None, EDIT_URL, 'e.g. "https://github.com/o/r/edit/main/{path}"')
    runbooks_in_nav: bool = setting(True, FLAG)
    columns: tuple[str, ...] = setting(("owner", "tags"), NAMES)  # frontmatter keys on the card and in the index
    # Where the tickets index and the dashboard go among the docs (None: `<tickets_url>/index.md`,
    # `<tickets_url>/dashboard.md`); a page of the team's at that URL moves them to a free one.
    index_uri: str | None = setting(None, PAGE_URI, "e.g. 'tickets/all.md'")
    dashboard_uri: str | None = setting(None, PAGE_URI, "e.g. 'tickets/overview.md'")


@dataclass(frozen=True)
class TriageSettings:
    """`[tool.ticketgen.triage]`: thresholds `ticketgen triage` judges status dumps by."""


# The root table's own keys, as written (paths are resolved into `Config`).
@dataclass(frozen=True)
class _Root:
    tickets_dir: str = setting("tickets", PATH)
    template: str = setting(DEFAULT_TEMPLATE, PATH)
    documents: tuple[str, ...] = setting((), PATHS)
    runbooks_dir: str = setting("runbooks", PATH)
    max_file_bytes: int = setting(DEFAULT_MAX_BYTES, POSITIVE)
    roles: dict[str, str | list[str]] = setting({}, ROLE_MAP)
    manifests: tuple[str, ...] = setting((), FOLDERS, 'e.g. manifests = ["clusters/", "deploy/"]')
    lint: LintSettings = setting(LintSettings(), Table(LintSettings))
    new: NewSettings = setting(NewSettings(), Table(NewSettings))
    runbooks: RunbooksSettings = setting(RunbooksSettings(), Table(RunbooksSettings))
    site: SiteSettings = setting(SiteSettings(), Table(SiteSettings))
    triage: TriageSettings = setting(TriageSettings(), Table(TriageSettings))


# --- where each key is written ---------------------------------------------------------------

_HEADER = re.compile(r"\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_NAME = r"""[A-Za-z0-9_-]+|"([^"\n]*)"|'([^'\n]*)'"""  # a bare, "quoted" or 'literal' key
_KEY = re.compile(rf"""\s*((?:{_NAME})(?:\s*\.\s*(?:{_NAME}))*)\s*=""")
_PART = re.compile(_NAME)


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(m.group(1) if m.group(1) is not None else m.group(2) or m.group(0) for m in _PART.finditer(text))


@dataclass(frozen=True)
class Lines:
    """The line of each key in a TOML file, for messages (tomllib gives values, not lines).

    Only finds where a key is written, never what it holds: a key written inside an inline
    table or an array is found at the line of the key that holds it."""

    prefix: tuple[str, ...]  # ("tool", "ticketgen") in pyproject.toml, () in ticketgen.toml
    lines: Mapping[tuple[str, ...], int]

    @classmethod
    def of(cls, text: str, prefix: tuple[str, ...]) -> Lines:
        found: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        in_string = False
        for number, line in enumerate(text.splitlines(), 1):
            if line.count('"""') % 2 or line.count("'''") % 2:  # a multi-line string opens or closes
                in_string = not in_string
                if not in_string:
                    continue
            elif in_string:
                continue
            header = _HEADER.match(line)
            if header:
                table = _dotted(header.group(2))
                for end in range(1, len(table) + 1):
                    found.setdefault(table[:end], number)
                continue
            key = _KEY.match(line)
            if key:
                path = table + _dotted(key.group(1))
                for end in range(len(table) + 1, len(path) + 1):
                    found.setdefault(path[:end], number)
        return cls(prefix, found)

    def line(self, *keys: str) -> int | None:
        """The line of `keys` (inside the ticketgen table), else of the nearest table holding it."""
        path = self.prefix + keys
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


_NO_LINES = Lines((), {})
_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


# --- the model ---------------------------------------------------------------------------------


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
    tickets_dir_set: bool = False  # named in the settings (not the default): it must exist
    manifests: tuple[Path, ...] = ()  # folders or files of Kubernetes YAML whose objects get runbooks
    lint: LintSettings = LintSettings()
    new: NewSettings = NewSettings()
    runbooks: RunbooksSettings = RunbooksSettings()
    site: SiteSettings = SiteSettings()
    triage: TriageSettings = TriageSettings()
    lines: Lines = field(default=_NO_LINES, repr=False, compare=False)  # messages only: not in the cache key

    def relative(self, path: Path) -> Path:
        """`path` relative to the project root when it is inside it (for messages and JSON);
        symlinks are not followed, so a link is named as the user sees it."""
        absolute = os.path.abspath(path)  # strings, not Path.relative_to: this runs for every file
        root = str(self.root)
        if absolute == root:
            return Path(".")
        prefix = root.rstrip(os.sep) + os.sep
        return Path(absolute[len(prefix) :]) if absolute.startswith(prefix) else path

    def table_name(self, *keys: str) -> str:
        """How the user writes the table: `[tool.ticketgen.lint]`, or `[lint]` in ticketgen.toml."""
        path = ".".join((*self.lines.prefix, *keys))
        return f"[{path}]" if path else ""

    def error(self, message: str, table: str | None = None, key: str | None = None) -> ConfigError:
        """A ConfigError about `key` of `table` (None: the root table), naming its file and line."""
        keys = tuple(k for k in (table, key) if k is not None)
        name = self.table_name(table) if table else self.table_name()
        return ConfigError(f"{name} {message}".strip(), self.source, self.lines.line(*keys) if keys else None)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _build(model: type, raw: Any, where: tuple[str, ...], lines: Lines, source: Path | None) -> Any:
    """`raw` (a TOML table) as dataclass `model`: the one validator every table goes through."""
    label = "[" + ".".join((*lines.prefix, *where)) + "]" if (lines.prefix or where) else ""

    def fail(message: str, *keys: str) -> ConfigError:
        return ConfigError(f"{label} {message}".strip(), source, lines.line(*where, *keys))

    if not isinstance(raw, dict):
        raise fail("must be a table")
    known = {f.name: f for f in fields(model) if "shape" in f.metadata}
    _check_keys(raw, known, fail)
    values = {}
    for key, value in raw.items():
        shape, hint = known[key].metadata["shape"], known[key].metadata["hint"]
        if isinstance(shape, Table) and shape.many:
            if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
                raise fail(f"{key} must be an array of tables ([[{'.'.join((*lines.prefix, *where, key))}]])", key)
            values[key] = tuple(_build(shape.model, item, (*where, key), lines, source) for item in value)
        elif isinstance(shape, Table):
            values[key] = _build(shape.model, value, (*where, key), lines, source)
        elif not shape.accepts(value):
            raise fail(f"{key} must be {shape.describe}{', ' + hint if hint else ''} (got {_short(value)})", key)
        else:
            values[key] = shape.convert(value)
    return model(**values)


def _check_keys(raw: dict[str, Any], known: Mapping[str, Any], fail: Callable[..., ConfigError]) -> None:
    """A key the table does not take is an error, never ignored: a moved key says where it went,
    an unknown one lists the known ones."""
    for key in raw:
        if key in MOVED:
            raise fail(f"{key} is now {MOVED[key]}", key)
    unknown = [key for key in raw if key not in known]
    if unknown:
        listed = ", ".join(sorted(known)) or "none yet"
        raise fail(f"unknown setting(s) {', '.join(sorted(unknown))} (known: {listed})", unknown[0])


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = read_source(path, SETTINGS_MAX_BYTES).text  # refused for the reasons any input is
    except ContentError as exc:
        message = exc.message if exc.message.startswith("cannot read") else f"invalid TOML: {exc.message}"
        raise ConfigError(message, path, exc.location.line) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        at = _AT_LINE.search(str(exc))
        raise ConfigError(f"invalid TOML: {exc}", path, int(at.group(1)) if at else None) from None


def find_settings(start: Path) -> tuple[Path, Path | None, object]:
    """Walk up from `start` to the first ticketgen.toml or pyproject.toml with [tool.ticketgen]:
    (the project root, that file or None, its ticketgen table unchecked)."""
    root, source, table, _ = _find_settings(start)
    return root, source, table


def _find_settings(start: Path) -> tuple[Path, Path | None, object, Lines]:
    start = start.resolve()
    for folder in (start, *start.parents):
        own = folder / "ticketgen.toml"
        if own.is_file():
            table, text = _read_toml(own)
            return folder, own, table, Lines.of(text, ())
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data, text = _read_toml(pyproject)
            tool = data.get("tool", {})
            ours = tool.get("ticketgen") if isinstance(tool, dict) else None
            if ours is not None:  # any type: load_config says when it is not a table
                return folder, pyproject, ours, Lines.of(text, ("tool", "ticketgen"))
    return start, None, {}, _NO_LINES


def _template_file(path: Path, value: str, given: bool, fail: Callable[[str, str], ConfigError]) -> Path | None:
    """The template setting as a file, or None for the packaged template: only when the setting is
    left out and its default file is absent. A folder or a missing named file is an error."""
    if path.is_file():
        return path
    if path.exists():  # a folder, say: never silently fall back to the packaged template
        raise fail(f"template {value!r} is not a file", "template")
    if given:
        raise fail(f"template {value!r} does not exist", "template")
    return None


def load_config(start: Path | None = None) -> Config:
    """The settings of the project holding `start` (default: the current folder), validated."""
    root, source, table, lines = _find_settings(start or Path.cwd())
    if not isinstance(table, dict):
        raise ConfigError("[tool.ticketgen] must be a table", source, lines.line())
    raw: _Root = _build(_Root, table, (), lines, source)

    def fail(message: str, key: str) -> ConfigError:
        return ConfigError(message, source, lines.line(key))

    def inside(key: str, value: str) -> Path:
        path = (root / value).resolve()
        if not path.is_relative_to(root):
            raise fail(f"{key} {value!r} is outside the project folder {root}", key)
        return path

    for value in raw.manifests:
        if not inside("manifests", value).exists():
            raise fail(f"manifests: {value!r} does not exist", "manifests")
    template = _template_file(inside("template", raw.template), raw.template, "template" in table, fail)
    tickets_dir = inside("tickets_dir", raw.tickets_dir)
    if tickets_dir.exists() and not tickets_dir.is_dir():
        raise fail(f"tickets_dir {raw.tickets_dir!r} is a file, not a folder", "tickets_dir")
    return Config(
        root=root,
        source=source,
        tickets_dir=tickets_dir,
        template=template,
        documents=tuple(inside("documents", d) for d in raw.documents),
        runbooks_dir=inside("runbooks_dir", raw.runbooks_dir),
        max_file_bytes=raw.max_file_bytes,
        roles=dict(raw.roles),
        tickets_dir_set="tickets_dir" in table,
        manifests=tuple(inside("manifests", m) for m in raw.manifests),
        lint=raw.lint,
        new=raw.new,
        runbooks=raw.runbooks,
        site=raw.site,
        triage=raw.triage,
        lines=lines,
    )
