"""A Python function's problem: its inputs (scalars or arrays) flattened into the n
variables every method sees, its trace at the point, and where its point comes from (the
file, --at with numbers, lists or array files, --n with the file's start(n))."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import numpy as np

from diffcompare.engine.arrays import FlatNames, flatten, split
from diffcompare.engine.tape import BRANCH_CROSSED, StencilSweep
from diffcompare.engine.tracer import NonFiniteInput, trace
from diffcompare.errors import InputError, MethodError
from diffcompare.expr import Expr
from diffcompare.problems.base import BaseProblem, stencil_points
from diffcompare.problems.points import refuse_nonfinite
from diffcompare.problems.usercode import ProgramError, run_user_code

TRACES_KEPT = 4  # traces at recent points, reused by every method and kind asked there
EPS = float(np.finfo(float).eps)
PATH_CHECK_OPERATIONS = 5_000  # a path longer than this is not swept beside the stencil's calls
PATH_CHECK_ENTRIES = 4_000_000  # nor when scalar operations × stencil points pass this


class ProgramProblem(BaseProblem):
    """A Python function's problem: its inputs are its parameters (scalars or arrays),
    flattened in C order into the n variables every method sees (``x[0]``, ``W[1,2]``,
    named only when shown). Its tape at a point is the function traced there, once: every
    method and kind asked at that point shares it (at another point the branches taken may
    differ, so it is traced there). Finite differences call the function itself, and the
    methods that need formulas (manual, symbolic, trace, graph) get the traced path as
    expressions, built on first use."""

    m: int = 0  # outputs at the problem's point, known once it is traced (in __init__)

    def __init__(self, program, point: Mapping[str, Any], budget: float | None = None):
        inputs = [point[name] for name in program.inputs]
        self.program = program
        self.budget = budget
        self.input_names = tuple(program.inputs)
        self.input_shapes = tuple(np.shape(v) for v in inputs)
        self.point_array = _flat_point(inputs)
        self._traces: list = []
        try:  # (the user's point: read at the program's first branch on it, if it has one)
            tape = self.tape_at(self.point_array, InputError, unread=True)
        except NonFiniteInput as exc:
            raise InputError(str(exc)) from None
        self.m = tape.m  # its outputs at the point
        if not self.m:
            raise InputError(f"{program.label} returned no number")
        if not tape.outputs_show_inputs_finite():
            for name, value in zip(self.input_names, inputs):
                refuse_nonfinite(name, value)

    @cached_property
    def variables(self) -> FlatNames:
        """The n flat inputs' names (made when first shown: a library call shows none)."""
        return FlatNames(self.input_names, self.input_shapes)

    @property
    def n(self) -> int:
        return self.point_array.size

    @property
    def text(self) -> str:
        return self.program.label

    @property
    def shapes(self) -> tuple[tuple[int, ...], ...]:
        return self.input_shapes

    @cached_property
    def point(self) -> tuple[float, ...]:
        """The flat point as numbers (made when asked: a million of them take a while)."""
        return tuple(self.point_array.tolist())

    def __repr__(self) -> str:
        return f"ProgramProblem({self.program.label}, n={self.n})"

    def tape_at(self, x: np.ndarray, error=None, unread: bool = False):
        """The program traced at the flat point x, once per point: the recent traces are kept
        and shared by every method and kind asked there (``unread``: see tracer.trace)."""
        if self._traces and x is self._traces[0][0]:  # asked again for the latest point
            return self._traces[0][1]

        x = np.asarray(x, dtype=float)
        for point, tape in self._traces:
            if point is x or (point.shape == x.shape and np.array_equal(point, x)):
                return tape
        parts = split(x, self.input_shapes)
        tape = run_user_code(trace, (self.program.function, self.input_names, parts, x,
                                     False, unread),
                             self.budget, self.program.path, error or ProgramError)
        self._traces = [(x, tape), *self._traces][:TRACES_KEPT]
        return tape

    def ad_tape_at(self, x: np.ndarray):
        """The tape forward-ad and reverse-ad sweep: the program's own, or, where it calls a
        function with the user's derivative rule, traced again with the rule as a record."""
        own = self.tape_at(x)
        if not own.custom_calls:
            return own
        key = ("rules", np.asarray(x, dtype=float).tobytes())
        if key not in self.memo:
            parts = split(np.asarray(x, dtype=float), self.input_shapes)
            self.memo[key] = run_user_code(
                trace, (self.program.function, self.input_names, parts, x, True),
                self.budget, self.program.path, ProgramError)
        return self.memo[key]

    def code_key(self):
        return self.program.function, self.input_names, self.input_shapes

    def rule_disagreements(self) -> tuple[str, ...]:
        """Where a rule of the user's differs from the function's own slope at the point."""
        from diffcompare.engine.custom import disagreements

        return disagreements(self.tape.custom_calls)

    def forget_traces(self) -> None:
        """Trace afresh when next asked (a timing that must include the trace)."""
        self._traces = []

    def evaluate(self, x: np.ndarray) -> np.ndarray:
        """f at the flat point x (floats or complex numbers), calling the function itself."""
        x = np.asarray(x)
        result = run_user_code(self._call, (x,), self.budget, self.program.path)
        return flat_outputs(result, self.program.label)

    def _call(self, point: np.ndarray):
        """The function at the flat point. At a complex one (complex step) it runs on traced
        values, so that abs(), max() and comparisons act on the real part as the README
        says (Python's abs of a complex number is its modulus, which has no derivative)."""
        parts = split(point, self.input_shapes)
        if not np.iscomplexobj(point):
            return self.program.function(*parts)
        tape = trace(self.program.function, self.input_names, parts, point)
        return tape.outputs_of(tape.values)

    def stencil(self, x, offsets):
        """One call of the function per point (its branches are taken as they fall there),
        all of them under one budget, so that the calls pay for the bound once."""
        offsets = tuple(offsets)
        complex_ = any(isinstance(o, complex) for _, o in offsets)
        columns = np.asfortranarray(stencil_points(x, offsets, complex_))  # columns contiguous

        def every_point():
            return [self._call(columns[:, k]) for k in range(len(offsets))]

        results = run_user_code(every_point, (), self.budget, self.program.path)
        f = np.array([flat_outputs(r, self.program.label) for r in results]).T
        f = f.reshape(self.m, len(offsets))
        return StencilSweep(f, self._path_reader(x, columns, f))

    def _path_reader(self, x, columns: np.ndarray, f: np.ndarray):
        """What the traced path says about the stencil's points: its records swept over
        them (the kinks and singular points its operations cross, as a formula's tape
        says), and the points where the function took another branch — where its value
        is not the path's, beyond what rounding explains. None when the path is too long
        to sweep as scalar records beside the calls."""
        tape = self.tape_at(x)
        if tape.scalar_operations > PATH_CHECK_OPERATIONS or \
                tape.scalar_operations * columns.shape[1] > PATH_CHECK_ENTRIES:
            return None
        try:
            scalar = tape.scalar_view()
            path = scalar.stencil([columns[i] for i in range(self.n)])
            key = ("path rounding", np.asarray(x, dtype=float).tobytes())
            if key not in self.memo:  # both routes round by at most this bound
                with np.errstate(all="ignore"):
                    self.memo[key] = scalar.rounding_bounds(scalar.forward(
                        np.asarray(x, dtype=float).tolist()))
            rounding = self.memo[key]
        except (MethodError, ArithmeticError, ValueError, TypeError):
            return None
        slack = 4 * np.array(rounding, dtype=float)[:, None] + 4 * EPS * np.abs(f)
        with np.errstate(all="ignore"):
            apart = np.abs(path.f - f) > slack
        other_branch = (apart & np.isfinite(f) & np.isfinite(path.f)).any(axis=0)
        return PathReader(path.reader, other_branch)

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


