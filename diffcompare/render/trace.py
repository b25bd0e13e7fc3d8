"""Evaluation traces -> tables (forward and reverse), Markdown or JSON. Pure functions."""

from __future__ import annotations

import json

from diffcompare.formatting import number
from diffcompare.studies.evaltrace import BAR, DOT, Trace, TraceRow, bar, dot


def _signed(x: float) -> str:
    text = number(x)
    return f"({text})" if text.startswith("-") else text


def adjoint_numbers(row: TraceRow) -> str:
    return " + ".join(f"{_signed(t.consumer_adjoint)}·{_signed(t.partial_value)}"
                      for t in row.adjoint_terms)


def forward_rows(trace: Trace) -> list[list[str]]:
    rows = []
    for r in trace.rows:
        definition = f"{r.name} = {r.definition}"
        rows.append([definition, number(r.value), f"{dot(r.name)} = {r.tangent_formula}",
                     number(r.tangent)])
    return rows


def reverse_rows(trace: Trace) -> list[list[str]]:
    rows = []
    for r in reversed(trace.rows):
        if r.name == trace.output:
            rows.append([f"{bar(r.name)} = y{BAR}", "seed", "", number(r.adjoint)])
        elif r.adjoint_terms:
            rows.append([f"{bar(r.name)} = {r.adjoint_formula}", r.adjoint_expression,
                         adjoint_numbers(r), number(r.adjoint)])
        else:
            rows.append([f"{bar(r.name)}", "not used by f", "", number(r.adjoint)])
    return rows


def _titles(trace: Trace) -> tuple[list[str], list[str]]:
    forward = ["forward primal trace", "value", f"tangent (d/d{trace.wrt})", "v" + DOT]
    reverse = ["reverse adjoint trace", "with the local partials", "numbers", "v" + BAR]
    return forward, reverse


def _inputs_line(trace: Trace) -> str:
    p = trace.problem
    pairs = ", ".join(f"{r.name} = {r.definition} = {number(r.value)}"
                      for r in trace.rows if r.is_input)
    return f"f = {p.describe()} at {pairs}; f = {trace.output}"


def table(trace: Trace, forward: bool, reverse: bool):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts = [Text(_inputs_line(trace), style="bold")]
    forward_titles, reverse_titles = _titles(trace)
    # Columns of numbers are right-aligned: value and v̇ forward, v̄ in reverse.
    for wanted, titles, rows, numeric in ((forward, forward_titles, forward_rows, (1, 3)),
                                          (reverse, reverse_titles, reverse_rows, (3,))):
        if not wanted:
            continue
        grid = Table(show_edge=False, header_style="bold", pad_edge=False)
        for k, title in enumerate(titles):
            grid.add_column(title, overflow="fold",
                            justify="right" if k in numeric else "left")
        for row in rows(trace):
            grid.add_row(*row)
        parts += [grid, Text("")]
    if reverse:
        inputs = [r for r in trace.rows if r.is_input]
        parts.append(Text("gradient: " + ", ".join(
            f"∂f/∂{r.definition} = {bar(r.name)} = {number(r.adjoint)}" for r in inputs)))
    if forward:
        wrt = next(r for r in trace.rows if r.definition == trace.wrt)
        parts.append(Text(f"forward mode: ∂f/∂{trace.wrt} = {dot(trace.output)} = "
                          f"{number(trace.row(trace.output).tangent)} (seed {dot(wrt.name)} = 1)"))
    return Group(*parts)


def to_markdown(trace: Trace, forward: bool, reverse: bool) -> str:
    forward_titles, reverse_titles = _titles(trace)
    out = [_inputs_line(trace), ""]
    for wanted, titles, rows in ((forward, forward_titles, forward_rows),
                                 (reverse, reverse_titles, reverse_rows)):
        if wanted:
            out.append("| " + " | ".join(titles) + " |")
            out.append("|" + "---|" * len(titles))
            out += ["| " + " | ".join(row) + " |" for row in rows(trace)]
            out.append("")
    return "\n".join(out)


def to_dict(trace: Trace) -> dict:
    return {
        "expression": trace.problem.describe(),
        "variables": list(trace.problem.variables),
        "point": list(trace.problem.point),
        "wrt": trace.wrt,
        "output": trace.output,
        "nodes": [{
            "name": r.name, "index": r.index, "definition": r.definition, "value": r.value,
            "arguments": list(r.arguments), "tangent": r.tangent,
            "tangent_formula": r.tangent_formula, "adjoint": r.adjoint,
            "adjoint_expression": r.adjoint_expression,
            "adjoint_terms": [{"consumer": t.consumer, "partial": t.partial,
                               "partial_value": t.partial_value,
                               "consumer_adjoint": t.consumer_adjoint}
                              for t in r.adjoint_terms],
        } for r in trace.rows],
    }


def to_json(trace: Trace) -> str:
    return json.dumps(to_dict(trace), indent=2)
