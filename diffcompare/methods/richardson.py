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
from diffcompare.errors import MethodError
from diffcompare.methods.finite_differences import Differences
from diffcompare.methods.kinds import kind_of
from diffcompare.methods.registry import Cost, register
from diffcompare.methods.stencils import (
    EPS,
    Estimates,
    along,
    central,
    magnitude,
    richardson_estimates,
)

LADDER = 15  # central differences per partial: 30 evaluations, as numdifftools takes
RATIO = 8.0  # between consecutive steps: 15 steps span 8**14 = 4.4e12
MAX_ORDER = 6  # extrapolation removes h², ..., h^12 at most
# The Hessian's ladders: second differences amplify round-off by 1/h², so the useful steps
# lie in fewer decades, better sampled: ratio 4 over 15 steps spans 8.4 decades (measured
# by benchmarks/richardson.py: ratio 8 is 7x less accurate on the smooth cases, ratio 2
# misses the hard ones' scales).
HESSIAN_RATIO = 4.0
HESSIAN_LADDER = 15
FIRST_FRACTION = 0.5  # H = FIRST_FRACTION·max(1, |x|)
LOCAL_SAFETY = 16.0  # the smallest step's round-off, taken this many times, before it counts


def neville(steps: np.ndarray, values: np.ndarray, roundoff: np.ndarray,
            ratio: float = RATIO, rounding: np.ndarray | None = None):
    """Richardson's table over central differences at steps decreasing by RATIO: the best
    entry and an error estimate that errs high rather than low. ``roundoff`` is each
    quotient's typical round-off (eps·|f|/h), which chooses the entry; ``rounding``, where
    given, its bound from f's own rounding (running error analysis), which the estimate
    reported never falls below: a bound is worst-case, and choosing by it would give up
    accuracy that the typical case keeps (cos(x·y) at 10,10: 200x)."""
    table: list[list[float]] = []
    noises: list[list[float]] = []
    best, best_error, where = np.nan, np.inf, None
    for k in range(len(values)):
        row, noise = [values[k]], [roundoff[k]]
        for j in range(1, min(k, MAX_ORDER) + 1):
            factor = ratio ** (2 * j)
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
    bound = np.fmax(roundoff, roundoff if rounding is None else rounding)
    weight = noises[k][j] / roundoff[k] if roundoff[k] else 1.0  # the weights' sum at order j
    # Reported: the change that chose it with the round-off at its bound, and the gap to the
    # same order one step smaller, which should agree with it to within what is left of
    # truncation and round-off there.
    reported = best_error - noises[k][j] + bound[k] * weight
    if k + 1 < len(table) and j < len(table[k + 1]):
        reported = max(reported, abs(best - table[k + 1][j]) + noises[k + 1][j])
    # And against the plain central difference at the smallest valid step, the most local
    # look at f: a gap far past its round-off says the chosen entry came from steps too
    # large for f (a function that oscillates faster than they can see agrees with itself
    # there by chance); the gap then is the honest estimate.
    local, local_noise = values[-1], bound[-1]
    gap = abs(best - local)
    if gap > LOCAL_SAFETY * local_noise + reported:
        reported = gap + local_noise
    # An estimate past the value itself vouches for no digit: the ladder never converged
    # (f varies faster than any step resolves: sin(x**(x*x)) at 5.5 turns ~1e7 radians per
    # ulp of x), and no finite bound from these quotients would be honest.
    if best != 0 and not reported <= abs(best):  # (an exact 0 is judged absolutely, by doubt)
        reported = np.inf
    return best, reported


@register("richardson", family="finite differences", exact=False, rtol=1e-8,
          scaling_law=1,
          cost={"gradient": "30 evaluations per input (a ladder of 15 central differences), "
                            "extrapolated, with an error estimate",
                "jacobian": "30 evaluations per input",
                "jvp": "30 evaluations per input (the whole Jacobian), then J·v",
                "vjp": "30 evaluations per input (the whole Jacobian)",
                "hessian": "1 + 30n² evaluations: a ladder of 15 second differences per "
                           "entry of the upper triangle (steps shrinking by 4), "
                           "extrapolated"})
