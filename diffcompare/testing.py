"""Helpers for the user's own test suite: ``from diffcompare.testing import assert_gradient``
(and assert_jvp, assert_vjp, assert_hessian)."""

from diffcompare.analysis.testing import assert_gradient, assert_hessian, assert_jvp, assert_vjp

__all__ = ["assert_gradient", "assert_hessian", "assert_jvp", "assert_vjp"]
