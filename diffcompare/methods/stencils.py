"""Finite-difference estimators over stencils: f (all m outputs) at x + offset·target, from
the problem (a formula's tape swept over every point at once, a program called per point),
and the estimators built on them (one-sided, central, complex step,
Ridders' extrapolation), for a list of (target, step) pairs. A target is an input's index
or a direction v. The methods in finite_differences.py and richardson.py, and epsplot's
step sweeps, all estimate through these.

Steps along an input are rounded to what the machine actually takes, h = (x + h) - x
(exact, by Sterbenz's lemma), and the difference is divided by that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from diffcompare.engine.tape import StencilSweep
from diffcompare.problems.base import BaseProblem as Problem

EPS = float(np.finfo(float).eps)
RIDDERS_LEVELS = 10  # Numerical Recipes' dfridr: NTAB = 10, CON = 1.4, SAFE = 2
RIDDERS_SHRINK = 1.4
RIDDERS_SAFE = 2.0

Pairs = Sequence[tuple[object, float]]  # (an input's index or a direction v, step)


@dataclass(frozen=True)
class ErrorModel:
    """error(h) ≈ truncation·h^order + roundoff/h + floor."""

    order: int
    truncation: float
    roundoff: float
    floor: float

    def __call__(self, h: np.ndarray) -> np.ndarray:
        h = np.asarray(h, dtype=float)
        return self.truncation * h ** self.order + self.roundoff / h + self.floor

    def truncation_part(self, h):
        return self.truncation * np.asarray(h, dtype=float) ** self.order

    def roundoff_part(self, h):
        return self.roundoff / np.asarray(h, dtype=float) + self.floor

    @property
    def optimal_step(self) -> float | None:
        """The model's minimum: h* = (R / (p·C))^(1/(p+1)) for C·h^p + R/h."""
        if self.truncation <= 0 or self.roundoff <= 0:
            return None  # no trade-off: one of the two terms is absent
        return (self.roundoff / (self.order * self.truncation)) ** (1 / (self.order + 1))


def is_index(target) -> bool:
    return isinstance(target, (int, np.integer))


def along(n: int, i: int, h: float) -> np.ndarray:
    out = np.zeros(n)
    out[i] = h
    return out


def kinks_of(sweep: StencilSweep, groups: Sequence[Sequence[int]],
             targets: Sequence) -> list[str | None]:
    """For each group of points (the stencil of one estimate), the non-smooth operation
    whose argument crosses its kink inside it, if any: there one-sided differences disagree
    and the difference quotient means nothing. A group that left the domain is not looked
    at: that is its status, not a kink."""
    found: list[str | None] = []
    for columns, target in zip(groups, targets):
        if not np.isfinite(sweep.f[:, list(columns)]).all():
            found.append(None)
            continue
        found.append(sweep.kink_crossed(columns, int(target) if is_index(target) else None))
    return found


@dataclass(frozen=True)
class Estimates:
    """Derivative estimates, (m outputs, pairs), and what went wrong."""

    values: np.ndarray
    taken: np.ndarray  # the steps really taken (for complex step: the steps requested)
    kinks: list[str | None]
    nonfinite: int  # stencil values of f that are not finite
    points: int
    f_at_x: np.ndarray | None = None  # f(x), where the stencil has it


def _taken(x: np.ndarray, pairs: Pairs, sign: float) -> np.ndarray:
    """The length of the step the machine takes along each target, on the side ``sign``:
    |(x ± h) - x| along an input (exact, by Sterbenz's lemma), h itself along a direction."""
    return np.array([sign * ((x[t] + sign * h) - x[t]) if is_index(t) else h
                     for t, h in pairs])


def one_sided(problem: Problem, x: np.ndarray, pairs: Pairs, sign: float) -> Estimates:
    """(f(x + h t) - f(x)) / h, or with sign -1 (f(x) - f(x - h t)) / h."""
    stencil = problem.stencil(x, [(None, 0.0)] + [(t, sign * h) for t, h in pairs])
    taken = _taken(x, pairs, sign)
    with np.errstate(all="ignore"):
        values = np.where(taken != 0, sign * (stencil.f[:, 1:] - stencil.f[:, :1]) / taken,
                          np.nan)
    groups = [[0, k + 1] for k in range(len(pairs))]
    return Estimates(values, taken, kinks_of(stencil, groups, [t for t, _ in pairs]),
                     nonfinite_count(stencil.f), stencil.f.shape[1], stencil.f[:, 0])


