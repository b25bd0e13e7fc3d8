"""The finite-difference error against the step size, with the theory beside it.

For one partial derivative, every finite-difference scheme in the registry is evaluated at
many steps in one vectorized sweep each, and compared with the exact derivative. Beside
the measurements stands each scheme's own error model (declared with the scheme in
methods/finite_differences.py): truncation C·h^p, with C from the exact higher derivatives
at the point, plus round-off; its optimal step minimises C·h^p + R/h.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from diffcompare.errors import COMPUTATION_FAILURES, InputError
from diffcompare.methods import METHOD_NAMES, REGISTRY, Options, stencils
from diffcompare.methods import finite_differences as fd
from diffcompare.problems.formula import Problem
from diffcompare.runtime.budget import DEFAULT_BUDGET

# Every scheme the registry has that estimates along one input at any step.
SCHEMES = tuple(name for name in METHOD_NAMES
                if issubclass(REGISTRY[name].prepare, fd.Differences))
DEFAULT_RANGE = (1e-16, 1e-1)
DEFAULT_POINTS = 151  # ten per decade over the default range
TRUNCATION_DOMINATES = 10.0  # the truncation regime: model truncation >= 10 x round-off
ASYMPTOTIC_LIMIT = 1e-2  # ... and h <= 1e-2·max(1, |x|), where the leading term rules
EPS = stencils.EPS


@dataclass(frozen=True)
class CommonStep:
    name: str
    step: float
    source: str


def common_steps(x: float) -> list[CommonStep]:
    """Where the usual defaults put the step for this coordinate."""
    scale = max(1.0, abs(x))
    return [
        CommonStep("sqrt(eps) rule", math.sqrt(EPS) * scale, "forward/backward default"),
        CommonStep("cbrt(eps) rule", EPS ** (1 / 3) * scale, "central default"),
        CommonStep("1e-6", 1e-6, "torch.autograd.gradcheck; HIPS autograd check_grads "
                                 "(EPS = 1e-6, taken as ±EPS/2)"),
        CommonStep("1e-4", 1e-4, "jax check_grads (EPS = 1e-4)"),
    ]


ErrorModel = stencils.ErrorModel


def error_model(scheme: str, f: float, d1: float, d2: float, d3: float) -> ErrorModel | None:
    """The scheme's own error model at the point (None where it has none: richardson)."""
    return REGISTRY[scheme].prepare.error_model(f, d1, d2, d3)


@dataclass(frozen=True)
class Sweep:
    """One scheme over all the steps."""

    scheme: str
    steps: np.ndarray
    estimates: np.ndarray
    errors: np.ndarray  # |estimate - exact|; nan where there is no exact derivative
    model: ErrorModel | None
    own_estimate: np.ndarray | None  # richardson's error estimate at each first step
    observed_order: float | None  # slope of log error against log h, truncation regime
    envelope: np.ndarray  # the worst error within half a decade of steps either side
    best_step: float | None  # where that envelope is lowest: reliably small, not lucky
    best_error: float | None
    at_common: tuple[tuple[str, float, float, float], ...]  # (name, step, estimate, error)


@dataclass(frozen=True)
class StepStudy:
    problem: Problem
    wrt: str
    index: int
    exact: float | None  # None where the derivative does not exist
    value: float
    derivatives: tuple[float, float, float]  # f', f'', f''' along the coordinate, exact
    relative: bool  # show steps in % of |x|
    sweeps: tuple[Sweep, ...]
    no_derivative: str | None  # why there is no derivative here

    @property
    def x(self) -> float:
        return self.problem.point[self.index]

    def axis(self, steps) -> np.ndarray:
        """Steps as shown: absolute, or in % of |x| with --relative."""
        steps = np.asarray(steps, dtype=float)
        return 100 * steps / abs(self.x) if self.relative else steps

    def sweep(self, scheme: str) -> Sweep:
        return next(s for s in self.sweeps if s.scheme == scheme)


def parse_range(text: str) -> tuple[float, float]:
    try:
        low, high = (float(p) for p in text.split(":"))
    except ValueError:
        raise InputError(f"--range {text!r}: write LOW:HIGH, e.g. 1e-16:1e-1") from None
    if not (0 < low < high and math.isfinite(high)):
        raise InputError(f"--range {text!r}: need 0 < LOW < HIGH")
    return low, high


