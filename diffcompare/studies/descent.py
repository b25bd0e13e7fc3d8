"""Gradient descent driven by each method: where runs with approximate gradients part ways
from the exact one, and what each costs. Data only; render/ and plots/ show it.

Each method is prepared once and asked for the gradient (and, for Newton, the Hessian) at
every iterate. The exact run takes its derivatives from the tape swept in mpmath at each
iterate, all of it within the time budget. Optimizers:

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
from diffcompare.problems.formula import Problem
from diffcompare.runtime import budget

OPTIMIZERS = ("gd", "momentum", "newton")
DIVERGENCE = 1e12  # |f| beyond this times max(1, |f(x0)|): growing without bound
EXACT = "exact"  # the run on exact derivatives, the one the others are measured against


@dataclass(frozen=True)
class Iterate:
    point: tuple[float, ...]
    f: float
    gradient: tuple[float, ...]

    @property
    def norm(self) -> float:
        return math.sqrt(sum(g * g for g in self.gradient))


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


def _update(optimizer: str, x: np.ndarray, g: np.ndarray, h: np.ndarray | None,
            velocity: np.ndarray, lr: float, beta: float) -> tuple[np.ndarray, np.ndarray]:
    if optimizer == "gd":
        return x - lr * g, velocity
    if optimizer == "momentum":
        velocity = beta * velocity - lr * g
        return x + velocity, velocity
    try:
        step = np.linalg.solve(h, -g)
    except np.linalg.LinAlgError:
        raise MethodError("the Hessian is singular here: no Newton step") from None
    return x + step, velocity


def _descend(derivatives: Derivatives, x0: Sequence[float], optimizer: str, lr: float,
             beta: float, steps: int, tol: float, name: str,
             interrupted: Callable[[], bool] = lambda: False) -> Run:
    """One run; divergence, a step out of the domain or a singular Hessian end it."""
    x = np.asarray(x0, dtype=float)
    velocity = np.zeros_like(x)
    iterates: list[Iterate] = []
    cost, stopped, f0 = Cost(), "step limit", None
    for k in range(steps + 1):
        f, g, h, spent = derivatives(x, optimizer == "newton")
        cost = cost + spent
        iterates.append(Iterate(tuple(map(float, x)), float(f), tuple(map(float, g))))
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
            x, velocity = _update(optimizer, x, g, h, velocity, lr, beta)
        except MethodError as exc:
            stopped = f"stopped at iteration {k}: {exc}"
            break
    return Run(name, tuple(iterates), stopped, cost)


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
        return float(f[0]), g, h, Cost(f_evals=1, forward_passes=1, reverse_passes=1)

    return at


def _exact_run(problem, optimizer, lr, beta, steps, tol) -> Run:
    start = time.perf_counter()
    run = _descend(_exact_derivatives(problem), problem.point, optimizer, lr, beta, steps,
                   tol, EXACT)
    return replace(run, cost=replace(run.cost, seconds=time.perf_counter() - start))


def descend(problem: Problem, methods: Sequence[str], optimizer: str = "gd",
            lr: float = 1e-3, steps: int = 500, tol: float = 1e-8, beta: float = 0.9,
            depart_tol: float = 1e-6, options: Options | None = None,
            on_step: Callable[[str], None] | None = None,
            interrupted: Callable[[], bool] = lambda: False) -> Descent:
    """One run per method from the problem's point, and the exact run to measure them by.
    ``on_step`` is told each method as it finishes; ``interrupted`` ends runs early."""
    if optimizer not in OPTIMIZERS:
        raise InputError(f"unknown optimizer {optimizer!r}; choose from {', '.join(OPTIMIZERS)}")
    if problem.m != 1:
        raise InputError(f"descent minimises a function with one output; f has {problem.m}")
    for value, name in ((lr, "--lr"), (tol, "--tol"), (depart_tol, "--depart")):
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"{name} must be a finite number > 0, not {value:g}")
    if not 0 <= beta < 1:
        raise InputError(f"--beta must be in [0, 1), not {beta:g}")
    if not 1 <= steps <= 100_000:
        raise InputError("--steps must be between 1 and 100000")
    options = (options or Options()).started()
    exact, exact_failure = None, None
    try:
        exact = budget.within(options.budget(), _exact_run, problem, optimizer, lr, beta,
                              steps, tol)
    except MethodError as exc:
        exact_failure = str(exc)
    runs = []
    for name in methods:
        runs.append(_measured(_method_run(name, problem, optimizer, lr, beta, steps, tol,
                                          options, interrupted), exact, depart_tol))
        if on_step:
            on_step(name)
        if interrupted():
            break
    return Descent(problem, optimizer, lr, beta, steps, tol, depart_tol, tuple(runs), exact,
                   exact_failure)


def _method_run(name, problem, optimizer, lr, beta, steps, tol, options, interrupted) -> Run:
    method = REGISTRY[name]
    needed = ("gradient", "hessian") if optimizer == "newton" else ("gradient",)
    missing = [kind for kind in needed if not method.can(kind)]
    if missing:
        return Run(name, (), "cannot", Cost(),
                   failure=f"cannot: {name} does not compute a {missing[0]}, which "
                           f"{optimizer} needs")
    start = time.perf_counter()
    prepared = method.prepare(problem, options)
    try:
        with np.errstate(all="ignore"):
            run = _descend(_method_derivatives(prepared, problem), problem.point, optimizer,
                           lr, beta, steps, tol, name, interrupted)
    except (MethodError, ArithmeticError, ValueError) as exc:
        return Run(name, (), "failed", Cost(), failure=f"{type(exc).__name__}: {exc}")
    finally:
        prepared.close()
    return replace(run, cost=replace(run.cost, seconds=time.perf_counter() - start))


def _measured(run: Run, exact: Run | None, tolerance: float) -> Run:
    """The first iteration where the run is farther than ``tolerance`` (relative to
    max(1, |x|)) from the exact run, and the distance then."""
    if exact is None or not run.iterates:
        return run
    for k, (ours, theirs) in enumerate(zip(run.iterates, exact.iterates)):
        a, b = np.array(ours.point), np.array(theirs.point)
        distance = float(np.linalg.norm(a - b))
        if not math.isfinite(distance) or distance > tolerance * max(1.0, float(
                np.linalg.norm(b))):
            return replace(run, departs_at=k, departure=distance)
    return run