def central(problem: Problem, x: np.ndarray, pairs: Pairs) -> Estimates:
    """(f(x + h t) - f(x - h t)) / (h+ + h-), each half rounded to the step taken."""
    offsets = [o for t, h in pairs for o in ((t, h), (t, -h))]
    stencil = problem.stencil(x, offsets)
    width = _taken(x, pairs, 1.0) + _taken(x, pairs, -1.0)
    with np.errstate(all="ignore"):
        values = np.where(width != 0, (stencil.f[:, 0::2] - stencil.f[:, 1::2]) / width,
                          np.nan)
    groups = [[2 * k, 2 * k + 1] for k in range(len(pairs))]
    return Estimates(values, width / 2, kinks_of(stencil, groups, [t for t, _ in pairs]),
                     nonfinite_count(stencil.f), stencil.f.shape[1])


def complex_step_estimates(problem: Problem, x: np.ndarray, pairs: Pairs) -> Estimates:
    """Im f(x + ih t) / h: no subtraction, so no cancellation (Squire & Trapp 1998).
    abs and sign are continued analytically in ops.py."""
    stencil = problem.stencil(x, [(t, complex(0.0, h)) for t, h in pairs])
    h = np.array([h for _, h in pairs])
    with np.errstate(all="ignore"):
        values = np.imag(stencil.f) / h
    groups = [[k] for k in range(len(pairs))]
    return Estimates(values, h, kinks_of(stencil, groups, [t for t, _ in pairs]),
                     nonfinite_count(stencil.f), stencil.f.shape[1], np.real(stencil.f[:, 0]))


def ridders(estimates: Sequence[float], shrink: float = RIDDERS_SHRINK) -> tuple[float, float]:
    """Richardson extrapolation of central differences taken at steps h, h/c, h/c²...
    (Ridders 1982; Numerical Recipes' dfridr). Returns (estimate, error estimate)."""
    c2 = shrink * shrink
    best, error = math.nan, math.inf
    table = [[estimates[0]]]
    for i in range(1, len(estimates)):
        row = [estimates[i]]
        factor = c2
        for j in range(1, i + 1):
            # Eliminate the h^(2j) term: D_j(h) = (c^(2j) D_{j-1}(h/c) - D_{j-1}(h)) / (c^(2j) - 1)
            row.append((row[j - 1] * factor - table[i - 1][j - 1]) / (factor - 1))
            factor *= c2
            gap = max(abs(row[j] - row[j - 1]), abs(row[j] - table[i - 1][j - 1]))
            if gap <= error:
                best, error = row[j], gap
        table.append(row)
        if abs(row[i] - table[i - 1][i - 1]) >= RIDDERS_SAFE * error:
            break  # higher orders got worse: round-off has taken over
    return best, error


def richardson_estimates(problem: Problem, x: np.ndarray, pairs: Pairs):
    """Ridders' extrapolation from each pair's first step: (estimates, error estimates),
    each over (m outputs, pairs)."""
    levels = RIDDERS_LEVELS
    ladder = [(t, h / RIDDERS_SHRINK ** j) for t, h in pairs for j in range(levels)]
    raw = central(problem, x, ladder)
    with np.errstate(all="ignore"):
        results = [[ridders(row[k * levels:(k + 1) * levels]) for k in range(len(pairs))]
                   for row in raw.values]
    kinks = [next((m for m in raw.kinks[k * levels:(k + 1) * levels] if m), None)
             for k in range(len(pairs))]
    estimates = Estimates(np.array([[r[0] for r in row] for row in results]),
                          np.array([h for _, h in pairs]), kinks, raw.nonfinite, raw.points)
    return estimates, np.array([[r[1] for r in row] for row in results])


def nonfinite_count(f: np.ndarray) -> int:
    return int(np.count_nonzero(~np.isfinite(f)))


def magnitude(problem: Problem, x: np.ndarray) -> np.ndarray:
    """The scale of the round-off in a difference of f, per output as a column: an
    evaluation of f near x is off by at most EPS times it. That is |f(x)| where f's
    operations round only their own results, and more where one amplifies another's
    rounding (sqrt(1 - x**2) at 0.9999999: the subtraction's 1e-16 grows by sqrt's slope,
    1e3, to 5e-10 of f): the running error bound of f's tape at x, over EPS."""
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        values = np.abs(np.real(problem.evaluate(x)))
        bounds = np.asarray(evaluation_rounding(problem, x), dtype=float)
        return np.fmax(values, bounds / EPS).reshape(-1, 1)


def evaluation_rounding(problem: Problem, x: np.ndarray) -> list[float]:
    """The first-order bound on the rounding of each output of f evaluated in floats at x
    (Wilkinson's running error analysis over the tape's scalar records); 0 where the
    sweep fails (the round-off then is |f|'s)."""
    tape = problem.tape_at(x).scalar_view()
    try:
        with np.errstate(all="ignore"):
            return tape.rounding_bounds(tape.forward(x.tolist()))
    except (ArithmeticError, ValueError, TypeError):
        return [0.0] * problem.m


def default_step(x: float, order: int) -> float:
    """The step that balances truncation (O(h^order)) against round-off."""
    return EPS ** (1.0 / (order + 1)) * max(1.0, abs(x))
