"""The method registry: every way of differentiating, behind one call shape.

A method is registered under a stable name (used in flags, JSON and tables) with what it
can do: its family, whether it is exact, which kinds of derivative it computes, what each
costs in words, its default tolerance. It is *prepared* once per problem (tape recorded,
derivative trees built, sympy asked) and then asked for a kind at one point or many:

    prepared = REGISTRY["reverse-ad"].prepare(problem, Options())
    prepared.derivative("hessian")            # at the problem's point
    prepared.derivative("gradient", point=x)  # anywhere else, nothing recorded again

compare(), the CLI and the tests loop over ``REGISTRY``; no other module decides anything
by a method's name. Importing ``diffcompare.methods`` fills it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from diffcompare.errors import Cannot, InputError, MethodError
from diffcompare.methods.kinds import KINDS, Kind, kind_of
from diffcompare.problems.base import BaseProblem as Problem
from diffcompare.runtime.budget import CALL_SECONDS, DEFAULT_BUDGET, LEAST_SECONDS, Budget, words


@dataclass(frozen=True)
class Options:
    """Knobs shared by the methods."""

    eps: float | None = None  # finite-difference step; None: each scheme's default rule
    # CPU seconds each piece of work may take (a method's derivative, the exact reference,
    # sympy's derivatives, a call of the user's code); None: no bound (the library only).
    budget: float | None = DEFAULT_BUDGET

    def clock(self, sympy: bool = False) -> Budget:
        """A fresh allowance for one piece of work, started now. A budget of 0 skips sympy
        (work that needs it is not run, and says so) and leaves all other work the least
        allowance, as the reference's sweep has its own."""
        if self.budget is None:
            return Budget(None, started=0.0)  # no bound: no CPU clock to read
        return Budget(LEAST_SECONDS if self.budget == 0 and not sympy else self.budget)


@dataclass(frozen=True)
class Cost:
    """What a derivative cost. A dual, complex or stencil evaluation of f counts as one
    evaluation; a pass is one sweep over the tape or over the derivative expressions."""

    f_evals: int = 0
    forward_passes: int = 0
    reverse_passes: int = 0
    seconds: float = 0.0
    # Evaluations the tool spent checking the method's answer (a kink's one-sided slopes,
    # a second complex step), beyond what the method itself needs: its cost stays its own.
    check_evals: int = 0

    @property
    def passes(self) -> int:
        return self.forward_passes + self.reverse_passes

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.f_evals + other.f_evals, self.forward_passes + other.forward_passes,
                    self.reverse_passes + other.reverse_passes, self.seconds + other.seconds,
                    self.check_evals + other.check_evals)


@dataclass(frozen=True)
class Derivative:
    """One method's derivative of one kind at one point.

    ``value`` has the kind's shape: gradient (n,), jacobian (m, n), jvp (m,), vjp (n,),
    hessian (n, n), hvp (n,). ``f`` is f(x), shape (m,). ``issues`` holds, per entry (C
    order), what the method itself ran into ("step below spacing", ...) or None."""

    method: str
    kind: str
    value: np.ndarray
    f: np.ndarray
    cost: Cost
    warnings: tuple[str, ...] = ()
    failure: str | None = None  # the method could not run; the values are then nan
    # why: "cannot" (by its nature), "out-of-budget" (its work passed the budget), "error"
    failure_kind: str | None = None
    issues: tuple[str | None, ...] | None = None
    error_estimate: np.ndarray | None = None  # the method's own estimate (richardson)
    steps: tuple[float, ...] | None = None  # finite-difference steps actually used
    size: int | None = None  # operations in the derivative expressions or on the tape

    @classmethod
    def failed(cls, method: str, kind: str, shape: tuple[int, ...], m: int,
               reason: str, failure_kind: str = "error") -> Derivative:
        return cls(method, kind, np.full(shape, np.nan), np.full(m, np.nan), Cost(),
                   failure=reason, failure_kind=failure_kind)

    @property
    def entries(self) -> tuple[float, ...]:
        """Every entry, flat in C order."""
        return tuple(np.ravel(np.asarray(self.value, dtype=float)).tolist())

    @property
    def gradient(self) -> tuple[float, ...]:
        return self.entries

    @property
    def f_value(self) -> float:
        """f(x) for a single output."""
        return float(self.f[0]) if self.f.size == 1 else float("nan")

    # The cost under the names the JSON has always used.
    @property
    def f_evals(self) -> int:
        return self.cost.f_evals

    @property
    def passes(self) -> int:
        return self.cost.passes

    @property
    def seconds(self) -> float:
        return self.cost.seconds


EXACT_DOUBT = 1e-12  # an exact method doubts an entry whose rounding may pass this, relative


