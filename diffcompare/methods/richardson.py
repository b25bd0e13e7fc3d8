"""richardson: central differences on an adaptive ladder of steps, extrapolated.

A fixed first step (0.1·max(1, |x|), as Numerical Recipes' dfridr takes) fails whenever f
varies on a shorter scale than |x|: sin(50x), sin(x) at 1e8, exp(-x**2) at 26, 1/x near
its pole. So, per partial (Ridders 1982; Richardson 1911; the step search is ours):

1. One ladder of LADDER central differences, h_k = H·RATIO^-k from H = max(1, |x|)/2: it
   spans 12.6 decades in one vectorized sweep, so it reaches the scale of any f whose scale
   is within that range of max(1, |x|).
2. A step is dropped when its stencil is not valid: f is not finite at a point (overflow,
   outside the domain), or an operation's argument crosses its singular point (a zero
   denominator, log's or sqrt's edge, asin's ±1, abs's kink, tan's pole: ``Op.singular``
   in ops.py).
3. Richardson extrapolation along the valid steps (Neville's table, ratio RATIO, removing
   h², h⁴, ...); the answer is the entry with the smallest error estimate, and the
   estimate is honest: its change from the lower order at the same step plus the
   round-off of the quotient it rests on, eps·|f|/h amplified by the extrapolation
   weights. Near the round-off floor two noisy entries can agree by chance; the round-off
   term keeps the estimate from believing them. The estimate reported adds the gap to the
   same order one step smaller, so it errs high. (Choosing by Ridders' gap, against the
   previous step's lower order, passes over the best entry: 40x worse on sin(x)·exp(x).)
4. When no step is valid (log(x) at 1e-300: every step of the ladder crosses 0), a second
   ladder starts at half the distance to the nearest singular point the first one saw.

The cost is 2·LADDER evaluations per partial (30, numdifftools' Gradient takes 31), and one
more at x itself, shared by all partials; a second ladder, when needed, doubles it.
"""

from __future__ import annotations

import numpy as np

from diffcompare.engine.tape import StencilSweep
from diffcompare.methods.finite_differences import Differences
from diffcompare.methods.registry import Cost, register
from diffcompare.methods.stencils import EPS, Estimates, central, richardson_estimates

LADDER = 15  # central differences per partial: 30 evaluations, as numdifftools takes
RATIO = 8.0  # between consecutive steps: 15 steps span 8**14 = 4.4e12
MAX_ORDER = 6  # extrapolation removes h², ..., h^12 at most
FIRST_FRACTION = 0.5  # H = FIRST_FRACTION·max(1, |x|)


def neville(steps: np.ndarray, values: np.ndarray, roundoff: np.ndarray):
    """Richardson's table over central differences at steps decreasing by RATIO: the best
    entry and an error estimate that errs high rather than low."""
    table: list[list[float]] = []
    noises: list[list[float]] = []
    best, best_error, where = np.nan, np.inf, None
    for k in range(len(values)):
        row, noise = [values[k]], [roundoff[k]]
        for j in range(1, min(k, MAX_ORDER) + 1):
            factor = RATIO ** (2 * j)
            row.append(row[j - 1] + (row[j - 1] - table[k - 1][j - 1]) / (factor - 1))
            noise.append(noise[j - 1] * (factor + 1) / (factor - 1))  # the weights' sum
            # Chosen by its change from the lower order at the same step (the truncation
            # left, conservatively: it is the lower order's), plus the noise term, which
            # keeps an accidental agreement of two rounded entries from passing for
            # accuracy.
            error = abs(row[j] - row[j - 1]) + noise[j]
            if error < best_error:
                best, best_error, where = row[j], error, (k, j)
        table.append(row)
        noises.append(noise)
    if where is None:  # one valid step only: no extrapolation, no estimate
        return (values[0], np.inf) if len(values) else (np.nan, np.inf)
    k, j = where
    # Reported: also the gap to the same order one step smaller, which should agree with it
    # to within what is left of truncation and round-off there.
    reported = best_error
    if k + 1 < len(table) and j < len(table[k + 1]):
        reported = max(reported, abs(best - table[k + 1][j]) + noises[k + 1][j])
    return best, reported


def _valid(stencil: StencilSweep, centre: int, plus: int, minus: int) -> bool:
    """The stencil x ± h is usable: f finite at both points, and no operation's argument
    on the other side of a singular point from x."""
    if not np.isfinite(stencil.f[:, [plus, minus]]).all():
        return False
    return not stencil.crosses_singularity(centre, plus, minus)


