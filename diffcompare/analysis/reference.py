"""The exact reference: sympy's derivative evaluated at high precision (40 digits).

Every method's error is measured against this, never against another float method. The
point's coordinates are binary floats, so they are substituted exactly (as rationals), and
sympy's evalf works adaptively to the requested digits before rounding once to float64.

Where f is not real at the point there is no derivative. Where a non-smooth operation
(abs at 0, sqrt at 0) sits on the path from an input, sympy would still answer with a
convention (sign(0) = 0); the reference first compares the one-sided slopes at 60 digits
and reports the partial as not existing when they disagree.

sympy runs under a time limit. Past it, or where sympy leaves a derivative unevaluated, the
reference is our manual-rule derivative (also exact) evaluated with mpmath at 60 digits.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction

from diffcompare.analysis.diagnostics import NON_DIFFERENTIABLE, diagnose
from diffcompare.budget import TimedOut, within
from diffcompare.problem import Problem

DIGITS = 40
SLOPE_DIGITS = 60
SLOPE_STEP = Fraction(1, 10**20)  # relative to max(1, |x|); leaves 40 digits for the slope
SLOPE_AGREEMENT = 1e-8  # one-sided slopes of a smooth f differ by about h*f'': ~1e-20


@dataclass(frozen=True)
class Reference:
    value: float
    gradient: tuple[float, ...]
    digits: int = DIGITS
    failure: str | None = None  # why there is no reference at all
    notes: tuple[str, ...] = ()  # partials that do not exist here, and other caveats
    source: str = "sympy"  # or "manual rules (mpmath)"
    absent: tuple[str | None, ...] = ()  # per partial: why it does not exist here, or None


def exact_reference(problem: Problem, digits: int = DIGITS,
                    timeout: float | None = None) -> Reference:
    """sympy's derivative at ``digits`` digits; past ``timeout`` seconds, the manual rules'."""
    try:
        return within(timeout, _sympy_reference, problem, digits)
    except TimedOut as exc:
        fallback = mp_reference(problem, digits)
        note = (f"sympy {exc}; the reference is the manual rules' exact derivative, "
                f"evaluated with mpmath at {SLOPE_DIGITS} digits")
        return replace(fallback, notes=(note, *fallback.notes))


def _sympy_reference(problem: Problem, digits: int) -> Reference:
    import sympy

    from diffcompare.methods.manual import differentiate
    from diffcompare.methods.symbolic import sympy_derivatives
    from diffcompare.sympy_bridge import exact_point, rational, symbols_for, to_sympy

    f, derivatives = sympy_derivatives(problem)
    symbols = symbols_for(problem.variables)
    at = exact_point(problem.variables, problem.point, symbols)
    notes = []
    for i, d in enumerate(derivatives):
        if d.has(sympy.Derivative):  # sympy could not do it (sign of a function, say)
            derivatives[i] = to_sympy(differentiate(problem.expr, problem.variables[i]),
                                      symbols)
            notes.append(f"d/d{problem.variables[i]}: sympy left the derivative unevaluated; "
                         "the reference uses the manual rules' exact derivative instead")

    def f_at(name: str, offset: Fraction):
        shifted = {**at, symbols[name]: at[symbols[name]] + rational(offset)}
        return f.evalf(SLOPE_DIGITS, subs=shifted)

    return _assemble(problem, high_precision(f, at, digits),
                     [high_precision(d, at, digits) for d in derivatives], f_at, notes, digits,
                     "sympy")


def mp_reference(problem: Problem, digits: int = DIGITS) -> Reference:
    """The manual rules' derivatives, evaluated with mpmath (no sympy involved)."""
    import mpmath

    from diffcompare.engine.tape import Tape
    from diffcompare.methods.manual import differentiate

    def exact(value: Fraction):
        return mpmath.mpf(value.numerator) / value.denominator

    def evaluate(expr, offsets: dict[str, Fraction] | None = None):
        point = [mpmath.mpf(x) + exact((offsets or {}).get(v, Fraction(0)))
                 for v, x in zip(problem.variables, problem.point)]
        tape = Tape.record(expr, problem.variables)
        return tape.forward(point, exact_constants=exact)[tape.output]

    with mpmath.workdps(SLOPE_DIGITS):
        value = _real(evaluate(problem.expr))
        gradient = [_real(evaluate(differentiate(problem.expr, v))) for v in problem.variables]

        def f_at(name: str, offset: Fraction):
            return evaluate(problem.expr, {name: offset})

        return _assemble(problem, value, gradient, f_at, [], digits, "manual rules (mpmath)")


