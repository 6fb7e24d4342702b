"""Mutation check for the security doors: break each guard on purpose, in a temp copy of the
repository, and show that at least one test fails. A guard no test notices is a guard the
next refactoring may drop without anyone knowing.

    make mutation                       # every mutation (a few minutes)
    .venv/bin/python tests/security/mutation.py --list
    .venv/bin/python tests/security/mutation.py terminal-escape url-path-quote

Each mutation names a file, an exact snippet and its replacement. A snippet that is no longer
in the file (the code moved) is reported as SKIPPED with the reason, never as a pass; edit the
table below to follow the code. Exit status: 1 if a mutation survived (no test failed), else 0.
Not part of `make test`: it runs the chosen tests once per mutation.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str  # relative to the repository
    before: str
    after: str
    tests: tuple[str, ...]  # pytest arguments
    why: str


MUTATIONS = [
    Mutation(
        "terminal-escape",
        "ticketgen/core/sanitize.py",
        "    return (_IN_TEXT if multiline else _IN_LINE).sub(_shown, text)",
        "    return text",
        ("tests/security/test_outputs.py", "tests/security/test_input_hygiene.py"),
        "the terminal sanitizer writes control characters raw",
    ),
    Mutation(
        "terminal-bidi",
        "ticketgen/core/sanitize.py",
        '_BIDI = "\\u202a-\\u202e\\u2066-\\u2069"',
        '_BIDI = "\\u202a"',
        ("tests/security/test_outputs.py",),
        "the terminal sanitizer lets bidi overrides and isolates through",
    ),
    Mutation(
        "markdown-code-span",
        "ticketgen/core/sanitize.py",
        '    return f"{fence}{pad}{text}{pad}{fence}"',
        "    return text",
        ("tests/security/test_outputs.py",),
        "the step summary writes field values as live Markdown",
    ),
    Mutation(
        "markdown-pipe",
        "ticketgen/core/sanitize.py",
        '.replace("|", "\\\\|")',
        "",
        ("tests/security/test_outputs.py",),
        "a `|` in a value splits the summary's table row",
    ),
    Mutation(
        "shell-invisible",
        "ticketgen/core/sanitize.py",
        "    return _SHELL_SHOWN.sub(lambda m: _shown(m) if _invisible(m.group()) else m.group(), text)",
        "    return text",
        ("tests/security/test_outputs.py",),
        "the shell sanitizer keeps bidi and zero-width characters",
    ),
    Mutation(
        "url-path-quote",
        "ticketgen/core/sanitize.py",
        '    return quote(path, safe="/")',
        "    return path",
        ("tests/security/test_outputs.py::test_edit_links_of_a_file_name_with_quotes_stay_one_attribute",),
        "the edit link carries a file name's quotes into the href attribute",
    ),
    Mutation(
        "id-digit-bound",
        "ticketgen/core/validate.py",
        'ID_NUMBER = rf"([0-9]{{1,{MAX_ID_DIGITS}}})(?![0-9])"',
        'ID_NUMBER = r"([0-9]+)"',
        ("tests/security/test_lint_then_build.py",),
        "an ID of 5,000 digits reaches int() (an internal error in lint, list and show)",
    ),
    Mutation(
        "link-nul",
        "ticketgen/core/validate.py",
        '    if "\\0" in path:',
        "    if False:",
        ("tests/security/test_lint_then_build.py",),
        "a %00 link is neither a finding nor kept from the file system (the build crashed)",
    ),
    Mutation(
        "text-surrogate",
        "ticketgen/core/validate.py",
        "    m = _SURROGATE.search(value)",
        "    m = None",
        ("tests/security/test_lint_then_build.py",),
        "a lone surrogate in frontmatter passes lint and breaks render, list and show",
    ),
    Mutation(
        "linear-inline",
        "ticketgen/site/html.py",
        "    md.use(linear_inline_plugin)",
        "    pass",
        ("tests/security/test_linear_time.py",),
        "the site's inline parse is quadratic again on `[` and in long paragraphs",
    ),
    Mutation(
        "docs-page-bound",
        "ticketgen/site/plugin.py",
        "            problem = markdown_page_problem(markdown)",
        "            problem = None",
        ("tests/security/test_linear_time.py",),
        "a docs page Python-Markdown takes minutes on is built anyway",
    ),
    Mutation(
        "symlink-write",
        "ticketgen/core/io.py",
        "and not real.is_relative_to(top):",
        "and False:",
        ("tests/security/test_writes.py",),
        "a write follows a symlink out of the project",
    ),
    Mutation(
        "symlink-read",
        "ticketgen/core/io.py",
        "    if named_inside and not _within(real, top):",
        "    if False:",
        ("tests/security/test_file_doors.py", "tests/security/test_writes.py"),
        "a read follows a symlink to a file outside the project (a secret published on the site)",
    ),
    Mutation(
        "cache-pickle",
        "ticketgen/core/cache.py",
        "json.loads(",
        "__import__('pickle').loads(",
        ("tests/security", "tests/core", "-k", "cache or pickle"),
        "the cache loader accepts pickles (code) again",
    ),
    Mutation(
        "cache-owner",
        "ticketgen/core/cache.py",
        "if st.st_uid != os.geteuid() or st.st_mode & _UNSAFE_MODE:",
        "if False:",
        ("tests/core/test_cache_files.py",),
        "the cache reads a file another user owns or others may write",
    ),
    Mutation(
        "cache-checksum",
        "ticketgen/core/cache.py",
        'if parts[2].decode("ascii", "replace") != digest(payload):',
        "if False:",
        ("tests/core/test_cache_files.py",),
        "the cache reads a corrupt file without noticing",
    ),
]


def _copy(into: Path) -> Path:
    anywhere = {".git", "__pycache__", ".pytest_cache", "node_modules"}
    top = {".venv", "site", ".work"}  # (tests/site is a test package: only the top-level build output goes)

    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = top if Path(folder) == ROOT else set()
        return {n for n in names if n in anywhere or n in skip}

    shutil.copytree(ROOT, into, ignore=ignore, symlinks=True)
    return into


def _run_tests(copy: Path, tests: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    args = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--no-header", *tests]
    return subprocess.run(args, cwd=copy, env=env, capture_output=True, text=True, check=False)


def check(mutation: Mutation) -> tuple[str, str]:
    """(verdict, detail): KILLED (a test failed), SURVIVED (none did) or SKIPPED (why)."""
    source = ROOT / mutation.path
    if not source.is_file():
        return "SKIPPED", f"{mutation.path} does not exist (moved?)"
    text = source.read_text(encoding="utf-8")
    count = text.count(mutation.before)
    if count != 1:
        where = "not found" if count == 0 else f"found {count} times"
        return "SKIPPED", f"snippet {mutation.before.strip()!r} {where} in {mutation.path} (the code moved)"
    with tempfile.TemporaryDirectory(prefix=f"ticketgen-mutant-{mutation.name}-") as tmp:
        copy = _copy(Path(tmp) / "repo")
        probe = subprocess.run(
            [sys.executable, "-c", "import ticketgen; print(ticketgen.__file__)"],
            cwd=copy,
            env={**os.environ, "PYTHONPATH": str(copy)},
            capture_output=True,
            text=True,
            check=False,
        )
        if not probe.stdout.strip().startswith(str(copy)):
            return "SKIPPED", f"the copy's package is not the one imported ({probe.stdout.strip() or probe.stderr})"
        (copy / mutation.path).write_text(text.replace(mutation.before, mutation.after), encoding="utf-8")
        done = _run_tests(copy, mutation.tests)
    last = (done.stdout.strip().splitlines() or [""])[-1]
    if done.returncode == 1 and " failed" in last and " error" not in last:
        return "KILLED", last
    if done.returncode == 5:
        return "SKIPPED", f"no test selected by {' '.join(mutation.tests)}"
    if done.returncode == 0:
        return "SURVIVED", last
    return "SKIPPED", f"pytest could not run (exit {done.returncode}): {last or done.stderr[-300:]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args()
    if args.list:
        for m in MUTATIONS:
            print(f"{m.name:<20} {m.path}: {m.why}")
        return 0
    unknown = set(args.names) - {m.name for m in MUTATIONS}
    if unknown:
        parser.error(f"unknown mutation(s): {', '.join(sorted(unknown))}")
    chosen = [m for m in MUTATIONS if not args.names or m.name in args.names]
    verdicts: Counter[str] = Counter()
    for mutation in chosen:
        verdict, detail = check(mutation)
        verdicts[verdict] += 1
        print(f"{verdict:<8} {mutation.name:<20} {mutation.why}\n         {detail}", flush=True)
    print(", ".join(f"{verdicts[v]} {v.lower()}" for v in ("KILLED", "SURVIVED", "SKIPPED")) + f" of {len(chosen)}")
    return 1 if verdicts["SURVIVED"] else 0


if __name__ == "__main__":
    sys.exit(main())
