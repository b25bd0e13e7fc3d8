"""Run the methods, compute the exact reference, and measure every method's error and cost.
Never prints: render.py and plots.py show what this returns."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from diffcompare.analysis.diagnostics import NON_DIFFERENTIABLE, OUTSIDE_DOMAIN, OVERFLOW, diagnose
from diffcompare.analysis.reference import Reference, exact_reference
from diffcompare.errors import DiffcompareError, InputError
from diffcompare.methods import METHOD_NAMES, REGISTRY, MethodResult, Options
from diffcompare.methods.finite_differences import STEP_BELOW_SPACING
from diffcompare.problem import Problem

FLOAT_DIGITS = 16  # float64 carries 15.95 decimal digits; a perfect result shows 16
# What a method or the reference may run into; each becomes a reason, never a traceback.
COMPUTATION_FAILURES = (DiffcompareError, ArithmeticError, ValueError, RecursionError)


OK = "ok"
STATUSES = (OK, OUTSIDE_DOMAIN, OVERFLOW, NON_DIFFERENTIABLE, STEP_BELOW_SPACING)


@dataclass(frozen=True)
class Row:
    """One method's result with its errors against the reference."""

    result: MethodResult
    abs_error: tuple[float, ...]
    max_abs_error: float
    rel_error: float  # normwise: max|g - r| / max|r|
    digits: int | None  # correct significant digits, from rel_error
    status: tuple[str, ...] = ()  # per component, one of STATUSES

    @property
    def method(self) -> str:
        return self.result.method


@dataclass(frozen=True)
class Comparison:
    problem: Problem
    reference: Reference
    rows: tuple[Row, ...]
    warnings: tuple[str, ...]  # about the point itself, whatever the method

    def row(self, method: str) -> Row:
        for row in self.rows:
            if row.method == method:
                return row
        raise KeyError(method)


def select_methods(names: str | Sequence[str] | None) -> tuple[str, ...]:
    """Method names from ``--methods a,b`` (all registered methods when None)."""
    if names is None:
        return METHOD_NAMES
    chosen = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
    unknown = [n for n in chosen if n not in REGISTRY]
    if unknown or not chosen:
        raise InputError(f"unknown method {', '.join(unknown) or '(none given)'}; "
                         f"choose from {', '.join(METHOD_NAMES)}")
    return tuple(dict.fromkeys(chosen))


def run_method(name: str, problem: Problem, options: Options) -> MethodResult:
    """One method, timed; a failure becomes a result carrying its reason."""
    start = time.perf_counter()
    try:
        result = REGISTRY[name].run(problem, options)
    except COMPUTATION_FAILURES as exc:
        return MethodResult.failed(name, problem.n, f"{type(exc).__name__}: {exc}")
    return replace(result, seconds=time.perf_counter() - start)


def compare(
    problem: Problem,
    methods: str | Sequence[str] | None = None,
    options: Options | None = None,
    extra: Sequence[MethodResult] = (),
) -> Comparison:
    """Every selected method on ``problem``, with errors against the exact reference.
    ``extra`` rows (the user's own ``--given`` derivatives) are measured the same way."""
    options = options or Options()
    # An empty selection (a case whose methods the command line excluded) runs none.
    chosen = () if methods is not None and not len(methods) else select_methods(methods)
    results = [run_method(name, problem, options) for name in chosen]
    reference = _reference(problem, options)
    diagnostics = diagnose(problem)
    point = point_status(problem, diagnostics, reference)
    rows = tuple(replace(measure(r, reference.gradient), status=_status(point, r))
                 for r in (*results, *extra))
    return Comparison(problem, reference, rows, tuple(str(d) for d in diagnostics))


def _reference(problem: Problem, options: Options) -> Reference:
    try:
        return exact_reference(problem, timeout=options.timeout)
    except COMPUTATION_FAILURES as exc:
        nan = math.nan
        return Reference(nan, (nan,) * problem.n, failure=f"{type(exc).__name__}: {exc}")


def point_status(problem: Problem, diagnostics, reference: Reference) -> list[str]:
    """What is wrong at the point for each partial, whatever the method: outside a domain
    or overflow on the way from that input, or no derivative there at all."""
    status = [OK] * problem.n
    for i, name in enumerate(problem.variables):
        kinds = {d.kind for d in diagnostics if name in d.variables}
        if OUTSIDE_DOMAIN in kinds or reference.failure:
            status[i] = OUTSIDE_DOMAIN
        elif OVERFLOW in kinds:
            status[i] = OVERFLOW
        elif math.isnan(reference.gradient[i]) and NON_DIFFERENTIABLE in kinds:
            status[i] = NON_DIFFERENTIABLE
    return status


def _status(point: list[str], result: MethodResult) -> tuple[str, ...]:
    """The point's status, else the method's own issue, else what its numbers show."""
    status = []
    for i, base in enumerate(point):
        issue = result.issues[i] if result.issues else None
        value = result.gradient[i] if i < len(result.gradient) else math.nan
        if base != OK:
            status.append(base)
        elif issue:
            status.append(issue)
        elif math.isinf(value):
            status.append(OVERFLOW)
        elif math.isnan(value) and not result.failure:
            status.append(OUTSIDE_DOMAIN)  # a stencil point left the domain
        else:
            status.append(OK)
    return tuple(status)


def measure(result: MethodResult, reference: Sequence[float]) -> Row:
    """Absolute, normwise relative error and correct digits of a result, over the partials
    that exist (a partial the reference cannot give, at a kink say, is left out)."""
    abs_error = tuple(abs(g - r) for g, r in zip(result.gradient, reference))
    known = [(e, abs(r)) for e, r in zip(abs_error, reference) if math.isfinite(r)]
    if not known or any(math.isnan(e) for e, _ in known):
        return Row(result, abs_error, math.nan, math.nan, None)
    max_abs = max(e for e, _ in known)
    scale = max(r for _, r in known)
    rel = max_abs / scale if scale > 0 else max_abs
    return Row(result, abs_error, max_abs, rel, correct_digits(rel))


def correct_digits(rel_error: float) -> int | None:
    """Significant digits that agree with the reference: -log10 of the relative error."""
    if math.isnan(rel_error):
        return None
    if rel_error == 0:
        return FLOAT_DIGITS
    return max(0, min(FLOAT_DIGITS, math.floor(-math.log10(rel_error))))