def _assemble(problem: Problem, value: float, gradient: list[float],
              f_at: Callable[[str, Fraction], object], notes: list[str], digits: int,
              source: str) -> Reference:
    if math.isnan(value):
        # f is not a real number here (outside its domain, or a pole): it has no derivative,
        # whatever formula a derivative would give (d/dx log(x) = 1/x at x = -1).
        nan = math.nan
        return Reference(nan, (nan,) * problem.n, digits,
                         failure="f is not a real number at this point", source=source)
    suspects = set().union(*(d.variables for d in diagnose(problem)
                             if d.kind == NON_DIFFERENTIABLE))
    absent: list[str | None] = [None] * problem.n
    for i, name in enumerate(problem.variables):
        if name in suspects:
            left, right = one_sided_slopes(f_at, name, problem.point[i])
            if not _agree(left, right):
                gradient[i] = math.nan
                absent[i] = (f"d/d{name} does not exist here: the slope is "
                             f"{left:.6g} from the left and {right:.6g} from the right")
                notes.append(absent[i])
    return Reference(value, tuple(gradient), digits, notes=tuple(notes), source=source,
                     absent=tuple(absent))


def one_sided_slopes(f_at: Callable[[str, Fraction], object], name: str,
                     x: float) -> tuple[float, float]:
    """(f(x) - f(x-h))/h and (f(x+h) - f(x))/h at high precision, h = 1e-20·max(1,|x|)."""
    h = SLOPE_STEP * max(1, Fraction(abs(x)))
    centre = f_at(name, Fraction(0))
    slopes = []
    for sign in (-1, 1):
        try:
            difference = complex(f_at(name, sign * h) - centre)
            slope = sign * difference / float(h)
        except (TypeError, ValueError, ZeroDivisionError):
            slope = complex(math.nan)
        slopes.append(slope.real if slope.imag == 0 else math.nan)
    return slopes[0], slopes[1]


def _agree(left: float, right: float) -> bool:
    if not (math.isfinite(left) and math.isfinite(right)):
        return False
    return abs(left - right) <= SLOPE_AGREEMENT * max(1.0, abs(left), abs(right))


def _real(value) -> float:
    """A high-precision number rounded once to float64; nan if it is not real."""
    try:
        number = complex(value)
    except (TypeError, ValueError):
        return math.nan
    if number.imag != 0 or math.isnan(number.real):
        return math.nan
    return number.real


SIMPLIFY_LIMIT = 400  # operations; beyond this, deciding "exactly zero?" is left to evalf
DEEP_PRECISION = 2000  # evalf's maxn (bits) when the default is not enough


def high_precision(sexpr, at: dict, digits: int = DIGITS) -> float:
    """sexpr at the point, to ``digits`` digits, then rounded once to float64; nan where
    the value is not a real number (outside the domain, a pole).

    evalf cannot tell an exact zero from a tiny number (sign(y) - 1 at y = 0.4 came back as
    6e-173): when it says so, the point is substituted exactly and sympy is asked whether
    the result is zero; otherwise evalf tries again with far more precision."""
    import sympy

    try:
        return _real(sexpr.evalf(digits, subs=at, strict=True))
    except sympy.core.evalf.PrecisionExhausted:
        exact = sexpr.xreplace(at)
        if exact.is_zero or (sympy.count_ops(exact) <= SIMPLIFY_LIMIT
                             and sympy.simplify(exact) == 0):
            return 0.0
        return _real(sexpr.evalf(digits, subs=at, maxn=DEEP_PRECISION))