def doubtful(values, bounds, threshold: float, rounding: bool = False):
    """Entries whose error bound passes ``threshold`` relative to the largest entry.
    Where every entry is 0: a finite difference's estimate is held to ``threshold``
    absolutely, as compare's measure() holds an error where the reference is 0; a rounding
    bound (``rounding``) above 0 means the zero itself may be rounding (sympy's
    1 - tanh(u)**2 is exactly 0 in floats at u = 19.8, the derivative 2.4e-16), so no
    digit of it can be vouched for."""
    values, bounds = np.abs(np.asarray(values, dtype=float)), np.asarray(bounds, dtype=float)
    finite = values[np.isfinite(values)]
    scale = float(finite.max()) if finite.size else 0.0
    if scale == 0 and not rounding:
        scale = 1.0
    with np.errstate(invalid="ignore"):
        return ~(bounds <= threshold * scale) & np.isfinite(values), scale


def rounding_doubts(tape, values, shape: tuple[int, ...]) -> tuple[tuple, tuple | None]:
    """For a method that evaluates derivative expressions (manual, symbolic): the entries
    whose first-order rounding bound exceeds EXACT_DOUBT of the largest entry are
    unreliable (sympy's 1/sqrt(1 - x**2) near 1 loses five digits in the subtraction)."""
    size = int(np.prod(shape))
    found = np.array([float(values[k]) for k in tape.outputs][:size])
    bounds = np.array(tape.rounding_bounds(values)[:size])
    doubted, scale = doubtful(found, bounds, EXACT_DOUBT, rounding=True)
    if not doubted.any():
        return (), None
    worst = float(np.max(bounds[doubted]))
    warning = (f"unreliable: rounding in evaluating its derivative expressions may reach "
               f"{worst:.2g}, above {EXACT_DOUBT:g} of {scale:.3g}")
    return (warning,), tuple("unreliable" if d else None for d in doubted)


def changed(found, as_class=None, **changes):
    """A copy of a frozen dataclass with some fields changed (as ``as_class``, a subclass
    with the same fields, where given): dataclasses.replace without its __init__ call (Cost
    and Derivative check nothing there), which costs more than a small gradient's own
    bookkeeping."""
    copy = object.__new__(as_class or type(found))
    copy.__dict__.update(found.__dict__, **changes)
    return copy


class Prepared:
    """A method prepared for one problem. Subclasses give ``_jacobian`` and, where they
    can, native routes for the other kinds; what they lack is composed here, with the cost
    of the composition (J·v from a whole Jacobian costs what the Jacobian costs)."""

    method: str

    def __init__(self, problem: Problem, options: Options):
        self.problem = problem
        self.options = options
        self.budget = options.clock()  # this method's own allowance, started now

    # -- the one entry point
    def derivative(self, kind, point: Sequence[float] | None = None,
                   direction: Sequence[float] | None = None) -> Derivative:
        kind = kind_of(kind)
        x = self.problem.point_array if point is None else np.asarray(point, dtype=float)
        v = None if direction is None else np.asarray(direction, dtype=float)
        start = time.perf_counter()
        if self.budget.seconds is not None:
            # counted before it starts, and refused when it would not fit: the call itself,
            # and the passes or evaluations the method predicts (without a budget, nothing
            # is counted, and nothing predicted)
            predicted = self.work(kind, x)
            seconds, what = predicted if predicted is not None else (0.0, "the call")
            self.budget.charge(CALL_SECONDS + seconds, lambda: f"{self.method}'s {kind.name} "
                               f"({words(what)})")
        found = self._compute(kind, x, v)
        return changed(found, kind=kind.name,
                        cost=changed(found.cost, seconds=time.perf_counter() - start))

    def work(self, kind: Kind, x: np.ndarray) -> tuple[float, str | Callable[[], str]] | None:
        """The CPU seconds the kind will take at x, predicted from what it will do, and what
        was counted, in words (or a call that makes them, read only for a refusal); None
        when it cannot be told before (the CPU clock bounds it while it runs)."""
        return None

    def _compute(self, kind: Kind, x: np.ndarray, v: np.ndarray | None) -> Derivative:
        """The method's own route for the kind (a ``_<kind>`` method), or the kind composed
        from the one it is made of (J·v from the whole Jacobian costs what the Jacobian
        costs), each entry keeping the issues of the entries it is made of."""
        if kind.one_output:
            self.require_one_output(kind.name)
        native = getattr(self, f"_{kind.name}", None)
        if native is not None:
            return native(x, v) if kind.direction else native(x)
        if kind.composed_from is None:
            raise MethodError(f"{self.method} does not compute {kind.title}")
        base = self._compute(KINDS[kind.composed_from], x, None)
        m, n = self.problem.m, self.problem.n
        issues = None
        if base.issues is not None:
            issues = tuple(next((base.issues[b] for b in kind.base_entries(k, m, n, v)
                                 if base.issues[b]), None) for k in range(kind.size(m, n)))
        # Every composition is linear in the base kind, so the estimates' bound composes too.
        estimate = None if base.error_estimate is None else np.asarray(kind.compose(
            np.abs(base.error_estimate), None if v is None else np.abs(v)))
        return changed(base, value=np.asarray(kind.compose(base.value, v)), issues=issues,
                       error_estimate=estimate)

    def close(self) -> None:
        """Stop any work still running in the background (a sympy worker, say)."""

    def require_one_output(self, kind: str) -> None:
        if self.problem.m != 1:
            raise InputError(f"a {kind} needs a function with one output; f has "
                             f"{self.problem.m}")

    def result(self, kind: str, value, f, cost: Cost, **extra) -> Derivative:
        return Derivative(self.method, kind, np.asarray(value, dtype=float),
                          np.atleast_1d(np.asarray(f, dtype=float)), cost, **extra)


