"""Work that can run long, under a budget that can really stop it.

sympy's diff, evalf and simplify, and mpmath at high precision, cannot be interrupted from
another thread, and a thread that is merely abandoned keeps a core busy. So bounded work
runs in a worker *process*: forked (it starts in milliseconds, with sympy already imported
if the parent had it, and needs no pickling of the call), capped in address space with
RLIMIT_AS (a runaway computation meets a MemoryError inside the worker instead of taking the
machine), and killed with SIGKILL once its time is up. Nothing is left running when a
command returns.

A ``Budget`` is one allowance of seconds for a whole command: each job gets what is left.
Jobs can run side by side (``start`` several, then ask each for its ``result``), so sympy
works on the second core while the float methods run on the first.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from diffcompare.errors import MethodError

MEMORY_CAP = 1 << 30  # bytes of address space a worker may add to what it inherits


class TimedOut(MethodError):
    """The work did not finish within its budget and was stopped."""


class OutOfBudget(MethodError):
    """Work predicted (or measured) past its budget, so it was not done (or stopped). It
    names what it counted and the limit."""

    def __init__(self, message: str, measure: str = "", limit: float | None = None):
        super().__init__(message)
        self.measure, self.limit = measure, limit


class OutOfMemory(MethodError):
    """The work needed more memory than a worker may take and was stopped."""


@dataclass
class Budget:
    """Seconds for a whole command's bounded work; None means no bound."""

    seconds: float | None
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float | None:
        if self.seconds is None:
            return None
        return max(0.0, self.seconds - (time.monotonic() - self.started))

    def describe(self) -> str:
        return f"{self.seconds:g} s"


def _virtual_size() -> int:
    """This process's address space in bytes (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _work(connection, call: Callable[..., Any], args: tuple, memory: int) -> None:
    """The worker: cap the address space, run, send back ("ok", value) or ("error", exc).
    It shares the terminal with its parent, so it never prints warnings there."""
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
    """One call running in a worker process."""

    def __init__(self, call: Callable[..., Any], args: tuple, memory: int = MEMORY_CAP):
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_work, args=(send, call, args, memory),
                                        daemon=True, name="diffcompare-worker")
        self._process.start()
        send.close()
        self._outcome: tuple | None = None

    def result(self, clock: Budget | float | None, what: str = "it") -> Any:
        """The call's value; past what is left of ``clock`` (a Budget, or seconds) the
        worker is killed and TimedOut raised, naming the budget."""
        if not isinstance(clock, Budget):
            clock = Budget(clock)
        try:
            if self._outcome is None:
                if self._receive.poll(clock.remaining()):
                    try:
                        self._outcome = self._receive.recv()
                    except (EOFError, OSError):
                        self._outcome = ("died", self._process.exitcode)
                else:
                    self._outcome = ("timeout", clock.seconds)
        finally:
            self.stop()
        kind, payload = self._outcome
        if kind == "ok":
            return payload
        if kind == "timeout":
            raise TimedOut(f"timed out after {payload:g} s, the time budget (raise it with "
                           "--timeout)")
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


def start(call: Callable[..., Any], *args: Any) -> Job:
    return Job(call, args)


def within(budget: Budget | float | None, call: Callable[..., Any], *args: Any) -> Any:
    """``call(*args)`` bounded by what is left of ``budget`` (seconds, a Budget, or None for
    no bound, which runs it here, in this process)."""
    if not isinstance(budget, Budget):
        budget = Budget(budget)
    left = budget.remaining()
    if left is None:
        return call(*args)
    if left <= 0:  # no time at all: do not start it
        if budget.seconds == 0:
            raise TimedOut("was not run (--timeout 0)")
        raise TimedOut(f"was not run: the time budget ({budget.describe()}) was spent")
    return Job(call, args).result(budget)
