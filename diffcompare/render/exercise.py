"""An exercise sheet as a Document: each problem in the tool's syntax (to paste into
``grade``) and typeset; with answers, each answer and its worked solution (derive's steps).
Pure."""

from __future__ import annotations

from diffcompare.expr import Var
from diffcompare.render import derive
from diffcompare.render.document import Document, Math
from diffcompare.render.typeset import MATHML, to_latex, to_mathml, typeset, variable
from diffcompare.studies.exercise import TOPICS, Problem, Sheet

BLANK = (r"\qquad\qquad", "<mspace width='6em'/>")  # the space left for an answer


def _typeset(problem: Problem, answered: bool) -> Math:
    d = problem.derivation
    x, mx = variable(problem.wrt), typeset(Var(problem.wrt), MATHML)
    left = rf"\frac{{\partial}}{{\partial {x}}}\left({to_latex(d.expr)}\right)"
    left_ml = (f"<mfrac><mo>&#x2202;</mo><mrow><mo>&#x2202;</mo>{mx}</mrow></mfrac>"
               f"<mrow><mo>(</mo>{to_mathml(d.expr)}<mo>)</mo></mrow>")
    answer = d.simplified if d.simplified is not None else d.result
    right = (to_latex(answer), to_mathml(answer)) if answered else BLANK
    return Math((((left, right[0]), (left_ml, right[1]), f"{problem.number}."),))


def document(sheet: Sheet, answers: bool = False) -> Document:
    topics = "every topic" if set(sheet.topics) == set(TOPICS) else \
        ", ".join(TOPICS[t].title for t in sheet.topics)
    doc = Document(f"exercises, seed {sheet.seed}")
    doc.line(f"Differentiation exercises: {topics}; level {sheet.level}", "title")
    doc.line(f"(seed {sheet.seed}: the same options with --seed {sheet.seed} give this "
             "sheet again)", "dim")
    doc.line("")
    for problem in sheet.problems:
        doc.line(f"{problem.number}. d/d{problem.wrt} [{problem.expression}]   "
                 f"({TOPICS[problem.topic].title})")
        doc.add(_typeset(problem, answers))
        if answers:
            doc.line(f"   answer: {problem.answer}", "result")
            solution = derive.document([problem.derivation])
            doc.blocks.extend(solution.blocks[1:])  # its own title is the problem above
    if not answers:
        doc.line("check an answer: diffcompare grade \"YOUR ANSWER\" --for \"FUNCTION\" "
                 "--wrt VARIABLE; --answers prints the worked solutions", "dim")
    doc.data = to_dict(sheet)
    doc.record_fields = ["number", "topic", "expression", "wrt", "answer"]
    doc.records = [{"number": p.number, "topic": p.topic, "expression": p.expression,
                    "wrt": p.wrt, "answer": p.answer} for p in sheet.problems]
    return doc


def to_dict(sheet: Sheet) -> dict:
    return {
        "seed": sheet.seed, "level": sheet.level, "topics": list(sheet.topics),
        "problems": [{"number": p.number, "topic": p.topic, "expression": p.expression,
                      "wrt": p.wrt, "answer": p.answer,
                      "solution": derive.to_dict([p.derivation])[0]}
                     for p in sheet.problems],
    }
