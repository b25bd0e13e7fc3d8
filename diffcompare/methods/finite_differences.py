"""Finite differences: forward-fd, backward-fd, central-fd, complex-step, richardson.

Every scheme is one vectorized estimator over a list of (target, step) pairs, a target
being an input's index (a partial derivative, a Jacobian column) or a direction v (J·v):
the methods ask for one pair per input, the step sweeps of ``epsplot`` for hundreds of steps
of one input, and each is a single sweep of the tape over numpy arrays, for all m outputs.
Steps along an input are rounded to what the machine actually takes, h = (x + h) - x (exact,
by Sterbenz's lemma), and the difference is divided by that.

Default steps balance truncation against round-off for an O(h^p) scheme: h = eps^(1/(p+1))
times max(1, |x|): sqrt(eps) for one-sided differences, cbrt(eps) for central ones
(Nocedal & Wright, Numerical Optimization, 2nd ed., section 8.1). Second differences (the
Hessian) balance O(h^2) against eps/h^2: h = eps^(1/4) times max(1, |x|).

Each scheme declares its error model, which ``epsplot`` draws beside the measurements. Every
evaluation of f is rounded by about u·(|f| + |f'|·h), u = eps/2 the unit roundoff, so
(Nocedal & Wright 2006, section 8.1; Squire & Trapp 1998):

    forward, backward   |f''|/2 · h   + eps·(|f| + |f'|h)/h
    central             |f'''|/6 · h² + eps·(|f| + |f'|h)/(2h)
    complex step        |f'''|/6 · h² + eps·|f'|             (no subtraction: flat)
    richardson          no closed form: its own error estimate is shown instead
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from diffcompare.engine.tape import BRANCH_CROSSED
from diffcompare.methods.kinds import kind_of
from diffcompare.methods.registry import Cost, Prepared, doubtful, register
from diffcompare.methods.stencils import (
    EPS,
    ErrorModel,
    Estimates,
    Pairs,
    along,
    central,
    complex_step_estimates,
    default_step,
    is_index,
    magnitude,
    nonfinite_count,
    one_sided,
)
from diffcompare.runtime.budget import sweep_seconds

RIDDERS_FIRST_STEP = 0.1  # relative to max(1, |x|): large, extrapolation removes h^2, h^4...
# h = 2**-66 (1.4e-20, Squire & Trapp's 1e-20 as a power of two) whatever x: the
# perturbation is imaginary, so it never meets the spacing of x and need not grow with it;
# the truncation error, h**2/6 times the third derivative, stays far below rounding; and a
# power of two makes Im f(x + ih) / h an exact scaling.
COMPLEX_STEP = 2.0**-66
HESSIAN_ORDER = 3  # second differences: h = eps^(1/(3+1)) balances h^2 against eps/h^2

STEP_BELOW_SPACING = "step below spacing"
UNRELIABLE = "unreliable"
# An approximation doubts its number when its own error estimate exceeds this, relative to
# the largest entry: past 1e-6 a finite difference has fewer than six digits it can vouch
# for. Complex step is exact to rounding, so it doubts past 1e-12.
DOUBT = 1e-6
ASYMPTOTIC_AGREEMENT = 1e-6  # complex steps h and 64h, entry by entry, where h is small
LOCAL_SAFETY = 16.0  # the local stencil's round-off, taken this many times, before a gap counts
KINK_IN_STENCIL = "non-differentiable here"  # the stencil samples f across a kink
KINK_CHECK_POINTS = 5  # x, x ± h, x ± h/2: the one-sided slopes at two steps
# A smooth f's one-sided slopes differ by about h·|f''|, which halves with h; a kink's keep
# its jump. Past 3/4 of the gap at h still left at h/2, the kink is real.
KINK_GAP_KEPT = 0.75


class Differences(Prepared):
    """What every scheme shares: its steps, the Jacobian by columns, J·v along v itself,
    and the diagnosis of its stencil. A scheme gives ``estimate`` and ``error_model``."""

    order = 1  # of the truncation error, for the default step
    real_steps = True  # an imaginary step (complex step) never meets the spacing of x
    evaluations_per_pair = 1
    evaluations_at_x = 0
    check_evals = 0  # spent by the checks of the current derivative (see Cost)
    doubt = DOUBT

    def derivative(self, kind, point=None, direction=None):
        self.check_evals = 0
        found = super().derivative(kind, point, direction)
        return replace(found, cost=replace(found.cost, check_evals=self.check_evals))

    def work(self, kind, x):
        """Its stencils (and the same again for its own error estimate): evaluations of f."""
        points = 2 * self.points(kind, self.problem.m, self.problem.n)
        return self.problem.stencil_seconds(points), f"{points:,} evaluations of f"

    def points(self, kind, m: int, n: int) -> int:
        if kind.order == 2:
            return 1 + 2 * n * n
        along = 1 if kind.direction == "n" and kind.order == 1 else n
        return self.evaluations_at_x + self.evaluations_per_pair * along

    def estimate(self, x: np.ndarray, pairs: Pairs) -> tuple[Estimates, np.ndarray | None]:
        """Estimates for the pairs, and the method's own error estimates (or None)."""
        raise NotImplementedError

    @staticmethod
    def error_model(f: float, d1: float, d2: float, d3: float) -> ErrorModel | None:
        return None

    def step(self, x: float) -> float:
        if self.options.eps is not None:
            return float(self.options.eps)
        return default_step(x, self.order)

    def _jacobian(self, x: np.ndarray):
        n, m = self.problem.n, self.problem.m
        pairs = [(i, self.step(x[i])) for i in range(n)]
        found, own = self.estimate(x, pairs)
        warnings, issues = self._diagnose(x, pairs, found)
        entries = np.array([issues] * m, dtype=object)
        warnings += self._doubts(x, pairs, found, own, entries)
        evaluations = self.evaluations_at_x + self.evaluations_per_pair * n
        return self.result("jacobian", found.values, self._f(x, found),
                           Cost(f_evals=evaluations, forward_passes=evaluations),
                           warnings=warnings, issues=tuple(entries.reshape(-1)),
                           steps=tuple(float(abs(t)) for t in found.taken),
                           error_estimate=own)

    def _jvp(self, x: np.ndarray, v: np.ndarray):
        """Along v itself: one difference quotient, no Jacobian formed."""
        scale = float(np.max(np.abs(v))) if v.size else 0.0
        if scale == 0:
            return self.result("jvp", np.zeros(self.problem.m), self._f(x, None), Cost())
        h = self.step(float(np.max(np.abs(x)))) / scale
        found, own = self.estimate(x, [(v, h)])
        warnings, issues = self._diagnose(x, [(v, h)], found)
        entries = np.array([issues] * self.problem.m, dtype=object)
        warnings += self._doubts(x, [(v, h)], found, own, entries)
        evaluations = self.evaluations_at_x + self.evaluations_per_pair
        return self.result("jvp", found.values[:, 0], self._f(x, found),
                           Cost(f_evals=evaluations, forward_passes=evaluations),
                           warnings=warnings, steps=(h,), issues=tuple(entries[:, 0]),
                           error_estimate=None if own is None else own[:, 0])

    def error_bound(self, x: np.ndarray, pairs: Pairs, found: Estimates) -> np.ndarray:
        """The scheme's estimate of its own error, per entry: the same difference at twice
        the step. D(h) = f' + c·h^p + ..., so D(2h) - D(h) = (2^p - 1)·c·h^p, and the
        error of D(h) is |D(2h) - D(h)| / (2^p - 1); plus the round-off of the quotient,
        eps·max|f|/h (Nocedal & Wright 2006, 8.1)."""
        doubled, _ = self.estimate(x, [(t, 2 * h) for t, h in pairs])
        self.check_evals += self.evaluations_per_pair * len(pairs)
        with np.errstate(all="ignore"):
            truncation = np.abs(doubled.values - found.values) / (2.0 ** self.order - 1)
            roundoff = EPS * magnitude(self.problem, x) / np.abs(found.taken)
        return truncation + roundoff

    def _doubts(self, x, pairs, found: Estimates, own, entries: np.ndarray) -> tuple:
        """Mark as unreliable the entries whose own error estimate is above the doubt
        threshold of the method's family, relative to the largest entry (normwise)."""
        bound = own if own is not None else self.error_bound(x, pairs, found)
        doubted, scale = doubtful(found.values, bound, self.doubt)
        warnings = []
        for i, k in zip(*np.nonzero(doubted)):
            if entries[i, k] is None:
                entries[i, k] = UNRELIABLE
        if doubted.any():
            worst = float(np.nanmax(np.where(doubted, bound, np.nan)))
            warnings.append(f"{UNRELIABLE}: its own error estimate, up to {worst:.2g}, is "
                            f"above {self.doubt:g} of {scale:.3g}: the step does not "
                            "resolve f here")
        return tuple(warnings)

    def _doubted(self, x: np.ndarray, value: np.ndarray, estimate: np.ndarray):
        """(warnings, per-entry issues in C order) for a derivative that comes with its own
        error estimate entry by entry (second derivatives): _doubts over its flat entries."""
        size = value.size
        entries = np.full((1, size), None, dtype=object)
        found = Estimates(np.reshape(value, (1, -1)), np.ones(size), [None] * size, 0, 0)
        warnings = self._doubts(x, [], found, np.reshape(estimate, (1, -1)), entries)
        return tuple(warnings), tuple(entries.reshape(-1))

    def _kink_is_real(self, x: np.ndarray, target, h: float) -> bool:
        """Whether f itself bends where the stencil crosses an operation's kink (abs(x)**2
        at 0 crosses abs's kink, yet f is smooth there): the one-sided slopes at h and h/2."""
        h = abs(h) if self.real_steps else max(abs(h), default_step(1.0, 1))
        offsets = [(None, 0.0), (target, h), (target, -h), (target, h / 2), (target, -h / 2)]
        f = self.problem.stencil(x, offsets).f
        self.check_evals += KINK_CHECK_POINTS
        with np.errstate(all="ignore"):
            gap_full = np.abs((f[:, 1] - f[:, 0]) - (f[:, 0] - f[:, 2])) / h
            gap_half = np.abs((f[:, 3] - f[:, 0]) - (f[:, 0] - f[:, 4])) / (h / 2)
            rounding = 8 * EPS * np.max(np.abs(f), axis=1) / h
        real = (gap_full > rounding) & (gap_half > KINK_GAP_KEPT * gap_full)
        return bool(np.any(real | ~np.isfinite(gap_half)))

    def _f(self, x: np.ndarray, found: Estimates | None) -> np.ndarray:
        """f(x): from the stencil when it has it; a stencil without x (central
        differences) leaves it unknown rather than spend an evaluation not counted."""
        if found is not None:
            if found.f_at_x is None:
                return np.full(self.problem.m, np.nan)
            return np.real(found.f_at_x)
        with np.errstate(all="ignore"):
            return np.real(self.problem.evaluate(np.asarray(x, dtype=float))).astype(float)

    def _diagnose(self, x: np.ndarray, pairs: Pairs, found: Estimates):
        """Warnings, and per pair the issue this method ran into (or None)."""
        names = self.problem.variables
        warnings, issues = [], [None] * len(pairs)
        for k, ((target, h), taken) in enumerate(zip(pairs, found.taken)):
            if not (is_index(target) and self.real_steps):
                continue
            if 0 < abs(x[target]) < EPS * abs(h):  # x ± h rounds to ±h: x itself is lost
                warnings.append(f"{UNRELIABLE}: {names[target]} = {x[target]:g} is lost "
                                f"against the step {abs(h):.3g}: the stencil cannot tell it "
                                "from 0")
                issues[k] = UNRELIABLE
                continue
            spacing = float(np.spacing(abs(x[target])))
            if abs(h) < spacing:
                effect = "no step at all: the difference is 0/0" if taken == 0 else \
                    f"the step actually taken is {abs(taken):.3g}"
                warnings.append(f"{STEP_BELOW_SPACING}: h = {h:.3g} is below the spacing of "
                                f"{names[target]} = {x[target]:g} ({spacing:.3g}); {effect}")
                issues[k] = STEP_BELOW_SPACING
        for k, ((target, h), kink) in enumerate(zip(pairs, found.kinks)):
            if not kink:
                continue
            along = f"d/d{names[target]}" if is_index(target) else "J·v"
            if self._kink_is_real(x, target, h):
                warnings.append(f"{along}: {kink}, and its one-sided slopes disagree"
                                if kink == BRANCH_CROSSED else
                                f"kink inside the stencil for {along}: {kink}, and the "
                                "stencil crosses it (its one-sided slopes disagree)")
                issues[k] = issues[k] or KINK_IN_STENCIL
            elif kink == BRANCH_CROSSED:  # a join the slopes pass smoothly: O(h), not O(h²)
                warnings.append(f"{UNRELIABLE}: {kink} for {along}: the quotient mixes two "
                                "formulas, its error no longer the stencil's order")
                issues[k] = issues[k] or UNRELIABLE
        if found.nonfinite:
            warnings.append(f"overflow or outside domain: f is not finite at "
                            f"{found.nonfinite} of {found.points * self.problem.m} stencil "
                            "points")
        return tuple(warnings), issues


