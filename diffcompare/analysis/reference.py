"""The exact reference: every method's error is measured against this, never against
another float method.

The function's own tape is swept in ball arithmetic (Arb, engine/balls.py) through the tape
interface, by the kind's own route (kinds.py: reverse sweeps for gradients and Jacobians,
dual numbers for J·v and through the reverse sweep for Hessians), at rising precision until
every entry is certified: its ball's radius below CERTIFIED of its magnitude, or, for a ball
that holds 0 (a stationary point, a structural zero, an off-diagonal Hessian entry), below
CERTIFIED of the derivative's scale (the largest entry, else |f|, else 1): the entry is then
0. An entry still uncertified at the last precision, or whose ball meets a pole or a domain
edge (nan, an infinite ball), has no reference number, and says why. The reference follows
the expression as written: no simplification, constants exact (0.1 is 1/10).

sympy's derivative, evaluated by evalf at 40 digits with the point substituted exactly,
runs beside it in a bounded worker where the symbolic method is shown: a cross-check, with
a note when the two disagree (sympy simplifies before the point goes in: x/x is 1 to it).

Where a non-smooth operation (abs or sign at 0, sqrt at 0, asin at ±1), a branch boundary
or a tie of max/min lies on the way from an input, the one-sided slopes of f itself are
compared in balls a hair to each side, and the partial is reported as not existing when
they disagree.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from diffcompare.analysis.diagnostics import NON_DIFFERENTIABLE, diagnose
from diffcompare.analysis.precise import one_sided_slopes
from diffcompare.engine import balls
from diffcompare.errors import Cannot, DiffcompareError
from diffcompare.methods.kinds import KINDS, Kind, kind_of
from diffcompare.problems.base import BaseProblem as Problem
from diffcompare.runtime import workers
from diffcompare.runtime.budget import (
    DEFAULT_BUDGET,
    Budget,
    OutOfBudget,
    OutOfMemory,
    TimedOut,
    sweep_seconds,
)

PRECISIONS = (128, 256, 512, 1024, 2048, 4096)  # bits: each round doubles the last
CERTIFIED = 1e-20  # a ball's radius against its magnitude: four digits past float64's 16
DIGITS = 40  # sympy's evalf, for the cross-check
SLOPE_PRECISION = 256  # bits for the one-sided slopes (h = 1e-20·max(1, |x|))
SLOPE_AGREEMENT = 1e-8  # one-sided slopes of a smooth f differ by about h*f'': ~1e-20
SUSPECTS_CHECKED = 20  # inputs whose one-sided slopes are compared at most
NOT_REAL = "f is not a real number at this point"
TOO_LARGE = ("f is past the range of ball arithmetic here (its ball is infinite: a number "
             "whose exponent has more than 2^63 bits)")
SWEEP_SECONDS = 1.0  # the least work the sweep in balls is allowed
# Memory the sweep in balls holds per scalar operation of the tape at 128 bits (its value's
# ball, its adjoint's, their object arrays' slots: 136 bytes measured on 2026-12-08 by the
# Rosenbrock program's peak at 10^5 to 4·10^5 entries, rounded up; more bits, more limbs),
# and the most it may hold: the CPU budget alone let it take 1.4 GB at 10^6 entries.
BALL_BYTES = 160
SWEEP_MEMORY = 1 << 30
AGREEMENT = 1e-14  # sympy and the sweep, normwise: both exact, so only the final rounding
CROSS_CHECK_LIMIT = 2_000  # scalar operations of a path sympy is asked to check
SYMPY = "sympy"
SWEEP = "tape swept in ball arithmetic (Arb)"


@dataclass(frozen=True)
class Reference:
    """The exact derivative of one kind, each entry certified and rounded once to float64."""

    kind: str
    f: np.ndarray  # f(x), (m,)
    derivative: np.ndarray  # the kind's shape; nan where there is no certified number
    digits: int = 0  # certified significant digits: the fewest over the entries with one
    failure: str | None = None  # why there is no reference at all
    failure_kind: str | None = None  # "out-of-budget" when the budget stopped it
    notes: tuple[str, ...] = ()  # partials that do not exist here, and other caveats
    source: str = SWEEP
    absent: tuple[str | None, ...] = ()  # per entry (C order): why it does not exist here
    unknown: tuple[str | None, ...] = ()  # per entry: why it has no certified number
    slopes: dict = field(default_factory=dict, compare=False)  # (output, input) -> (l, r)
    radius: np.ndarray | None = None  # per entry: its certified absolute error bound
    precision: int = 0  # bits of the last sweep
    seconds: float = 0.0
    # per entry: it came from one-sided slopes at a kink, where the rules' sweep is wrong
    past_the_rules: tuple[bool, ...] = ()

    @property
    def value(self) -> float:
        """f(x) for a function with one output."""
        return float(self.f[0]) if self.f.size == 1 else math.nan

    @property
    def gradient(self) -> tuple[float, ...]:
        """Every entry, flat in C order (the gradient, for kind "gradient")."""
        return tuple(np.ravel(np.asarray(self.derivative, dtype=float)).tolist())

    @property
    def describe(self) -> str:
        """How far its numbers are proved, for a header: "ball arithmetic, 128 bits, every
        entry exact" or "..., ≥ 35 digits certified"."""
        if self.failure:
            return f"no exact reference: {self.failure}"
        certified = "every entry exact" if self.digits >= EXACT_DIGITS else \
            f"≥ {self.digits} digits certified"
        sloped = sum(1 for past, value in zip(self.past_the_rules, np.ravel(self.derivative))
                     if past and math.isfinite(value))  # truncation in no ball's radius
        if sloped:
            certified += (f" but {sloped} from one-sided slopes at the kink (about 20 "
                          "digits, not certified)")
        return f"ball arithmetic, {self.precision} bits, {certified}"


