"""Programs, not formulas: Python functions with loops, branches, recursion and arrays,
through every method, against the exact reference (their traced tape swept in balls)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from diffcompare.analysis.compare import compare
from diffcompare.cli import main
from diffcompare.engine.tracer import trace
from diffcompare.errors import InputError
from diffcompare.methods import REGISTRY, Options
from diffcompare.problems.load import program_problem

PROGRAMS = Path(__file__).resolve().parent.parent / "sample_functions" / "programs"
HERE = Path(__file__).resolve().parent / "programs"
# AD is exact up to rounding: a few ulps of the largest entry, normwise (DESIGN: exact
# methods ≈ 1e-13 normwise relative).
EXACT = 1e-13
VALUE_DEPENDENT = {"newton_sqrt": "newton_sqrt.py:14", "huber": "huber.py:12"}


def _compared(name, methods=None, timeout=20.0):
    problem = program_problem(str(PROGRAMS / f"{name}.py"))
    return compare(problem, methods, Options(budget=timeout))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ["newton_sqrt", "huber", "chebyshev", "rosenbrock",
                                  "logistic"])
def test_every_method_on_every_small_sample(name):
    found = _compared(name)
    assert found.reference.failure is None
    assert found.reference.source.startswith("tape swept in ball arithmetic")
    for row in found.rows:
        method = REGISTRY[row.method]
        if row.method in ("manual", "symbolic") and name in VALUE_DEPENDENT:
            # value-dependent control flow: a reason with the file and line, no numbers
            assert row.result.failure.startswith("cannot: the condition at "
                                                 + VALUE_DEPENDENT[name])
            assert np.isnan(row.result.value).all()
            continue
        assert row.result.failure is None, (row.method, row.result.failure)
        # each method within the tolerance its own error model gives it (the registry's)
        assert row.rel_error <= (EXACT if method.exact else method.rtol), row.method


@pytest.mark.timeout(60)
def test_the_neural_network_loss_by_reverse_and_forward_ad():
    """Central differences on the network (8,004 calls of it with their check, 7 of the
    test's 11 CPU s) are checked by .ci/run's `check` of its case; their 2n evaluations are
    counted here on the 3-input logistic regression."""
    found = _compared("neural_net", ["reverse-ad", "forward-ad"])
    rows = {row.method: row for row in found.rows}
    assert found.reference.derivative.shape == (2001,)
    assert rows["reverse-ad"].rel_error <= EXACT and rows["forward-ad"].rel_error <= EXACT
    # the seeds' costs: one reverse pass against n forward passes, 2n evaluations for FD
    assert rows["reverse-ad"].result.cost.reverse_passes == 1
    assert rows["forward-ad"].result.cost.forward_passes == 2001
    central = _compared("logistic", ["central-fd"]).row("central-fd")
    assert central.result.cost.f_evals == 2 * 3
    assert central.rel_error <= REGISTRY["central-fd"].rtol


@pytest.mark.timeout(60)
def test_arrays_of_several_shapes_broadcast_and_keep_their_shapes():
    problem = program_problem(str(HERE / "shapes.py"))
    assert problem.shapes == ((3, 4), (3,), ()) and problem.n == 16
    adjoints = problem.tape.adjoint_sweep()
    assert [np.shape(a) for a in adjoints] == [(3, 4), (3,), ()]
    found = compare(problem, ["reverse-ad", "forward-ad", "complex-step", "manual",
                              "symbolic"], Options(budget=30))
    assert found.reference.failure is None and not found.reference.notes  # sympy agrees
    for row in found.rows:
        if row.method in ("manual", "symbolic"):  # max picks an entry by value
            assert row.result.failure.startswith("cannot: the max at shapes.py:")
        else:
            assert row.rel_error <= EXACT, row.method


@pytest.mark.timeout(60)
def test_reverse_ad_on_rosenbrock_with_a_hundred_thousand_inputs():
    from .sample_functions_loader import rosenbrock

    n = 100_000
    x = rosenbrock.start(n)["x"]
    problem = program_problem(str(PROGRAMS / "rosenbrock.py"), {"x": x})
    found = REGISTRY["reverse-ad"].prepare(problem, Options()).derivative("gradient")
    expected = rosenbrock.grad_f(x)
    scale = np.max(np.abs(expected))
    assert found.value.shape == (n,)
    assert np.max(np.abs(found.value - expected)) <= EXACT * scale
    assert found.cost.reverse_passes == 1 and found.cost.forward_passes == 1


def test_value_dependent_conditions_are_remembered_with_their_lines():
    def f(a):
        g = a
        while abs(g * g - a) > 1e-12:
            g = (g + a / g) / 2
        return g

    tape = trace(f, ["a"], [2.0])
    line = f.__code__.co_firstlineno + 2
    assert {c.where for c in tape.conditions} == {f"test_programs.py:{line}"}
    assert all(c.inputs == ("a",) for c in tape.conditions)
    assert tape.f()[0] == pytest.approx(2 ** 0.5, rel=1e-15)


def test_recursion_whose_depth_does_not_depend_on_values_is_one_formula():
    found = _compared("chebyshev", ["manual", "symbolic"])
    assert [row.result.failure for row in found.rows] == [None, None]
    assert found.reference.gradient[0] == pytest.approx(80 * 0.3**4 - 60 * 0.3**2 + 5,
                                                        rel=1e-15)


def test_a_branch_boundary_where_the_slopes_differ_has_no_derivative(tmp_path):
    source = tmp_path / "vee.py"
    source.write_text("def f(x):\n    if x > 0:\n        return x\n    return -x\n")
    found = compare(program_problem(str(source), "x=0"), ["reverse-ad"], Options(budget=10))
    assert found.rows[0].status == ("non-differentiable here",)
    assert "does not exist here" in found.reference.absent[0]
    smooth = compare(program_problem(str(PROGRAMS / "huber.py"), "r=1"), ["reverse-ad"],
                     Options(budget=10))  # Huber is C1 at its boundary |r| = delta
    assert smooth.rows[0].status == ("ok",) and smooth.reference.gradient == (1.0,)


def test_assert_gradient_passes_the_right_gradient_and_names_a_wrong_entry():
    from diffcompare.testing import assert_gradient

    from .sample_functions_loader import rosenbrock

    x = rosenbrock.start(6)["x"]
    assert_gradient(rosenbrock.f, rosenbrock.grad_f, x)

    def one_wrong(x):
        g = rosenbrock.grad_f(x)
        g[3] *= 1 + 1e-9
        return g

    with pytest.raises(AssertionError, match=r"d/dx\[3\]: expected 792\.0.*got 792\.0000007"):
        assert_gradient(rosenbrock.f, one_wrong, x)


def run(*args):
    return CliRunner().invoke(main, list(args))


# The endless loop's alarm may land inside a gc callback (hypothesis installs one), where
# Python swallows the exception with a warning; the alarm repeats until one lands.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.timeout(60)
@pytest.mark.parametrize("source, extra, message", [
    (None, [], "no such file"),
    ("def f(x):\n    return x +\n", [], "broken.py:2: syntax error"),
    ("X = 1\n", [], "broken.py defines no function to differentiate"),
    ("def g(x):\n    return x\ndef h(y):\n    return y\n", ["--at", "x=1"],
     "defines several functions (g, h); name one: broken.py:g"),
    ("def f(x):\n    return x\ndef g(x, y):\n    return x\n", ["--at", "1", "--given", "g"],
     "broken.py:g takes 2 inputs; f takes 1"),
    ("def f(x):\n    return x\n", ["--at", "x=1,y=2"], "--at names y, which is not an input"),
    ("def f(x):\n    return 'x'\n", ["--at", "1"], "not a number or an array of numbers"),
    ("def f(x):\n    return [x, x]\n", ["--at", "1"], "a gradient needs a function with one "
                                                     "output; f has 2"),
    ("def f(x):\n    y = x / 2\n    raise ValueError('negative')\n", ["--at", "1"],
     "broken.py:3: ValueError: negative"),
    ("import numpy as np\ndef f(x):\n    return np.log1p(x)\n", ["--at", "1"],
     "broken.py:3: np.log1p is not supported on a value that depends on an input"),
    ("import numpy as np\ndef f(x):\n    return np.fft.fft(x).real[0]\n",
     ["--at", "x=[1,2]"], "broken.py:3: np.fft.fft is not supported"),
    ("import numpy as np\ndef f(x):\n    return np.asarray(x, float)[0]\n",
     ["--at", "x=[1,2]"], "broken.py:3: np.asarray(..., float64) of a value that depends "
                          "on an input makes it constants"),
    ("def f(x):\n    while True:\n        x = x + 1\n", ["--at", "1", "--timeout", "0"],
     "the program ran past 1 CPU s"),
])
def test_bad_programs_exit_2_with_a_clear_message(tmp_path, source, extra, message):
    path = tmp_path / "broken.py"
    if source is not None:
        path.write_text(source)
    result = run("grad", str(path), *extra)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.timeout(60)
def test_grad_of_a_program_with_the_given_gradient_code_from_the_command_line():
    result = run("grad", str(PROGRAMS / "rosenbrock.py"), "--n", "50", "--given", "grad_f",
                 "--methods", "reverse-ad", "--format", "json")
    assert result.exit_code == 0, result.output
    import json

    found = json.loads(result.output)
    assert found["input_shapes"] == {"x": [50]} and found["shape"] == [50]
    assert len(found["methods"]["given"]["gradient"]) == 50
    assert found["methods"]["given"]["rel_error"] <= EXACT
    assert found["methods"]["reverse-ad"]["rel_error"] <= EXACT


def test_a_point_from_an_array_file(tmp_path):
    np.save(tmp_path / "x.npy", np.array([1.0, 2.0, 3.0]))
    (tmp_path / "x.csv").write_text("1,2,3\n")
    for name in ("x.npy", "x.csv"):
        problem = program_problem(str(PROGRAMS / "rosenbrock.py"), f"x=@{tmp_path / name}")
        assert problem.point == (1.0, 2.0, 3.0)


def test_math_offers_exactly_the_functions_of_the_ops_table():
    import diffcompare.math as dmath
    from diffcompare import ops

    for name in ops.FUNCTIONS:
        assert dmath.sin(0.5) == pytest.approx(np.sin(0.5))
        assert callable(getattr(dmath, name))
    assert set(dmath.__all__) == {*ops.FUNCTIONS, *ops.CONSTANTS, "sum", "mean", "dot",
                                  "max", "min"}


@pytest.mark.timeout(60)
def test_every_command_that_takes_a_function_takes_a_program(tmp_path):
    newton, shapes = str(PROGRAMS / "newton_sqrt.py"), str(HERE / "shapes.py")
    vector = tmp_path / "vector.py"
    vector.write_text("from diffcompare.math import sin\n\ndef f(x, y):\n"
                      "    return [x * y, sin(x) + y ** 2]\n")
    for args in (["trace", newton, "--format", "json"], ["graph", newton],
                 ["epsplot", newton, "--points", "5", "--format", "json"],
                 ["hessian", newton, "--methods", "forward-ad,reverse-ad"],
                 ["jacobian", str(vector), "--at", "x=1,y=2", "--methods", "reverse-ad"],
                 ["jvp", str(vector), "--at", "x=1,y=2", "--dir", "1,-1"],
                 ["vjp", str(vector), "--at", "x=1,y=2", "--cotangent", "1,2"],
                 ["grad", shapes, "--methods", "reverse-ad", "--format", "csv"],
                 ["descent", newton, "--steps", "2", "--methods", "reverse-ad"]):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
    trace_json = run("trace", newton, "--format", "json").output
    assert trace_json.count('"v') > 10  # every iteration of the loop is on the path


def test_plain_values_at_follow_the_parameter_order(tmp_path):
    path = tmp_path / "two.py"
    path.write_text("def f(r, d):\n    return r * r * d\n")
    for at in ("3,2", "r=3,d=2", "3,d=2", "d=2,r=3"):
        found = run("grad", str(path), "--at", at, "--methods", "reverse-ad",
                    "--format", "json")
        assert found.exit_code == 0, (at, found.output)
        assert json.loads(found.stdout)["methods"]["reverse-ad"]["gradient"] == [12, 9]
    for at, said in (("d=2,3", "a plain value after a named one"),
                     ("3,2,1", "more values than there are inputs"),
                     ("[1,2],3", "name the array input, as r=[1,2]")):
        found = run("grad", str(path), "--at", at)
        assert found.exit_code == 2 and said in found.output, (at, found.output)


def test_the_files_point_fills_what_at_leaves_out_and_is_not_read_when_at_gives_all(tmp_path):
    path = tmp_path / "two.py"
    path.write_text("POINT = {'r': 3.0, 'd': 2.0}\ndef f(r, d):\n    return r * r * d\n")
    assert program_problem(str(path)).point == (3.0, 2.0)
    assert program_problem(str(path), "d=5").point == (3.0, 5.0)  # r from the file
    path.write_text("POINT = [3.0, 2.0]\ndef f(r, d):\n    return r * r * d\n")  # not a dict
    with pytest.raises(InputError, match="POINT should be a dict of r, d"):
        program_problem(str(path), "d=5")  # (r is needed from it)
    assert program_problem(str(path), "r=1,d=5").point == (1.0, 5.0)  # never needed


def _affine_sum(W, b):
    from diffcompare.math import sum as dsum
    from diffcompare.math import tanh

    return dsum(tanh(W @ b + 1.0))


def test_a_dict_of_float_arrays_is_the_point_as_it_is_and_any_other_at_is_read(monkeypatch):
    """The library's usual call, a dict naming each input once with a non-empty float64
    array, is not read again (read_inputs would give back the same arrays); it makes the
    problem reading makes, and every other form is read and checked as before."""
    from diffcompare.problems import load
    from diffcompare.problems.usercode import from_callable

    program = from_callable(_affine_sum)
    rng = np.random.default_rng(3)
    W, b = rng.normal(size=(3, 4)), rng.normal(size=4)
    read = program_problem(program, {"W": W.tolist(), "b": b.tolist()})  # lists: read
    with monkeypatch.context() as patched:
        patched.setattr(load, "read_inputs", lambda *args: pytest.fail("read again"))
        direct = program_problem(program, {"W": W, "b": b})
    assert direct.point == read.point and direct.shapes == read.shapes == ((3, 4), (4,))
    gradients = [REGISTRY["reverse-ad"].prepare(p, Options()).derivative("gradient").value
                 for p in (direct, read)]
    assert np.array_equal(*gradients)

    for at, said in (({"W": W, "b": b, "c": b}, "which is not an input"),
                     ({"W": W}, "needs a value for b"),
                     ({"W": W, "b": np.array([]), }, "input b is empty"),
                     ({"W": W, "b": np.array(["a"] * 4)}, "not real numbers"),
                     ({"W": np.where(W > 0, np.nan, W), "b": b}, "not finite")):
        with pytest.raises(InputError, match=said):
            program_problem(program, at)
    as_ints = program_problem(program, {"W": W, "b": np.arange(4)})  # read: made floats
    assert as_ints.point[-4:] == (0.0, 1.0, 2.0, 3.0)
