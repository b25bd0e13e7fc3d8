"""Check reports -> a pass/fail table, JSON, or JUnit XML for CI systems. Pure functions."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import OrderedDict

from diffcompare.analysis.check import REFERENCE, CaseReport
from diffcompare.render.numbers import error


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


def summary(reports: list[CaseReport]) -> str:
    """Two lines; the last in the plain form CI log readers recognise."""
    checks = [c for r in reports for c in r.checks]
    failed = sum(1 for c in checks if not c.passed)
    skipped = sum(1 for c in checks if c.skipped)
    cases_failed = sum(1 for r in reports if not r.passed)
    cannot = f"{skipped} cannot (by the method's nature), " if skipped else ""
    return (f"{len(reports)} case{'' if len(reports) == 1 else 's'}, "
            f"{cases_failed} with a failure\n"
            f"check: {len(checks) - failed - skipped} passed, {cannot}{failed} failed")


def table(reports: list[CaseReport]):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    grid = Table(show_edge=False, header_style="bold", pad_edge=False)
    for title in ("case", "method", "vs reference", "vs expected", "rel err", "rtol"):
        grid.add_column(title)
    for report in reports:
        for k, (method, checks) in enumerate(_rows(report).items()):
            cells = []
            for against in ("reference", "expected"):
                found = [c for key, c in checks.items() if key.startswith(against)]
                cells.append("—" if not found else "cannot" if all(c.skipped for c in found)
                             else ("pass" if all(c.passed for c in found) else "FAIL"))
            rtol = next(iter(checks.values())).rtol
            style = None if all(c.passed for c in checks.values()) else "bold red"
            grid.add_row(report.case.name if k == 0 else "", method, *cells,
                         _rel_error(report, method), f"{rtol:g}", style=style)
    failures = [c for r in reports for c in r.checks if not c.passed]
    parts = [grid, *(Text(f"FAIL {c.case} / {c.method} vs {c.against}: {c.message}",
                          style="red") for c in failures), Text(summary(reports))]
    return Group(*parts)


def to_dict(reports: list[CaseReport]) -> dict:
    return {
        "passed": all(r.passed for r in reports),
        "summary": summary(reports),
        "cases": [{
            "name": r.case.name, "file": r.case.file, "expression": r.case.expression,
            "point": list(r.case.point), "passed": r.passed, "seconds": r.seconds,
            "checks": [{"method": c.method, "against": c.against, "passed": c.passed,
                        "skipped": c.skipped, "message": c.message, "rtol": c.rtol,
                        "atol": c.atol}
                       for c in r.checks],
        } for r in reports],
    }


def to_json(reports: list[CaseReport]) -> str:
    return json.dumps(to_dict(reports), indent=2)


def to_junit(reports: list[CaseReport]) -> str:
    """JUnit XML: a testsuite per case file, a testcase per check."""
    root = ET.Element("testsuites", name="diffcompare check")
    suites: OrderedDict[str, ET.Element] = OrderedDict()
    for report in reports:
        suite = suites.get(report.case.file)
        if suite is None:
            suite = suites[report.case.file] = ET.SubElement(root, "testsuite",
                                                             name=report.case.file)
        for check in report.checks:
            case = ET.SubElement(suite, "testcase", classname=report.case.name,
                                 name=f"{check.method} vs {check.against}",
                                 time=f"{report.seconds / max(len(report.checks), 1):.6f}")
            if check.skipped:
                ET.SubElement(case, "skipped", message=check.message)
            elif not check.passed:
                failure = ET.SubElement(case, "failure", message=check.message,
                                        type="ToleranceExceeded")
                failure.text = (f"{report.case.expression} at {list(report.case.point)}: "
                                f"{check.message}")
    for suite in suites.values():
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
        suite.set("errors", "0")
        suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
    checks = [c for r in reports for c in r.checks]
    root.set("tests", str(len(checks)))
    root.set("failures", str(sum(1 for c in checks if not c.passed)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") \
        + "\n"