def exact_reference(problem: Problem, kind: str | Kind = "gradient",
                    direction: Sequence[float] | None = None,
                    budget: float | None = DEFAULT_BUDGET,
                    with_sympy: bool = False) -> Reference:
    """The exact derivative of ``kind`` (along ``direction`` for jvp, vjp and hvp), within
    ``budget`` CPU seconds for the sweep and as many for sympy's cross-check."""
    pending = start_reference(problem, kind, direction, budget, with_sympy)
    try:
        return pending.result()
    finally:
        pending.stop()


class PendingReference:
    """sympy's cross-check started in the background (where asked); ``result`` sweeps the
    tape in balls here and then collects sympy's answer within the budget."""

    def __init__(self, problem: Problem, kind: Kind, direction, seconds: float | None,
                 with_sympy: bool):
        self.problem, self.kind, self.direction, self.seconds = problem, kind, direction, seconds
        self.sympy_job = None
        self.sympy_failure = None
        if with_sympy:
            if problem.tape.scalar_operations > CROSS_CHECK_LIMIT:
                self.sympy_failure = (f"was not asked: the path has "
                                      f"{problem.tape.scalar_operations:,} scalar operations "
                                      f"(sympy cross-checks up to {CROSS_CHECK_LIMIT:,})")
            else:
                if seconds == 0:
                    self.sympy_failure = "was not run (--budget 0)"
                else:
                    self.sympy_job = workers.start(_sympy_reference, problem, kind.name,
                                                   direction, DIGITS, budget=Budget(seconds))

    def result(self) -> Reference:
        start = time.perf_counter()
        found = swept_reference(self.problem, self.kind, self.direction, Budget(self.seconds))
        notes = list(found.notes)
        if self.sympy_job is not None:
            theirs, failure = _collect(self.sympy_job, "sympy's cross-check")
            if theirs is not None:
                notes += theirs[2]
                _cross_check(theirs[1], found.derivative, notes)
            elif failure:
                notes.append(f"sympy's cross-check {failure}")
        elif self.sympy_failure:
            notes.append(f"sympy's cross-check {self.sympy_failure}")
        return _with(found, notes=tuple(notes), seconds=time.perf_counter() - start)

    def stop(self) -> None:
        if self.sympy_job is not None:
            self.sympy_job.stop()


def start_reference(problem: Problem, kind: str | Kind = "gradient",
                    direction: Sequence[float] | None = None,
                    budget: float | None = DEFAULT_BUDGET,
                    with_sympy: bool = False) -> PendingReference:
    """The reference, with sympy's cross-check (``with_sympy``) started in a worker now."""
    return PendingReference(problem, kind_of(kind), direction, budget, with_sympy)


