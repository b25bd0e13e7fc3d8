"""diffcompare check: cases from TOML files, every method against the exact reference and
against the case's expectations, pass or fail with a reason. For CI pipelines and courses.

A component passes when |g - r| <= atol + rtol·max|r| (normwise: the scale is the largest
reference component, so a tiny component is not held to an impossible relative standard).
Default tolerances follow each family's error (a case's rtol/atol override them, and the
command line's override both):

    exact methods, given    1e-13   a few roundings of a short computation
    central-fd              1e-6    cbrt(eps)**2 ~ 4e-11 times the scale of f, f', f'''
    forward-, backward-fd   1e-5    sqrt(eps) ~ 1.5e-8 times the scale of f''/f'
    richardson              1e-8    extrapolation usually reaches 1e-13; margin for hard cases
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from diffcompare.analysis.compare import Comparison, compare, select_methods
from diffcompare.errors import DiffcompareError, InputError, ParseError
from diffcompare.methods import KINDS, Options, describe
from diffcompare.methods.given import given_row
from diffcompare.problems.cases import GRADE_KIND, TAYLOR_KIND, Case

EXACT_RTOL = 1e-13


REFERENCE = "reference"  # the row of checks on the exact reference itself


def default_rtol(row: str) -> float:
    """The registry's tolerance for a row; the exact one for the reference's own checks."""
    return EXACT_RTOL if row == REFERENCE else describe(row).rtol


# A check's outcome. "cannot": the method cannot, by its nature, take this case ("cannot: the
# condition at f.py:4 depends on the value of a"), neither a pass nor a failure of the code
# checked. "out-of-budget": its work passed the budget (named, with the limit), so the check
# could not be made, which is not a pass. Budgets count work, so an outcome is the same on a
# busy machine as on an idle one.
PASSED, FAILED, CANNOT, OUT_OF_BUDGET = "passed", "failed", "cannot", "out-of-budget"
OUTCOMES = (PASSED, FAILED, CANNOT, OUT_OF_BUDGET)


@dataclass(frozen=True)
class Check:
    case: str
    method: str  # a method's name, "given", or REFERENCE
    against: str  # "reference", "expected gradient" or "expected value"
    outcome: str  # one of OUTCOMES
    message: str  # for a failure: the values, the difference and the tolerance
    rtol: float
    atol: float

    @property
    def passed(self) -> bool:
        """Passed, or cannot by the method's nature (no failure of the code checked)."""
        return self.outcome in (PASSED, CANNOT)

    @property
    def skipped(self) -> bool:
        return self.outcome == CANNOT


@dataclass(frozen=True)
class CaseReport:
    case: Case
    checks: tuple[Check, ...]
    seconds: float
    comparison: Comparison | None

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


def run_checks(cases: Sequence[Case], methods: str | Sequence[str] | None = None,
               rtol: float | None = None, atol: float | None = None,
               options: Options | None = None,
               on_case: Callable[[str], None] | None = None,
               interrupted: Callable[[], bool] = lambda: False) -> list[CaseReport]:
    """Every case in turn; ``on_case`` is told each as it finishes, and ``interrupted``
    stops before the next (the reports so far are returned)."""
    reports = []
    for case in cases:
        if interrupted():
            break
        reports.append(check_case(case, methods, rtol, atol, options))
        if on_case:
            on_case(case.name)
    return reports


def check_case(case: Case, methods=None, rtol: float | None = None, atol: float | None = None,
               options: Options | None = None) -> CaseReport:
    start = time.perf_counter()
    where = f"{case.file}: case {case.name}"
    if case.kind == GRADE_KIND:
        return _check_grade(case, options, start)
    try:
        budget = options.budget if options is not None else None
        problem = case.problem(budget)
        extra = [given_row(problem, case.given_spec, budget)] if case.given_spec else []
    except ParseError as exc:
        raise ParseError(f"{where}: {exc.message}", exc.text, exc.column) from None
    except DiffcompareError as exc:
        raise InputError(f"{where}: {exc}") from None
    if case.kind == TAYLOR_KIND:
        return _check_taylor(case, problem, methods, rtol, atol, options, start)
    comparison = compare(problem, methods_for(case, methods), options, extra, kind=case.kind,
                         direction=case.direction if KINDS[case.kind].direction else None)
    names = entry_labels(comparison)
    checks = list(_expectation_checks(case, comparison, rtol, atol))
    for row in comparison.rows:
        r_tol, a_tol = _tolerance(row.method, case, rtol, atol)
        failure = (row.result.failure, row.result.failure_kind)
        checks.append(_compare_vectors(case.name, row.method, "reference", row.result.gradient,
                                       comparison.reference.gradient, r_tol, a_tol,
                                       names, failure))
        if case.expected is not None:
            checks.append(_compare_vectors(case.name, row.method, f"expected {case.kind}",
                                           row.result.gradient, case.expected, r_tol, a_tol,
                                           names, failure))
    return CaseReport(case, tuple(checks), time.perf_counter() - start, comparison)


