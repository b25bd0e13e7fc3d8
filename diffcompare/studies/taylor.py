"""Derivatives of any order, f′ … f⁽ᴷ⁾ along a direction, by every method that can give
them, against a reference swept in ball arithmetic: where finite differences and symbolic
swell break down and Taylor-mode AD does not.

The methods (stable names, as in `--methods`):

- ``taylor-ad``: one sweep of the tape in truncated Taylor arithmetic (ops.TAYLOR), O(K²)
  operations per record;
- ``nested-duals``: forward duals nested K deep, 2ᴷ components per value;
- ``symbolic``: sympy's derivative taken K times, its size per order (swell);
- ``central-fd``: a central stencil of order K (Fornberg's weights) at the step that
  balances its truncation against its round-off;
- ``cauchy-fft``: Cauchy's integral on a circle in the complex plane, evaluated by the FFT
  (Lyness & Moler 1967, Fornberg 1981), the exception to ill-conditioning;
- ``richardson``: the order-K central stencils over a ladder of steps, extrapolated.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from diffcompare.engine.taylor import (
    Counted,
    as_float,
    counting,
    derivatives_from,
    nested_dual_derivatives,
    taylor_coefficients,
)
from diffcompare.errors import InputError, MethodError
from diffcompare.runtime.budget import DEFAULT_BUDGET
from diffcompare.runtime.workers import within

EPS = float(np.finfo(float).eps)
MAX_ORDER = 30  # past this even Taylor mode's coefficients leave float's range for most f
NESTED_MAX_ORDER = 14  # 2**14 components per value: past it nested duals take minutes
GROWTH_ORDERS = 8  # nested duals' operations counted order by order up to here (seconds)
REFERENCE_BITS = (128, 256, 512, 1024, 2048)  # precision raised until every order is proved
CERTIFIED = 1e-20  # a reference entry is proved when its radius is below this of it...
FLOOR = 1e-30  # ... or below this of the largest entry (at or near 0: reported as 0)
RADII = tuple(2.0 ** k for k in range(-4, 4))  # cauchy-fft's circles, × the scale of x
RICHARDSON_STEPS = 10  # the ladder: steps halving from half the scale of x


@dataclass(frozen=True)
class TaylorRun:
    """One method's derivatives f′ … f⁽ᴷ⁾ (None where it has none) and what they cost."""

    method: str
    derivatives: tuple[float | None, ...] = ()
    estimates: tuple[float | None, ...] | None = None  # its own error estimate per order
    operations: int | None = None  # elementary operations, counted
    f_evals: int | None = None  # evaluations of f (complex ones count one each)
    seconds: float = 0.0  # CPU time
    sizes: tuple[int, ...] | None = None  # symbolic: operations in each order's expression
    steps: tuple[float, ...] | None = None  # per order: the step h, or the circle's radius
    steps_are: str = ""  # what the steps are: "h" or "radius"
    failure: str | None = None
    growth: tuple[int, ...] | None = None  # operations at orders 1, 2, … (AD: how they grow)


@dataclass(frozen=True)
class TaylorStudy:
    label: str
    variables: tuple[str, ...]
    point: tuple[float, ...]
    direction: tuple[float, ...]
    order: int
    value: float
    reference: tuple[float | None, ...]  # f′ … f⁽ᴷ⁾, proved (None: no reference)
    reference_digits: tuple[int | None, ...]
    reference_bits: int | None
    reference_failure: str | None
    runs: tuple[TaylorRun, ...]

    def errors(self, run: TaylorRun) -> tuple[float | None, ...]:
        """Per order, |d - r| / |r| (|d| where r is 0)."""
        return tuple(relative_error(d, r) for d, r in zip(run.derivatives, self.reference))

    def coefficients(self) -> tuple[float | None, ...]:
        """The reference's Taylor coefficients a_1 … a_K = f⁽ᵏ⁾ / k!."""
        return tuple(None if r is None else r / math.factorial(k)
                     for k, r in enumerate(self.reference, 1))


def relative_error(found: float | None, exact: float | None) -> float | None:
    if found is None or exact is None or not math.isfinite(found):
        return None
    return abs(found - exact) / abs(exact) if exact else abs(found)


# --- the methods ---------------------------------------------------------------------------

def _scalar_tape(problem, x):
    return problem.tape_at(x).scalar_view()


def _taylor_ad(problem, x, v, order, budget):
    tape = _scalar_tape(problem, x)
    start = time.process_time()
    (coefficients, *_), count = counting(taylor_coefficients, tape, x, v, order, Counted)
    seconds = time.process_time() - start
    growth = tuple(counting(taylor_coefficients, tape, x, v, k, Counted)[1]
                   for k in range(1, order + 1))
    return TaylorRun("taylor-ad", tuple(as_float(d) for d in derivatives_from(coefficients)),
                     operations=count, f_evals=1, seconds=seconds, growth=growth)


