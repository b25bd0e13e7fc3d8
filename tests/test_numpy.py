"""Plain numpy programs: every supported numpy function traces, with JVPs and VJPs against
finite differences, against sympy on the traced path and against the exact reference; the
same programs written with diffcompare.math and with numpy give identical gradients; what
numpy cannot follow is refused with its name and line."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import diffcompare
from diffcompare.analysis.reference import sympy_reference
from diffcompare.api import as_problem
from diffcompare.cli import main
from diffcompare.engine.numpy_api import SUPPORTED
from diffcompare.methods import REGISTRY

ROOT = Path(__file__).resolve().parent.parent
X = np.array([0.3, -0.7, 1.2])
M = np.array([[0.5, -0.2, 0.9], [1.1, 0.4, -0.6]])

# One program per supported function: (the function it exercises, the program, its inputs).
# Points keep away from kinks and domain edges; the elementwise ones return arrays, so the
# JVP and the VJP are of a Jacobian.
PROGRAMS = {
    "np.add": (lambda x: np.add(x, X[::-1]), {"x": X}),
    "np.subtract": (lambda x: np.subtract(1.5, x), {"x": X}),
    "np.multiply": (lambda x: np.multiply(x, x[::-1]), {"x": X}),
    "np.divide": (lambda x: np.divide(x, 2.0 + x * x), {"x": X}),
    "np.power": (lambda x: np.power(np.abs(x) + 1, 2.5), {"x": X}),
    "np.negative": (lambda x: np.negative(x) * x, {"x": X}),
    "np.square": (lambda x: np.square(x), {"x": X}),
    "np.reciprocal": (lambda x: np.reciprocal(x + 2), {"x": X}),
    "np.absolute": (lambda x: np.absolute(x) * x, {"x": X}),
    "np.sign": (lambda x: np.sign(x) * x ** 2, {"x": X}),
    "np.sin": (lambda x: np.sin(x), {"x": X}),
    "np.cos": (lambda x: np.cos(x), {"x": X}),
    "np.tan": (lambda x: np.tan(x), {"x": X}),
    "np.arcsin": (lambda x: np.arcsin(x / 2), {"x": X}),
    "np.arccos": (lambda x: np.arccos(x / 2), {"x": X}),
    "np.arctan": (lambda x: np.arctan(x), {"x": X}),
    "np.sinh": (lambda x: np.sinh(x), {"x": X}),
    "np.cosh": (lambda x: np.cosh(x), {"x": X}),
    "np.tanh": (lambda x: np.tanh(x), {"x": X}),
    "np.exp": (lambda x: np.exp(x), {"x": X}),
    "np.log": (lambda x: np.log(x + 1), {"x": X}),
    "np.sqrt": (lambda x: np.sqrt(x + 1), {"x": X}),
    "np.maximum": (lambda x: np.maximum(x, 0.1 * x[::-1]), {"x": X}),
    "np.minimum": (lambda x: np.minimum(x, 0.5), {"x": X}),
    "np.matmul": (lambda W: np.matmul(W, X), {"W": M}),
    "np.less": (lambda x: np.where(np.less(x, 0), -x, x ** 3), {"x": X}),
    "np.less_equal": (lambda x: np.where(np.less_equal(x, 0), x, 2 * x), {"x": X}),
    "np.greater": (lambda x: np.where(np.greater(x, 1), x, x * x), {"x": X}),
    "np.greater_equal": (lambda x: np.where(np.greater_equal(x, 0), np.sin(x), x), {"x": X}),
    "np.equal": (lambda x: np.where(np.equal(x, 0.5), x, -x), {"x": X}),
    "np.not_equal": (lambda x: np.where(np.not_equal(x, 0.5), x, -x), {"x": X}),
    "np.sum": (lambda W: np.sum(W * W, axis=0), {"W": M}),
    "np.mean": (lambda W: np.mean(np.sin(W), axis=1), {"W": M}),
    "np.prod": (lambda W: np.prod(W, axis=1), {"W": M}),
    "np.cumsum": (lambda x: np.cumsum(x * x), {"x": X}),
    "np.max": (lambda x: np.max(x * x), {"x": X}),
    "np.min": (lambda x: np.min(np.sin(x)), {"x": X}),
    "np.dot": (lambda W: np.dot(W.T, np.array([1.0, -2.0])), {"W": M}),
    "np.inner": (lambda x: np.inner(x, x) * x, {"x": X}),
    "np.outer": (lambda x: np.outer(x, x[:2]), {"x": X}),
    "np.reshape": (lambda W: np.reshape(W, (3, 2)) @ np.array([1.0, 0.5]), {"W": M}),
    "np.transpose": (lambda W: np.transpose(W) * np.arange(1, 4)[:, None], {"W": M}),
    "np.ravel": (lambda W: np.ravel(W) ** 2, {"W": M}),
    "np.squeeze": (lambda W: np.squeeze(W[:1]) * 3, {"W": M}),
    "np.expand_dims": (lambda x: np.expand_dims(x, 0) @ np.ones((3, 2)), {"x": X}),
    "np.concatenate": (lambda x: np.concatenate([x, x ** 2, [1.0]]), {"x": X}),
    "np.stack": (lambda x: np.stack([x, np.sin(x)], axis=1), {"x": X}),
    "np.where": (lambda x: np.where(x > 0, np.log(x + 1), x ** 2), {"x": X}),
    "np.clip": (lambda x: np.clip(x * 2, -1, 1), {"x": X}),
    "np.diff": (lambda x: np.diff(x ** 3), {"x": X}),
    "np.linalg.norm": (lambda W: np.array([np.linalg.norm(W), np.linalg.norm(W[0], 1),
                                           np.linalg.norm(W[1], np.inf)]), {"W": M}),
}

EXACT = 1e-13  # a few roundings of a short computation, as the exact methods' rtol


def test_every_supported_function_has_a_program():
    assert set(SUPPORTED) == set(PROGRAMS)


def _problem(name):
    function, point = PROGRAMS[name]
    function.__name__ = re.sub(r"\W", "_", name)
    return as_problem(function, point)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
@pytest.mark.parametrize("kind", ["jvp", "vjp"])
def test_each_function_against_finite_differences_sympy_and_the_reference(name, kind):
    problem = _problem(name)
    rng = np.random.default_rng(len(name))
    direction = rng.normal(size=problem.n if kind == "jvp" else problem.m)
    found = diffcompare.compare(problem, methods="reverse-ad,forward-ad,central-fd,symbolic",
                                kind=kind, direction=direction, budget=30)
    assert found.reference.failure is None, found.reference.failure
    for row in found.rows:
        if row.method == "symbolic" and row.result.failure and name in NO_FORMULA:
            continue  # a row with its reason; sympy checks every other function's path
        assert row.result.failure is None, (row.method, row.result.failure)
        # central differences: their registry tolerance, from cbrt(eps)² and f'''
        tolerance = REGISTRY["central-fd"].rtol if row.method == "central-fd" else EXACT
        assert row.rel_error <= tolerance, (row.method, row.rel_error)
    # sympy's derivative of the traced path (choices fixed as taken), at 40 digits
    _, theirs, _ = sympy_reference(problem, kind, direction)
    ours = found.row("reverse-ad").result.value
    scale = max(float(np.max(np.abs(theirs))), 1e-300)
    assert float(np.max(np.abs(np.asarray(theirs, float) - ours))) <= EXACT * scale


# Where sympy has no formula for the path: a choice by value (a comparison, max, min), or
# sign, whose derivative sympy writes as DiracDelta. The symbolic row says why.
NO_FORMULA = {"np.maximum", "np.minimum", "np.where", "np.clip", "np.max", "np.min",
              "np.absolute", "np.sign", "np.less", "np.less_equal", "np.greater",
              "np.greater_equal", "np.equal", "np.not_equal", "np.linalg.norm", "np.power"}


NUMPY_NAMES = {"abs": "abs", "max": "max", "min": "min", "sum": "sum", "mean": "mean",
               "dot": "dot", "exp": "exp", "log": "log", "sin": "sin", "cos": "cos",
               "sqrt": "sqrt", "tanh": "tanh", "tan": "tan"}


def _numpy_twin(path: Path, folder: Path) -> Path:
    """The program with `from diffcompare.math import a, b` made `a, b = np.a, np.b`."""
    source = path.read_text()

    def numpy_names(match):
        names = [n.strip() for n in match.group(1).split(",")]
        return ("import numpy as _np\n" + ", ".join(names) + " = " +
                ", ".join(f"_np.{NUMPY_NAMES[n]}" for n in names))
    twin = re.sub(r"^from diffcompare\.math import (.+)$", numpy_names, source, flags=re.M)
    assert twin != source and "diffcompare" not in twin
    target = folder / path.name
    target.write_text(twin)
    return target


# every sample written with diffcompare.math (the others use arithmetic alone)
SAMPLES = sorted(p for p in [*(ROOT / "sample_functions" / "programs").glob("*.py"),
                             ROOT / "tests" / "programs" / "shapes.py"]
                 if "from diffcompare.math import" in p.read_text())


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_the_same_program_with_numpy_gives_identical_gradients(path, tmp_path):
    twin = _numpy_twin(path, tmp_path)
    for method in ("reverse-ad", "forward-ad"):
        ours = diffcompare.derivative(str(path), method=method)
        theirs = diffcompare.derivative(str(twin), method=method)
        assert ours.failure is None and theirs.failure is None
        assert np.array_equal(ours.value, theirs.value), (method, ours.value, theirs.value)
        assert ours.f == theirs.f


def test_a_list_or_array_of_traced_values_is_an_output_and_an_operand():
    def f(a, b):
        pair = np.array([a * b, a + b])
        return np.concatenate([pair * 2, [np.sum(pair)]])
    found = diffcompare.derivative(f, at={"a": 2.0, "b": 3.0}, kind="jacobian")
    assert found.value.tolist() == [[6, 4], [2, 2], [4, 3]]


def _refusal(source: str, at: str, tmp_path) -> str:
    path = tmp_path / "prog.py"
    path.write_text(source)
    result = CliRunner().invoke(main, ["grad", str(path), "--at", at])
    assert result.exit_code == 2, result.output
    return result.output


@pytest.mark.parametrize(("line", "said"), [
    ("np.log1p(x).sum()", "prog.py:3: np.log1p is not supported on a value that depends on"),
    ("np.sum(np.log1p(x))", "np.log1p is not supported"),
    ("np.fft.fft(x).real.sum()", "np.fft.fft is not supported"),
    ("np.where(x, 1.0, x).sum()", "np.where with a traced condition"),
    ("np.max(np.stack([x, x]), axis=0).sum()", "np.max along an axis"),
    ("float(np.sum(x))", "float() of a value that depends on an input"),
    ("np.asarray(x, dtype=float).sum()", "np.asarray(..., float64)"),
])
def test_what_numpy_cannot_follow_is_refused_with_its_name_and_line(line, said, tmp_path):
    shown = _refusal(f"import numpy as np\ndef f(x):\n    return {line}\n", "x=[1,2]",
                     tmp_path)
    assert said in shown, shown
    if "not supported" in said:
        assert "np.sin" in shown and "np.concatenate" in shown  # the supported list


def test_the_library_keeps_no_function_it_was_given():
    """A function given to derivative() (and what it holds: here an array) goes when its
    caller lets it go; the library remembers only what it read from it."""
    import gc
    import weakref

    held = []
    for k in range(3):
        data = np.full(3, float(k + 1))
        f = lambda x, data=data: np.sum(x * data)  # noqa: E731 - a fresh one each time
        held.append((weakref.ref(f), weakref.ref(data)))
        assert diffcompare.derivative(f, at={"x": X}).gradient == (k + 1.0,) * 3
        assert diffcompare.derivative(f, at={"x": X}).gradient == (k + 1.0,) * 3  # (kept)
        del f, data
    gc.collect()
    assert [(f(), data()) for f, data in held] == [(None, None)] * 3
