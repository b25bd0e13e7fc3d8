"""The one tape interface: what every method asks of a function at a point.

A problem hands each method ``problem.tape_at(x)``: for a formula its one recorded tape
(engine/scalar.py, a scalar per slot, valid at every point); for a program its trace at x
(engine/arrays.py, whole arrays per slot, valid on the path the program took there). Both
answer the same questions with the same argument order, whatever numbers they are swept
with (floats, complex numbers, dual numbers, balls):

    tape.value(x)        f(x), the m outputs
    tape.jvp(x, v)       (f(x), J·v)     one forward pass seeded with v
    tape.vjp(x, r)       (f(x), Jᵀ·r)    one forward and one reverse pass seeded with r
    tape.linearize(x)    one forward pass, then any number of .jvp(v) and .vjp(r)
    tape.hvp(x, v)       (f(x), H·v)     forward-over-reverse (m = 1)
    tape.second(x, u, w) (f(x), uᵀ·H·w)  forward-over-forward (m = 1)

x, v and r are flat: x and v have the n scalar inputs in order (a program's array inputs
flattened in C order), r has one entry per output. Results are lists of numbers of the
kind that went in. Underneath, each tape has its own sweeps over all slots, ``forward``
(values), ``tangents`` (forward mode over values) and ``adjoints`` (reverse mode over values),
which the interface composes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np


class Tape(ABC):
    """A function f: R^n -> R^m recorded as records over slots; see the module's docstring."""

    conditions: tuple = ()  # the value-dependent comparisons the path rests on (programs)

    # -- facts every tape states
    @property
    @abstractmethod
    def n(self) -> int:
        """Scalar inputs (the length of x)."""

    @property
    @abstractmethod
    def m(self) -> int:
        """Outputs."""

    @property
    @abstractmethod
    def operation_count(self) -> int:
        """Records of operations one forward sweep performs (a program's may act on arrays)."""

    @property
    @abstractmethod
    def scalar_operations(self) -> int:
        """Scalar operations one forward sweep performs (an array record counts each entry)."""

    @property
    @abstractmethod
    def partial_count(self) -> int:
        """Local partials one reverse sweep evaluates (active arguments only)."""

    def spreads_nonfinite(self) -> bool:
        """Whether an inf or a nan in any input entry always makes an output not finite
        (engine/finite.py): False unless a tape knows better (a formula's point is read as
        it is parsed)."""
        return False

    # -- the sweeps each implementation gives
    @abstractmethod
    def forward(self, x: Sequence) -> list:
        """Every slot's value at the flat point x."""

    @abstractmethod
    def outputs_of(self, values: Sequence) -> list:
        """The m outputs among a forward sweep's values (each a number)."""

    @abstractmethod
    def tangents(self, values: Sequence, v: Sequence) -> list:
        """J·v from a forward sweep's values: one tangent sweep."""

    @abstractmethod
    def adjoints(self, values: Sequence, r: Sequence) -> list:
        """Jᵀ·r (flat, n entries) from a forward sweep's values: one reverse sweep."""

    # -- the interface, composed from the sweeps
    def value(self, x: Sequence) -> list:
        return self.outputs_of(self.forward(x))

    def jvp(self, x: Sequence, v: Sequence) -> tuple[list, list]:
        values = self.forward(x)
        return self.outputs_of(values), self.tangents(values, v)

    def vjp(self, x: Sequence, r: Sequence) -> tuple[list, list]:
        values = self.forward(x)
        return self.outputs_of(values), self.adjoints(values, r)

    def linearize(self, x: Sequence) -> Linearized:
        """One forward sweep at x, kept for any number of J·v and Jᵀ·r at that point."""
        return Linearized(self, self.forward(x))

    @abstractmethod
    def sites(self, x: Sequence) -> Iterator[Site]:
        """Every operation record swept at the flat point x (a program's trace: its own
        point), for the checks of what is wrong there."""

    @abstractmethod
    def choice_ties(self) -> frozenset[int]:
        """The inputs on the way to a choice by value (max, min) that ties at the point."""

    @abstractmethod
    def scalar_view(self) -> Tape:
        """The tape as scalar records (a formula's is itself; a program's is its path's)."""

    @abstractmethod
    def hvp(self, x: Sequence, v: Sequence) -> tuple[float, list]:
        """(f(x), H·v) for a single output: the reverse sweep run on dual numbers."""

    @abstractmethod
    def second(self, x: Sequence, u: Sequence, w: Sequence) -> tuple[float, float]:
        """(f(x), uᵀ·H·w) for a single output: a dual number inside a dual number."""


@dataclass(frozen=True)
class Site:
    """One record of a tape, as the checks at a point see it (analysis/diagnostics.py): its
    operation, its arguments' values and its own (floats, or arrays of a program's entries),
    the tape inputs it depends on, and where it is, in words, made only when shown."""

    op: object
    args: list
    value: object
    inputs: frozenset
    where: Callable[[], str]


@dataclass(frozen=True)
class Linearized:
    """A tape with one forward sweep done: f, and J·v or Jᵀ·r for any v or r there."""

    tape: Tape
    values: list

    @property
    def f(self) -> list:
        return self.tape.outputs_of(self.values)

    def jvp(self, v: Sequence) -> list:
        return self.tape.tangents(self.values, v)

    def vjp(self, r: Sequence) -> list:
        return self.tape.adjoints(self.values, r)


BRANCH_CROSSED = "the program takes another branch between the stencil's points"


@dataclass(frozen=True)
class StencilSweep:
    """f at the points of a stencil (m outputs × points), and, where the tape's slots are
    there to read (a formula's tape swept over arrays), where its operations' arguments went:
    which kinks and singular points the stencil crosses. Without slots (a program, whose
    points are separate calls) it can only say what f did."""

    f: np.ndarray
    reader: object | None  # a tape's slot reader (engine/scalar.py), or None

    def kink_crossed(self, columns: Sequence[int], variable: int | None) -> str | None:
        """The first non-smooth operation whose argument crosses its kink between the given
        points (on the way from ``variable``, when one is given), in words; or None."""
        return None if self.reader is None else self.reader.kink_crossed(columns, variable)

    def crossed(self, centre: int = 0) -> np.ndarray:
        """Per point, whether some operation's argument lies across its singular point from
        where it is at the centre point (a pole, a domain edge, a kink between them)."""
        if self.reader is None:
            return np.zeros(self.f.shape[1], dtype=bool)
        return self.reader.crossed(centre)

    def singularity_distance(self, steps: Sequence[float], first: int = 1) -> float | None:
        """The distance to the nearest singular point the ladder's stencils saw (points
        first + 2k and first + 1 + 2k at step k, the centre at 0), linear between; None
        when none was seen."""
        return None if self.reader is None else self.reader.singularity_distance(steps, first)


def as_flat(values) -> list:
    """A flat list of numbers from a list, tuple or array (floats stay Python floats)."""
    if isinstance(values, np.ndarray):
        return values.reshape(-1).tolist() if values.dtype != object else list(values.ravel())
    return list(values)
