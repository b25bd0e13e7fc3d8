"""Programs where a derivative is easy to get wrong: branches at and near their boundary
(C¹ joins, jumps), max and min at and near a tie, kinks, loops, recursion and arrays. The
honesty tests in test_honest.py run every method on them at points named there."""

import numpy as np

from diffcompare.math import exp, sin, sqrt, sum, tanh


def huber(r, d):
    """C¹ at |r| = d: the second derivative jumps from 1 to 0."""
    if abs(r) <= d:
        return 0.5 * r * r
    return d * (abs(r) - 0.5 * d)


def step_rate(x, y):
    """A jump at x = 1: no derivative across it."""
    if x < 1:
        return x * y
    return x * y + 3


def smooth_join(x, y):
    """C² at x = 0: x³ on one side, 0 on the other."""
    if x > 0:
        return x ** 3 * y
    return 0.0 * y


def fixed_loop(x, y):
    total = 0.0
    for k in range(1, 6):
        total = total + sin(k * x) * y / k
    return total


def newton_sqrt(a, b):
    """sqrt(a) by Newton's iteration, a fixed number of steps, times b."""
    guess = a
    for _ in range(5):
        guess = 0.5 * (guess + a / guess)
    return guess * b


def power_by_recursion(x, y):
    def power(base, k):
        return 1.0 if k == 0 else base * power(base, k - 1)
    return power(x, 5) * y + exp(y)


def weighted(x, y):
    w = np.array([0.5, 1.5, -0.3])
    v = np.array([1.0, 2.0, 3.0])
    return sum(w * tanh(x * v + y)) + sqrt(x * x + y * y)


def near_tie(x, y):
    return max(x * x, y) * 2


def kink(x, y):
    return abs(x - 1) * y + tanh(x)


def two_outputs(x, y):
    if x * y > 1:
        return x * y - 1, exp(x) * y
    return 0.5 * (x * y - 1) ** 2, exp(x) * y