def _nested(tape, x, v, order):
    start = time.process_time()
    (found, *_), count = counting(nested_dual_derivatives, tape, x, v, order, Counted)
    seconds = time.process_time() - start
    growth = tuple(counting(nested_dual_derivatives, tape, x, v, k, Counted)[1]
                   for k in range(1, min(order, GROWTH_ORDERS) + 1))
    return tuple(as_float(d) for d in found), count, seconds, growth


def _nested_duals(problem, x, v, order, budget):
    if order > NESTED_MAX_ORDER:
        raise MethodError(f"not run past order {NESTED_MAX_ORDER}: 2^{order} components "
                          "per value")
    found, count, seconds, growth = within(budget, _nested, _scalar_tape(problem, x), x, v,
                                           order, what="nested duals")
    return TaylorRun("nested-duals", found, operations=count, f_evals=1, seconds=seconds,
                     growth=growth)


def _sympy_derivatives(expr, names, x, v, order):
    """In a worker: sympy's k-th directional derivative and its size, k = 1 … order."""
    import sympy

    from diffcompare.methods.sympy_bridge import exact_point, symbols_for, to_sympy

    start = time.process_time()
    symbols = symbols_for(names)
    point = exact_point(names, x, symbols)
    current = to_sympy(expr, symbols)
    values, sizes = [], []
    for _ in range(order):
        current = sum((sympy.Rational(*float(vi).as_integer_ratio()) * sympy.diff(
            current, symbols[name]) for name, vi in zip(names, v) if vi), sympy.Integer(0))
        sizes.append(int(sympy.count_ops(current)))
        number = sympy.N(current.subs(point), 30)
        values.append(float(number) if number.is_real and number.is_finite else None)
    return tuple(values), tuple(sizes), time.process_time() - start


def _symbolic(problem, x, v, order, budget):
    if problem.m != 1:
        raise MethodError("taylor takes one output")
    found, sizes, seconds = within(budget, _sympy_derivatives, problem.outputs[0],
                                   tuple(problem.variables), tuple(x), tuple(v), order,
                                   what="sympy's derivatives")
    return TaylorRun("symbolic", found, sizes=sizes, seconds=seconds)


def fornberg_weights(nodes: Sequence[float], derivative: int) -> np.ndarray:
    """Weights w with Σ w_j f(nodes_j) ≈ f⁽ᵈ⁾(0) (Fornberg 1988, 'Generation of finite
    difference formulas on arbitrarily spaced grids')."""
    n = len(nodes)
    c = np.zeros((n, derivative + 1))
    c[0, 0] = 1.0
    c1, c4 = 1.0, nodes[0]
    for i in range(1, n):
        mn = min(i, derivative)
        c2, c5, c4 = 1.0, c4, nodes[i]
        for j in range(i):
            c3 = nodes[i] - nodes[j]
            c2 *= c3
            if j == i - 1:
                for k in range(mn, 0, -1):
                    c[i, k] = c1 * (k * c[i - 1, k - 1] - c5 * c[i - 1, k]) / c2
                c[i, 0] = -c1 * c5 * c[i - 1, 0] / c2
            for k in range(mn, 0, -1):
                c[j, k] = (nodes[i] * c[j, k] - k * c[j, k - 1]) / c3
            c[j, 0] = nodes[i] * c[j, 0] / c3
        c1 = c2
    return c[:, derivative]


@dataclass(frozen=True)
class Stencil:
    """The central stencil of order k (accuracy h²): nodes -p … p, weights, and the leading
    truncation coefficient C of D(h) = f⁽ᵏ⁾ + C·f⁽ᵏ⁺²⁾·h² + …"""

    order: int
    nodes: tuple[int, ...]
    weights: np.ndarray

    @classmethod
    def central(cls, order: int) -> Stencil:
        p = (order + 1) // 2
        nodes = tuple(range(-p, p + 1))
        return cls(order, nodes, fornberg_weights([float(j) for j in nodes], order))

    @property
    def truncation(self) -> float:
        k = self.order
        return float(sum(w * j ** (k + 2) for w, j in zip(self.weights, self.nodes))
                     / math.factorial(k + 2))

    def step(self, scale: float) -> float:
        """The step minimizing ε·Σ|w|·|f|/hᵏ + |C|·|f⁽ᵏ⁺²⁾|·h² with f's scales taken as
        one (the derivatives of f unknown), as a power of two times ``scale``."""
        k, spread = self.order, float(np.sum(np.abs(self.weights)))
        best = (k * EPS * spread / (2 * abs(self.truncation))) ** (1 / (k + 2))
        return scale * 2.0 ** round(math.log2(best))

    def model(self, h: float, f_size: float, higher: float) -> float:
        """The error model at step h: round-off plus truncation, given |f| and |f⁽ᵏ⁺²⁾|."""
        spread = float(np.sum(np.abs(self.weights)))
        return EPS * spread * f_size / h ** self.order + abs(self.truncation) * higher * h * h


