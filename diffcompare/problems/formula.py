"""A differentiation problem: a function f: R^n -> R^m (one formula per output), its
variables in order, and a point. Its tape is recorded once and shared by every method."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from diffcompare.errors import InputError
from diffcompare.expr import Expr, depends_on, natural_key, to_text, variables
from diffcompare.parse import parse_number, parse_outputs


@dataclass(frozen=True)
class Problem:
    """Differentiate ``outputs`` with respect to ``variables`` at ``point`` (float64)."""

    outputs: tuple[Expr, ...]
    variables: tuple[str, ...]
    point: tuple[float, ...]
    text: str = ""

    program = None  # the Python function behind a ProgramProblem
    conditions = ()  # a program's value-dependent comparisons at the point

    def __post_init__(self):
        if isinstance(self.outputs, Expr):  # one formula: f: R^n -> R
            object.__setattr__(self, "outputs", (self.outputs,))

    @property
    def n(self) -> int:
        return len(self.variables)

    @property
    def m(self) -> int:
        return len(self.outputs)

    @property
    def expr(self) -> Expr:
        """The formula of a function with one output."""
        if self.m != 1:
            raise InputError(f"f has {self.m} outputs; this needs a function with one")
        return self.outputs[0]

    @cached_property
    def tape(self):
        """The Wengert list of all outputs, recorded once for every method."""
        from diffcompare.engine.tape import Tape

        return Tape.record(self.outputs, self.variables)

    @cached_property
    def point_array(self) -> np.ndarray:
        """The point as a float64 array, made once."""
        return np.asarray(self.point, dtype=float)

    @cached_property
    def memo(self) -> dict:
        """Facts the layers above compute once per problem (its diagnostics, say)."""
        return {}

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

    def evaluate(self, x) -> np.ndarray:
        """f at the flat point x (floats or complex numbers)."""
        values = self.tape.forward([v for v in np.asarray(x).tolist()])
        return np.array([values[k] for k in self.tape.outputs])

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


def read_point(at, names: Sequence[str]) -> tuple[float, ...]:
    """Coordinates in the order of ``names``, from text, a sequence or a mapping."""
    if isinstance(at, str):
        pieces = [p.strip() for p in at.split(",")]
        if all("=" in p for p in pieces):
            pairs = [_assignment(p) for p in pieces]
            given = [name for name, _ in pairs]
            repeated = sorted({n for n in given if given.count(n) > 1}, key=natural_key)
            if repeated:
                raise InputError(f"--at gives {', '.join(repeated)} more than once")
            at = dict(pairs)
        elif any("=" in p for p in pieces):
            raise InputError("--at mixes 'name=value' and plain values; use one form")
        else:
            at = [parse_number(p, "coordinate") for p in pieces]
    if isinstance(at, Mapping):
        unknown = [k for k in at if k not in names]
        if unknown:
            raise InputError(f"--at names {', '.join(unknown)}, which is not a variable "
                             f"(variables: {', '.join(names)})")
        missing = [k for k in names if k not in at]
        if missing:
            raise InputError(f"--at gives no value for {', '.join(missing)}")
        at = [at[k] for k in names]
    values = [_finite(v) for v in at]
    if len(values) != len(names):
        raise InputError(f"--at has {_count(len(values), 'coordinate')} but there "
                         f"{'is' if len(names) == 1 else 'are'} {_count(len(names), 'variable')}"
                         f" ({', '.join(names)})")
    return tuple(values)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _assignment(piece: str) -> tuple[str, float]:
    name, _, value = piece.partition("=")
    return name.strip(), parse_number(value, f"coordinate {name.strip()}")


def _finite(value) -> float:
    if isinstance(value, str):
        return parse_number(value, "coordinate")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"coordinate {value!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InputError(f"coordinate {value!r} is not finite")
    return number
