"""numpy's functions on traced values: programs written with ``import numpy as np`` trace as
they run.

A traced value takes part in numpy's two dispatch protocols. A ufunc (``np.sin``,
``np.maximum``, ``+`` between an array and a traced value) arrives at ``UFUNCS`` and an
array function (``np.sum``, ``np.where``, ``np.concatenate``) at ``FUNCTIONS``; each maps
onto the ops table (ops.py), where every operation has its derivative rules, so there is
one calculus for formulas, ``diffcompare.math`` and numpy. Anything else is refused with its
name, the line of the user's code and what is supported: a numpy function that would drop
the derivative without a word is never run on a traced value.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable

import numpy as np

from diffcompare import ops


def _traced():
    from diffcompare.engine.tracer import Traced

    return Traced


def _elementwise(op: ops.Op) -> Callable:
    return lambda *args: ops.apply(op, *args)


def _comparison(name: str) -> Callable:
    """A comparison ufunc: answered at the point and remembered where the user's code made
    it (tracer.Traced._compare), with the traced value on the left."""
    forward = {"less": operator.lt, "less_equal": operator.le, "greater": operator.gt,
               "greater_equal": operator.ge, "equal": operator.eq,
               "not_equal": operator.ne}[name]
    mirrored = {"less": operator.gt, "less_equal": operator.ge, "greater": operator.lt,
                "greater_equal": operator.le, "equal": operator.eq,
                "not_equal": operator.ne}[name]

    def compare(a, b):
        return forward(a, b) if isinstance(a, _traced()) else mirrored(b, a)
    return compare


def where(condition, a, b):
    """np.where(c, a, b): c is a boolean array the user's code computed (a comparison of
    traced values answers at the point, and is remembered where it was made)."""
    Traced = _traced()
    if isinstance(condition, Traced):
        raise _refused("np.where with a traced condition",
                       "compare it first, as np.where(x > 0, ...) does")
    condition = np.asarray(condition, dtype=bool)
    if not isinstance(a, Traced) and not isinstance(b, Traced):
        return np.where(condition, a, b)
    return _recorded(ops.WHERE, condition, (a, b))


def maximum(a, b):
    return where(_values_of(a) >= _values_of(b), a, b) if _remember(a, b, "np.maximum", ">=") \
        else np.maximum(a, b)


def minimum(a, b):
    return where(_values_of(a) <= _values_of(b), a, b) if _remember(a, b, "np.minimum", "<=") \
        else np.minimum(a, b)


def clip(a, low, high, **_):
    clipped = a if low is None else maximum(a, low)
    return clipped if high is None else minimum(clipped, high)


def _values_of(v):
    Traced = _traced()
    return np.real(v.value) if isinstance(v, Traced) else np.real(np.asarray(v))


def _remember(a, b, what: str, relation: str) -> bool:
    """Whether a or b is traced; if so, their comparison is remembered as a condition."""
    from diffcompare.engine.tracer import RELATIONS, condition

    Traced = _traced()
    traced = [v for v in (a, b) if isinstance(v, Traced)]
    if not traced:
        return False
    left, right = _values_of(a), _values_of(b)
    condition(traced[0].tape, (a, b), left, right, f"the choice of {what}", relation=relation,
              answer=RELATIONS[relation](left, right))
    return True


def _recorded(op, param, args):
    from diffcompare.engine.tracer import _recorded as record

    return record(op, param, args, lambda *values: op.forward(param, *values))


def _axis(axis, ndim: int):
    if axis is None:
        return None
    if not isinstance(axis, (int, np.integer)):
        raise _refused("an axis given as a tuple", "reduce along one axis at a time")
    return int(axis) % max(ndim, 1)


def _keep(result, a, axis, keepdims):
    if not keepdims:
        return result
    shape = [1] * np.ndim(a) if axis is None else \
        [1 if k == axis else n for k, n in enumerate(np.shape(a))]
    return reshape(result, tuple(shape))


def _as_traced_array(a):
    """A traced value, or a list/tuple/object array holding traced values, as one."""
    return stack_entries(a) if not isinstance(a, _traced()) else a


def stack_entries(values):
    """Traced values held in a list, a tuple or an object array (np.array([a, b])) as one
    traced array, its entries side by side in its shape."""
    Traced = _traced()
    if isinstance(values, (list, tuple)):
        if any(isinstance(v, (list, tuple)) or (isinstance(v, Traced) and v.ndim)
               for v in values):
            return stack([stack_entries(v) if isinstance(v, (list, tuple)) else v
                          for v in values])
        array = np.empty(len(values), dtype=object)
        array[:] = list(values)
    else:
        array = np.asarray(values, dtype=object)
    flat = [v.reshape((1,)) if isinstance(v, Traced) else np.array([v])
            for v in array.reshape(-1)]
    if not any(isinstance(v, Traced) for v in flat):
        return np.asarray(values, dtype=float)
    joined = _recorded(ops.CONCATENATE, 0, tuple(flat)) if len(flat) > 1 else flat[0]
    return joined.reshape(array.shape)


def reshape(a, shape, *_, **__):
    return _as_traced_array(a).reshape(shape)


def total(a, axis=None, dtype=None, out=None, keepdims=False, **_):
    a = _as_traced_array(a)
    axis = _axis(axis, a.ndim)
    return _keep(a.sum(axis), a, axis, keepdims)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, **_):
    a = _as_traced_array(a)
    axis = _axis(axis, a.ndim)
    return _keep(a.mean(axis), a, axis, keepdims)


def product(a, axis=None, dtype=None, out=None, keepdims=False, **_):
    a = _as_traced_array(a)
    axis = _axis(axis, a.ndim)
    return _keep(_recorded(ops.PROD, axis, (a,)), a, axis, keepdims)


def cumsum(a, axis=None, **_):
    a = _as_traced_array(a)
    return _recorded(ops.CUMSUM, _axis(axis, a.ndim), (a,))


def largest(a, axis=None, out=None, keepdims=False, **_):
    from diffcompare.engine.tracer import picked

    if axis is not None:
        raise _refused("np.max along an axis", "take it of the whole array, or of each row "
                       "by indexing")
    return _keep(picked(ops.MAX, _as_traced_array(a)), a, None, keepdims)


def smallest(a, axis=None, out=None, keepdims=False, **_):
    from diffcompare.engine.tracer import picked

    if axis is not None:
        raise _refused("np.min along an axis", "take it of the whole array, or of each row "
                       "by indexing")
    return _keep(picked(ops.MIN, _as_traced_array(a)), a, None, keepdims)


def dot(a, b, out=None):
    from diffcompare.engine.tracer import _matmul

    if np.ndim(_values_of(a)) == 0 or np.ndim(_values_of(b)) == 0:
        return a * b
    return _matmul(a, b)


def outer(a, b, out=None):
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))


def transpose(a, axes=None):
    a = _as_traced_array(a)
    return a.shaped(ops.TRANSPOSE, None if axes is None else tuple(int(k) for k in axes))


def concatenate(arrays, axis=0, **_):
    Traced = _traced()
    arrays = [_as_traced_array(a) if isinstance(a, (list, tuple)) else a for a in arrays]
    if not any(isinstance(a, Traced) for a in arrays):
        return np.concatenate(arrays, axis)
    ndim = max(np.ndim(_values_of(a)) for a in arrays)
    if axis is None:
        return concatenate([reshape(a, (-1,)) if isinstance(a, Traced) else np.ravel(a)
                            for a in arrays], 0)
    return _recorded(ops.CONCATENATE, _axis(axis, ndim), tuple(arrays))


def stack(arrays, axis=0, **_):
    arrays = list(arrays)
    shape = np.shape(_values_of(arrays[0]))
    axis = int(axis) % (len(shape) + 1)
    widened = [reshape(a, shape[:axis] + (1,) + shape[axis:]) if isinstance(a, _traced())
               else np.expand_dims(np.asarray(a, dtype=float), axis) for a in arrays]
    return concatenate(widened, axis)


def ravel(a, order="C"):
    return reshape(a, (-1,))


def squeeze(a, axis=None):
    return reshape(a, np.shape(np.squeeze(np.empty(np.shape(_values_of(a))), axis)))


def expand_dims(a, axis):
    return reshape(a, np.shape(np.expand_dims(np.empty(np.shape(_values_of(a))), axis)))


def diff(a, n=1, axis=-1, **_):
    a = _as_traced_array(a)
    for _ in range(n):
        if a.ndim != 1:
            raise _refused("np.diff of an array of more than one dimension",
                           "take it of each row by indexing")
        a = a[1:] - a[:-1]
    return a


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector and Frobenius norms, written with the ops they are made of."""
    x = _as_traced_array(x)
    if ord in (None, 2, "fro") and (ord != 2 or x.ndim == 1 or axis is not None):
        return ops.apply(ops.SQRT, total(x * x, axis=axis, keepdims=keepdims))
    if ord == 1 and (x.ndim == 1 or axis is not None):
        return total(abs(x), axis=axis, keepdims=keepdims)
    if ord in (np.inf, math.inf) and x.ndim == 1 and axis is None:
        return largest(abs(x))
    raise _refused(f"np.linalg.norm with ord={ord!r}" + (" of a matrix" if x.ndim > 1 else ""),
                   "the vector norms (ord None, 1, 2, inf) and Frobenius are supported")


