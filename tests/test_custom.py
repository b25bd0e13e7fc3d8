"""Derivative rules of the user's own: used by forward-ad and reverse-ad, measured against
the function's own slope by every other route, and a wrong one caught twice — by grad's
line and by assert_gradient."""

from __future__ import annotations

import numpy as np
import pytest

import diffcompare
from diffcompare.testing import assert_gradient

from .programs import rules

X = {"x": np.array([0.5, -1.0, 2.0])}
EXACT = 1e-13  # the rule is a short float computation, as the exact methods' rtol


@pytest.fixture
def wrong_lse():
    rules.WRONG["factor"] = 1.001
    yield
    rules.WRONG["factor"] = 1.0


def test_a_right_rule_agrees_with_the_function_and_draws_no_line():
    found = diffcompare.compare(rules.lse_loss, at=X, methods="reverse-ad,forward-ad,"
                                "complex-step,central-fd")
    assert not found.warnings
    for method in ("reverse-ad", "forward-ad", "complex-step"):
        assert found.row(method).rel_error <= EXACT, method


def test_a_wrong_rule_is_caught_by_the_line_and_by_assert_gradient(wrong_lse):
    found = diffcompare.compare(rules.lse_loss, at=X, methods="reverse-ad,complex-step")
    (line,) = found.warnings
    assert line.startswith("your JVP rule for lse differs from the function's own slope by "
                           "1.0e-03 at x[2]"), line
    assert "the slope by complex step of lse itself" in line
    # the rule's AD is that far from the exact derivative; complex step calls lse itself
    assert found.row("reverse-ad").rel_error > 1e-4
    assert found.row("complex-step").rel_error <= EXACT
    with pytest.raises(AssertionError, match=r"gradient by reverse-ad of lse_loss is wrong "
                                             r"at d/dx\[2\]"):
        assert_gradient(rules.lse_loss, at=X)
    assert_gradient(rules.lse_loss, at=X, rtol=2e-3)  # within what the rule is off by


def test_a_rule_from_the_implicit_function_theorem_matches_the_solvers_own_slope():
    found = diffcompare.compare(rules.solver_loss, at={"a": 1.5, "b": 0.8},
                                methods="reverse-ad,forward-ad,central-fd")
    assert not found.warnings
    assert found.row("reverse-ad").rel_error <= 1e-12  # Newton converged to rounding
    assert_gradient(rules.solver_loss, at=(1.5, 0.8), rtol=1e-12)


def test_a_vjp_rule_serves_both_modes_and_its_clipping_is_named():
    x = {"x": np.array([0.1, 0.5, -0.2])}
    reverse = diffcompare.derivative(rules.clipped_loss, at=x, method="reverse-ad").value
    forward = diffcompare.derivative(rules.clipped_loss, at=x, method="forward-ad").value
    assert reverse.tolist() == forward.tolist() == [0.2, 0.5, -0.4]  # 2x, clipped to ±0.5
    stepped = diffcompare.derivative(rules.clipped_loss, at=x, method="complex-step").value
    assert stepped == pytest.approx([0.2, 1.0, -0.4], rel=1e-15)  # the function's own
    found = diffcompare.compare(rules.clipped_loss, at=x, methods="reverse-ad")
    assert any("VJP rule for clipped_square" in w and "at x[1]" in w for w in found.warnings)


def test_second_order_ad_says_a_rule_gives_first_derivatives_only():
    found = diffcompare.compare(rules.lse_loss, at=X, methods="reverse-ad,central-fd",
                                kind="hessian")
    assert found.row("reverse-ad").result.failure.startswith(
        "cannot: your rule for lse gives first derivatives only")
    assert found.row("central-fd").result.failure is None  # lse itself, differenced


def test_outside_a_trace_the_function_is_called_as_it_is():
    assert rules.lse(np.array([0.0, 0.0])) == pytest.approx(np.log(2), rel=1e-15)
    assert rules.lse.__name__ == "lse" and "stable" in rules.lse.__doc__
