"""Run the methods, compute the exact reference, and measure every method's error and cost.
Never prints: render/ and plots/ show what this returns.

Each method is prepared once for the problem and asked for one kind of derivative; the
exact reference of that kind is started first, in the background, so sympy works on the
second core while the float methods run here. Statuses are per entry of the derivative.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from diffcompare.analysis import insight
from diffcompare.analysis.diagnostics import NON_DIFFERENTIABLE, OUTSIDE_DOMAIN, OVERFLOW, diagnose
from diffcompare.analysis.reference import NOT_REAL, Reference, start_reference, tape_rounding
from diffcompare.errors import COMPUTATION_FAILURES, Cannot, InputError
from diffcompare.methods import (
    KINDS,
    METHOD_NAMES,
    REGISTRY,
    Derivative,
    Kind,
    Options,
    describe,
    kind_of,
    sympy_bridge,
)
from diffcompare.methods.finite_differences import STEP_BELOW_SPACING
from diffcompare.methods.kinds import check_direction
from diffcompare.methods.registry import EXACT_DOUBT, doubtful
from diffcompare.problems.base import BaseProblem as Problem
from diffcompare.runtime.budget import OutOfBudget

FLOAT_DIGITS = 16  # float64 carries 15.95 decimal digits; a perfect result shows 16
# What a method or the reference may run into; each becomes a reason, never a traceback.

# An entry's relative error is measured against |r|, or against this where |r| is smaller
# (an exact 0, say): the smallest normal double, so any wrong digit shows.
ENTRY_FLOOR = float(np.finfo(float).tiny)
OK = "ok"
UNRELIABLE = "unreliable"  # a number, but the method has a reason to doubt it (it says which)
STATUSES = (OK, UNRELIABLE, OUTSIDE_DOMAIN, OVERFLOW, NON_DIFFERENTIABLE, STEP_BELOW_SPACING)
WITH_A_NUMBER = (OK, UNRELIABLE)  # any other status carries no number (design decision 11)


@dataclass(frozen=True)
class Row:
    """One method's result with its errors against the reference, entry by entry."""

    result: Derivative
    abs_error: np.ndarray  # per entry, C order; nan where either has no number
    max_abs_error: float
    rel_error: float  # normwise: max|d - r| / max|r|, over the entries both have
    digits: int | None  # correct significant digits, from rel_error
    status: tuple[str, ...] = ()  # per entry, one of STATUSES
    # per entry: |d - r| / max(|r|, ENTRY_FLOOR), so a 1e106 entry cannot hide behind a
    # 1e304 norm; and the entry where it is largest (None when no entry has both numbers)
    entry_error: np.ndarray | None = None
    worst: int | None = None

    @property
    def worst_entry_error(self) -> float:
        return math.nan if self.worst is None else float(self.entry_error[self.worst])

    @property
    def method(self) -> str:
        return self.result.method


@dataclass(frozen=True)
class Comparison:
    problem: Problem
    reference: Reference
    rows: tuple[Row, ...]
    warnings: tuple[str, ...]  # about the point itself, whatever the method
    kind: str = "gradient"
    direction: tuple[float, ...] | None = None  # v for jvp and hvp, r for vjp
    left_out: tuple[str, ...] = ()  # methods that do not compute this kind
    insight: dict = field(default_factory=dict)  # what the kind teaches (analysis.insight)
    # work spent once for several rows' honesty, in none of their columns: {"rounding": the
    # rounding-bound sweep's ball operations, seconds (as the time columns), the methods}
    shared_checks: dict = field(default_factory=dict)

    def row(self, method: str) -> Row:
        for row in self.rows:
            if row.method == method:
                return row
        raise KeyError(method)


def select_methods(names: str | Sequence[str] | None, kind: str = "gradient"
                   ) -> tuple[str, ...]:
    """Method names from ``--methods a,b`` (when None: every method that computes the kind)."""
    if names is None:
        return tuple(name for name in METHOD_NAMES if REGISTRY[name].can(kind))
    chosen = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
    chosen = [n for n in chosen if n]
    if not chosen:
        raise InputError(f"--methods names no method; choose from {', '.join(METHOD_NAMES)}")
    unknown = [n for n in chosen if n not in REGISTRY]
    if unknown:
        raise InputError(f"unknown method {', '.join(unknown)}; "
                         f"choose from {', '.join(METHOD_NAMES)}")
    return tuple(dict.fromkeys(chosen))


