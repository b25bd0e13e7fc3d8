"""Helpers for the user's own test suite: ``from diffcompare.testing import assert_gradient``."""

from diffcompare.analysis.testing import assert_gradient

__all__ = ["assert_gradient"]
