"""Do a list of independent jobs in two processes, where forking is safe and a second core is free.

A cold build of a large project spends most of the plugin's time parsing tickets, one file
at a time, while the machine has a core to spare. A forked child already has every module
imported and the schema built, so it starts at once; it sends back only its results, pickled.
"""

from __future__ import annotations

import gc
import os
import pickle
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")


def spare_core() -> bool:
    """True where a fork is cheap and safe: POSIX, no other thread running (mkdocs serve's
    server threads could hold locks the child would inherit), and two usable cores."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores >= 2


def map_in_two(work: Callable[[Job], Result], jobs: Sequence[Job]) -> list[Result | None]:
    """`work(job)` for every job, every other one in a forked child, results in job order.

    A job whose `work` raised in the child, or all of the child's jobs if it died, come back
    as None for the caller to redo; exceptions in this process propagate as usual."""
    theirs = jobs[1::2]
    read_end, write_end = os.pipe()
    gc.freeze()  # the child's collections skip the inherited objects, so it copies fewer pages
    try:
        pid = os.fork()
    except OSError:  # no process to spare: the caller does every job itself
        pid = -1
    if pid == 0:  # the child: work, send the results, exit without running the parent's cleanup
        status = 1
        try:
            os.close(read_end)
            done = []
            for job in theirs:
                try:
                    done.append(work(job))
                except Exception:
                    done.append(None)
            with os.fdopen(write_end, "wb") as handle:
                pickle.dump(done, handle, protocol=pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)
    gc.unfreeze()
    os.close(write_end)
    if pid == -1:
        os.close(read_end)
        return [None] * len(jobs)
    try:
        mine = [work(job) for job in jobs[::2]]
        with os.fdopen(read_end, "rb") as handle:
            read_end = -1
            try:
                received = pickle.load(handle)
            except (EOFError, OSError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
                received = None
    finally:
        if read_end != -1:
            os.close(read_end)  # the child, blocked writing, gets EPIPE and exits
        os.waitpid(pid, 0)
    if not isinstance(received, list) or len(received) != len(theirs):
        received = [None] * len(theirs)
    results: list[Result | None] = [None] * len(jobs)
    results[::2] = mine
    results[1::2] = received
    return results
