"""What a Python function given to diffcompare imports: ``from diffcompare.math import sin, exp``.

Made from the ops table, so the functions here are exactly those a formula may use, and each
works on whatever the methods pass in: floats, complex numbers (complex step), numpy arrays
(elementwise, with broadcasting), and the tool's tracing values (forward-ad, reverse-ad,
the exact reference). Beside them, the array operations: ``sum``, ``dot``, ``mean``, ``max``
and ``min`` (the last two pick an entry by value: a branch, and a kink where entries tie).
"""

from __future__ import annotations

import builtins

import numpy as np

from diffcompare import ops
from diffcompare.engine.tracer import Traced, picked


def _elementwise(op: ops.Op):
    def function(u):
        if isinstance(u, (list, tuple)):
            u = np.asarray(u)
        return ops.apply(op, u)

    function.__name__ = function.__qualname__ = op.name
    function.__doc__ = op.rule
    return function


_FUNCTIONS = {name: _elementwise(op) for name, op in ops.FUNCTIONS.items()}
_CONSTANTS = {name: op.real() for name, op in ops.CONSTANTS.items()}
globals().update(_FUNCTIONS)
globals().update(_CONSTANTS)


def sum(values, axis=None):  # noqa: A001 - the numpy name, on purpose
    """The sum of an array's entries (or along an axis), or of an iterable of numbers."""
    if isinstance(values, Traced):
        return values.sum(axis)
    if isinstance(values, np.ndarray):
        return np.sum(values, axis=axis)
    total = 0.0
    for item in values:
        total = total + item
    return total


def mean(values, axis=None):
    """The mean of an array's entries (or along an axis)."""
    if isinstance(values, Traced):
        return values.mean(axis)
    return np.mean(np.asarray(values), axis=axis)


def dot(a, b):
    """a · b for vectors and matrices (as numpy's dot, or the @ operator)."""
    if isinstance(a, Traced) or isinstance(b, Traced):
        return a @ b  # numpy defers to Traced's operators
    return np.dot(a, b)


def max(values, *more):  # noqa: A001
    """The largest entry of an array; with several arguments, the builtin max."""
    if more:
        return builtins.max(values, *more)
    return picked(ops.MAX, values)


def min(values, *more):  # noqa: A001
    """The smallest entry of an array; with several arguments, the builtin min."""
    if more:
        return builtins.min(values, *more)
    return picked(ops.MIN, values)


__all__ = sorted([*_FUNCTIONS, *_CONSTANTS, "sum", "mean", "dot", "max", "min"])
