"""Edit → visible latency of the live preview: `ticketgen serve` next to `mkdocs serve`.

    python bench/serve.py              # N = 1000, 5 edits per server
    python bench/serve.py 1000,10000   # N = 10000 too (opt-in: its first builds take minutes)
    TICKETGEN_BENCH_EDITS=10 python bench/serve.py

For each N, a generated corpus (bench/corpus.py) and three servers, one at a time (an idle
`mkdocs serve` polls every file every 0.5 s, which would slow whatever runs beside it):
  - `ticketgen serve` of the ticketgen site (mkdocs + Material + the ticketgen plugin);
  - `mkdocs serve --livereload` of the same site (a full rebuild per edit, as before);
  - plain `mkdocs serve --livereload`: the same ticket files copied into docs/ as static pages,
    same theme, plugins and extensions (the baseline of bench/site.py).
Each server is started, the ticket's page fetched until it answers; then, EDITS times, the
ticket's title is rewritten to a new marker and the page fetched every 20 ms until the marker is
in it: the time from the write to that response is one figure. Printed: the median and worst of
each server, and each median as a ratio to plain mkdocs' (same machine, same run). Not a test.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import make_corpus  # noqa: E402


def _bench_site():
    """bench/site.py (its name is the standard library's `site`: loaded by path)."""
    spec = importlib.util.spec_from_file_location("bench_site", Path(__file__).parent / "site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EDITS = int(os.environ.get("TICKETGEN_BENCH_EDITS", "5"))
BIN = Path(sys.executable).parent
TITLE = re.compile(r"^(## TICKET-\d+: ).*$", re.M)
TARGETS = {1000: 1.0, 10000: 2.0}  # issue 24: edit -> visible, seconds, ticketgen serve


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return None


def measure(command: list[str], cwd: Path, url: str, ticket: Path, cache: Path) -> list[float]:
    """Start the server, wait for the page, then time EDITS title edits until each is served."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    log = (cwd / "serve.log").open("wb")
    server = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 1800
        while _get(url) is None:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{' '.join(command)} did not serve {url}: see {cwd / 'serve.log'}")
            time.sleep(0.2)
        time.sleep(1.0)  # let the server settle after its first build
        figures = []
        for n in range(EDITS):
            marker = f"Edited title {n} {time.time_ns()}"
            text = ticket.read_text(encoding="utf-8")
            text = TITLE.sub(r"\g<1>" + marker, text, count=1)
            start = time.monotonic()
            ticket.write_text(text, encoding="utf-8")
            while marker not in (_get(url) or ""):
                if time.monotonic() - start > 600:
                    raise SystemExit(f"{' '.join(command)}: the edit never showed at {url}")
                time.sleep(0.02)
            figures.append(time.monotonic() - start)
            time.sleep(1.0)  # the next edit starts from a quiet server
        return figures
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def run(n: int, work: Path) -> list[tuple[str, list[float]]]:
    project = make_corpus(n, work / "project")
    number = n // 2
    name = f"TICKET-{number:03d}-generated.md"
    results = []
    bench_site = _bench_site()
    plugin = bench_site.plugin_site(project, work / "plugin")
    static = bench_site.static_site(project, work / "static")
    mkdocs_serve = [str(BIN / "mkdocs"), "serve", "--livereload", "-f"]
    page, static_page = "tickets/TICKET-{n}/", "tickets/TICKET-{n}-generated/"
    servers = [
        ("ticketgen serve", [str(BIN / "ticketgen"), "serve", "-f"], plugin, project / "tickets" / name, page),
        ("mkdocs serve + ticketgen plugin", mkdocs_serve, plugin, project / "tickets" / name, page),
        ("plain mkdocs serve", mkdocs_serve, static, static / "docs" / "tickets" / name, static_page),
    ]
    for label, command, site, ticket, path in servers:
        port = _port()
        address = ["-a", f"127.0.0.1:{port}"]
        argv = [*command, str(site / "mkdocs.yml"), *address]
        url = f"http://127.0.0.1:{port}/" + path.format(n=f"{number:03d}")
        cache = work / f"cache-{len(results)}"
        shutil.rmtree(cache, ignore_errors=True)
        results.append((label, measure(argv, site, url, ticket, cache)))
        print(f"  N={n} {label}: {', '.join(f'{f:.2f}' for f in results[-1][1])} s", file=sys.stderr)
    return results


def main() -> None:
    sizes = [int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "1000").split(",")]
    print(f"edit -> visible, {EDITS} edits per server, {os.cpu_count()} cores; median (worst), ratio to plain mkdocs")
    print("| N | server | median s | worst s | × plain mkdocs | target |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="ticketgen-bench-serve-") as tmp:
        for n in sizes:
            results = run(n, Path(tmp) / str(n))
            plain = statistics.median(results[-1][1])
            for label, figures in results:
                median = statistics.median(figures)
                target = f"≤ {TARGETS[n]:.1f} s" if label == "ticketgen serve" and n in TARGETS else ""
                print(f"| {n:,} | {label} | {median:.2f} | {max(figures):.2f} | {median / plain:.2f} | {target} |")


if __name__ == "__main__":
    main()