def _scale(x, v) -> float:
    along = [abs(xi) for xi, vi in zip(x, v) if vi]
    return max([1.0, *along]) / max(abs(vi) for vi in v)


def _along(problem, x, v, ts) -> np.ndarray:
    """f(x + t·v) for each t (complex t for complex points), one stencil."""
    stencil = problem.stencil(x, [(np.asarray(v, dtype=float), t) for t in ts])
    return stencil.f[0]


def _difference(problem, x, v, stencil: Stencil, h: float) -> tuple[float, float]:
    """The stencil's quotient at step h and its round-off ε·Σ|w_j f_j|/hᵏ."""
    f = _along(problem, x, v, [j * h for j in stencil.nodes])
    with np.errstate(all="ignore"):
        return (float(np.dot(stencil.weights, f)) / h ** stencil.order,
                EPS * float(np.sum(np.abs(stencil.weights * f))) / h ** stencil.order)


def _central_fd(problem, x, v, order, budget):
    start, scale = time.process_time(), _scale(x, v)
    found, estimates, steps, evals = [], [], [], 0
    for k in range(1, order + 1):
        stencil = Stencil.central(k)
        h = stencil.step(scale)
        value, roundoff = _difference(problem, x, v, stencil, h)
        check, _ = _difference(problem, x, v, stencil, 2 * h)  # truncation: (D(2h) - D(h))/3
        evals += 2 * len(stencil.nodes)
        found.append(value if math.isfinite(value) else None)
        estimates.append(roundoff + abs(check - value) / 3)
        steps.append(h)
    return TaylorRun("central-fd", tuple(found), tuple(estimates), f_evals=evals,
                     seconds=time.process_time() - start, steps=tuple(steps), steps_are="h")


def _richardson(problem, x, v, order, budget):
    from diffcompare.methods.richardson import neville

    start, scale = time.process_time(), _scale(x, v)
    found, estimates, evals = [], [], 0
    ladder = 0.5 * scale * 2.0 ** -np.arange(RICHARDSON_STEPS, dtype=float)
    for k in range(1, order + 1):
        stencil = Stencil.central(k)
        quotients, roundoffs = np.array([_difference(problem, x, v, stencil, h)
                                         for h in ladder]).T
        evals += len(ladder) * len(stencil.nodes)
        keep = np.isfinite(quotients) & np.isfinite(roundoffs)
        if not keep.any():
            found.append(None)
            estimates.append(None)
            continue
        value, estimate = neville(ladder[keep], quotients[keep], roundoffs[keep], 2.0)
        found.append(float(value) if np.isfinite(value) else None)
        estimates.append(float(estimate))
    return TaylorRun("richardson", tuple(found), tuple(estimates), f_evals=evals,
                     seconds=time.process_time() - start)


def _circle_points(order: int) -> int:
    return max(32, 1 << math.ceil(math.log2(4 * (order + 1))))


