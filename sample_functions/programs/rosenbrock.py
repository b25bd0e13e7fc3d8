"""The n-dimensional Rosenbrock function over an array (Rosenbrock 1960; the chained form).

Its classic start is -1.2, 1, -1.2, 1, ...; give --n N for N inputs.
"""

import numpy as np

from diffcompare.math import sum


def start(n):
    x = np.ones(n)
    x[::2] = -1.2
    return {"x": x}


POINT = start(4)


def f(x):
    return sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def grad_f(x):
    """The gradient written by hand, as one would for an optimizer."""
    g = np.zeros_like(x)
    inner = x[1:] - x[:-1] ** 2
    g[:-1] = -400 * x[:-1] * inner - 2 * (1 - x[:-1])
    g[1:] += 200 * inner
    return g
