"""The gradient code written out: the same numbers as the tape's reverse sweep bit for bit,
on every sample; runnable on its own; its guards catch another path."""

import array
import ast
import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from diffcompare.analysis.compare import compare
from diffcompare.engine.arrays import PLAN_RECORDS, flatten, split
from diffcompare.engine.codegen import generate, input_names
from diffcompare.methods import REGISTRY, Options
from diffcompare.problems.cases import STUDY_KINDS, load_cases
from diffcompare.studies.codegen import gradient_code

CASES = [c for c in load_cases() if c.kind not in STUDY_KINDS]
# exact methods on these samples: a few roundings per operation -> 1e-13 normwise
EXACT_RTOL = 1e-13


def _bits(values) -> list[bytes]:
    return [np.asarray(v, dtype=float).tobytes() for v in values]


def _code(problem):
    tape = problem.ad_tape_at(problem.point_array)
    return tape, generate(tape, input_names(tape), problem.describe())


@pytest.mark.parametrize("case", [c for c in CASES if c.kind == "gradient"],
                         ids=lambda c: c.name)
def test_the_tracer_keeps_every_value_the_reverse_plan_reads(case):
    """A trace lets a value go while the program runs unless a partial reads it
    (engine/plan.py's values_read): that must name all the plan's reverse steps read."""
    tape = case.problem().ad_tape_at(case.problem().point_array)
    if not hasattr(tape, "read"):
        return  # a formula's tape keeps every value
    plan = tape.plan()
    if plan is None:
        return  # no numpy code (a rule of the user's): its sweep asks for every value
    records = {k for k, op in enumerate(tape.ops) if op is not None}
    assert plan.slots_read & records <= tape.read


@pytest.mark.parametrize("case", [c for c in CASES if c.kind == "gradient"],
                         ids=lambda c: c.name)
def test_the_code_and_the_tape_sweep_agree_bit_for_bit_on_every_sample(case):
    problem = case.problem()
    try:
        tape, generated = _code(problem)
    except Exception as reason:  # a rule of the user's: no numpy code (said, tested below)
        assert "cannot be written" in str(reason), reason
        return
    x = problem.point_array
    args = split(x, generated.plan.shapes)
    value, gradient = generated.load()(*args)
    parts = [gradient] if len(args) == 1 else list(gradient)
    # the plan's own steps: run from the inputs, and over the tape's values at the point
    _, planned = generated.plan.run(args)
    _, swept = generated.plan.run(values=tape.forward(x) if not hasattr(tape, "values")
                                  else tape.values)
    assert _bits(parts) == _bits(planned) == _bits(swept)
    if hasattr(tape, "values") and len(tape.ops) <= PLAN_RECORDS:
        # a program: reverse-ad's sweep is these steps (a path of more scalar records is
        # swept by the generic sweep: planning it would cost more than it saves)
        f, row = tape.vjp(x, [1.0])
        assert flatten(parts).tobytes() == np.asarray(row, dtype=float).tobytes()
        assert np.float64(value).tobytes() == np.float64(f[0]).tobytes()
    else:  # a formula: reverse-ad's float sweep (engine/floats.py) rounds in its own order
        _, row = tape.vjp(list(x), [1.0])
        expected = np.asarray(row, dtype=float)
        scale = max(np.max(np.abs(expected)), 1e-300)
        assert np.max(np.abs(flatten(parts) - expected)) <= EXACT_RTOL * scale


@pytest.mark.parametrize("name", ["baydin", "rosenbrock-4", "mlp-tanh", "rnn-unrolled",
                                  "huber-linear-side"])
