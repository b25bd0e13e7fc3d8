"""jacobian, jvp, vjp, hessian: the issue's exact values, the passes each method takes, the
dot-product test, Hessians' agreement with sympy, the library API."""

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

import diffcompare
from diffcompare.analysis.compare import compare
from diffcompare.cli import main
from diffcompare.engine import scalar as tape_module
from diffcompare.methods import REGISTRY, Options
from diffcompare.problems.cases import formula_cases
from diffcompare.problems.formula import Problem

E2 = math.exp(2)
EXACT = ("manual", "symbolic", "complex-step", "forward-ad", "reverse-ad")
EXACT_RTOL = 1e-13  # exact methods: a few roundings of short expressions


def run_json(*args):
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def close(got, want, rtol=EXACT_RTOL):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return float(np.max(np.abs(got - want))) <= rtol * float(np.max(np.abs(want)))


def test_the_jacobian_of_the_issues_example():
    data = run_json("jacobian", "x1*x2, sin(x1) + x2**2, exp(x1*x2)/x3", "--at", "1,2,4")
    want = [[2, 1, 0], [math.cos(1), 4, 0], [E2 / 2, E2 / 4, -E2 / 16]]
    assert close(data["reference"], want) and data["shape"] == [3, 3]
    for name in EXACT:
        assert close(data["methods"][name]["jacobian"], want), name
    assert data["insight"]["cheaper_mode"] == "either"


def test_jacobian_passes_are_n_forward_or_m_reverse():
    # f: R^3 -> R^2: forward mode n = 3 passes, reverse mode 1 forward + m = 2 reverse.
    data = run_json("jacobian", "x1*x2*x3, x1 + x3", "--at", "1,2,3")
    forward, reverse = data["methods"]["forward-ad"], data["methods"]["reverse-ad"]
    assert (forward["forward_passes"], forward["reverse_passes"]) == (3, 0)
    assert (reverse["forward_passes"], reverse["reverse_passes"]) == (1, 2)
    assert data["methods"]["forward-fd"]["f_evals"] == 4  # n + 1
    assert data["methods"]["central-fd"]["f_evals"] == 6  # 2n
    assert data["methods"]["complex-step"]["f_evals"] == 3  # n
    assert data["methods"]["manual"]["forward_passes"] == 6  # m·n derivative expressions
    assert data["insight"]["cheaper_mode"] == "reverse-ad"
    tall = run_json("jacobian", "x, x**2, x**3", "--at", "2")
    assert tall["insight"]["cheaper_mode"] == "forward-ad"


def test_jvp_and_vjp_match_the_issue_and_each_other():
    jvp = run_json("jvp", "x1*x2, sin(x1) + x2**2", "--at", "1,2", "--dir", "1,-1",
                   "--cotangent", "1,2")
    assert close(jvp["reference"], [1, math.cos(1) - 4])
    vjp = run_json("vjp", "x1*x2, sin(x1) + x2**2", "--at", "1,2", "--cotangent", "1,2",
                   "--dir", "1,-1")
    assert close(vjp["reference"], [2 + 2 * math.cos(1), 9])
    for name in EXACT:
        assert close(jvp["methods"][name]["jvp"], jvp["reference"]), name
        assert close(vjp["methods"][name]["vjp"], vjp["reference"]), name
    # Matrix-free: one forward pass for J·v, one forward and one reverse for Jᵀ·r.
    assert jvp["methods"]["forward-ad"]["forward_passes"] == 1
    assert (vjp["methods"]["reverse-ad"]["forward_passes"],
            vjp["methods"]["reverse-ad"]["reverse_passes"]) == (1, 1)
    assert jvp["methods"]["complex-step"]["f_evals"] == 1  # one evaluation along v
    test = jvp["insight"]["dot_product_test"]
    assert abs(test["Jv_dot_r"] - test["v_dot_JTr"]) <= 1e-15 * abs(test["Jv_dot_r"])
    assert close(test["Jv_dot_r"], 1 + 2 * (math.cos(1) - 4))


