"""The tape of a traced program: records over numpy arrays, with broadcasting.

A formula's tape (tape.py) holds one scalar per slot; a program's holds whatever its values
were when it ran: floats or whole arrays. A record is (operation, argument slots, static
parameter): an elementwise operation of the ops table (its partials give JVP and VJP, and
an adjoint is summed back over the axes broadcasting added), or a shape operation
(ops.SHAPE_OPS: sum, indexing, reshape, transpose, dot, max, min) with its own JVP and VJP.
So reverse mode over a Rosenbrock of 10⁶ inputs is a few dozen numpy calls, not 10⁷ records.

The recorded values are those at the traced point; branches and loops were resolved there
(``conditions`` lists each comparison the program made on a traced value). Three sweeps:
``jvp`` (tangents forward), ``reverse`` (adjoints back from a cotangent) and ``forward``
(the same records on other numbers: object arrays of Expr nodes or mpmath numbers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from diffcompare import ops


@dataclass(frozen=True)
class Condition:
    """A comparison the program made on a value that depends on its inputs."""

    file: str
    line: int
    inputs: tuple[str, ...]  # the inputs the compared value depends on
    margin: float | None  # lhs - rhs at the point, for a scalar comparison
    what: str = "the condition"  # or "the max", "the min": a choice of an entry by value

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def describe(self) -> str:
        names = " and ".join(self.inputs)
        return f"{self.what} at {self.where} depends on the value of {names}"


@dataclass(eq=False)
class ArrayTape:
    names: tuple[str, ...]  # the program's inputs, in order
    shapes: tuple[tuple[int, ...], ...]  # each input's shape (() for a scalar)
    ops: list = field(default_factory=list)  # Op, ShapeOp or None (an input or a constant)
    args: list = field(default_factory=list)
    params: list = field(default_factory=list)
    values: list = field(default_factory=list)  # at the traced point
    depends: list = field(default_factory=list)  # per slot: indices of the inputs it uses
    lines: list = field(default_factory=list)  # per slot: file:line of the user's code
    outputs: tuple[int, ...] = ()
    conditions: list = field(default_factory=list)

    def __post_init__(self):
        for i in range(len(self.shapes)):
            self._append(None, (), None, None, frozenset((i,)))

    # -- recording
    def _append(self, op, args, param, value, depends, where: str = "") -> int:
        self.lines.append(where)
        self.ops.append(op)
        self.args.append(tuple(args))
        self.params.append(param)
        self.values.append(value)
        self.depends.append(depends)
        return len(self.ops) - 1

    def set_input(self, i: int, value) -> None:
        self.values[i] = value

    def constant(self, value) -> int:
        return self._append(None, (), None, value, frozenset())

    def operation(self, op, args: Sequence[int], param, value, where: str = "") -> int:
        depends = frozenset().union(*(self.depends[j] for j in args))
        return self._append(op, args, param, value, depends, where)

    # -- facts
    @property
    def n_inputs(self) -> int:
        return len(self.names)

    @property
    def size(self) -> int:
        """Scalar inputs: the length of the flat gradient."""
        return sum(int(np.prod(s)) for s in self.shapes)

    @property
    def operation_count(self) -> int:
        """Records of operations (each may act on a whole array)."""
        return sum(1 for op in self.ops if op is not None)

    @property
    def scalar_operations(self) -> int:
        """Scalar operations one forward sweep performs (array records count every entry)."""
        return sum(int(np.size(self.values[k])) for k, op in enumerate(self.ops)
                   if op is not None)

    def f(self) -> np.ndarray:
        """The outputs at the traced point, flat."""
        return np.array([float(np.real(self.values[k])) for k in self.outputs])

    # -- sweeps
    def jvp(self, tangents: Sequence, values: Sequence | None = None) -> list:
        """Output tangents J·v, the inputs' tangents given with the inputs' shapes."""
        tangent: list = [None] * len(self.ops)
        tangent[: self.n_inputs] = list(tangents)
        values = self.values if values is None else values
        for k in range(self.n_inputs, len(self.ops)):
            op = self.ops[k]
            if op is None or not self.depends[k]:
                continue
            arg_slots = self.args[k]
            own = [tangent[j] for j in arg_slots]
            if all(t is None for t in own):
                continue
            arg_values = [values[j] for j in arg_slots]
            if isinstance(op, ops.ShapeOp):
                tangent[k] = op.jvp(self.params[k], arg_values, own, values[k])
                continue
            total = None
            for i, t in enumerate(own):
                if t is not None:
                    term = op.partials[i](*arg_values) * t
                    total = term if total is None else total + term
            tangent[k] = total
        return [np.zeros(np.shape(values[k])) if tangent[k] is None else tangent[k]
                for k in self.outputs]

    def reverse(self, cotangent: Sequence | None = None, values: Sequence | None = None) -> list:
        """The inputs' adjoints Jᵀ·r (each with its input's shape) in one sweep back from
        the outputs, seeded with r (1 for a single output)."""
        values = self.values if values is None else values
        if cotangent is None:
            cotangent = (1.0,) * len(self.outputs)
        adjoint: list = [None] * len(self.ops)
        owned: set[int] = set()  # slots whose adjoint array this sweep made: added to in place
        for slot, r in zip(self.outputs, cotangent):
            adjoint[slot] = r if adjoint[slot] is None else adjoint[slot] + r
        for k in range(len(self.ops) - 1, self.n_inputs - 1, -1):
            bar = adjoint[k]
            op = self.ops[k]
            if bar is None or op is None:
                continue
            arg_slots = self.args[k]
            arg_values = [values[j] for j in arg_slots]
            for i, j in enumerate(arg_slots):
                if not self.depends[j]:
                    continue
                if op is ops.GETITEM and j in owned and ops.basic_key(self.params[k]):
                    adjoint[j][self.params[k]] += bar  # a slice's adjoint, in place
                    continue
                fresh = True
                if isinstance(op, ops.ShapeOp):
                    term = op.vjp(self.params[k], i, bar, arg_values, values[k])
                    fresh = op.fresh_vjp
                else:
                    partial = op.partials[i](*arg_values)
                    if ops.is_exact_zero(partial):  # a structural zero: 0·∞ = 0
                        continue
                    if type(partial) is int and partial == 1:  # a sum passes bar through
                        term = unbroadcast(bar, np.shape(arg_values[i]))
                        fresh = term is not bar
                    else:
                        term = unbroadcast(bar * partial, np.shape(arg_values[i]))
                if adjoint[j] is None:
                    adjoint[j] = term
                    if isinstance(term, np.ndarray) and fresh:
                        owned.add(j)  # a new array no other slot holds
                elif j in owned and isinstance(term, np.ndarray) and \
                        term.shape == adjoint[j].shape and term.dtype == adjoint[j].dtype:
                    adjoint[j] += term
                else:
                    adjoint[j] = adjoint[j] + term
                    if isinstance(adjoint[j], np.ndarray):
                        owned.add(j)
        return [np.zeros(shape) if adjoint[i] is None else adjoint[i]
                for i, shape in enumerate(self.shapes)]

    def forward(self, inputs: Sequence, constant=None) -> list:
        """Every slot's value for other inputs of the same kind of number, on the traced
        path; ``constant`` converts each recorded constant (to Expr nodes, say)."""
        values: list = list(inputs)
        for k in range(self.n_inputs, len(self.ops)):
            op = self.ops[k]
            if op is None:
                value = self.values[k]
                values.append(value if constant is None else constant(value))
            elif isinstance(op, ops.ShapeOp):
                values.append(op.forward(self.params[k], *(values[j] for j in self.args[k])))
            else:
                values.append(ops.apply(op, *(values[j] for j in self.args[k])))
        return values


def unbroadcast(value, shape: tuple[int, ...]):
    """Sum an adjoint over the axes broadcasting added or stretched, back to ``shape``."""
    got = np.shape(value)
    if got == shape:
        return value
    value = np.asarray(value)
    extra = len(got) - len(shape)
    if extra > 0:  # (an object array's full sum is a number, not an array: asarray)
        value = np.asarray(value.sum(axis=tuple(range(extra))))
    stretched = tuple(a for a, n in enumerate(shape) if n == 1 and value.shape[a] != 1)
    if stretched:
        value = np.asarray(value.sum(axis=stretched, keepdims=True))
    return value if shape else value.reshape(())[()]


def flatten(parts: Sequence) -> np.ndarray:
    """Values with the inputs' shapes, as one flat vector in C order."""
    if not parts:
        return np.zeros(0)
    return np.concatenate([np.ravel(np.asarray(p, dtype=float)) for p in parts])


def split(flat: np.ndarray, shapes: Sequence[tuple[int, ...]]) -> list:
    """A flat vector back into values of the given shapes (a float for shape ())."""
    parts, start = [], 0
    for shape in shapes:
        count = int(np.prod(shape))
        piece = flat[start:start + count]
        if shape:
            parts.append(piece.reshape(shape))
        elif piece.dtype.kind == "f":  # a plain float: scalar arithmetic keeps its fast path
            parts.append(piece[0].item())
        else:  # numpy's complex scalars compare (by real part first); Python's do not
            parts.append(piece[0])
        start += count
    return parts
