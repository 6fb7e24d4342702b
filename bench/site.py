"""Site build speed, peak memory and search index size, against plain mkdocs in the same run.

    python bench/site.py                 # N = 100 and 1000, on 2 cores and on 1
    python bench/site.py 100,1000,10000  # 10000 takes many minutes
    TICKETGEN_BENCH_CORES=1 python bench/site.py 1000   # one core only (taskset -c 0)

Baseline: `mkdocs build` of the same ticket Markdown files copied into docs/ as static pages,
with the same theme, plugins and Markdown extensions, the pages kept out of the navigation
(`not_in_nav`). Measured: the ticketgen plugin building the site from tickets/, with an empty
cache (cold), with the cache a build of the same files left (warm), and with that cache after
one ticket was edited (edited; see `build_all`). Every time is the best of REPEAT (env
TICKETGEN_BENCH_REPEAT, default 5) interleaved `mkdocs build` processes, and each plugin build
also gets the median of its per-round ratios to the static build (steadier on a noisy
machine); memory is the child's peak RSS (wait4). On one core, every build runs under
`taskset -c 0`. bench/run.py imports `rows()` to add these rows to its table. Not a test: this prints.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPEAT = int(os.environ.get("TICKETGEN_BENCH_REPEAT", "5"))
CORES = [c for c in os.environ.get("TICKETGEN_BENCH_CORES", "2,1").split(",") if c]
# Issue 11: no slower than plain mkdocs cold; much faster with the cache; memory close to it.
TARGETS = {"cold": 1.0, "warm": 0.7, "edited": 0.75}
MEMORY_TARGET = 1.2
MKDOCS_YML = """\
site_name: Bench
theme:
  name: material
  font: false
plugins:
{plugins}
markdown_extensions:
  - admonition
  - attr_list
  - tables
  - toc:
      permalink: true
  - pymdownx.highlight # code highlighted by Pygments, as on ticket pages and on GitHub
  - pymdownx.superfences
  - pymdownx.tasklist:
      custom_checkbox: true
