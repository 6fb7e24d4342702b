"""Apply the edits of fixable findings: exact spans only, so every other byte (BOM, CRLF,
trailing spaces) stays as it was; files are replaced atomically, or shown as a diff."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from ..core.cache import digest
from ..core.errors import ContentError
from ..core.io import read_source, remove_stale_temps, replace_if_unchanged
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


CHANGED = "changed while fixing; rerun"


def planned(run: LintRun, max_bytes: int) -> tuple[dict[Path, tuple[str, str]], list[ContentError]]:
    """Per file: (current text, fixed text), for files whose fixes change something; and the files
    refused because their content is no longer what was linted (the edit offsets would land in
    the wrong place)."""
    edits: dict[str, list[Edit]] = {}
    for f in run.findings:
        if f.edits:
            edits.setdefault(f.path, []).extend(f.edits)
    changes = {}
    refused = []
    for rel, file_edits in edits.items():
        path = run.root / rel
        try:
            before = read_source(path, max_bytes, Path(rel), root=run.root).text
        except ContentError as exc:  # deleted or made unreadable since it was linted
            refused.append(exc)
            continue
        if digest(before.encode("utf-8")) != run.digests.get(rel):
            refused.append(ContentError(CHANGED, rel))
            continue
        after = apply_edits(before, file_edits)
        if after != before:
            changes[path] = (before, after)
    return changes, refused


def fix(project: Project, paths: list[Path] | None, options: LintOptions) -> tuple[LintRun, int, list[ContentError]]:
    """Apply fixes and lint again until nothing more is fixable (a fix can reveal another, as in
    ruff); returns the final run, how many file writes were made, and the files left unfixed
    because they changed under us or cannot be written (each named in its error)."""
    for folder in {p.parent for p in project.ticket_files()}:
        remove_stale_temps(folder)
    run = run_lint(project, paths, options)
    written = 0
    refused: dict[str, ContentError] = {}
    for _ in range(3):
        changes, changed = planned(run, project.config.max_file_bytes)
        for error in changed:
            refused.setdefault(str(error.location.path), error)
        pending = {p: c for p, c in changes.items() if str(project.display(p)) not in refused}
        if not pending:
            break
        for path, (before, after) in pending.items():
            shown = project.display(path)
            try:
                if replace_if_unchanged(path, before.encode("utf-8"), after, inside=project.root):
                    written += 1
                else:
                    refused[str(shown)] = ContentError(CHANGED, shown)
            except ContentError as exc:
                refused[str(shown)] = ContentError(exc.message, shown)
        run = run_lint(project, paths, options)
    return run, written, list(refused.values())


def unified_diff(root: Path, changes: dict[Path, tuple[str, str]]) -> str:
    parts: list[str] = []
    for path, (before, after) in sorted(changes.items()):
        rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        parts.extend(
            difflib.unified_diff(
                before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"
            )
        )
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in parts)
