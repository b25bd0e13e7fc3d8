"""A grade as a Document: the verdict, how it was decided, and the diagnosis. Pure."""

from __future__ import annotations

from dataclasses import asdict

from diffcompare.render.document import Column, Document, Table
from diffcompare.studies.grade import Grade, Graded

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


def _graded_dict(row: Graded) -> dict:
    found = {"student": row.student, "answer": row.answer, "function": row.function,
             "wrt": row.wrt, "verdict": row.verdict, "where": row.where,
             "unreadable": row.unreadable or None}
    if row.grade is not None:
        grade = document(row.grade).json()
        found.update({key: grade[key] for key in ("correct", "route", "reason", "derivative",
                                                  "diagnosis", "seed")})
    else:
        found.update(correct=None, route=None, reason="", derivative=None, diagnosis=None)
    return found


def batch_document(graded: list[Graded]) -> Document:
    """A class's answers: one row each (right; wrong, with the rule that explains it;
    unparsable, with the parser's message), the counts, and JSON for a gradebook."""
    doc = Document("grade: a batch of answers")
    functions = sorted({row.function for row in graded})
    variables = sorted({row.wrt for row in graded if row.wrt})
    if len(functions) == 1 and len(variables) == 1:
        doc.line(f"answers for d/d{variables[0]} {functions[0]}", "title")
    rows, styles = [], []
    for row in graded:
        if row.grade is None:
            why = row.unreadable
        elif row.grade.diagnosis is not None:
            diagnosis = row.grade.diagnosis
            why = f"{diagnosis.wording} (step {diagnosis.step})" if diagnosis.rule else \
                diagnosis.message
        else:
            why = row.grade.route or row.grade.reason
        rows.append((row.student, row.verdict, row.answer, why))
        styles.append({"right": "result", "wrong": "failure"}.get(row.verdict, "warning"))
    doc.add(Table((Column("student", "left"), Column("verdict", "left"),
                   Column("answer", "left", wrap=True), Column("why", "left", wrap=True)),
                  tuple(rows), tuple(styles)))
    counts = {v: sum(1 for r in graded if r.verdict == v)
              for v in ("right", "wrong", "unparsable", "undecided")}
    doc.line(", ".join(f"{n} {v}" for v, n in counts.items() if n or v != "undecided"))
    doc.data = {"counts": counts, "answers": [_graded_dict(row) for row in graded]}
    doc.record_fields = ["student", "verdict", "answer", "function", "wrt", "route", "rule",
                         "step", "message"]
    doc.records = []
    for row in graded:
        diagnosis = row.grade.diagnosis if row.grade is not None else None
        doc.records.append({
            "student": row.student, "verdict": row.verdict, "answer": row.answer,
            "function": row.function, "wrt": row.wrt or "",
            "route": row.grade.route if row.grade is not None else "",
            "rule": diagnosis.rule if diagnosis and diagnosis.rule else "",
            "step": diagnosis.step if diagnosis and diagnosis.step else "",
            "message": diagnosis.message if diagnosis else row.unreadable})
    return doc
