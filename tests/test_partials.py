"""Every local partial in ops.py keeps its digits: within a few ulps of the exact derivative
(mpmath at 50 digits) on a grid that includes each domain's edges and large and tiny
magnitudes. A partial written the obvious way can lose most of them: 1/sqrt(1 - u**2) near
u = 1 cancels in 1 - u**2, and 1 - tanh(u)**2 for large u."""

import math

import mpmath
import numpy as np
import pytest

from diffcompare import ops

ULPS = 4  # the partial is a few correctly rounded operations: each adds at most half an ulp

NEAR_ONE = [1 - 2.0**-k for k in (3, 10, 23, 30, 40, 50)]
GRID = {
    "sin": [0.3, 2.5, -1.0, 1e-300, 1e-10, 1e5, 100.0],
    "cos": [0.3, 2.5, -1.0, 1e-300, 1e-10, 1e5, 100.0],
    "tan": [0.3, 1.0, -1.2, 1e-10, 1.5707963, 1.57079632679],
    "asin": [0.0, 0.3, -0.7, *NEAR_ONE, *(-u for u in NEAR_ONE)],
    "acos": [0.0, 0.3, -0.7, *NEAR_ONE, *(-u for u in NEAR_ONE)],
    "atan": [0.0, 0.3, -2.0, 1e-300, 1e10, 1e150, -1e200],
    "sinh": [0.3, -2.0, 1e-300, 20.0, 700.0],
    "cosh": [0.3, -2.0, 1e-300, 20.0, 700.0],
    "tanh": [0.0, 0.3, -2.0, 5.0, 10.0, 18.0, 30.0, -25.0, 1e-300],
    "exp": [0.0, 0.3, -2.0, 700.0, -700.0, 1e-300],
    "log": [0.3, 2.0, 1e-300, 1e300, 1 - 2.0**-40, 1 + 2.0**-40],
    "sqrt": [0.3, 2.0, 1e-300, 1e300, 1e-10],
    "abs": [0.3, -2.0, 1e-300, -1e300],
}
EXACT = {"sin": mpmath.cos, "cos": lambda u: -mpmath.sin(u),
         "tan": lambda u: 1 / mpmath.cos(u) ** 2,
         "asin": lambda u: 1 / mpmath.sqrt(1 - u * u),
         "acos": lambda u: -1 / mpmath.sqrt(1 - u * u),
         "atan": lambda u: 1 / (1 + u * u), "sinh": mpmath.cosh, "cosh": mpmath.sinh,
         "tanh": lambda u: 1 / mpmath.cosh(u) ** 2, "exp": mpmath.exp, "log": lambda u: 1 / u,
         "sqrt": lambda u: 1 / (2 * mpmath.sqrt(u)), "abs": lambda u: mpmath.sign(u)}


def ulps_apart(got: float, want) -> float:
    want = float(want)
    if got == want:
        return 0.0
    if not (math.isfinite(got) and math.isfinite(want)):
        return math.inf
    return abs(got - want) / float(np.spacing(abs(want))) if want else math.inf


def cases():
    for name, points in GRID.items():
        for u in points:
            yield name, u


@pytest.mark.parametrize(("name", "u"), list(cases()), ids=lambda v: str(v))
def test_every_unary_partial_is_within_a_few_ulps(name, u):
    op = ops.FUNCTIONS[name]
    with mpmath.workdps(50):
        want = EXACT[name](mpmath.mpf(u))
    assert ulps_apart(float(op.partials[0](u)), want) <= ULPS


BINARY = [(2.0, 3.0), (1e200, 1e200), (1e-200, 1e-200), (1e300, 1e-5), (-3.0, 7.0),
          (0.7, 1e-300), (5.0, -1e150)]


@pytest.mark.parametrize(("u", "v"), BINARY)
def test_the_quotients_partials_are_within_a_few_ulps(u, v):
    with mpmath.workdps(50):
        du, dv = 1 / mpmath.mpf(v), -mpmath.mpf(u) / mpmath.mpf(v) ** 2
    assert ulps_apart(float(ops.DIV.partials[0](u, v)), du) <= ULPS
    assert ulps_apart(float(ops.DIV.partials[1](u, v)), dv) <= ULPS


@pytest.mark.parametrize(("u", "v"), [(2.0, 3.0), (0.5, 7.5), (1.5, -2.0), (1e10, 0.5),
                                      (3.0, 2.0**-30)])
def test_the_powers_partials_are_within_a_few_ulps(u, v):
    # u**v itself is one correctly rounded pow at best; its partials are one or two more
    # operations on it, so 8 ulps: v*u**(v-1) rounds u**(v-1), v*... and log(u) in turn.
    with mpmath.workdps(50):
        U, V = mpmath.mpf(u), mpmath.mpf(v)
        du, dv = V * U ** (V - 1), U**V * mpmath.log(U)
    assert ulps_apart(float(ops.POW.partials[0](u, v)), du) <= 2 * ULPS
    assert ulps_apart(float(ops.POW.partials[1](u, v)), dv) <= 2 * ULPS


def test_asin_near_one_keeps_its_digits_in_every_exact_method():
    from diffcompare.analysis.compare import compare
    from diffcompare.problems.formula import Problem

    result = compare(Problem.from_text("asin(x)", "0.9999999"),
                     ["manual", "forward-ad", "reverse-ad", "complex-step"])
    for row in result.rows:
        assert ulps_apart(row.result.gradient[0], result.reference.gradient[0]) <= ULPS, \
            row.method