def _inner(a, b):
    if np.ndim(_values_of(a)) > 1 or np.ndim(_values_of(b)) > 1:
        raise _refused("np.inner of matrices", "use a @ b.T")
    return dot(a, b)


def _refused(what: str, hint: str = ""):
    from diffcompare.engine.tracer import TraceError, _where

    return TraceError(_where(f"{what} is not supported on a value that depends on an input")
                      + (f" ({hint})" if hint else "") +
                      f"; numpy's supported functions: {', '.join(SUPPORTED)}")


# ufunc name -> what it does to traced values (and numbers, and arrays)
UFUNCS: dict[str, Callable] = {
    "add": _elementwise(ops.ADD), "subtract": _elementwise(ops.SUB),
    "multiply": _elementwise(ops.MUL), "divide": _elementwise(ops.DIV),
    "true_divide": _elementwise(ops.DIV), "power": _elementwise(ops.POW),
    "negative": _elementwise(ops.NEG), "positive": lambda a: a,
    "square": lambda a: ops.apply(ops.MUL, a, a),
    "reciprocal": lambda a: ops.apply(ops.DIV, 1.0, a),
    "absolute": _elementwise(ops.ABS), "fabs": _elementwise(ops.ABS),
    "sign": _elementwise(ops.SIGN),
    "sin": _elementwise(ops.SIN), "cos": _elementwise(ops.COS), "tan": _elementwise(ops.TAN),
    "arcsin": _elementwise(ops.ASIN), "arccos": _elementwise(ops.ACOS),
    "arctan": _elementwise(ops.ATAN), "sinh": _elementwise(ops.SINH),
    "cosh": _elementwise(ops.COSH), "tanh": _elementwise(ops.TANH),
    "exp": _elementwise(ops.EXP), "log": _elementwise(ops.LOG), "sqrt": _elementwise(ops.SQRT),
    "maximum": maximum, "minimum": minimum,
    "matmul": lambda a, b: dot(a, b),
    **{name: _comparison(name) for name in ("less", "less_equal", "greater", "greater_equal",
                                            "equal", "not_equal")},
}

