"""ticketgen lint speed, against baselines measured in the same run.

    python bench/run.py                      # N = 100 and 1000 (lint, then the site: minutes)
    python bench/run.py --sizes 100,1000,10000 --repeat 5
    python bench/run.py --callgrind          # also instruction counts of the site builds (N = 100)
    python bench/run.py --no-site --callgrind 1000   # instruction counts at N = 1000 (about 40 minutes)
    python bench/run.py --no-site --sizes '' --linear   # only bench/linear.py's 1x/10x/100x rows

Every number is the best of --repeat wall-clock runs of a whole process (startup included),
on a corpus from bench/corpus.py. bench/site.py's `rows(sizes, make_corpus)` adds the site
rows to the same table. Not a test: machines differ; this prints, it does not assert.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import make_corpus as _make_corpus  # noqa: E402

HERE = Path(__file__).parent
WORK = HERE / ".work"
BARE_PARSE = (
    "import sys; from pathlib import Path; from markdown_it import MarkdownIt; "
    "md = MarkdownIt('commonmark').enable('table'); md.disable(['inline', 'text_join']); "
    "[md.parse(p.read_text(encoding='utf-8')) for p in sorted(Path(sys.argv[1]).rglob('*.md'))]"
)

# Issue 2's parse target: ticketgen's full parse (records, not only tokens) of the same files.
TICKETGEN_PARSE = (
    "import sys; from pathlib import Path; from ticketgen.core.project import Project; "
    "Project.discover(Path(sys.argv[1])).load()"
)


def ticketgen() -> list[str]:
    found = shutil.which("ticketgen")
    return [found] if found else [sys.executable, "-m", "ticketgen"]


def wall(
    cmd: list[str],
    repeat: int,
    cwd: Path | None = None,
    before: Callable[[], None] | None = None,
    env: dict[str, str] | None = None,
) -> float:
    best = float("inf")
    environ = {**os.environ, **(env or {})}
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        best = min(best, time.perf_counter() - start)
    return best


def interleaved(runs: dict[str, Callable[[int], float]], repeat: int) -> dict[str, float]:
    """Best of `repeat` for each run, taking turns (a, b, c, a, b, c...), so that a busy spell on a
    shared machine slows every command compared, not only the one that happened to be running."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):
        for name, run in runs.items():
            best[name] = min(best[name], run(1))
    return best


def row(benchmark: str, n: int | None, value: float, baseline: float | None, target: str, ok: bool | None) -> dict:
    return {
        "benchmark": benchmark,
        "n": n,
        "value": value,
        "unit": "s",
        "baseline": baseline,
        "ratio": value / baseline if baseline else None,
        "target": target,
        "ok": ok,
    }


def markdownlint() -> list[str] | None:
    binary = WORK / "node_modules" / ".bin" / "markdownlint-cli2"
    if not binary.exists() and shutil.which("npm"):
        subprocess.run(["npm", "install", "--prefix", str(WORK), "markdownlint-cli2"], capture_output=True, check=False)
    return [str(binary)] if binary.exists() else None


def lint_rows(sizes: list[int], make_corpus: Callable[[int], Path], repeat: int) -> list[dict]:
    tg = ticketgen()
    rows = []
    mdl = markdownlint()
    for n in sizes:
        project = make_corpus(n)
        cache = WORK / f"cache-{n}"  # ticketgen's cache (XDG_CACHE_HOME), this corpus's alone
        env = {"XDG_CACHE_HOME": str(cache)}

        def drop_cache(cache: Path = cache) -> None:
            shutil.rmtree(cache, ignore_errors=True)

        lint = [*tg, "-C", str(project), "lint"]
        best = interleaved(
            {
                "bare": partial(wall, [sys.executable, "-c", BARE_PARSE, str(project / "tickets")]),
                "cold": partial(wall, lint, before=drop_cache, env=env),
                "parsed": partial(
                    wall, [sys.executable, "-c", TICKETGEN_PARSE, str(project)], before=drop_cache, env=env
                ),
            },
            repeat,
        )
        bare, cold, parsed = best["bare"], best["cold"], best["parsed"]
        rows.append(row("markdown-it bare block parse", n, bare, None, "baseline", None))
        rows.append(row("ticketgen parse to records (cold)", n, parsed, bare, "info", None))
        rows.append(row("lint, cold (no cache), one process", n, cold, bare, "<= 1.3x", cold <= 1.3 * bare))
        wall(lint, 1, env=env)  # fill the cache
        warm = wall(lint, repeat, env=env)
        rows.append(
            row(
                "lint, warm (cache, nothing changed)",
                n,
                warm,
                cold,
                "<= 0.15 s at N=1000",
                warm <= 0.15 if n == 1000 else None,
            )
        )
        one = str(project / "tickets" / "TICKET-001-generated.md")
        one_warm = wall([*tg, "-C", str(project), "lint", one], repeat, env=env)
        rows.append(row("lint one file (pre-commit, warm)", n, one_warm, None, "< 0.15 s", one_warm < 0.15))
        one_cold = wall([*tg, "-C", str(project), "lint", one], repeat, before=drop_cache, env=env)
        rows.append(row("lint one file (cold: reads all IDs)", n, one_cold, None, "info", None))
        if mdl:
            md = wall([*mdl, "tickets/**/*.md"], repeat, cwd=project)
            rows.append(row("markdownlint-cli2 (same files)", n, md, None, "comparison", None))
            rows.append(row("lint cold vs markdownlint-cli2", n, cold, md, "< 1x", cold < md))
    by_n = {(r["benchmark"], r["n"]): r["value"] for r in rows}
    for small, large in itertools.pairwise(sizes):
        # Per ticket, without process startup: the extra time for the extra tickets.
        lint_step = (
            by_n[("lint, cold (no cache), one process", large)] - by_n[("lint, cold (no cache), one process", small)]
        )
        bare_step = by_n[("markdown-it bare block parse", large)] - by_n[("markdown-it bare block parse", small)]
        per = (large - small) / 1000
        rows.append(
            row(
                f"lint per 1000 tickets (N {small}->{large})",
                large,
                lint_step / per,
                bare_step / per,
                "<= 1.3x",
                lint_step <= 1.3 * bare_step,
            )
        )
    helped = wall([*tg, "--help"], repeat)
    rows.append(row("ticketgen --help", None, helped, None, "< 0.15 s", helped < 0.15))
    if not mdl:
        print("note: markdownlint-cli2 not available (npm install failed); its rows are skipped", file=sys.stderr)
    return rows


