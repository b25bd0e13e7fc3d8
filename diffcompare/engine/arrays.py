"""The tape of a traced program: records over numpy arrays, with broadcasting.

A formula's tape (tape.py) holds one scalar per slot; a program's holds whatever its values
were when it ran: floats or whole arrays. A record is (operation, argument slots, static
parameter): an elementwise operation of the ops table (its partials give JVP and VJP, and
an adjoint is summed back over the axes broadcasting added), or a shape operation
(ops.SHAPE_OPS: sum, indexing, reshape, transpose, dot, max, min) with its own JVP and VJP.
So reverse mode over a Rosenbrock of 10⁶ inputs is a few dozen numpy calls, not 10⁷ records.

The recorded values are those at the traced point; branches and loops were resolved there
(``conditions`` lists each comparison the program made on a traced value). It implements the
tape interface (engine/tape.py) on flat points: at the traced point the recorded values
serve, elsewhere (another number type: complex numbers, balls, Expr nodes) the same records
are swept again. Second derivatives go through the path's scalar tape (``scalar_view``),
built when first asked.
"""

from __future__ import annotations

import bisect
import itertools
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from diffcompare import ops
from diffcompare.engine import finite, pool
from diffcompare.engine.plan import values_read
from diffcompare.engine.tape import Site, Tape
from diffcompare.errors import MethodError

SCALAR_LIMIT = 300_000  # scalar operations past which a path is not written as scalar records
# Records up to which the reverse sweep runs the plan (engine/plan.py): planning costs about
# 65 µs a record, which pays where records act on arrays, not on a path of 10⁴ scalar ones.
PLAN_RECORDS = 2_000


@dataclass(frozen=True)
class Condition:
    """A comparison the program made on a value that depends on its inputs."""

    file: str
    line: int
    inputs: tuple[str, ...]  # the inputs the compared value depends on
    margin: float | None  # lhs - rhs at the point, for a scalar comparison
    what: str = "the condition"  # or "the max", "the min": a choice of an entry by value
    input_indices: tuple[int, ...] = ()  # the same inputs, by position
    # How to ask it again at another point (the gradient code's guards, engine/plan.py): the
    # compared slots, the relation ("<", ..., "bool", "argmax", "argmin") and its answer
    # here (a bool, a bool array, or the chosen entry's flat index); None: not askable.
    guard: tuple | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def describe(self) -> str:
        names = " and ".join(self.inputs)
        return f"{self.what} at {self.where} depends on the value of {names}"


# references to a temporary's array that nothing views, as ``spare`` counts them: the pool's,
# its traced wrapper's, the tape's, the tracer's list of operands, ``spare``'s and getrefcount's
_UNVIEWED = 6


