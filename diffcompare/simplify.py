"""Light, honest simplification while building derivative trees.

Only identities a student applies without thinking: 0*u -> 0, 1*u -> u, u + 0 -> u,
u**1 -> u, --u -> u, and folding of constants when the result is an exact rational of
modest size. Never sympy's simplify: the point is to show the rules, not to hide them.
(0*u -> 0 forgets that u may be undefined at a point: the derivative of a product with a
constant factor is the textbook answer, and the domain is checked separately.)
"""

from __future__ import annotations

from fractions import Fraction

from . import ops
from .expr import Call, Const, Expr

# Folding c**k stays exact only for integer k; beyond this many bits it stays a power.
_MAX_FOLDED_BITS = 256


def build(op: ops.Op, args: tuple[Expr, ...]) -> Expr:
    """The node ``op(*args)``, simplified where an identity applies."""
    consts = [a.value if isinstance(a, Const) else None for a in args]
    if args and all(c is not None for c in consts):
        folded = _fold(op, consts)
        if folded is not None:
            return Const(folded)
    simpler = _identity(op, args, consts)
    return simpler if simpler is not None else Call(op, args)


def _fold(op: ops.Op, values: list[Fraction]) -> Fraction | None:
    if op is ops.ADD:
        return values[0] + values[1]
    if op is ops.SUB:
        return values[0] - values[1]
    if op is ops.MUL:
        return values[0] * values[1]
    if op is ops.NEG:
        return -values[0]
    if op is ops.DIV and values[1] != 0:
        return values[0] / values[1]
    if op is ops.POW:
        base, exponent = values
        if exponent.denominator == 1 and (base != 0 or exponent >= 0):
            bits = max(base.numerator.bit_length(), base.denominator.bit_length())
            if bits * abs(exponent.numerator) <= _MAX_FOLDED_BITS:
                return base ** exponent.numerator
    return None


def _identity(op: ops.Op, args: tuple[Expr, ...], consts: list[Fraction | None]) -> Expr | None:
    zero, one = Const(0), Const(1)
    if op is ops.ADD:
        u, v = args
        if consts[0] == 0:
            return v
        if consts[1] == 0:
            return u
        if isinstance(v, Call) and v.op is ops.NEG:  # u + -w -> u - w
            return build(ops.SUB, (u, v.args[0]))
    elif op is ops.SUB:
        u, v = args
        if consts[1] == 0:
            return u
        if consts[0] == 0:
            return build(ops.NEG, (v,))
        if u is v:
            return zero
        if isinstance(v, Call) and v.op is ops.NEG:  # u - -w -> u + w
            return build(ops.ADD, (u, v.args[0]))
    elif op is ops.MUL:
        u, v = args
        if consts[0] == 0 or consts[1] == 0:
            return zero
        if consts[0] == 1:
            return v
        if consts[1] == 1:
            return u
        if consts[0] == -1:
            return build(ops.NEG, (v,))
        if consts[1] == -1:
            return build(ops.NEG, (u,))
        if consts[0] is None and consts[1] is not None:  # u*c -> c*u, as textbooks write it
            return build(ops.MUL, (v, u))
        if isinstance(u, Call) and u.op is ops.NEG:  # (-a)*b -> -(a*b)
            return build(ops.NEG, (build(ops.MUL, (u.args[0], v)),))
        if isinstance(v, Call) and v.op is ops.NEG:
            return build(ops.NEG, (build(ops.MUL, (u, v.args[0])),))
        if _is_reciprocal(u):  # (1/a)*w -> w/a
            return build(ops.DIV, (v, u.args[1]))
        if _is_reciprocal(v):
            return build(ops.DIV, (u, v.args[1]))
        if isinstance(u, Call) and u.op is ops.DIV:  # (a/b)*w -> (a*w)/b
            return build(ops.DIV, (build(ops.MUL, (u.args[0], v)), u.args[1]))
        if consts[0] is not None and isinstance(v, Call) and v.op is ops.MUL \
                and isinstance(v.args[0], Const):  # c1*(c2*w) -> (c1*c2)*w
            return build(ops.MUL, (Const(consts[0] * v.args[0].value), v.args[1]))
    elif op is ops.DIV:
        u, v = args
        if consts[1] == 1:
            return u
        if consts[0] == 0 and consts[1] != 0:
            return zero
        if isinstance(u, Call) and u.op is ops.NEG:  # (-a)/b -> -(a/b)
            return build(ops.NEG, (build(ops.DIV, (u.args[0], v)),))
    elif op is ops.NEG:
        (u,) = args
        if isinstance(u, Call) and u.op is ops.NEG:
            return u.args[0]
    elif op is ops.POW:
        u, v = args
        if consts[1] == 1:
            return u
        if consts[1] == 0:
            return one
        if consts[0] == 1:
            return one
    return None


def _is_reciprocal(node: Expr) -> bool:
    return isinstance(node, Call) and node.op is ops.DIV and node.args[0] is Const(1)
