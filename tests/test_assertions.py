"""assert_gradient, assert_jvp, assert_vjp, assert_hessian: silent when the code is right,
an AssertionError naming the worst entry when it is not, and AD through f when no code is
given."""

from __future__ import annotations

import numpy as np
import pytest

from diffcompare.testing import assert_gradient, assert_hessian, assert_jvp, assert_vjp

X = np.array([0.3, 0.5, -0.2])


def f(x):
    return np.sum(np.sin(x) * x[::-1])


def gradient(x):
    return np.cos(x) * x[::-1] + np.sin(x[::-1])


def g(a, b):
    return np.array([a * b, a + np.sin(b)])


def test_right_code_passes_and_ad_through_f_passes():
    assert_gradient(f, gradient, X)
    assert_gradient(f, at=X)
    assert_jvp(f, lambda x, v: np.sum(gradient(x) * v), X)
    assert_jvp(f, at=X)
    assert_vjp(f, lambda x, r: gradient(x) * r, X)
    assert_vjp(f, at=X)
    assert_hessian(f, at=X)
    assert_jvp(g, lambda a, b, va, vb: np.array([va * b + a * vb, va + np.cos(b) * vb]),
               (1.0, 2.0), direction=[0.5, -1.0])
    assert_vjp(g, lambda a, b, r: (r[0] * b + r[1], r[0] * a + r[1] * np.cos(b)),
               (1.0, 2.0), cotangent=[1.0, 2.0])


def test_wrong_code_names_the_worst_entry():
    with pytest.raises(AssertionError, match=r"the Jᵀ·r of g is wrong at d/db"):
        assert_vjp(g, lambda a, b, r: (r[0] * b + r[1], r[0] * a + r[1] * np.sin(b)),
                   (1.0, 2.0))
    with pytest.raises(AssertionError, match=r"the J·v of g is wrong at \(Jv\)_2"):
        assert_jvp(g, lambda a, b, va, vb: np.array([va * b + a * vb, va - np.cos(b) * vb]),
                   (1.0, 2.0))
    with pytest.raises(AssertionError, match=r"the Hessian of f is wrong at d2f/dx\[0\]dx\[2\]"):
        hessian = np.diag(-np.sin(X) * X[::-1])  # the diagonal alone: the cross terms lost
        assert_hessian(f, hessian, X)
    with pytest.raises(AssertionError, match=r"the gradient of f is wrong at d/dx\[1\]"):
        assert_gradient(f, lambda x: gradient(x) + np.array([0, 1e-9, 0]), X)


def test_the_tolerance_is_a_few_roundings_not_a_finite_differences():
    off = gradient(X) * (1 + 1e-10)  # what a good central difference gets
    with pytest.raises(AssertionError):
        assert_gradient(f, off, X)
    assert_gradient(f, off, X, rtol=1e-9)