@dataclass(eq=False)
class ArrayTape(Tape):
    names: tuple[str, ...]  # the program's inputs, in order
    shapes: tuple[tuple[int, ...], ...]  # each input's shape (() for a scalar)
    ops: list = field(default_factory=list)  # Op, ShapeOp or None (an input or a constant)
    args: list = field(default_factory=list)
    params: list = field(default_factory=list)
    # per slot, its value at the traced point (None: let go after a reverse sweep, see
    # ``release``; ``values`` computes those again when asked)
    recorded: list = field(default_factory=list)
    depends: list = field(default_factory=list)  # per slot: indices of the inputs it uses
    lines: list = field(default_factory=list)  # per slot: file:line of the user's code
    outputs: tuple[int, ...] = ()
    conditions: list = field(default_factory=list)
    point: np.ndarray | None = None  # the flat point it was traced at
    use_rules: bool = False  # the user's custom rules as records (engine/custom.py), or
    custom_calls: list = field(default_factory=list)  # their functions traced through
    # while the program runs: a large value the program can no longer reach and no partial
    # reads is let go at once (``let_go``), so the next operation reuses its memory
    tracing: bool = False
    unread: bool = False  # the inputs are the user's point, not yet found finite (tracer.py)
    # counted as the records come: records of operations (each may act on a whole array),
    # the entries they compute, and their partials in arguments that depend on an input
    operation_count: int = field(default=0, init=False, repr=False)
    scalar_operations: int = field(default=0, init=False, repr=False)  # entries computed
    partial_count: int = field(default=0, init=False, repr=False)
    newest: int = field(default=-1, init=False, repr=False)  # the latest operation's slot
    newest_site: tuple = field(default=(0, -1), init=False, repr=False)  # the tracer's: where

    def __post_init__(self):
        self._released: dict[int, tuple] = {}  # slot -> the shape of its value let go
        self._release_asked = False  # whether a sweep has let go what it does not read
        self.read: set[int] = set()  # slots whose values some record's partials read
        for i in range(len(self.shapes)):
            self._append(None, (), None, None, frozenset((i,)))

    # -- recording
    def _append(self, op, args, param, value, depends, where: str = "") -> int:
        self.lines.append(where)
        self.ops.append(op)
        self.args.append(tuple(args))
        self.params.append(param)
        self.recorded.append(value)
        self.depends.append(depends)
        return len(self.ops) - 1

    def set_input(self, i: int, value) -> None:
        self.recorded[i] = value

    def constant(self, value) -> int:
        return self._append(None, (), None, value, frozenset())

    def operation(self, op, args: Sequence[int], param, value, where: str = "") -> int:
        depends = _union(self.depends, args)
        slot = self._append(op, args, param, value, depends, where)
        self.newest = slot
        self.operation_count += 1
        self.scalar_operations += getattr(value, "size", 1)  # (an array record: its entries)
        if depends:
            constants = self.constants_of(args)
            for i, j in enumerate(args):
                if self.depends[j]:
                    self.partial_count += 1
                    self.read.update(values_read(op, param, i, constants, slot, args))
        return slot

    def spare(self, op, param, args: Sequence[int], dying: int) -> np.ndarray | None:
        """While tracing: the memory of the value of ``dying``, an argument the program
        cannot reach once this operation is done (the tracer found it so), if the
        operation may write its result there, as numpy writes into its own temporaries: a
        pooled array that no partial reads and nothing else views. It is let go here, as
        ``let_go`` would let it go right after."""
        value = self.recorded[dying]
        if dying in self.read or not pool.owns(value) or sys.getrefcount(value) != _UNVIEWED:
            return None
        constants = self.constants_of(args)  # what this one's own partials read
        if any(dying in values_read(op, param, i, constants, len(self.ops), args)
               for i, j in enumerate(args) if self.depends[j]):
            return None
        self._drop(dying)
        return value

    def constants_of(self, args: Sequence[int]) -> tuple:
        """A record's arguments as its partials see them: a scalar constant as itself,
        anything else None (engine/plan.py's partial_of)."""
        return tuple(self._placeholder(j) for j in args)

    def _placeholder(self, j: int) -> float | None:
        """One argument, as ``constants_of`` gives it."""
        value = self.recorded[j]
        if self.ops[j] is not None or j < len(self.shapes) or \
                type(value) is not float and np.ndim(value):
            return None
        return float(value)

    def let_go(self, slot: int) -> None:
        """While tracing: let go of a pooled value the program can no longer reach (its
        traced wrapper is gone) and no partial reads, so its memory is the next
        operation's; ``values`` computes it again, the same numbers, if anything asks."""
        if slot not in self.read:
            self._drop(slot)

    def _drop(self, slot: int) -> None:
        """Let go of a slot's value if it is one of the pool's (``values`` restores it)."""
        value = self.recorded[slot]
        if isinstance(value, np.ndarray) and value.size >= pool.MIN_ENTRIES and \
                pool.owns(value):
            self._released[slot] = value.shape
            self.recorded[slot] = None

    def structure(self) -> tuple | None:
        """Everything a plan of this trace is made from (engine/plans.py's plan_for): the
        records' operations, arguments, parameters and shapes, which of them depend on an
        input, the scalar constants' values (an array constant's is bound when the plan runs),
        the outputs, and the conditions with their answers; None where a parameter or an
        answer is an array (a mask, an index), which a plan holds as it is."""
        records = []
        for k, op in enumerate(self.ops):
            if op is not None:
                param = _hashable(self.params[k])
                if param is _ARRAY:
                    return None
                records.append((op, self.args[k], param, self.shape_at(k),
                                bool(self.depends[k])))
            elif k < self.n_inputs:
                records.append(self.shapes[k])
            else:
                value = self.recorded[k]
                records.append(float(value) if not np.ndim(value) else ("array", value.shape))
        conditions = []
        for condition in self.conditions:
            guard = condition.guard
            if guard is not None and np.ndim(guard[2]):
                return None
            conditions.append((guard, condition.what, condition.where))
        return self.names, tuple(records), self.outputs, tuple(conditions)

    def shape_at(self, slot: int) -> tuple[int, ...]:
        """The shape of a slot's value, whether it is held or let go."""
        if slot in self._released:
            return self._released[slot]
        return np.shape(self.recorded[slot])

    # -- facts
    @property
    def n_inputs(self) -> int:
        return len(self.names)

    @property
    def size(self) -> int:
        """Scalar inputs: the length of the flat gradient."""
        return sum(math.prod(s) for s in self.shapes)

    @property
    def n(self) -> int:
        return self.size

    @property
    def m(self) -> int:
        return len(self.outputs)

    def f(self) -> np.ndarray:
        """The outputs at the traced point, flat."""
        return np.array([float(np.real(self.recorded[k])) for k in self.outputs])

    # -- the tape interface, on flat points
    def forward(self, x: Sequence, constant=None) -> list:
        """Every slot's value at the flat point x: the recorded values at the traced point
        (those let go are None there: a sweep that reads them asks ``values``), else the
        records swept again on x's numbers (``constant`` converts each recorded constant:
        to Expr nodes, to balls)."""
        if constant is None and self._at_point(x):
            return self.recorded
        return self.sweep(split(x, self.shapes), constant)

    def _at_point(self, x) -> bool:
        if x is self.point:
            return True
        if self.point is None or not isinstance(x, np.ndarray) or x.dtype != float:
            return False
        return x.shape == self.point.shape and bool(np.array_equal(x, self.point))

    def outputs_of(self, values: Sequence) -> list:
        return [_scalar(values[k]) for k in self.outputs]

    @property
    def values(self) -> list:
        """Every slot's value at the traced point (those let go after a reverse sweep are
        computed again first, from their records: the same numpy calls, the same numbers)."""
        if self._released:
            released, self._released = sorted(self._released), {}
            with np.errstate(all="ignore"):
                for k in released:  # in slot order: a record's arguments come first
                    op, args = self.ops[k], [self.recorded[j] for j in self.args[k]]
                    self.recorded[k] = op.forward(self.params[k], *args) \
                        if isinstance(op, ops.ShapeOp) else pooled(op, *args)
        return self.recorded

    def release(self, read: set[int]) -> None:
        """Let go of the large values no sweep at the point still reads (the reverse plan
        says which it reads): memory the sweep's own buffers then reuse (engine/pool.py).
        Only the pool's arrays are let go: each is one numpy ufunc of its arguments (the
        tracer wrote it so), which ``values`` computes again when asked, the same numbers."""
        self._release_asked = True
        for k in range(self.n_inputs, len(self.ops)):
            if k not in read and k not in self.outputs:
                self._drop(k)

    def tangents(self, values: Sequence, v: Sequence) -> list:
        values = self.values if values is self.recorded else values
        return [_scalar(t) for t in self.tangent_sweep(split(v, self.shapes), values)]

    def adjoints(self, values: Sequence, r: Sequence):
        """Jᵀ·r as one flat array (a million entries are not made a list). In floats at
        the traced point, the plan's reverse steps (engine/plan.py): the passes the
        mathematics needs, and the same steps the gradient code prints."""
        at_point = values is self.recorded
        plan = self.plan(seeded=list(r) != [1.0]) if at_point and \
            len(self.ops) <= PLAN_RECORDS else None
        if plan is not None:  # its gradient arrays are new: one of them is not copied again
            if any(values[slot] is None for slot, _ in plan.swept_slots):
                values = self.values  # (a value it reads was let go: computed again)
            if not self._release_asked:
                self.release(plan.slots_read)
            gradient = plan.run(cotangent=r, values=values)[1]
            if len(gradient) == 1 and isinstance(gradient[0], np.ndarray) and \
                    gradient[0].dtype == np.float64:
                return gradient[0].reshape(-1)
            return flatten(gradient)
        return flatten(self.adjoint_sweep(list(r), self.values if at_point else values))

    def spreads_nonfinite(self) -> bool:
        return finite.spreads_nonfinite(self)

    def outputs_show_inputs_finite(self) -> bool:
        """Whether this trace's outputs show its inputs finite (engine/finite.py): they
        are, and its plan (made once for every trace of its structure) says that a
        non-finite input would reach them."""
        if len(self.ops) > PLAN_RECORDS:  # (a long scalar path is swept without a plan)
            return False
        try:
            plan = self.plan()
        except Exception:  # noqa: BLE001 - no plan: the inputs are read instead (and the
            return False  # sweep, which finds None kept as the plan, goes without one)
        return plan is not None and plan.spreads_nonfinite and \
            all(math.isfinite(self.recorded[slot]) for slot in self.outputs)

    def plan(self, seeded: bool = False):
        """The plan of this trace's value and gradient (seeded: for any cotangent), made
        once; None where a record has no numpy code (a rule of the user's, a product) or
        the values are not floats."""
        from diffcompare.engine.plans import plan_for

        plans = self.__dict__.setdefault("_plans", {})
        if seeded not in plans:
            plans[seeded] = None
            held = [v for v in self.recorded if v is not None]  # (those let go: floats)
            if all(v.dtype.kind == "f" for v in held if isinstance(v, np.ndarray)) and \
                    not any(type(v) is complex for v in held):
                plans[seeded] = plan_for(self, seeded)
        return plans[seeded]

    def scalar_view(self):
        """The path as a scalar tape (for second derivatives, traces and graphs), made once:
        the records swept with expression nodes for numbers."""
        if getattr(self, "_scalar", None) is None:
            from diffcompare.engine.custom import first_order_only
            from diffcompare.engine.scalar import ScalarTape

            first_order_only(self)

            names = flat_names(self.names, self.shapes)
            self._scalar = ScalarTape.record(self.path_expressions(names), names)
        return self._scalar

    def path_expressions(self, names: Sequence[str]) -> list:
        """The traced path as one expression per output, over the flat inputs ``names``."""
        from fractions import Fraction

        from diffcompare.expr import Const, Var

        count = self.scalar_operations
        if count > SCALAR_LIMIT:
            raise MethodError(f"the traced path has {count:,} scalar operations; methods "
                              f"that need it as expressions stop at {SCALAR_LIMIT:,}")
        symbols = np.empty(self.size, dtype=object)
        symbols[:] = [Var(name) for name in names]

        def constant(value):
            if np.ndim(value):
                out = np.empty(np.shape(value), dtype=object)
                out.flat[:] = [Const(Fraction(float(v))) for v in np.ravel(value)]
                return out
            return Const(Fraction(float(value)))

        values = self.sweep(split(symbols, self.shapes), constant)
        return [_node(values[k]) for k in self.outputs]

    def sites(self, point: Sequence | None = None):
        """Every elementwise operation of the trace, at the traced point, named by the line
        of the user's code that did it."""
        for slot, op in enumerate(self.ops):
            if isinstance(op, ops.Op) and op.arity:
                yield Site(op, [self.values[j] for j in self.args[slot]], self.values[slot],
                           self.depends[slot],
                           lambda op=op, slot=slot: f"{op.name} at {self.lines[slot]}")

    def choice_ties(self) -> frozenset[int]:
        """The inputs on the way to a max or min whose largest (smallest) entry is not the
        only one at the point: a kink, where the choice is not differentiable."""
        found: set[int] = set()
        for slot, op in enumerate(self.ops):
            if isinstance(op, ops.ShapeOp) and op.chooses and self.depends[slot]:
                argument = np.asarray(self.values[self.args[slot][0]], dtype=float)
                if np.count_nonzero(argument == self.values[slot]) > 1:
                    found |= self.depends[slot]
        return frozenset(found)

    def hvp(self, x: Sequence, v: Sequence):
        return self.scalar_view().hvp(x, v)

    def second(self, x: Sequence, u: Sequence, w: Sequence):
        return self.scalar_view().second(x, u, w)

    # -- sweeps over the records, with the inputs' shapes
    def tangent_sweep(self, tangents: Sequence, values: Sequence | None = None) -> list:
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

    def adjoint_sweep(self, cotangent: Sequence | None = None,
                      values: Sequence | None = None) -> list:
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
                if op is ops.GETITEM and j in owned and ops.basic_key(self.params[k]) \
                        and _holds(adjoint[j], bar):
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
                        term = ops.unbroadcast(bar, np.shape(arg_values[i]))
                        fresh = term is not bar
                    else:
                        term = ops.unbroadcast(bar * partial, np.shape(arg_values[i]))
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

    def sweep(self, inputs: Sequence, constant=None) -> list:
        """Every slot's value for inputs (with the inputs' shapes) of another kind of number,
        on the traced path; ``constant`` converts each recorded constant."""
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


