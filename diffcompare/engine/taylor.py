"""Derivatives of any order along a direction, from the tape: Taylor mode (truncated Taylor
polynomials through every record, ops.TAYLOR's recurrences) and, to show why it exists,
nested forward duals (a dual inside a dual, K deep: 2ᴷ components). Both sweep the same
tape; ``Counted`` numbers count the elementary operations either spends.

Along x + t·v, f(x + t·v) = Σ a_k t^k and the k-th directional derivative is k!·a_k.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from diffcompare import ops
from diffcompare.engine.balls import ball, is_ball
from diffcompare.engine.dual import Dual, new_tag, primal, tangent_of


class Counted(ops.Arithmetic):
    """A number that counts the elementary operations done on it (one per +, -, ×, ÷, and
    per function), in ``Counted.operations``: what a method costs, measured, not modelled."""

    __slots__ = ("value",)
    operations = 0

    def __init__(self, value):
        self.value = value

    @staticmethod
    def __dc_apply__(op: ops.Op, args: tuple):  # (a dual among args goes first: ops.apply)
        Counted.operations += 1
        return Counted(op.evaluate(*(a.value if type(a) is Counted else a for a in args)))

    def __float__(self) -> float:
        return float(self.value)

    def __lt__(self, other): return self.value < _plain(other)
    def __le__(self, other): return self.value <= _plain(other)
    def __gt__(self, other): return self.value > _plain(other)
    def __ge__(self, other): return self.value >= _plain(other)
    def __eq__(self, other): return self.value == _plain(other)
    def __ne__(self, other): return self.value != _plain(other)
    __hash__ = None


def _plain(value):
    return value.value if type(value) is Counted else value


def counting(call: Callable, *args) -> tuple[object, int]:
    """``call(*args)`` and the elementary operations it did on Counted numbers."""
    before = Counted.operations
    result = call(*args)
    return result, Counted.operations - before


def taylor_coefficients(tape, x: Sequence, v: Sequence, order: int,
                        number: Callable = float) -> list[list]:
    """Per output, the Taylor coefficients a_0 … a_order of f(x + t·v), from one sweep of
    the tape in truncated polynomial arithmetic. ``number`` makes the inputs' numbers
    (float, Counted, ball); with balls every constant is its exact rational."""
    exact = number is ball
    values: list = []
    for slot, op in enumerate(tape.ops):
        if slot < tape.n_inputs:
            xi, vi = number(x[slot]), v[slot]
            values.append([xi, number(vi)] + [number(0.0)] * (order - 1) if vi else xi)
        elif op is None:
            values.append(ball(tape.nodes[slot].value) if exact else tape.constants[slot])
        elif not op.arity:
            values.append(op.ball() if exact else op.real())
        else:
            arguments = [values[j] for j in tape.args[slot]]
            if any(isinstance(a, list) for a in arguments):
                values.append(ops.TAYLOR[op](*arguments))
            else:
                values.append(ops.apply(op, *arguments))
    return [_padded(values[k], order + 1) for k in tape.outputs]


def _padded(value, length: int) -> list:
    return value if isinstance(value, list) else [value] + [0.0] * (length - 1)


def derivatives_from(coefficients: Sequence) -> list:
    """f′ … f⁽ᴷ⁾ from a_0 … a_K: k!·a_k."""
    return [math.factorial(k) * a for k, a in enumerate(coefficients) if k]


def nested_dual_derivatives(tape, x: Sequence, v: Sequence, order: int,
                            number: Callable = float) -> list[list]:
    """Per output, f′ … f⁽ᴷ⁾ along v from one sweep on duals nested ``order`` deep: each
    input is x + v·(ε₁ + … + ε_K), and f⁽ʲ⁾ is the coefficient of ε₁ε₂…ε_j."""
    tags = [new_tag() for _ in range(order)]
    seeds = []
    for xi, vi in zip(x, v):
        seed = number(xi)
        if vi:
            for tag in tags:
                seed = Dual(seed, number(vi), tag)
        seeds.append(seed)
    from diffcompare.engine.scalar import primal_at

    values = tape.forward(seeds)
    found = []
    for k in tape.outputs:
        per_order = []
        for j in range(1, order + 1):
            value = values[k]
            for tag in reversed(tags[j:]):
                value = primal_at(value, tag)
            for tag in reversed(tags[:j]):
                value = tangent_of(value, tag)
            per_order.append(primal(value))
        found.append(per_order)
    return found


def as_float(value) -> float:
    """A Counted number, a ball's midpoint or a float, as a float."""
    if type(value) is Counted:
        value = value.value
    if is_ball(value):
        from diffcompare.engine.balls import midpoint

        return midpoint(value)
    return float(value)


__all__ = ["Counted", "as_float", "counting", "derivatives_from", "nested_dual_derivatives",
           "taylor_coefficients"]
