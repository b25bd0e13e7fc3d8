"""Derivatives of any order: Taylor mode against the ball reference, the other methods as
their error models say, nested duals' exponential cost, and the command, library and check
case around them."""

import functools
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diffcompare.cli import main
from diffcompare.engine.taylor import (
    derivatives_from,
    nested_dual_derivatives,
    taylor_coefficients,
)
from diffcompare.problems.cases import formula_cases, samples_dir
from diffcompare.problems.formula import Problem
from diffcompare.problems.load import program_problem
from diffcompare.studies.taylor import Stencil, ball_reference, taylor_study


@functools.cache
def exp_sin(order: int = 10):
    """The issue's case, every method, made once."""
    return taylor_study(Problem.from_text("exp(sin(x))", "0.5"), order, budget=60)


def run_of(study, method):
    return next(r for r in study.runs if r.method == method)


def test_taylor_mode_is_within_1e_13_of_the_reference_at_every_order():
    study = exp_sin()
    assert all(d is not None and d >= 30 for d in study.reference_digits)  # certified
    errors = study.errors(run_of(study, "taylor-ad"))
    assert len(errors) == 10 and max(errors) <= 1e-13, errors


def test_the_fft_method_is_within_1e_10_up_to_order_10():
    study = exp_sin()
    run = run_of(study, "cauchy-fft")
    errors = study.errors(run)
    assert max(errors) <= 1e-10, errors
    # its own estimate errs high (absolute, in the derivative's units)
    for d, r, e in zip(run.derivatives, study.reference, run.estimates):
        assert abs(d - r) <= e


def test_central_differences_err_as_their_model_says_and_the_error_grows_with_order():
    """The model: ε·Σ|w|·|f|/hᵏ + |C|·|f⁽ᵏ⁺²⁾|·h² at the step the method took, with the
    exact f⁽ᵏ⁺²⁾. The measured error stays under it (within 2x: the round-off term is a
    bound, the truncation's next term is left out), and both grow with the order."""
    study = exp_sin()
    run = run_of(study, "central-fd")
    problem = Problem.from_text("exp(sin(x))", "0.5")
    higher, *_ = ball_reference(problem, [0.5], (1.0,), 12)
    relative_models = []
    for k in range(1, 11):
        h = run.steps[k - 1]
        model = Stencil.central(k).model(h, abs(study.value), abs(higher[k + 1]))
        error = abs(run.derivatives[k - 1] - study.reference[k - 1])
        assert error <= 2 * model, (k, error, model)
        relative_models.append(model / abs(study.reference[k - 1]))
    assert relative_models[0] < 1e-9 and relative_models[-1] > 1e-1
    errors = study.errors(run)
    assert errors[0] < 1e-9 and errors[-1] > 1e-2  # digits lost with the order


def test_nested_duals_cost_grows_exponentially_and_taylor_mode_quadratically():
    study = exp_sin()
    taylor = run_of(study, "taylor-ad").growth
    nested = run_of(study, "nested-duals").growth
    ratios = [b / a for a, b in zip(nested[3:], nested[4:])]
    assert all(3.0 <= r <= 4.0 for r in ratios), ratios  # about 3.5 per order
    # quadratic: second differences of the counts settle to a constant
    second = np.diff(taylor, 2)
    assert np.ptp(second[3:]) <= 0.25 * second[-1], taylor
    assert run_of(study, "nested-duals").operations > 1000 * run_of(study, "taylor-ad").operations


def test_symbolic_swells_with_the_order():
    sizes = run_of(exp_sin(), "symbolic").sizes
    assert list(sizes) == sorted(sizes) and sizes[-1] > 20 * sizes[0]


# (the neural network is left out: its path of ~30,000 records nested 6 deep takes minutes)
SAMPLE_PROGRAMS = ["chebyshev.py", "huber.py", "logistic.py", "newton_sqrt.py", "sinexp.py"]


def _sample_tapes():
    for case in formula_cases():
        problem = case.problem()
        if problem.m == 1:
            yield case.name, problem
    for name in SAMPLE_PROGRAMS:
        yield name, program_problem(str(samples_dir() / "programs" / name))


SAMPLES = list(_sample_tapes())


