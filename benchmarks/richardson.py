"""Richardson against numdifftools and scipy.differentiate, each with its default settings,
on the bundled samples ("smooth") and on hard cases ("hard"): gradients against
numdifftools.Gradient and scipy.differentiate.derivative, Hessians against
numdifftools.Hessian and scipy.differentiate.hessian; error against the exact reference,
and evaluations of f per partial (per entry of the Hessian's upper triangle).

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
from diffcompare.problems.cases import formula_cases  # noqa: E402
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


def problems() -> list[tuple[str, str, Problem]]:
    """(subset, label, problem) for the gradients."""
    found = [("smooth", c.name, c.problem()) for c in formula_cases() if c.kind == "gradient"]
    for text, at in HARD[:-1]:
        found.append(("hard", f"{text} at {at}", Problem.from_text(text, at)))
    found.append(("hard", "logistic map, 5 steps, at 0.3",
                  Problem.from_text(logistic(5), "0.3")))
    return found


HARD_HESSIANS = [  # where a Hessian exists: fast, near a pole, near overflow, far out, a root
    ("sin(50*x)*y", "0.7,2"), ("exp(x)*sin(y)", "1,2"), ("1/(x - y)", "1.0001,1"),
    ("exp(x)*y", "700,1"), ("exp(-x**2)*y", "5,1"), ("log(x)*y", "1e-3,2"),
    ("sqrt(1 - x**2)*y", "0.99,1"), ("x**3*y - 3*x*y**2", "1e3,2"), ("cos(x*y)", "10,10"),
]


def hessian_problems() -> list[tuple[str, str, Problem]]:
    found = [("smooth", c.name, c.problem()) for c in formula_cases() if c.kind == "hessian"]
    found += [("smooth", f"{text} at {at}", Problem.from_text(text, at)) for text, at in
              [("x1**2*x2 + x2*x3", "2,3,4"), ("exp(x)*sin(y)", "0.5,0.3"),
               ("log(1 + x**2 + y**2)", "0.7,-1.1")]]
    found += [("hard", f"{text} at {at}", Problem.from_text(text, at))
              for text, at in HARD_HESSIANS]
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


def _triangle(n: int) -> int:
    return n * (n + 1) // 2


def ours_hessian(problem: Problem):
    prepared = REGISTRY["richardson"].prepare(problem, Options(budget=None))
    found = prepared.derivative("hessian")
    return found.value, (found.cost.f_evals - 1) / _triangle(problem.n)


def numdifftools_hessian(problem: Problem):
    import numdifftools

    f = Counted(problem)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        value = numdifftools.Hessian(lambda x: float(f(np.asarray(x))))(list(problem.point))
    return np.atleast_2d(value), f.calls / _triangle(problem.n)


def scipy_hessian(problem: Problem):
    from scipy.differentiate import hessian

    f = Counted(problem)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        value = hessian(lambda x: f(x), np.array(problem.point)).ddf
    return np.atleast_2d(value), f.calls / _triangle(problem.n)


HESSIAN_PEERS = {"numdifftools": numdifftools_hessian, "scipy.differentiate": scipy_hessian}


def measure(cases, kind: str, runners: dict, notes: list[str]) -> list[dict]:
    rows = []
    for subset, label, problem in cases:
        reference = exact_reference(problem, kind, budget=30)
        if reference.failure or not np.all(np.isfinite(reference.derivative)):
            continue
        row = {"subset": subset, "case": label}
        for name, run in runners.items():
            try:
                value, evaluations = run(problem)
                row[name] = (normwise(value, reference.derivative), evaluations)
            except Exception as exc:  # a peer that raises on a case: counted as a failure
                row[name] = (math.inf, math.nan)
                notes.append(f"{name} raised on {label} ({kind}): {type(exc).__name__}")
        rows.append(row)
    return rows


def summarize(rows: list[dict], runners: dict) -> dict:
    summary = {}
    for subset in ("smooth", "hard", "all"):
        chosen = [r for r in rows if subset == "all" or r["subset"] == subset]
        if not chosen:
            continue
        summary[subset] = {}
        for name in runners:
            errors = [r[name][0] for r in chosen]
            evaluations = [r[name][1] for r in chosen if math.isfinite(r[name][1])]
            summary[subset][name] = {
                "median_error": statistics.median(errors), "worst_error": max(errors),
                "median_evaluations": statistics.median(evaluations) if evaluations
                else math.nan, "cases": len(errors)}
    return summary


def show(title: str, rows: list[dict], summary: dict, runners: dict, per: str) -> None:
    names = list(runners)
    print(f"\n{title}\n{'case':42}" + "".join(f"{n:>26}" for n in names))
    for r in rows:
        cells = "".join(f"{r[n][0]:>17.1e} ({r[n][1]:>4.0f})" for n in names)
        print(f"{(r['subset'][0] + ' ' + r['case'])[:42]:42}{cells}")
    print(f"(s = smooth, h = hard; error: normwise relative against the exact reference; in "
          f"brackets: evaluations of f per {per})")
    for subset, by_name in summary.items():
        print(f"\n{subset:28}{'median error':>14}{'worst error':>14}{'evals':>8}")
        for name, s in by_name.items():
            print(f"{name:28}{s['median_error']:>14.1e}{s['worst_error']:>14.1e}"
                  f"{s['median_evaluations']:>8.0f}")
        ours = by_name["diffcompare richardson"]
        peers = [s for name, s in by_name.items() if name != "diffcompare richardson"]
        if peers:
            best_median = min(s["median_error"] for s in peers)
            best_worst = min(s["worst_error"] for s in peers)
            print(f"against the better peer: median {_ratio(ours['median_error'], best_median)}"
                  f", worst {_ratio(ours['worst_error'], best_worst)}")


def _ratio(ours: float, theirs: float) -> str:
    if math.isinf(theirs):
        return "ours finite, the peers' infinite" if math.isfinite(ours) else "both infinite"
    if theirs == 0:
        return "ours 0 too" if ours == 0 else f"{ours:.1e} against 0"
    return f"{ours / theirs:.2g}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    notes: list[str] = []
    gradient_runners = {"diffcompare richardson": ours}
    hessian_runners = {"diffcompare richardson": ours_hessian}
    for name in PEERS:
        try:
            __import__(name.split(".")[0])
            gradient_runners[name] = PEERS[name]
            hessian_runners[name] = HESSIAN_PEERS[name]
        except ImportError:
            notes.append(f"{name} is not installed: skipped")
    gradients = measure(problems(), "gradient", gradient_runners, notes)
    hessians = measure(hessian_problems(), "hessian", hessian_runners, notes)
    figures = {"gradients": {"summary": summarize(gradients, gradient_runners),
                             "cases": gradients},
               "hessians": {"summary": summarize(hessians, hessian_runners),
                            "cases": hessians}, "notes": notes}
    if args.json:
        print(json.dumps(figures, indent=2, default=str))
        return
    show("GRADIENTS", gradients, figures["gradients"]["summary"], gradient_runners,
         "partial")
    show("HESSIANS", hessians, figures["hessians"]["summary"], hessian_runners,
         "entry of the upper triangle")
    for note in notes:
        print("note:", note)


if __name__ == "__main__":
    main()
