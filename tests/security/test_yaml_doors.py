"""The one YAML reader: runbook frontmatter, manifests and resources.yaml go through the strict
loader (no aliases, plain tags, bounded nesting) and runbook frontmatter is checked against the
types mkdocs-material reads; a wrong type is a warning at its line, never a traceback."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.security.conftest import make_project, ticket
from tests.site.site_repo import make_repo
from ticketgen.core import safe_yaml

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9)
)
MEMORY_LIMIT = 2 * 1024**3


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _run(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            [sys.executable, "-m", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            preexec_fn=_limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"{args} did not finish within {timeout} s") from None


def _runbook(front: str) -> str:
    return f"---\n{front}---\n# Restart the worker\n\nSee TICKET-002.\n"


HOSTILE_RUNBOOKS = {
    "bomb.md": (_runbook(ALIAS_BOMB), 3, "frontmatter is not valid YAML: aliases (*name) are not allowed"),
    "icon.md": (_runbook("title: Icon\nicon: {a: 1}\n"), 3, "frontmatter `icon` must be a string, not a mapping"),
    "tags.md": (_runbook("tags: oops\n"), 2, "frontmatter `tags` must be a list of strings, not a string"),
    "hide.md": (_runbook("hide: 3\n"), 2, "frontmatter `hide` must be a list of strings, not a number"),
    "search.md": (_runbook("search: [1]\n"), 2, "frontmatter `search` must be a mapping such as {exclude: true}"),
    "title.md": (_runbook("title: [a, b]\n"), 2, "frontmatter `title` must be a string, not a list"),
    "tag.md": (
        _runbook("title: !!python/name:os.system x\n"),
        2,
        "frontmatter is not valid YAML: YAML tag 'tag:yaml.org,2002:python/name",
    ),
    "deep.md": (
        _runbook("tickets: " + "[" * 200 + "]" * 200 + "\n"),
        2,
        "frontmatter is not valid YAML: nested more than 32",
    ),
}


def _hostile_repo(root: Path) -> Path:
    repo = make_repo(root)
    for name, (text, _, _) in HOSTILE_RUNBOOKS.items():
        (repo / "runbooks" / name).write_text(text)
    return repo


def test_hostile_runbook_frontmatter_is_a_warning_at_its_line_in_the_mkdocs_build(tmp_path: Path):
    repo = _hostile_repo(tmp_path / "repo")
    result = _run(["mkdocs", "build", "-f", str(repo / "mkdocs.yml")], cwd=repo)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    for name, (_, line, message) in HOSTILE_RUNBOOKS.items():
        assert f"runbooks/{name}:{line}: {message}" in result.stderr, (name, result.stderr[-3000:])
    # the page is still built, from what is left of its frontmatter
    assert (repo / "site" / "runbooks" / "icon" / "index.html").is_file()


def test_hostile_runbook_frontmatter_fails_render_strict_naming_each_file(tmp_path: Path):
    repo = _hostile_repo(tmp_path / "repo")
    result = _run(["ticketgen", "render", "--out", str(tmp_path / "out"), "--strict"], cwd=repo)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for name, (_, line, message) in HOSTILE_RUNBOOKS.items():
        assert f"runbooks/{name}:{line}: {message}" in result.stderr, name


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: " + "[" * 5000 + "]" * 5000 + "\n", "release.yaml:1: nested more than 32 levels deep"),
        ("kind: !!set {a}\n", "release.yaml:1: YAML tag 'tag:yaml.org,2002:set' is not read"),
    ],
)
def test_manifests_go_through_the_strict_reader(tmp_path: Path, text: str, message: str):
    root = make_project(tmp_path / "p", {"tickets/TICKET-001-a.md": ticket(1)}, config='manifests = ["deploy"]\n')
    (root / "deploy").mkdir()
    (root / "deploy" / "release.yaml").write_text(text)
    result = _run(["ticketgen", "-C", str(root), "resources"], cwd=root)
    assert result.returncode == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_resources_yaml_goes_through_the_strict_reader(tmp_path: Path):
    root = make_project(tmp_path / "p", {"tickets/TICKET-001-a.md": ticket(1)})
    (root / "runbooks").mkdir()
    (root / "runbooks" / "resources.yaml").write_text("resources:\n  - &a ks/flux-system/apps\n  - *a\n")
    result = _run(["ticketgen", "-C", str(root), "resources"], cwd=root)
    assert result.returncode == 1
    assert "runbooks/resources.yaml:3: not valid YAML: aliases (*name) are not allowed" in result.stderr


def test_load_checked_leaves_out_wrong_types_and_names_their_lines():
    shape = {"title": safe_yaml.TEXT, "tags": safe_yaml.TEXTS}
    data, problems = safe_yaml.load_checked("title: ok\nother: {a: 1}\ntags: 3\n1: x\n", shape)
    assert data == {"title": "ok", "other": {"a": 1}}  # keys the shape does not name are kept as they are
    assert problems == [
        (3, "`tags` must be a list of strings, not a number; left out"),
        (4, "key '1' is not a string; left out"),
    ]
    with pytest.raises(yaml.YAMLError, match="aliases"):
        safe_yaml.load(ALIAS_BOMB)