@pytest.mark.parametrize(("name", "problem"), SAMPLES, ids=[n for n, _ in SAMPLES])
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_nested_duals_and_taylor_mode_agree_on_every_sample(name, problem, data):
    """Two independent routes through the same tape, up to order 6, along a random
    direction: within 1e-13 of each other, relative, with a floor of 1e-13 of the largest
    derivative for those at or near 0 (both round; neither is the reference)."""
    x = np.asarray(problem.point_array, dtype=float)
    tape = problem.tape_at(x).scalar_view()
    v = data.draw(st.lists(st.floats(-2, 2).filter(lambda t: abs(t) > 0.1),
                           min_size=problem.n, max_size=problem.n))
    (coefficients,) = taylor_coefficients(tape, x.tolist(), v, 6)
    (nested,) = nested_dual_derivatives(tape, x.tolist(), v, 6)
    taylor = [float(d) for d in derivatives_from(coefficients)]
    scale = max(abs(d) for d in taylor)
    for k, (a, b) in enumerate(zip(taylor, nested), 1):
        assert abs(a - float(b)) <= 1e-13 * max(abs(a), scale), (k, a, b)


def test_the_json_follows_grads_layout():
    result = CliRunner().invoke(main, ["taylor", "exp(sin(x))", "--at", "0.5", "--order", "4",
                                       "--methods", "taylor-ad,cauchy-fft", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["kind"] == "taylor" and data["order"] == 4
    assert list(data["methods"]) == ["taylor-ad", "cauchy-fft"]
    taylor = data["methods"]["taylor-ad"]
    assert len(taylor["derivatives"]) == len(data["reference"]) == 4  # index 0 = f′
    assert taylor["derivatives"][0] == pytest.approx(math.exp(math.sin(0.5)) * math.cos(0.5),
                                                     rel=1e-15)
    assert taylor["operations_by_order"][-1] == taylor["operations"]
    coefficients = data["reference_coefficients"]
    assert coefficients[1] == pytest.approx(data["reference"][1] / 2, rel=1e-15)


def test_a_direction_in_several_inputs():
    study = taylor_study(Problem.from_text("x*y + sin(x*y)", "1,2"), 3, (1.0, -1.0),
                         ["taylor-ad", "symbolic"])
    # g(t) = (1 + t)(2 - t) + sin((1 + t)(2 - t)): g'(0) = 1 + cos(2)·1
    assert study.reference[0] == pytest.approx(1 + math.cos(2), rel=1e-15)
    assert max(study.errors(study.runs[1])) <= 1e-14


@pytest.mark.parametrize(("args", "message"), [
    (["exp(x)", "--at", "1", "--order", "0"], "--order must be between 1"),
    (["x*y", "--at", "1,2"], "give the direction with --dir"),
    (["x*y", "--at", "1,2", "--dir", "1"], "--dir has 1 entries"),
    (["exp(x)", "--at", "1", "--methods", "forward-ad"], "unknown method 'forward-ad'"),
    (["x, x**2", "--at", "1"], "one output"),
])
def test_bad_input_is_a_message_and_status_2(args, message):
    result = CliRunner().invoke(main, ["taylor", *args])
    assert result.exit_code == 2 and message in result.output, result.output


def test_a_singular_point_leaves_no_reference_and_methods_still_report():
    study = taylor_study(Problem.from_text("log(x)", "0"), 3, None, ["taylor-ad", "cauchy-fft"])
    assert study.reference_failure and all(r is None for r in study.reference)
    assert len(study.runs) == 2


def test_a_check_case_of_the_taylor_kind_fails_on_a_wrong_expectation(tmp_path):
    case = tmp_path / "t.toml"
    case.write_text('[[case]]\nname = "t"\nexpression = "exp(x)"\npoint = [0]\n'
                    'taylor = [1, 1, 1.01]\n')
    result = CliRunner().invoke(main, ["check", str(case), "--format", "markdown"])
    assert result.exit_code == 1
    assert "f^(3) = 1.0 differs from 1.01" in result.stdout
    case.write_text('[[case]]\nname = "t"\nexpression = "exp(x)"\npoint = [0]\n'
                    'taylor = [1, 1, 1]\n')
    assert CliRunner().invoke(main, ["check", str(case)]).exit_code == 0


def test_the_library_mirrors_the_command():
    import diffcompare
    from diffcompare.math import exp, sin

    study = diffcompare.taylor(lambda x: exp(sin(x)), at={"x": 0.5}, order=3,
                               methods="taylor-ad")
    assert study.to_dict()["methods"]["taylor-ad"]["derivatives"] == pytest.approx(
        list(exp_sin().reference[:3]), rel=1e-14)
    assert study.document().data["kind"] == "taylor"


def test_the_fft_method_stays_inside_the_nearest_pole():
    """1/(1 + x²) has poles at ±i, 1.044 from x = 0.3: a circle past them sees the Laurent
    series outside (coefficients near 0, and a tiny estimate); each circle must agree with
    every smaller one, so the radius stays inside and 10 orders keep 1e-10."""
    study = taylor_study(Problem.from_text("1/(1 + x**2)", "0.3"), 10, None, ["cauchy-fft"])
    run = study.runs[0]
    assert max(study.errors(run)) <= 1e-10
    assert max(run.steps) < abs(0.3 - 1j)
