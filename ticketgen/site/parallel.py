"""Use the second core, where forking is safe and one is free: share a list of independent jobs
(`SharedJobs`), or hand the end of a task to a child (`Background`).

A cold build of a large project spends most of the plugin's time parsing tickets, one file
at a time, while the machine has a core to spare. A forked child already has every module
imported and the schema built, so it starts at once; it sends back only its results, pickled.
The child can start early (the mkdocs plugin starts it while mkdocs is still loading its
theme); this process joins in when it needs the results, and the two share the jobs through
a pipe of batch numbers, so neither waits on a fixed half.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import pickle
import signal
import threading
from collections.abc import Callable, Collection, Sequence
from typing import Any, BinaryIO, Generic, TypeVar

from ..core.parse import rare_collections

Job = TypeVar("Job")
Result = TypeVar("Result")
Key = TypeVar("Key")
Value = TypeVar("Value")

_NUMBER = 4  # bytes per batch number; reads this small from a pipe are never split
_QUEUED = 1024  # batch numbers: 4 KiB, which any pipe holds without a reader (one page)
_BATCH = 32  # values a Background child sends at once, at most


def spare_core() -> bool:
    """True where a fork is cheap and safe: POSIX, no other thread running (mkdocs serve's
    server threads could hold locks the child would inherit), and two usable cores."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores >= 2


def _exit_now(signum, frame) -> None:
    raise SystemExit(1)


def _fork(child: Callable[[], None]) -> int:
    """Fork and run `child` in the child, which then exits without running this process's
    cleanup (atexit handlers, buffered files): status 0 if `child` returned. The pid, or -1
    where no process could be made."""
    gc.freeze()  # the child's collections skip the inherited objects, so it copies fewer pages
    try:
        pid = os.fork()
    except OSError:
        pid = -1
    if pid == 0:
        status = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent to handle
            signal.signal(signal.SIGTERM, _exit_now)  # the parent stops it: clean up (temp files) and go
            with rare_collections():  # it parses or renders many files, and then exits
                child()
            status = 0
        finally:
            os._exit(status)
    gc.unfreeze()
    return pid


