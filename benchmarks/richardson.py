"""Richardson against numdifftools' Gradient and scipy.differentiate.derivative, each with
its default settings, on the bundled samples and on hard cases: error against the exact
reference, and evaluations of f per partial.

    python benchmarks/richardson.py [--json]

The error of a gradient is normwise relative, max|g - r| / max|r| (absolute where the
reference is 0), as `diffcompare grad` reports it. A peer that is not installed is skipped
with a note. Every f is the same function: the problem's tape, evaluated with numpy.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from diffcompare.analysis.reference import exact_reference  # noqa: E402
from diffcompare.methods import REGISTRY, Options  # noqa: E402
from diffcompare.problems.cases import load_cases  # noqa: E402
from diffcompare.problems.formula import Problem  # noqa: E402

HARD = [  # the "honest numbers" issue's hard cases, where a derivative exists
    ("sin(50*x)", "0.7"), ("sin(x)", "1e8"), ("exp(x)", "700"), ("exp(-x**2)", "26"),
    ("1/x", "1e-6"), ("tan(x)", "1.5707963"), ("1/(x - y)", "1.0000001,1"),
    ("x**2", "1e-200"), ("log(x)", "1e-300"), ("log(x)", "1e300"), ("abs(x)**2", "0"),
    ("x + sqrt(x**4)", "0"), ("x + x*sqrt(x**2)", "0"), ("asin(x)", "0.9999999"),
    ("acos(x)", "0.9999999"), ("sin(x)", "1e-8"), ("x**3 - 3*x", "1e5"),
    ("l*(1 - l)", "0.3"),  # replaced below by the five-fold logistic map
]


def logistic(k: int) -> str:
    text = "x"
    for _ in range(k):
        text = f"4*({text})*(1 - ({text}))"
    return text


def problems() -> list[tuple[str, Problem]]:
    found = [(c.name, c.problem()) for c in load_cases() if c.kind == "gradient"]
    for text, at in HARD[:-1]:
        found.append((f"{text} at {at}", Problem.from_text(text, at)))
    found.append(("logistic map, 5 steps, at 0.3", Problem.from_text(logistic(5), "0.3")))
    return found


def normwise(got, want) -> float:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    scale = float(np.max(np.abs(want)))
    error = float(np.max(np.abs(got - want))) if np.all(np.isfinite(got)) else math.inf
    return error / scale if scale > 0 else error


class Counted:
    """f(x) through the tape, counting evaluations (a stencil of k points counts k)."""

    def __init__(self, problem: Problem):
        self.problem, self.calls = problem, 0

    def __call__(self, x):
        x = np.asarray(x, dtype=float)
        self.calls += int(np.prod(x.shape[1:])) if x.ndim > 1 else 1
        with np.errstate(all="ignore"):
            values = self.problem.tape.forward([x[i] for i in range(self.problem.n)])
        return np.asarray(values[self.problem.tape.output], dtype=float)


def ours(problem: Problem):
    prepared = REGISTRY["richardson"].prepare(problem, Options(budget=None))
    found = prepared.derivative("gradient")
    return found.value, (found.cost.f_evals - 1) / problem.n  # the shared f(x) aside


def numdifftools_gradient(problem: Problem):
    import numdifftools

    f = Counted(problem)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        value = numdifftools.Gradient(lambda x: float(f(np.asarray(x))))(list(problem.point))
    return np.atleast_1d(value), f.calls / problem.n


def scipy_derivative(problem: Problem):
    from scipy.differentiate import derivative

    x0 = np.array(problem.point)
    values, calls = [], 0
    for i in range(problem.n):
        f = Counted(problem)

        def along(t, i=i, f=f):
            t = np.asarray(t, dtype=float)
            points = np.broadcast_to(x0[:, None], (problem.n, t.size)).copy()
            points[i] = t.ravel()
            return np.asarray(f(points)).reshape(t.shape)

        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            values.append(float(derivative(along, x0[i]).df))
        calls += f.calls
    return np.array(values), calls / problem.n


PEERS = {"numdifftools": numdifftools_gradient, "scipy.differentiate": scipy_derivative}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    runners = {"diffcompare richardson": ours}
    notes = []
    for name, run in PEERS.items():
        try:
            __import__(name.split(".")[0])
            runners[name] = run
        except ImportError:
            notes.append(f"{name} is not installed: skipped")
    rows = []
    for label, problem in problems():
        reference = exact_reference(problem, timeout=30)
        if reference.failure or not np.all(np.isfinite(reference.derivative)):
            continue
        row = {"case": label}
        for name, run in runners.items():
            try:
                value, evaluations = run(problem)
                row[name] = (normwise(value, reference.derivative), evaluations)
            except Exception as exc:  # a peer that raises on a case: counted as a failure
                row[name] = (math.inf, math.nan)
                notes.append(f"{name} raised on {label}: {type(exc).__name__}")
        rows.append(row)
    summary = {}
    for name in runners:
        errors = [r[name][0] for r in rows]
        evaluations = [r[name][1] for r in rows if math.isfinite(r[name][1])]
        summary[name] = {"median_error": statistics.median(errors), "worst_error": max(errors),
                         "median_evaluations_per_partial": statistics.median(evaluations),
                         "cases": len(errors)}
    if args.json:
        print(json.dumps({"summary": summary, "cases": rows, "notes": notes}, indent=2,
                         default=str))
        return
    names = list(runners)
    print(f"{'case':42}" + "".join(f"{n:>26}" for n in names))
    for r in rows:
        cells = "".join(f"{r[n][0]:>17.1e} ({r[n][1]:>4.0f})" for n in names)
        print(f"{r['case'][:42]:42}{cells}")
    print("\n(error: normwise relative against the exact reference; in brackets: evaluations "
          "of f per partial)")
    print(f"\n{'':28}{'median error':>14}{'worst error':>14}{'evals/partial':>15}")
    for name, s in summary.items():
        print(f"{name:28}{s['median_error']:>14.1e}{s['worst_error']:>14.1e}"
              f"{s['median_evaluations_per_partial']:>15.0f}")
    base = summary["diffcompare richardson"]
    for name in names[1:]:
        s = summary[name]
        print(f"ratio to {name}: median error {base['median_error'] / s['median_error']:.2g}, "
              f"worst {base['worst_error'] / s['worst_error']:.2g}, evaluations "
              f"{base['median_evaluations_per_partial'] / s['median_evaluations_per_partial']:.2g}")
    for note in notes:
        print("note:", note)


if __name__ == "__main__":
    main()
