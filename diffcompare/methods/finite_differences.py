"""Finite differences: forward-fd, backward-fd, central-fd, complex-step, richardson.

Every stencil is evaluated in one vectorized sweep of the tape over all its points. Steps
are rounded to what the machine actually takes, h = (x + h) - x (Sterbenz: that difference
is exact), so the division uses the step that was really made.

Default steps balance truncation against round-off for an O(h^p) scheme: h = eps^(1/(p+1))
times max(1, |x|): sqrt(eps) for one-sided differences, cbrt(eps) for central ones
(Nocedal & Wright, Numerical Optimization, 2nd ed., section 8.1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..expr import depends_on, to_text
from ..problem import Problem
from ..tape import Tape
from . import MethodResult, Options, register

EPS = float(np.finfo(float).eps)
RIDDERS_LEVELS = 10  # Numerical Recipes' dfridr: NTAB = 10, CON = 1.4, SAFE = 2
RIDDERS_SHRINK = 1.4
RIDDERS_SAFE = 2.0
RIDDERS_FIRST_STEP = 0.1  # relative to max(1, |x|): large, extrapolation removes h^2, h^4...


@dataclass(frozen=True)
class Stencil:
    """Points around x: each is (component or None for x itself, signed step), all
    evaluated together; ``values`` then holds every tape slot over all points."""

    problem: Problem
    tape: Tape
    offsets: tuple[tuple[int | None, float], ...]

    def evaluate(self) -> tuple[np.ndarray, list]:
        n, m = self.problem.n, len(self.offsets)
        columns = np.repeat(np.asarray(self.problem.point, dtype=float)[:, None], m, axis=1)
        for k, (i, step) in enumerate(self.offsets):
            if i is not None:
                columns[i, k] += step
        with np.errstate(all="ignore"):
            values = self.tape.forward([columns[i] for i in range(n)])
        return np.broadcast_to(values[self.tape.output], (m,)).astype(float), values


def default_step(x: float, order: int) -> float:
    """The step that balances truncation (O(h^order)) against round-off."""
    return EPS ** (1.0 / (order + 1)) * max(1.0, abs(x))


def _requested_steps(problem: Problem, options: Options, order: int) -> list[float]:
    if options.eps is not None:
        return [float(options.eps)] * problem.n
    return [default_step(x, order) for x in problem.point]


def _spacing_warnings(problem: Problem, steps: list[float], taken: list[float]) -> list[str]:
    warnings = []
    for name, x, h, actual in zip(problem.variables, problem.point, steps, taken):
        spacing = float(np.spacing(abs(x)))
        if abs(h) < spacing:
            effect = "no step at all: the difference is 0/0" if actual == 0 else \
                f"the step actually taken is {actual:.3g}"
            warnings.append(f"step below spacing: h = {h:.3g} is below the spacing of "
                            f"{name} = {x:g} ({spacing:.3g}); {effect}")
    return warnings


def _kink_warnings(stencil: Stencil, values: list, groups: dict[int, list[int]]) -> list[str]:
    """Where a non-smooth operation's argument crosses its kink inside a component's
    stencil, one-sided differences disagree and the difference quotient means nothing."""
    tape, m = stencil.tape, len(stencil.offsets)
    deps = depends_on(stencil.problem.expr)
    warnings = []
    for slot, op in enumerate(tape.ops):
        if op is None or not op.kinks or not tape.active[slot]:
            continue
        argument = np.broadcast_to(values[tape.args[slot][0]], (m,))
        for i, columns in groups.items():
            if stencil.problem.variables[i] not in deps[id(tape.nodes[slot])]:
                continue
            seen = argument[columns]
            for kink in op.kinks:
                if (seen == kink).any() or (seen.min() < kink < seen.max()):
                    warnings.append(
                        f"kink inside the stencil for d/d{stencil.problem.variables[i]}: "
                        f"{to_text(tape.nodes[slot])} is not differentiable where its "
                        f"argument is {kink:g}, and the stencil crosses it")
    return warnings


def _nonfinite_warning(f_values: np.ndarray) -> list[str]:
    bad = int(np.count_nonzero(~np.isfinite(f_values)))
    if not bad:
        return []
    return [f"overflow or outside domain: f is not finite at {bad} of {f_values.size} "
            "stencil points"]


def _one_sided(problem: Problem, options: Options, name: str, sign: float) -> MethodResult:
    tape = Tape.record(problem.expr, problem.variables)
    steps = _requested_steps(problem, options, order=1)
    offsets = ((None, 0.0),) + tuple((i, sign * h) for i, h in enumerate(steps))
    stencil = Stencil(problem, tape, offsets)
    f_values, values = stencil.evaluate()
    # The step really taken: (x + h) - x, exact by Sterbenz's lemma.
    taken = [sign * ((x + sign * h) - x) for x, h in zip(problem.point, steps)]
    with np.errstate(all="ignore"):
        gradient = tuple(
            float(sign * (f_values[i + 1] - f_values[0]) / taken[i]) if taken[i] else math.nan
            for i in range(problem.n))
    groups = {i: [0, i + 1] for i in range(problem.n)}
    warnings = (_spacing_warnings(problem, steps, taken) + _kink_warnings(stencil, values, groups)
                + _nonfinite_warning(f_values))
    return MethodResult(name, float(f_values[0]), gradient, f_evals=problem.n + 1,
                        passes=problem.n + 1, warnings=tuple(warnings), steps=tuple(taken))


@register("forward-fd", family="finite differences", exact=False,
          cost="n+1 evaluations; error O(h)")
def forward_fd(problem: Problem, options: Options) -> MethodResult:
    return _one_sided(problem, options, "forward-fd", +1.0)


@register("backward-fd", family="finite differences", exact=False,
          cost="n+1 evaluations; error O(h)")
def backward_fd(problem: Problem, options: Options) -> MethodResult:
    return _one_sided(problem, options, "backward-fd", -1.0)


def central_differences(problem: Problem, tape: Tape, steps: list[list[float]]):
    """Central differences (f(x+h) - f(x-h)) / (h+ + h-) for every component i and every
    step in steps[i], in one sweep. Returns (estimates[i][k], stencil, values, groups)."""
    offsets, groups = [], {}
    for i, row in enumerate(steps):
        groups[i] = list(range(len(offsets), len(offsets) + 2 * len(row)))
        for h in row:
            offsets += [(i, h), (i, -h)]
    stencil = Stencil(problem, tape, tuple(offsets))
    f_values, values = stencil.evaluate()
    estimates = []
    for i, row in enumerate(steps):
        x, first = problem.point[i], groups[i][0]
        line = []
        for k, h in enumerate(row):
            width = ((x + h) - x) + (x - (x - h))
            plus, minus = f_values[first + 2 * k], f_values[first + 2 * k + 1]
            with np.errstate(all="ignore"):
                line.append(float((plus - minus) / width) if width else math.nan)
        estimates.append(line)
    return estimates, stencil, values, groups, f_values


@register("central-fd", family="finite differences", exact=False,
          cost="2n evaluations; error O(h^2)")
def central_fd(problem: Problem, options: Options) -> MethodResult:
    tape = Tape.record(problem.expr, problem.variables)
    steps = _requested_steps(problem, options, order=2)
    estimates, stencil, values, groups, f_values = central_differences(
        problem, tape, [[h] for h in steps])
    taken = [(x + h) - x for x, h in zip(problem.point, steps)]
    warnings = (_spacing_warnings(problem, steps, taken) + _kink_warnings(stencil, values, groups)
                + _nonfinite_warning(f_values))
    return MethodResult("central-fd", math.nan, tuple(e[0] for e in estimates),
                        f_evals=2 * problem.n, passes=2 * problem.n,
                        warnings=tuple(warnings), steps=tuple(taken))


# h = 2**-66 (1.4e-20, Squire & Trapp's 1e-20 as a power of two) whatever x: the
# perturbation is imaginary, so it never meets the spacing of x and need not grow with it;
# the truncation error, h**2/6 times the third derivative, stays far below rounding; and a
# power of two makes Im f(x + ih) / h an exact scaling.
COMPLEX_STEP = 2.0**-66


@register("complex-step", family="finite differences", exact=True,
          cost="n complex evaluations; exact to rounding for analytic f")
def complex_step(problem: Problem, options: Options) -> MethodResult:
    # f'(x) = Im f(x + ih) / h + O(h²), with no subtraction and so no cancellation
    # (Squire & Trapp 1998). abs and sign are continued analytically in ops.py.
    tape = Tape.record(problem.expr, problem.variables)
    gradient, value = [], math.nan
    steps = [options.eps if options.eps is not None else COMPLEX_STEP] * problem.n
    for i, h in enumerate(steps):
        point = [complex(x, h) if j == i else x for j, x in enumerate(problem.point)]
        out = complex(tape.forward(point)[tape.output])
        gradient.append(out.imag / h)
        value = out.real
    return MethodResult("complex-step", value, tuple(gradient), f_evals=problem.n,
                        passes=problem.n, steps=tuple(steps))


def ridders(estimates: list[float], shrink: float = RIDDERS_SHRINK) -> tuple[float, float]:
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


@register("richardson", family="finite differences", exact=False,
          cost="2 x 10 x n evaluations; extrapolated, with an error estimate")
def richardson(problem: Problem, options: Options) -> MethodResult:
    tape = Tape.record(problem.expr, problem.variables)
    first = [options.eps if options.eps is not None else RIDDERS_FIRST_STEP * max(1.0, abs(x))
             for x in problem.point]
    steps = [[h / RIDDERS_SHRINK ** k for k in range(RIDDERS_LEVELS)] for h in first]
    estimates, stencil, values, groups, f_values = central_differences(problem, tape, steps)
    results = [ridders(row) for row in estimates]
    warnings = _kink_warnings(stencil, values, groups) + _nonfinite_warning(f_values)
    return MethodResult("richardson", math.nan, tuple(r[0] for r in results),
                        f_evals=2 * RIDDERS_LEVELS * problem.n,
                        passes=2 * RIDDERS_LEVELS * problem.n, warnings=tuple(warnings),
                        error_estimate=tuple(r[1] for r in results), steps=tuple(first))
