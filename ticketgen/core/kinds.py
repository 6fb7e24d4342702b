"""The resource kinds ticketgen knows (one vocabulary table), references to resources, and
the Kubernetes name rules every name must pass before it can reach a generated command.

Lint (TG050), runbooks and triage all read this module; it knows nothing of any of them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .records import Ticket

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
        "bucket",
        "Bucket",
        "buckets.source.toolkit.fluxcd.io",
        ("buckets", "source-bucket"),
        "subdomain",
        (),  # "bucket" in prose is rarely Flux's: no kind-level runbook from prose
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


@dataclass(frozen=True)
class Origin:
    """Where a resource was named: `how` is declared, frontmatter, detected, mentioned or resources.yaml."""

    how: str
    path: Path
    line: int
    ticket_id: str | None = None
    detail: str = ""


def _field_named(ticket: Ticket, name: str):
    folded = name.casefold()
    return next((f for n, f in ticket.fields.items() if n.casefold() == folded), None)


def declared_entries(ticket: Ticket, resources_field: str, frontmatter_key: str) -> list[tuple[str, str, int]]:
    """(how, text, line) for each declared `kind/namespace/name` entry, valid or not."""
    entries: list[tuple[str, str, int]] = []
    declared = _field_named(ticket, resources_field)
    if declared is not None:
        for part in declared.raw.split(","):
            text = part.strip().strip("`").strip()
            if text:
                entries.append(("declared", text, declared.line))
    listed = ticket.frontmatter.get(frontmatter_key)
    if listed is not None:
        # The frontmatter sits at the top of the file; its own line numbers are not kept.
        items = listed if isinstance(listed, list) else [listed]
        for item in items:
            entries.append(("frontmatter", _entry_text(item), 1))
    return entries


def _entry_text(item: object) -> str:
    """A frontmatter entry as text for messages: a scalar as written, a list or mapping by its
    kind (never its repr: its size is the author's to choose)."""
    if isinstance(item, (list, dict, set, tuple)):
        return f"<a YAML {'mapping' if isinstance(item, dict) else 'list'}>"
    return str(item)


def invalid_resources(
    ticket: Ticket, resources_field: str = "Resources", frontmatter_key: str = "resources"
) -> list[tuple[int, str]]:
    """(line, message) for every declared resource that is malformed or unsafe.

    Used by `ticketgen lint`; such a resource gets no runbook. Lines of frontmatter entries
    are the frontmatter's first line.
    """
    problems: list[tuple[int, str]] = []
    for how, text, line in declared_entries(ticket, resources_field, frontmatter_key):
        try:
            parse_ref(text)
        except ValueError as exc:
            where = f"frontmatter `{frontmatter_key}`" if how == "frontmatter" else resources_field
            problems.append((line, f"{where}: {exc}"))
    return problems