# numpy function -> its traced form (np.sum and np.add.reduce-like reductions included)
FUNCTIONS: dict[Callable, Callable] = {
    np.sum: total, np.mean: mean, np.prod: product, np.cumsum: cumsum,
    np.max: largest, np.amax: largest, np.min: smallest, np.amin: smallest,
    np.dot: dot, np.inner: _inner, np.outer: outer, np.reshape: reshape,
    np.transpose: transpose, np.ravel: ravel, np.squeeze: squeeze,
    np.expand_dims: expand_dims, np.concatenate: concatenate, np.stack: stack,
    np.where: where, np.clip: clip, np.diff: diff, np.linalg.norm: norm,
}

SUPPORTED = sorted([f"np.{name}" for name in UFUNCS if name not in
                    ("true_divide", "fabs", "positive")] +
                   [f"np.{'linalg.' if f is np.linalg.norm else ''}{f.__name__}"
                    for f in FUNCTIONS if f not in (np.amax, np.amin)])


def ufunc(name: str, method: str, inputs: tuple, kwargs: dict):
    """A ufunc applied to traced values (Traced.__array_ufunc__)."""
    if method != "__call__" or kwargs.get("out") is not None or name not in UFUNCS:
        shown = f"np.{name}" + ("" if method == "__call__" else f".{method}")
        if kwargs.get("out") is not None:
            shown += " with out="
        raise _refused(shown)
    if kwargs.get("where", True) is not True:
        raise _refused(f"np.{name} with where=", "use np.where")
    inputs = tuple(_as_traced_array(v) if isinstance(v, np.ndarray) and v.dtype == object
                   else v for v in inputs)
    return UFUNCS[name](*inputs)


def function(func, args: tuple, kwargs: dict):
    """An array function called with traced values (Traced.__array_function__)."""
    found = FUNCTIONS.get(func)
    if found is None:
        module = (getattr(func, "__module__", "") or "numpy").replace("numpy", "np", 1)
        module = "np" if module.startswith("np._") else module  # np._core.fromnumeric
        raise _refused(f"{module}.{getattr(func, '__name__', func)}")
    return found(*args, **kwargs)