class Richardson(Differences):
    """The adaptive ladder for partials (and J·v from them); in epsplot's step sweeps,
    Ridders' fixed ladder from the given first step."""

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
        scale = magnitude(self.problem, x)[:, 0]  # f's rounding, over EPS, per output
        for chunk in _chunks(n, self.problem.tape.scalar_operations):
            firsts = {i: self.step(x[i]) for i in chunk}
            found = self._partials(x, firsts, scale)
            for i in chunk:
                result, stencil, steps, first = found[i]
                spent = 2 * LADDER
                if result is None:  # nothing valid: start again below the nearest singularity
                    below = self._nearest_singularity(stencil, steps, first)
                    if below is not None:
                        result = self._partials(x, {i: below}, scale)[i][0]
                        spent += 2 * LADDER
                evaluations += spent
                if result is not None:
                    values[:, i], errors[:, i], step = result
                    taken.append(step)
                else:
                    taken.append(firsts[i])
        estimates = Estimates(values, np.array(taken), [None] * n, 0, 0)
        pairs = [(i, h) for i, h in enumerate(taken)]
        warnings, issues = self._diagnose(x, pairs, estimates)
        entries = np.array([issues] * m, dtype=object)
        warnings += self._doubts(x, pairs, estimates, errors, entries)
        for i in range(n):
            if not np.isfinite(values[:, i]).all():
                warnings += (f"no valid step for d/d{self.problem.variables[i]}: every "
                             "stencil of the ladder left the domain, overflowed, or crossed "
                             "a singular point or another branch",)
        return self.result("jacobian", values, self._f(x, None),
                           Cost(f_evals=evaluations, forward_passes=evaluations),
                           warnings=warnings, issues=tuple(entries.reshape(-1)),
                           steps=tuple(float(h) for h in taken), error_estimate=errors)

    # J·v from the whole Jacobian's adaptive ladders (composed by the registry): Ridders'
    # fixed ladder along v alone cannot see the scale f varies on (sin(50x)·y from h = 0.5
    # was 100% off, its estimate 30x too small).
    _jvp = None

    def points(self, kind, m: int, n: int) -> int:
        if kind.order == 2:  # the Hessian's ladders: 2 points a diagonal step, 4 off it
            return 1 + 2 * HESSIAN_LADDER * n + 4 * HESSIAN_LADDER * (n * (n - 1) // 2)
        return self.evaluations_at_x + self.evaluations_per_pair * n  # every kind: J's

    def _hessian(self, x: np.ndarray):
        """Second differences on a ladder of steps shrinking by HESSIAN_RATIO, extrapolated
        by the same table: (f(x + h eᵢ) - 2f(x) + f(x - h eᵢ))/h² and, off the diagonal, the
        four-point (f(++) - f(+-) - f(-+) + f(--))/(4hᵢhⱼ), each a series in even powers of
        h. A step whose stencil is not finite or crosses a singular point is dropped, as for
        partials. All ladders are one stencil: past STENCIL_ENTRIES it is refused."""
        self.require_one_output("hessian")
        n = self.problem.n
        points = self.points(kind_of("hessian"), 1, n)
        if points * self.problem.tape.scalar_operations > STENCIL_ENTRIES:
            raise MethodError(f"the Hessian's ladders would sweep {points:,} stencil points "
                              f"over {self.problem.tape.scalar_operations:,} records, past "
                              f"one sweep's {STENCIL_ENTRIES:,} entries")
        ladders = [self.step(v) * HESSIAN_RATIO ** -np.arange(HESSIAN_LADDER, dtype=float)
                   for v in x]
        taken = [np.stack([(x[i] + h) - x[i], x[i] - (x[i] - h)]) for i, h in
                 enumerate(ladders)]  # the steps the machine takes, up and down
        offsets, where = [(None, 0.0)], {}
        for i in range(n):
            where[i, i] = len(offsets)
            offsets += [o for h in ladders[i] for o in ((i, h), (i, -h))]
        for i in range(n):
            for j in range(i + 1, n):
                where[i, j] = len(offsets)
                for hi, hj in zip(ladders[i], ladders[j]):
                    offsets += [(along(n, i, si * hi) + along(n, j, sj * hj), 1.0)
                                for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1))]
        stencil = self.problem.stencil(x, offsets)
        f = stencil.f[0]
        least = float(magnitude(self.problem, x)[0, 0])  # f's rounding, over EPS
        usable = np.isfinite(f) & ~stencil.crossed(0)
        values, errors = np.full((n, n), np.nan), np.full((n, n), np.inf)
        crossing: list[tuple[int, int]] = []
        with np.errstate(all="ignore"):
            for (i, j), start in where.items():
                if i == j:
                    plus = start + 2 * np.arange(HESSIAN_LADDER)
                    minus = plus + 1
                    up, down = taken[i]
                    quotients = ((f[plus] - f[0]) / up - (f[0] - f[minus]) / down) / (
                        (up + down) / 2)
                    keep = usable[plus] & usable[minus]
                    roundoff = 4 * EPS * np.abs(f[0]) / (up * down)
                    rounding = 4 * EPS * least / (up * down)
                else:
                    points = start + 4 * np.arange(HESSIAN_LADDER)[:, None] + np.arange(4)
                    pp, pm, mp, mm = (f[points[:, c]] for c in range(4))
                    width = (taken[i][0] + taken[i][1]) * (taken[j][0] + taken[j][1])
                    quotients = (pp - pm - mp + mm) / width
                    keep = usable[points].all(axis=1)
                    roundoff = 4 * EPS * np.max(np.abs(np.stack([pp, pm, mp, mm])),
                                                axis=0) / width
                    rounding = 4 * EPS * least / width
                if keep.any():
                    values[i, j], errors[i, j] = neville(ladders[i][keep], quotients[keep],
                                                         roundoff[keep], HESSIAN_RATIO,
                                                         rounding[keep])
                elif np.isfinite(quotients[-1]):  # every step crosses: shown, not vouched for
                    values[i, j] = quotients[-1]
                    crossing.append((i, j))
                values[j, i], errors[j, i] = values[i, j], errors[i, j]
        warnings, issues = self._doubted(x, values, errors)
        if crossing:
            names = self.problem.variables
            warnings += (f"every stencil of the ladder crossed a singular point or another "
                         f"branch for {len(crossing)} entr{'y' if len(crossing) == 1 else 'ies'}"
                         f" (first d²f/d{names[crossing[0][0]]}d{names[crossing[0][1]]}): the "
                         "smallest step's quotient is shown, its error unbounded",)
        missing = [(i, j) for i in range(n) for j in range(i, n) if not np.isfinite(values[i, j])]
        if missing:
            names = self.problem.variables
            warnings += (f"no valid step for {len(missing)} entr"
                         f"{'y' if len(missing) == 1 else 'ies'} (first d²f/d{names[missing[0][0]]}"
                         f"d{names[missing[0][1]]}): every stencil of the ladder left the "
                         "domain or overflowed",)
        evaluations = f.size
        return self.result("hessian", values, f[:1],
                           Cost(f_evals=evaluations, forward_passes=evaluations),
                           warnings=warnings, issues=issues, error_estimate=errors)

    def _partials(self, x: np.ndarray, firsts: dict[int, float], scale: np.ndarray) -> dict:
        """The ladders of several inputs in one stencil (the centre shared), validated once,
        each evaluation's rounding bounded by EPS·``scale`` (per output): per input,
        ((values per output, error estimates, the step used) or None, the stencil, its
        steps, where its points start)."""
        ladders = {i: first * RATIO ** -np.arange(LADDER, dtype=float)
                   for i, first in firsts.items()}
        offsets = [(None, 0.0)] + [o for i, steps in ladders.items() for h in steps
                                   for o in ((i, h), (i, -h))]
        stencil = self.problem.stencil(x, offsets)
        usable = np.isfinite(stencil.f).all(axis=0) & ~stencil.crossed(0)
        found = {}
        for position, (i, steps) in enumerate(ladders.items()):
            start = 1 + 2 * LADDER * position
            plus, minus = start + 2 * np.arange(LADDER), start + 1 + 2 * np.arange(LADDER)
            keep = usable[plus] & usable[minus]
            found[i] = (self._extrapolate(x[i], stencil.f, steps[keep], plus[keep],
                                          minus[keep], scale) if keep.any() else None,
                        stencil, steps, start)
        return found

    @staticmethod
    def _extrapolate(xi: float, f: np.ndarray, h: np.ndarray, plus, minus, scale):
        """Richardson along the valid steps, per output."""
        up, down = (xi + h) - xi, xi - (xi - h)
        found_values, found_errors = [], []
        with np.errstate(all="ignore"):
            for row, least in zip(f, scale):
                quotients = (row[plus] - row[minus]) / (up + down)
                roundoff = EPS * np.maximum(np.abs(row[plus]), np.abs(row[minus])) / (up + down)
                best, error = neville(h, quotients, roundoff,
                                      rounding=2 * EPS * least / (up + down))
                found_values.append(best)
                found_errors.append(error)
        return np.array(found_values), np.array(found_errors), float(h[0])

    @staticmethod
    def _nearest_singularity(stencil: StencilSweep, steps: np.ndarray,
                             first: int) -> float | None:
        """Half the distance to the nearest point where an operation on the way is
        singular, as the ladder's stencils saw it (linear between x and the first point
        past it); None if none was seen."""
        nearest = stencil.singularity_distance(steps, first)
        return None if not nearest else nearest / 2


STENCIL_ENTRIES = 4_000_000  # slots × points of one sweep: the ladders of inputs share one


def _chunks(n: int, records: int) -> list[range]:
    """Inputs in groups whose ladders fit one stencil sweep of STENCIL_ENTRIES entries."""
    size = max(1, STENCIL_ENTRIES // max(1, records * 2 * LADDER))
    return [range(start, min(n, start + size)) for start in range(0, n, size)]


__all__ = ["Richardson", "central", "neville"]
