"""compare(): the exact reference, errors, digits, warnings, the given row, failures."""

import math

import numpy as np
import pytest

from diffcompare.analysis.compare import compare, correct_digits, measure, select_methods
from diffcompare.analysis.reference import Reference, exact_reference
from diffcompare.errors import InputError, ParseError
from diffcompare.methods import Cost, Derivative, Options
from diffcompare.methods.given import given_result, split_top_level
from diffcompare.problems.formula import Problem


def test_the_reference_is_exact_where_float_methods_are_not():
    # sin(1e16): the argument reduction must be exact; 40 digits get it, the float too.
    problem = Problem.from_text("sin(x)", "1e16")
    reference = exact_reference(problem)
    assert reference.gradient[0] == math.cos(1e16)
    # Catastrophic cancellation in f itself does not touch the reference.
    cancel = exact_reference(Problem.from_text("(1 - cos(x))/x**2", "1e-5"))
    assert cancel.value == pytest.approx(0.5 - 1e-10 / 24, rel=1e-15)


def test_errors_and_digits():
    found = Derivative("m", "gradient", np.array([12.000000000001, 9.0]), np.array([1.0]),
                       Cost(1, 1))
    row = measure(found, Reference("gradient", np.array([1.0]), np.array([12.0, 9.0])))
    assert row.abs_error[1] == 0
    assert row.max_abs_error == pytest.approx(1e-12, rel=1e-3)
    assert row.rel_error == pytest.approx(1e-12 / 12, rel=1e-3)
    assert row.digits == 13
    assert correct_digits(0.0) == 16
    assert correct_digits(2.0) == 0
    assert correct_digits(math.nan) is None


def test_outside_the_domain_is_a_warning_not_a_crash():
    result = compare(Problem.from_text("log(x1)", "-1"))
    assert any(w.startswith("outside domain: log(x1)") for w in result.warnings)
    # f is not real there: no reference, and every method's partial is "outside domain".
    assert math.isnan(result.reference.gradient[0])
    assert result.reference.failure == "f is not a real number at this point"
    assert len(result.rows) == 10
    assert {row.status for row in result.rows} == {("outside domain",)}


def test_overflow_and_kinks_at_the_point_are_warnings():
    assert any("overflow" in w for w in compare(Problem.from_text("exp(x)", "1000")).warnings)
    kink = compare(Problem.from_text("abs(x)", "0")).warnings
    assert any("non-differentiable here: abs(x)" in w for w in kink)


def test_given_partials_are_checked_like_a_method():
    problem = Problem.from_text("x1**2*x2 + x2*x3", "2,3,4")
    good = given_result(problem, "2*x1*x2, x1**2 + x3, x2")
    assert good.gradient == (12.0, 8.0, 3.0)
    wrong = compare(problem, ["reverse-ad"], extra=[given_result(problem, "2*x1, x1**2, x2")])
    assert wrong.row("given").max_abs_error == 8.0
    with pytest.raises(InputError, match="2 partial derivatives but there are 3"):
        given_result(problem, "1, 2")
    with pytest.raises(InputError, match="uses y"):
        given_result(problem, "y, 1, 1")
    with pytest.raises(ParseError, match="in the given d/dx2: unknown function"):
        given_result(problem, "1, foo(x1), 1")
    assert split_top_level("a, sin(b), (c + d)") == ["a", "sin(b)", "(c + d)"]


def test_method_selection():
    assert select_methods("reverse-ad, manual") == ("reverse-ad", "manual")
    with pytest.raises(InputError, match="unknown method magic"):
        select_methods("magic")


def test_problem_reads_points_and_variable_orders():
    p = Problem.from_text("x3 + 2*x1 + 3*x2", "x1=1,x2=2,x3=3")
    assert p.variables == ("x1", "x2", "x3") and p.point == (1.0, 2.0, 3.0)
    q = Problem.from_text("x3 + 2*x1 + 3*x2", "3,1,2", "x3,x1,x2")
    assert compare(q, ["reverse-ad"]).rows[0].result.gradient == (1.0, 2.0, 3.0)
    extra = Problem.from_text("x", "1,2", "x,y")
    assert compare(extra, ["manual"]).rows[0].result.gradient == (1.0, 0.0)
    for at, message in (("1,2", "2 coordinates but there are 3"), ("1,2,nan", "not finite"),
                        ("x1=1,2,3", "mixes"), ("x1=1,x2=2", "no value for x3"),
                        ("x1=1,x2=2,x3=3,q=1", "not a variable")):
        with pytest.raises((InputError, ParseError), match=message):
            Problem.from_text("x1 + x2 + x3", at)
    for names, message in (("x1,x2", "does not name x3"), ("x1,x1,x2,x3", "more than once")):
        with pytest.raises(InputError, match=message):
            Problem.from_text("x1 + x2 + x3", "1,2,3,4", names)
    with pytest.raises(InputError, match="no variables"):
        Problem.from_text("2 + 3", "1")


def test_options_reach_the_methods():
    result = compare(Problem.from_text("x**2", "1"), ["forward-fd"], Options(eps=0.5))
    assert result.rows[0].result.gradient == (2.5,)


def test_the_reference_says_a_partial_does_not_exist_at_a_kink():
    kink = exact_reference(Problem.from_text("abs(x)*y", "0,2"))
    assert math.isnan(kink.gradient[0]) and kink.gradient[1] == 0
    assert "d/dx does not exist here" in kink.notes[0] and "-2" in kink.notes[0]
    # A non-smooth piece need not make f non-differentiable: |x|**2 has slope 0 at 0.
    assert exact_reference(Problem.from_text("abs(x)**2", "0")).gradient == (0.0,)
    # Errors are then measured over the partials that exist.
    row = compare(Problem.from_text("abs(x)*y", "0,2"), ["reverse-ad"]).rows[0]
    assert math.isnan(row.abs_error[0]) and row.max_abs_error == 0


def test_a_kink_warning_concerns_only_the_partials_through_the_kink():
    result = compare(Problem.from_text("abs(x)*y", "0,2"), ["central-fd"]).rows[0].result
    assert [w for w in result.warnings if "d/dx:" in w]
    assert not [w for w in result.warnings if "d/dy" in w]


def test_the_package_exports_the_compare_function_not_the_module():
    import diffcompare
    from diffcompare import compare as exported

    assert callable(exported) and exported is diffcompare.compare
    assert exported(Problem.from_text("x*y", "2,3"), methods=["reverse-ad"]).rows[0].result \
        .gradient == (3.0, 2.0)
    assert exported("x*y", at=(2, 3), methods="reverse-ad").rows[0].result.gradient == (3, 2)


def test_where_sympy_cannot_differentiate_the_reference_uses_the_manual_rules():
    result = compare(Problem.from_text("sign(asin(x))*x", "0.3"))
    assert result.reference.gradient == (1.0,)
    assert "sympy left the derivative unevaluated" in result.reference.notes[0]
    symbolic = result.row("symbolic").result
    assert symbolic.failure and "Derivative" in symbolic.failure
    assert result.row("reverse-ad").result.gradient == (1.0,)
