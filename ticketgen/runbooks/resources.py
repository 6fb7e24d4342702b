"""Which Kubernetes resources a ticket is about, and whether their names are safe to use.

A resource is `kind/namespace/name`. Tickets declare them (a metadata line or a frontmatter
list), ticketgen detects more in the ticket's shell blocks (see detect.py), and an optional
`runbooks/resources.yaml` adds resources no ticket names. Every name is validated against the
Kubernetes rules before it can reach a generated command: invalid ones are reported, never fixed.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError, ContentError
from ..records import Ticket
from ..textio import read_source

# Kubernetes object-name rules (apimachinery validation.go; gitops-recovery.md section 9).
_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
LABEL_MAX = 63
SUBDOMAIN_MAX = 253


_MAX_STEM = 200  # file names are limited to 255 bytes; leave room for a suffix and ".md"


@dataclass(frozen=True)
class KindInfo:
    """One resource kind ticketgen writes runbooks for. `words` are the case-sensitive words
    that, in a ticket's prose, mean the ticket speaks of this kind (for kind-level runbooks)."""

    kind: str  # canonical id, used in `kind/namespace/name` and file names
    api_kind: str  # the Kubernetes `kind`
    resource: str  # fully-qualified kubectl resource (no short-name clashes)
    aliases: tuple[str, ...]  # spellings accepted in tickets and commands
    name_rule: str  # "label" (<= 63) or "subdomain" (<= 253)
    words: tuple[str, ...]

    @property
    def spellings(self) -> set[str]:
        plural = self.resource.split(".", 1)[0]
        return {self.kind, self.api_kind.lower(), plural, self.resource, *self.aliases}


# The one vocabulary table: kinds, their spellings, and the words that mean them in prose.
KINDS: tuple[KindInfo, ...] = (
    KindInfo(
        "terraform",
        "Terraform",
        "terraforms.infra.contrib.fluxcd.io",
        ("tf", "terraforms"),
        "label",  # reference section 9: validate Terraform names as RFC 1123 labels
        ("Terraform", "tofu-controller", "tf-controller"),
    ),
    KindInfo(
        "gitrepository",
        "GitRepository",
        "gitrepositories.source.toolkit.fluxcd.io",
        ("gitrepo", "gitrepositories", "source-git"),
        "subdomain",
        ("GitRepository",),
    ),
    KindInfo(
        "ocirepository",
        "OCIRepository",
        "ocirepositories.source.toolkit.fluxcd.io",
        ("ocirepo", "ocirepositories", "source-oci"),
        "subdomain",
        ("OCIRepository",),
    ),
    KindInfo(
        "kustomization",
        "Kustomization",
        "kustomizations.kustomize.toolkit.fluxcd.io",
        ("ks", "kustomizations"),
        "subdomain",
        ("Kustomization",),
    ),
    KindInfo(
        "helmrelease",
        "HelmRelease",
        "helmreleases.helm.toolkit.fluxcd.io",
        ("hr", "helmreleases"),
        "subdomain",
        ("HelmRelease",),
    ),
    KindInfo(
        "deployment",
        "Deployment",
        "deployments.apps",
        ("deploy", "deployments"),
        "subdomain",
        ("Deployment",),
    ),
)
_BY_SPELLING = {spelling: info for info in KINDS for spelling in info.spellings}
KIND_BY_ID = {info.kind: info for info in KINDS}


def kind_info(spelling: str) -> KindInfo | None:
    """The kind a spelling means (`hr`, `HelmRelease`, `helmreleases.helm.toolkit.fluxcd.io`...)."""
    return _BY_SPELLING.get(spelling.strip().lower())


def kind_for_api(api_kind: str) -> KindInfo | None:
    return next((k for k in KINDS if k.api_kind == api_kind), None)


@dataclass(frozen=True, order=True)
class ResourceRef:
    """A resource; a kind-level ref (namespace and name empty) stands for "some object of this kind"."""

    kind: str
    namespace: str
    name: str

    @classmethod
    def kind_level(cls, kind: str) -> ResourceRef:
        return cls(kind, "", "")

    @property
    def is_kind_level(self) -> bool:
        return not self.name

    @property
    def info(self) -> KindInfo:
        return KIND_BY_ID[self.kind]

    @property
    def slug(self) -> str:
        """The runbook file stem: `terraform-lotus-lake-lotus-lake-airbyte`, or `terraform` for a kind.
        Long names (a valid name may have 253 characters) are cut and given a hash, so the file
        name stays within file-system limits."""
        if self.is_kind_level:
            return self.kind
        stem = f"{self.kind}-{self.namespace}-{self.name}"
        if len(stem) <= _MAX_STEM:
            return stem
        digest = hashlib.sha256(stem.encode()).hexdigest()[:12]
        return f"{stem[: _MAX_STEM - 13]}-{digest}"

    def __str__(self) -> str:
        return f"{self.kind}/*/*" if self.is_kind_level else f"{self.kind}/{self.namespace}/{self.name}"