def _with(reference: Reference, **changes) -> Reference:
    from dataclasses import replace

    return replace(reference, **changes)


# --- the sweep in balls ------------------------------------------------------------------

def swept_reference(problem: Problem, kind: str | Kind, direction=None,
                    clock: Budget | None = None, point=None) -> Reference:
    """The tape swept in balls at rising precision until every entry is certified; at
    ``point`` (default the problem's), within ``clock``'s work allowance."""
    kind = kind_of(kind)
    m, n = problem.m, problem.n
    shape = kind.shape(m, n)
    x = problem.point_array if point is None else np.asarray(point, dtype=float)
    tape = problem.tape_at(x)
    # The sweep is linear in the size of f: it gets at least SWEEP_SECONDS of work whatever
    # the budget (--budget 0 skips sympy, not the reference).
    allowance = None if clock is None or clock.seconds is None else max(clock.seconds,
                                                                        SWEEP_SECONDS)
    passes = kind.reference_passes(m, n)
    spent = 0.0
    found = None
    for bits in PRECISIONS:
        cost = sweep_seconds(tape, passes, "ball") * bits / PRECISIONS[0]
        held = tape.scalar_operations * BALL_BYTES * bits // PRECISIONS[0]
        if allowance is not None and spent + cost > allowance:
            if found is None:
                raise OutOfBudget(
                    f"out of budget: the sweep in balls at {bits} bits would take about "
                    f"{tape.scalar_operations * passes:,} ball operations (~{cost:.3g} CPU "
                    f"s), past the budget of {allowance:g} CPU s (raise it with --budget)",
                    measure="ball operations", limit=allowance)
            break
        if held > SWEEP_MEMORY:
            if found is None:
                raise OutOfMemory(
                    f"out of memory: the sweep in balls at {bits} bits would hold about "
                    f"{held / 2**30:.2g} GiB (the balls of {tape.scalar_operations:,} "
                    f"scalar operations and their adjoints), past the "
                    f"{SWEEP_MEMORY / 2**30:g} GiB it may take")
            break
        spent += cost
        with balls.precision(bits):
            f_balls, entry_balls = kind.sweep(tape, _ball_point(x), direction, m, n)
            found = _certify(kind, shape, bits, f_balls, entry_balls)
        if found.done:
            break
    return _assemble(problem, kind, direction, x, found)


FLOAT_BITS = 53  # float64's significand: a sweep in balls at this precision rounds as it does
ROUNDING_SWEEP_SECONDS = 1.0  # predicted CPU seconds past which the rounding sweep is skipped


def tape_rounding(problem: Problem, kind: str | Kind, direction=None) -> np.ndarray | None:
    """A bound on what rounding costs a method that computes the kind by sweeping f's tape
    in floats (forward-ad, reverse-ad, complex-step): the same sweep in balls at 53 bits,
    whose radii hold every rounding of every operation as floats round them, and more
    (interval arithmetic overestimates: it errs high). Per entry, in the kind's shape;
    None when the sweep would cost more than ROUNDING_SWEEP_SECONDS, or fails."""
    kind = kind_of(kind)
    m, n = problem.m, problem.n
    x = problem.point_array
    tape = problem.tape_at(x)
    if sweep_seconds(tape, kind.reference_passes(m, n), "ball") > ROUNDING_SWEEP_SECONDS:
        return None
    try:
        with balls.precision(FLOAT_BITS):
            _, entries = kind.sweep(tape, _ball_point(x), direction, m, n)
            radius = np.array([balls.radius(v) for v in entries], dtype=float)
    except (ArithmeticError, ValueError, TypeError):
        return None
    return radius.reshape(kind.shape(m, n))


def _ball_point(x: np.ndarray) -> np.ndarray:
    return balls.balls(x)


@dataclass
class _Certified:
    f: np.ndarray
    f_radius: np.ndarray
    values: np.ndarray  # flat
    radius: np.ndarray
    unknown: list
    digits: int
    bits: int
    done: bool
    f_infinite: bool = False  # f's ball is infinite (not nan): past the range of balls