class SharedJobs(Generic[Job, Result]):
    """`work(job)` for every job: a forked child starts on them now, and `results()` has this
    process work through what is left, then returns every result in job order.

    A job whose `work` raised in the child, or every job the child took if it died, comes
    back as None for the caller to redo; exceptions in this process propagate as usual."""

    def __init__(self, work: Callable[[Job], Result], jobs: Sequence[Job]):
        self.work, self.jobs = work, jobs
        self.results_of: dict[int, list[Result | None]] = {}
        # Small batches split the work evenly at the end; every batch number is in the pipe
        # before the fork, so there are at most _QUEUED of them.
        self.batch = max(8, -(-len(jobs) // _QUEUED))
        self.queue, queue_in = os.pipe()
        with os.fdopen(queue_in, "wb") as handle:
            handle.write(b"".join(k.to_bytes(_NUMBER, "little") for k in range(self._batches())))
        self.answers, answers_in = os.pipe()
        self.parent = os.getpid()
        self.pid = _fork(lambda: self._child(answers_in))  # -1: this process does every job
        os.close(answers_in)
        if self.pid > 0:
            atexit.register(self.close)  # a build that fails before it needs the results
        if self.pid == -1:
            os.close(self.answers)
            self.answers = -1

    def _batches(self) -> int:
        return -(-len(self.jobs) // self.batch)

    def _child(self, answers_in: int) -> None:
        """Take batches until the pipe is empty, then send the results."""
        os.close(self.answers)
        done = {}
        for k in self._take():
            if os.getppid() != self.parent:
                return  # the parent is gone: nobody will read the results
            done[k] = self._batch(k, quiet=True)
        with os.fdopen(answers_in, "wb") as handle:
            pickle.dump(done, handle, protocol=pickle.HIGHEST_PROTOCOL)

    def _take(self):
        while True:
            number = os.read(self.queue, _NUMBER)
            if len(number) < _NUMBER:
                return
            yield int.from_bytes(number, "little")

    def _batch(self, k: int, *, quiet: bool = False) -> list[Result | None]:
        done: list[Result | None] = []
        for job in self.jobs[k * self.batch : (k + 1) * self.batch]:
            try:
                done.append(self.work(job))
            except Exception:
                if not quiet:
                    raise
                done.append(None)
        return done

    def results(self) -> list[Result | None]:
        try:
            with rare_collections():
                for k in self._take():
                    self.results_of[k] = self._batch(k)
                self.results_of.update(self._receive())
        finally:
            self.close()
        found: list[Result | None] = []
        for k in range(self._batches()):
            found += self.results_of.get(k) or [None] * len(self.jobs[k * self.batch : (k + 1) * self.batch])
        return found

    def _receive(self) -> dict[int, list[Result | None]]:
        if self.answers == -1:
            return {}
        with os.fdopen(self.answers, "rb") as handle:
            self.answers = -1
            try:
                received = pickle.load(handle)
            except (EOFError, OSError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
                return {}
        return received if isinstance(received, dict) else {}

    def close(self) -> None:
        """Stop sharing: close the pipes (a child still writing gets EPIPE and exits) and reap
        the child. Safe to call twice; `results()` calls it."""
        for name in ("queue", "answers"):
            fd = getattr(self, name)
            if fd != -1:
                os.close(fd)
                setattr(self, name, -1)
        if self.pid > 0:
            atexit.unregister(self.close)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)  # a no-op for a child that is already done
            os.waitpid(self.pid, 0)
            self.pid = -1


class Background(Generic[Key, Value]):
    """`make(key)` for every key, in order, in a forked child that sends the values as it makes
    them, while this process goes on: `get(key)` reads up to the one asked for (so ask in
    order). Then the child does `then(values)` (writing caches, say) and exits. Only the
    `wanted` keys (default: all) are sent.

    Where `make` fails in the child, it stops sending and does `then` with the values made so
    far; `get` makes what it does not receive here, so exceptions reach the caller as usual.
    Where no child could be made, `get` makes each value here and `wait` does `then`. Use it
    for work that may be lost: a child that fails in `then` has simply not done it."""

    def __init__(
        self,
        make: Callable[[Key], Value],
        keys: Sequence[Key],
        then: Callable[[dict[Key, Value]], Any],
        wanted: Collection[Key] | None = None,
    ):
        self.make, self.then = make, then
        self.received: dict[Key, Value] = {}
        self.made_here: dict[Key, Value] = {}  # where no child could be made, for `then`
        self.reader: BinaryIO | None = None
        try:
            answers, answers_in = os.pipe()
        except OSError:  # no file descriptors left: no child
            self.pid = -1
            return
        self.pid = _fork(lambda: self._child(keys, wanted, answers, answers_in))
        os.close(answers_in)
        self.reader = os.fdopen(answers, "rb")
        if self.pid > 0:
            atexit.register(self.cancel)  # a build that stops before it waits
        else:
            self._close()

    def _child(self, keys: Sequence[Key], wanted: Collection[Key] | None, answers: int, answers_in: int) -> None:
        os.close(answers)
        out: BinaryIO | None = os.fdopen(answers_in, "wb")
        values: dict[Key, Value] = {}
        batch: dict[Key, Value] = {}
        for n, key in enumerate(keys, 1):
            try:
                values[key] = self.make(key)
            except Exception:  # noqa: BLE001 - the reader makes it, and reports the error
                break
            if wanted is None or key in wanted:
                batch[key] = values[key]
            # The first values go one by one, so the reader gets them at once; then in batches.
            if out is not None and batch and (len(batch) >= min(1 + n // 16, _BATCH) or n == len(keys)):
                out = self._send(out, batch)
                batch = {}
        if out is not None:
            with contextlib.suppress(OSError):
                out.close()
        self.then(values)

    @staticmethod
    def _send(out: BinaryIO, batch: dict) -> BinaryIO | None:
        """Send one batch; None once the reader is gone (the values are still made, for `then`)."""
        try:
            pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)  # waits for the reader
            out.flush()
            return out
        except BrokenPipeError:
            with contextlib.suppress(OSError):
                out.close()
            return None

    def get(self, key: Key) -> Value:
        while key not in self.received and self.reader is not None:
            self._receive()
        if key in self.received:
            return self.received.pop(key)
        value = self.make(key)
        if self.pid == -1 and self.then is not None:
            self.made_here[key] = value
        return value

    def _receive(self) -> None:
        try:
            batch = pickle.load(self.reader)
            if not isinstance(batch, dict):
                raise TypeError(type(batch))
            self.received.update(batch)
        except (EOFError, OSError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
            self._close()  # the child is done, or failed: the rest is made here

    def _close(self) -> None:
        if self.reader is not None:
            self.reader.close()
            self.reader = None

    def wait(self) -> None:
        """Let the child finish (values nobody read are dropped) and reap it; where there was
        no child, do `then` here. Safe to call twice; `get` still works after it."""
        self._close()  # a child still sending gets EPIPE and goes on with `then`
        if self.pid > 0:
            try:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(self.pid, 0)
            except KeyboardInterrupt:
                self.cancel()
                raise
            atexit.unregister(self.cancel)
            self.pid = 0
        elif self.pid == -1 and self.then is not None:
            then, self.then = self.then, None
            then(self.made_here)

    def cancel(self) -> None:
        """Stop the child now, its work undone (Ctrl-C, a build that ended early)."""
        self._close()
        if self.pid > 0:
            atexit.unregister(self.cancel)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = 0
