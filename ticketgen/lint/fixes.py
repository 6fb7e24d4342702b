"""Apply the edits of fixable findings: exact spans only, so every other byte (BOM, CRLF,
trailing spaces) stays as it was; files are replaced atomically, or shown as a diff."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from ..core.cache import digest
from ..core.errors import ContentError
from ..core.io import read_source, write_atomic
from ..core.project import Project
from .engine import LintOptions, LintRun, run_lint
from .model import Edit


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """`text` with the edits applied; an edit overlapping an earlier one is left for the next pass."""
    out, pos = [], 0
    for edit in sorted(set(edits), key=lambda e: (e.start, e.end)):
        if edit.start < pos:
            continue
        out.append(text[pos : edit.start])
        out.append(edit.replacement)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)


def planned(run: LintRun, max_bytes: int) -> dict[Path, tuple[str, str]]:
    """Per file: (current text, fixed text), for files whose fixes change something. A file whose
    content is no longer what was linted is refused: its edit offsets would land in the wrong place."""
    edits: dict[str, list[Edit]] = {}
    for f in run.findings:
        if f.edits:
            edits.setdefault(f.path, []).extend(f.edits)
    changes = {}
    for rel, file_edits in edits.items():
        path = run.root / rel
        before = read_source(path, max_bytes).text
        if digest(before.encode("utf-8")) != run.digests.get(rel):
            raise ContentError("file changed since it was linted; run lint again", path)
        after = apply_edits(before, file_edits)
        if after != before:
            changes[path] = (before, after)
    return changes


def write(changes: dict[Path, tuple[str, str]]) -> None:
    """Write fixed files atomically; refuse a file that changed since it was read."""
    for path, (before, after) in changes.items():
        if digest(path.read_bytes()) != digest(before.encode("utf-8")):
            raise ContentError("file changed while fixing it; run lint again", path)
        write_atomic(path, after)


def fix(project: Project, paths: list[Path] | None, options: LintOptions) -> tuple[LintRun, int]:
    """Apply fixes and lint again until nothing more is fixable (a fix can reveal another, as in
    ruff); returns the final run and how many file writes were made."""
    run = run_lint(project, paths, options)
    written = 0
    for _ in range(3):
        changes = planned(run, project.config.max_file_bytes)
        if not changes:
            break
        write(changes)
        written += len(changes)
        run = run_lint(project, paths, options)
    return run, written


def unified_diff(root: Path, changes: dict[Path, tuple[str, str]]) -> str:
    parts = []
    for path, (before, after) in sorted(changes.items()):
        rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        parts.extend(
            difflib.unified_diff(
                before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"
            )
        )
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in parts)