def _certify(kind: Kind, shape, bits: int, f_balls, entry_balls) -> _Certified:
    """Midpoints and radii; which entries are certified (relative, or 0 within the floor)."""
    f_mid = np.array([balls.midpoint(v) for v in f_balls], dtype=float)
    f_rad = np.array([balls.radius(v) for v in f_balls], dtype=float)
    mids = np.array([balls.midpoint(v) for v in entry_balls], dtype=float)
    rads = np.array([balls.radius(v) for v in entry_balls], dtype=float)
    zero_ball = np.array([balls.contains_zero(v) and balls.radius(v) < math.inf
                          for v in entry_balls], dtype=bool)
    finite = np.isfinite(mids) & np.isfinite(rads)
    magnitudes = np.abs(mids[finite & ~zero_ball])
    scale = float(magnitudes.max()) if magnitudes.size else 0.0
    if scale == 0 or not math.isfinite(scale):
        f_scale = np.abs(f_mid[np.isfinite(f_mid)])
        scale = float(f_scale.max()) if f_scale.size and f_scale.max() > 0 else 1.0
    unknown: list = [None] * mids.size
    values = mids.copy()
    digits = 10 ** 6
    for k in range(mids.size):
        if not finite[k]:
            unknown[k] = ("the derivative is not finite here (its ball meets a pole or a "
                          "domain edge)")
            values[k] = math.nan
        elif zero_ball[k]:
            if rads[k] <= CERTIFIED * scale:
                values[k] = 0.0
                digits = min(digits, _digits(rads[k], scale))
            else:
                unknown[k] = f"not certified at {bits} bits (0 lies within its ball)"
        elif rads[k] <= CERTIFIED * abs(mids[k]):
            digits = min(digits, _digits(rads[k], abs(mids[k])))
        else:
            unknown[k] = f"not certified at {bits} bits (its ball is ±{rads[k]:.2g})"
    f_ok = all((r <= CERTIFIED * abs(v)) or (v == 0 and r == 0) or not math.isfinite(v)
               for v, r in zip(f_mid, f_rad))
    done = f_ok and all(u is None or not finite[k] for k, u in enumerate(unknown))
    f_infinite = any(balls.is_ball(v) and not v.is_finite() and not v.is_nan()
                     for v in f_balls)
    return _Certified(f_mid, f_rad, values, rads, unknown, 0 if digits == 10 ** 6 else digits,
                      bits, done, f_infinite)


EXACT_DIGITS = 10 ** 4  # the digits of an entry whose ball has radius 0


def _digits(radius: float, magnitude: float) -> int:
    if radius == 0:
        return EXACT_DIGITS
    return max(0, math.floor(-math.log10(radius / magnitude)))


def _assemble(problem: Problem, kind: Kind, direction, x: np.ndarray,
              found: _Certified) -> Reference:
    shape = kind.shape(problem.m, problem.n)
    if np.isnan(found.f).any():
        failure = TOO_LARGE if found.f_infinite else NOT_REAL
        return Reference(kind.name, np.full(problem.m, np.nan), np.full(shape, np.nan),
                         failure=failure, precision=found.bits)
    notes: list[str] = []
    suspects = _suspects(problem)
    slopes = _slopes(problem, x, suspects) if suspects else {}
    derivative, absent = _remove_absent(problem, kind, direction, found.values.reshape(shape),
                                        slopes, notes)
    past_the_rules: tuple = ()
    if kind.order == 2 and suspects:
        derivative, absent, past_the_rules = _second_order_at_kinks(
            problem, kind, direction, x, suspects, derivative, absent, notes)
    unknown = tuple(None if absent[k] else u for k, u in enumerate(found.unknown))
    if any(unknown):
        first = next(u for u in unknown if u)
        count = sum(1 for u in unknown if u)
        notes.append(f"{count} entr{'y has' if count == 1 else 'ies have'} no certified "
                     f"number: {first}")
    digits = min(found.digits, EXACT_DIGITS)
    return Reference(kind.name, found.f, derivative, digits, notes=tuple(notes), absent=absent,
                     unknown=unknown, slopes=slopes,
                     radius=found.radius.reshape(shape), precision=found.bits,
                     past_the_rules=past_the_rules)