def _holds(array: np.ndarray, value) -> bool:
    """Whether ``array`` can take ``value`` added in place (floats cannot take balls)."""
    return np.result_type(array.dtype, np.asarray(value).dtype) == array.dtype


def _scalar(value):
    """An output slot's value as a number (a 0-d array's entry)."""
    return value[()] if isinstance(value, np.ndarray) else value


def _node(value):
    from fractions import Fraction

    from diffcompare.expr import Const, Expr

    value = _scalar(value)
    return value if isinstance(value, Expr) else Const(Fraction(float(value)))


def flat_names(names: Sequence[str], shapes: Sequence[tuple[int, ...]]) -> list[str]:
    """The flat inputs' names: ``x`` for a scalar, ``x[3]``, ``W[1,2]`` for array entries."""
    return list(FlatNames(names, shapes))


class FlatNames(Sequence):
    """The names of a program's flat inputs, made when asked (a million of them cost time
    and memory nobody needs until one is shown): ``x`` for a scalar input, ``x[3]`` or
    ``W[1,2]`` for an entry of an array, in C order."""

    def __init__(self, names: Sequence[str], shapes: Sequence[tuple[int, ...]]):
        # plain Python over a few inputs: made once per problem, so per library call
        self.names, self.shapes = tuple(names), tuple(tuple(s) for s in shapes)
        self.sizes = [math.prod(s) for s in self.shapes]
        self.starts = [0, *itertools.accumulate(self.sizes)]

    def __len__(self) -> int:
        return self.starts[-1]

    def __iter__(self):
        for name, shape in zip(self.names, self.shapes):
            if not shape:
                yield name
                continue
            for index in np.ndindex(*shape):
                yield f"{name}[{','.join(map(str, index))}]"

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self)))]
        k = int(k)
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        i = bisect.bisect_right(self.starts, k) - 1
        if not self.shapes[i]:
            return self.names[i]
        index = np.unravel_index(k - self.starts[i], self.shapes[i])
        return f"{self.names[i]}[{','.join(str(int(j)) for j in index)}]"

    def index(self, name: str, *_) -> int:
        base, _, rest = name.partition("[")
        if base not in self.names:
            raise ValueError(f"{name!r} is not an input")
        i = self.names.index(base)
        if not rest:
            if self.shapes[i]:
                raise ValueError(f"{name!r} is an array: name an entry, {base}[0]")
            return self.starts[i]
        try:
            index = tuple(int(p) for p in rest.rstrip("]").split(","))
            return self.starts[i] + int(np.ravel_multi_index(index, self.shapes[i]))
        except ValueError:
            raise ValueError(f"{name!r} is not an entry of {base}") from None

    def __contains__(self, name) -> bool:
        try:
            self.index(name)
        except (ValueError, TypeError):
            return False
        return True


