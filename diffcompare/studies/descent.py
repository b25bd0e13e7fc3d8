"""Gradient descent driven by each method: where runs with approximate gradients part ways
from the exact one, and what each costs. Data only; render/ and plots/ show it.

Each method is prepared once and asked for the gradient (and, for Newton, the Hessian) at
every iterate. The exact run takes its derivatives from the tape swept in balls at each
iterate. Every run is bounded by the budget, counted as work: each iteration's passes and
evaluations times the tape's size (runtime/budget.py), so a run stops at the same iteration
on a busy machine as on an idle one. The optimizers, one entry each in OPTIMIZERS:

    gd        x ← x − lr·∇f                          (the first seed's "baby step")
    momentum  v ← β·v − lr·∇f,  x ← x + v             (heavy ball, Polyak 1964)
    newton    x ← x − H⁻¹·∇f                          (full steps; lr is not used)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from diffcompare.errors import InputError, MethodError
from diffcompare.methods import REGISTRY, Cost, Options
from diffcompare.problems.base import BaseProblem as Problem
from diffcompare.runtime.budget import (
    CALL_SECONDS,
    DUAL_FACTOR,
    Budget,
    OutOfBudget,
    tape_seconds,
)

DIVERGENCE = 1e12  # |f| beyond this times max(1, |f(x0)|): growing without bound
EXACT = "exact"  # the label of the run on exact derivatives
MAX_STEPS = 100_000
BALL_FACTOR = 20  # a ball sweep per float sweep, for counting the exact run's work


# --- the optimizers ----------------------------------------------------------------------

def _gd(x, g, h, velocity, lr, beta):
    return x - lr * g, velocity


def _momentum(x, g, h, velocity, lr, beta):
    velocity = beta * velocity - lr * g
    return x + velocity, velocity


def _newton(x, g, h, velocity, lr, beta):
    try:
        step = np.linalg.solve(h, -g)
    except np.linalg.LinAlgError:
        raise MethodError("the Hessian is singular here: no Newton step") from None
    return x + step, velocity


@dataclass(frozen=True)
class Optimizer:
    name: str
    update: Callable  # (x, g, H, velocity, lr, beta) -> (x, velocity)
    needs_hessian: bool
    summary: Callable[[float, float], str]  # (lr, beta) -> the rule in a few words
    update_words: str  # the update as the first seed would say it
    per_coordinate: bool = False  # the update is written out coordinate by coordinate


OPTIMIZERS: dict[str, Optimizer] = {o.name: o for o in (
    Optimizer("gd", _gd, False, lambda lr, beta: f"gd, lr = {lr:g}", "x − lr·∇f",
              per_coordinate=True),
    Optimizer("momentum", _momentum, False,
              lambda lr, beta: f"momentum, lr = {lr:g}, β = {beta:g}",
              "v ← β·v − lr·∇f, x ← x + v"),
    Optimizer("newton", _newton, True, lambda lr, beta: "newton (full steps)",
              "x − H⁻¹·∇f (H: the Hessian at x)"),
)}


# --- runs --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Iterate:
    point: np.ndarray
    f: float
    gradient: np.ndarray

    @property
    def norm(self) -> float:
        return float(np.linalg.norm(self.gradient))


@dataclass(frozen=True)
class Run:
    """One method's descent: every iterate, why it stopped, what it cost."""

    method: str
    iterates: tuple[Iterate, ...]
    stopped: str  # "converged", "step limit", or what went wrong
    cost: Cost
    departs_at: int | None = None  # first iteration farther than the tolerance from exact
    departure: float | None = None  # the distance then
    failure: str | None = None  # the method could not run at all
    exact: bool = False  # the run on exact derivatives

    @property
    def iterations(self) -> int:
        return max(0, len(self.iterates) - 1)

    @property
    def final(self) -> Iterate | None:
        return self.iterates[-1] if self.iterates else None

    @property
    def converged(self) -> bool:
        return self.stopped == "converged"


@dataclass(frozen=True)
class Descent:
    problem: Problem
    optimizer: str
    lr: float
    beta: float
    steps: int
    tol: float
    depart_tol: float
    runs: tuple[Run, ...]
    exact: Run | None  # None when the exact run could not be made within the budget
    exact_failure: str | None = None

    @property
    def f_best(self) -> float | None:
        """The lowest f any run reached: f* for the f − f* axis."""
        values = [it.f for run in (*self.runs, *([self.exact] if self.exact else ()))
                  for it in run.iterates if math.isfinite(it.f)]
        return min(values) if values else None

    def run(self, method: str) -> Run:
        return next(r for r in self.runs if r.method == method)


