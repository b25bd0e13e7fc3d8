"""Finite differences: forward-fd, backward-fd, central-fd, complex-step, richardson.

Every scheme is one vectorized estimator over a list of (component, step) pairs: the
methods ask for one pair per input, the step sweeps of ``epsplot`` for hundreds of steps of
one input, and each is a single sweep of the tape over numpy arrays. Steps are rounded to
what the machine actually takes, h = (x + h) - x (exact, by Sterbenz's lemma), and the
difference is divided by that.

Default steps balance truncation against round-off for an O(h^p) scheme: h = eps^(1/(p+1))
times max(1, |x|): sqrt(eps) for one-sided differences, cbrt(eps) for central ones
(Nocedal & Wright, Numerical Optimization, 2nd ed., section 8.1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from diffcompare.engine.tape import Tape
from diffcompare.expr import depends_on, to_text
from diffcompare.methods.registry import MethodResult, Options, register
from diffcompare.problem import Problem

EPS = float(np.finfo(float).eps)
RIDDERS_LEVELS = 10  # Numerical Recipes' dfridr: NTAB = 10, CON = 1.4, SAFE = 2
RIDDERS_SHRINK = 1.4
RIDDERS_SAFE = 2.0
RIDDERS_FIRST_STEP = 0.1  # relative to max(1, |x|): large, extrapolation removes h^2, h^4...
# h = 2**-66 (1.4e-20, Squire & Trapp's 1e-20 as a power of two) whatever x: the
# perturbation is imaginary, so it never meets the spacing of x and need not grow with it;
# the truncation error, h**2/6 times the third derivative, stays far below rounding; and a
# power of two makes Im f(x + ih) / h an exact scaling.
COMPLEX_STEP = 2.0**-66

Pairs = Sequence[tuple[int, float]]  # (component, step)


@dataclass(frozen=True)
class Stencil:
    """The values of f, and of every tape slot, at points x + step·e_i."""

    offsets: tuple[tuple[int | None, complex], ...]  # (component or None for x, offset)
    f: np.ndarray
    slots: list  # every tape slot's values over the points

    @classmethod
    def evaluate(cls, problem: Problem, tape: Tape, offsets) -> Stencil:
        offsets = tuple(offsets)
        complex_ = any(isinstance(o, complex) for _, o in offsets)
        columns = np.repeat(np.asarray(problem.point, dtype=complex if complex_ else float)
                            [:, None], len(offsets), axis=1)
        for k, (i, offset) in enumerate(offsets):
            if i is not None:
                columns[i, k] += offset
        with np.errstate(all="ignore"):
            slots = tape.forward([columns[i] for i in range(problem.n)])
        f = np.broadcast_to(slots[tape.output], (len(offsets),))
        return cls(offsets, np.array(f), slots)

    def kinked(self, problem: Problem, tape: Tape, groups: Sequence[Sequence[int]],
               components: Sequence[int]) -> list[str | None]:
        """For each group of points (the stencil of one estimate), the non-smooth operation
        whose argument crosses its kink inside it, if any: there one-sided differences
        disagree and the difference quotient means nothing."""
        deps = depends_on(problem.expr)
        found: list[str | None] = [None] * len(groups)
        m = len(self.offsets)
        for slot, op in enumerate(tape.ops):
            if op is None or not op.kinks or not tape.active[slot]:
                continue
            argument = np.broadcast_to(np.real(self.slots[tape.args[slot][0]]), (m,))
            for g, (columns, i) in enumerate(zip(groups, components)):
                if found[g] or problem.variables[i] not in deps[id(tape.nodes[slot])]:
                    continue
                seen = argument[list(columns)]
                for kink in op.kinks:
                    if (seen == kink).any() or (seen.min() < kink < seen.max()):
                        found[g] = (f"{to_text(tape.nodes[slot])} is not differentiable "
                                    f"where its argument is {kink:g}")
        return found


@dataclass(frozen=True)
class Estimates:
    """Derivative estimates for a list of (component, step) pairs, and what went wrong."""

    values: np.ndarray
    taken: np.ndarray  # the steps really taken (for complex step: the steps requested)
    kinks: list[str | None]
    nonfinite: int  # stencil points where f is not finite
    points: int
    f_at_x: float = math.nan


def one_sided(problem: Problem, tape: Tape, pairs: Pairs, sign: float) -> Estimates:
    """(f(x + h e_i) - f(x)) / h, or with sign -1 (f(x) - f(x - h e_i)) / h."""
    stencil = Stencil.evaluate(problem, tape, [(None, 0.0)] +
                               [(i, sign * h) for i, h in pairs])
    x = np.array([problem.point[i] for i, _ in pairs])
    h = np.array([h for _, h in pairs])
    taken = sign * ((x + sign * h) - x)
    with np.errstate(all="ignore"):
        values = np.where(taken != 0, sign * (stencil.f[1:] - stencil.f[0]) / taken, np.nan)
    groups = [[0, k + 1] for k in range(len(pairs))]
    return Estimates(values, taken, stencil.kinked(problem, tape, groups, [i for i, _ in pairs]),
                     _nonfinite(stencil.f), len(stencil.f), float(stencil.f[0]))


def central(problem: Problem, tape: Tape, pairs: Pairs) -> Estimates:
    """(f(x + h e_i) - f(x - h e_i)) / (h+ + h-), each half rounded to the step taken."""
    offsets = [o for i, h in pairs for o in ((i, h), (i, -h))]
    stencil = Stencil.evaluate(problem, tape, offsets)
    x = np.array([problem.point[i] for i, _ in pairs])
    h = np.array([h for _, h in pairs])
    width = ((x + h) - x) + (x - (x - h))
    with np.errstate(all="ignore"):
        values = np.where(width != 0, (stencil.f[0::2] - stencil.f[1::2]) / width, np.nan)
    groups = [[2 * k, 2 * k + 1] for k in range(len(pairs))]
    return Estimates(values, width / 2, stencil.kinked(problem, tape, groups,
                                                       [i for i, _ in pairs]),
                     _nonfinite(stencil.f), len(stencil.f))


def complex_step_estimates(problem: Problem, tape: Tape, pairs: Pairs) -> Estimates:
    """Im f(x + ih e_i) / h: no subtraction, so no cancellation (Squire & Trapp 1998).
    abs and sign are continued analytically in ops.py."""
    stencil = Stencil.evaluate(problem, tape, [(i, complex(0.0, h)) for i, h in pairs])
    h = np.array([h for _, h in pairs])
    with np.errstate(all="ignore"):
        values = np.imag(stencil.f) / h
    groups = [[k] for k in range(len(pairs))]
    return Estimates(values, h, stencil.kinked(problem, tape, groups, [i for i, _ in pairs]),
                     _nonfinite(stencil.f), len(stencil.f), float(np.real(stencil.f[0])))


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


def richardson_estimates(problem: Problem, tape: Tape, pairs: Pairs):
    """Ridders' extrapolation from each pair's first step; (estimates, error estimates)."""
    ladder = [(i, h / RIDDERS_SHRINK ** j) for i, h in pairs for j in range(RIDDERS_LEVELS)]
    raw = central(problem, tape, ladder)
    results = [ridders(raw.values[k * RIDDERS_LEVELS:(k + 1) * RIDDERS_LEVELS])
               for k in range(len(pairs))]
    kinks = [next((m for m in raw.kinks[k * RIDDERS_LEVELS:(k + 1) * RIDDERS_LEVELS] if m),
                  None) for k in range(len(pairs))]
    estimates = Estimates(np.array([r[0] for r in results]), np.array([h for _, h in pairs]),
                          kinks, raw.nonfinite, raw.points)
    return estimates, np.array([r[1] for r in results])


def _nonfinite(f: np.ndarray) -> int:
    return int(np.count_nonzero(~np.isfinite(f)))


def default_step(x: float, order: int) -> float:
    """The step that balances truncation (O(h^order)) against round-off."""
    return EPS ** (1.0 / (order + 1)) * max(1.0, abs(x))


def _requested_pairs(problem: Problem, options: Options, order: int) -> list[tuple[int, float]]:
    if options.eps is not None:
        return [(i, float(options.eps)) for i in range(problem.n)]
    return [(i, default_step(x, order)) for i, x in enumerate(problem.point)]


STEP_BELOW_SPACING = "step below spacing"
KINK_IN_STENCIL = "non-differentiable here"  # the stencil samples f across a kink


def _diagnose(problem: Problem, pairs: Pairs, found: Estimates, real_steps: bool):
    """Warnings, and per component the issue this method ran into (or None). An imaginary
    step (complex step) never meets the spacing of x, so only real steps are checked."""
    warnings, issues = [], [None] * problem.n
    for (i, h), taken in zip(pairs, found.taken):
        x, spacing = problem.point[i], float(np.spacing(abs(problem.point[i])))
        if real_steps and abs(h) < spacing:
            effect = "no step at all: the difference is 0/0" if taken == 0 else \
                f"the step actually taken is {abs(taken):.3g}"
            warnings.append(f"{STEP_BELOW_SPACING}: h = {h:.3g} is below the spacing of "
                            f"{problem.variables[i]} = {x:g} ({spacing:.3g}); {effect}")
            issues[i] = STEP_BELOW_SPACING
    for (i, _), kink in zip(pairs, found.kinks):
        if kink:
            warnings.append(f"kink inside the stencil for d/d{problem.variables[i]}: {kink}, "
                            "and the stencil crosses it")
            issues[i] = issues[i] or KINK_IN_STENCIL
    if found.nonfinite:
        warnings.append(f"overflow or outside domain: f is not finite at {found.nonfinite} "
                        f"of {found.points} stencil points")
    return tuple(warnings), tuple(issues)


def _result(name: str, problem: Problem, pairs: Pairs, found: Estimates, evaluations: int,
            **extra) -> MethodResult:
    warnings, issues = _diagnose(problem, pairs, found, real_steps=name != "complex-step")
    return MethodResult(name, found.f_at_x, tuple(float(v) for v in found.values),
                        f_evals=evaluations, passes=evaluations, warnings=warnings,
                        steps=tuple(float(abs(t)) for t in found.taken), issues=issues,
                        **extra)


@register("forward-fd", family="finite differences", exact=False,
          cost="n+1 evaluations; error O(h)")
def forward_fd(problem: Problem, options: Options) -> MethodResult:
    pairs = _requested_pairs(problem, options, order=1)
    found = one_sided(problem, Tape.record(problem.expr, problem.variables), pairs, +1.0)
    return _result("forward-fd", problem, pairs, found, problem.n + 1)


@register("backward-fd", family="finite differences", exact=False,
          cost="n+1 evaluations; error O(h)")
def backward_fd(problem: Problem, options: Options) -> MethodResult:
    pairs = _requested_pairs(problem, options, order=1)
    found = one_sided(problem, Tape.record(problem.expr, problem.variables), pairs, -1.0)
    return _result("backward-fd", problem, pairs, found, problem.n + 1)


@register("central-fd", family="finite differences", exact=False,
          cost="2n evaluations; error O(h^2)")
def central_fd(problem: Problem, options: Options) -> MethodResult:
    pairs = _requested_pairs(problem, options, order=2)
    found = central(problem, Tape.record(problem.expr, problem.variables), pairs)
    return _result("central-fd", problem, pairs, found, 2 * problem.n)


@register("complex-step", family="finite differences", exact=True,
          cost="n complex evaluations; exact to rounding for analytic f")
def complex_step(problem: Problem, options: Options) -> MethodResult:
    h = options.eps if options.eps is not None else COMPLEX_STEP
    pairs = [(i, h) for i in range(problem.n)]
    found = complex_step_estimates(problem, Tape.record(problem.expr, problem.variables),
                                   pairs)
    return _result("complex-step", problem, pairs, found, problem.n)


@register("richardson", family="finite differences", exact=False,
          cost="2 x 10 x n evaluations; extrapolated, with an error estimate")
def richardson(problem: Problem, options: Options) -> MethodResult:
    pairs = [(i, options.eps if options.eps is not None
              else RIDDERS_FIRST_STEP * max(1.0, abs(x))) for i, x in enumerate(problem.point)]
    found, error = richardson_estimates(problem, Tape.record(problem.expr, problem.variables),
                                        pairs)
    return _result("richardson", problem, pairs, found, 2 * RIDDERS_LEVELS * problem.n,
                   error_estimate=tuple(float(e) for e in error))