def flatten(parts: Sequence) -> np.ndarray:
    """Values with the inputs' shapes, as one flat vector in C order: floats, or, where
    the parts hold other numbers (complex numbers, balls, expression nodes), their kind."""
    if not parts:
        return np.zeros(0)
    arrays = [np.asarray(p) for p in parts]
    if all(a.dtype.kind in "biuf" for a in arrays):
        return np.concatenate([np.ravel(a).astype(float, copy=False) for a in arrays])
    flat = [np.ravel(a) for a in arrays]
    if all(a.dtype.kind in "biufc" for a in arrays):
        return np.concatenate(flat)
    return np.concatenate([a.astype(object) for a in flat])


def split(flat, shapes: Sequence[tuple[int, ...]]) -> list:
    """A flat vector back into values of the given shapes (a float for shape ())."""
    flat = flat if isinstance(flat, np.ndarray) else _array_of(flat)
    if len(shapes) == 1 and flat.shape == shapes[0]:  # one vector input: the vector itself
        return [flat]
    parts, start = [], 0
    for shape in shapes:
        count = math.prod(shape)
        piece = flat[start:start + count]
        if shape:
            parts.append(piece.reshape(shape))
        elif piece.dtype.kind == "f":  # a plain float: scalar arithmetic keeps its fast path
            parts.append(piece[0].item())
        else:  # numpy's complex scalars compare (by real part first); Python's do not
            parts.append(piece[0])
        start += count
    return parts