def compare(
    problem: Problem,
    methods: str | Sequence[str] | None = None,
    options: Options | None = None,
    extra: Sequence[Derivative] = (),
    kind: str | Kind = "gradient",
    direction: Sequence[float] | None = None,
    partner: Sequence[float] | None = None,
) -> Comparison:
    """Every selected method's ``kind`` of derivative at the problem's point, with errors
    against the exact reference. ``extra`` rows (the user's own ``--given`` derivatives)
    are measured the same way. ``partner`` is the other vector of the dot-product test
    (r for a jvp, v for a vjp; default all ones)."""
    kind = kind_of(kind)
    direction = check_direction(problem, kind, direction)
    if kind.one_output and problem.m != 1:
        raise InputError(f"a {kind.name} needs a function with one output; f has "
                         f"{problem.m} (ask for the jacobian)")
    options = options or Options()
    # An empty selection (a case whose methods the command line excluded) runs none.
    chosen = () if isinstance(methods, tuple) and not methods else \
        select_methods(methods, kind)
    # (a route made for second derivatives only, H·v's, is no news beside a gradient)
    left_out = tuple(n for n in METHOD_NAMES if n not in chosen and not REGISTRY[n].can(kind)
                     and (kind.order == 2 or any(KINDS[k].order == 1
                                                 for k in REGISTRY[n].kinds))) \
        if methods is None else ()
    # sympy's derivative is asked for where a method that uses sympy is shown: it then
    # cross-checks the sweep in balls. sympy is imported once, here, so the workers forked
    # below inherit it.
    with_sympy = any(REGISTRY[name].needs_sympy for name in chosen) and options.budget != 0
    if with_sympy:
        sympy_bridge.imported()
    pending = start_reference(problem, kind, direction, options.budget, with_sympy)
    try:
        results = [run_method(name, problem, options, kind, direction) for name in chosen]
        reference = _reference(pending, problem, kind)
    finally:
        pending.stop()
    diagnostics = diagnose(problem)
    base = entry_status(problem, kind, direction, variable_status(problem, diagnostics,
                                                                  reference), reference)
    rows = []
    rounding, shared_checks = _tape_rounding(problem, kind, direction, results)
    for found in (*results, *extra):
        status = _status(base, found)
        if rounding is not None and describe(found.method).rounds_as_tape:
            found, status = _rounding_doubts(found, status, rounding)
        if reference.past_the_rules and describe(found.method).exact:
            found, status = _past_the_rules(found, status, reference.past_the_rules)
        rows.append(replace(measure(without_doubtful(found, status), reference),
                            status=status))
    rows = tuple(rows)
    warnings = (*(str(d) for d in diagnostics), *problem.rule_disagreements())
    return Comparison(problem, reference, rows, warnings,
                      kind.name, direction, left_out,
                      insight.of(kind, problem, direction, partner, rows, reference, options),
                      shared_checks)


CANNOT, OUT_OF_BUDGET, ERROR = "cannot", "out-of-budget", "error"  # why a row has no number


def failure_of(exc: Exception) -> tuple[str, str]:
    """(the reason shown, its kind): a method that cannot by its nature, work past the
    budget, or an error."""
    if isinstance(exc, Cannot):
        return str(exc), CANNOT
    if isinstance(exc, OutOfBudget):
        return f"{type(exc).__name__}: {exc}", OUT_OF_BUDGET
    return f"{type(exc).__name__}: {exc}", ERROR


def _reference(pending, problem: Problem, kind: Kind) -> Reference:
    """The reference, or, where it cannot be made (out of budget, say), why not."""
    try:
        return pending.result()
    except COMPUTATION_FAILURES as exc:
        shape = kind.shape(problem.m, problem.n)
        reason, why = failure_of(exc)
        return Reference(kind.name, np.full(problem.m, np.nan), np.full(shape, np.nan),
                         failure=reason, failure_kind=why, source="none")


