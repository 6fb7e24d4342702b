"""Ticket IDs in use: in the working tree, and on every local and remote-tracking branch.

Parallel branches are how duplicate IDs happen ("highest + 1" on each branch), so the next
free ID looks at what other branches already hold, read through git without a checkout.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from ..core.parse import parse_document
from ..core.project import Corpus, Project
from ..core.template import Schema


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except OSError:
        return None
    return result if result.returncode == 0 else None


def git_dir(root: Path) -> Path | None:
    """The repository's common git dir (shared by worktrees), if `root` is in one."""
    found = _git(root, "rev-parse", "--git-common-dir")
    if found is None:
        return None
    return (root / found.stdout.decode().strip()).resolve()


def _branch_refs(root: Path) -> list[str]:
    found = _git(root, "for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes")
    if found is None:
        return []
    return [r for r in found.stdout.decode().split() if not r.endswith("/HEAD")]


def branch_ids(project: Project) -> dict[str, set[str]]:
    """Ticket ID -> {"branch:path"} for every ticket found on a local or remote branch.

    IDs come from file names where they carry one (`TICKET-007-title.md`); other files
    (multi-ticket documents) are parsed from their blobs.
    """
    root = project.root
    refs = _branch_refs(root)
    if not refs:
        return {}
    schema = project.schema
    inside = [_rel(root, project.config.tickets_dir), *(_rel(root, d) for d in project.config.documents)]
    paths = [p for p in inside if p is not None]
    found: dict[str, set[str]] = {}
    blobs: dict[str, list[str]] = {}  # blob sha -> ["branch:path"] for files without an ID in the name
    for ref in refs:
        listing = _git(root, "ls-tree", "-r", "-z", ref, "--", *paths)
        if listing is None:
            continue
        branch = ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")
        for entry in listing.stdout.decode("utf-8", "replace").split("\0"):
            if not entry or "\t" not in entry:
                continue
            meta, path = entry.split("\t", 1)
            if not path.endswith(".md"):
                continue
            sha = meta.split()[2]
            where = f"{branch}:{path}"
            number = name_number(schema, Path(path).name)
            if number is not None:
                found.setdefault(schema.format_id(number), set()).add(where)
            else:
                blobs.setdefault(sha, []).append(where)
    for sha, places in blobs.items():
        blob = _git(root, "cat-file", "blob", sha)
        if blob is None:
            continue
        text = blob.stdout.decode("utf-8", "replace")
        for ticket in parse_document(text, Path(places[0]), schema).tickets:
            found.setdefault(schema.format_id(ticket.number), set()).update(places)
    return found


def name_number(schema: Schema, name: str) -> int | None:
    """The ID number a file name starts with (`TICKET-007-title.md` -> 7), if any."""
    return schema.name_number(name)


def file_name_numbers(project: Project) -> set[int]:
    """ID numbers carried by ticket file names: taken even when a file cannot be read
    (too big, not UTF-8), since its content may well be that ticket."""
    numbers = (name_number(project.schema, path.name) for path in project.ticket_files())
    return {n for n in numbers if n is not None}


def _rel(root: Path, path: Path) -> str | None:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return None


def used_numbers(
    corpus: Corpus, schema: Schema, on_branches: dict[str, set[str]], in_file_names: Iterable[int] = ()
) -> set[int]:
    numbers = {t.number for t in corpus.tickets} | set(in_file_names)
    numbers.update(n for n in (schema.id_number(i) for i in on_branches) if n is not None)
    return numbers


def id_width(corpus: Corpus, schema: Schema) -> int:
    """Pad like the template, or wider if existing tickets are zero-padded wider."""
    padded = [len(t.id) - len(schema.prefix) for t in corpus.tickets if t.id[len(schema.prefix) :].startswith("0")]
    return max([schema.width, *padded])
