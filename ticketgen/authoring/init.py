"""`ticketgen init`: the files a repository needs to adopt ticketgen, never touching one
that exists."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..core.config import find_settings
from ..core.io import write_atomic
from ..core.template import default_template_text

_MARKDOWNLINT_CONFIGS = (
    ".markdownlint.yaml",
    ".markdownlint.yml",
    ".markdownlint.json",
    ".markdownlint.jsonc",
    ".markdownlint-cli2.yaml",
    ".markdownlint-cli2.jsonc",
)


@dataclass(frozen=True)
class Step:
    path: Path
    created: bool
    why: str


def _data(name: str) -> str:
    return resources.files("ticketgen").joinpath(f"data/init/{name}").read_text(encoding="utf-8")


def init_repository(root: Path) -> list[Step]:
    """Create each missing file; report the ones left alone."""
    steps: list[Step] = []

    def add(path: Path, text: str, why: str) -> None:
        if path.is_symlink() or path.exists():  # a dangling symlink is never followed
            steps.append(Step(path, False, "exists, left as it is"))
            return
        write_atomic(path, text, exclusive=True, inside=root)
        steps.append(Step(path, True, why))

    add(root / "tickets" / "_template.md", default_template_text(), "the template: the schema of every ticket")
    add(root / "runbooks" / ".gitkeep", "", "generated and hand-written runbooks go here")
    add(root / "mkdocs.yml", _data("mkdocs.yml"), "the ticket site: `mkdocs serve`")
    add(root / "docs" / "index.md", _data("index.md"), "the site's home page")
    settings_root, source, _ = find_settings(root)
    if source is not None and settings_root == root.resolve():
        steps.append(Step(source, False, "ticketgen settings already here"))
    else:
        add(root / "ticketgen.toml", _data("ticketgen.toml"), "ticketgen settings (all optional)")
    existing_lint = next((root / n for n in _MARKDOWNLINT_CONFIGS if (root / n).exists()), None)
    if existing_lint is not None:
        steps.append(Step(existing_lint, False, "exists; see `ticketgen init --help` for the rules tickets need"))
    else:
        add(root / ".markdownlint.yaml", _data("markdownlint.yaml"), "markdownlint settings tickets pass")
    return steps