def run_method(name: str, problem: Problem, options: Options, kind: str | Kind = "gradient",
               direction: Sequence[float] | None = None) -> Derivative:
    """One method, prepared and asked for ``kind``, timed; a failure becomes a result that
    carries its reason, and floating-point trouble becomes the method's own warnings."""
    kind = kind_of(kind)
    method = REGISTRY[name]
    shape = kind.shape(problem.m, problem.n)
    if not method.can(kind):
        computes = ", ".join(k for k in KINDS if method.can(k))
        return Derivative.failed(name, kind.name, shape, problem.m,
                                 f"cannot: {name} does not compute a {kind.name} (it "
                                 f"computes {computes})", CANNOT)
    start = time.perf_counter()
    trouble: set[str] = set()
    prepared = None
    try:
        with np.errstate(all="call", call=lambda kind_, flag: trouble.add(kind_)), \
                warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            prepared = method.prepare(problem, options)
            found = prepared.derivative(kind, direction=direction)
        trouble.update(str(w.message) for w in caught)
    except COMPUTATION_FAILURES as exc:
        return Derivative.failed(name, kind.name, shape, problem.m, *failure_of(exc))
    finally:
        if prepared is not None:
            prepared.close()
    notes = tuple(f"floating point: {t} during the computation" for t in sorted(trouble))
    return replace(found, warnings=found.warnings + notes,
                   cost=replace(found.cost, seconds=time.perf_counter() - start))


def variable_status(problem: Problem, diagnostics, reference: Reference) -> list[str]:
    """What is wrong at the point for each input, whatever the method: outside a domain
    or overflow on the way from that input."""
    status = [OK] * problem.n
    not_real = reference.failure == NOT_REAL
    if not diagnostics and not not_real:
        return status
    for i in range(problem.n):
        kinds = {d.kind for d in diagnostics if d.touches(problem, i)}
        if OUTSIDE_DOMAIN in kinds or not_real:
            status[i] = OUTSIDE_DOMAIN
        elif OVERFLOW in kinds:
            status[i] = OVERFLOW
    return status


def entry_status(problem: Problem, kind: Kind, direction, by_input: list[str],
                 reference: Reference) -> list[str]:
    """Per entry of the kind: the worst status of the inputs it is made of (through the
    outputs that depend on them), or "non-differentiable here" where it does not exist."""
    size = kind.size(problem.m, problem.n)
    troubled = any(s != OK for s in by_input)
    found = []
    for k in range(size):
        status = OK
        if troubled:
            for i, j in kind.entry_inputs(k, problem.m, problem.n, direction):
                if by_input[j] != OK and problem.depends(i, j):
                    status = by_input[j]
                    break
        if status == OK and reference.absent and reference.absent[k]:
            status = NON_DIFFERENTIABLE
        found.append(status)
    return found


def _tape_rounding(problem: Problem, kind: Kind, direction, results):
    """The rounding bound of a float sweep of f's tape, when a method that rounds so ran,
    and what it cost ({} when it did not run)."""
    bounded = [r.method for r in results if describe(r.method).rounds_as_tape and not r.failure]
    if not bounded:
        return None, {}
    started = time.perf_counter()  # as the methods' time columns are measured
    rounding = tape_rounding(problem, kind, direction)
    if rounding is None:
        return None, {}
    operations = problem.tape.scalar_operations * kind.reference_passes(problem.m, problem.n)
    return rounding, {"rounding": {"ball_operations": operations, "methods": bounded,
                                   "seconds": time.perf_counter() - started}}


def _rounding_doubts(found: Derivative, status: tuple[str, ...], rounding: np.ndarray):
    """Entries whose rounding bound passes EXACT_DOUBT of the largest entry are unreliable,
    the bound their estimate (sqrt(1 - x**2) near 1: 1 - x·x cancels digits)."""
    if found.failure:
        return found, status
    doubted, scale = doubtful(found.value, rounding, EXACT_DOUBT, rounding=True)
    flat = np.ravel(doubted)
    marked = tuple(UNRELIABLE if s == OK and flat[k] else s for k, s in enumerate(status))
    if marked == status:
        return found, status
    worst = float(np.max(np.ravel(rounding)[flat]))
    estimate = rounding if found.error_estimate is None else np.maximum(
        np.asarray(found.error_estimate, dtype=float).reshape(rounding.shape), rounding)
    warning = (f"{UNRELIABLE}: rounding in sweeping f's tape in floats may reach {worst:.2g} "
               f"(the same sweep in balls at 53 bits), above {EXACT_DOUBT:g} of {scale:.3g}")
    return replace(found, warnings=(*found.warnings, warning), error_estimate=estimate), marked


