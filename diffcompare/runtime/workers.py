"""Work that cannot be interrupted from inside (sympy's diff, evalf, simplify) runs in a
worker process, bounded from outside.

A worker is forked (it starts in milliseconds, with sympy already imported if the parent had
it, and needs no pickling of the call). It is capped in address space (RLIMIT_AS: a
runaway computation meets a MemoryError inside the worker instead of taking the machine),
dies with its parent (PR_SET_PDEATHSIG), and carries RLIMIT_CPU as a backstop. The parent
watches the worker's own CPU time (/proc/PID/stat) and kills it once that passes the budget,
or once the wall clock passes the budget's outer safety; every live worker is known, so a
signal that ends the command stops them all (stop_all). Nothing is left running when a
command returns.
"""

from __future__ import annotations

import ctypes
import math
import multiprocessing
import os
import resource
import signal
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

from diffcompare.errors import MethodError
from diffcompare.runtime.budget import MEMORY_CAP, Budget, OutOfMemory, TimedOut

POLL_SECONDS = 0.02  # how often the parent looks at a worker's CPU clock
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_LIVE: set[Job] = set()


def cpu_seconds(pid: int) -> float | None:
    """A process's own CPU time (user + system), from /proc; None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return None


def _virtual_size() -> int:
    """This process's address space in bytes (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _die_with_parent() -> None:
    """PR_SET_PDEATHSIG: the kernel kills this process when its parent goes (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _work(connection, call: Callable[..., Any], args: tuple, memory: int,
          cpu: float | None) -> None:
    """The worker: bound itself, run, send back ("ok", value) or ("error", exc). It shares
    the terminal with its parent, so it never prints warnings there."""
    _die_with_parent()
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)  # the parent decides; a signal just ends us
    warnings.simplefilter("ignore")
    if tracemalloc.is_tracing():  # the parent measures its own memory; not ours (10x slower)
        tracemalloc.stop()
    base = _virtual_size()
    if base:
        limit = base + memory
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):  # a lower hard limit is already set: keep it
            pass
    if cpu is not None:  # a backstop: the parent kills us first, by its finer clock
        seconds = int(math.ceil(cpu)) + 2
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
        except (ValueError, OSError):
            pass
    try:
        outcome = ("ok", call(*args))
    except MemoryError:
        outcome = ("memory", None)
    except RecursionError as exc:
        outcome = ("error", MethodError(f"RecursionError: {exc}"))
    except BaseException as exc:  # every failure goes back to the parent as a reason
        outcome = ("error", exc)
    try:
        connection.send(outcome)
    except MemoryError:
        connection.send(("memory", None))
    except Exception as exc:  # an unpicklable result or exception
        connection.send(("error", MethodError(f"{type(exc).__name__}: {exc}")))
    connection.close()


class Job:
    """One call running in a worker process, bounded by a budget of its own CPU time."""

    def __init__(self, call: Callable[..., Any], args: tuple, budget: Budget,
                 memory: int = MEMORY_CAP, starts_workers: bool = False):
        context = multiprocessing.get_context("fork")
        self.budget = budget
        self._receive, send = context.Pipe(duplex=False)
        # a daemonic process may not start processes: a worker that starts workers of its
        # own (a whole page: sympy's among them) is not one, and dies with its parent all
        # the same (PR_SET_PDEATHSIG)
        self._process = context.Process(target=_work, args=(send, call, args, memory,
                                                            budget.seconds),
                                        daemon=not starts_workers, name="diffcompare-worker")
        self._process.start()
        self.started = time.monotonic()
        send.close()
        self._outcome: tuple | None = None
        _LIVE.add(self)

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def cpu(self) -> float:
        found = cpu_seconds(self._process.pid)
        return 0.0 if found is None else found

    def _wait(self) -> tuple:
        """The worker's outcome, or why it was stopped: its CPU time past the budget, or
        the wall clock past the outer safety."""
        allowance, wall = self.budget.seconds, self.budget.wall_limit
        while True:
            if self._receive.poll(POLL_SECONDS):
                try:
                    return self._receive.recv()
                except (EOFError, OSError):
                    return ("died", self._process.exitcode)
            if allowance is not None and self.cpu() > allowance:
                return ("cpu", allowance)
            if wall is not None and time.monotonic() - self.started > wall:
                return ("wall", wall)
            if not self._process.is_alive() and not self._receive.poll(0):
                return ("died", self._process.exitcode)

    def ready(self, timeout: float) -> bool:
        """Whether the outcome can be collected now (waiting up to ``timeout`` seconds): the
        value has come, or the worker ended, or its budget is spent."""
        if self._outcome is not None or self._receive.poll(timeout):
            return True
        allowance, wall = self.budget.seconds, self.budget.wall_limit
        return not self._process.is_alive() or \
            (allowance is not None and self.cpu() > allowance) or \
            (wall is not None and time.monotonic() - self.started > wall)

    def result(self, what: str = "it") -> Any:
        """The call's value; past the budget the worker is killed and TimedOut raised."""
        try:
            if self._outcome is None:
                self._outcome = self._wait()
        finally:
            self.stop()
        kind, payload = self._outcome
        if kind == "ok":
            return payload
        if kind == "cpu":
            raise TimedOut(f"out of budget: {what} passed {payload:g} CPU s, the budget "
                           "(raise it with --budget)", "CPU seconds", payload)
        if kind == "wall":
            raise TimedOut(f"{what} ran past the wall-clock safety of {payload:g} s (the "
                           "machine may be very busy)", "wall seconds", payload)
        if kind == "memory":
            raise OutOfMemory(f"ran out of memory (a worker may use {MEMORY_CAP >> 20} MiB "
                              "more than the process had)")
        if kind == "died":
            raise MethodError(f"the worker computing {what} died (exit code {payload})")
        raise payload

    def stop(self) -> None:
        """Kill the worker if it still runs, and reap it: no core stays busy."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._receive.close()
        _LIVE.discard(self)


def start(call: Callable[..., Any], *args: Any, budget: Budget,
          starts_workers: bool = False) -> Job:
    return Job(call, args, budget, starts_workers=starts_workers)


def within(budget: Budget | float | None, call: Callable[..., Any], *args: Any,
           what: str = "it") -> Any:
    """``call(*args)`` in a worker bounded by ``budget`` (CPU seconds, a Budget, or None for
    no bound, which runs it here, in this process)."""
    if not isinstance(budget, Budget):
        budget = Budget(budget)
    if budget.seconds is None:
        return call(*args)
    if budget.seconds == 0:
        raise TimedOut("was not run (--budget 0)", "CPU seconds", 0.0)
    return Job(call, args, budget).result(what)


def stop_all() -> None:
    """Kill and reap every live worker (a signal is ending the command)."""
    for job in list(_LIVE):
        try:
            job.stop()
        except (OSError, ValueError):
            pass


def live() -> int:
    return len(_LIVE)
