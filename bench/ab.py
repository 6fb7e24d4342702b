"""Paired A/B of whole commands: this checkout against another copy of ticketgen.

    git archive main | tar -x -C /tmp/before       # the code to compare against
    python bench/ab.py /tmp/before                  # N = 1000, 7 rounds
    python bench/ab.py /tmp/before --n 100 --rounds 5
    python bench/ab.py /tmp/before /tmp/after       # two frozen copies (no edits while it runs)

Measures warm `ticketgen lint` and warm `mkdocs build` (the ticketgen plugin) on a corpus
from bench/corpus.py. Each side gets its own cache folder, filled by one untimed run; then
every round runs A lint, B lint, A build, B build (A = the other copy, B = this checkout),
so a slow spell of the shared machine hits both sides of a pair. The other copy runs through
`PYTHONPATH` with this interpreter and its libraries. Prints the best times and the median of
the per-round ratios B/A (under 1: this checkout is faster), for the wall clock and for the
CPU time (user + system) of the command. Not a test: this prints.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from corpus import make_corpus  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_site", HERE / "site.py")  # not the stdlib's `site`
assert _spec is not None and _spec.loader is not None
bench_site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_site)


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds: user + system) of one run of `cmd`. On a machine
    shared with other work the CPU time moves far less than the wall clock."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) not in (0, 1):  # lint exits 1 on findings
            errors.seek(0)
            raise RuntimeError(f"{cmd} failed: {errors.read().decode()[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="a copy of ticketgen's source (the folder holding ticketgen/)")
    parser.add_argument("this", type=Path, nargs="?", default=HERE.parent, help="the code to measure (this checkout)")
    parser.add_argument("--n", type=int, default=1000, help="tickets in the corpus")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    sides = {"A": args.other.resolve(), "B": args.this.resolve()}
    with tempfile.TemporaryDirectory(prefix="ticketgen-ab-") as tmp:
        work = Path(tmp)
        project = make_corpus(args.n, work / "project")
        site = bench_site.plugin_site(project, work / "site")
        envs = {}
        for name, source in sides.items():
            env = bench_site.build_env(work / f"cache-{name}")
            env["PYTHONPATH"] = os.pathsep.join([str(source), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
            envs[name] = env
        lint = [sys.executable, "-m", "ticketgen", "-C", str(project), "lint", "--format", "json"]
        commands = {"lint": lint, "build": bench_site.mkdocs_build(site)}
        for name in sides:  # fill each side's cache, untimed
            for cmd in commands.values():
                timed(cmd, envs[name])
        times: dict[tuple[str, str], list[tuple[float, float]]] = {(c, s): [] for c in commands for s in sides}
        for _ in range(args.rounds):
            for what, cmd in commands.items():
                for name in sides:
                    times[(what, name)].append(timed(cmd, envs[name]))
        shutil.rmtree(work / "site" / "site", ignore_errors=True)
    print(f"N = {args.n}, {args.rounds} rounds; A = {sides['A']}, B = {sides['B']}")
    for what in commands:
        for index, unit in ((0, "wall"), (1, "CPU ")):
            a = [t[index] for t in times[(what, "A")]]
            b = [t[index] for t in times[(what, "B")]]
            ratio = statistics.median(y / x for x, y in zip(a, b, strict=True))
            print(f"warm {what:5} {unit}  A best {min(a):.3f} s  B best {min(b):.3f} s  median B/A {ratio:.2f}")


if __name__ == "__main__":
    main()
