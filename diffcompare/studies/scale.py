"""How each method's cost grows with the number of inputs n: measured, fitted, extrapolated.

For a family of functions of n inputs (a program with ``start(n)``: the n-dimensional
Rosenbrock by default), each method computes the full gradient at each n in turn, and its
cost is recorded: function evaluations, forward and reverse passes, CPU time (the same on
a busy machine, where wall time is not), the tape's records and bytes, peak memory
(tracemalloc), and the error against the exact reference where the reference fits its
share of the budget. The seeds' laws are then tested on the
measurements: finite differences and forward-ad take time ∝ n·cost(f), reverse-ad
∝ cost(f) (Baydin et al. 2018; the first seed). A log–log fit of time against n gives each
method's slope; relative to cost(f) those are 1, 1 and 0.

Each method has an equal share of the budget. Before a size is run, its time is predicted
from the method's own fitted slope (from its last point and the seed's law while it has one
point only); a method whose next size would pass what is left of its share is not run, and
its time there is extrapolated and marked as an estimate.
"""

from __future__ import annotations

import math
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from diffcompare.errors import MethodError
from diffcompare.methods import METHOD_NAMES, REGISTRY, Options
from diffcompare.problems.cases import samples_dir
from diffcompare.problems.load import program_problem
from diffcompare.problems.usercode import load
from diffcompare.runtime.budget import OutOfBudget
from diffcompare.runtime.limits import ProgramTimedOut

FAMILIES = {"rosenbrock": "rosenbrock.py", "sinexp": "sinexp.py",
            "neural-net": "neural_net.py"}
# The default methods and the seeds' laws (the exponent of n in time / cost(f) for a
# gradient) are declared with each method in the registry.
DEFAULT_METHODS = tuple(name for name in METHOD_NAMES if REGISTRY[name].in_scale)


def law(method: str) -> int | None:
    return REGISTRY[method].scaling_law
F_REPEATS = 5  # evaluations of f timed at each n at least


@dataclass(frozen=True)
class Run:
    method: str
    n: int
    seconds: float
    measured: bool  # False: extrapolated from the fitted slope (an estimate)
    f_evals: int | None = None
    forward_passes: int | None = None
    reverse_passes: int | None = None
    tape_records: int | None = None
    tape_bytes: int | None = None
    peak_bytes: int | None = None
    rel_error: float | None = None
    failure: str | None = None