def _second_order_at_kinks(problem: Problem, kind: Kind, direction, x: np.ndarray,
                           suspects: list[int], derivative: np.ndarray, absent: tuple,
                           notes: list[str]):
    """Second derivatives where the point sits on a kink: the rules differentiate abs at 0
    as if its slope were constant (sign(0)·... and no second derivative), so a sweep gives
    d²/dx² |x|² = 0 where f = x² has 2. There the Hessian's entries along a suspect input
    are the one-sided slopes of the gradient (in balls, h = 1e-20·max(1, |x|)): equal
    slopes are the entry, unequal ones mean it does not exist. Returns the derivative,
    the absent reasons, and per entry whether it came from the slopes (past the rules)."""
    n, names = problem.n, problem.variables
    gradient = KINDS["gradient"]
    with balls.precision(SLOPE_PRECISION):
        centre = balls.balls(x)
        _, rows = KINDS["hessian"].sweep(problem.tape_at(x), centre, None, 1, n)
    hessian = np.array([balls.midpoint(v) for v in rows], dtype=float).reshape(n, n)
    missing: dict[tuple[int, int], str] = {}
    from_slopes = np.zeros((n, n), dtype=bool)
    with balls.precision(SLOPE_PRECISION):
        for j in suspects:
            sides = {sign: _tape_beside(problem, x, j, sign) for sign in (-1, 1)}

            def gradient_at(offset: Fraction, j=j, sides=sides):
                shifted = centre.copy()
                shifted[j] = shifted[j] + balls.ball(offset)
                tape = sides[1 if offset > 0 else -1]
                return list(gradient.sweep(tape, shifted, None, 1, n)[1])

            for i, (left, right) in enumerate(one_sided_slopes(gradient_at, float(x[j]))):
                from_slopes[i, j] = from_slopes[j, i] = True
                if _agree(left, right):
                    hessian[i, j] = hessian[j, i] = (left + right) / 2
                else:
                    where = f"d²f/d{names[i]}d{names[j]} does not exist here"
                    missing[(i, j)] = missing[(j, i)] = (
                        f"{where}: ∂f/∂{names[i]} changes slope at {names[j]} = {x[j]:g} "
                        f"({left:.6g} from the left, {right:.6g} from the right)")
                    hessian[i, j] = hessian[j, i] = math.nan
    if from_slopes.any():
        notes.append("the point sits on a kink of an operation: the Hessian's entries along "
                     f"{', '.join(names[j] for j in suspects)} are the gradient's one-sided "
                     "slopes (in balls, h = 1e-20·max(1, |x|)), not the rules' sweep; "
                     "a slope's truncation, O(h), is in no ball's radius: about 20 digits, "
                     "not certified")
    notes.extend(sorted(set(missing.values())))
    composed = hessian if kind.compose is None else np.asarray(
        kind.compose(hessian, None if direction is None else np.asarray(direction)))
    composed = np.asarray(composed, dtype=float).reshape(derivative.shape)
    flat, reasons, kept = composed.reshape(-1), list(absent), derivative.reshape(-1)
    past = [False] * flat.size
    for k in range(flat.size):
        made_of = kind.base_entries(k, 1, n, direction) if kind.compose else [k]
        if any(from_slopes.reshape(-1)[b] for b in made_of):
            past[k] = True
        else:  # untouched by the kink: the certified entry stays
            flat[k] = kept[k]
        gone = [missing[divmod(b, n)] for b in made_of if divmod(b, n) in missing]
        if gone and not reasons[k]:
            reasons[k] = gone[0]
        if reasons[k]:
            flat[k] = math.nan
    return flat.reshape(derivative.shape), tuple(reasons), tuple(past)


# --- kinks: one-sided slopes in balls ----------------------------------------------------

BESIDE = 2.0 ** -45  # how far past a branch boundary the tape of the other side is traced


def _tape_beside(problem: Problem, x: np.ndarray, j: int, sign: int):
    """The tape that holds on one side of x along input j. A tape is one path: a program
    whose comparison ties at x (huber's |r| <= delta at r = delta) was traced down one
    branch, and the gradient's slope on the other side must sweep the other branch, traced
    a hair (BESIDE, relative) past x on that side. A formula has one tape everywhere."""
    if not any(c.margin == 0 and j in c.input_indices for c in problem.tape.conditions):
        return problem.tape_at(x)
    beside = x.copy()
    beside[j] += sign * BESIDE * max(1.0, abs(float(x[j])))
    return problem.tape_at(beside)


