"""The README's adoption steps, as a new user runs them: a wheel built from this checkout,
installed into a fresh venv (dependencies from the package index, nothing borrowed from ours),
then init -> new -> set -> lint -> mkdocs build --strict in another repository.
About half a minute, most of it pip."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


def test_a_wheel_built_here_adopts_another_repository(tmp_path: Path):
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--quiet", "-w", dist, cwd=ROOT)
    (wheel,) = dist.glob("ticketgen-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    run(venv / "bin/python", "-m", "pip", "install", "--quiet", "--no-compile", wheel, cwd=tmp_path)

    repo = tmp_path / "their-repo"
    repo.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    located = run("python", "-c", "import ticketgen; print(ticketgen.__file__)", cwd=repo, env=env).stdout
    assert Path(located).is_relative_to(venv)  # the installed wheel, not this checkout
    run("git", "init", "-q", cwd=repo, env=env)
    run("ticketgen", "init", cwd=repo, env=env)
    created = run("ticketgen", "new", "--title", "Orphaned connections", "--priority", "High",
                  "--component", "postgres / pgbouncer", cwd=repo, env=env)  # fmt: skip
    assert created.stdout == "tickets/TICKET-001-orphaned-connections.md\n"
    run("ticketgen", "set", "1", "owner=alice", cwd=repo, env=env)
    linted = run("ticketgen", "lint", cwd=repo, env=env)
    assert "TG026" in linted.stdout  # the new ticket is a draft: a warning, and lint passes
    run("mkdocs", "build", "--strict", cwd=repo, env=env)
    assert (repo / "site" / "tickets" / "TICKET-001" / "index.html").is_file()
    ignored = run("git", "status", "--porcelain", "--ignored", cwd=repo, env=env).stdout
    assert "!! site/" in ignored and ".ticketgen_cache" not in ignored  # the cache lives outside the repo
