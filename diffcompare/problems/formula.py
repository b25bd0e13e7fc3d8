"""A formula's problem: f: R^n -> R^m (one formula per output), its variables in order, and a
point. Its tape is recorded once and shared by every method at every point."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from diffcompare.errors import InputError
from diffcompare.expr import Expr, depends_on, natural_key, to_text, variables
from diffcompare.parse import parse_outputs
from diffcompare.problems.base import BaseProblem, stencil_points
from diffcompare.problems.points import read_point


@dataclass(frozen=True)
class Problem(BaseProblem):
    """A formula's problem: differentiate ``outputs`` with respect to ``variables`` at
    ``point`` (float64). Its one tape holds at every point."""

    outputs: tuple[Expr, ...]
    variables: tuple[str, ...]
    point: tuple[float, ...]
    text: str = ""

    def __post_init__(self):
        if isinstance(self.outputs, Expr):  # one formula: f: R^n -> R
            object.__setattr__(self, "outputs", (self.outputs,))

    @property
    def m(self) -> int:
        return len(self.outputs)

    @property
    def input_names(self) -> tuple[str, ...]:
        return self.variables

    @property
    def input_shapes(self) -> tuple[tuple[int, ...], ...]:
        return ((),) * len(self.variables)

    @property
    def expr(self) -> Expr:
        """The formula of a function with one output."""
        if self.m != 1:
            raise InputError(f"f has {self.m} outputs; this needs a function with one")
        return self.outputs[0]

    @cached_property
    def tape(self):
        """The Wengert list of all outputs, recorded once for every method."""
        from diffcompare.engine.scalar import ScalarTape

        return ScalarTape.record(self.outputs, self.variables)

    def tape_at(self, x):
        return self.tape

    @cached_property
    def point_array(self) -> np.ndarray:
        """The point as a float64 array, made once."""
        return np.asarray(self.point, dtype=float)

    @cached_property
    def node_dependencies(self) -> dict[int, frozenset[str]]:
        """For every node of every output (by id), the variables it depends on."""
        found: dict[int, frozenset[str]] = {}
        for out in self.outputs:
            if id(out) not in found:
                found.update(depends_on(out))
        return found

    @cached_property
    def dependencies(self) -> tuple[frozenset[str], ...]:
        """For each output, the variables it depends on."""
        return tuple(self.node_dependencies[id(out)] for out in self.outputs)

    def depends(self, output: int, variable: int) -> bool:
        return self.variables[variable] in self.dependencies[output]

    def evaluate(self, x) -> np.ndarray:
        """f at the flat point x (floats or complex numbers)."""
        values = self.tape.forward([v for v in np.asarray(x).tolist()])
        return np.array([values[k] for k in self.tape.outputs])

    def stencil(self, x, offsets):
        """Every point in one sweep of the tape over arrays (a column per point)."""
        offsets = tuple(offsets)
        complex_ = any(isinstance(o, complex) for _, o in offsets)
        columns = stencil_points(x, offsets, complex_)
        return self.tape.stencil([columns[i] for i in range(self.n)])

    def stencil_seconds(self, points: int) -> float:
        """One sweep of the tape over arrays of the points: a numpy call per record."""
        from diffcompare.runtime.budget import tape_seconds

        records = len(self.tape.ops)
        return tape_seconds(records, records * max(points, 1), 3.0)

    @classmethod
    def from_text(
        cls,
        text: str,
        at: str | Sequence[float] | Mapping[str, float],
        variables: str | Sequence[str] | None = None,
    ) -> Problem:
        """Parse ``text`` (outputs separated by commas) and read the point: ``"2,3,4"``,
        ``"x1=2,x2=3"``, a list or a dict."""
        outputs = parse_outputs(text)
        names = order_variables(outputs, variables)
        return cls(outputs, names, read_point(at, names), text)

    def describe(self) -> str:
        return self.text or ", ".join(to_text(out) for out in self.outputs)


def order_variables(outputs: Expr | Sequence[Expr],
                    given: str | Sequence[str] | None) -> tuple[str, ...]:
    """The variable order: natural sort by default, or the user's ``--vars`` list, which must
    name every variable of the expression (it may add more, whose partials are then 0)."""
    roots = (outputs,) if isinstance(outputs, Expr) else tuple(outputs)
    found = sorted({v for root in roots for v in variables(root)}, key=natural_key)
    if given is None:
        if not found:
            raise InputError("the expression has no variables: nothing to differentiate "
                             "(name one with --vars to get a zero gradient)")
        return tuple(found)
    names = [v.strip() for v in given.split(",")] if isinstance(given, str) else list(given)
    if any(not name for name in names):
        raise InputError("--vars has an empty name")
    duplicates = sorted({n for n in names if names.count(n) > 1}, key=natural_key)
    if duplicates:
        raise InputError(f"--vars names {', '.join(duplicates)} more than once")
    missing = [v for v in found if v not in names]
    if missing:
        raise InputError(f"--vars does not name {', '.join(missing)}, "
                         f"which the expression uses (it uses {', '.join(found)})")
    for name in names:
        check_variable_name(name, "--vars")
    return tuple(names)


def check_variable_name(name: str, where: str) -> None:
    """A variable is an ASCII identifier that is not a function, a constant or a Python
    keyword, and does not start with '_' (the parser refuses such names in formulas)."""
    from diffcompare import ops
    from diffcompare.parse import RESERVED

    if not name.isidentifier() or not name.isascii():
        raise InputError(f"{where}: {name!r} is not a variable name")
    if name.startswith("_"):
        raise InputError(f"{where}: {name!r} starts with '_'; variable names start with a letter")
    if name in ops.FUNCTIONS:
        raise InputError(f"{where}: {name!r} is a function, not a variable name")
    if name in ops.CONSTANTS:
        raise InputError(f"{where}: {name!r} is a constant, not a variable name")
    if name.lower() in RESERVED:
        raise InputError(f"{where}: {name!r} is a reserved word, not a variable name")
