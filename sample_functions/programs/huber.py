"""The Huber loss of a residual r: quadratic near 0, linear beyond delta (robust regression).

A branch on the value of r: each side is a formula, but which one holds depends on r.
"""

from diffcompare.math import abs

POINT = {"r": 2.5}


def f(r, delta=1.0):
    if abs(r) <= delta:
        return r * r / 2
    return delta * (abs(r) - delta / 2)