@register("forward-fd", family="finite differences", exact=False, rtol=1e-5, step_order=1,
          scaling_law=1, in_scale=True,
          cost={"gradient": "n+1 evaluations; error O(h)", "jacobian": "n+1 evaluations",
                "jvp": "2 evaluations along v", "vjp": "n+1 evaluations (the whole Jacobian)"})
class ForwardFD(Differences):
    order, evaluations_at_x = 1, 1

    def estimate(self, x, pairs):
        return one_sided(self.problem, x, pairs, +1.0), None

    @staticmethod
    def error_model(f, d1, d2, d3):
        return ErrorModel(1, abs(d2) / 2, EPS * abs(f), EPS * abs(d1))


@register("backward-fd", family="finite differences", exact=False, rtol=1e-5, step_order=1,
          scaling_law=1,
          cost={"gradient": "n+1 evaluations; error O(h)", "jacobian": "n+1 evaluations",
                "jvp": "2 evaluations along v", "vjp": "n+1 evaluations (the whole Jacobian)"})
class BackwardFD(ForwardFD):
    def estimate(self, x, pairs):
        return one_sided(self.problem, x, pairs, -1.0), None


@register("central-fd", family="finite differences", exact=False, rtol=1e-6, step_order=2,
          scaling_law=1, in_scale=True,
          cost={"gradient": "2n evaluations; error O(h^2)", "jacobian": "2n evaluations",
                "jvp": "2 evaluations along v", "vjp": "2n evaluations (the whole Jacobian)",
                "hessian": "1 + 2n^2 evaluations (second differences, h = eps^(1/4))",
                "hvp": "1 + 2n^2 evaluations (the whole Hessian)"})