class EvaluatesExpressions(Prepared):
    """A method whose numbers come from evaluating derivative expressions (manual,
    symbolic): it evaluates their tape in floats, and bounds that evaluation's rounding.
    It needs one formula for every point: a program whose path depends on the values of
    its inputs has none, and the method says where."""

    def __init__(self, problem: Problem, options: Options):
        super().__init__(problem, options)
        if problem.conditions:
            first = problem.conditions[0]
            raise Cannot(f"cannot: {first.describe()} (no one formula holds at every point)")

    def _evaluate(self, tape, x: np.ndarray) -> np.ndarray:
        """Outputs of a tape of derivative expressions at x, keeping its structural zeros
        (0·∞ = 0 at a removable point, as in both AD modes)."""
        with np.errstate(all="ignore"):
            values = tape.forward([float(v) for v in x], structural_zeros=True)
        self._last = (tape, values)
        return np.array([float(values[k]) for k in tape.outputs])

    def _doubts(self, shape: tuple[int, ...]) -> tuple[tuple, tuple | None]:
        """(warnings, issues): the entries whose rounding bound, over the derivative
        expressions just evaluated, exceeds EXACT_DOUBT of the largest entry."""
        return rounding_doubts(*self._last, shape)

    def _from_tape(self, kind: str, tape, x: np.ndarray, shape: tuple[int, ...],
                   size: int | None) -> Derivative:
        """The kind's entries from a tape of derivative expressions: evaluated, their
        rounding bounded, f beside them; one evaluation of each expression."""
        value = self._evaluate(tape, x)[: int(np.prod(shape))].reshape(shape)
        warnings, issues = self._doubts(value.shape)
        with np.errstate(all="ignore"):
            f = np.array([float(v) for v in self.problem.tape_at(x).value(x)])
        return self.result(kind, value, f, Cost(f_evals=1, forward_passes=value.size),
                           warnings=warnings, issues=issues, size=size)


@dataclass(frozen=True)
class Method:
    name: str
    family: str
    exact: bool  # exact up to rounding (the tight tolerance applies)
    kinds: frozenset[str]  # the kinds it computes
    cost: dict[str, str]  # per kind, what it costs, in words
    rtol: float  # default relative tolerance of `check`, from the method's error (check.py)
    prepare: Callable[[Problem, Options], Prepared] | None = field(repr=False)
    step_order: int | None = None  # finite differences: the order p of the truncation error
    needs_sympy: bool = False  # it runs sympy (so its comparison cross-checks with sympy)
    # The seeds' law for a gradient: time ∝ n^law · cost(f) (None: no law stated).
    scaling_law: int | None = None
    in_scale: bool = False  # among `scale`'s default methods
    sweeps_tape: bool = False  # its passes are sweeps of the function's own tape (AD)
    # Its numbers are f's tape swept in floats (AD, complex step): it rounds as that sweep
    # does, so the same sweep in balls at 53 bits bounds its rounding (analysis/reference).
    rounds_as_tape: bool = False
    # It keeps the code it writes for a function, and the library runs that code again at
    # the next call with inputs of the same shapes (reverse-ad-compiled).
    reuses_code: bool = False

    def can(self, kind) -> bool:
        """It has a route for the kind, or for the kind it is composed from (a method
        that gives the Hessian gives H·v): a new composed kind needs no method to change."""
        kind = kind_of(kind)
        return kind.name in self.kinds or (kind.composed_from is not None
                                           and self.can(kind.composed_from))


REGISTRY: dict[str, Method] = {}
# Rows that are not methods the tool runs (the user's own derivatives): described the same
# way, so tables, JSON and check read every row's facts from one place.
ROWS: dict[str, Method] = {}


def describe(name: str) -> Method:
    """The facts of a row: a registered method, or a row such as "given"."""
    return REGISTRY[name] if name in REGISTRY else ROWS[name]


def register(name: str, family: str, exact: bool, cost: dict[str, str], rtol: float,
             step_order: int | None = None, **facts):
    """Class decorator: add a Prepared subclass to the registry under its stable name, with
    what it can do and the facts the studies read (needs_sympy, scaling_law, in_scale)."""

    def decorate(prepared: type[Prepared]):
        prepared.method = name
        REGISTRY[name] = Method(name, family, exact, frozenset(cost), cost, rtol, prepared,
                                step_order, **facts)
        return prepared

    return decorate
