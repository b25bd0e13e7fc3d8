"""How each method's cost for a gradient grows with the number of inputs n.

The chained Rosenbrock function f(x) = sum 100 (x[i+1] - x[i]**2)**2 + (1 - x[i])**2 at
x = (-1.2, 1, -1.2, 1, ...). For each n, every method's median wall time over repeats,
divided by the median time of one evaluation of f in the same run, so the ratios compare
the methods, not the machine. Both start from the expression: a method records its tape
(or builds its derivative expressions) and the baseline records f's tape and sweeps it
once. Also a hand-written numpy gradient as a peer.

    python benchmarks/gradient_cost.py [--sizes 2,8,32,128] [--repeats 7]
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import time

import numpy as np

from diffcompare.analysis.compare import run_method
from diffcompare.engine.dual import Dual
from diffcompare.engine.scalar import ScalarTape as Tape
from diffcompare.engine.scalar import evaluate
from diffcompare.methods import METHOD_NAMES, Options
from diffcompare.problems.formula import Problem


def rosenbrock_text(n: int) -> str:
    return " + ".join(f"100*(x{i + 1} - x{i}**2)**2 + (1 - x{i})**2" for i in range(n - 1))


def median_seconds(call, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def numpy_gradient(x: np.ndarray) -> np.ndarray:
    """The peer: Rosenbrock's gradient written by hand with numpy."""
    g = np.zeros_like(x)
    inner = x[1:] - x[:-1] ** 2
    g[:-1] = -400 * x[:-1] * inner - 2 * (1 - x[:-1])
    g[1:] += 200 * inner
    return g


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2,8,32,128")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--methods", default=",".join(m for m in METHOD_NAMES if m != "symbolic"))
    args = parser.parse_args()
    methods = args.methods.split(",")
    print(f"# {datetime.date.today()} · {platform.machine()} · Python {platform.python_version()}"
          f" · median of {args.repeats}")
    print("# time for one gradient / time for one evaluation of f from the expression "
          "(same run)")
    print(f"{'n':>5} {'f eval':>10} " + " ".join(f"{m:>13}" for m in methods) + f" {'numpy':>8}")
    sizes = list(map(int, args.sizes.split(",")))
    for n in sizes:
        f_time, ratios, peer = measure(n, methods, args.repeats)
        print(f"{n:>5} {f_time * 1e6:>8.0f}µs " + " ".join(f"{r:>13.1f}" for r in ratios)
              + f" {peer:>8.3f}")
    print()
    print("# sweeps alone, on a recorded tape: time / one forward sweep of f")
    print(f"{'n':>5} {'f sweep':>10} {'reverse-ad':>11} {'forward-ad':>11} {'ops':>6}")
    for n in sizes:
        sweep, reverse, forward, ops = sweeps(n, args.repeats)
        print(f"{n:>5} {sweep * 1e6:>8.1f}µs {reverse / sweep:>11.2f} {forward / sweep:>11.1f}"
              f" {ops:>6}")


def sweeps(n: int, repeats: int) -> tuple[float, float, float, int]:
    """One forward sweep; forward + reverse sweep (a gradient); n dual-number sweeps."""
    problem = rosenbrock(n)
    tape = Tape.record(problem.expr, problem.variables)
    point = list(problem.point)
    seeded = [[Dual(x, 1.0) if j == i else x for j, x in enumerate(point)] for i in range(n)]
    return (median_seconds(lambda: tape.forward(point), repeats),
            median_seconds(lambda: tape.reverse(tape.forward(point)), repeats),
            median_seconds(lambda: [tape.forward(s) for s in seeded], repeats),
            tape.operation_count)


def rosenbrock(n: int) -> Problem:
    return Problem.from_text(rosenbrock_text(n), [-1.2 if i % 2 == 0 else 1.0
                                                  for i in range(n)])


def measure(n: int, methods: list[str], repeats: int) -> tuple[float, list[float], float]:
    """Seconds for one f, and each method's and the numpy peer's time as a multiple of it."""
    problem = rosenbrock(n)
    point = list(problem.point)
    f_time = median_seconds(lambda: evaluate(problem.expr, problem.variables, problem.point),
                            repeats)
    ratios = [median_seconds(lambda m=m: run_method(m, problem, Options()), repeats) / f_time
              for m in methods]
    x = np.array(point)
    return f_time, ratios, median_seconds(lambda: numpy_gradient(x), repeats) / f_time


if __name__ == "__main__":
    main()