def _suspects(problem: Problem) -> list[int]:
    """Flat inputs on the way to a non-smooth operation at the point (a kink, a branch
    boundary, a tie of max or min), at most SUSPECTS_CHECKED of them."""
    tape = problem.tape
    inputs: set[int] = set()
    for d in diagnose(problem):
        if d.kind == NON_DIFFERENTIABLE:
            inputs |= set(d.inputs)
    for condition in tape.conditions:
        if condition.margin == 0:
            inputs |= set(condition.input_indices)
    inputs |= set(tape.choice_ties())
    found: list[int] = []
    for i in sorted(inputs):
        found.extend(problem.flat_range(i)[: SUSPECTS_CHECKED - len(found)])
        if len(found) >= SUSPECTS_CHECKED:
            break
    return found


def _slopes(problem: Problem, x: np.ndarray, suspects: list[int]) -> dict:
    slopes = {}
    with balls.precision(SLOPE_PRECISION):
        centre = balls.balls(x)
        for j in suspects:
            def f_at(offset: Fraction, j=j):
                shifted = centre.copy()
                shifted[j] = shifted[j] + balls.ball(offset)
                return list(problem.evaluate(shifted))

            for i, pair in enumerate(one_sided_slopes(f_at, float(x[j]))):
                slopes[(i, j)] = pair
    return slopes


def _agree(left: float, right: float) -> bool:
    if not (math.isfinite(left) and math.isfinite(right)):
        return False
    return abs(left - right) <= SLOPE_AGREEMENT * max(1.0, abs(left), abs(right))


def _jump(left: float, right: float) -> bool:
    """A one-sided slope that passes any scale f has (1e17 at h = 1e-20): f jumps there."""
    return any(math.isinf(s) or abs(s) > 1e15 for s in (left, right) if not math.isnan(s))


def _remove_absent(problem: Problem, kind: Kind, direction, derivative: np.ndarray,
                   slopes: dict, notes: list[str]):
    """Entries whose one-sided slopes disagree do not exist: nan, with the reason."""
    derivative = np.array(derivative, dtype=float)
    m, n = problem.m, problem.n
    missing: dict[tuple[int, int], str] = {}
    for (i, j), (left, right) in slopes.items():
        if not _agree(left, right):
            output = f"y{i + 1}" if m > 1 else ""
            where = f"d{output}/d{problem.variables[j]} does not exist here"
            if _jump(left, right):
                missing[(i, j)] = f"{where}: f jumps (is not continuous) there"
            else:
                missing[(i, j)] = (f"{where}: the slope is {left:.6g} from the left and "
                                   f"{right:.6g} from the right")
            notes.append(missing[(i, j)])
    flat = derivative.reshape(-1)
    absent: list[str | None] = [None] * flat.size
    if missing:
        for k in range(flat.size):
            reasons = [missing[key] for key in kind.entry_inputs(k, m, n, direction)
                       if key in missing]
            if reasons:
                flat[k] = math.nan
                absent[k] = reasons[0]
    return flat.reshape(derivative.shape), tuple(absent)


# --- at other points ---------------------------------------------------------------------

def swept_at(problem: Problem, kind: str, point: Sequence[float]) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """(f, the kind's exact derivative) at another point of the same problem (descent sweeps
    every iterate); the caller bounds it."""
    found = swept_reference(problem, kind, None, None, point)
    return found.f, found.derivative


def along_coordinate(problem: Problem, index: int) -> tuple[float, float]:
    """The second and third derivatives of f along input ``index``: nested duals through the
    tape, in balls."""
    from diffcompare.engine.dual import derivative

    tape = problem.tape
    with balls.precision(PRECISIONS[0]):
        x = balls.balls(problem.point_array)

        def along(t):
            shifted = list(x)
            shifted[index] = shifted[index] + t
            return tape.value(np.array(shifted, dtype=object))[0]

        def second(a):
            return derivative(lambda b: derivative(along, b), a)

        zero = balls.ball(0)
        return balls.midpoint(second(zero)), balls.midpoint(derivative(second, zero))


# --- sympy's cross-check -----------------------------------------------------------------