@pytest.mark.parametrize(("expression", "at", "want"), [
    ("x1**2*x2 + x2*x3", "2,3,4", [[6, 4, 0], [4, 0, 1], [0, 1, 0]]),
    ("ln(x1) + x1*x2 - sin(x2)", "2,5", [[-0.25, 1], [1, math.sin(5)]]),
    ("100*(x2 - x1**2)**2 + (1 - x1)**2", "-1.2,1", [[1330, 480], [480, 200]]),
])
def test_the_hessians_of_the_issue(expression, at, want):
    data = run_json("hessian", expression, "--at", at)
    assert close(data["reference"], want)
    for name in EXACT:
        assert close(data["methods"][name]["hessian"], want), name
        assert data["insight"]["symmetry"][name] == 0.0
    # Second differences: eps**(1/2) ~ 1.5e-8 times the ratio of f'''' and f to f''.
    assert close(data["methods"]["central-fd"]["hessian"], want, rtol=1e-7)
    n = len(want)
    reverse = data["methods"]["reverse-ad"]
    assert (reverse["forward_passes"], reverse["reverse_passes"]) == (n, n)
    assert data["methods"]["forward-ad"]["forward_passes"] == n * (n + 1) // 2
    assert data["methods"]["central-fd"]["f_evals"] == 1 + 2 * n * n
    assert "forward-fd" in data["left_out"]


@pytest.mark.parametrize("direction", ["1,0", "0,1", "2,-3"])
def test_the_hessian_vector_product_is_the_hessian_times_v_in_one_pass_pair(direction):
    f, at = "100*(x2 - x1**2)**2 + (1 - x1)**2", "-1.2,1"
    v = np.array([float(e) for e in direction.split(",")])
    data = run_json("hvp", f, "--at", at, "--dir", direction)
    hessian = run_json("hessian", f, "--at", at)
    assert close(data["reference"], np.asarray(hessian["reference"]) @ v)
    for name in EXACT:
        assert close(data["methods"][name]["hvp"], data["reference"]), name
    # Matrix-free: forward-over-reverse is one dual forward and one dual reverse pass, where
    # the Hessian took n of each.
    reverse = data["methods"]["reverse-ad"]
    assert (reverse["forward_passes"], reverse["reverse_passes"]) == (1, 1)
    assert (hessian["methods"]["reverse-ad"]["forward_passes"],
            hessian["methods"]["reverse-ad"]["reverse_passes"]) == (2, 2)
    # Second differences, as for the Hessian: eps**(1/2) ~ 1.5e-8 times the ratio of the
    # fourth derivatives and f to H·v.
    assert close(data["methods"]["central-fd"]["hvp"], data["reference"], rtol=1e-7)


def test_the_hessians_eigenvalues_say_what_the_point_is():
    rosenbrock = run_json("hessian", "100*(x2 - x1**2)**2 + (1 - x1)**2", "--at", "1,1")
    assert rosenbrock["insight"]["meaning"].startswith("positive definite")
    saddle = run_json("hessian", "x**2 - y**2", "--at", "0,0")
    assert saddle["insight"]["eigenvalues"] == [-2.0, 2.0]
    assert saddle["insight"]["meaning"].startswith("indefinite")
    flat = run_json("hessian", "x**2 + y", "--at", "0,0")
    assert flat["insight"]["meaning"].startswith("degenerate")


HESSIAN_RTOL = 1e-12  # the issue's bound: forward-over-reverse against sympy's Hessian


@pytest.mark.parametrize("case", [c for c in formula_cases() if c.kind != "jacobian"],
                         ids=lambda c: c.name)
def test_forward_over_reverse_agrees_with_the_symbolic_hessian_on_every_sample(case):
    result = compare(case.problem(), ["reverse-ad", "symbolic"], kind="hessian")
    ours, theirs = (result.row(m).result.value for m in ("reverse-ad", "symbolic"))
    assert close(ours, theirs, HESSIAN_RTOL)
    assert close(ours, result.reference.derivative, HESSIAN_RTOL)


def test_each_method_records_the_problems_tape_once(monkeypatch):
    calls = []
    original = tape_module.ScalarTape.record.__func__

    def counting(cls, outputs, variables):
        calls.append(outputs)
        return original(cls, outputs, variables)

    monkeypatch.setattr(tape_module.ScalarTape, "record", classmethod(counting))
    problem = Problem.from_text("x1**2*x2 + x2*x3", "2,3,4")
    prepared = {name: REGISTRY[name].prepare(problem, Options(budget=None))
                for name in ("forward-ad", "reverse-ad", "central-fd", "complex-step")}
    for method in prepared.values():  # asked many times, at many points
        for point in ([2, 3, 4], [1, 1, 1], [0.5, 2, 3]):
            method.derivative("gradient", point=point)
            method.derivative("jvp", point=point, direction=[1, 0, 0])
    assert len(calls) == 1  # f's tape, recorded once for all of them