PAST_THE_RULES = (f"{UNRELIABLE}: the point sits on a kink, and the rules take its second "
                  "derivative as 0 (d²/dx² |x|² at 0 comes out 0, not 2)")


def _past_the_rules(found: Derivative, status: tuple[str, ...], past: tuple[bool, ...]):
    """An exact method's entries that pass through an operation's kink at second order:
    the rules (and AD, and sympy) take the kink's second derivative as 0, so whatever they
    give there is not vouched for: unreliable, and nothing bounds it (an infinite estimate)."""
    marked = tuple(UNRELIABLE if s == OK and p else s for s, p in zip(status, past))
    if marked == status:
        return found, status
    where = np.array(past).reshape(np.shape(found.value))
    estimate = np.where(where, np.inf, np.nan if found.error_estimate is None
                        else np.asarray(found.error_estimate, dtype=float))
    return replace(found, warnings=(*found.warnings, PAST_THE_RULES),
                   error_estimate=estimate), marked


def _status(base: list[str], result: Derivative) -> tuple[str, ...]:
    """The point's status, else the method's own issue, else what its numbers show; one
    pass over arrays (a gradient may have a million entries)."""
    size = len(base)
    status = np.array(base, dtype=object)
    values = np.full(size, np.nan)
    flat = np.ravel(np.asarray(result.value, dtype=float))[:size]
    values[: flat.size] = flat
    free = status == OK
    if result.issues:
        issues = np.array(list(result.issues)[:size] + [None] * (size - len(result.issues)),
                          dtype=object)
        own = free & (issues != None)  # noqa: E711 - elementwise, on an object array
        status[own] = issues[own]
        free &= ~own
    status[free & np.isinf(values)] = OVERFLOW
    if not result.failure:  # a stencil point left the domain
        status[free & np.isnan(values)] = OUTSIDE_DOMAIN
    return tuple(status.tolist())


def without_doubtful(result: Derivative, status: Sequence[str]) -> Derivative:
    """The result with no number where its status is neither ok nor unreliable: a reader
    of the JSON never gets the garbage a method computed outside the domain."""
    value = np.array(result.value, dtype=float)
    flat = value.reshape(-1)
    shown = np.isin(np.array(status, dtype=object), WITH_A_NUMBER)
    flat[: len(status)][~shown[: flat.size]] = np.nan
    return replace(result, value=value)


def measure(result: Derivative, reference: Reference) -> Row:
    """Absolute, normwise relative and entry-wise relative errors and correct digits of a
    result, over the entries both the result and the reference have (an entry the
    reference cannot give, at a kink say, or the method has no number for, is left out)."""
    got = np.ravel(np.asarray(result.value, dtype=float))
    want = np.ravel(np.asarray(reference.derivative, dtype=float))
    if got.size != want.size:
        return Row(result, np.full(want.size, np.nan), math.nan, math.nan, None)
    with np.errstate(all="ignore"):
        abs_error = np.abs(got - want)
        entry_error = abs_error / np.maximum(np.abs(want), ENTRY_FLOOR)
    both = np.isfinite(want) & np.isfinite(got)
    if not both.any():
        return Row(result, abs_error, math.nan, math.nan, None, entry_error=entry_error)
    max_abs = float(abs_error[both].max())
    scale = float(np.abs(want[both]).max())
    rel = max_abs / scale if scale > 0 else max_abs
    worst = int(np.flatnonzero(both)[np.argmax(entry_error[both])])
    return Row(result, abs_error, max_abs, rel, correct_digits(rel), entry_error=entry_error,
               worst=worst)


def correct_digits(rel_error: float) -> int | None:
    """Significant digits that agree with the reference: -log10 of the relative error."""
    if math.isnan(rel_error):
        return None
    if rel_error == 0:
        return FLOAT_DIGITS
    if not math.isfinite(rel_error) or rel_error >= 1:  # no digit right (an overflow, say)
        return 0
    return max(0, min(FLOAT_DIGITS, math.floor(-math.log10(rel_error))))
