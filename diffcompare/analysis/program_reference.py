"""The exact reference of a program: its traced tape of arrays swept with mpmath numbers.

The tape (engine/arrays.py) runs again on object arrays of mpmath numbers at 60 digits:
one forward sweep and one reverse sweep per output, whatever n, each operation the same
numpy call on numbers that carry 60 digits. The path is the one the program took at the
point; where the point sits on a branch boundary (a comparison with nothing between its
sides) or on a kink, the program itself is run on mpmath numbers a hair to each side, so
that the branch it takes there is its own, and the one-sided slopes decide whether the
derivative exists.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from diffcompare import ops
from diffcompare.analysis.precise import one_sided_slopes, real_number
from diffcompare.engine.arrays import split
from diffcompare.methods.registry import shape_of

SUSPECTS_CHECKED = 20  # inputs whose one-sided slopes are compared at most


def suspects(problem) -> list[str]:
    """Flat inputs on the way to a condition on its boundary, a kink at the point, or a
    tie of max or min: where the traced path may not be differentiable."""
    tape, by_input = problem.traced, problem.input_variables
    found: set[str] = set()
    for condition in tape.conditions:
        if condition.margin == 0:
            for name in condition.inputs:
                found |= by_input[problem.program.inputs.index(name)]
    for slot, op in enumerate(tape.ops):
        if not tape.depends[slot]:
            continue
        at_kink = False
        if isinstance(op, ops.Op) and op.kinks:
            argument = np.asarray(tape.values[tape.args[slot][0]], dtype=float)
            at_kink = any((argument == kink).any() for kink in op.kinks)
        elif isinstance(op, ops.ShapeOp) and op.chooses:
            argument = np.asarray(tape.values[tape.args[slot][0]], dtype=float)
            at_kink = np.count_nonzero(argument == tape.values[slot]) > 1
        if at_kink:
            for i in tape.depends[slot]:
                found |= by_input[i]
    ordered = [name for name in problem.variables if name in found]
    return ordered[:SUSPECTS_CHECKED]


def program_sweep(problem, kind: str, direction, suspect_names, digits: int, point=None):
    """(f, the kind's derivative, one-sided slopes at the suspects) at ``digits`` digits."""
    import mpmath

    m, n = problem.m, problem.n
    point = problem.point if point is None else tuple(point)
    with mpmath.workdps(digits):
        traced = problem.trace_at(np.asarray(point, dtype=float))
        flat = _mp_array(point)
        values = traced.forward(split(flat, problem.shapes), _mp_constant)
        f = np.array([real_number(values[k]) for k in traced.outputs])
        if kind == "jvp":
            v = [_mp_array(s) if np.ndim(s) else mpmath.mpf(float(s))
                 for s in split(np.asarray(direction, dtype=float), problem.shapes)]
            exact = _flat(traced.jvp(v, values))
        else:
            cotangents = [np.eye(m)[i] for i in range(m)] if kind != "vjp" else [direction]
            rows = [_flat(traced.reverse([mpmath.mpf(float(r)) for r in cotangent], values))
                    for cotangent in cotangents]
            exact = np.concatenate(rows) if rows else np.zeros(0)
        derivative = np.array([real_number(e) for e in exact], dtype=float).reshape(
            shape_of(kind, m, n))
        slopes = {}
        for name in suspect_names:
            j = problem.variables.index(name)

            def f_at(offset: Fraction, j=j):
                shifted = np.array(flat, dtype=object)
                shifted[j] = shifted[j] + mpmath.mpf(offset.numerator) / offset.denominator
                return list(_flat(problem.program.function(*split(shifted, problem.shapes))))

            for i, pair in enumerate(one_sided_slopes(f_at, point[j])):
                slopes[(i, j)] = pair
    return f, derivative, slopes


def _mp_array(values) -> np.ndarray:
    import mpmath

    out = np.empty(np.size(values), dtype=object)
    out[:] = [mpmath.mpf(float(v)) for v in np.ravel(values)]
    return out


def _mp_constant(value):
    """A recorded float constant as an mpmath number (binary floats convert exactly)."""
    import mpmath

    if np.ndim(value):
        return _mp_array(value).reshape(np.shape(value))
    return mpmath.mpf(float(value))


def _flat(parts) -> np.ndarray:
    """Values of any shapes (mpmath numbers, object arrays, floats) as one flat array."""
    pieces = []
    for part in parts if isinstance(parts, (list, tuple)) else [parts]:
        array = np.asarray(part, dtype=object) if not isinstance(part, np.ndarray) else part
        pieces.append(array.reshape(-1))
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=object)
