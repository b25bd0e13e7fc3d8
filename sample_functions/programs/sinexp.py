"""sum(sin(x)*x**2 + exp(-x)) over an array: a separable function of n inputs, the
simplest family for watching each method's cost grow with n."""

import numpy as np

from diffcompare.math import exp, sin, sum


def start(n):
    return {"x": np.linspace(-1.0, 2.0, n)}


POINT = start(5)


def f(x):
    return sum(sin(x) * x**2 + exp(-x))