def _collect(job, what: str):
    """(result, None), or (None, why there is none)."""
    try:
        return job.result(what), None
    except (TimedOut, Cannot) as exc:
        return None, str(exc)
    except (DiffcompareError, ArithmeticError, ValueError, RecursionError, TypeError) as exc:
        return None, f"failed: {type(exc).__name__}: {exc}"


def _cross_check(found: np.ndarray, swept: np.ndarray, notes: list[str]) -> None:
    found, swept = np.ravel(found), np.ravel(swept)
    both = np.isfinite(found) & np.isfinite(swept)
    if found.size != swept.size or not both.any():
        return
    scale = float(np.max(np.abs(swept[both]))) or 1.0
    gap = float(np.max(np.abs(found[both] - swept[both]))) / scale
    if gap > AGREEMENT:
        notes.append(f"sympy's derivative disagrees with the sweep by {gap:.1e} (normwise); "
                     "the sweep follows the expression as written (sympy simplifies first)")


def sympy_reference(problem: Problem, kind: str = "gradient", direction=None):
    """(f, the kind's derivative, notes) from sympy alone, in this process (for tests)."""
    return _sympy_reference(problem, kind, direction, DIGITS)


def _sympy_reference(problem: Problem, kind_name: str, direction, digits: int):
    """(f, the kind's derivative, notes) from sympy's derivatives at ``digits`` digits."""
    import sympy

    from diffcompare.methods.manual import differentiate
    from diffcompare.methods.sympy_bridge import exact_point, rational, symbols_for, to_sympy

    kind = kind_of(kind_name)
    names = list(problem.variables)
    symbols = symbols_for(names)
    at = exact_point(names, problem.point, symbols)
    notes: list[str] = []

    def first(out, name):
        d = sympy.diff(to_sympy(out, symbols), symbols[name])
        if d.has(sympy.Derivative):  # sympy could not do it (sign of a function, say)
            notes.append(f"d/d{name}: sympy left the derivative unevaluated; the reference "
                         "uses the manual rules' exact derivative instead")
            d = to_sympy(differentiate(out, name), symbols)
        return d

    outputs = [to_sympy(out, symbols) for out in problem.outputs]
    if kind.order == 2:
        grad = [first(problem.outputs[0], name) for name in names]
        table = [[sympy.diff(g, symbols[name]) for name in names] for g in grad]
    else:
        table = [[first(out, name) for name in names] for out in problem.outputs]
    # The kind from the table of first (or second) derivatives, composed exactly by the
    # kind's own rule (kinds.py) on sympy's numbers: J·v, Jᵀ·r and H·v stay exact rationals.
    v = None if direction is None else np.array([rational(d) for d in direction], dtype=object)
    table = np.array(table, dtype=object)
    composed = table if kind.compose is None else kind.compose(table, v)
    wanted = list(np.asarray(composed, dtype=object).reshape(-1))
    f = np.array([high_precision(out, at, digits) for out in outputs])
    values = np.array([high_precision(d, at, digits) for d in wanted], dtype=float)
    return f, values.reshape(kind.shape(problem.m, problem.n)), notes


SIMPLIFY_LIMIT = 400  # operations; beyond this, deciding "exactly zero?" is left to evalf
DEEP_PRECISION = 2000  # evalf's maxn (bits) when the default is not enough


def high_precision(sexpr, at: dict, digits: int = DIGITS) -> float:
    """sexpr at the point, to ``digits`` digits, then rounded once to float64; nan where
    the value is not a real number (outside the domain, a pole).

    evalf cannot tell an exact zero from a tiny number (sign(y) - 1 at y = 0.4 came back as
    6e-173): when it says so, the point is substituted exactly and sympy is asked whether
    the result is zero; otherwise evalf tries again with far more precision."""
    import sympy

    from diffcompare.analysis.precise import real_number

    try:
        return real_number(sexpr.evalf(digits, subs=at, strict=True))
    except sympy.core.evalf.PrecisionExhausted:
        exact = sexpr.xreplace(at)
        if exact.is_zero or (sympy.count_ops(exact) <= SIMPLIFY_LIMIT
                             and sympy.simplify(exact) == 0):
            return 0.0
        return real_number(sexpr.evalf(digits, subs=at, maxn=DEEP_PRECISION))