"""


def _site(root: Path, plugins: list[str], extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text("# Bench\n\nTickets: see the index.\n")
    config = MKDOCS_YML.format(plugins="\n".join(f"  - {p}" for p in plugins)) + extra
    (root / "mkdocs.yml").write_text(config)
    return root


def static_site(project: Path, root: Path) -> Path:
    """The plain-mkdocs baseline: the ticket files themselves as pages under docs/tickets/."""
    site = _site(root, ["search", "tags"], "not_in_nav: |\n  /tickets/\n")
    target = site / "docs" / "tickets"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    for path in sorted((project / "tickets").glob("*.md")):
        if not path.name.startswith("_"):
            shutil.copy(path, target / path.name)
    return site


def plugin_site(project: Path, root: Path) -> Path:
    return _site(root, ["search", "tags", f"ticketgen:\n      project_dir: {project}"])


def mkdocs_build(site: Path) -> list[str]:
    return [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(site / "mkdocs.yml"), "-d", str(site / "site")]


def build_env(cache: Path) -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true", "XDG_CACHE_HOME": str(cache)}


def build_once(site: Path, cache: Path, cores: str = "2") -> tuple[float, float]:
    """(wall-clock seconds, peak RSS in MB) of one `mkdocs build`; `cache` is the user cache
    folder, where ticketgen keeps parsed tickets and their HTML between builds."""
    env = build_env(cache)
    pin = ["taskset", "-c", "0"] if cores == "1" else []
    os.sync()  # the last build's files reach the disk now, untimed, not during this one
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(
            [*pin, *mkdocs_build(site)],
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=env,
        )
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise RuntimeError(f"mkdocs build failed in {site}: {errors.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024  # Linux: KiB


def build_all(
    static: Path, plugin: Path, project: Path, work: Path, cores: str = "2"
) -> dict[str, tuple[float, float, float]]:
    """Best time, peak memory and paired ratio of: the static baseline; the plugin with an empty cache (cold:
    a fresh CI checkout); with the cache of a build of the same files (warm: the last build is
    answered from the cache); and with that cache after one ticket was edited (edited: that
    ticket is parsed and rendered again, every page is placed again). Runs are interleaved so machine
    noise hits all four alike. The paired ratio is the median, over the rounds, of a build's
    time over the static build's time in the same round: a slow spell of this shared machine
    moves both, so it moves the ratio less than it moves the best times."""
    warm = work / "cache-warm"
    build_once(plugin, warm, cores)  # fills the warm cache; also warms the OS file cache, untimed
    results: dict[str, list[tuple[float, float]]] = {"static": [], "cold": [], "warm": [], "edited": []}
    edited = sorted((project / "tickets").glob("TICKET-*.md"))[0]
    for i in range(REPEAT):
        results["static"].append(build_once(static, work / "cache-static", cores))
        cold = work / f"cache-cold-{cores}-{i}"
        results["cold"].append(build_once(plugin, cold, cores))
        shutil.rmtree(cold, ignore_errors=True)
        results["warm"].append(build_once(plugin, warm, cores))
        with edited.open("a", encoding="utf-8") as handle:
            handle.write(f"\nEdited before run {i}.\n")
        results["edited"].append(build_once(plugin, warm, cores))
    static_times = [t for t, _ in results["static"]]
    return {
        k: (
            min(t for t, _ in r),
            max(m for _, m in r),
            statistics.median(t / base for (t, _), base in zip(r, static_times, strict=True)),
        )
        for k, r in results.items()
    }


def index_mb(site: Path) -> float:
    return (site / "site" / "search" / "search_index.json").stat().st_size / 1e6


def row(benchmark, n, value, unit, baseline=None, target="info", ok=None) -> dict:
    ratio = value / baseline if baseline else None
    return {
        "benchmark": benchmark,
        "n": n,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "ok": ok,
    }


def rows(sizes: list[int], make_corpus: Callable[[int], Path]) -> list[dict]:
    out = []
    with tempfile.TemporaryDirectory(prefix="ticketgen-site-bench-") as tmp:
        for n in sizes:
            project = make_corpus(n)
            static = static_site(project, Path(tmp) / f"static-{n}")
            plugin = plugin_site(project, Path(tmp) / f"plugin-{n}")
            for cores in CORES:
                times = build_all(static, plugin, project, Path(tmp) / f"work-{n}", cores)
                out += _rows(n, cores, times, static, plugin)
    return out


def _rows(n: int, cores: str, times: dict, static: Path, plugin: Path) -> list[dict]:
    on = f"{cores} core{'s' if cores != '1' else ''}"
    (plain_s, plain_mb, _), cold_mb = times["static"], times["cold"][1]
    found = [row(f"mkdocs build, static pages ({on})", n, plain_s, "s", target="baseline")]
    for kind, label in (("cold", "cold cache"), ("warm", "warm cache"), ("edited", "warm, 1 ticket edited")):
        best, _, paired = times[kind]
        goal = TARGETS[kind]
        found.append(row(f"plugin, {label} ({on})", n, best, "s", plain_s, f"<= {goal}x", best <= goal * plain_s))
        found.append(
            row("  median of paired ratios", n, paired, "x", target=f"<= {goal}x ({REPEAT} rounds)", ok=paired <= goal)
        )
    found.append(row(f"peak memory, static ({on})", n, plain_mb, "MB", target="baseline"))
    target = f"<= {MEMORY_TARGET}x"
    found.append(
        row(f"peak memory, plugin cold ({on})", n, cold_mb, "MB", plain_mb, target, cold_mb <= MEMORY_TARGET * plain_mb)
    )
    warm_mb = times["warm"][1]
    found.append(
        row(f"peak memory, plugin warm ({on})", n, warm_mb, "MB", plain_mb, target, warm_mb <= MEMORY_TARGET * plain_mb)
    )
    if cores == CORES[0]:
        found.append(row("search index, static pages", n, index_mb(static), "MB", target="baseline"))
        found.append(row("search index, ticketgen plugin", n, index_mb(plugin), "MB", index_mb(static)))
    return found


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    from corpus import make_corpus as _make_corpus
    from run import print_table

    sizes = [int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "100,1000").split(",")]
    with tempfile.TemporaryDirectory(prefix="ticketgen-corpus-") as tmp:
        print_table(rows(sizes, lambda n: _make_corpus(n, Path(tmp) / f"corpus-{n}")))
