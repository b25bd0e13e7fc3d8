"""A Python function's problem: its inputs (scalars or arrays) flattened into the n
variables every method sees, its trace at the point, and where its point comes from (the
file, --at with numbers, lists or array files, --n with the file's start(n))."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np

from diffcompare.errors import InputError
from diffcompare.expr import Expr
from diffcompare.parse import parse_number
from diffcompare.problems.formula import Problem

SCALAR_LIMIT = 300_000  # scalar operations past which a traced path is not made expressions


class ProgramProblem(Problem):
    """A Python function's problem: its inputs are its parameters (scalars or arrays),
    flattened in C order into the n variables every method sees (``x[0]``, ``W[1,2]``).
    The function is traced at the point when the problem is made (its conditions, its
    outputs, the expressions below come from that trace); forward-ad and reverse-ad trace
    it again at each point they are asked, finite differences call the function itself, and
    the methods that need formulas (manual, symbolic, the sympy cross-check, trace, graph)
    get the traced path as expressions, built on first use."""

    def __init__(self, program, point: Mapping[str, Any], timeout: float | None = None):
        from diffcompare.engine.arrays import flatten

        inputs = [point[name] for name in program.inputs]
        object.__setattr__(self, "program", program)
        object.__setattr__(self, "timeout", timeout)
        object.__setattr__(self, "shapes", tuple(np.shape(v) for v in inputs))
        object.__setattr__(self, "variables", tuple(
            name if not shape else f"{name}[{','.join(map(str, index))}]"
            for name, shape in zip(program.inputs, self.shapes)
            for index in (np.ndindex(*shape) if shape else [()])))
        self.__dict__["point_array"] = flatten(inputs)
        object.__setattr__(self, "text", program.label)
        object.__setattr__(self, "traced", self.trace_at(self.point_array, InputError))
        if not self.traced.outputs:
            raise InputError(f"{program.label} returned no number")

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    @cached_property
    def point(self) -> tuple[float, ...]:
        """The flat point as numbers (made when asked: a million of them take a while)."""
        return tuple(self.point_array.tolist())

    def __repr__(self) -> str:
        return f"ProgramProblem({self.program.label}, n={self.n})"

    @property
    def m(self) -> int:
        return len(self.traced.outputs)

    @property
    def conditions(self):
        """The comparisons on input-dependent values the program made at the point."""
        return self.traced.conditions

    def trace_at(self, x: np.ndarray, error=None):
        """The program's tape at the flat point x, traced afresh: a method's forward pass is
        its own (and at another point the branches taken may differ)."""
        from diffcompare.engine.arrays import split
        from diffcompare.engine.tracer import trace
        from diffcompare.problems.usercode import ProgramError, run_user_code

        parts = split(np.asarray(x, dtype=float), self.shapes)
        return run_user_code(trace, (self.program.function, self.program.inputs, parts),
                             self.timeout, self.program.path, error or ProgramError)

    def evaluate(self, x: np.ndarray) -> np.ndarray:
        """f at the flat point x (floats or complex numbers), calling the function itself."""
        from diffcompare.engine.arrays import split
        from diffcompare.problems.usercode import run_user_code

        parts = split(np.asarray(x), self.shapes)
        result = run_user_code(self.program.function, tuple(parts), self.timeout,
                               self.program.path)
        return flat_outputs(result, self.program.label)

    @cached_property
    def outputs(self) -> tuple[Expr, ...]:
        """The traced path as expressions: the tape swept with Expr nodes for numbers."""
        from fractions import Fraction

        from diffcompare.engine.arrays import split
        from diffcompare.errors import MethodError
        from diffcompare.expr import Const, Var

        count = self.traced.scalar_operations
        if count > SCALAR_LIMIT:
            raise MethodError(f"the traced path has {count:,} scalar operations; methods "
                              f"that need it as expressions stop at {SCALAR_LIMIT:,}")
        symbols = np.empty(self.n, dtype=object)
        symbols[:] = [Var(name) for name in self.variables]
        parts = split(symbols, self.shapes)

        def constant(value):
            if np.ndim(value):
                out = np.empty(np.shape(value), dtype=object)
                out.flat[:] = [Const(Fraction(float(v))) for v in np.ravel(value)]
                return out
            return Const(Fraction(float(value)))

        values = self.traced.forward(parts, constant)
        return tuple(as_node(values[k]) for k in self.traced.outputs)

    @cached_property
    def dependencies(self) -> tuple[frozenset[str], ...]:
        """For each output, the flat variables of the inputs it depends on."""
        by_input = self.input_variables
        return tuple(frozenset().union(*(by_input[i] for i in self.traced.depends[k]))
                     for k in self.traced.outputs)

    @cached_property
    def input_variables(self) -> list[frozenset[str]]:
        """Per input, the names of its flat variables."""
        found, start = [], 0
        for shape in self.shapes:
            count = int(np.prod(shape))
            found.append(frozenset(self.variables[start:start + count]))
            start += count
        return found

    def describe(self) -> str:
        return self.program.label


def as_node(value) -> Expr:
    from fractions import Fraction

    from diffcompare.expr import Const

    value = value[()] if isinstance(value, np.ndarray) else value
    return value if isinstance(value, Expr) else Const(Fraction(float(value)))


def flat_outputs(result, label: str) -> np.ndarray:
    """A function's result (a number, an array, a tuple of numbers) as a flat vector."""
    try:
        parts = result if isinstance(result, (list, tuple)) else [result]
        flat = np.concatenate([np.ravel(np.asarray(p)) for p in parts]) if parts else []
        if len(flat) == 0 or flat.dtype.kind not in "biufc":
            raise TypeError
    except (TypeError, ValueError):
        raise InputError(f"{label} returned {type(result).__name__} {result!r:.60}, "
                         "not a number or an array of numbers") from None
    return flat


