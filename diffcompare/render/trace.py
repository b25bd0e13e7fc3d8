"""An evaluation trace as a Document: the forward table, the reverse table. Pure functions."""

from __future__ import annotations

from diffcompare.render.document import Column, Document, Table
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


def document(trace: Trace) -> Document:
    """The forward table (with tangents) and/or the reverse table (with adjoints), as the
    trace was made; reverse mode alone still shows the forward primal trace first."""
    forward = trace.wrt is not None
    reverse = any(r.adjoint is not None for r in trace.rows)
    doc = Document(f"the evaluation trace of {trace.problem.describe()}")
    doc.line(_inputs_line(trace), "title")
    # Columns of numbers are right-aligned: value and v̇ forward, v̄ in reverse.
    for titles, rows, numeric in _tables(trace, forward, reverse):
        columns = tuple(Column(t, "right" if k in numeric else "left")
                        for k, t in enumerate(titles))
        doc.add(Table(columns, tuple(tuple(row) for row in rows)))
        doc.line("")
    inputs = [r for r in trace.rows if r.is_input]
    if reverse:
        what = "gradient" if len(trace.outputs) == 1 else \
            f"Jᵀ·r with r = ({', '.join(number(c) for c in trace.cotangent)})"
        doc.line(f"{what}: " + ", ".join(
            f"{bar(r.name)} = {number(r.adjoint)} (x = {r.definition})" for r in inputs)
            if len(trace.outputs) > 1 else "gradient: " + ", ".join(
            f"∂f/∂{r.definition} = {bar(r.name)} = {number(r.adjoint)}" for r in inputs))
    if forward:
        wrt = next(r for r in trace.rows if r.definition == trace.wrt)
        doc.line(f"forward mode: ∂/∂{trace.wrt} of the outputs: " + ", ".join(
            f"{dot(name)} = {number(trace.row(name).tangent)}" for name in trace.outputs
            if name.startswith("v")) + f" (seed {dot(wrt.name)} = 1)")
    doc.data = to_dict(trace)
    return doc


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
