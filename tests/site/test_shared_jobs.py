"""SharedJobs: a forked child and this process share a job list; results come back in order.

Run in a fresh interpreter: forking is only safe where no other thread runs, and this test
session has browser threads.
"""

import subprocess
import sys

SCRIPT = """
import os, sys, time
from ticketgen.site.parallel import SharedJobs, spare_core

if not spare_core():
    print("no second core")
    sys.exit(0)
parent = os.getpid()

def work(n):
    if n == 13 and os.getpid() != parent:
        raise ValueError("fails in the child")
    time.sleep(0.002)
    return n * n, os.getpid()

shared = SharedJobs(work, list(range(400)))
time.sleep(0.3)  # the child starts at once: by now it has done a good part alone
found = shared.results()
assert [r[0] for r in found if r is not None] == [n * n for n in range(400) if found[n] is not None]
by_child = {n for n, r in enumerate(found) if r is not None and r[1] != parent}
assert len(by_child) > 100, len(by_child)
assert len(by_child) < 400, "this process took no jobs"
assert found[13] is None or found[13][1] == parent  # the child's failure comes back as None

# A child that dies gives None for its jobs, and the caller redoes them. This process is slow
# (1 s for all 25 batches), so the child is sure to take a batch first.
def dies_in_child(n):
    if os.getpid() != parent:
        os._exit(3)
    time.sleep(0.005)
    return n
found = SharedJobs(dies_in_child, list(range(200))).results()
assert all(r is None or r == n for n, r in enumerate(found)) and None in found

# Errors in this process propagate, and the child is reaped. The child is slow, so this
# process takes one of the 7 batches long before the child (0.4 s a batch) has taken them all.
def fails_here(n):
    if os.getpid() == parent:
        raise KeyError(n)
    time.sleep(0.05)
    return n
shared = SharedJobs(fails_here, list(range(50)))
try:
    shared.results()
except KeyError:
    pass
else:
    raise AssertionError("no error")
assert shared.pid == -1

# More jobs than batch numbers fit in a pipe: bigger batches, nothing lost.
found = SharedJobs(lambda n: n + 1, list(range(100_003))).results()
assert found == [n + 1 for n in range(100_003)]
print("ok")
"""


def test_shared_jobs_split_order_and_failures():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in ("ok", "no second core")


BACKGROUND = """
import os, sys, tempfile, time
from pathlib import Path
from ticketgen.site import parallel
from ticketgen.site.parallel import Background, spare_core

if not spare_core():
    print("no second core")
    sys.exit(0)
parent, folder = os.getpid(), Path(tempfile.mkdtemp())
keys = [f"page-{n}" for n in range(300)]

def make(key):  # 300 values of about 14 KB: far more than a pipe holds, so the child waits for its reader
    return (os.getpid(), key * 2000)

def then(values):  # writes a file the way a cache is saved
    (folder / f"saved-{os.getpid()}").write_text(repr(sorted(values)))

# The child makes every value, sends them in order, then does `then`; wait() reaps it.
job = Background(make, keys, then)
child = job.pid
got = [job.get(key) for key in keys]
assert [value for _, value in got] == [key * 2000 for key in keys]
assert {pid for pid, _ in got} == {child}
job.wait()
assert (folder / f"saved-{child}").read_text() == repr(sorted(keys))

# Values nobody reads do not block the child: it still does `then`, and wait() returns.
job = Background(make, keys, then)
child = job.pid
assert job.get("page-0")[0] == child
job.wait()
assert (folder / f"saved-{child}").read_text() == repr(sorted(keys))

# Only the wanted ones are sent; `then` gets them all.
job = Background(make, keys, then, wanted={"page-5", "page-299"})
child = job.pid
assert job.get("page-5")[0] == child and job.get("page-299")[0] == child
job.wait()
assert (folder / f"saved-{child}").read_text() == repr(sorted(keys))

# A child that fails midway stops sending and saves what it made; this process makes the rest.
def fails_in_child(key):
    if os.getpid() != parent and key == "page-100":
        raise RuntimeError("child")
    return make(key)
job = Background(fails_in_child, keys, then)
child = job.pid
got = [job.get(key) for key in keys]
assert [value for _, value in got] == [key * 2000 for key in keys]
assert got[0][0] == child and got[100][0] == parent  # (a batch not yet sent is made here too)
job.wait()
assert (folder / f"saved-{child}").read_text() == repr(sorted(keys[:100]))
assert job.get("page-7")[1] == "page-7" * 2000  # still answers after wait()

# ... and what fails here too reaches the caller.
def fails(key):
    raise KeyError(key)
job = Background(fails, keys, then)
try:
    job.get("page-0")
except KeyError:
    pass
else:
    raise AssertionError("no error")
job.wait()

# Cancelled (Ctrl-C): the child stops at once, its `then` undone.
def slow(key):
    time.sleep(0.05)
    return make(key)
job = Background(slow, keys, then)
child, started = job.pid, time.perf_counter()
job.cancel()
assert time.perf_counter() - started < 5 and not (folder / f"saved-{child}").exists()

# Where no child can be made, values are made here and wait() does `then`.
parallel._fork = lambda child: -1
job = Background(make, keys, then)
assert job.get("page-3") == (parent, "page-3" * 2000)
job.wait()
assert (folder / f"saved-{parent}").read_text() == repr(["page-3"])
print("ok")
"""


def test_background_sends_values_in_order_then_finishes_its_work():
    result = subprocess.run([sys.executable, "-c", BACKGROUND], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in ("ok", "no second core")
