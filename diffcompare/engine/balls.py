"""Ball arithmetic (Arb, through python-flint): a number and a radius that bounds its error,
so a sweep in balls proves how many digits of its result are right.

Every operation of the ops table has a ball implementation (``Op.ball``); a ball that
crosses a pole or a domain edge comes out as nan or an infinite ball, never a wrong number.
This module converts to and from balls and sets the working precision.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from fractions import Fraction

import numpy as np

from diffcompare.ops import is_ball_type


def _flint():
    import flint

    return flint


def ball_type():
    return _flint().arb


def is_ball(value) -> bool:
    return is_ball_type(type(value))


def ball(value):
    """A float, an int or a Fraction as a ball: floats and ints exactly, a Fraction rounded
    to the working precision (with its radius)."""
    flint = _flint()
    if isinstance(value, Fraction):
        return flint.arb(flint.fmpq(value.numerator, value.denominator))
    if isinstance(value, (int, np.integer)):
        return flint.arb(int(value))
    return flint.arb(float(value))


def balls(values) -> np.ndarray:
    """Floats as an object array of exact balls, keeping the shape."""
    values = np.asarray(values, dtype=float)
    out = np.empty(values.shape, dtype=object)
    flat = out.reshape(-1)
    arb = _flint().arb
    for k, v in enumerate(values.reshape(-1).tolist()):
        flat[k] = arb(v)
    return out


@contextmanager
def precision(bits: int):
    """Balls are computed with ``bits`` of working precision inside."""
    with _flint().ctx.workprec(bits):
        yield


def midpoint(value) -> float:
    """A ball's midpoint rounded to float64; nan for nan or an infinite ball."""
    if not is_ball(value):
        return float(value)
    if not value.is_finite():
        return math.nan
    return float(value.mid())


def radius(value) -> float:
    """A ball's radius (an upper bound of its error), as a float; inf when not finite."""
    if not is_ball(value):
        return 0.0
    if not value.is_finite():
        return math.inf
    return float(value.rad())


def contains_zero(value) -> bool:
    return bool(value.contains(0)) if is_ball(value) else value == 0