def _array_of(values) -> np.ndarray:
    """A flat list as an array: of floats, or of objects (balls, nodes) kept as they are."""
    values = list(values)
    if all(type(v) is float for v in values):
        return np.array(values, dtype=float)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


_ARRAY = object()  # a parameter that is an array: no plan is made for two traces with it


def _union(depends: list, args: Sequence[int]) -> frozenset:
    """The inputs a record of these arguments depends on: one argument's own set where it
    holds the others' (most records: no new set made per operation)."""
    if len(args) == 1:
        return depends[args[0]]
    if len(args) == 2:
        a, b = depends[args[0]], depends[args[1]]
        return a if b <= a else b if a <= b else a | b
    return frozenset().union(*(depends[j] for j in args))


def _hashable(param):
    """A record's parameter (an index, an axis, a shape) as a key; _ARRAY for an array."""
    if isinstance(param, np.ndarray):
        return _ARRAY
    if isinstance(param, slice):
        return ("slice", param.start, param.stop, param.step)
    if isinstance(param, (tuple, list)):
        parts = tuple(_hashable(p) for p in param)
        return _ARRAY if _ARRAY in parts else (type(param).__name__, parts)
    if isinstance(param, np.integer):
        return int(param)
    try:
        hash(param)
    except TypeError:
        return _ARRAY
    return param


