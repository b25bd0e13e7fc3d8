"""The scalar tape's sweeps specialized to plain floats: the common case, made cheap.

The generic sweeps (tape.py) dispatch every operation through ``ops.apply`` and every
partial through the generic functions, so that one code path serves floats, complex
numbers, arrays, dual numbers and mpmath numbers. For plain floats that costs a few Python
calls per operation. Here the tape is compiled once into flat plans: for the forward
sweep, (slot, float function, argument slots); for the reverse sweep, each partial of each
record in one of a few shapes, read off the ops table's own partials by applying them to
expression nodes (the manual rules' trick): a constant (a sum's 1, a difference's -1), the
other argument (a product), a function of the argument (sin's cos), or its negation (cos's
-sin). Anything else calls the table's partial as the generic sweep does. So the calculus
stays in ops.py, and the numbers are the generic sweeps' bit for bit: the same IEEE-safe
float functions, and the same structural zeros (an exact zero partial contributes nothing,
so 0·∞ = 0).
"""

from __future__ import annotations

from fractions import Fraction

from diffcompare import ops

_CONSTANT, _ARGUMENT, _FUNCTION, _NEGATED, _GENERIC, _PLUS, _MINUS = range(7)


def _shape_of(op: ops.Op, i: int):
    """(kind, detail) of the partial of ``op`` in its argument i, from the table: the
    partial applied to two variables shows what it is made of."""
    from diffcompare.expr import Call, Const, Var

    names = [Var("_u"), Var("_v")][: op.arity]
    found = op.partials[i](*names)
    if isinstance(found, (int, Fraction)) or isinstance(found, Const):
        value = found.value if isinstance(found, Const) else found
        return _CONSTANT, float(value)
    if isinstance(found, Var):
        return _ARGUMENT, names.index(found)
    if isinstance(found, Call) and found.op.arity == 1 and found.args[0] is names[0]:
        return _FUNCTION, found.op.real
    if isinstance(found, Call) and found.op is ops.NEG and isinstance(found.args[0], Call) \
            and found.args[0].op.arity == 1 and found.args[0].args[0] is names[0] \
            and op.arity == 1:
        return _NEGATED, found.args[0].op.real
    return _GENERIC, None


_SHAPES: dict[tuple[int, int], tuple] = {}


def partial_shape(op: ops.Op, i: int) -> tuple:
    key = (id(op), i)
    if key not in _SHAPES:
        _SHAPES[key] = _shape_of(op, i)
    return _SHAPES[key]


def _term(op: ops.Op, k: int, i: int, args) -> tuple:
    """Record k's term for its argument i: (k, the argument's slot, the partial's shape,
    its detail, the slot it reads); a partial of no simple shape keeps (op, i, args)."""
    kind, detail = partial_shape(op, i)
    if kind == _CONSTANT and detail in (1.0, -1.0):
        return k, args[i], _PLUS if detail == 1.0 else _MINUS, None, None
    if kind == _GENERIC:
        return k, args[i], kind, (op, i, args), None
    return k, args[i], kind, detail, args[detail] if kind == _ARGUMENT else args[0]


class FloatPlan:
    """A tape compiled for float sweeps. The slot ``sink`` (one past the last) takes the
    adjoint of arguments that do not depend on an input, so the reverse loop needs no test."""

    def __init__(self, tape):
        self.size = len(tape.ops)
        self.sink = self.size
        self.n_inputs = tape.n_inputs
        self.outputs = tape.outputs
        self.constants = [(k, tape.constants[k]) for k in range(tape.n_inputs, self.size)
                          if tape.ops[k] is None]
        self.forward_plan = []
        self.reverse_plan = []
        for k in range(tape.n_inputs, self.size):
            op = tape.ops[k]
            if op is None:
                continue
            if not op.arity:  # pi, e: a constant like any other
                self.constants.append((k, op.real()))
                continue
            args = tape.args[k]
            self.forward_plan.append((k, op.real, args[0], args[1] if len(args) > 1 else -1))
            if tape.active[k]:
                self.reverse_plan.append([_term(op, k, i, args)
                                          for i, j in enumerate(args) if tape.active[j]])
        # one entry per active argument: the records from the last, each one's arguments
        # in their order (as the generic sweep adds them: x**x adds its two terms in turn)
        self.reverse_plan = [term for terms in reversed(self.reverse_plan) for term in terms]

    def forward(self, inputs) -> list[float]:
        values = [0.0] * self.size
        values[: self.n_inputs] = inputs
        for k, value in self.constants:
            values[k] = value
        for k, fn, a, b in self.forward_plan:
            values[k] = fn(values[a]) if b < 0 else fn(values[a], values[b])
        return values

    def reverse(self, values, cotangent) -> list[float]:
        adjoint = [0.0] * self.size
        for slot, r in zip(self.outputs, cotangent):
            adjoint[slot] += r
        # (one flat loop over the records' terms: a record's terms are consecutive, and
        # none writes its own record's adjoint, so each reads the adjoint it had)
        for k, j, kind, detail, source in self.reverse_plan:
            g = adjoint[k]
            if g == 0.0:
                continue
            if kind == _PLUS:  # g * 1.0 is g, and x + g * -1.0 is x - g, exactly
                adjoint[j] += g
                continue
            if kind == _MINUS:
                adjoint[j] -= g
                continue
            if kind == _ARGUMENT:
                partial = values[source]
            elif kind == _FUNCTION:
                partial = detail(values[source])
            elif kind == _CONSTANT:
                partial = detail
            elif kind == _NEGATED:
                partial = -detail(values[source])
            else:
                op, i, args = detail
                partial = op.partials[i](*[values[s] for s in args])
                if ops.is_exact_zero(partial):
                    continue
                adjoint[j] = adjoint[j] + g * partial
                continue
            if partial != 0.0:  # an exact zero partial is a structural zero
                adjoint[j] += g * partial
        return adjoint
