"""The exact reference: sympy's derivative evaluated at high precision (40 digits).

Every method's error is measured against this, never against another float method. The
point's coordinates are binary floats, so they are substituted exactly (as rationals), and
sympy's evalf works adaptively to the requested digits before rounding once to float64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .problem import Problem

DIGITS = 40


@dataclass(frozen=True)
class Reference:
    value: float
    gradient: tuple[float, ...]
    digits: int = DIGITS
    failure: str | None = None  # why there is no reference (the errors are then unknown)


def exact_reference(problem: Problem, digits: int = DIGITS) -> Reference:
    import sympy

    from .methods.symbolic import sympy_derivatives
    from .sympy_bridge import symbols_for

    f, derivatives = sympy_derivatives(problem)
    symbols = symbols_for(problem.variables)
    at = {symbols[name]: sympy.Rational(*Fraction(x).as_integer_ratio())
          for name, x in zip(problem.variables, problem.point)}
    value = high_precision(f, at, digits)
    if math.isnan(value):
        # f is not a real number here (outside its domain, or a pole): it has no derivative,
        # whatever formula sympy's derivative would give (d/dx log(x) = 1/x at x = -1).
        nan = math.nan
        return Reference(nan, (nan,) * problem.n, digits,
                         failure="f is not a real number at this point")
    return Reference(value, tuple(high_precision(d, at, digits) for d in derivatives), digits)


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