def test_the_library_api():
    result = diffcompare.compare("x1**2*x2 + x2*x3", at=(2, 3, 4))
    assert result.to_dict()["methods"]["reverse-ad"]["gradient"] == [12, 8, 3]
    assert "<table>" in result._repr_html_() and result.table() is not None
    found = diffcompare.derivative("x1*x2, sin(x1) + x2**2", at=(1, 2), kind="jacobian")
    assert found.value.tolist() == [[2, 1], [math.cos(1), 4]]
    assert (found.cost.forward_passes, found.cost.reverse_passes) == (1, 2)
    hessian = diffcompare.derivative("x**3", at=[2], method="forward-ad", kind="hessian")
    assert hessian.value.tolist() == [[12.0]]


def test_f_is_a_float_for_one_output_and_an_array_for_several():
    def g(x):
        return (x * x).sum()

    scalar = diffcompare.derivative(g, at={"x": np.array([1.0, 2.0])})
    assert type(scalar.f) is float and scalar.f == 5.0
    assert type(diffcompare.derivative("x*y", at=(2, 3)).f) is float
    several = diffcompare.derivative("x*y, x + y", at=(2, 3), kind="jacobian")
    assert isinstance(several.f, np.ndarray) and several.f.tolist() == [6.0, 5.0]


def test_kinds_that_need_a_vector_or_one_output_say_so():
    for args, message in (
            (["jvp", "x*y", "--at", "1,2", "--dir", "1"], "jvp needs a direction v with n = 2"),
            (["vjp", "x*y, x", "--at", "1,2", "--cotangent", "1,2,3"],
             "vjp needs a cotangent r with m = 2 entries, got 3"),
            (["hessian", "x*y, x", "--at", "1,2"], "a hessian needs a function with one output"),
            (["grad", "x*y, x", "--at", "1,2"], "a gradient needs a function with one output")):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and message in result.stderr, result.stderr


def test_a_method_that_cannot_give_a_kind_is_a_row_with_the_reason():
    result = compare(Problem.from_text("x*y", "1,2"), ["forward-fd", "reverse-ad"],
                     kind="hessian")
    assert result.row("forward-fd").result.failure.startswith(
        "cannot: forward-fd does not compute a hessian")
    assert result.row("reverse-ad").result.value.tolist() == [[0, 1], [1, 0]]


def test_every_library_result_shows_itself_as_html_and_draws_a_figure():
    from matplotlib.figure import Figure

    results = [
        diffcompare.compare("3*(x1**2 + x2*x3)", at=(2, 3, 4), methods="reverse-ad,manual"),
        diffcompare.derivative("x1*x2, sin(x1)", at=(1, 2), kind="jacobian"),
        diffcompare.step_study("exp(x)", at=[1], timeout=5),
        diffcompare.trace("ln(x1) + x1*x2 - sin(x2)", at=(2, 5)),
        diffcompare.derive("sin(x)*x"),
        diffcompare.descent("3*(x1**2 + x2*x3)", start=(2, 3, 4), methods="reverse-ad",
                            steps=2),
    ]
    for result in results:
        shown = result._repr_html_()
        assert shown.startswith("<") and ("<table" in shown or "<pre" in shown), type(result)
        assert isinstance(result.plot(), Figure), type(result)


def test_hvp_by_reverse_over_forward_and_by_differences_of_gradients():
    """H·v's own routes: reverse-over-forward is exact (one dual forward pass recorded,
    one reverse sweep); gradient-fd is central-fd's J·v of the gradient, O(h²) with
    h ~ eps**(1/3): about 1e-10 relative here (its own estimate says how far)."""
    data = run_json("hvp", "sin(x*y)*exp(x)", "--at", "0.3,2", "--dir", "1,-2")
    exact = data["reference"]
    rof = data["methods"]["reverse-over-forward"]
    assert close(rof["hvp"], exact)
    assert (rof["forward_passes"], rof["reverse_passes"]) == (2, 1)
    assert close(data["methods"]["gradient-fd"]["hvp"], exact, rtol=1e-8)
    assert data["methods"]["gradient-fd"]["f_evals"] == 2  # two gradients: x ± h·v
    grad = run_json("grad", "x*y", "--at", "1,2")
    assert "gradient-fd" not in grad["left_out"] and "reverse-over-forward" not in grad["methods"]
    assert "gradient-fd" in run_json("hessian", "x*y", "--at", "1,2")["left_out"]
