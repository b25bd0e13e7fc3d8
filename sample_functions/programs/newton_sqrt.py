"""The Babylonian (Newton) square root: iterate until the square is close enough.

The loop runs as many times as the value of a asks, so no one formula holds for every a:
symbolic and manual differentiation cannot follow it; AD follows the iterations taken.
"""

from diffcompare.math import abs

POINT = {"a": 2.0}


def f(a):
    g = a
    while abs(g * g - a) > 1e-15 * a:
        g = (g + a / g) / 2
    return g
