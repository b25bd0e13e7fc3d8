"""JUnit XML: a testsuite per suite (a case file), a testcase per check."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import OrderedDict

ELEMENT = {"failed": ("failure", "ToleranceExceeded"), "error": ("error", "OutOfBudget"),
           "skipped": ("skipped", None)}


def write(document) -> str:
    root = ET.Element("testsuites", name=document.title or "diffcompare")
    suites: OrderedDict[str, ET.Element] = OrderedDict()
    for test in document.tests:
        suite = suites.get(test.suite)
        if suite is None:
            suite = suites[test.suite] = ET.SubElement(root, "testsuite", name=test.suite)
        case = ET.SubElement(suite, "testcase", classname=test.classname, name=test.name,
                             time=f"{test.seconds:.6f}")
        if test.outcome in ELEMENT:
            tag, kind = ELEMENT[test.outcome]
            element = ET.SubElement(case, tag, message=test.message)
            if kind:
                element.set("type", kind)
                element.text = test.detail or test.message
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites.values():
        cases = suite.findall("testcase")
        counts = {"tests": len(cases),
                  "failures": sum(1 for c in cases if c.find("failure") is not None),
                  "errors": sum(1 for c in cases if c.find("error") is not None),
                  "skipped": sum(1 for c in cases if c.find("skipped") is not None)}
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(totals[key]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") \
        + "\n"
