"""What every problem gives the methods, whether it is a formula or a program.

A problem is f: R^n -> R^m at a point: its n scalar inputs (named; a program's array inputs
flattened in C order), its point, and one tape interface (engine/tape.py) at any point,
``tape_at(x)``. Methods ask only this; they never ask which kind of problem they were given.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from functools import cached_property

import numpy as np

from diffcompare.engine.tape import StencilSweep, Tape


class BaseProblem:
    """The interface; FormulaProblem (problems/formula.py) and ProgramProblem
    (problems/program.py) implement it."""

    text: str = ""
    variables: Sequence[str]  # the n flat inputs' names
    input_names: tuple[str, ...]  # the function's own inputs (a formula's: its variables)
    input_shapes: tuple[tuple[int, ...], ...]  # their shapes (() for a scalar)

    @property
    def n(self) -> int:
        return len(self.variables)

    @property
    def m(self) -> int:
        return self.tape.m

    @cached_property
    def memo(self) -> dict:
        """Facts the layers above compute once per problem (its diagnostics, say)."""
        return {}

    @property
    def tape(self) -> Tape:
        """The tape at the problem's own point."""
        return self.tape_at(self.point_array)

    def tape_at(self, x: np.ndarray) -> Tape:
        raise NotImplementedError

    def ad_tape_at(self, x: np.ndarray) -> Tape:
        """The tape the AD methods sweep: the one tape, unless the user gave a rule of their
        own for part of it (a program's custom_jvp or custom_vjp)."""
        return self.tape_at(x)

    def code_key(self):
        """What identifies code written for this function's inputs (a program's function
        and its inputs' names and shapes), for reuse at the library's next call; None."""
        return None

    def rule_disagreements(self) -> tuple[str, ...]:
        """Where such a rule differs from the function's own slope at the point."""
        return ()

    @property
    def conditions(self) -> tuple:
        """The comparisons on input-dependent values the function made at its point."""
        return tuple(self.tape.conditions)

    @property
    def has_path(self) -> bool:
        """Whether one formula holds at every point (no value-dependent comparison)."""
        return not self.conditions

    def evaluate(self, x) -> np.ndarray:
        """f at the flat point x (floats or complex numbers), shape (m,)."""
        raise NotImplementedError

    def forget_traces(self) -> None:
        """Record the tape afresh when next asked (a formula's is recorded once: nothing)."""

    def stencil(self, x: np.ndarray, offsets) -> StencilSweep:
        """f at the points x + offset·target for each (target, offset): a target is an
        input's index, a direction v, or None for x itself."""
        raise NotImplementedError

    def stencil_seconds(self, points: int) -> float:
        """The predicted CPU time of a stencil of ``points`` points (runtime/budget.py)."""
        raise NotImplementedError

    def depends(self, output: int, variable: int) -> bool:
        """Whether output i depends on flat input j at all (its partial is structurally 0
        otherwise)."""
        raise NotImplementedError

    @cached_property
    def _input_starts(self) -> tuple[int, ...]:
        """Where each of the function's inputs starts among the flat inputs, and the end."""
        starts = [0]
        for shape in self.input_shapes:
            starts.append(starts[-1] + math.prod(shape))
        return tuple(starts)

    def input_of(self, variable: int) -> int:
        """The function's own input that flat input j belongs to."""
        if not 0 <= variable < self._input_starts[-1]:
            raise IndexError(variable)
        return bisect.bisect_right(self._input_starts, variable) - 1

    def flat_range(self, input_index: int) -> range:
        """The flat inputs of the function's input i."""
        return range(self._input_starts[input_index], self._input_starts[input_index + 1])

    @cached_property
    def has_arrays(self) -> bool:
        return any(self.input_shapes)

    def describe(self) -> str:
        return self.text


def stencil_points(x: np.ndarray, offsets, complex_: bool) -> np.ndarray:
    """The points of a stencil as columns (n × points)."""
    columns = np.repeat(np.asarray(x, dtype=complex if complex_ else float)[:, None],
                        len(offsets), axis=1)
    for k, (target, offset) in enumerate(offsets):
        if target is None:
            continue
        if isinstance(target, (int, np.integer)):
            columns[target, k] += offset
        else:
            columns[:, k] += offset * np.asarray(target)
    return columns
