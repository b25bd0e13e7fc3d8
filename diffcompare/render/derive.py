"""Derivations -> text table, Markdown, LaTeX or JSON. Pure functions."""

from __future__ import annotations

import json

from diffcompare.expr import to_text
from diffcompare.render.latex import to_latex, variable
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


def table(derivations: list[Derivation]):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts = []
    for d in derivations:
        parts.append(Text(f"d/d{d.wrt} of {to_text(d.expr)}", style="bold"))
        grid = Table(show_edge=False, header_style="bold", pad_edge=False)
        for title in TITLES:
            grid.add_column(title, overflow="fold")
        for row in _rows(d):
            grid.add_row(*row)
        parts.append(grid)
        parts.append(Text(f"d/d{d.wrt} [{to_text(d.expr)}] = {to_text(d.result)}",
                          style="bold green"))
        rules = _rules_used(d)
        if rules:
            parts.append(Text("rules used:\n" + "\n".join(f"  {r}" for r in rules), style="dim"))
        parts.append(Text(""))
    return Group(*parts)


def to_markdown(derivations: list[Derivation]) -> str:
    out = []
    for d in derivations:
        out.append(f"**d/d{d.wrt}** of `{to_text(d.expr)}`\n")
        out.append("| " + " | ".join(TITLES) + " |")
        out.append("|" + "---|" * len(TITLES))
        for row in _rows(d):
            out.append("| " + " | ".join(f"`{c}`" if k >= 2 and c else c
                                         for k, c in enumerate(row)) + " |")
        out.append(f"\nResult: `d/d{d.wrt} = {to_text(d.result)}`\n")
        out += [f"- {rule}" for rule in _rules_used(d)] + [""]
    return "\n".join(out)


def to_latex_document(derivations: list[Derivation]) -> str:
    """An align* environment per derivation: one line per step, the rule on the right."""
    out = []
    for d in derivations:
        x = variable(d.wrt)
        out.append(r"\begin{align*}")
        lines = []
        for step in d.steps:
            lines.append(rf"\frac{{\partial}}{{\partial {x}}}\left({to_latex(step.node)}\right)"
                         rf" &= {to_latex(step.derivative)}"
                         rf" && \text{{{step.rule_name}}}")
        out.append(" \\\\\n".join(lines))
        out.append(r"\end{align*}")
    return "\n".join(out) + "\n"


def to_dict(derivations: list[Derivation]) -> list[dict]:
    return [{
        "expression": to_text(d.expr),
        "wrt": d.wrt,
        "result": to_text(d.result),
        "steps": [{"rule": step.rule_name, "formula": step.formula,
                   "expression": to_text(step.node), "applied": to_text(step.applied),
                   "derivative": to_text(step.derivative), "chain": step.chain}
                  for step in d.steps],
    } for d in derivations]


def to_json(derivations: list[Derivation]) -> str:
    return json.dumps(to_dict(derivations), indent=2)
