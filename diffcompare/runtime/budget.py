"""Budgets that count work, not wall time, so a verdict is the same on a busy machine.

A ``Budget`` is an allowance of CPU seconds for one piece of work that can run long: a
method's derivative, the exact reference, sympy's derivatives, a call of the user's code.
Each piece gets the whole allowance (``--budget``), so what one piece costs never changes
what another may do. It is spent two ways:

- work that can be predicted is counted before it starts: operations of a tape, passes,
  evaluations, converted to seconds at a fixed rate measured on this machine (below), and
  refused up front when it would pass the budget (``charge``), naming the measure;
- work that cannot (sympy, the user's code, a loop of passes) runs against the CPU clock:
  ``check`` between passes here, the worker's own CPU time for a worker
  (runtime/workers.py), a CPU-time alarm for the user's code (runtime/limits.py).

CPU time is what a computation costs whatever else runs; wall time is only the outer
safety, several times larger (WALL_SAFETY), for work that waits instead of computing.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from diffcompare.errors import MethodError

DEFAULT_BUDGET = 20.0  # CPU seconds a piece of work may take (10x the costliest sample)
# The rate work is counted at (measured on the 2-core machine this is built on, 2026-12-01,
# and rounded to err high): a record of a tape swept in Python costs about a microsecond
# (the float plan: 0.3-0.5 µs; dual numbers and the generic sweep: 1-3 µs), and an entry of
# an array record about ten nanoseconds (numpy's loop over float64).
SECONDS_PER_RECORD = 2e-6
SECONDS_PER_ENTRY = 1e-8
DUAL_FACTOR = 8  # a pass of dual numbers (a dual inside a dual: its square) per float pass
# Wall time is only an outer safety, for work that waits: WALL_SAFETY times the budget plus
# WALL_GRACE seconds (a machine at load 8 on 2 cores gives a process a quarter of a core).
WALL_SAFETY, WALL_GRACE = 10.0, 10.0
MEMORY_CAP = 1 << 30  # bytes of address space a worker may add to what it inherits


class OutOfBudget(MethodError):
    """Work predicted (or measured) past its budget, so it was not done (or stopped). It
    names what it counted and the limit."""

    def __init__(self, message: str, measure: str = "", limit: float | None = None):
        super().__init__(message)
        self.measure, self.limit = measure, limit


class TimedOut(OutOfBudget):
    """The work did not finish within its budget and was stopped."""


class OutOfMemory(MethodError):
    """The work needed more memory than a worker may take and was stopped."""


def _cpu() -> float:
    return time.process_time()


@dataclass
class Budget:
    """CPU seconds for one piece of work; None means no bound. Started when made."""

    seconds: float | None
    started: float = field(default_factory=_cpu)
    charged: float = 0.0  # predicted work counted so far, in seconds

    def remaining(self) -> float | None:
        """What is left: the allowance less the work counted and the CPU time used."""
        if self.seconds is None:
            return None
        return max(0.0, self.seconds - max(self.charged, _cpu() - self.started))

    @property
    def wall_limit(self) -> float | None:
        """The outer safety for work that waits rather than computes."""
        return None if self.seconds is None else WALL_SAFETY * self.seconds + WALL_GRACE

    def describe(self) -> str:
        return f"{self.seconds:g} CPU s"

    def charge(self, seconds: float, what: str) -> None:
        """Count predicted work before doing it: refuse it (OutOfBudget, naming the
        measure) when it would pass the allowance."""
        if self.seconds is None:
            return
        if self.charged + seconds > self.seconds:
            raise OutOfBudget(f"out of budget: {what} would take about {_human(seconds)} of "
                              f"work, past the budget of {self.describe()} (raise it with "
                              "--budget)", measure=what, limit=self.seconds)
        self.charged += seconds

    def check(self, what: str = "the work") -> None:
        """Between passes: stop (OutOfBudget) once the CPU time spent passes the budget."""
        if self.seconds is not None and _cpu() - self.started > self.seconds:
            raise OutOfBudget(f"out of budget: {what} passed {self.describe()} of CPU time "
                              "(raise it with --budget)", measure="CPU seconds",
                              limit=self.seconds)

    def fresh(self) -> Budget:
        """The same allowance for another piece of work, started now."""
        return Budget(self.seconds)


def tape_seconds(records: int, entries: int, passes: float = 1.0) -> float:
    """Predicted seconds of ``passes`` sweeps of a tape of ``records`` records holding
    ``entries`` scalars in all."""
    return passes * (records * SECONDS_PER_RECORD + entries * SECONDS_PER_ENTRY)


def _human(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "forever"
    return f"{seconds:.3g} CPU s" if seconds >= 0.01 else f"{seconds * 1e3:.2g} CPU ms"
