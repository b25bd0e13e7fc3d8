"""Derivatives of any order against a peer: diffcompare's taylor-ad, cauchy-fft and
richardson against numdifftools.Derivative(f, n=k) (its default adaptive Richardson), on
functions of one variable, orders 1 … 10; the relative error of f⁽ᵏ⁾ against the ball
reference, and CPU time per call (medians of 5), as ratios against numdifftools measured in
the same run.

    python benchmarks/taylor.py [--json]

The peer is skipped with a note when it is not installed (`pip install '.[bench]'`). Every
f is the same function: the problem's tape evaluated with numpy.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from diffcompare.problems.formula import Problem  # noqa: E402
from diffcompare.studies.taylor import METHODS, ball_reference  # noqa: E402

CASES = [("exp(sin(x))", "0.5"), ("1/(1 + x**2)", "0.3"), ("log(1 + x)", "0.5"),
         ("sin(3*x)*exp(-x)", "1"), ("tanh(x)", "0.2"), ("sqrt(2 + x)", "1")]
ORDER = 10
OURS = ("taylor-ad", "cauchy-fft", "richardson")
REPEATS = 5


def relative(found, exact) -> float:
    if found is None or not math.isfinite(found):
        return math.inf
    return abs(found - exact) / abs(exact) if exact else abs(found)


def cpu(call) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.process_time()
        call()
        times.append(time.process_time() - start)
    return statistics.median(times)


def numdifftools_row(problem, x: float):
    try:
        import numdifftools as nd
    except ImportError:
        return None
    tape = problem.tape

    def f(t):
        t = np.asarray(t, dtype=float)
        return np.asarray(tape.forward([t])[tape.output], dtype=float)

    def derivatives():
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return [float(nd.Derivative(f, n=k)(x)) for k in range(1, ORDER + 1)]

    return derivatives(), cpu(derivatives)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="the measurements as JSON")
    args = parser.parse_args()
    rows = []
    for text, at in CASES:
        problem = Problem.from_text(text, at)
        x = float(at)
        exact, *_ = ball_reference(problem, [x], (1.0,), ORDER)
        row = {"case": f"{text} at {at}", "errors": {}, "seconds": {}}
        for name in OURS:
            run = METHODS[name](problem, [x], (1.0,), ORDER, None)
            row["errors"][name] = [relative(d, e) for d, e in zip(run.derivatives, exact)]
            row["seconds"][name] = cpu(lambda name=name, problem=problem, x=x: METHODS[name](
                problem, [x], (1.0,), ORDER, None))
        peer = numdifftools_row(problem, x)
        if peer is not None:
            row["errors"]["numdifftools"] = [relative(d, e) for d, e in zip(peer[0], exact)]
            row["seconds"]["numdifftools"] = peer[1]
        rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=1, default=float))
        return
    names = list(rows[0]["errors"])
    print(f"relative error of f^(k), k = 1 … {ORDER}: median over the orders / worst "
          "(and CPU time per call, all orders)")
    print(f"{'case':<26}" + "".join(f"{n:>30}" for n in names))
    for row in rows:
        cells = []
        for n in names:
            errors = row["errors"][n]
            cells.append(f"{statistics.median(errors):.1e} / {max(errors):.1e} "
                         f"({row['seconds'][n] * 1e3:.3g} ms)")
        print(f"{row['case']:<26}" + "".join(f"{c:>30}" for c in cells))
    print()
    print(f"{'by order k':<12}" + "".join(f"{n:>16}" for n in names) + "   (median over cases)")
    for k in range(ORDER):
        print(f"{k + 1:<12}" + "".join(
            f"{statistics.median(r['errors'][n][k] for r in rows):>16.1e}" for n in names))
    if "numdifftools" not in names:
        print("\nnumdifftools is not installed: pip install '.[bench]'")
        return
    print()
    for n in OURS:
        worst_ours = [max(r["errors"][n]) for r in rows]
        worst_peer = [max(r["errors"]["numdifftools"]) for r in rows]
        time_ratio = statistics.median(r["seconds"][n] / r["seconds"]["numdifftools"]
                                       for r in rows)
        print(f"{n}: median worst error {statistics.median(worst_ours):.1e} against "
              f"numdifftools' {statistics.median(worst_peer):.1e}; CPU time "
              f"{time_ratio:.2g}x numdifftools' (median over the cases)")


if __name__ == "__main__":
    main()
