"""Derivations as a Document: each step's rule in a table and typeset (LaTeX, MathML), the
result, the rules used. Pure functions."""

from __future__ import annotations

from diffcompare.expr import Var, to_text
from diffcompare.render.document import Column, Document, Math, Table
from diffcompare.render.typeset import MATHML, to_latex, to_mathml, typeset, variable
from diffcompare.studies.derive import Derivation


def _rows(d: Derivation) -> list[list[str]]:
    rows = []
    for k, step in enumerate(d.steps, 1):
        applied, result = to_text(step.applied), to_text(step.derivative)
        rows.append([str(k), step.rule_name, to_text(step.node),
                     "" if applied == result else applied, result])
    return rows


TITLES = ["step", "rule", "differentiate", "by the rule", "simplified"]


def _rules_used(d: Derivation) -> list[str]:
    seen = dict.fromkeys(step.rule for step in d.steps)
    return [rule for rule in seen if ": " in rule]


def document(derivations: list[Derivation]) -> Document:
    """Per derivation: its steps as a table and typeset, the result, the rules used."""
    doc = Document("derivations")
    for d in derivations:
        doc.line(f"d/d{d.wrt} of {to_text(d.expr)}", "title")
        doc.add(Table(tuple(Column(t, "left", wrap=True) for t in TITLES),
                      tuple(tuple(row) for row in _rows(d))))
        doc.add(_typeset(d))
        doc.line(f"d/d{d.wrt} [{to_text(d.expr)}] = {to_text(d.result)}", "result")
        if d.simplified is not None:
            doc.line(f"  = {to_text(d.simplified)}   ({d.simplified_note})", "result")
        elif d.simplified_note:
            doc.line(f"  ({d.simplified_note})", "dim")
        rules = _rules_used(d)
        if rules:
            doc.line("rules used:", "dim")
            for rule in rules:
                doc.line(f"  {rule}", "dim")
        doc.line("")
    doc.data = to_dict(derivations)
    return doc


def _typeset(d: Derivation) -> Math:
    """One line per step: d/dx (node) = its derivative, the rule on the right."""
    x, mx = variable(d.wrt), typeset(Var(d.wrt), MATHML)
    lines = []
    for step in d.steps:
        left = rf"\frac{{\partial}}{{\partial {x}}}\left({to_latex(step.node)}\right)"
        left_ml = (f"<mfrac><mo>&#x2202;</mo><mrow><mo>&#x2202;</mo>{mx}</mrow></mfrac>"
                   f"<mrow><mo>(</mo>{to_mathml(step.node)}<mo>)</mo></mrow>")
        lines.append(((left, to_latex(step.derivative)),
                      (left_ml, to_mathml(step.derivative)), step.rule_name))
    return Math(tuple(lines))


def to_dict(derivations: list[Derivation]) -> list[dict]:
    return [{
        "expression": to_text(d.expr),
        "wrt": d.wrt,
        "result": to_text(d.result),
        "simplified": None if d.simplified is None else to_text(d.simplified),
        "simplified_note": d.simplified_note,
        "steps": [{"rule": step.rule_name, "formula": step.formula,
                   "expression": to_text(step.node), "applied": to_text(step.applied),
                   "derivative": to_text(step.derivative), "chain": step.chain}
                  for step in d.steps],
    } for d in derivations]