def test_the_printed_code_imports_only_numpy_and_runs_on_its_own(name, tmp_path):
    case = next(c for c in CASES if c.name == name)
    generated = gradient_code(case.problem())
    imports = [node for node in ast.walk(ast.parse(generated.source))
               if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert [alias.name for node in imports for alias in node.names] == ["numpy"]
    path = tmp_path / "grad.py"
    path.write_text(generated.source)
    spec = importlib.util.spec_from_file_location("grad", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    problem = case.problem()
    value, gradient = getattr(module, generated.function_name)(
        *split(problem.point_array, generated.plan.shapes))
    parts = [gradient] if len(generated.plan.shapes) == 1 else list(gradient)
    reference = compare(problem, ["reverse-ad"]).reference
    exact = np.asarray(reference.gradient, dtype=float)
    assert np.max(np.abs(flatten(parts) - exact)) <= EXACT_RTOL * np.max(np.abs(exact))


def test_the_baydin_code_reads_as_the_trace_numbers_it():
    case = next(c for c in CASES if c.name == "baydin")
    source = gradient_code(case.problem()).source
    for line in ("v1 = np.log(x1)", "v2 = x1 * x2", "v3 = np.sin(x2)", "v4 = v1 + v2",
                 "v5 = v4 - v3", "return v5, (x1_bar, x2_bar)"):
        assert line in source


def test_constant_factors_ride_on_the_adjoint_and_slices_are_written_in_place():
    case = next(c for c in CASES if c.name == "rosenbrock-4")
    source = gradient_code(case.problem()).source
    reverse = source.split("# reverse sweep")[1]
    assert "out=x_bar[:-1]" in reverse  # a slice's adjoint written into its place
    assert "x_bar[1:] +=" in reverse
    assert "-1.0 *" not in reverse and "* 1.0" not in reverse and "100.0" not in reverse
    assert reverse.count("\n") <= 10  # 7 steps for the reverse sweep (and the return)


def test_parts_with_one_scale_are_added_before_the_scale_is_applied():
    case = next(c for c in CASES if c.name == "rosenbrock-4")
    reverse = gradient_code(case.problem()).source.split("# reverse sweep")[1]
    passes = [line.strip() for line in reverse.splitlines()[1:-1]
              if "np.empty(" not in line and "] = 0.0" not in line]
    # 200·(x[1:] - x[:-1]²) scaled once; its x[:-1]² part (scale -2) and 1 - x[:-1]'s
    # (scale -2) added, then placed scaled; x[1:]'s added as it is: five passes, not six
    assert len(passes) == 5, passes
    assert "t2 += v8" in passes and "x_bar[1:] += v4_bar" in passes


def _sine_less_exp(x):
    # two slices of x[1:] whose parts come with opposite scales (3 and -3)
    return np.sum(3 * np.sin(x[1:]) - 3 * np.exp(x[1:]))


def test_parts_with_opposite_scales_are_subtracted_and_give_the_derivative():
    from diffcompare.engine.tracer import trace

    x = np.random.default_rng(5).normal(size=6)
    tape = trace(_sine_less_exp, ["x"], [x], point=x)
    generated = generate(tape, ["x"], "sine less exp")
    reverse = generated.source.split("# reverse sweep")[1]
    # exp(x[1:]) - cos(x[1:]) in one pass, then placed scaled by -3: three passes in all
    assert "np.subtract(" in reverse or " -= " in reverse
    assert len([line for line in reverse.splitlines()[1:-1]
                if "np.empty(" not in line and "] = 0.0" not in line]) == 3
    expected = np.concatenate([[0.0], 3 * np.cos(x[1:]) - 3 * np.exp(x[1:])])
    value, gradient = generated.load()(x)
    # a few roundings apart: sin, cos, exp, one subtraction and one product per entry
    np.testing.assert_allclose(gradient, expected, rtol=4e-16 * 8, atol=0)
    assert np.array_equal(gradient, tape.vjp(x, [1.0])[1])  # the tape's sweep, bit for bit


def test_products_write_into_buffers_kept_from_call_to_call():
    case = next(c for c in CASES if c.name == "mlp-tanh")
    source = gradient_code(case.problem()).source
    forward, reverse = source.split("# forward sweep")[1].split("# reverse sweep")
    assert "np.matmul(" in forward and all("out=buf" in line for line in forward.splitlines()
                                            if "np.matmul(" in line)
    assert "np.matmul(" in reverse or "np.multiply.outer(" in reverse
    # (that they compute the same numbers: the bit-for-bit test above, on this sample too)


def _huber(r):
    if abs(r) <= 1.0:
        return 0.5 * r * r
    return abs(r) - 0.5


def test_a_guard_that_fails_traces_again_and_says_so():
    from diffcompare.api import as_problem

    problem = as_problem(_huber, {"r": 2.5})
    prepared = REGISTRY["reverse-ad-compiled"].prepare(problem, Options())
    outside = prepared.derivative("gradient")
    assert outside.value.tolist() == [1.0] and not outside.warnings
    inside = prepared.derivative("gradient", point=[0.5])
    assert inside.value.tolist() == [0.5]  # d/dr r²/2 at 0.5, on the other branch
    assert "written again 1 time" in inside.warnings[0]
    assert "test_codegen.py" in inside.warnings[0]  # the condition's own line


def _sum_of_squares(x):
    from diffcompare.math import sum as dsum

    return dsum(x ** 2 - x)


def test_the_library_runs_the_written_code_again_and_checks_its_inputs_as_the_tape_does():
    import diffcompare
    from diffcompare.errors import InputError

    x = np.linspace(-1.0, 1.0, 7)
    first = diffcompare.derivative(_sum_of_squares, at={"x": x}, method="reverse-ad-compiled")
    again = diffcompare.derivative(_sum_of_squares, at={"x": x + 0.5},
                                   method="reverse-ad-compiled")  # the written code, run
    tape = diffcompare.derivative(_sum_of_squares, at={"x": x + 0.5}, method="reverse-ad")
    assert first.value.tolist() == (2 * x - 1).tolist()  # 2x exact, then one rounding
    assert _bits(again.value) == _bits(tape.value)  # one plan: the same bits
    x[3] = np.nan
    with pytest.raises(InputError, match="not finite"):
        diffcompare.derivative(_sum_of_squares, at={"x": x}, method="reverse-ad-compiled")


SCALE = np.array([1.0, 2.0, 3.0])  # read by _scaled (a global the gradient code holds)
TABLE = {"shift": np.zeros(3)}


def _scaled(x):
    from diffcompare.math import sum as dsum

    return dsum(SCALE * x * x + TABLE["shift"] * x)


def test_the_library_writes_the_code_again_when_what_f_reads_besides_its_inputs_changed():
    """The code holds what f read as constants: it runs again only while those are what
    they were (the same objects, arrays and containers equal in content)."""
    import diffcompare
    from diffcompare.methods.compiled import cached_gradient

    global SCALE
    x = np.array([0.5, -1.0, 2.0])

    def gradient():
        found = diffcompare.derivative(_scaled, at={"x": x}, method="reverse-ad-compiled")
        assert _bits(found.value) == _bits(
            diffcompare.derivative(_scaled, at={"x": x}, method="reverse-ad").value)
        return found.gradient

    assert gradient() == (1.0, -4.0, 12.0)
    assert cached_gradient(_scaled, {"x": x}) is not None  # unchanged: the code runs again
    SCALE[1] = 5.0  # changed in place
    assert cached_gradient(_scaled, {"x": x}) is None
    assert gradient() == (1.0, -10.0, 12.0)
    SCALE = np.array([2.0, 2.0, 2.0])  # bound to another array
    assert gradient() == (2.0, -4.0, 8.0)
    TABLE["shift"][0] = 1.0  # inside a dict
    assert gradient() == (3.0, -4.0, 8.0)
    SCALE = np.array([1.0, 2.0, 3.0])
    TABLE["shift"][0] = 0.0


def test_code_follows_a_closure_and_what_cannot_be_compared_is_traced_each_time():
    import diffcompare
    from diffcompare.math import sum as dsum
    from diffcompare.methods.compiled import cached_gradient

    weights = np.array([1.0, 1.0])

    def f(x):
        return dsum(weights * x)

    class Weighted:
        def __init__(self):
            self.weights = weights

        def __call__(self, x):
            return dsum(weights * x)

    holder = Weighted()

    def g(x):  # reads an object's attribute: it could change unseen, so traced each time
        return dsum(holder.weights * x)

    x = np.array([3.0, 4.0])
    for function in (f, Weighted(), g):
        weights[:] = 1.0
        found = diffcompare.derivative(function, at={"x": x}, method="reverse-ad-compiled")
        assert found.gradient == (1.0, 1.0)
        weights[0] = 7.0
        assert cached_gradient(function, {"x": x}) is None
        found = diffcompare.derivative(function, at={"x": x}, method="reverse-ad-compiled")
        assert found.gradient == (7.0, 1.0)


def test_code_follows_the_attributes_f_names_on_a_module_of_the_users(tmp_path, monkeypatch):
    import importlib

    import diffcompare
    from diffcompare.math import sum as dsum

    (tmp_path / "user_settings.py").write_text("import numpy as np\nSCALE = np.ones(2)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    settings = importlib.import_module("user_settings")

    def f(x):
        return dsum(settings.SCALE * x)

    x = np.array([3.0, 4.0])
    assert diffcompare.derivative(f, at={"x": x}, method="reverse-ad-compiled").gradient == \
        (1.0, 1.0)
    settings.SCALE[1] = 6.0
    assert diffcompare.derivative(f, at={"x": x}, method="reverse-ad-compiled").gradient == \
        (1.0, 6.0)
    settings.SCALE = np.full(2, 2.0)
    assert diffcompare.derivative(f, at={"x": x}, method="reverse-ad-compiled").gradient == \
        (2.0, 2.0)


WEIGHTS = array.array("d", [1.0, 2.0])  # a library's data object, changed in place below


def _weighted(x):
    from diffcompare.math import sum as dsum

    return dsum(np.asarray(WEIGHTS) * x)


def test_code_that_reads_a_librarys_data_object_is_traced_each_time():
    import diffcompare
    from diffcompare.methods.compiled import cached_gradient

    x = np.array([3.0, 4.0])
    found = diffcompare.derivative(_weighted, at={"x": x}, method="reverse-ad-compiled")
    assert found.gradient == (1.0, 2.0)
    assert cached_gradient(_weighted, {"x": x}) is None  # (an array.array: data)
    WEIGHTS[0] = 5.0
    found = diffcompare.derivative(_weighted, at={"x": x}, method="reverse-ad-compiled")
    assert found.gradient == (5.0, 2.0)
    WEIGHTS[0] = 1.0


def test_threads_running_the_kept_code_at_once_each_get_their_own_gradient():
    """The kept code writes into buffers of its own: one thread runs it at a time, and a
    thread that finds it busy traces the function as usual."""
    import threading

    import diffcompare

    points = [np.linspace(-1.0, 1.0, 200_000) * (k + 1) for k in range(4)]
    expected = [diffcompare.derivative(_sum_of_squares, at={"x": x}).value for x in points]
    diffcompare.derivative(_sum_of_squares, at={"x": points[0]}, method="reverse-ad-compiled")
    wrong = []

    def run(k):
        for _ in range(10):
            found = diffcompare.derivative(_sum_of_squares, at={"x": points[k]},
                                           method="reverse-ad-compiled")
            if not np.array_equal(found.value, expected[k]):
                wrong.append(k)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert wrong == []


def test_several_outputs_give_the_jacobian_row_by_row():
    case = next(c for c in CASES if c.kind == "jacobian")
    result = compare(case.problem(), ["reverse-ad", "reverse-ad-compiled"], kind="jacobian")
    compiled = result.row("reverse-ad-compiled").result
    assert compiled.failure is None
    assert np.array_equal(compiled.value, result.row("reverse-ad").result.value) or \
        result.row("reverse-ad-compiled").rel_error <= EXACT_RTOL


def test_a_rule_of_the_users_is_a_row_that_says_it_cannot(tmp_path):
    from diffcompare.api import as_problem
    from tests.programs import rules

    problem = as_problem(rules.lse_loss, {"x": np.array([0.5, 1.0, 2.0])})
    row = compare(problem, ["reverse-ad", "reverse-ad-compiled"]).row("reverse-ad-compiled")
    assert row.result.failure_kind == "cannot"
    assert "cannot be written" in row.result.failure


def test_the_command_writes_a_file_that_runs(tmp_path):
    out = tmp_path / "rosen_grad.py"
    done = subprocess.run([sys.executable, "-m", "diffcompare", "codegen",
                           "sample_functions/programs/rosenbrock.py", "--n", "5", "-o",
                           str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    script = (f"import runpy, numpy as np; g = runpy.run_path({str(out)!r});"
              "v, d = g['value_and_grad'](np.ones(5)); print(v, d.tolist())")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60)
    assert run.stdout.split()[0] == "0.0"  # the minimum at ones: f = 0, gradient 0
    bad = subprocess.run([sys.executable, "-m", "diffcompare", "codegen", "x1*"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
