"""Linear time on hostile shapes: each input at 1x, 10x and 100x its base size, lint and the
site renderer timed in-process (no start-up), paired against the 1x run of the same input.

    python bench/linear.py               # every shape, best of 3 (a few minutes)
    python bench/linear.py --repeat 1 --shapes headings,brackets
    python bench/run.py --linear         # the same rows after the usual table

A shape that grows linearly shows about 10x and 100x; quadratic code shows 100x and 10,000x.
The 100x sizes are the issue's: 200,000 headings, seven lines of 131,000 `[`, 100,000 list
items, 80,000 mentions in one paragraph, 1,000 tickets mentioning 20 others each.
Not a test: it prints, it does not assert.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from ticketgen.core.project import Project  # noqa: E402
from ticketgen.lint.engine import LintOptions, run_lint  # noqa: E402
from ticketgen.site.content import site_content  # noqa: E402
from ticketgen.site.options import load_options  # noqa: E402
from ticketgen.site.pages import SiteRenderer  # noqa: E402

TEMPLATE = ROOT / "ticketgen" / "data" / "template.md"
SCALES = (1, 10, 100)


def ticket(n: int, body: str) -> str:
    return (
        f"## TICKET-{n:03d}: Ticket {n}\n\n**Status:** Open\n**Priority:** High\n**Discovered:** 2026-01-06\n"
        f"**Component:** auth\n\n### Problem Statement\n\n{body}\n\n### Action Items\n\n- [ ] Fix it\n"
    )


def _mentions(count: int) -> str:
    return "".join(f"TICKET-{j % 48 + 2:03d}" + ("\n" if j % 10 == 9 else " ") for j in range(count))


# shape -> (what one unit is, files for `k` units)
SHAPES: dict[str, tuple[str, Callable[[int], dict[str, str]]]] = {
    "headings": ("2,000 `#` headings", lambda k: {"TICKET-001-a.md": ticket(1, "#\n" * 2000 * k)}),
    "brackets": ("7 lines of 1,310 `[`", lambda k: {"TICKET-001-a.md": ticket(1, "\n\n".join(["[" * 1310 * k] * 7))}),
    "list items": ("1,000 list items", lambda k: {"TICKET-001-a.md": ticket(1, "- i\n" * 1000 * k)}),
    "mentions": (
        "800 mentions in a paragraph",
        lambda k: {
            "TICKET-001-a.md": ticket(1, _mentions(800 * k)),
            **{f"TICKET-{i:03d}-b.md": ticket(i, "x") for i in range(2, 50)},
        },
    ),
    "cross-references": (
        "10 tickets x 20 mentions",
        lambda k: {
            f"TICKET-{i:03d}-a.md": ticket(i, " ".join(f"TICKET-{(j % (10 * k)) + 1:03d}" for j in range(i, i + 20)))
            for i in range(1, 10 * k + 1)
        },
    ),
}


def make(root: Path, files: dict[str, str]) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    (root / "tickets").mkdir(parents=True)
    shutil.copy(TEMPLATE, root / "tickets" / "_template.md")
    (root / "ticketgen.toml").write_text("")
    for name, text in files.items():
        (root / "tickets" / name).write_text(text, encoding="utf-8")
    return root


def lint_seconds(root: Path) -> float:
    project = Project.discover(root, use_cache=False)
    start = time.perf_counter()
    run_lint(project, None, LintOptions())
    return time.perf_counter() - start


def render_seconds(root: Path) -> float:
    project = Project.discover(root, use_cache=False)
    start = time.perf_counter()
    renderer = SiteRenderer(project, load_options(project.config, project.schema), source_links=True)
    for spec in site_content(project, renderer).specs:
        renderer.page(spec)
    return time.perf_counter() - start


def rows(shapes: list[str], repeat: int) -> list[dict]:
    out = []
    with tempfile.TemporaryDirectory(prefix="ticketgen-linear-") as tmp:
        for shape in shapes:
            unit, files = SHAPES[shape]
            roots = {k: make(Path(tmp) / f"{shape}-{k}".replace(" ", "-"), files(k)) for k in SCALES}
            for what, measure in (("lint", lint_seconds), ("render", render_seconds)):
                best = dict.fromkeys(SCALES, float("inf"))
                for _ in range(repeat):  # taking turns, so a busy spell slows every size alike
                    for k in SCALES:
                        best[k] = min(best[k], measure(roots[k]))
                for k in SCALES:
                    ratio = best[k] / best[1]
                    target = "baseline" if k == 1 else f"<= {k * 1.5:g}x (linear: {k}x)"
                    out.append(
                        {
                            "benchmark": f"{what}, {shape} x{k}",
                            "n": k,
                            "value": best[k],
                            "unit": "s",
                            "baseline": None if k == 1 else best[1],
                            "ratio": None if k == 1 else ratio,
                            "target": f"{unit} = 1x" if k == 1 else target,
                            "ok": None if k == 1 else ratio <= k * 1.5,
                        }
                    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the best counts")
    parser.add_argument("--shapes", default=",".join(SHAPES), help=f"comma-separated, of: {', '.join(SHAPES)}")
    args = parser.parse_args()
    from run import print_table

    print_table(rows([s.strip() for s in args.shapes.split(",") if s.strip()], args.repeat))


if __name__ == "__main__":
    main()