def site_rows(sizes: list[int], make_corpus: Callable[[int], Path]) -> list[dict]:
    return list(_site_module().rows(sizes, make_corpus))


def callgrind_rows(project: Path) -> list[dict]:
    """Instructions executed by one whole `mkdocs build` (valgrind's callgrind): the same count
    whatever else the machine is doing, so small differences show where timings are noise."""
    module = _site_module()
    with tempfile.TemporaryDirectory(prefix="ticketgen-callgrind-") as tmp:
        work = Path(tmp)
        static = module.static_site(project, work / "static")
        plugin = module.plugin_site(project, work / "plugin")

        def instructions(site: Path, cache: Path) -> float:
            done = subprocess.run(
                ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *module.mkdocs_build(site)],
                env=module.build_env(cache),
                capture_output=True,
                text=True,
                check=True,
            )
            collected = [line for line in done.stderr.splitlines() if "Collected" in line]
            return int(collected[-1].split()[-1]) / 1e9

        base = instructions(static, work / "cache-static")
        cold = instructions(plugin, work / "cache")
        warm = instructions(plugin, work / "cache")
        edited_file = sorted((project / "tickets").glob("TICKET-*.md"))[0]
        original = edited_file.read_bytes()
        edited_file.write_bytes(original + b"\nEdited for the instruction count.\n")
        try:
            edited = instructions(plugin, work / "cache")
        finally:
            edited_file.write_bytes(original)
    n = len(list((project / "tickets").glob("TICKET-*.md")))
    return [
        {**row("instructions, static pages", n, base, None, "baseline", None), "unit": "G"},
        {**row("instructions, plugin cold", n, cold, base, "<= 1.0x", cold <= base), "unit": "G"},
        {**row("instructions, plugin warm", n, warm, base, "<= 0.7x", warm <= 0.7 * base), "unit": "G"},
        {**row("instructions, 1 ticket edited", n, edited, base, "<= 0.75x", edited <= 0.75 * base), "unit": "G"},
    ]


def _site_module():
    spec = importlib.util.spec_from_file_location("bench_site", HERE / "site.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def print_table(rows: list[dict]) -> None:
    header = f"| {'benchmark':<38} | {'N':>6} | {'value':>9} | {'baseline':>9} | {'ratio':>6} | {'target':<32} | ok  |"
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for r in rows:
        unit = r.get("unit", "s")
        value = f"{r['value']:.3f} {unit}"
        baseline = f"{r['baseline']:.3f} {unit}" if r.get("baseline") is not None else ""
        ratio = f"{r['ratio']:.2f}x" if r.get("ratio") is not None else ""
        ok = {True: "yes", False: "NO", None: ""}[r.get("ok")]
        n = "" if r.get("n") is None else str(r["n"])
        print(
            f"| {r['benchmark']:<38} | {n:>6} | {value:>9} | {baseline:>9} | {ratio:>6} | {r['target']:<32} | {ok:<3} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="comma-separated corpus sizes (10000 is slow)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best counts")
    parser.add_argument("--no-site", action="store_true", help="skip bench/site.py's rows (they take minutes)")
    parser.add_argument("--linear", action="store_true", help="also bench/linear.py's rows (1x, 10x, 100x shapes)")
    parser.add_argument(
        "--callgrind", type=int, nargs="?", const=100, metavar="N", help="instruction counts of the site builds (N=100)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="ticketgen-bench-") as tmp:
        made: dict[int, Path] = {}

        def make_corpus(n: int) -> Path:
            if n not in made:
                made[n] = _make_corpus(n, Path(tmp) / f"corpus-{n}")
            return made[n]

        rows = lint_rows(sizes, make_corpus, args.repeat)
        if not args.no_site:
            rows += site_rows(sizes, make_corpus)
        if args.callgrind:
            rows += callgrind_rows(make_corpus(args.callgrind))
    if args.linear:
        from linear import SHAPES
        from linear import rows as linear_rows

        rows += linear_rows(list(SHAPES), args.repeat)
    print_table(rows)


if __name__ == "__main__":
    main()