def program_problem(spec, at=None, n: int | None = None, timeout: float | None = None):
    """The problem of ``FILE.py[:NAME]`` (or a loaded Program) at ``at`` (text such as
    ``"a=2"`` or ``"x=@x.npy"``, a mapping, or a sequence), else the file's own point."""
    from diffcompare.problems.usercode import Program, load

    program = spec if isinstance(spec, Program) else load(spec, timeout)
    point = program.default_point(n) or {}
    if at is not None:
        point.update(read_inputs(at, program.inputs))
    missing = [name for name in program.inputs if name not in point]
    if missing:
        raise InputError(f"{program.label} needs a value for {', '.join(missing)} "
                         f"(give --at {missing[0]}=..., or POINT in the file)")
    return ProgramProblem(program, {k: _input_value(k, point[k]) for k in program.inputs},
                          timeout)


def read_inputs(at, names: Sequence[str]) -> dict[str, Any]:
    """Input values by name from ``--at`` text: ``2`` (one input), ``a=2,b=3``,
    ``x=@FILE`` (.npy, .txt or .csv), ``x=[1,2,3]``; or a mapping or a sequence."""
    if isinstance(at, Mapping):
        found = dict(at)
    elif not isinstance(at, str):
        values = list(at)
        if len(values) != len(names):
            raise InputError(f"--at has {len(values)} values for {len(names)} inputs")
        found = dict(zip(names, values))
    else:
        found = {}
        for piece in _split_top_level(at):
            name, sep, value = piece.partition("=")
            if not sep:
                if len(names) != 1 or found:
                    raise InputError(f"--at {piece!r}: name the input ({', '.join(names)})")
                name, value = names[0], piece
            found[name.strip()] = _read_value(name.strip(), value.strip())
    unknown = [k for k in found if k not in names]
    if unknown:
        raise InputError(f"--at names {', '.join(unknown)}, which is not an input "
                         f"(inputs: {', '.join(names)})")
    return found


def _split_top_level(text: str) -> list[str]:
    pieces, depth, current = [], 0, ""
    for char in text:
        depth += (char == "[") - (char == "]")
        if char == "," and depth == 0:
            pieces.append(current.strip())
            current = ""
        else:
            current += char
    pieces.append(current.strip())
    return [p for p in pieces if p]


def _read_value(name: str, text: str):
    if text.startswith("@"):
        return read_array_file(text[1:])
    if text.startswith("["):
        if not text.endswith("]"):
            raise InputError(f"--at {name}: {text!r} has no closing ]")
        return np.array([parse_number(p, f"coordinate {name}")
                         for p in text[1:-1].split(",") if p.strip()])
    return parse_number(text, f"coordinate {name}")


def read_array_file(path_text: str) -> np.ndarray:
    """An array from a .npy, .txt or .csv file (numpy reads it; nothing is executed)."""
    from pathlib import Path

    path = Path(path_text)
    if not path.is_file():
        raise InputError(f"no such file: {path_text}")
    try:
        if path.suffix == ".npy":
            return np.load(path, allow_pickle=False)
        if path.suffix in (".txt", ".csv"):
            return np.loadtxt(path, delimiter="," if path.suffix == ".csv" else None, ndmin=1)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {path_text}: {exc}") from None
    raise InputError(f"{path_text}: an array file is .npy, .txt or .csv")


def _input_value(name: str, value):
    array = np.asarray(value.value if hasattr(value, "value") else value)
    if array.dtype.kind not in "biuf":
        raise InputError(f"input {name} is {array.dtype} data, not real numbers")
    array = array.astype(float)
    if not np.isfinite(array).all():
        raise InputError(f"input {name} has entries that are not finite")
    return float(array) if array.ndim == 0 else array
