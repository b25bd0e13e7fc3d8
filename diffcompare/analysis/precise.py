"""High-precision numbers back to floats, and one-sided slopes: what both exact routes of
the reference (analysis/reference.py, analysis/program_reference.py) share."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

SLOPE_STEP = Fraction(1, 10**20)  # relative to max(1, |x|); leaves 40 digits for the slope


def one_sided_slopes(f_at: Callable[[Fraction], list], x: float) -> list[tuple[float, float]]:
    """Per output, (f(x) - f(x-h))/h and (f(x+h) - f(x))/h at high precision,
    h = 1e-20·max(1, |x|)."""
    h = SLOPE_STEP * max(1, Fraction(abs(x)))
    centre = f_at(Fraction(0))
    sides = [f_at(-h), f_at(h)]
    found = []
    for i, c in enumerate(centre):
        pair = []
        for sign, side in zip((-1, 1), sides):
            try:
                slope = sign * complex(side[i] - c) / float(h)
            except (TypeError, ValueError, ZeroDivisionError):
                slope = complex(math.nan)
            pair.append(slope.real if slope.imag == 0 else math.nan)
        found.append((pair[0], pair[1]))
    return found


def real_number(value) -> float:
    """A high-precision number rounded once to float64; nan if it is not real."""
    try:
        number = complex(value)
    except (TypeError, ValueError):
        return math.nan
    if number.imag != 0 or math.isnan(number.real):
        return math.nan
    return number.real