def step_study(problem: Problem, wrt: str | None = None, schemes: Sequence[str] = SCHEMES,
               span: tuple[float, float] = DEFAULT_RANGE, points: int = DEFAULT_POINTS,
               relative: bool = False, budget: float | None = DEFAULT_BUDGET) -> StepStudy:
    """Every scheme at ``points`` steps spaced evenly on a log scale over ``span``."""
    wrt = wrt or problem.variables[0]
    if wrt not in problem.variables:
        raise InputError(f"--wrt {wrt}: not a variable ({', '.join(problem.variables)})")
    unknown = [s for s in schemes if s not in SCHEMES]
    if unknown or not schemes:
        raise InputError(f"epsplot draws {', '.join(SCHEMES)}; not {', '.join(unknown)}")
    if not 3 <= points <= 5000:
        raise InputError("--points must be between 3 and 5000")
    index = problem.variables.index(wrt)
    x = problem.point[index]
    if relative and x == 0:
        raise InputError(f"--relative measures steps in % of {wrt}, which is 0 here")
    grid = np.geomspace(*span, points)
    steps = grid * abs(x) / 100 if relative else grid
    value, derivatives, exact, missing = _exact(problem, index, budget)
    common = common_steps(x)
    sweeps = []
    for scheme in schemes:
        all_steps = np.concatenate([steps, [c.step for c in common]])
        estimates, own = _estimates(scheme, problem, index, all_steps)
        errors = np.abs(estimates - exact) if exact is not None else np.full_like(estimates,
                                                                                 np.nan)
        model = error_model(scheme, value, *derivatives) if exact is not None else None
        m = len(steps)
        sweeps.append(_sweep(scheme, steps, estimates[:m], errors[:m], model,
                             None if own is None else own[:m],
                             [(c.name, c.step, estimates[m + k], errors[m + k])
                              for k, c in enumerate(common)]))
    return StepStudy(problem, wrt, index, exact, value, derivatives, relative, tuple(sweeps),
                     missing)


def _exact(problem: Problem, index: int, budget: float | None):
    """f, its first three derivatives along the coordinate (signed: the error models take
    their sizes), and why f' may not exist; within one budget."""
    from diffcompare.analysis.reference import along_coordinate, exact_reference

    reference = exact_reference(problem, budget=budget)
    name = problem.variables[index]
    missing = reference.failure or (reference.absent[index] if reference.absent else None)
    exact = None if missing else reference.gradient[index]
    if exact is not None and not math.isfinite(exact):
        missing, exact = f"d/d{name} is not finite here", None
    try:
        higher = list(along_coordinate(problem, index))
    except COMPUTATION_FAILURES:
        higher = [math.nan, math.nan]
    higher = [h if math.isfinite(h) else 0.0 for h in higher]
    d1 = exact if exact is not None else math.nan
    return reference.value, (d1, higher[0], higher[1]), exact, missing


def _estimates(scheme: str, problem: Problem, index: int, steps: np.ndarray):
    """The scheme's estimates of d/dx_index at every step, and its own error estimates."""
    prepared = REGISTRY[scheme].prepare(problem, Options())
    found, own = prepared.estimate(np.asarray(problem.point, dtype=float),
                                   [(index, float(h)) for h in steps])
    return found.values[0], None if own is None else own[0]


def _sweep(scheme, steps, estimates, errors, model, own, at_common) -> Sweep:
    envelope = running_envelope(steps, errors)
    finite = np.isfinite(envelope)
    best = int(np.argmin(np.where(finite, envelope, np.inf))) if finite.any() else None
    return Sweep(scheme, steps, estimates, errors, model, own,
                 observed_order(steps, errors, model), envelope,
                 None if best is None else float(steps[best]),
                 None if best is None else float(envelope[best]), tuple(at_common))


def running_envelope(steps: np.ndarray, errors: np.ndarray) -> np.ndarray:
    """The worst error within half a decade of steps either side of each step. In the
    round-off regime single errors scatter over orders of magnitude, and many land exactly
    on 0 (f(x+h) and x+h are both quantized, so the quotient is often the exact ratio);
    the envelope is the error one can count on at that step."""
    per_decade = (len(steps) - 1) / max(np.log10(steps[-1] / steps[0]), 1e-12)
    half = max(1, int(round(per_decade / 2)))
    out = np.full(len(errors), np.nan)
    for k in range(len(errors)):
        window = errors[max(0, k - half):k + half + 1]
        window = window[np.isfinite(window)]
        if window.size:
            out[k] = float(window.max())
    return out


def observed_order(steps: np.ndarray, errors: np.ndarray, model: ErrorModel | None,
                   scale: float = 1.0) -> float | None:
    """The slope of log(error) against log(h) where the model says truncation rules
    (the theory only picks the regime; the slope is measured)."""
    if model is None or model.truncation <= 0:
        return None
    regime = ((model.truncation_part(steps) >= TRUNCATION_DOMINATES * model.roundoff_part(steps))
              & (steps <= ASYMPTOTIC_LIMIT * scale) & np.isfinite(errors) & (errors > 0))
    if np.count_nonzero(regime) < 3:
        return None
    slope, _ = np.polyfit(np.log10(steps[regime]), np.log10(errors[regime]), 1)
    return float(slope)