def name_problem(kind: KindInfo, namespace: str, name: str) -> str | None:
    """Why `namespace`/`name` cannot be used for `kind`, or None when both are valid."""
    if len(namespace) > LABEL_MAX or not _LABEL.fullmatch(namespace):
        return f"namespace {namespace!r} is not a valid RFC 1123 label (lowercase a-z, 0-9, '-', <= {LABEL_MAX})"
    if kind.name_rule == "label":
        if len(name) > LABEL_MAX or not _LABEL.fullmatch(name):
            return (
                f"{kind.api_kind} name {name!r} is not a valid RFC 1123 label (lowercase a-z, 0-9, '-', <= {LABEL_MAX})"
            )
    elif len(name) > SUBDOMAIN_MAX or not _SUBDOMAIN.fullmatch(name):
        return (
            f"{kind.api_kind} name {name!r} is not a valid RFC 1123 subdomain "
            f"(lowercase a-z, 0-9, '-', '.', <= {SUBDOMAIN_MAX})"
        )
    return None


def parse_ref(text: str) -> ResourceRef:
    """`kind/namespace/name` -> a validated ResourceRef; ValueError says what is wrong."""
    parts = text.strip().split("/")
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"{text.strip()!r} is not kind/namespace/name")
    info = kind_info(parts[0])
    if info is None:
        known = ", ".join(k.kind for k in KINDS)
        raise ValueError(f"unknown kind {parts[0]!r} in {text.strip()!r} (known: {known})")
    problem = name_problem(info, parts[1], parts[2])
    if problem:
        raise ValueError(problem)
    return ResourceRef(info.kind, parts[1], parts[2])


# --- settings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RunbookSettings:
    """`[tool.ticketgen.runbooks]`: where tickets declare resources, which sections to quote."""

    resources_field: str = "Resources"
    frontmatter_key: str = "resources"
    # fnmatch patterns, matched case-insensitively against a ticket's section titles.
    quote_sections: tuple[str, ...] = ("*workaround*", "how to fix", "verification*")
    stuck_after_minutes: int = 30
    kind_level: bool = True

    @classmethod
    def from_table(cls, table: Mapping[str, Any], source: Path | None = None) -> RunbookSettings:
        known = {
            "resources_field": str,
            "frontmatter_key": str,
            "quote_sections": list,
            "stuck_after_minutes": int,
            "kind_level": bool,
        }
        unknown = sorted(set(table) - set(known))
        if unknown:
            raise ConfigError(
                f"[tool.ticketgen.runbooks]: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})",
                source,
            )
        values: dict[str, Any] = {}
        for key, value in table.items():
            expected = known[key]
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise ConfigError(f"[tool.ticketgen.runbooks]: {key} must be a {expected.__name__}", source)
            if key == "quote_sections":
                if not all(isinstance(v, str) and v for v in value):
                    raise ConfigError("[tool.ticketgen.runbooks]: quote_sections must be a list of strings", source)
                value = tuple(value)
            if key == "stuck_after_minutes" and value <= 0:
                raise ConfigError("[tool.ticketgen.runbooks]: stuck_after_minutes must be positive", source)
            values[key] = value
        return cls(**values)

    def quotes(self, title: str) -> bool:
        folded = title.casefold()
        return any(fnmatch.fnmatchcase(folded, pattern.casefold()) for pattern in self.quote_sections)


DEFAULT_SETTINGS = RunbookSettings()


# --- where resources come from ------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Where a resource was named: `how` is declared, frontmatter, detected, mentioned or resources.yaml."""

    how: str
    path: Path
    line: int
    ticket_id: str | None = None
    detail: str = ""


@dataclass
class FoundResource:
    ref: ResourceRef
    origins: list[Origin] = field(default_factory=list)

    @property
    def ticket_ids(self) -> list[str]:
        return sorted({o.ticket_id for o in self.origins if o.ticket_id}, key=_id_key)


def _id_key(ticket_id: str) -> tuple[str, int, str]:
    digits = re.search(r"(\d+)$", ticket_id)
    return (ticket_id[: digits.start()] if digits else ticket_id, int(digits.group(1)) if digits else 0, ticket_id)


def _field_named(ticket: Ticket, name: str):
    folded = name.casefold()
    return next((f for n, f in ticket.fields.items() if n.casefold() == folded), None)