# Derivatives of any order: each order against its own scale (f⁽ᵏ⁾ grows as k!), with the
# tolerances their error allows up to order 10 or so (exact methods: rounding grows mildly
# with the order; cauchy-fft: its radius rule keeps ~1e-10). Finite differences of order K
# lose a digit or more per order: checked only when named, with the case's own rtol.
TAYLOR_RTOL = {"taylor-ad": 1e-12, "nested-duals": 1e-12, "symbolic": 1e-12,
               "cauchy-fft": 1e-8}


def _check_taylor(case: Case, problem, methods, rtol, atol, options, start) -> CaseReport:
    from diffcompare.studies.taylor import METHODS, taylor_study

    named = case.methods or (methods.split(",") if isinstance(methods, str) else methods)
    asked = [m.strip() for m in named if m.strip()] if named else list(TAYLOR_RTOL)
    unknown = [m for m in asked if m not in METHODS]
    if unknown and case.methods:
        raise InputError(f"{case.file}: case {case.name}: no method {unknown[0]!r} for "
                         f"taylor; methods: {', '.join(METHODS)}")
    asked = [m for m in asked if m in METHODS]  # the command line's, where they apply here
    loose = [m for m in asked if m not in TAYLOR_RTOL]
    if loose and rtol is None and case.rtol is None:
        raise InputError(f"{case.file}: case {case.name}: {', '.join(loose)} lose digits with "
                         "every order: give the case an rtol from their error")
    budget = options.budget if options is not None else None
    study = taylor_study(problem, len(case.taylor), case.direction, asked, budget)
    names = tuple(f"f^({k})" for k in range(1, study.order + 1))
    r_tol, a_tol = _tolerance(REFERENCE, case, rtol, atol)
    checks = []
    if study.reference_failure:
        checks.append(Check(case.name, REFERENCE, "reference", FAILED,
                            f"no exact reference: {study.reference_failure}", r_tol, a_tol))
    else:
        checks.append(_per_order(case.name, REFERENCE, "expected taylor", study.reference,
                                 case.taylor, r_tol, a_tol, names, (None, None)))
    for run in study.runs:
        r_tol = rtol if rtol is not None else case.rtol if case.rtol is not None \
            else TAYLOR_RTOL[run.method]
        a_tol = atol if atol is not None else case.atol or 0.0
        got = tuple(math.nan if d is None else d for d in run.derivatives)
        failure = (run.failure, OUT_OF_BUDGET if run.failure and "budget" in run.failure
                   else None)
        for against, want in (("reference", study.reference), ("expected taylor", case.taylor)):
            want = tuple(math.nan if w is None else w for w in want)
            checks.append(_per_order(case.name, run.method, against, got, want, r_tol, a_tol,
                                     names, failure))
    return CaseReport(case, tuple(checks), time.perf_counter() - start, None)


GRADER = "grade"  # the row of a graded answer's checks


def _check_grade(case: Case, options, start) -> CaseReport:
    """The verdict on the case's answer against the expected one, and a wrong answer's
    diagnosis against the expected mal-rule."""
    from diffcompare.studies.grade import grade

    budget = options.budget if options is not None else None
    try:
        found = grade(case.answer, case.expression, case.wrt, budget)
    except ParseError as exc:
        raise ParseError(f"{case.file}: case {case.name}: {exc.message}", exc.text,
                         exc.column) from None
    except DiffcompareError as exc:
        raise InputError(f"{case.file}: case {case.name}: {exc}") from None
    said = {True: "right", False: "wrong", None: "undecided"}
    if found.correct is None:
        verdict = Check(case.name, GRADER, "expected verdict", OUT_OF_BUDGET,
                        f"undecided: {found.reason}", 0.0, 0.0)
    elif found.correct != case.correct:
        why = f": {found.diagnosis.message}" if found.diagnosis else f" ({found.reason})"
        verdict = Check(case.name, GRADER, "expected verdict", FAILED,
                        f"{case.answer} graded {said[found.correct]}, expected "
                        f"{said[case.correct]}{why}", 0.0, 0.0)
    else:
        verdict = Check(case.name, GRADER, "expected verdict", PASSED, "", 0.0, 0.0)
    checks = [verdict]
    if case.rule is not None and verdict.outcome == PASSED:
        diagnosed = found.diagnosis.rule if found.diagnosis else None
        checks.append(Check(case.name, GRADER, "expected rule",
                            PASSED if diagnosed == case.rule else FAILED,
                            "" if diagnosed == case.rule else
                            f"diagnosed as {diagnosed or 'no mal-rule'}, expected "
                            f"{case.rule}: {found.diagnosis.message}", 0.0, 0.0))
    return CaseReport(case, tuple(checks), time.perf_counter() - start, None)


