"""A grade as a Document: the verdict, how it was decided, and the diagnosis. Pure."""

from __future__ import annotations

from dataclasses import asdict

from diffcompare.render.document import Document
from diffcompare.studies.grade import Grade

VERDICTS = {True: "right", False: "wrong", None: "undecided"}


def document(found: Grade) -> Document:
    doc = Document(f"grade: d/d{found.wrt} {found.function}")
    doc.line(f"d/d{found.wrt} {found.function}:   your answer {found.answer}", "title")
    verdict = VERDICTS[found.correct]
    style = {True: "result", False: "failure", None: "warning"}[found.correct]
    how = f" ({found.route}: {found.reason})" if found.route else f" ({found.reason})"
    doc.line(f"{verdict}{how}", style)
    if found.diagnosis is not None:
        doc.line(found.diagnosis.message, "note")
    if found.correct is not True:
        doc.line(f"the derivative, as derived: {found.derivative}", "dim")
    doc.data = {
        "answer": found.answer, "function": found.function, "wrt": found.wrt,
        "correct": found.correct, "route": found.route, "reason": found.reason,
        "seed": found.seed, "points": list(found.points), "derivative": found.derivative,
        "diagnosis": None if found.diagnosis is None else asdict(found.diagnosis),
    }
    doc.record_fields = ["answer", "correct", "route", "rule", "step", "message"]
    diagnosis = found.diagnosis
    doc.records = [{"answer": found.answer, "correct": found.correct, "route": found.route,
                    "rule": diagnosis.rule if diagnosis else None,
                    "step": diagnosis.step if diagnosis else None,
                    "message": diagnosis.message if diagnosis else ""}]
    return doc
