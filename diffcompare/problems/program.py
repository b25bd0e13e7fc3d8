"""A Python function's problem: its inputs (scalars or arrays) flattened into the n
variables every method sees, its trace at the point, and where its point comes from (the
file, --at with numbers, lists or array files, --n with the file's start(n))."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import numpy as np

from diffcompare.engine.tape import StencilSweep
from diffcompare.errors import InputError
from diffcompare.expr import Expr
from diffcompare.problems.base import BaseProblem, stencil_points

TRACES_KEPT = 4  # traces at recent points, reused by every method and kind asked there


class ProgramProblem(BaseProblem):
    """A Python function's problem: its inputs are its parameters (scalars or arrays),
    flattened in C order into the n variables every method sees (``x[0]``, ``W[1,2]``,
    named only when shown). Its tape at a point is the function traced there, once: every
    method and kind asked at that point shares it (at another point the branches taken may
    differ, so it is traced there). Finite differences call the function itself, and the
    methods that need formulas (manual, symbolic, trace, graph) get the traced path as
    expressions, built on first use."""

    def __init__(self, program, point: Mapping[str, Any], budget: float | None = None):
        from diffcompare.engine.arrays import FlatNames, flatten

        inputs = [point[name] for name in program.inputs]
        self.program = program
        self.budget = budget
        self.input_names = tuple(program.inputs)
        self.input_shapes = tuple(np.shape(v) for v in inputs)
        self.variables = FlatNames(self.input_names, self.input_shapes)
        self.point_array = flatten(inputs)
        self.text = program.label
        self._traces: list = []
        if not self.tape_at(self.point_array, InputError).outputs:
            raise InputError(f"{program.label} returned no number")

    @property
    def shapes(self) -> tuple[tuple[int, ...], ...]:
        return self.input_shapes

    @cached_property
    def point(self) -> tuple[float, ...]:
        """The flat point as numbers (made when asked: a million of them take a while)."""
        return tuple(self.point_array.tolist())

    def __repr__(self) -> str:
        return f"ProgramProblem({self.program.label}, n={self.n})"

    @property
    def m(self) -> int:
        return self.tape.m

    def tape_at(self, x: np.ndarray, error=None):
        """The program traced at the flat point x, once per point: the recent traces are kept
        and shared by every method and kind asked there."""
        from diffcompare.engine.arrays import split
        from diffcompare.engine.tracer import trace
        from diffcompare.problems.usercode import ProgramError, run_user_code

        x = np.asarray(x, dtype=float)
        for point, tape in self._traces:
            if point is x or (point.shape == x.shape and np.array_equal(point, x)):
                return tape
        parts = split(x, self.input_shapes)
        tape = run_user_code(trace, (self.program.function, self.input_names, parts, x),
                             self.budget, self.program.path, error or ProgramError)
        self._traces = [(x, tape), *self._traces][:TRACES_KEPT]
        return tape

    def forget_traces(self) -> None:
        """Trace afresh when next asked (a timing that must include the trace)."""
        self._traces = []

    def evaluate(self, x: np.ndarray) -> np.ndarray:
        """f at the flat point x (floats or complex numbers), calling the function itself."""
        from diffcompare.engine.arrays import split
        from diffcompare.problems.usercode import run_user_code

        parts = split(np.asarray(x), self.input_shapes)
        result = run_user_code(self.program.function, tuple(parts), self.budget,
                               self.program.path)
        return flat_outputs(result, self.program.label)

    def stencil(self, x, offsets):
        """One call of the function per point (its branches are taken as they fall there),
        all of them under one budget, so that the calls pay for the bound once."""
        from diffcompare.engine.arrays import split
        from diffcompare.problems.usercode import run_user_code

        offsets = tuple(offsets)
        complex_ = any(isinstance(o, complex) for _, o in offsets)
        columns = np.asfortranarray(stencil_points(x, offsets, complex_))  # columns contiguous
        function, shapes = self.program.function, self.input_shapes

        def every_point():
            return [function(*split(columns[:, k], shapes)) for k in range(len(offsets))]

        results = run_user_code(every_point, (), self.budget, self.program.path)
        f = np.array([flat_outputs(r, self.program.label) for r in results]).T
        return StencilSweep(f.reshape(self.m, len(offsets)), None)

    def stencil_seconds(self, points: int) -> float:
        """A call of the function per point, each about what its trace recorded."""
        from diffcompare.runtime.budget import sweep_seconds

        return points * sweep_seconds(self.tape)

    @cached_property
    def outputs(self) -> tuple[Expr, ...]:
        """The traced path as expressions: the tape swept with Expr nodes for numbers."""
        return tuple(self.tape.scalar_view().nodes[k] for k in self.tape.scalar_view().outputs)

    def depends(self, output: int, variable: int) -> bool:
        tape = self.tape
        return self.input_of(variable) in tape.depends[tape.outputs[output]]

    def describe(self) -> str:
        return self.program.label


def flat_outputs(result, label: str) -> np.ndarray:
    """A function's result (a number, an array, a tuple of numbers) as a flat vector; of
    balls where it was run on balls (the reference's one-sided slopes)."""
    from diffcompare.engine.balls import is_ball

    try:
        parts = result if isinstance(result, (list, tuple)) else [result]
        flat = np.concatenate([np.ravel(np.asarray(p)) for p in parts]) if parts else []
        numbers = len(flat) and (flat.dtype.kind in "biufc" or (
            flat.dtype == object and all(is_ball(v) for v in flat)))
        if not numbers:
            raise TypeError
    except (TypeError, ValueError):
        raise InputError(f"{label} returned {type(result).__name__} {result!r:.60}, "
                         "not a number or an array of numbers") from None
    return flat