def _per_order(case, method, against, got, want, rtol, atol, names, failure) -> Check:
    """_compare_vectors order by order, each against its own scale, as one check."""
    if failure[0] or len(got) != len(want):
        return _compare_vectors(case, method, against, got, want, rtol, atol, names, failure)
    found = [_compare_vectors(case, method, against, (g,), (w,), rtol, atol, (n,), failure)
             for g, w, n in zip(got, want, names)]
    failed = [c.message for c in found if not c.passed]
    if failed:
        return Check(case, method, against, FAILED, "; ".join(failed), rtol, atol)
    return Check(case, method, against, PASSED, "", rtol, atol)


def methods_for(case: Case, methods: str | Sequence[str] | None) -> tuple[str, ...]:
    """The case's own list narrowed by the command line's (a case that names its methods,
    say with a tolerance only exact methods can meet, never gets others added); by default
    the methods that compute the case's kind."""
    asked = select_methods(methods, case.kind)
    if case.methods is None:
        return asked
    return tuple(m for m in select_methods(case.methods, case.kind) if m in asked)


def entry_labels(comparison: Comparison) -> tuple[str, ...]:
    """What a failure message calls each entry: d/dx1, dy2/dx1, d2f/dx1dx2."""
    p, kind = comparison.problem, KINDS[comparison.kind]
    return tuple(kind.check_label(k, p.m, p.variables) for k in range(kind.size(p.m, p.n)))


def _tolerance(method: str, case: Case, rtol: float | None, atol: float | None):
    r_tol = rtol if rtol is not None else case.rtol if case.rtol is not None \
        else default_rtol(method)
    a_tol = atol if atol is not None else case.atol if case.atol is not None else 0.0
    return r_tol, a_tol


def _expectation_checks(case: Case, comparison: Comparison, rtol, atol):
    """The exact reference against what the case says it should be."""
    reference = comparison.reference
    r_tol, a_tol = _tolerance(REFERENCE, case, rtol, atol)
    if reference.failure:
        outcome = OUT_OF_BUDGET if reference.failure_kind == OUT_OF_BUDGET else FAILED
        yield Check(case.name, REFERENCE, "reference", outcome,
                    f"no exact reference: {reference.failure}", r_tol, a_tol)
        return
    if case.value is not None:
        names = ("f",)
        yield _compare_vectors(case.name, REFERENCE, "expected value", (reference.value,),
                               (case.value,), r_tol, a_tol, names, (None, None))
    if case.expected is not None:
        yield _compare_vectors(case.name, REFERENCE, f"expected {case.kind}",
                               reference.gradient, case.expected, r_tol, a_tol,
                               entry_labels(comparison), (None, None))


def _compare_vectors(case: str, method: str, against: str, got, want, rtol: float,
                     atol: float, names, failure: tuple[str | None, str | None]) -> Check:
    reason, why = failure
    if reason and why == CANNOT:
        return Check(case, method, against, CANNOT, reason, rtol, atol)
    if reason and why == OUT_OF_BUDGET:
        return Check(case, method, against, OUT_OF_BUDGET, reason, rtol, atol)
    if reason:
        return Check(case, method, against, FAILED, f"the method failed: {reason}", rtol,
                     atol)
    if len(got) != len(want):
        return Check(case, method, against, FAILED,
                     f"{len(want)} values expected, {len(got)} computed", rtol, atol)
    known = [abs(w) for w in want if math.isfinite(w)]
    scale = max(known, default=0.0)
    tolerance = atol + rtol * scale if scale > 0 or atol > 0 else rtol
    problems = []
    for name, g, w in zip(names, got, want):
        if not math.isfinite(w):
            continue  # the reference has no value here (the partial does not exist)
        label = name
        if not math.isfinite(g):
            problems.append(f"{label} = {g!r} where {w!r} was expected")
        elif abs(g - w) > tolerance:
            problems.append(f"{label} = {g!r} differs from {w!r} by {abs(g - w):.3g} > "
                            f"tolerance {tolerance:.3g}")
    if problems:
        bound = f"atol {atol:g} + rtol {rtol:g} x max|r| {scale:.6g}"
        return Check(case, method, against, FAILED, "; ".join(problems) + f" ({bound})",
                     rtol, atol)
    return Check(case, method, against, PASSED, "", rtol, atol)


def exit_status(reports: Sequence[CaseReport]) -> int:
    return 0 if all(r.passed for r in reports) else 1
