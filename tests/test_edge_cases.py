"""Numerical edge cases: a status per partial and a warning line, never a crash, and the
other methods still report. Plus the time limit on sympy."""

import json
import math
import resource
import time

import pytest
from click.testing import CliRunner

from diffcompare.analysis.compare import compare
from diffcompare.analysis.reference import exact_reference, sympy_reference
from diffcompare.cli import main
from diffcompare.methods import METHOD_NAMES, REGISTRY, Options
from diffcompare.problems.cases import formula_cases
from diffcompare.problems.formula import Problem

EXACT = ("manual", "symbolic", "forward-ad", "reverse-ad")


def statuses(text, at, **options):
    result = compare(Problem.from_text(text, at), options=Options(**options))
    # every method of gradients reports
    assert [r.method for r in result.rows] == [n for n in METHOD_NAMES
                                               if REGISTRY[n].can("gradient")]
    return result, {r.method: r.status[0] for r in result.rows}


def test_log_of_a_negative_number_is_outside_the_domain_for_every_method():
    result, status = statuses("log(x1)", "-1")
    assert set(status.values()) == {"outside domain"}
    assert result.warnings[0].startswith("outside domain: log(x1): log needs u > 0")


def test_sqrt_at_zero_and_abs_at_zero_are_not_differentiable():
    for text in ("sqrt(x1)", "abs(x1)"):
        result, status = statuses(text, "0")
        assert set(status.values()) == {"non-differentiable here"}, text
        assert any("does not exist here" in n for n in result.reference.notes)


def test_abs_near_zero_trips_only_the_stencils_that_cross_the_kink():
    result, status = statuses("abs(x1)", "1e-9")
    assert {status[m] for m in EXACT} == {"ok"} and status["complex-step"] == "ok"
    assert status["central-fd"] == "non-differentiable here"
    assert status["forward-fd"] == "ok"  # its stencil [x, x + h] stays right of 0
    assert result.row("reverse-ad").result.gradient == (1.0,)


def test_exp_at_1000_overflows():
    result, status = statuses("exp(x1)", "1000")
    assert set(status.values()) == {"overflow"}
    assert any(w.startswith("overflow: exp(x1)") for w in result.warnings)


def test_one_over_zero_is_outside_the_domain():
    _, status = statuses("1/x1", "0")
    assert set(status.values()) == {"outside domain"}


def test_sin_at_1e16_exact_methods_keep_every_digit_while_differences_fail():
    result, status = statuses("sin(x1)", "1e16")
    for name in (*EXACT, "complex-step"):
        assert result.row(name).digits == 16 and status[name] == "ok", name
    # The spacing of floats near 1e16 is 2: a difference quotient there is noise, and the
    # differences say so themselves (their estimate at twice the step disagrees).
    assert result.row("central-fd").digits == 0
    for name in ("forward-fd", "backward-fd", "central-fd", "richardson"):
        assert status[name] == "unreliable", name


def test_a_step_below_the_spacing_is_its_own_status():
    _, status = statuses("x1**2", "1", eps=1e-20)
    assert status["forward-fd"] == status["central-fd"] == "step below spacing"
    assert status["reverse-ad"] == "ok"


def test_integer_looking_points_are_float64():
    a = json.loads(CliRunner().invoke(main, ["grad", "x/3", "--at", "2", "--format",
                                             "json"]).stdout)
    b = json.loads(CliRunner().invoke(main, ["grad", "x/3", "--at", "2.0", "--format",
                                             "json"]).stdout)
    assert a["point"] == [2.0] and a["methods"] == {**a["methods"]} and \
        a["reference"] == b["reference"] == [1 / 3]


def test_statuses_are_in_the_json_and_the_table():
    out = CliRunner().invoke(main, ["grad", "log(x1) + x2", "--at", "-1,2", "--format",
                                    "json"]).stdout
    data = json.loads(out)
    assert data["methods"]["reverse-ad"]["status"] == ["outside domain", "outside domain"]
    table = CliRunner().invoke(main, ["grad", "x**2", "--at", "1", "--eps", "1e-20"]).stdout
    assert "x: step below spacing" in table


def slow_sympy(*args):
    """sympy that computes for ever (CPU, which the budget counts)."""
    while True:
        pass


def test_a_slow_sympy_becomes_a_timed_out_row_while_the_others_complete(monkeypatch):
    from diffcompare.analysis import reference
    from diffcompare.methods import symbolic

    # The workers are forked, so they run the patched functions.
    monkeypatch.setattr(symbolic, "_derivative_trees", slow_sympy)
    monkeypatch.setattr(reference, "_sympy_reference", slow_sympy)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.process_time()
    result = compare(Problem.from_text("sin(x)*y", "0.5,2"), options=Options(budget=0.2))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # Both sympy workers are stopped at 0.2 CPU s (a poll later at most); the rest is cheap.
    assert time.process_time() - start + workers < 3
    row = result.row("symbolic").result
    assert row.failure and "passed 0.2 CPU s" in row.failure
    # The reference is the tape swept in balls; sympy only cross-checks it.
    assert result.reference.source == reference.SWEEP
    assert result.reference.gradient == (2 * math.cos(0.5), math.sin(0.5))
    assert result.row("reverse-ad").digits == 16


def test_the_timeout_option_reaches_the_cli():
    result = CliRunner().invoke(main, ["grad", "x*y", "--at", "1,2", "--timeout", "0",
                                       "--format", "json"])
    data = json.loads(result.stdout)
    assert "was not run (--budget 0)" in data["methods"]["symbolic"]["failure"]
    assert data["reference"] == [2.0, 1.0] and data["reference_source"].startswith("tape")
    # 0 skips sympy, not the other methods: each still has the least allowance
    for method in ("manual", "central-fd", "reverse-ad"):
        assert data["methods"][method]["failure"] is None, method


@pytest.mark.parametrize("case", formula_cases(), ids=lambda c: c.name)
def test_the_reference_in_balls_agrees_with_sympys(case):
    problem = case.problem()
    f, derivative, _ = sympy_reference(problem, case.kind, case.direction)
    by_balls = exact_reference(problem, case.kind, case.direction)
    assert list(by_balls.f) == list(f)
    assert by_balls.gradient == tuple(derivative.ravel())  # both exact, both rounded once
