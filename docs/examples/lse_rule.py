"""A stable log-sum-exp with a JVP rule of its own, deliberately off by 0.1%."""
import numpy as np

import diffcompare

POINT = {"x": np.array([0.5, -1.0, 2.0])}


@diffcompare.custom_jvp
def lse(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


@lse.defjvp
def lse_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    weights = np.exp(x - lse(x))  # softmax(x): the exact slope
    return lse(x), 1.001 * np.sum(weights * t)  # the deliberate 0.1%


def f(x):
    return 2 * lse(x) + np.sum(x ** 2)