@register("richardson", family="finite differences", exact=False, rtol=1e-8,
          scaling_law=1,
          cost={"gradient": "30 evaluations per input (a ladder of 15 central differences), "
                            "extrapolated, with an error estimate",
                "jacobian": "30 evaluations per input", "jvp": "2 x 10 evaluations along v",
                "vjp": "30 evaluations per input (the whole Jacobian)"})
class Richardson(Differences):
    """The adaptive ladder for partials; along a direction (J·v) and in epsplot's step
    sweeps, Ridders' fixed ladder from the given first step."""

    evaluations_per_pair = 2 * LADDER
    evaluations_at_x = 1
    doubt = 1e-8  # its own estimate is honest: it doubts what check would not accept

    def step(self, x: float) -> float:
        if self.options.eps is not None:
            return float(self.options.eps)
        return FIRST_FRACTION * max(1.0, abs(x))

    def estimate(self, x, pairs):
        """Ridders from each pair's first step (10 levels, shrinking by 1.4)."""
        return richardson_estimates(self.problem, x, pairs)

    def _jacobian(self, x: np.ndarray):
        n, m = self.problem.n, self.problem.m
        values, errors, taken = np.full((m, n), np.nan), np.full((m, n), np.inf), []
        evaluations = 1
        for i in range(n):
            first = self.step(x[i])
            found, stencil, steps = self._partial(x, i, first)
            spent = 2 * LADDER
            if found is None:  # nothing valid: start again below the nearest singularity
                below = self._nearest_singularity(stencil, steps)
                if below is not None:
                    found, _, _ = self._partial(x, i, below)
                    spent += 2 * LADDER
            evaluations += spent
            if found is not None:
                values[:, i], errors[:, i], step = found
                taken.append(step)
            else:
                taken.append(first)
        estimates = Estimates(values, np.array(taken), [None] * n, 0, 0)
        pairs = [(i, h) for i, h in enumerate(taken)]
        warnings, issues = self._diagnose(x, pairs, estimates)
        entries = np.array([issues] * m, dtype=object)
        warnings += self._doubts(x, pairs, estimates, errors, entries)
        for i in range(n):
            if not np.isfinite(values[:, i]).all():
                warnings += (f"no valid step for d/d{self.problem.variables[i]}: every "
                             "stencil of the ladder left the domain, overflowed or crossed "
                             "a singular point",)
        return self.result("jacobian", values, self._f(x, None),
                           Cost(f_evals=evaluations, forward_passes=evaluations),
                           warnings=warnings, issues=tuple(entries.reshape(-1)),
                           steps=tuple(float(h) for h in taken), error_estimate=errors)

    def _ladder(self, x: np.ndarray, i: int, first: float) -> tuple[StencilSweep, np.ndarray]:
        steps = first * RATIO ** -np.arange(LADDER, dtype=float)
        offsets = [(None, 0.0)] + [o for h in steps for o in ((i, h), (i, -h))]
        return self.problem.stencil(x, offsets), steps

    def _partial(self, x: np.ndarray, i: int, first: float):
        """((values per output, error estimates, the step used) or None, the ladder's
        stencil and steps)."""
        stencil, steps = self._ladder(x, i, first)
        keep = [k for k in range(LADDER) if _valid(stencil, 0, 1 + 2 * k, 2 + 2 * k)]
        if not keep:
            return None, stencil, steps
        h = steps[keep]
        up = (x[i] + h) - x[i]
        down = x[i] - (x[i] - h)
        f = stencil.f
        found_values, found_errors = [], []
        with np.errstate(all="ignore"):
            for row in f:
                quotients = (row[[1 + 2 * k for k in keep]] - row[[2 + 2 * k for k in keep]]) \
                    / (up + down)
                roundoff = EPS * np.maximum(np.abs(row[[1 + 2 * k for k in keep]]),
                                            np.abs(row[[2 + 2 * k for k in keep]])) / (up + down)
                best, error = neville(h, quotients, roundoff)
                found_values.append(best)
                found_errors.append(error)
        return (np.array(found_values), np.array(found_errors), float(h[0])), stencil, steps

    @staticmethod
    def _nearest_singularity(stencil: StencilSweep, steps: np.ndarray) -> float | None:
        """Half the distance to the nearest point where an operation on the way is
        singular, as the ladder's stencils saw it (linear between x and the first point
        past it); None if none was seen."""
        nearest = stencil.singularity_distance(steps)
        return None if not nearest else nearest / 2


__all__ = ["Richardson", "central", "neville"]