Derivatives = Callable[[np.ndarray, bool], tuple[float, np.ndarray, np.ndarray | None, Cost]]


def _descend(derivatives: Derivatives, x0: np.ndarray, optimizer: Optimizer, lr: float,
             beta: float, steps: int, tol: float, name: str, budget: Budget | None,
             per_step: Callable[[Cost], float] | None,
             interrupted: Callable[[], bool] = lambda: False,
             on_iteration: Callable[[], None] | None = None) -> Run:
    """One run; divergence, a step out of the domain, a singular Hessian, the budget or an
    interruption end it (with the iterates it has)."""
    x = np.array(x0, dtype=float)
    velocity = np.zeros_like(x)
    iterates: list[Iterate] = []
    cost, stopped, f0 = Cost(), "step limit", None
    for k in range(steps + 1):
        try:
            f, g, h, spent = derivatives(x, optimizer.needs_hessian)
        except OutOfBudget as exc:  # the method's own budget, counted as it works
            stopped = f"stopped at iteration {k}: {exc}"
            break
        cost = cost + spent
        iterates.append(Iterate(x.copy(), float(f), np.asarray(g, dtype=float)))
        if on_iteration:
            on_iteration()
        f0 = f if f0 is None else f0
        if not (math.isfinite(f) and np.all(np.isfinite(g))):
            stopped = (f"diverged: f or its gradient is not finite at iteration {k} (a step "
                       "left the domain of f, or overflowed)")
            break
        if abs(f) > DIVERGENCE * max(1.0, abs(f0)):
            stopped = f"diverged: f grew to {f:.3g} by iteration {k} (lr {lr:g} is too large)"
            break
        if iterates[-1].norm <= tol:
            stopped = "converged"
            break
        if k == steps:
            break
        if interrupted():
            stopped = "interrupted"
            break
        try:
            if per_step is not None:
                budget.charge(per_step(spent), f"iteration {k + 1}")
            x, velocity = optimizer.update(x, g, h, velocity, lr, beta)
        except OutOfBudget as exc:
            stopped = f"stopped at iteration {k}: {exc}"
            break
        except MethodError as exc:
            stopped = f"stopped at iteration {k}: {exc}"
            break
    return Run(name, tuple(iterates), stopped, cost, exact=name == EXACT)


def _per_step(problem: Problem, factor: float = 1.0) -> Callable[[Cost], float]:
    """The work of one iteration, counted from what it cost: its evaluations and passes
    over the tape (a dual pass counted DUAL_FACTOR times)."""
    tape = problem.tape

    def work(cost: Cost) -> float:
        sweeps = cost.f_evals + cost.forward_passes + cost.reverse_passes
        return CALL_SECONDS + factor * tape_seconds(tape.operation_count,
                                                    tape.scalar_operations, max(sweeps, 1))

    return work


def _method_derivatives(prepared, problem: Problem) -> Derivatives:
    def at(x: np.ndarray, hessian: bool):
        found = prepared.derivative("gradient", point=x)
        if found.failure:
            raise MethodError(found.failure)
        cost = found.cost
        f = found.f_value
        if not math.isfinite(f):  # central differences never evaluate f at x itself
            with np.errstate(all="ignore"):
                f = float(problem.tape_at(x).value(x)[0])
            cost = cost + Cost(f_evals=1, forward_passes=1)
        h = None
        if hessian:
            second = prepared.derivative("hessian", point=x)
            h, cost = second.value, cost + second.cost
        return f, np.asarray(found.value), h, cost

    return at


def _exact_derivatives(problem: Problem) -> Derivatives:
    from diffcompare.analysis.reference import swept_at

    def at(x: np.ndarray, hessian: bool):
        f, g = swept_at(problem, "gradient", x)
        h = swept_at(problem, "hessian", x)[1] if hessian else None
        passes = 1 + (problem.n * DUAL_FACTOR if hessian else 0)
        return float(f[0]), np.asarray(g, dtype=float), h, \
            Cost(f_evals=1, forward_passes=passes, reverse_passes=passes)

    return at


