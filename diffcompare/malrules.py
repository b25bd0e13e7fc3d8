"""The wrong rules students apply ("mal-rules", "buggy rules" in the tutoring literature:
Sleeman 1982, Payne & Squibb 1990), one table, as ops.py is the table of the right ones.

Each entry rewrites one rule application: given the node being differentiated and its
arguments' derivatives (None for an argument that does not depend on the variable), it
returns the derivative a student applying the wrong rule writes there, or None where the
rule does not apply. ``grade`` applies each, one step of the derivation at a time, and
reports the first that reproduces a wrong answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from diffcompare import ops
from diffcompare.expr import Call, Const, Expr

Inner = tuple  # per argument of the node, its derivative (an Expr), or None if constant


@dataclass(frozen=True)
class MalRule:
    name: str  # stable, for JSON and tests
    wording: str  # the wrong rule as a student states it
    missing: str  # what the right rule has that this one lacks, said to the student
    ops: tuple[ops.Op, ...]  # the operations whose rule it corrupts
    wrong: Callable[[Call, Inner], Expr | None]

    def applied(self, node: Expr, inner: Inner) -> Expr | None:
        if not isinstance(node, Call) or node.op not in self.ops:
            return None
        return self.wrong(node, inner)


def _both(inner: Inner) -> bool:
    return all(d is not None for d in inner)


def _chained(node: Call, inner: Inner) -> Expr | None:
    """f'(u) without the factor u': where u is not the variable itself (u' ≠ 1). For a
    power uⁿ of a constant n, the outer derivative n·uⁿ⁻¹ alone."""
    du = inner[0]
    if du is None or du is Const(1):
        return None
    if node.op is ops.POW:
        if inner[1] is not None:  # a variable exponent: not the power rule's chain
            return None
        return node.op.partials[0](*node.args)
    (u,) = node.args
    return node.op.partials[0](u)


def _product_of_derivatives(node, inner):
    return inner[0] * inner[1] if _both(inner) else None


def _product_one_term(node, inner):
    return inner[0] * node.args[1] if _both(inner) else None


def _quotient_sign(node, inner):
    if not _both(inner):
        return None
    (u, v), (du, dv) = node.args, inner
    return (u * dv - du * v) / (v * v)


def _quotient_no_square(node, inner):
    if not _both(inner):
        return None
    (u, v), (du, dv) = node.args, inner
    return (du * v - u * dv) / v


def _quotient_of_derivatives(node, inner):
    return inner[0] / inner[1] if _both(inner) else None


def _constant_exponent(node: Call) -> Expr | None:
    exponent = node.args[1]
    return exponent if isinstance(exponent, Const) else None


def _power_not_lowered(node, inner):
    du, dv = inner
    n = _constant_exponent(node)
    if du is None or dv is not None or n is None:
        return None
    return n * node.args[0] ** n * du


def _power_no_coefficient(node, inner):
    du, dv = inner
    n = _constant_exponent(node)
    if du is None or dv is not None or n is None or n is Const(1):
        return None
    return node.args[0] ** (n - 1) * du


def _exponential_as_power(node, inner):
    """d/dx a^x = x·a^(x-1): the power rule on a variable exponent."""
    du, dv = inner
    if du is not None or dv is None:
        return None
    base, exponent = node.args
    return exponent * base ** (exponent - 1) * dv


def _log_reciprocal(node, inner):
    (du,) = inner
    if du is None or du is Const(1):
        return None
    return Const(1) / node.args[0]


def _sine_negative(node, inner):
    (du,) = inner
    return None if du is None else -ops.cos(node.args[0]) * du


def _cosine_positive(node, inner):
    (du,) = inner
    return None if du is None else ops.sin(node.args[0]) * du


def _exp_lowered(node, inner):
    """d/dx e^u = u·e^(u-1): e^u taken for a power of u."""
    (du,) = inner
    if du is None:
        return None
    (u,) = node.args
    return u * ops.exp(u - 1) * du


def _sqrt_no_half(node, inner):
    (du,) = inner
    return None if du is None else du / ops.sqrt(node.args[0])


def _tan_secant(node, inner):
    """tan' = sec(u), not sec²(u)."""
    (du,) = inner
    return None if du is None else du / ops.cos(node.args[0])


def _sum_keeps_constant(node, inner):
    """(u + c)' = u' + c: the constant's derivative kept as the constant."""
    du, dc = inner
    c = node.args[1]
    if du is None or dc is not None or not isinstance(c, Const):
        return None
    return du + c if node.op is ops.ADD else du - c


MALRULES: tuple[MalRule, ...] = (
    MalRule("product-as-product-of-derivatives", "the product rule as (u·v)' = u'·v'",
            "the product rule is u'·v + u·v'", (ops.MUL,), _product_of_derivatives),
    MalRule("product-one-term", "the product rule with one term: (u·v)' = u'·v",
            "the term u·v' is missing", (ops.MUL,), _product_one_term),
    MalRule("quotient-sign-flipped", "the quotient rule with the sign flipped: "
            "(u/v)' = (u·v' - u'·v)/v²", "the numerator is u'·v - u·v', not the other way",
            (ops.DIV,), _quotient_sign),
    MalRule("quotient-without-square", "the quotient rule over v, not v²: "
            "(u/v)' = (u'·v - u·v')/v", "the denominator is v²", (ops.DIV,),
            _quotient_no_square),
    MalRule("quotient-as-quotient-of-derivatives", "the quotient rule as (u/v)' = u'/v'",
            "the quotient rule is (u'·v - u·v')/v²", (ops.DIV,), _quotient_of_derivatives),
    MalRule("power-not-lowered", "the power rule without lowering the exponent: "
            "(uⁿ)' = n·uⁿ·u'", "the exponent drops by one: n·uⁿ⁻¹", (ops.POW,),
            _power_not_lowered),
    MalRule("power-without-coefficient", "the power rule without the coefficient: "
            "(uⁿ)' = uⁿ⁻¹·u'", "the factor n is missing", (ops.POW,), _power_no_coefficient),
    MalRule("exponential-as-power", "the power rule on a variable exponent: "
            "(aᵘ)' = u·aᵘ⁻¹·u'", "for a variable exponent (aᵘ)' = aᵘ·ln(a)·u'", (ops.POW,),
            _exponential_as_power),
    MalRule("log-reciprocal-only", "d/dx ln(u) = 1/u", "the factor u' is missing: "
            "(ln u)' = u'/u", (ops.LOG,), _log_reciprocal),
    MalRule("sine-derivative-negative", "d/dx sin(u) = -cos(u)·u'", "sin' = cos, with no "
            "minus sign", (ops.SIN,), _sine_negative),
    MalRule("cosine-derivative-positive", "d/dx cos(u) = sin(u)·u'", "cos' = -sin: the "
            "minus sign is missing", (ops.COS,), _cosine_positive),
    MalRule("exp-as-power", "the power rule on eᵘ: (eᵘ)' = u·eᵘ⁻¹·u'", "(eᵘ)' = eᵘ·u'",
            (ops.EXP,), _exp_lowered),
    MalRule("sqrt-without-half", "d/dx √u = u'/√u", "the factor 1/2 is missing: "
            "(√u)' = u'/(2√u)", (ops.SQRT,), _sqrt_no_half),
    MalRule("tan-as-secant", "d/dx tan(u) = sec(u)·u'", "tan' = sec² = 1 + tan²",
            (ops.TAN,), _tan_secant),
    MalRule("sum-keeps-constant", "the sum rule keeping the constant: (u + c)' = u' + c",
            "a constant's derivative is 0", (ops.ADD, ops.SUB), _sum_keeps_constant),
    # last: the most general, so a rule with its own wording goes first
    MalRule("chain-without-inner-derivative", "the chain rule without the inner "
            "derivative: f(u)' = f'(u)", "the factor u' (the inner derivative) is missing",
            (*(op for op in ops.ALL_OPS if op.arity == 1 and op is not ops.NEG), ops.POW),
            _chained),
)

BY_NAME = {rule.name: rule for rule in MALRULES}
assert len(BY_NAME) == len(MALRULES)