def _declared_entries(ticket: Ticket, settings: RunbookSettings) -> list[tuple[str, str, int]]:
    """(how, text, line) for each declared `kind/namespace/name` entry, valid or not."""
    entries: list[tuple[str, str, int]] = []
    declared = _field_named(ticket, settings.resources_field)
    if declared is not None:
        for part in declared.raw.split(","):
            text = part.strip().strip("`").strip()
            if text:
                entries.append(("declared", text, declared.line))
    listed = ticket.frontmatter.get(settings.frontmatter_key)
    if listed is not None:
        # The frontmatter sits at the top of the file; its own line numbers are not kept.
        items = listed if isinstance(listed, list) else [listed]
        for item in items:
            entries.append(("frontmatter", item if isinstance(item, str) else repr(item), 1))
    return entries


def invalid_resources(ticket: Ticket, settings: RunbookSettings = DEFAULT_SETTINGS) -> list[tuple[int, str]]:
    """(line, message) for every declared resource that is malformed or unsafe.

    Used by `ticketgen lint`; such a resource gets no runbook. Lines of frontmatter entries
    are the frontmatter's first line.
    """
    problems: list[tuple[int, str]] = []
    for how, text, line in _declared_entries(ticket, settings):
        try:
            parse_ref(text)
        except ValueError as exc:
            where = f"frontmatter `{settings.frontmatter_key}`" if how == "frontmatter" else settings.resources_field
            problems.append((line, f"{where}: {exc}"))
    return problems


def declared_resources(
    ticket: Ticket, settings: RunbookSettings = DEFAULT_SETTINGS
) -> list[tuple[ResourceRef, Origin]]:
    """The valid resources a ticket declares, with where; invalid ones are left out (lint reports them)."""
    found = []
    for how, text, line in _declared_entries(ticket, settings):
        try:
            ref = parse_ref(text)
        except ValueError:
            continue
        found.append((ref, Origin(how, ticket.path, line, ticket.id, text)))
    return found


def load_extra_resources(path: Path) -> list[tuple[ResourceRef, Origin]]:
    """Resources from `runbooks/resources.yaml`: a list of `kind/namespace/name` strings under
    `resources:`. Any error names the file and line."""
    if not path.is_file():
        return []
    text = read_source(path).text
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or exc
        raise ContentError(f"not valid YAML: {reason}", path, mark.line + 1 if mark else 1) from None
    if node is None:
        return []
    if not isinstance(node, yaml.MappingNode):
        raise ContentError("expected a mapping with a `resources:` list", path, node.start_mark.line + 1)
    found: list[tuple[ResourceRef, Origin]] = []
    for key, value in node.value:
        if key.value != "resources":
            raise ContentError(f"unknown key {key.value!r} (known: resources)", path, key.start_mark.line + 1)
        if not isinstance(value, yaml.SequenceNode):
            raise ContentError(
                "`resources` must be a list of kind/namespace/name strings", path, value.start_mark.line + 1
            )
        for item in value.value:
            line = item.start_mark.line + 1
            if not isinstance(item, yaml.ScalarNode) or item.tag != "tag:yaml.org,2002:str":
                raise ContentError("each resource must be a kind/namespace/name string", path, line)
            try:
                ref = parse_ref(item.value)
            except ValueError as exc:
                raise ContentError(str(exc), path, line) from None
            found.append((ref, Origin("resources.yaml", path, line, None, item.value)))
    return found


def ticket_resources(ticket: Ticket, settings: RunbookSettings = DEFAULT_SETTINGS) -> list[tuple[ResourceRef, Origin]]:
    """Everything one ticket names: declared, detected in its shell blocks, and (when it names
    no object of a kind it speaks of) kind-level refs."""
    from .detect import detect_in_ticket, kinds_mentioned

    found = declared_resources(ticket, settings) + detect_in_ticket(ticket)
    if settings.kind_level:
        named = {ref.kind for ref, _ in found}
        for kind, line, word in kinds_mentioned(ticket):
            if kind not in named:
                found.append((ResourceRef.kind_level(kind), Origin("mentioned", ticket.path, line, ticket.id, word)))
    return found


def collect_resources(
    tickets: Iterable[Ticket],
    extra: Iterable[tuple[ResourceRef, Origin]] = (),
    settings: RunbookSettings = DEFAULT_SETTINGS,
) -> list[FoundResource]:
    """Every resource of the project, merged, in a stable order (kind-level refs first per kind)."""
    merged: dict[ResourceRef, FoundResource] = {}
    pairs = [pair for ticket in tickets for pair in ticket_resources(ticket, settings)]
    for ref, origin in [*pairs, *extra]:
        entry = merged.setdefault(ref, FoundResource(ref))
        if origin not in entry.origins:
            entry.origins.append(origin)
    return [merged[ref] for ref in sorted(merged)]
