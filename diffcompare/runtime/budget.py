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
from collections.abc import Callable
from dataclasses import dataclass, field

from diffcompare.errors import MethodError

# CPU seconds a piece of work may take: ten times the costliest bundled sample's costliest
# piece (central differences on the 2,001-parameter network: 4,002 calls of its f and as many
# for their own error estimate, about 3 CPU s here).
DEFAULT_BUDGET = 60.0
# The rates work is counted at: CPU seconds of one pass over a tape, per record and per entry
# (an array record's scalars), by the numbers swept. Measured on the 2-core machine this is
# built on (2026-12-01, the 300-factor product's tape of 1,199 records: floats 0.5 µs a
# record, dual numbers 3 µs, a dual inside a dual or duals through the reverse sweep 31-37
# µs, balls 4-5 µs at 128 bits, a stencil of 1,000 points 20 µs) and rounded up. An entry of
# an array record in balls (an object array, each entry's ball operation called from numpy's
# loop) took 0.1-1 µs at 128 bits on 2026-12-08 (neg 0.10, add 0.24, x**0.5 0.67, sin 0.99).
PASS_SECONDS = {
    "float": (0.6e-6, 2e-8),
    "complex": (1.2e-6, 4e-8),
    "dual": (4e-6, 4e-8),
    "second": (40e-6, 1e-7),  # a dual inside a dual, or duals through a reverse sweep
    "ball": (6e-6, 2e-6),
}
DUAL_FACTOR = 8  # a pass of dual numbers, counted in float passes (descent's exact run)
# What asking a method for a derivative costs beyond its passes (preparing the answer, its
# statuses and checks): 0.2-1.2 ms a call here, on a two-variable function.
LEAST_SECONDS = 1.0  # a method's allowance at --budget 0, which skips sympy, not the methods
CALL_SECONDS = 5e-4
# Wall time is only an outer safety, for work that waits: WALL_SAFETY times the budget plus
# WALL_GRACE seconds (a machine at load 8 on 2 cores gives a process a quarter of a core).
WALL_SAFETY, WALL_GRACE = 10.0, 10.0
MEMORY_CAP = 1 << 30  # bytes of address space a worker may add to what it inherits


class OutOfBudget(MethodError):
    """Work predicted (or measured) past its budget, so it was not done (or stopped). It
    names what it counted and the limit."""

    def __init__(self, message: str, measure: str = "", limit: float | None = None,
                 predicted: float | None = None):
        super().__init__(message)
        self.measure, self.limit, self.predicted = measure, limit, predicted


class TimedOut(OutOfBudget):
    """The work did not finish within its budget and was stopped."""


class OutOfMemory(MethodError):
    """The work needed more memory than a worker may take and was stopped."""


def words(what: str | Callable[[], str]) -> str:
    """What a piece of work is called: the words, or what the call that makes them makes."""
    return what() if callable(what) else what


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

    def charge(self, seconds: float, what: str | Callable[[], str]) -> None:
        """Count predicted work before doing it: refuse it (OutOfBudget, naming the
        measure) when it would pass the allowance. ``what`` names the work, or is a call
        that names it, made only for a refusal (formatting the words on every call cost
        more than counting the work)."""
        if self.seconds is None:
            return
        if self.charged + seconds > self.seconds:
            what = words(what)
            raise OutOfBudget(f"out of budget: {what} would take about {_human(seconds)} of "
                              f"work, past the budget of {self.describe()} (raise it with "
                              "--budget)", measure=what, limit=self.seconds, predicted=seconds)
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


def tape_seconds(records: int, entries: int, passes: float = 1.0,
                 numbers: str = "float") -> float:
    """Predicted CPU seconds of ``passes`` sweeps, on ``numbers``, of a tape of ``records``
    records holding ``entries`` scalars in all."""
    per_record, per_entry = PASS_SECONDS[numbers]
    return passes * (records * per_record + max(0, entries - records) * per_entry)


def sweep_seconds(tape, passes: float = 1.0, numbers: str = "float") -> float:
    """The same, for a tape (engine/tape.py): its records and its scalar operations."""
    return tape_seconds(tape.operation_count, tape.scalar_operations, passes, numbers)


def _human(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "forever"
    return f"{seconds:.3g} CPU s" if seconds >= 0.01 else f"{seconds * 1e3:.2g} CPU ms"
