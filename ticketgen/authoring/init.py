"""`ticketgen init`: the files a repository needs to adopt ticketgen, never touching one
that exists, except `.gitignore`, which gets the lines it lacks (a built site committed by
mistake is worse than one appended line)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..core.config import find_settings
from ..core.io import rewrite, write_atomic
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
    steps.append(_gitignore(root / ".gitignore", _data("gitignore")))
    add(
        root / ".github" / "workflows" / "tickets.yml",
        _data("github/tickets.yml"),
        "CI: lint with annotations and a SARIF report, mkdocs build --strict",
    )
    add(root / ".pre-commit-config.yaml", _data("pre-commit-config.yaml"), "pre-commit hook: ticketgen lint")
    return steps


def _gitignore(path: Path, wanted: str) -> Step:
    """Append the ignore lines `path` lacks, keeping every byte it has (and its line endings)."""
    if not path.exists():
        write_atomic(path, wanted, exclusive=True)
        return Step(path, True, "the built site/ is not committed")
    data = path.read_bytes()
    have = {line.strip() for line in data.decode("utf-8", "replace").splitlines()}
    rules = [line for line in wanted.splitlines() if line.strip() and not line.startswith("#")]
    missing = [line for line in rules if line not in have and line.strip("/") not in have]
    if not missing:
        return Step(path, False, "already ignores site/")
    ending = b"\r\n" if b"\r\n" in data else b"\n"
    lead = b"" if not data or data.endswith((b"\n", b"\r")) else ending
    added = ending.join(line.encode() for line in [wanted.splitlines()[0], *missing]) + ending
    rewrite(path, data, data + lead + added, inside=path.parent)
    return Step(path, False, f"appended {', '.join(missing)}")
