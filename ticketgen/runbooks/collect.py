"""Which Kubernetes resources a ticket is about, and whether their names are safe to use.

A resource is `kind/namespace/name`. Tickets declare them (a metadata line or a frontmatter
list), ticketgen detects more in the ticket's shell blocks (see detect.py), and an optional
`runbooks/resources.yaml` adds resources no ticket names. Every name is validated against the
Kubernetes rules before it can reach a generated command: invalid ones are reported, never fixed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..core import safe_yaml
from ..core.config import RunbooksSettings
from ..core.errors import ContentError
from ..core.io import read_source
from ..core.kinds import Origin, ResourceRef, declared_entries, parse_ref
from ..core.records import Ticket
from .detect import detect_in_ticket, kinds_mentioned

DEFAULT_SETTINGS = RunbooksSettings()


# --- where resources come from ------------------------------------------------------------


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


def declared_resources(
    ticket: Ticket, settings: RunbooksSettings = DEFAULT_SETTINGS
) -> list[tuple[ResourceRef, Origin]]:
    """The valid resources a ticket declares, with where; invalid ones are left out (lint reports them)."""
    found = []
    for how, text, line in declared_entries(ticket, settings.resources_field, settings.frontmatter_key):
        try:
            ref = parse_ref(text)
        except ValueError:
            continue
        found.append((ref, Origin(how, ticket.path, line, ticket.id, text)))
    return found


def load_extra_resources(path: Path, root: Path | None = None) -> list[tuple[ResourceRef, Origin]]:
    """Resources from `runbooks/resources.yaml`: a list of `kind/namespace/name` strings under
    `resources:`. Any error names the file and line."""
    if not os.path.lexists(path):
        return []
    text = read_source(path, root=root).text
    try:
        node = safe_yaml.compose(text)
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
        found.extend(_listed_resources(value, path))
    return found


def _listed_resources(value: yaml.SequenceNode, path: Path) -> list[tuple[ResourceRef, Origin]]:
    """The `resources:` list, each item a ref with the line it came from; an item that is not a
    valid kind/namespace/name string is an error naming its line."""
    found: list[tuple[ResourceRef, Origin]] = []
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


def ticket_resources(ticket: Ticket, settings: RunbooksSettings = DEFAULT_SETTINGS) -> list[tuple[ResourceRef, Origin]]:
    """Everything one ticket names: declared, detected in its shell blocks, and (when it names
    no object of a kind it speaks of) kind-level refs."""
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
    settings: RunbooksSettings = DEFAULT_SETTINGS,
) -> list[FoundResource]:
    """Every resource of the project, merged, in a stable order (kind-level refs first per kind)."""
    merged: dict[ResourceRef, FoundResource] = {}
    seen: set[tuple[ResourceRef, Origin]] = set()  # a set: 20,000 repeated lines stay linear
    pairs = [pair for ticket in tickets for pair in ticket_resources(ticket, settings)]
    for ref, origin in [*pairs, *extra]:
        if (ref, origin) not in seen:
            seen.add((ref, origin))
            merged.setdefault(ref, FoundResource(ref)).origins.append(origin)
    return [merged[ref] for ref in sorted(merged)]
