"""derive: the manual rules step by step, and the result equals sympy's derivative."""

import cmath
import json

import pytest
import sympy
from hypothesis import HealthCheck, assume, example, given, settings

from diffcompare import ops
from diffcompare.analysis.diagnostics import diagnose
from diffcompare.expr import Call, Var, to_text
from diffcompare.methods.sympy_bridge import symbols_for, to_sympy
from diffcompare.parse import parse
from diffcompare.problems.cases import formula_cases
from diffcompare.problems.formula import Problem
from diffcompare.render.derive import document, to_dict
from diffcompare.render.formats import write
from diffcompare.runtime.budget import TimedOut
from diffcompare.runtime.workers import within
from diffcompare.studies.derive import derive

from .strategies import NAMES, expressions, points


def agree_at_30_digits(expr, names, point) -> None:
    """Our manual derivative and sympy's, both evaluated exactly at 30 digits: they are
    the same function, so they agree far beyond float precision (1e-20 relative)."""
    symbols = symbols_for(names)
    at = {symbols[n]: sympy.Rational(x) for n, x in zip(names, point)}
    f = to_sympy(expr, symbols)
    for d in derive(expr, list(names)):
        theirs = sympy.diff(f, symbols[d.wrt])
        if theirs.has(sympy.Derivative):
            continue  # sympy cannot differentiate it (sign(asin(x))): nothing to compare with
        ours = complex(to_sympy(d.result, symbols).xreplace(at).evalf(30))
        theirs = complex(theirs.xreplace(at).evalf(30))
        if not (cmath.isfinite(ours) or cmath.isfinite(theirs)):
            continue  # undefined exactly for both (log(sin(pi)) = log(0)): they agree
        assert abs(ours - theirs) <= 1e-20 * max(1, abs(theirs)), \
            (to_text(expr), d.wrt, to_text(d.result))


@pytest.mark.parametrize("case", formula_cases(), ids=lambda c: c.name)
def test_the_derivation_of_every_sample_equals_sympys_derivative(case):
    problem = case.problem()
    for output in problem.outputs:
        agree_at_30_digits(output, problem.variables, problem.point)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, points)
@example(Call(ops.DIV, (Var("x"), Call(ops.SIN, (Call(ops.PI),)))), (0.3, 0.4))
def test_the_derivation_of_random_expressions_equals_sympys(expr, point):
    names = tuple(NAMES)
    assume(not diagnose(Problem(expr, names, point)))  # inside every domain, smooth there
    # sympy's diff and evalf run in a worker that is killed past SYMPY_SECONDS: a tree that
    # makes sympy slow is rejected (counted by hypothesis), never left to hang the suite.
    try:
        within(SYMPY_SECONDS, _finite_then_agree, expr, names, point)
    except TimedOut:
        assume(False)


SYMPY_SECONDS = 5.0


def _finite_then_agree(expr, names, point):
    symbols = symbols_for(names)
    at = {s: sympy.Rational(x) for s, x in zip(symbols.values(), point)}
    exact = complex(to_sympy(expr, symbols).xreplace(at).evalf(30))
    if cmath.isfinite(exact):  # x/sin(pi): finite in floats, a pole exactly
        agree_at_30_digits(expr, names, point)


def test_the_blog_example_names_the_rules_a_student_uses():
    (d,) = derive(parse("3*(x1**2 + x2*x3)"), "x1")
    rules = [step.rule_name for step in d.steps]
    assert rules == ["power rule (polynomial rule)", "constant rule", "sum rule (linearity)",
                     "constant factor rule"]
    assert [to_text(s.node) for s in d.steps] == ["x1**2", "x2*x3", "x1**2 + x2*x3",
                                                  "3*(x1**2 + x2*x3)"]
    assert to_text(d.steps[-1].applied) == "3*(2*x1)"
    assert to_text(d.result) == "6*x1"


def test_the_chain_rule_is_named_when_the_inner_function_is_not_the_variable():
    (d,) = derive(parse("sin(x**2)"), "x")
    assert [s.rule_name for s in d.steps] == ["power rule (polynomial rule)",
                                              "chain rule with the sine rule"]
    (plain,) = derive(parse("sin(x)"), "x")
    assert plain.steps[0].rule_name == "sine rule"


def test_every_variable_by_default_and_the_constant_rule_for_others():
    assert [d.wrt for d in derive(parse("x*y + 6"))] == ["x", "y"]
    (d,) = derive(parse("x*y"), "z")
    assert d.steps[0].rule_name == "constant rule" and to_text(d.result) == "0"


def test_output_formats():
    found = derive(parse("x*y + 6"), "x")
    assert to_dict(found)[0]["result"] == "y"
    assert json.loads(json.dumps(to_dict(found)))[0]["steps"][0]["rule"] == "constant factor rule"
    latex = write(document(found), "latex")
    assert r"\frac{\partial}{\partial x}\left(x \cdot y\right) &= y" in latex
    assert "| step | rule |" in write(document(found), "markdown")


def test_the_result_is_shown_simplified_and_checked_and_the_quotient_rule_in_its_form():
    """∂/∂y atan(x/y): a student expects -x/(x² + y²); the derived form is shown, and the
    simplified one beside it with the check that both are equal. The quotient rule's 'by
    the rule' cell is written (u'·v - u·v')/v², as the rule it names."""
    import json

    from click.testing import CliRunner

    from diffcompare.cli import main

    data = json.loads(CliRunner().invoke(main, ["derive", "atan(x/y)", "--wrt", "y",
                                                "--format", "json"]).stdout)
    assert data[0]["simplified"] == "-x/(x**2 + y**2)"  # as a student writes it
    assert "equal to the derived form at 6 random points" in data[0]["simplified_note"]
    data = json.loads(CliRunner().invoke(main, ["derive", "sin(x)/(1 + x)", "--format",
                                                "json"]).stdout)
    quotient = next(s for s in data[0]["steps"] if s["rule"] == "quotient rule")
    assert quotient["applied"] == "(cos(x)*(1 + x) - sin(x)*1)/(1 + x)**2"