class CentralFD(Differences):
    order, evaluations_per_pair = 2, 2

    def estimate(self, x, pairs):
        return central(self.problem, x, pairs), None

    @staticmethod
    def error_model(f, d1, d2, d3):
        return ErrorModel(2, abs(d3) / 6, EPS * abs(f) / 2, EPS * abs(d1) / 2)

    def _hessian(self, x: np.ndarray):
        """H_ii = ((f(x+h e_i) - f(x))/h+ - (f(x) - f(x-h e_i))/h-) / h and H_ij =
        (f(++) - f(+-) - f(-+) + f(--)) / (4 h_i h_j), with the steps taken; the error is
        O(h^2) + O(eps·|f|/h^2), balanced by h = eps^(1/4)·max(1, |x|). It checks itself as
        the first differences do: the same stencil at 2h, H(2h) - H(h) = 3·c·h² + ..., so
        its error is about |H(2h) - H(h)|/3, plus the round-off 4·eps·|f|/h²; an entry
        whose estimate passes the doubt threshold is unreliable."""
        self.require_one_output("hessian")
        h = np.array([self.options.eps if self.options.eps is not None
                      else default_step(v, HESSIAN_ORDER) for v in x], dtype=float)
        hessian, f, crossed = self._second_differences(x, h)
        doubled, f2, doubled_crossed = self._second_differences(x, 2 * h)
        self.check_evals += f2.size
        with np.errstate(all="ignore"):
            scale = np.maximum(np.abs(f[0]), magnitude(self.problem, x))
            roundoff = 4 * EPS * scale / np.outer(h, h)
            estimate = np.abs(doubled - hessian) / 3 + roundoff
        # Near trouble the check at 2h sees what h does not (its stencil crosses a pole the
        # one at h stays clear of, or leaves the domain): there it is taken at h/2 instead.
        # Halving a step at least halves the error of a stencil that stays clear (the error
        # is a series in h²), so 2·|H(h/2) - H(h)| errs high.
        trouble = (doubled_crossed | ~np.isfinite(doubled)) & ~crossed
        if trouble.any():
            halved, f4, _ = self._second_differences(x, h / 2)
            self.check_evals += f4.size
            with np.errstate(all="ignore"):
                near = 2 * np.abs(halved - hessian) + 4 * roundoff
            estimate = np.where(trouble, near, estimate)
        # A step scaled by |x| can be far larger than the scale f varies on (sin(x) at 1e8:
        # h = 1.2e4 spans two thousand periods, and H(2h) agrees with H(h) by chance), so
        # where |x| > 1 the stencil is also taken at the unscaled step, the most local
        # look; a gap past its round-off is what H(h) is off by at least.
        local = np.array([default_step(1.0, HESSIAN_ORDER) if abs(v) > 1 else s
                          for v, s in zip(x, h)]) if self.options.eps is None else h
        if np.any(local < h):
            near, f3, _ = self._second_differences(x, local)
            self.check_evals += f3.size
            with np.errstate(all="ignore"):
                near_roundoff = 4 * EPS * scale / np.outer(local, local)
                gap = np.abs(near - hessian)
                beyond = ~(gap <= LOCAL_SAFETY * near_roundoff + estimate)
                estimate = np.where(beyond, gap + near_roundoff, estimate)
        # A stencil across a pole, a domain edge or a kink vouches for nothing there.
        estimate[crossed] = np.inf
        warnings, issues = self._doubted(x, hessian, estimate)
        bad = nonfinite_count(f)
        if bad:
            warnings += (f"overflow or outside domain: f is not finite at {bad} of {f.size} "
                         "stencil points",)
        return self.result("hessian", hessian, f[:1],
                           Cost(f_evals=f.size, forward_passes=f.size), warnings=warnings,
                           issues=issues, error_estimate=estimate,
                           steps=tuple(float(v) for v in h))

    def _second_differences(self, x: np.ndarray, h: np.ndarray):
        """The Hessian from second differences at steps h, f at the stencil's points, and
        per entry whether its stencil crossed a singular point of an operation."""
        n = self.problem.n
        up, down = (x + h) - x, x - (x - h)
        offsets = [np.zeros(n)]
        for i in range(n):
            offsets += [along(n, i, h[i]), along(n, i, -h[i])]
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        for i, j in pairs:
            offsets += [along(n, i, si * h[i]) + along(n, j, sj * h[j])
                        for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1))]
        stencil = self.problem.stencil(x, [(o, 1.0) for o in offsets])
        f, across = stencil.f[0], stencil.crossed(0)
        hessian, crossed = np.zeros((n, n)), np.zeros((n, n), dtype=bool)
        with np.errstate(all="ignore"):
            for i in range(n):
                plus, minus = f[1 + 2 * i], f[2 + 2 * i]
                hessian[i, i] = ((plus - f[0]) / up[i] - (f[0] - minus) / down[i]) / (
                    (up[i] + down[i]) / 2)
                crossed[i, i] = across[1 + 2 * i] or across[2 + 2 * i]
            for k, (i, j) in enumerate(pairs):
                points = slice(1 + 2 * n + 4 * k, 5 + 2 * n + 4 * k)
                pp, pm, mp, mm = f[points]
                hessian[i, j] = hessian[j, i] = (pp - pm - mp + mm) / (
                    (up[i] + down[i]) * (up[j] + down[j]))
                crossed[i, j] = crossed[j, i] = bool(across[points].any())
        return hessian, f, crossed


