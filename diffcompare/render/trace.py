"""Evaluation traces -> tables (forward and reverse), Markdown or JSON. Pure functions."""

from __future__ import annotations

import json

from diffcompare.render.numbers import number
from diffcompare.studies.trace import BAR, DOT, Trace, TraceRow, bar, dot


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


def primal_rows(trace: Trace) -> list[list[str]]:
    """The forward primal trace alone: what reverse mode evaluates before its sweep."""
    return [[f"{r.name} = {r.definition}", number(r.value)] for r in trace.rows]


def reverse_rows(trace: Trace) -> list[list[str]]:
    rows = []
    for r in reversed(trace.rows):
        if r.name in trace.outputs:
            k = trace.outputs.index(r.name)
            seed = "y" + BAR if len(trace.outputs) == 1 else f"ȳ{k + 1} = r{k + 1}"
            rows.append([f"{bar(r.name)} = {seed}", "seed", number(trace.cotangent[k]),
                         number(r.adjoint)])
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


def _tables(trace: Trace, forward: bool, reverse: bool):
    """(titles, rows, numeric columns) of each table shown: reverse mode alone still shows
    the forward primal trace first, as Baydin et al.'s Table 3 does."""
    forward_titles, reverse_titles = _titles(trace)
    if forward:
        yield forward_titles, forward_rows(trace), (1, 3)
    elif reverse:
        yield ["forward primal trace", "value"], primal_rows(trace), (1,)
    if reverse:
        yield reverse_titles, reverse_rows(trace), (3,)


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
    # Columns of numbers are right-aligned: value and v̇ forward, v̄ in reverse.
    for titles, rows, numeric in _tables(trace, forward, reverse):
        grid = Table(show_edge=False, header_style="bold", pad_edge=False)
        for k, title in enumerate(titles):
            grid.add_column(title, overflow="fold",
                            justify="right" if k in numeric else "left")
        for row in rows:
            grid.add_row(*row)
        parts += [grid, Text("")]
    inputs = [r for r in trace.rows if r.is_input]
    if reverse:
        what = "gradient" if len(trace.outputs) == 1 else \
            f"Jᵀ·r with r = ({', '.join(number(c) for c in trace.cotangent)})"
        parts.append(Text(f"{what}: " + ", ".join(
            f"{bar(r.name)} = {number(r.adjoint)} (x = {r.definition})" for r in inputs)
            if len(trace.outputs) > 1 else "gradient: " + ", ".join(
            f"∂f/∂{r.definition} = {bar(r.name)} = {number(r.adjoint)}" for r in inputs)))
    if forward:
        wrt = next(r for r in trace.rows if r.definition == trace.wrt)
        parts.append(Text(f"forward mode: ∂/∂{trace.wrt} of the outputs: " + ", ".join(
            f"{dot(name)} = {number(trace.row(name).tangent)}" for name in trace.outputs
            if name.startswith("v")) + f" (seed {dot(wrt.name)} = 1)"))
    return Group(*parts)


def to_markdown(trace: Trace, forward: bool, reverse: bool) -> str:
    out = [_inputs_line(trace), ""]
    for titles, rows, _ in _tables(trace, forward, reverse):
        out.append("| " + " | ".join(titles) + " |")
        out.append("|" + "---|" * len(titles))
        out += ["| " + " | ".join(row) + " |" for row in rows]
        out.append("")
    return "\n".join(out)


def to_dict(trace: Trace) -> dict:
    return {
        "expression": trace.problem.describe(),
        "variables": list(trace.problem.variables),
        "point": list(trace.problem.point),
        "wrt": trace.wrt,
        "output": trace.output,
        "outputs": list(trace.outputs),
        "cotangent": list(trace.cotangent),
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
