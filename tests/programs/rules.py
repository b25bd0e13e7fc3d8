"""Functions with derivative rules of their own, right and deliberately wrong."""

import numpy as np

import diffcompare

WRONG = {"factor": 1.0}  # set to 1.001 to make lse's rule wrong by a tenth of a percent


@diffcompare.custom_jvp
def lse(x):
    """log Σ exp(x), stable: the largest entry taken out first."""
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


@lse.defjvp
def _lse_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    value = lse(x)
    return value, np.sum(np.exp(x - value) * t) * WRONG["factor"]


def lse_loss(x):
    return 2 * lse(x) + np.sum(x ** 2)


@diffcompare.custom_jvp
def cube_root_of(a):
    """y with y³ + y = a, by Newton's method from y = a: a function defined by a solver."""
    y = a
    for _ in range(30):
        y = y - (y ** 3 + y - a) / (3 * y ** 2 + 1)
    return y


@cube_root_of.defjvp
def _implicit(primals, tangents):
    """The implicit function theorem: 3y²·dy + dy = da."""
    (a,), (da,) = primals, tangents
    y = cube_root_of(a)
    return y, da / (3 * y ** 2 + 1)


def solver_loss(a, b):
    return cube_root_of(a * b) * b


@diffcompare.custom_vjp
def clipped_square(x):
    return x ** 2


def _clipped_forward(x):
    return clipped_square(x), x


def _clipped_backward(x, bar):
    return (np.clip(2 * x * bar, -0.5, 0.5),)


clipped_square.defvjp(_clipped_forward, _clipped_backward)


def clipped_loss(x):
    return np.sum(clipped_square(x))
