"""Check reports as a Document: a table of outcomes per case and method, the failures in
words, the JSON of every check, a JUnit test case per check. Pure functions."""

from __future__ import annotations

from collections import OrderedDict

from diffcompare.analysis.check import CANNOT, FAILED, OUT_OF_BUDGET, PASSED, REFERENCE, CaseReport
from diffcompare.problems.cases import GRADE_KIND
from diffcompare.render.document import Column, Document, Table, TestCase
from diffcompare.render.numbers import error

SHOWN = {PASSED: "pass", FAILED: "FAIL", CANNOT: "cannot", OUT_OF_BUDGET: "out of budget"}
JUNIT = {PASSED: "passed", FAILED: "failed", CANNOT: "skipped", OUT_OF_BUDGET: "error"}


def _rows(report: CaseReport):
    """One row per method of a case: its checks side by side."""
    by_method: OrderedDict[str, dict] = OrderedDict()
    for check in report.checks:
        by_method.setdefault(check.method, {})[check.against] = check
    return by_method


def _rel_error(report: CaseReport, method: str) -> str:
    if report.comparison is None or method == REFERENCE:
        return ""
    try:
        return error(report.comparison.row(method).rel_error)
    except KeyError:
        return ""


def counts(reports: list[CaseReport]) -> dict[str, int]:
    found = dict.fromkeys((PASSED, CANNOT, FAILED, OUT_OF_BUDGET), 0)
    for report in reports:
        for check in report.checks:
            found[check.outcome] += 1
    return found


def summary(reports: list[CaseReport]) -> str:
    """Two lines; the last in the plain form CI log readers recognise."""
    found = counts(reports)
    cases_failed = sum(1 for r in reports if not r.passed)
    cannot = f"{found[CANNOT]} cannot (by the method's nature), " if found[CANNOT] else ""
    budget = f", {found[OUT_OF_BUDGET]} out of budget" if found[OUT_OF_BUDGET] else ""
    return (f"{len(reports)} case{'' if len(reports) == 1 else 's'}, "
            f"{cases_failed} with a failure\n"
            f"check: {found[PASSED]} passed, {cannot}{found[FAILED]} failed{budget}")


def _cell(checks) -> str:
    if not checks:
        return "—"
    outcomes = {c.outcome for c in checks}
    for worst in (FAILED, OUT_OF_BUDGET, CANNOT):
        if worst in outcomes:
            return SHOWN[worst]
    return SHOWN[PASSED]


def document(reports: list[CaseReport], not_run=()) -> Document:
    """The reports; ``not_run``: the cases an interruption left out (errors in JUnit, listed
    in JSON: a run that stopped early never reads as a pass)."""
    rows, styles = [], []
    for report in reports:
        for k, (method, checks) in enumerate(_rows(report).items()):
            cells = [_cell([c for key, c in checks.items() if key.startswith(against)])
                     for against in ("reference", "expected")]
            rtol = next(iter(checks.values())).rtol
            styles.append("plain" if all(c.passed for c in checks.values()) else "failure")
            graded = report.case.kind == GRADE_KIND  # a verdict: no tolerance
            rows.append((report.case.name if k == 0 else "", method, *cells,
                         _rel_error(report, method), "—" if graded else f"{rtol:g}"))
    columns = tuple(Column(t, "left") for t in ("case", "method", "vs reference",
                                                  "vs expected", "rel err", "rtol"))
    doc = Document("diffcompare check", [Table(columns, tuple(rows), tuple(styles))])
    for report in reports:
        for c in report.checks:
            if not c.passed:
                doc.line(f"{SHOWN[c.outcome]} {c.case} / {c.method} vs {c.against}: "
                         f"{c.message}", "failure")
    for line in summary(reports).split("\n"):
        doc.line(line)
    if not_run:
        doc.line(f"interrupted: {len(not_run)} case{'' if len(not_run) == 1 else 's'} not "
                 f"run ({', '.join(case.name for case in not_run)})", "warning")
    doc.data = to_dict(reports)
    doc.data["not_run"] = [case.name for case in not_run]
    doc.data["passed"] = doc.data["passed"] and not not_run
    doc.tests = [TestCase(report.case.file, report.case.name, f"{c.method} vs {c.against}",
                          JUNIT[c.outcome], c.message,
                          f"{report.case.expression} at {list(report.case.point)}: "
                          f"{c.message}", report.seconds / max(len(report.checks), 1))
                 for report in reports for c in report.checks]
    doc.tests += [TestCase(case.file, case.name, "not run", "error", "interrupted: not run")
                  for case in not_run]
    return doc


def to_dict(reports: list[CaseReport]) -> dict:
    return {
        "passed": all(r.passed for r in reports),
        "summary": summary(reports),
        "counts": counts(reports),
        "cases": [{
            "name": r.case.name, "file": r.case.file, "expression": r.case.expression,
            "point": list(r.case.point), "passed": r.passed, "seconds": r.seconds,
            "checks": [{"method": c.method, "against": c.against, "outcome": c.outcome,
                        "passed": c.passed, "skipped": c.skipped, "message": c.message,
                        "rtol": c.rtol, "atol": c.atol}
                       for c in r.checks],
        } for r in reports],
    }