@register("complex-step", family="finite differences", exact=True, rtol=1e-13, step_order=2,
          scaling_law=1, in_scale=True, rounds_as_tape=True,
          cost={"gradient": "n complex evaluations; exact to rounding for analytic f",
                "jacobian": "n complex evaluations", "jvp": "1 complex evaluation along v",
                "vjp": "n complex evaluations (the whole Jacobian)",
                "hessian": "n complex forward and reverse passes (complex step on the "
                           "reverse-mode gradient)",
                "hvp": "1 complex forward and reverse pass along v"})
class ComplexStep(Differences):
    order, real_steps = 2, False
    doubt = 1e-12
    check_ratio = 64.0  # the check step: 2**-60, still far below any scale of f

    def work(self, kind, x):
        if kind.order == 2:  # complex step on the reverse-mode gradient: a pass per column
            count = self.problem.n if kind.matrix else 1
            return sweep_seconds(self.problem.tape_at(x), 2 * count, "complex"), \
                f"{count:,} complex forward and reverse passes"
        return super().work(kind, x)

    def error_bound(self, x, pairs, found):
        """A second complex step at 64h: D(64h) - D(h) = (64**2 - 1)·h²·f⁽³⁾/6, and h must
        be small against the scale where f varies (log(x) at 1e-300: it is not). An
        imaginary part that underflows (log at 1e300: h/x = 1e-320) loses digits too."""
        wide, _ = self.estimate(x, [(t, self.check_ratio * h) for t, h in pairs])
        self.check_evals += len(pairs)
        h = np.array([h for _, h in pairs])
        with np.errstate(all="ignore"):
            truncation = np.abs(wide.values - found.values) / (self.check_ratio ** 2 - 1)
            lost = (found.values != 0) & (np.abs(found.values * h) < np.finfo(float).tiny)
            underflow = np.where(lost, np.inf, 0.0)
        return truncation + underflow

    def step(self, x: float) -> float:
        return float(self.options.eps) if self.options.eps is not None else COMPLEX_STEP

    def estimate(self, x, pairs):
        return complex_step_estimates(self.problem, x, pairs), None

    @staticmethod
    def error_model(f, d1, d2, d3):
        return ErrorModel(2, abs(d3) / 6, 0.0, EPS * abs(d1))

    def _gradient_along(self, x: np.ndarray, direction: np.ndarray,
                        h: float | None = None) -> np.ndarray:
        """Im ∇f(x + ih·v) / h = H·v + O(h^2): the reverse sweep run on complex numbers."""
        h = self.step(0.0) if h is None else h
        point = np.asarray(x, dtype=complex) + 1j * h * np.asarray(direction, dtype=float)
        with np.errstate(all="ignore"):
            _, adjoints = self.problem.tape_at(x).vjp(point, [1.0])
        return np.array([complex(a).imag / h for a in adjoints])

    def _second_order(self, kind: str, x: np.ndarray, directions: list[np.ndarray]):
        """H·v for each direction, checked as the gradient is: the same at 64h, whose gap
        is (64**2 - 1)·h²·(the third derivative)/6, so the step is small against the scale
        f varies on only when they agree (log(x) at 1e-300: h = 1e-20 is not), and an
        imaginary part that underflows loses every digit."""
        h = self.step(0.0)
        found = np.array([self._gradient_along(x, d, h) for d in directions]).T
        wide = np.array([self._gradient_along(x, d, self.check_ratio * h)
                         for d in directions]).T
        self.check_evals += len(directions)
        with np.errstate(all="ignore"):
            gap = np.abs(wide - found)
            estimate = gap / (self.check_ratio ** 2 - 1)
            lost = (found != 0) & (np.abs(found * h) < np.finfo(float).tiny)
            # Where h is small against f's scale the two agree to ~(64h)²: to far more than
            # a millionth of the entry. Short of that, the step is not small there and the
            # gap says nothing of the error (log(x) at 1e-300: both are off by 1e280).
            not_small = ~(gap <= ASYMPTOTIC_AGREEMENT * np.abs(found) + np.finfo(float).tiny)
            estimate = np.where(lost | not_small | ~np.isfinite(found), np.inf, estimate)
        shape = found.shape if kind_of(kind).matrix else (found.shape[0],)
        value = found.reshape(shape)
        warnings, issues = self._doubted(x, value, estimate)
        count = len(directions)
        return self.result(kind, value, self._f(x, None),
                           Cost(f_evals=count, forward_passes=count, reverse_passes=count),
                           warnings=warnings, issues=issues,
                           error_estimate=estimate.reshape(shape), steps=(h,))

    def _hessian(self, x: np.ndarray):
        self.require_one_output("hessian")
        n = self.problem.n
        return self._second_order("hessian", x, [along(n, j, 1.0) for j in range(n)])

    def _hvp(self, x: np.ndarray, v: np.ndarray):
        self.require_one_output("hvp")
        return self._second_order("hvp", x, [np.asarray(v, dtype=float)])
