"""A natural cubic spline through 8 knots, its tridiagonal system solved by the Thomas
algorithm in a Python loop, in plain numpy: the mean of the spline at 40 points, as a
function of the knot values y. The spline is linear in y, so the gradient's entry k is the
same computation on the k-th unit vector — the independent route (grad_f), which takes no
derivative at all."""

import numpy as np

KNOTS = np.linspace(0.0, 3.5, 8)
SAMPLES = np.linspace(0.1, 3.4, 40)
POINT = {"y": np.sin(KNOTS) + 0.3 * KNOTS}


def f(y):
    h = np.diff(KNOTS)
    n = len(KNOTS)
    # second derivatives M at the knots: M_0 = M_{n-1} = 0, and for the inner ones
    # h_{i-1} M_{i-1} + 2 (h_{i-1} + h_i) M_i + h_i M_{i+1} = 6 (slope_i - slope_{i-1})
    slopes = np.diff(y) / h
    rhs = [6 * (slopes[i] - slopes[i - 1]) for i in range(1, n - 1)]
    diag = [2 * (h[i - 1] + h[i]) for i in range(1, n - 1)]
    for i in range(1, n - 2):  # forward elimination
        ratio = h[i] / diag[i - 1]
        diag[i] = diag[i] - ratio * h[i]
        rhs[i] = rhs[i] - ratio * rhs[i - 1]
    inner = [0.0] * (n - 2)
    inner[-1] = rhs[-1] / diag[-1]
    for i in range(n - 4, -1, -1):  # back substitution
        inner[i] = (rhs[i] - h[i + 1] * inner[i + 1]) / diag[i]
    M = [0.0, *inner, 0.0]
    total = 0.0
    for s in SAMPLES:
        i = min(int(np.searchsorted(KNOTS, s)) - 1, n - 2)
        a, b = KNOTS[i + 1] - s, s - KNOTS[i]
        total = total + (M[i] * a ** 3 + M[i + 1] * b ** 3) / (6 * h[i]) + \
            (y[i] / h[i] - M[i] * h[i] / 6) * a + (y[i + 1] / h[i] - M[i + 1] * h[i] / 6) * b
    return total / len(SAMPLES)


def grad_f(y):
    """Entry k: f at the k-th unit vector, since f is linear in y (f(0) = 0)."""
    return np.array([f(np.eye(len(y))[k]) for k in range(len(y))])
