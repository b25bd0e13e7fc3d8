"""Each method on its own: the seeds' numbers, costs, and the cases each must get right."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffcompare.analysis.compare import run_method
from diffcompare.engine.scalar import ScalarTape as Tape
from diffcompare.expr import Const, Var, to_text
from diffcompare.methods import METHOD_NAMES, REGISTRY, Options
from diffcompare.methods.finite_differences import COMPLEX_STEP
from diffcompare.methods.manual import differentiate, jacobian_trees
from diffcompare.methods.stencils import default_step, ridders
from diffcompare.parse import parse
from diffcompare.problems.formula import Problem

from .strategies import NAMES, expressions

EXACT = [name for name in METHOD_NAMES if REGISTRY[name].exact and REGISTRY[name].can("gradient")]
BLOG = Problem.from_text("3*(x1**2 + x2*x3)", "2,3,4")
BAYDIN = Problem.from_text("ln(x1) + x1*x2 - sin(x2)", "2,5")


def test_the_registry_has_the_stable_names_in_table_order():
    assert METHOD_NAMES == ("manual", "symbolic", "forward-fd", "backward-fd", "central-fd",
                            "complex-step", "richardson", "gradient-fd", "forward-ad",
                            "reverse-ad", "reverse-ad-compiled", "reverse-over-forward")
    assert EXACT == ["manual", "symbolic", "complex-step", "forward-ad", "reverse-ad",
                     "reverse-ad-compiled"]
    assert [n for n in METHOD_NAMES if not REGISTRY[n].can("gradient")] == \
        ["gradient-fd", "reverse-over-forward"]  # H·v's own routes


@pytest.mark.parametrize("name", EXACT)
def test_exact_methods_give_the_first_seeds_numbers_exactly(name):
    result = run_method(name, BLOG, Options())
    assert result.f_value == 48
    assert result.gradient == (12, 12, 9)


@pytest.mark.parametrize("name", EXACT)
def test_exact_methods_give_baydins_numbers(name):
    result = run_method(name, BAYDIN, Options())
    assert result.f_value == pytest.approx(11.652071455223084, rel=2e-16)
    assert result.gradient[0] == 5.5
    # cos(5) rounded once: the correctly rounded float, or its neighbour for sympy's form.
    assert result.gradient[1] == pytest.approx(1.7163378145367738, rel=3e-16)


def test_costs_follow_the_design_table():
    n = BLOG.n
    costs = {name: (run_method(name, BLOG, Options()).f_evals,
                    run_method(name, BLOG, Options()).passes) for name in METHOD_NAMES}
    assert costs["forward-fd"][0] == n + 1
    assert costs["backward-fd"][0] == n + 1
    assert costs["central-fd"][0] == 2 * n
    assert costs["complex-step"][0] == n
    assert costs["forward-ad"] == (n, n)
    assert costs["reverse-ad"] == (1, 2)


def test_reverse_mode_counts_reused_nodes():
    a = Var("a")
    b = a + a
    c = b + b
    tape = Tape.record(c, ["a"])
    assert tape.operation_count == 2  # b is one node, used twice
    assert tape.reverse(tape.forward([1.5]))[0] == 4.0
    result = run_method("reverse-ad", Problem.from_text("(a + a) + (a + a)", "1.5"), Options())
    assert result.gradient == (4.0,)


def test_manual_rules_reach_the_textbook_answer():
    assert to_text(differentiate(parse("3*(x1**2 + x2*x3)"), "x1")) == "6*x1"
    assert to_text(differentiate(parse("x*y + 6"), "x")) == "y"
    assert to_text(differentiate(parse("sin(x**2)"), "x")) == "cos(x**2)*(2*x)"
    assert to_text(differentiate(parse("exp(x)"), "y")) == "0"


def test_default_steps_are_the_textbook_rules_rounded_to_what_the_machine_takes():
    eps = np.finfo(float).eps
    assert default_step(1e-3, 1) == math.sqrt(eps)
    assert default_step(-200.0, 2) == pytest.approx(eps ** (1 / 3) * 200, rel=1e-15)
    result = run_method("forward-fd", Problem.from_text("x**2", "0.1"), Options())
    (h,) = result.steps
    assert (0.1 + h) - 0.1 == h


def test_eps_overrides_the_step():
    result = run_method("central-fd", Problem.from_text("x**3", "1"), Options(eps=1e-3))
    # The step reported is the half-width the quotient really divides by.
    assert result.steps == ((((1 + 1e-3) - 1) + (1 - (1 - 1e-3))) / 2,)
    # (f(1+h) - f(1-h)) / 2h = 3 + h**2 exactly for a cubic: the truncation term shows.
    # Rounding: f(1±h) ≈ 1 each carry 1.1e-16, their difference is 6e-3, so the quotient is
    # good to about 2·1.1e-16/6e-3 ≈ 4e-14 relative; 1e-12 follows with room.
    assert result.gradient[0] == pytest.approx(3 + 1e-6, rel=1e-12)


def test_forward_difference_error_is_within_its_bound():
    # |error| <= h/2 max|f''| + 2 eps |f| / h: for exp at 1, about 1.5e-8 * e.
    result = run_method("forward-fd", Problem.from_text("exp(x)", "1"), Options())
    h = result.steps[0]
    bound = h / 2 * math.exp(1.0 + h) + 2 * np.finfo(float).eps * math.e / h
    assert abs(result.gradient[0] - math.e) <= bound


def test_complex_step_is_right_for_abs_away_from_zero():
    for x, slope in ((-2.5, -1.0), (3.0, 1.0), (1e-9, 1.0)):
        result = run_method("complex-step", Problem.from_text("abs(x)", str(x)), Options())
        assert result.gradient == (slope,)
    result = run_method("complex-step", Problem.from_text("abs(x)*x", "-3"), Options())
    assert result.gradient == (6.0,)


def test_complex_step_uses_a_power_of_two_step():
    h = COMPLEX_STEP
    assert math.frexp(h)[0] == 0.5 and 1e-21 < h < 1e-18
    # Unlike real steps it need not grow with x: sin at 1e16 keeps every digit.
    result = run_method("complex-step", Problem.from_text("sin(x)", "1e16"), Options())
    assert result.gradient == (math.cos(1e16),)


def test_richardson_reports_an_error_estimate_that_covers_its_error():
    result = run_method("richardson", Problem.from_text("sin(x)*exp(x)", "0.7"), Options())
    exact = math.exp(0.7) * (math.sin(0.7) + math.cos(0.7))
    (estimate,) = result.error_estimate
    assert abs(result.gradient[0] - exact) <= 10 * estimate + 1e-15
    assert abs(result.gradient[0] - exact) < 1e-12


def test_ridders_extrapolation_removes_the_h_squared_terms():
    # Central differences of x**3 at 1 are 3 + h**2: one elimination step makes them exact.
    estimates = [3 + (0.1 / 1.4**k) ** 2 for k in range(4)]
    best, error = ridders(estimates)
    assert best == pytest.approx(3.0, abs=1e-14)


def test_kink_inside_a_stencil_is_reported():
    result = run_method("central-fd", Problem.from_text("abs(x)", "1e-9"), Options())
    assert any("kink inside the stencil" in w for w in result.warnings)
    quiet = run_method("central-fd", Problem.from_text("abs(x)", "1"), Options())
    assert quiet.warnings == ()


def test_a_step_below_the_spacing_of_x_is_reported():
    result = run_method("forward-fd", Problem.from_text("x**2", "1"), Options(eps=1e-20))
    assert any("below the spacing" in w for w in result.warnings)
    assert math.isnan(result.gradient[0])


def test_a_failing_method_becomes_a_row_with_a_reason(monkeypatch):
    def broken(problem, options):
        raise ValueError("no luck")

    from diffcompare.methods import registry as methods

    original = methods.REGISTRY["manual"]
    monkeypatch.setitem(methods.REGISTRY, "manual",
                        methods.Method("manual", original.family, True, original.kinds,
                                       original.cost, original.rtol, broken))
    result = run_method("manual", BLOG, Options())
    assert result.failure == "ValueError: no luck"
    assert all(math.isnan(g) for g in result.gradient)


@settings(max_examples=300, deadline=None)
@given(st.lists(expressions, min_size=1, max_size=3))
def test_the_one_pass_jacobian_builds_the_same_trees_as_one_variable_at_a_time(outputs):
    # Interned nodes: "the same tree" is identity. No sympy, no program: bounded by itself.
    trees = jacobian_trees(outputs, NAMES)
    for row, output in zip(trees, outputs):
        assert row == [differentiate(output, name) for name in NAMES]
        assert all(a is b for a, b in zip(row, [differentiate(output, n) for n in NAMES]))


def test_manual_takes_over_a_sums_table_so_a_long_chain_stays_linear():
    from diffcompare.expr import Var

    chain = Var("x1")
    for i in range(2, 3001):
        chain = chain + Var(f"x{i}")
    trees = jacobian_trees([chain], [f"x{i}" for i in range(1, 3001)])
    assert all(t is Const(1) for t in trees[0])


def test_a_worker_forked_after_sympy_is_imported_imports_nothing_more():
    """What sympy imports on first use (the first Add, diff's equality tests, log) is
    imported with it where a command forks its workers: the symbolic method's own work,
    in a fresh process, then imports no module, so no worker imports one again."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from diffcompare.methods import sympy_bridge\n"
        "from diffcompare.methods.symbolic import _derivative_trees\n"
        "from diffcompare.expr import pack\n"
        "from diffcompare.parse import parse\n"
        "sympy_bridge.imported()\n"
        "before = set(sys.modules)\n"
        "f = parse('3*(x1**2 + x2*x3) + ln(x1)*exp(x2) - sin(x3)/x1')\n"
        "_derivative_trees(pack([f]), ('x1', 'x2', 'x3'), 1)\n"
        "print(sorted(set(sys.modules) - before))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_a_refused_derivative_names_the_work_it_counted():
    """The words of a prediction are made only for a refusal, and say what was counted."""
    from diffcompare.runtime.budget import OutOfBudget

    problem = Problem.from_text("+".join(f"x{i}" for i in range(1, 401)),
                                ",".join(["1"] * 400))
    prepared = REGISTRY["forward-ad"].prepare(problem, Options(budget=1e-4))
    with pytest.raises(OutOfBudget, match=r"out of budget: forward-ad's gradient \(400 dual "
                                          r"passes over 399 records\) would take about"):
        prepared.derivative("gradient")