def _timed(run: Run, start: float) -> Run:
    return replace(run, cost=replace(run.cost, seconds=time.process_time() - start))


def descend(problem: Problem, methods: Sequence[str], optimizer: str = "gd",
            lr: float = 1e-3, steps: int = 500, tol: float = 1e-8, beta: float = 0.9,
            depart_tol: float = 1e-6, options: Options | None = None,
            on_step: Callable[[str], None] | None = None,
            interrupted: Callable[[], bool] = lambda: False) -> Descent:
    """One run per method from the problem's point, and the exact run to measure them by.
    ``on_step`` is told each iteration as it is made; ``interrupted`` ends the runs early,
    keeping every row made so far. ``tol`` 0 runs every step."""
    if optimizer not in OPTIMIZERS:
        raise InputError(f"unknown optimizer {optimizer!r}; choose from {', '.join(OPTIMIZERS)}")
    rule = OPTIMIZERS[optimizer]
    if problem.m != 1:
        raise InputError(f"descent minimises a function with one output; f has {problem.m}")
    for value, name in ((lr, "--lr"), (depart_tol, "--depart")):
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"{name} must be a finite number > 0, not {value:g}")
    if not (math.isfinite(tol) and tol >= 0):
        raise InputError(f"--tol must be a finite number >= 0 (0: run every step), not {tol:g}")
    if not 0 <= beta < 1:
        raise InputError(f"--beta must be in [0, 1), not {beta:g}")
    if not 1 <= steps <= MAX_STEPS:
        raise InputError(f"--steps must be between 1 and {MAX_STEPS}")
    options = options or Options()
    tick = (lambda: on_step("")) if on_step else None
    exact, exact_failure = None, None
    start = time.process_time()
    try:
        exact = _timed(_descend(_exact_derivatives(problem), problem.point_array, rule, lr,
                                beta, steps, tol, EXACT, options.clock(),
                                _per_step(problem, BALL_FACTOR), interrupted, tick), start)
    except MethodError as exc:
        exact_failure = str(exc)
    runs = []
    for name in methods:
        if interrupted():  # its row stays, saying why it has no numbers
            runs.append(Run(name, (), "interrupted", Cost(), failure="not run: interrupted"))
            continue
        runs.append(_measured(_method_run(name, problem, rule, lr, beta, steps, tol, options,
                                          interrupted, tick), exact, depart_tol))
    return Descent(problem, optimizer, lr, beta, steps, tol, depart_tol, tuple(runs), exact,
                   exact_failure)


def _method_run(name, problem, rule: Optimizer, lr, beta, steps, tol, options, interrupted,
                tick) -> Run:
    method = REGISTRY[name]
    needed = ("gradient", "hessian") if rule.needs_hessian else ("gradient",)
    missing = [kind for kind in needed if not method.can(kind)]
    if missing:
        return Run(name, (), "cannot", Cost(),
                   failure=f"cannot: {name} does not compute a {missing[0]}, which "
                           f"{rule.name} needs")
    start = time.process_time()
    try:
        prepared = method.prepare(problem, options)
    except (MethodError, ArithmeticError, ValueError) as exc:
        return Run(name, (), "failed", Cost(), failure=f"{type(exc).__name__}: {exc}")
    try:
        with np.errstate(all="ignore"):
            # the method counts its own work, call by call, against its budget
            run = _descend(_method_derivatives(prepared, problem), problem.point_array, rule,
                           lr, beta, steps, tol, name, None, None, interrupted, tick)
    except (MethodError, ArithmeticError, ValueError) as exc:
        return Run(name, (), "failed", Cost(), failure=f"{type(exc).__name__}: {exc}")
    finally:
        prepared.close()
    return _timed(run, start)


def _measured(run: Run, exact: Run | None, tolerance: float) -> Run:
    """The first iteration where the run is farther than ``tolerance`` (relative to
    max(1, |x|)) from the exact run, and the distance then."""
    if exact is None or not run.iterates:
        return run
    for k, (ours, theirs) in enumerate(zip(run.iterates, exact.iterates)):
        distance = float(np.linalg.norm(ours.point - theirs.point))
        if not math.isfinite(distance) or distance > tolerance * max(1.0, float(
                np.linalg.norm(theirs.point))):
            return replace(run, departs_at=k, departure=distance)
    return run