@dataclass
class ScaleStudy:
    function: str
    sizes: list[int]
    methods: tuple[str, ...]
    budget: float
    cost_f: dict[int, float] = field(default_factory=dict)  # n -> seconds for one f
    runs: list[Run] = field(default_factory=list)
    reference_seconds: dict[int, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    interrupted: bool = False
    spent: float = 0.0  # CPU seconds the whole study took

    def measured(self, method: str) -> list[Run]:
        return [r for r in self.runs if r.method == method and r.measured and not r.failure]

    def slope(self, method: str, relative: bool = False) -> float | None:
        """The least-squares slope of log time (or log time/cost(f)) against log n over
        the method's measured sizes; None with fewer than two."""
        points = self.measured(method)
        return log_slope([r.n for r in points],
                         [r.seconds / (self.cost_f[r.n] if relative else 1.0) for r in points])

    @property
    def f_slope(self) -> float | None:
        """How the cost of one evaluation of f grows with n (log–log)."""
        sizes = sorted(self.cost_f)
        return log_slope(sizes, [self.cost_f[n] for n in sizes])


def log_slope(sizes: Sequence[int], seconds: Sequence[float]) -> float | None:
    """The least-squares slope of log seconds against log n; None with fewer than two."""
    if len(sizes) < 2:
        return None
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def family_path(function: str | None) -> str:
    """A family's program file: a name from FAMILIES, or a FILE.py with start(n)."""
    if function is None:
        function = "rosenbrock"
    if function in FAMILIES:
        return str(samples_dir() / "programs" / FAMILIES[function])
    return function


MAX_BYTES = 2 << 30  # memory a size may need (its point, its trace): past it, not made
MEASURING = 3.0  # a measurement costs about this many gradients (traced once, then timed)


def scale_study(function: str | None, sizes: Sequence[int], methods: Sequence[str] | None,
                budget: float, on_run: Callable[[str], None] | None = None,
                interrupted: Callable[[], bool] = lambda: False) -> ScaleStudy:
    """Measure each method at each size within its share of ``budget`` CPU seconds: the
    methods, the exact reference and the making of each size (start(n), the trace, cost(f))
    each get an equal share, every CPU second spent counted against one, and nothing is run
    that its share cannot pay for, predicted before it starts; a size whose memory (from the
    bytes per input the last size took) would pass MAX_BYTES is not made."""
    program = load(family_path(function))  # its module runs once, whatever the sizes
    methods = tuple(methods or DEFAULT_METHODS)
    study = ScaleStudy(function or "rosenbrock", sorted(set(int(n) for n in sizes)), methods,
                       budget)
    share = budget / (len(methods) + 2)  # the exact reference and the setup have a share too
    spent = {m: 0.0 for m in (*methods, "reference", "setup")}
    setup_rate, bytes_per_input = None, None
    for n in study.sizes:
        if interrupted():
            study.interrupted = True
            break
        if bytes_per_input is not None and bytes_per_input * n > MAX_BYTES:
            study.notes.append(f"n = {n:,} and larger were not run: about "
                               f"{bytes_per_input * n / 2 ** 30:,.1f} GiB of memory (the last "
                               f"size took {bytes_per_input:,.0f} bytes per input; the limit "
                               f"is {MAX_BYTES / 2 ** 30:g} GiB)")
            break
        if setup_rate is not None:
            last = max(study.cost_f)  # making it grows with n; timing f takes its floor at least
            timing = max(MIN_BATCH_SECONDS, F_REPEATS * study.cost_f[last] * n / last)
            if setup_rate * n + timing > share - spent["setup"]:
                study.notes.append(f"n = {n:,} and larger were not run: making them (start(n), "
                                   "the trace, cost(f)) would pass the setup's share of the "
                                   "budget")
                break
        start = time.process_time()
        try:  # bounded by what is left of its share: a prediction can be short of the truth
            problem = program_problem(program, n=n, budget=share - spent["setup"])
        except ProgramTimedOut as exc:
            study.notes.append(f"n = {n:,} and larger were not run: making it ({exc}) passed "
                               "the setup's share of the budget")
            break
        made = time.process_time() - start
        study.cost_f[problem.n] = _cost_of_f(problem)
        spent["setup"] += time.process_time() - start
        setup_rate = made / max(problem.n, 1)
        bytes_per_input = max(64.0, sum(int(np.asarray(v).nbytes) for v in problem.tape.values)
                              / max(problem.n, 1))
        reference = _reference(study, problem, share - spent["reference"], spent)
        for method in methods:
            if interrupted():
                study.interrupted = True
                break
            if any(r.method == method and r.failure for r in study.runs):
                continue  # it failed at a smaller n: a larger one will not do better
            predicted = predict(study, method, problem.n)
            left = share - spent[method]
            if predicted is not None and MEASURING * predicted > left:
                study.runs.append(Run(method, problem.n, predicted, measured=False))
            else:
                start = time.process_time()
                study.runs.append(_measure(method, problem, reference, left))
                spent[method] += time.process_time() - start
            if on_run:
                on_run(f"{method} at n = {problem.n:,}")
    study.spent = sum(spent.values())
    return study


def predict(study: ScaleStudy, method: str, n: int) -> float | None:
    """The method's time at n: its time over cost(f) at its last measured point, carried
    to n along its fitted slope of time/cost(f) (with one point, the seed's law; for a
    method without one, linear), times cost(f) measured at n. None before any point."""
    points = study.measured(method)
    if not points:
        return None
    last = points[-1]
    slope = study.slope(method, relative=True)
    if slope is None:
        slope = law(method) if law(method) is not None else 1
    relative = last.seconds / study.cost_f[last.n]
    return relative * (n / last.n) ** max(slope, 0.0) * study.cost_f[n]


MIN_BATCH_SECONDS = 0.02  # CPU time a batch of calls is timed over (the CPU clock is coarse)


def cpu_per_call(call, at_least: int = 1):
    """(CPU seconds per call, the last call's value): calls repeated until the process's
    CPU clock has advanced MIN_BATCH_SECONDS (it ticks too coarsely for one fast call)."""
    count, start = 0, time.process_time()
    while True:
        found = call()
        count += 1
        spent = time.process_time() - start
        if count >= at_least and spent >= MIN_BATCH_SECONDS:
            return spent / count, found


def _cost_of_f(problem) -> float:
    """The CPU time of one evaluation of f, over at least F_REPEATS calls."""
    x = np.asarray(problem.point_array)
    return cpu_per_call(lambda: problem.evaluate(x), F_REPEATS)[0]


def _reference(study: ScaleStudy, problem, left: float, spent: dict) -> np.ndarray | None:
    """The exact gradient at this n, if its predicted time fits what is left of its share."""
    from diffcompare.analysis.reference import swept_reference
    from diffcompare.runtime.budget import Budget

    sizes = sorted(study.reference_seconds)
    if sizes:
        last = sizes[-1]
        if study.reference_seconds[last] * problem.n / last > left:
            study.notes.append(f"no exact reference from n = {problem.n:,}: its sweep would "
                               "pass its share of the budget; errors are not shown there")
            return None
    start = time.process_time()
    try:
        found = swept_reference(problem, "gradient", None, Budget(max(left, 0.0)))
    except MethodError as exc:
        study.notes.append(f"no exact reference from n = {problem.n:,}: {exc}")
        return None
    seconds = time.process_time() - start
    spent["reference"] += seconds
    if found.failure:
        return None
    study.reference_seconds[problem.n] = seconds
    return np.asarray(found.derivative, dtype=float)


def _measure(method: str, problem, reference, share: float) -> Run:
    """One gradient's CPU time (over a batch: the CPU clock is coarse), with everything the
    method does for it (a program traced afresh each time: the trace is reverse mode's
    forward pass), and its peak memory traced once."""

    def gradient():
        problem.forget_traces()
        prepared = REGISTRY[method].prepare(problem, Options(budget=share))
        try:
            return prepared.derivative("gradient")
        finally:
            prepared.close()

    tracemalloc.start()
    start = time.process_time()
    try:
        gradient()
        peak = tracemalloc.get_traced_memory()[1]
    except OutOfBudget as exc:  # its work, counted before it ran, would pass its share
        if exc.predicted is not None:
            return Run(method, problem.n, exc.predicted, measured=False)
        return Run(method, problem.n, time.process_time() - start, True,
                   failure=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # noqa: BLE001 - a failing method is a row with its reason
        return Run(method, problem.n, time.process_time() - start, True,
                   failure=f"{type(exc).__name__}: {exc}")
    finally:
        tracemalloc.stop()
    try:
        seconds, found = cpu_per_call(gradient)
    except Exception as exc:  # noqa: BLE001 - as above: a row with its reason
        return Run(method, problem.n, time.process_time() - start, True,
                   failure=f"{type(exc).__name__}: {exc}")
    error = None
    if reference is not None and not found.failure:
        scale = float(np.max(np.abs(reference))) or 1.0
        error = float(np.max(np.abs(found.value - reference))) / scale
    traced = problem.tape
    on_tape = REGISTRY[method].sweeps_tape
    return Run(method, problem.n, seconds, True, found.cost.f_evals, found.cost.forward_passes,
               found.cost.reverse_passes,
               traced.operation_count if on_tape else None,
               sum(int(np.asarray(v).nbytes) for v in traced.values) if on_tape else None,
               peak, error, found.failure)


def parse_sizes(text: str) -> list[int]:
    """"10,100,1000" or "10:1e6" (powers of ten from one to the other)."""
    from diffcompare.errors import InputError

    try:
        if ":" in text:
            low, high = (float(v) for v in text.split(":"))
            return [int(round(10 ** k)) for k in range(int(round(math.log10(low))),
                                                         int(round(math.log10(high))) + 1)]
        sizes = [int(float(v)) for v in text.split(",")]
    except ValueError:
        raise InputError(f"--n {text!r}: sizes such as 10,100,1000 or 10:1e6") from None
    if not sizes or min(sizes) < 1:
        raise InputError("--n: every size must be at least 1")
    return sizes