class PathReader:
    """A stencil's reader for a program: the traced path's slot reader (its kinks and
    singular points), and the points where the function left the path — another branch,
    whose values the stencil must not mix with the path's."""

    def __init__(self, path, other_branch: np.ndarray):
        self.path, self.other_branch = path, other_branch

    def kink_crossed(self, columns, variable):
        found = self.path.kink_crossed(columns, variable)
        if found is None and len(set(self.other_branch[list(columns)].tolist())) > 1:
            return BRANCH_CROSSED
        return found

    def crossed(self, centre: int) -> np.ndarray:
        return self.path.crossed(centre) | (self.other_branch != self.other_branch[centre])

    def singularity_distance(self, steps, first: int = 1):
        return self.path.singularity_distance(steps, first)


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


def _flat_point(inputs: list) -> np.ndarray:
    """The inputs as one flat, read-only point. A single array of floats is not copied:
    the point is a view of it (a million doubles copied cost what a tenth of f costs),
    read-only so that no method writes into the caller's array."""
    only = inputs[0] if len(inputs) == 1 else None
    if isinstance(only, np.ndarray) and only.dtype == np.float64 and only.ndim and \
            only.flags.c_contiguous:
        point = only.reshape(-1)
    else:
        point = flatten(inputs)
    point.flags.writeable = False
    return point