def _cauchy_fft(problem, x, v, order, budget):
    """a_k = (1/N) Σ_j f(x + r·ω^j·v) ω^(-jk) / r^k on circles of several radii r. For each
    order the radius is the one whose error estimate is least: the aliasing seen as the
    change from N/2 to N points, plus the round-off ε·max|f|/r^k; a radius whose coefficient
    disagrees with any smaller circle's beyond both estimates has a singular point inside
    it (the series no longer converges there) and is not used, nor any larger."""
    start, scale, n = time.process_time(), _scale(x, v), _circle_points(order)
    roots = np.exp(2j * np.pi * np.arange(n) / n)
    ks = np.arange(order + 1)
    circles = []
    for r in (scale * q for q in RADII):
        with np.errstate(all="ignore"):
            g = _along(problem, x, v, list(r * roots))
            if not np.isfinite(g).all():
                circles.append(None)
                continue
            full = np.fft.fft(g) [: order + 1] / n / r ** ks
            half = np.fft.fft(g[::2])[: order + 1] / (n // 2) / r ** ks
            size = float(np.max(np.abs(g)))
            circles.append((r, full, np.abs(full - half) + 4 * EPS * size / r ** ks))
    found, estimates, radii = [], [], []
    for k in range(1, order + 1):
        best, smaller = None, []
        for circle in circles:
            if circle is None:
                break  # f is not finite on it: a singular point, or outside the domain
            if any(abs(circle[1][k] - inner[1][k]) > 4 * (circle[2][k] + inner[2][k])
                   for inner in smaller):
                break  # past a singular point: the circle sees another (Laurent) series
            if best is None or circle[2][k] < best[2][k]:
                best = circle
            smaller.append(circle)
        if best is None:
            found.append(None)
            estimates.append(None)
            radii.append(math.nan)
            continue
        factorial = math.factorial(k)
        found.append(float(np.real(best[1][k])) * factorial)
        estimates.append(float(best[2][k]) * factorial)
        radii.append(best[0])
    return TaylorRun("cauchy-fft", tuple(found), tuple(estimates), f_evals=n * len(RADII),
                     seconds=time.process_time() - start, steps=tuple(radii),
                     steps_are="radius")


METHODS: dict[str, Callable] = {
    "taylor-ad": _taylor_ad, "nested-duals": _nested_duals, "symbolic": _symbolic,
    "central-fd": _central_fd, "cauchy-fft": _cauchy_fft, "richardson": _richardson,
}


# --- the reference --------------------------------------------------------------------------

def ball_reference(problem, x, v, order) -> tuple[tuple, tuple, int | None, str | None, float]:
    """f′ … f⁽ᴷ⁾ from Taylor mode swept in balls, the precision raised until each order is
    proved (radius below CERTIFIED of it, or below FLOOR of the largest, then reported as
    0): (values, certified digits, bits, failure, f)."""
    from diffcompare.engine.balls import ball, midpoint, precision, radius

    tape = _scalar_tape(problem, x)
    found = None
    for bits in REFERENCE_BITS:
        with precision(bits):
            try:
                (coefficients, *_) = taylor_coefficients(tape, x, v, order, ball)
            except (ZeroDivisionError, ValueError, ArithmeticError) as error:
                return (), (), None, f"the sweep in balls failed: {error}", math.nan
            entries = derivatives_from(coefficients)
            mids = [midpoint(e) for e in entries]
            radii = [radius(e) for e in entries]
            value = midpoint(coefficients[0])
        if not all(math.isfinite(m) and math.isfinite(r) for m, r in zip(mids, radii)):
            return (), (), None, ("a ball straddles a singular point or a domain edge: no "
                                  "Taylor polynomial here"), value
        largest = max([abs(m) for m in mids] + [0.0])
        proved = [r <= CERTIFIED * abs(m) or r <= FLOOR * largest for m, r in zip(mids, radii)]
        found = (mids, radii, largest, bits, value)
        if all(proved):
            break
    mids, radii, largest, bits, value = found
    values, digits = [], []
    for m, r in zip(mids, radii):
        if r <= CERTIFIED * abs(m):
            values.append(m)
            digits.append(int(-math.log10(r / abs(m))) if r else 40)
        elif r <= FLOOR * largest and abs(m) <= r:
            values.append(0.0)
            digits.append(None)
        elif r < abs(m):
            values.append(m)
            digits.append(int(-math.log10(r / abs(m))))
        else:
            values.append(None)
            digits.append(None)
    return tuple(values), tuple(digits), bits, None, value


# --- the study ------------------------------------------------------------------------------

def taylor_study(problem, order: int, direction: Sequence[float] | None = None,
                 methods: Sequence[str] | None = None,
                 budget: float | None = DEFAULT_BUDGET) -> TaylorStudy:
    """Every method's f′ … f⁽ᴷ⁾ of ``problem`` at its point along ``direction`` (for one
    input, 1), against the ball reference."""
    if not 1 <= order <= MAX_ORDER:
        raise InputError(f"--order must be between 1 and {MAX_ORDER}")
    if problem.m != 1:
        raise InputError(f"taylor takes a function with one output; this one has {problem.m}")
    x = np.asarray(problem.point_array, dtype=float)
    if direction is None:
        if problem.n != 1:
            raise InputError(f"f has {problem.n} inputs: give the direction with --dir "
                             "(n entries)")
        direction = (1.0,)
    v = tuple(float(d) for d in direction)
    if len(v) != problem.n:
        raise InputError(f"--dir has {len(v)} entries; f has {problem.n} inputs")
    if not any(v):
        raise InputError("--dir is the zero vector: every derivative along it is 0")
    chosen = list(METHODS) if methods is None else list(methods)
    unknown = [m for m in chosen if m not in METHODS]
    if unknown:
        raise InputError(f"unknown method {unknown[0]!r} for taylor; methods: "
                         f"{', '.join(METHODS)}")
    reference, digits, bits, failure, value = ball_reference(problem, x.tolist(), v, order)
    runs = []
    for name in chosen:
        try:
            run = METHODS[name](problem, x.tolist(), v, order, budget)
        except MethodError as error:
            run = TaylorRun(name, failure=str(error))
        runs.append(run)
    return TaylorStudy(problem.describe(), tuple(problem.variables), tuple(x.tolist()), v,
                       order, value, reference or (None,) * order, digits or (None,) * order,
                       bits, failure, tuple(runs))
