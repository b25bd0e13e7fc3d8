"""Whether a point's inputs are finite numbers, without a pass over them where f tells.

Every way in refuses a point with an inf or a nan among its entries (InputError). A pass over
the inputs to find one costs what a tenth of f costs at 10⁶ entries, most of a gradient's
bookkeeping at 10⁵ (the entries are read cold, before the trace brings them into cache). Yet
for most programs f already says: where every entry of every input reaches an output only
through operations that keep a non-finite number non-finite (sums, differences, products,
powers above 0, sin, log, slices, matrix products: ops.py's ``keeps_nonfinite``), a
non-finite entry makes that output non-finite, so finite outputs prove finite inputs. This
is found once per plan, by sweeping the tape backwards with masks of the entries each
output is sensitive to (``spreads_nonfinite``); where it does not hold (exp(-inf) = 0, an
entry no output reads, a choice by max or where), the inputs are read as before.
"""

from __future__ import annotations

import math

import numpy as np

from diffcompare import ops


def all_finite(array: np.ndarray) -> bool:
    """Whether every entry is finite. Their sum is, when they all are, unless it overflows:
    then, entry by entry. One pass that makes no array (a BLAS dot reads as fast, but
    waking its threads cost more than the pass at 10^5 entries, 2026-12-07)."""
    if array.dtype == np.float64:
        with np.errstate(all="ignore"):
            if math.isfinite(np.add.reduce(array, axis=None)):
                return True
    return bool(np.isfinite(array).all())


def spreads_nonfinite(tape) -> bool:
    """Whether an inf or a nan in any entry of any input of an array tape (engine/arrays.py)
    makes one of its outputs not finite, whatever the other entries: each output is
    sensitive to all of its entries, and an argument's entry is sensitive where a
    sensitive entry of a record takes it through an operation that keeps non-finite
    numbers (a ShapeOp's own VJP on masks and ones places them: no sum can cancel)."""
    sensitive: dict[int, np.ndarray] = {}
    for slot in tape.outputs:
        sensitive[slot] = np.ones(tape.shape_at(slot))
    for slot in range(len(tape.ops) - 1, tape.n_inputs - 1, -1):
        mask = sensitive.pop(slot, None)
        op, args = tape.ops[slot], tape.args[slot]
        if mask is None or op is None:
            continue
        constants = tape.constants_of(args)
        for i, j in enumerate(args):
            if not tape.depends[j]:
                continue
            shape = tape.shape_at(j)
            if isinstance(op, ops.ShapeOp) and op.keeps_nonfinite:
                ones = [np.ones(tape.shape_at(k)) for k in args]
                reached = np.asarray(op.vjp(tape.params[slot], i, mask, ones,
                                            np.ones(np.shape(mask)))) > 0
            elif isinstance(op, ops.Op) and op.keeps_nonfinite is not None and \
                    op.keeps_nonfinite(i, constants):
                reached = np.asarray(ops.unbroadcast(mask, shape)) > 0
            else:
                continue
            sensitive[j] = np.maximum(sensitive.get(j, 0.0), reached.astype(float))
    return all(i in sensitive and bool(np.all(sensitive[i] > 0))
               for i in range(tape.n_inputs))
