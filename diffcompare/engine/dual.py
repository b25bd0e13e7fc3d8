"""Dual numbers v + v'ε with ε² = 0: forward-mode AD by operator overloading.

Every operation goes through ops.apply, which hands it here; the tangent is the chain rule
with the local partials from ops.py, evaluated at the primal values. Arguments that are not
dual numbers (constants, inputs not being differentiated) carry no tangent, so their
partials are never evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass

from diffcompare.ops import Op


@dataclass(frozen=True, slots=True)
class Dual:
    primal: object
    tangent: object

    @staticmethod
    def __dc_apply__(op: Op, args: tuple) -> Dual:
        primals = [a.primal if isinstance(a, Dual) else a for a in args]
        tangent = 0.0
        for i, a in enumerate(args):
            if isinstance(a, Dual):
                tangent = tangent + op.partials[i](*primals) * a.tangent
        return Dual(op.evaluate(*primals), tangent)


def primal(value):
    return value.primal if isinstance(value, Dual) else value


def tangent(value):
    return value.tangent if isinstance(value, Dual) else 0.0