def pooled(op: ops.Op, *values, out: np.ndarray | None = None):
    """op on its arguments' values, as ops.apply computes it; where that is one numpy ufunc
    over arrays of floats (a square: a product), written into an array of the pool's
    (engine/pool.py), whose memory a trace has let go, or into ``out`` (an argument's own,
    where the tracer found it a temporary) when it has the result's shape: the same numbers.
    The tracer records with it, and a value let go is computed again with it (so it can be
    let go again)."""
    ufunc, operands = op.array, values
    if op is ops.POW and len(values) == 2 and type(values[1]) in (int, float) and \
            values[1] == 2:
        ufunc, operands = np.multiply, (values[0], values[0])  # as ops.POW squares arrays
    if isinstance(ufunc, np.ufunc) and ufunc.nin == len(operands):
        shape = _float_shape(operands)
        if out is None or out.shape != shape:
            out = None if shape is None else pool.take(shape)
        if out is not None:
            return ufunc(*operands, out=out)
    return ops.apply(op, *values)


def _float_shape(values: tuple) -> tuple[int, ...] | None:
    """The broadcast shape of values that are arrays of floats and plain numbers, one of
    them large enough for the pool; else None."""
    shapes, large = [], False
    for value in values:
        if isinstance(value, np.ndarray):
            if value.dtype != np.float64:
                return None
            shapes.append(value.shape)
            large = large or value.size >= pool.MIN_ENTRIES
        elif type(value) not in (int, float):
            return None
    if not large:
        return None
    # one shape, or the same twice (most operations): no broadcasting to work out (numpy's
    # broadcast_shapes costs 3 µs, as much as a pass over 10^4 entries)
    return shapes[0] if len(set(shapes)) == 1 else np.broadcast_shapes(*shapes)
