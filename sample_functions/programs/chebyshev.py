"""A Chebyshev polynomial by its recurrence T(k) = 2x T(k-1) - T(k-2), recursively.

The recursion depends on k, not on the value of x: one formula holds for every x, so
symbolic and manual differentiation can follow it as well as AD (T5 = 16x^5 - 20x^3 + 5x).
"""

POINT = {"x": 0.3}


def chebyshev(k, x):
    if k == 0:
        return 1.0 + 0 * x
    if k == 1:
        return x
    return 2 * x * chebyshev(k - 1, x) - chebyshev(k - 2, x)


def f(x):
    return chebyshev(5, x)
