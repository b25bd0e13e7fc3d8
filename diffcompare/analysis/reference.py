"""The exact reference: every method's error is measured against this, never against
another float method.

Two exact routes, run side by side in bounded workers (budget.py), each rounding once to
float64 at the end:

- the problem's own tape swept with mpmath at 60 digits: one forward and m reverse sweeps
  for a Jacobian, dual numbers through the reverse sweep for a Hessian. Linear in the size
  of f, and it needs nothing but the ops table;
- sympy's derivative evaluated by evalf at 40 digits (adaptive: it works until the digits
  are right), the point substituted exactly (binary floats are rationals).

sympy's answer is the reference when it comes in time; the tape's otherwise, with a note;
when both come and disagree, the table says so. Where f is not real at the point there is
no derivative. Where a non-smooth operation (abs at 0, sqrt at 0) sits on the path from an
input, sympy and the sweep would still answer with a convention (sign(0) = 0): the one-sided
slopes are compared at 60 digits, and the partial is reported as not existing when they
disagree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from diffcompare.analysis import program_reference
from diffcompare.analysis.diagnostics import NON_DIFFERENTIABLE, diagnose
from diffcompare.analysis.precise import one_sided_slopes, real_number
from diffcompare.errors import Cannot, DiffcompareError
from diffcompare.methods.registry import shape_of
from diffcompare.problems.formula import Problem
from diffcompare.runtime import budget

DIGITS = 40
SWEEP_DIGITS = 60
SLOPE_AGREEMENT = 1e-8  # one-sided slopes of a smooth f differ by about h*f'': ~1e-20
SWEEP_SECONDS = 1.0  # the least time the tape sweep gets
NOT_REAL = "f is not a real number at this point"
DEFAULT_SECONDS = 5.0  # the budget when none is given: None (no bound) must be asked for
AGREEMENT = 1e-14  # sympy and the sweep, normwise: both exact, so only the final rounding
CROSS_CHECK_LIMIT = 2_000  # scalar operations of a program's path sympy is asked to check
SYMPY, SWEEP = "sympy", f"tape swept with mpmath at {SWEEP_DIGITS} digits"


@dataclass(frozen=True)
class Reference:
    """The exact derivative of one kind, rounded once to float64."""

    kind: str
    f: np.ndarray  # f(x), (m,)
    derivative: np.ndarray  # the kind's shape; nan where it does not exist
    digits: int = DIGITS
    failure: str | None = None  # why there is no reference at all
    notes: tuple[str, ...] = ()  # partials that do not exist here, and other caveats
    source: str = SYMPY
    absent: tuple[str | None, ...] = ()  # per entry (C order): why it does not exist here
    slopes: dict = field(default_factory=dict, compare=False)  # (output, input) -> (l, r)

    @property
    def value(self) -> float:
        """f(x) for a function with one output."""
        return float(self.f[0]) if self.f.size == 1 else math.nan

    @property
    def gradient(self) -> tuple[float, ...]:
        """Every entry, flat in C order (the gradient, for kind "gradient")."""
        return tuple(float(v) for v in np.ravel(self.derivative))


def exact_reference(problem: Problem, kind: str = "gradient",
                    direction: Sequence[float] | None = None, digits: int = DIGITS,
                    timeout: float | budget.Budget | None = DEFAULT_SECONDS) -> Reference:
    """The exact derivative of ``kind`` (along ``direction`` for jvp, vjp and hvp)."""
    return start_reference(problem, kind, direction, digits, timeout).result()


def tape_reference(problem: Problem, kind: str = "gradient",
                   direction: Sequence[float] | None = None,
                   timeout: float | budget.Budget | None = DEFAULT_SECONDS) -> Reference:
    """The tape swept with mpmath alone (no sympy): linear in the size of f."""
    clock = timeout if isinstance(timeout, budget.Budget) else budget.Budget(timeout)
    if clock.seconds is not None:
        clock = budget.Budget(max(clock.seconds, SWEEP_SECONDS), clock.started)
    suspects = _suspects(problem)
    swept, failure = _collect(clock, None, _sweep_reference,
                              (problem, kind, direction, suspects), "the sweep")
    return _assemble(problem, kind, direction, SWEEP_DIGITS, swept, failure, None,
                     "was not asked", suspects)


def _suspects(problem: Problem) -> list[str]:
    """Inputs with a non-smooth operation on their way to f at the point."""
    if problem.program is not None:
        return program_reference.suspects(problem)
    return sorted(set().union(*(d.variables for d in diagnose(problem)
                                if d.kind == NON_DIFFERENTIABLE)))


class PendingReference:
    """Both routes started in the background; ``result`` waits for them within the budget."""

    def __init__(self, problem: Problem, kind: str, direction, digits: int, clock,
                 with_sympy: bool = True):
        self.problem, self.kind, self.direction, self.digits = problem, kind, direction, digits
        self.with_sympy = with_sympy
        self.clock = clock if isinstance(clock, budget.Budget) else budget.Budget(clock)
        self.suspects = _suspects(problem)
        self.sweep_args = (problem, kind, direction, self.suspects)
        self.sympy_args = (problem, kind, direction, digits)
        # The sweep is linear in the size of f: it always gets SWEEP_SECONDS, even when
        # sympy gets no time at all (--timeout 0).
        self.sweep_clock = budget.Budget(None if self.clock.seconds is None
                                         else max(self.clock.seconds, SWEEP_SECONDS))
        self.sweep_job = _started(self.sweep_clock, _sweep_reference, *self.sweep_args)
        self.sympy_job = _started(self.clock, _sympy_reference, *self.sympy_args) \
            if with_sympy else None

    def result(self) -> Reference:
        swept, sweep_failure = _collect(self.sweep_clock, self.sweep_job, _sweep_reference,
                                        self.sweep_args, "the sweep")
        found, sympy_failure = None, None
        if self.with_sympy or swept is None:  # sympy: asked for, or the sweep failed
            found, sympy_failure = _collect(self.clock, self.sympy_job, _sympy_reference,
                                            self.sympy_args, "sympy")
        return _assemble(self.problem, self.kind, self.direction, self.digits, swept,
                         sweep_failure, found, sympy_failure, self.suspects)

    def stop(self) -> None:
        for job in (self.sweep_job, self.sympy_job):
            if job is not None:
                job.stop()


def start_reference(problem: Problem, kind: str = "gradient",
                    direction: Sequence[float] | None = None, digits: int = DIGITS,
                    timeout: float | budget.Budget | None = DEFAULT_SECONDS,
                    with_sympy: bool = True) -> PendingReference:
    """Both routes, or (``with_sympy=False``) the sweep alone, linear in the size of f,
    with sympy only where the sweep fails."""
    return PendingReference(problem, kind, direction, digits, timeout, with_sympy)


def _assemble(problem, kind, direction, digits, swept, sweep_failure, found, sympy_failure,
              suspects) -> Reference:
    shape = shape_of(kind, problem.m, problem.n)
    if swept is None and found is None:
        return Reference(kind, np.full(problem.m, np.nan), np.full(shape, np.nan), digits,
                         failure=f"sympy {sympy_failure}; the {SWEEP} {sweep_failure}",
                         source="none")
    notes: list[str] = []
    if found is not None and swept is not None and problem.program is not None:
        # A program's reference is its tape swept in mpmath; sympy, on the traced path,
        # cross-checks it.
        f, derivative = swept[0], swept[1]
        source, digits = SWEEP, SWEEP_DIGITS
        _cross_check(found[1], derivative, notes)
    elif found is not None:
        f, derivative, sympy_notes = found
        notes += sympy_notes
        source = SYMPY
        if swept is not None:
            _cross_check(derivative, swept[1], notes)
    else:
        f, derivative = swept[0], swept[1]
        if sympy_failure:
            notes.append(f"sympy {sympy_failure}; the reference is the {SWEEP}")
        source, digits = SWEEP, SWEEP_DIGITS
    if np.isnan(f).any():
        return Reference(kind, np.full(problem.m, np.nan), np.full(shape, np.nan), digits,
                         failure=NOT_REAL, source=source)
    slopes = swept[2] if swept is not None else {}
    if swept is None and suspects:
        notes.append("the one-sided slopes at the kink could not be compared (the sweep "
                     f"{sweep_failure})")
    derivative, absent = _remove_absent(problem, kind, direction, derivative, slopes, notes)
    return Reference(kind, f, derivative, digits, notes=tuple(notes), source=source,
                     absent=absent, slopes=slopes)


def _started(clock: budget.Budget, call, *args):
    """A worker for ``call``, unless there is no bound (run it in place later) or no time."""
    left = clock.remaining()
    if left is None or left <= 0:
        return None
    return budget.start(call, *args)


def _collect(clock: budget.Budget, job, call, args, what: str):
    """(result, None), or (None, why there is none)."""
    try:
        if job is None:
            return budget.within(clock, call, *args), None
        return job.result(clock, what), None
    except (budget.TimedOut, Cannot) as exc:
        return None, str(exc)
    except (DiffcompareError, ArithmeticError, ValueError, RecursionError, TypeError) as exc:
        return None, f"failed: {type(exc).__name__}: {exc}"


def _cross_check(found: np.ndarray, swept: np.ndarray, notes: list[str]) -> None:
    both = np.isfinite(found) & np.isfinite(swept)
    if not both.any():
        return
    scale = float(np.max(np.abs(found[both]))) or 1.0
    gap = float(np.max(np.abs(found[both] - swept[both]))) / scale
    if gap > AGREEMENT:
        notes.append(f"sympy and the {SWEEP} disagree by {gap:.1e} (normwise); sympy's "
                     "adaptive precision is taken")


# --- the tape swept in mpmath ------------------------------------------------------------

def _mp_exact(value: Fraction):
    import mpmath

    return mpmath.mpf(value.numerator) / value.denominator


def swept_at(problem: Problem, kind: str, point: Sequence[float]) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """(f, the kind's exact derivative) at another point of the same problem: the tape swept
    in mpmath, in this process (the caller bounds it; descent sweeps every iterate)."""
    f, derivative, _ = _sweep_reference(problem, kind, None, (), point)
    return f, derivative


def _sweep_reference(problem: Problem, kind: str, direction, suspects: Sequence[str],
                     point: Sequence[float] | None = None):
    """(f, the kind's derivative, one-sided slopes at suspect inputs), at 60 digits."""
    import mpmath

    from diffcompare.engine.dual import Dual, new_tag, tangent_of

    if problem.program is not None and kind not in ("hessian", "hvp"):
        return program_reference.program_sweep(problem, kind, direction, suspects,
                                               SWEEP_DIGITS, point)
    tape, m, n = problem.tape, problem.m, problem.n
    point = problem.point if point is None else point
    with mpmath.workdps(SWEEP_DIGITS):
        x = [mpmath.mpf(float(v)) for v in point]
        values = tape.forward(x, exact_constants=_mp_exact)
        f = np.array([real_number(y) for y in tape.output_values(values)])
        v = None if direction is None else [mpmath.mpf(d) for d in direction]
        if kind in ("hessian", "hvp"):
            seeds = [[1 if k == j else 0 for k in range(n)] for j in range(n)] \
                if kind == "hessian" else [v]
            columns = []
            for seed in seeds:
                tag = new_tag()
                dual_values = tape.forward([Dual(xi, si, tag) for xi, si in zip(x, seed)],
                                           exact_constants=_mp_exact)
                adjoints = tape.reverse(dual_values)
                columns.append([tangent_of(adjoints[i], tag) for i in range(n)])
            exact = np.array(columns, dtype=object).T
            exact = exact if kind == "hessian" else exact[:, 0]
        else:
            rows = np.array([[a for a in tape.reverse(values, [1 if k == i else 0
                                                               for k in range(m)])[:n]]
                             for i in range(m)], dtype=object)
            exact = {"gradient": lambda: rows[0], "jacobian": lambda: rows,
                     "jvp": lambda: rows.dot(np.array(v, dtype=object)),
                     "vjp": lambda: np.array(v, dtype=object).dot(rows)}[kind]()
        derivative = np.array([real_number(e) for e in np.ravel(exact)], dtype=float).reshape(
            shape_of(kind, m, n))
        slopes = {}
        for name in suspects:
            j = problem.variables.index(name)

            def f_at(offset: Fraction, j=j):
                shifted = list(x)
                shifted[j] = shifted[j] + _mp_exact(offset)
                return tape.output_values(tape.forward(shifted, exact_constants=_mp_exact))

            for i, pair in enumerate(one_sided_slopes(f_at, point[j])):
                slopes[(i, j)] = pair
    return f, derivative, slopes


def along_coordinate(problem: Problem, index: int) -> tuple[float, float]:
    """The second and third derivatives of f along input ``index``, at 60 digits: nested
    duals through the tape."""
    import mpmath

    from diffcompare.engine.dual import derivative

    tape = problem.tape
    with mpmath.workdps(SWEEP_DIGITS):
        x = [mpmath.mpf(v) for v in problem.point]

        def along(t):
            shifted = list(x)
            shifted[index] = shifted[index] + t
            return tape.output_values(tape.forward(shifted, exact_constants=_mp_exact))[0]

        def second(a):
            return derivative(lambda b: derivative(along, b), a)

        zero = mpmath.mpf(0)
        return real_number(second(zero)), real_number(derivative(second, zero))


def _agree(left: float, right: float) -> bool:
    if not (math.isfinite(left) and math.isfinite(right)):
        return False
    return abs(left - right) <= SLOPE_AGREEMENT * max(1.0, abs(left), abs(right))


def _remove_absent(problem: Problem, kind: str, direction, derivative: np.ndarray,
                   slopes: dict, notes: list[str]):
    """Entries whose one-sided slopes disagree do not exist: nan, with the reason."""
    derivative = np.array(derivative, dtype=float)
    m, n = problem.m, problem.n
    missing: dict[tuple[int, int], str] = {}
    for (i, j), (left, right) in slopes.items():
        if not _agree(left, right):
            output = f"y{i + 1}" if m > 1 else ""
            missing[(i, j)] = (f"d{output}/d{problem.variables[j]} does not exist here: the "
                               f"slope is {left:.6g} from the left and {right:.6g} from the "
                               "right")
            notes.append(missing[(i, j)])
    flat = derivative.reshape(-1)
    absent: list[str | None] = [None] * flat.size
    for k in range(flat.size):
        reasons = [missing[key] for key in entry_inputs(kind, k, m, n, direction)
                   if key in missing]
        if reasons:
            flat[k] = math.nan
            absent[k] = reasons[0]
    return flat.reshape(derivative.shape), tuple(absent)


def entry_inputs(kind: str, k: int, m: int, n: int, direction) -> list[tuple[int, int]]:
    """The (output, input) first partials that entry k of the kind is made of."""
    if kind == "gradient":
        return [(0, k)]
    if kind == "jacobian":
        return [(k // n, k % n)]
    if kind == "jvp":
        return [(k, j) for j in range(n) if direction[j] != 0]
    if kind == "vjp":
        return [(i, k) for i in range(m) if direction[i] != 0]
    if kind == "hessian":
        return [(0, k // n), (0, k % n)]
    return [(0, k)] + [(0, j) for j in range(n) if direction[j] != 0]  # hvp


# --- sympy -------------------------------------------------------------------------------

def _sympy_reference(problem: Problem, kind: str, direction, digits: int):
    """(f, the kind's derivative, notes) from sympy's derivatives at ``digits`` digits."""
    import sympy

    from diffcompare.methods.manual import differentiate
    from diffcompare.methods.sympy_bridge import exact_point, rational, symbols_for, to_sympy

    if problem.program is not None and problem.traced.scalar_operations > CROSS_CHECK_LIMIT:
        raise Cannot(
            f"was not asked: the traced path has {problem.traced.scalar_operations:,} scalar "
            f"operations (sympy cross-checks programs up to {CROSS_CHECK_LIMIT:,})")
    symbols = symbols_for(problem.variables)
    at = exact_point(problem.variables, problem.point, symbols)
    notes: list[str] = []

    def first(out, name):
        d = sympy.diff(to_sympy(out, symbols), symbols[name])
        if d.has(sympy.Derivative):  # sympy could not do it (sign of a function, say)
            notes.append(f"d/d{name}: sympy left the derivative unevaluated; the reference "
                         "uses the manual rules' exact derivative instead")
            d = to_sympy(differentiate(out, name), symbols)
        return d

    outputs = [to_sympy(out, symbols) for out in problem.outputs]
    names = problem.variables
    if kind in ("hessian", "hvp"):
        grad = [first(problem.expr, name) for name in names]
        table = [[sympy.diff(g, symbols[name]) for name in names] for g in grad]
    else:
        table = [[first(out, name) for name in names] for out in problem.outputs]
    v = None if direction is None else [rational(d) for d in direction]
    if kind in ("gradient",):
        wanted = table[0]
    elif kind in ("jacobian", "hessian"):
        wanted = [d for row in table for d in row]
    elif kind in ("jvp", "hvp"):
        wanted = [sympy.Add(*(d * vj for d, vj in zip(row, v))) for row in table]
    else:  # vjp
        wanted = [sympy.Add(*(table[i][j] * v[i] for i in range(problem.m)))
                  for j in range(problem.n)]
    f = np.array([high_precision(out, at, digits) for out in outputs])
    values = np.array([high_precision(d, at, digits) for d in wanted], dtype=float)
    return f, values.reshape(shape_of(kind, problem.m, problem.n)), notes


SIMPLIFY_LIMIT = 400  # operations; beyond this, deciding "exactly zero?" is left to evalf
DEEP_PRECISION = 2000  # evalf's maxn (bits) when the default is not enough


def high_precision(sexpr, at: dict, digits: int = DIGITS) -> float:
    """sexpr at the point, to ``digits`` digits, then rounded once to float64; nan where
    the value is not a real number (outside the domain, a pole).

    evalf cannot tell an exact zero from a tiny number (sign(y) - 1 at y = 0.4 came back as
    6e-173): when it says so, the point is substituted exactly and sympy is asked whether
    the result is zero; otherwise evalf tries again with far more precision."""
    import sympy

    try:
        return real_number(sexpr.evalf(digits, subs=at, strict=True))
    except sympy.core.evalf.PrecisionExhausted:
        exact = sexpr.xreplace(at)
        if exact.is_zero or (sympy.count_ops(exact) <= SIMPLIFY_LIMIT
                             and sympy.simplify(exact) == 0):
            return 0.0
        return real_number(sexpr.evalf(digits, subs=at, maxn=DEEP_PRECISION))
