"""Dual numbers v + v'ε with ε² = 0: forward-mode AD by operator overloading.

Each dual carries a tag, the differentiation it belongs to. An operation on duals works for
the newest tag among its arguments and treats everything else (plain numbers, duals of
older tags) as constants; their own arithmetic happens one level down, through the same
generic functions. So duals nest: a dual whose parts are duals gives second derivatives
(forward-over-forward), and a reverse sweep run on duals gives Hessian columns
(forward-over-reverse). Without tags, d/dx [x · d/dy (x + y)] would come out 2 instead of 1
(perturbation confusion; Siskind & Pearlmutter 2005, the tagging of JAX's tracers).

The tangent is the chain rule with the local partials from ops.py, evaluated at the primals;
an argument that carries no tangent for this tag never has its partial evaluated.
"""

from __future__ import annotations

import itertools

from diffcompare import ops
from diffcompare.ops import Op

_next_tag = itertools.count(1)


def new_tag() -> int:
    """A tag no dual carries yet; later tags are nested inside earlier ones."""
    return next(_next_tag)


class Dual(ops.Arithmetic):
    __slots__ = ("primal", "tangent", "tag")
    dc_outer = True  # ops.apply lets a dual take an operation before expressions or balls

    def __init__(self, primal, tangent, tag: int = 0):
        self.primal = primal
        self.tangent = tangent
        self.tag = tag

    def __repr__(self) -> str:
        return f"Dual({self.primal!r}, {self.tangent!r}, tag={self.tag})"

    @staticmethod
    def __dc_apply__(op: Op, args: tuple) -> Dual:
        tag = max(a.tag for a in args if isinstance(a, Dual))
        mine = [isinstance(a, Dual) and a.tag == tag for a in args]
        primals = [a.primal if own else a for a, own in zip(args, mine)]
        tangent = 0.0
        for i, (a, own) in enumerate(zip(args, mine)):
            # An exact zero tangent contributes nothing, whatever the partial (0·∞ = 0):
            # the structural zero of ops.is_exact_zero, as in the reverse sweep.
            if own and not ops.is_exact_zero(a.tangent):
                tangent = tangent + op.partials[i](*primals) * a.tangent
        return Dual(ops.apply(op, *primals), tangent, tag)

    # Arithmetic goes through the ops table (ops.Arithmetic), so nested duals and numbers
    # mix freely.
    def __pos__(self): return self
    def __abs__(self): return ops.apply(ops.ABS, self)

    # Comparisons look at the value only: a branch is resolved at the point.
    def __lt__(self, other): return primal(self) < primal(other)
    def __le__(self, other): return primal(self) <= primal(other)
    def __gt__(self, other): return primal(self) > primal(other)
    def __ge__(self, other): return primal(self) >= primal(other)


def primal(value):
    """The plain number under any nesting of duals."""
    while isinstance(value, Dual):
        value = value.primal
    return value


def tangent_of(value, tag: int):
    """The ε-coefficient of ``value`` for ``tag``: 0 when it does not depend on it; for a
    value that carries a newer tag too, that tag's structure is kept around the result."""
    if not isinstance(value, Dual) or value.tag < tag:
        return 0.0
    if value.tag == tag:
        return value.tangent
    return Dual(tangent_of(value.primal, tag), tangent_of(value.tangent, tag), value.tag)


def derivative(f, x):
    """d f / d x at ``x`` for a function of one number, by a fresh dual: nestable."""
    tag = new_tag()
    return tangent_of(f(Dual(x, 1.0, tag)), tag)
