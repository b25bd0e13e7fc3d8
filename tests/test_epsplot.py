"""epsplot: the error against the step, the models, and what the figure claims."""

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from diffcompare.cli import main
from diffcompare.problems.formula import Problem
from diffcompare.studies.epsplot import EPS, error_model, running_envelope, step_study

SMOOTH = [("exp(x)", "1"), ("sin(x)", "0.7"), ("x**3/(1 + x**2)", "2.5"),
          ("log(x1)*x2", "3,2")]


@pytest.mark.parametrize("text, at", SMOOTH)
def test_observed_orders_are_one_for_one_sided_and_two_for_central(text, at):
    study = step_study(Problem.from_text(text, at))
    for scheme, order in (("forward-fd", 1), ("backward-fd", 1), ("central-fd", 2)):
        assert study.sweep(scheme).observed_order == pytest.approx(order, abs=0.2), scheme


@pytest.mark.parametrize("text, at", SMOOTH)
def test_the_models_optimal_step_is_within_ten_times_the_measured_minimum(text, at):
    study = step_study(Problem.from_text(text, at))
    for scheme in ("forward-fd", "backward-fd", "central-fd"):
        sweep = study.sweep(scheme)
        ratio = sweep.model.optimal_step / sweep.best_step
        assert 0.1 <= ratio <= 10, (scheme, ratio)


def test_the_forward_model_is_the_textbook_one():
    # |f''|/2 h + eps (|f| + |f'| h)/h: for exp at 1 the optimum is sqrt(2 eps).
    model = error_model("forward-fd", math.e, math.e, math.e, math.e)
    assert model.optimal_step == pytest.approx(math.sqrt(2 * EPS), rel=1e-12)
    central = error_model("central-fd", math.e, math.e, math.e, math.e)
    assert central.optimal_step == pytest.approx((1.5 * EPS) ** (1 / 3), rel=1e-12)


def test_complex_step_stays_flat_near_machine_precision():
    study = step_study(Problem.from_text("exp(x)", "1"))
    sweep = study.sweep("complex-step")
    small = sweep.steps <= 1e-8
    # A handful of roundings of f' = e: a few eps relative, with no growth as h shrinks.
    assert np.all(sweep.errors[small] <= 4 * EPS * math.e)


def test_the_default_is_the_first_seeds_figure():
    result = CliRunner().invoke(main, ["epsplot", "--format", "json", "--relative"])
    data = json.loads(result.stdout)
    assert data["expression"] == "3*(x1**2 + x2*x3)" and data["point"] == [2.0, 3.0, 4.0]
    assert data["wrt"] == "x1" and data["exact"] == 12.0
    forward = data["methods"]["forward-fd"]
    # With --relative the axis is the step in % of x1 = 2.
    assert forward["axis"][0] == pytest.approx(100 * forward["steps"][0] / 2, rel=1e-12)
    assert forward["observed_order"] == pytest.approx(1, abs=0.2)


def test_a_kink_is_reported_instead_of_an_error_curve(tmp_path):
    study = step_study(Problem.from_text("abs(x)", "0"))
    assert study.exact is None and "does not exist" in study.no_derivative
    assert all(np.isnan(s.errors).all() and s.model is None for s in study.sweeps)
    result = CliRunner().invoke(main, ["epsplot", "abs(x)", "--at", "0", "-o",
                                       str(tmp_path / "kink.png")])
    assert result.exit_code == 0 and "d/dx does not exist here" in result.stdout
    assert (tmp_path / "kink.png").read_bytes()[:4] == b"\x89PNG"


def test_every_output_format_is_written_and_readable(tmp_path):
    run = CliRunner().invoke
    for suffix, magic in ((".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")):
        path = tmp_path / f"steps{suffix}"
        result = run(main, ["epsplot", "sin(x)", "--at", "1", "--points", "40", "-o", str(path)])
        assert result.exit_code == 0, result.output
        assert path.read_bytes()[:len(magic)] == magic
    data = json.loads(run(main, ["epsplot", "sin(x)", "--at", "1", "--points", "40",
                                 "--format", "json"]).stdout)
    assert len(data["methods"]["central-fd"]["errors"]) == 40
    csv = run(main, ["epsplot", "sin(x)", "--at", "1", "--points", "40", "--methods",
                     "central-fd", "--format", "csv"]).stdout.splitlines()
    assert csv[0] == "method,step,axis,estimate,error,model" and len(csv) == 41


def test_grad_can_draw_the_same_figure(tmp_path):
    path = tmp_path / "grad.png"
    result = CliRunner().invoke(main, ["grad", "exp(x)*y", "--at", "1,2", "--plot", str(path),
                                       "--wrt", "y"])
    assert result.exit_code == 0, result.output
    assert path.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("args, message", [
    (["epsplot", "x", "--at", "1", "--range", "1e-3"], "write LOW:HIGH"),
    (["epsplot", "x", "--at", "1", "--range", "1:0.5"], "0 < LOW < HIGH"),
    (["epsplot", "x", "--at", "1", "--methods", "reverse-ad"], "not reverse-ad"),
    (["epsplot", "x", "--at", "0", "--relative"], "which is 0 here"),
    (["epsplot", "x", "--at", "1", "--wrt", "q"], "not a variable"),
    (["epsplot", "x"], "missing --at"),
])
def test_bad_options_are_refused_with_exit_2(args, message):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and message in result.stderr


def test_running_envelope_ignores_lucky_zeros():
    steps = np.geomspace(1e-10, 1e-2, 81)
    errors = np.full(81, 1e-8)
    errors[::7] = 0.0
    assert np.all(running_envelope(steps, errors) == 1e-8)
