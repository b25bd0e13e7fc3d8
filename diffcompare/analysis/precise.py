"""High-precision numbers back to floats, and one-sided slopes: what the reference's two
routes (the sweep in balls, sympy's evalf) share."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from diffcompare.engine import balls

SLOPE_STEP = Fraction(1, 10**20)  # relative to max(1, |x|); leaves 40 digits for the slope


def one_sided_slopes(f_at: Callable[[Fraction], list], x: float) -> list[tuple[float, float]]:
    """Per output, (f(x) - f(x-h))/h and (f(x+h) - f(x))/h at high precision (balls),
    h = 1e-20·max(1, |x|); nan where f is not real at a side."""
    h = SLOPE_STEP * max(1, Fraction(abs(x)))
    centre = f_at(Fraction(0))
    sides = [f_at(-h), f_at(h)]
    step = balls.ball(h)
    found = []
    for i, c in enumerate(centre):
        pair = []
        for sign, side in zip((-1, 1), sides):
            try:
                slope = balls.midpoint((side[i] - c) / step) * sign
            except (TypeError, ValueError, ZeroDivisionError):
                slope = math.nan
            pair.append(slope)
        found.append((pair[0], pair[1]))
    return found


def real_number(value) -> float:
    """A high-precision number (sympy's, mpmath's) rounded once to float64; nan if it is
    not real."""
    try:
        number = complex(value)
    except (TypeError, ValueError):
        return math.nan
    if number.imag != 0 or math.isnan(number.real):
        return math.nan
    return number.real
