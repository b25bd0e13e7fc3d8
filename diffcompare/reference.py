"""The exact reference: sympy's derivative evaluated at high precision (40 digits).

Every method's error is measured against this, never against another float method. The
point's coordinates are binary floats, so they are substituted exactly (as rationals), and
sympy's evalf works adaptively to the requested digits before rounding once to float64.

Where f is not real at the point there is no derivative. Where a non-smooth operation
(abs at 0, sqrt at 0) sits on the path from an input, sympy would still answer with a
convention (sign(0) = 0); the reference first compares the one-sided slopes at 60 digits
and reports the partial as not existing when they disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .diagnostics import NON_DIFFERENTIABLE, diagnose
from .problem import Problem

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


def exact_reference(problem: Problem, digits: int = DIGITS) -> Reference:
    import sympy

    from .methods.manual import differentiate
    from .methods.symbolic import sympy_derivatives
    from .sympy_bridge import symbols_for, to_sympy

    f, derivatives = sympy_derivatives(problem)
    symbols = symbols_for(problem.variables)
    at = {symbols[name]: _exact(x) for name, x in zip(problem.variables, problem.point)}
    value = high_precision(f, at, digits)
    if math.isnan(value):
        # f is not a real number here (outside its domain, or a pole): it has no derivative,
        # whatever formula sympy's derivative would give (d/dx log(x) = 1/x at x = -1).
        nan = math.nan
        return Reference(nan, (nan,) * problem.n, digits,
                         failure="f is not a real number at this point")
    notes = []
    for i, d in enumerate(derivatives):
        if d.has(sympy.Derivative):  # sympy could not do it (sign of a function, say)
            derivatives[i] = to_sympy(differentiate(problem.expr, problem.variables[i]),
                                      symbols)
            notes.append(f"d/d{problem.variables[i]}: sympy left the derivative unevaluated; "
                         "the reference uses the manual rules' exact derivative instead")
    gradient = [high_precision(d, at, digits) for d in derivatives]
    suspects = set().union(*(d.variables for d in diagnose(problem)
                             if d.kind == NON_DIFFERENTIABLE))
    for i, name in enumerate(problem.variables):
        if name in suspects:
            left, right = one_sided_slopes(f, at, symbols[name])
            if not _agree(left, right):
                gradient[i] = math.nan
                notes.append(f"d/d{name} does not exist here: the slope is "
                             f"{left:.6g} from the left and {right:.6g} from the right")
    return Reference(value, tuple(gradient), digits, notes=tuple(notes))


def one_sided_slopes(f, at: dict, symbol) -> tuple[float, float]:
    """(f(x) - f(x-h))/h and (f(x+h) - f(x))/h at high precision, h = 1e-20·max(1,|x|)."""
    import sympy

    x = at[symbol]
    h = sympy.Rational(SLOPE_STEP.numerator, SLOPE_STEP.denominator) * max(1, abs(x))
    centre = f.evalf(SLOPE_DIGITS, subs=at)

    def at_offset(offset):
        return f.evalf(SLOPE_DIGITS, subs={**at, symbol: x + offset})

    slopes = []
    for sign in (-1, 1):
        try:
            slope = complex(sign * (at_offset(sign * h) - centre) / h)
        except (TypeError, ValueError):
            slope = complex(math.nan)
        slopes.append(slope.real if slope.imag == 0 else math.nan)
    return slopes[0], slopes[1]


def _agree(left: float, right: float) -> bool:
    if not (math.isfinite(left) and math.isfinite(right)):
        return False
    return abs(left - right) <= SLOPE_AGREEMENT * max(1.0, abs(left), abs(right))


def _exact(x: float):
    import sympy

    return sympy.Rational(*Fraction(x).as_integer_ratio())


def high_precision(sexpr, at: dict, digits: int = DIGITS) -> float:
    """sexpr at the point, to ``digits`` digits, then rounded once to float64; nan where
    the value is not a real number (outside the domain, a pole)."""
    value = sexpr.evalf(digits, subs=at)
    try:
        number = complex(value)
    except (TypeError, ValueError):
        return math.nan
    if number.imag != 0 or math.isnan(number.real):
        return math.nan
    return number.real
