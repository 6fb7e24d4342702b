"""Runbook pages: every Markdown file under the runbooks folder, hand-written or generated.

Only the frontmatter is interpreted (`title`, `resource`, `tickets`, `generated_by`); the body
is published as written. `tickets:` is what links a runbook and a ticket both ways.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from ..core import safe_yaml
from ..core.errors import ContentError
from ..core.io import BOM, read_source, split_lines
from ..core.markdown import block_tokens, heading_text
from ..core.records import Problem

_FM = YAMLHandler()
_PAGE_META = {"title", "description", "tags", "hide", "search", "icon"}
# The keys ticketgen or mkdocs-material read, and the type each must have: a value of another
# type is left out with a warning at its line (Material raised a traceback on `icon: {a: 1}`).
RUNBOOK_SHAPE: safe_yaml.Shape = {
    "title": safe_yaml.TEXT,
    "description": safe_yaml.TEXT,
    "tags": safe_yaml.TEXTS,
    "hide": safe_yaml.TEXTS,
    "search": safe_yaml.Expect(
        "a mapping such as {exclude: true} or {boost: 2}",
        lambda v: (
            isinstance(v, dict)
            and set(v) <= {"exclude", "boost"}
            and isinstance(v.get("exclude", False), bool)
            and isinstance(v.get("boost", 1), (int, float))
            and not isinstance(v.get("boost", 1), bool)
        ),
    ),
    "icon": safe_yaml.TEXT,
    "resource": safe_yaml.TEXT,
    "tickets": safe_yaml.TEXT_OR_TEXTS,
    "generated_by": safe_yaml.TEXT,
    "content_hash": safe_yaml.TEXT,
}


@dataclass
class Runbook:
    path: Path  # absolute
    rel: str  # posix path inside the runbooks folder, e.g. "deployment/ingest-worker.md"
    text: str
    body: str  # the text after the frontmatter
    meta: dict[str, Any]
    title: str
    tickets: list[str] = field(default_factory=list)
    tickets_line: int = 1  # the frontmatter line of `tickets:`, for messages
    problems: list[Problem] = field(default_factory=list)

    @property
    def resource(self) -> str | None:
        value = self.meta.get("resource")
        return str(value) if value is not None else None

    @property
    def page_meta(self) -> dict[str, Any]:
        """The frontmatter keys a site generator should see. Others stay out: to mkdocs,
        `template` names the page's HTML template and Material reads `status` as a page badge."""
        return {k: v for k, v in self.meta.items() if k in _PAGE_META}

    @property
    def generated(self) -> bool:
        return self.meta.get("generated_by") == "ticketgen"


def runbook_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.rglob("*.md") if not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def read_runbook(path: Path, folder: Path, display: Path, max_bytes: int, root: Path | None = None) -> Runbook:
    """Read one runbook; bad frontmatter is a `Problem`, an unreadable file (a FIFO, a symlink
    leading out of the project `root`...) raises `ContentError` naming it: it is not published."""
    text = read_source(path, max_bytes, display, root=root).text
    meta, body_start, problems = _frontmatter(text, display)
    tickets: list[str] = []
    raw = meta.get("tickets", [])
    if isinstance(raw, str):
        raw = [raw]
    if isinstance(raw, list) and all(isinstance(t, str) for t in raw):
        tickets = [t.strip() for t in raw if t.strip()]
    else:
        problems.append(Problem("runbook-tickets", display, 2, "frontmatter `tickets` must be a list of ticket IDs"))
    title = meta.get("title") if isinstance(meta.get("title"), str) else None
    lines = split_lines(text.removeprefix(BOM))[:body_start]
    tickets_line = next((n for n, line in enumerate(lines, 1) if line.startswith("tickets:")), 1)
    return Runbook(
        path=path,
        rel=path.relative_to(folder).as_posix(),
        text=text,
        body="".join(split_lines(text.removeprefix(BOM))[body_start:]),
        meta=meta,
        title=title or _first_heading(text, body_start) or path.stem.replace("-", " "),
        tickets=tickets,
        tickets_line=tickets_line,
        problems=problems,
    )


def load_runbooks(
    folder: Path, display, max_bytes: int, root: Path | None = None
) -> tuple[list[Runbook], list[ContentError]]:
    runbooks, unreadable = [], []
    for path in runbook_files(folder):
        try:
            runbooks.append(read_runbook(path, folder, display(path), max_bytes, root))
        except ContentError as exc:
            unreadable.append(exc)
    return runbooks, unreadable


def _frontmatter(text: str, display: Path) -> tuple[dict[str, Any], int, list[Problem]]:
    lines = split_lines(text.removeprefix(BOM))
    if not lines or lines[0].strip() != "---":
        return {}, 0, []
    close = next((i for i in range(1, len(lines)) if _FM.FM_BOUNDARY.match(lines[i].rstrip("\r\n"))), None)
    if close is None:
        return {}, 0, []
    try:
        data, wrong = safe_yaml.load_checked("".join(lines[1:close]), RUNBOOK_SHAPE)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return {}, close + 1, [Problem("frontmatter", display, line, f"frontmatter is not valid YAML: {reason}")]
    if data is None:
        return {}, close + 1, []
    if not isinstance(data, dict):
        return {}, close + 1, [Problem("frontmatter", display, 2, "frontmatter must be a mapping of keys to values")]
    return data, close + 1, [Problem("frontmatter", display, line + 1, f"frontmatter {why}") for line, why in wrong]


def _first_heading(text: str, body_start: int) -> str | None:
    body = "".join(split_lines(text.removeprefix(BOM))[body_start:])
    tokens = block_tokens(body)
    return next((heading_text(tokens, i) for i, t in enumerate(tokens) if t.type == "heading_open"), None)
