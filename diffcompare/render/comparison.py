"""Comparisons -> rich tables, JSON, CSV and Markdown. Pure functions: text in, text out.

Numbers are formatted by diffcompare.formatting: every digit a method produced is visible.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from diffcompare.analysis.compare import Comparison, Row
from diffcompare.formatting import error, json_number, number, seconds
from diffcompare.methods import REGISTRY

MAX_TABLE_COMPONENTS = 6  # wider gradients: the first ones in the table, all in JSON/CSV


def header(comparison: Comparison) -> list[str]:
    p = comparison.problem
    at = ", ".join(f"{v} = {number(x)}" for v, x in zip(p.variables, p.point))
    ref = comparison.reference
    lines = [f"f({', '.join(p.variables)}) = {p.describe()}   at   {at}"]
    if ref.failure:
        lines.append(f"no exact reference: {ref.failure}")
    else:
        grad = ", ".join(number(g) for g in ref.gradient)
        lines.append(f"exact ({ref.source}, {ref.digits} digits): f = {number(ref.value)}, "
                     f"gradient = ({grad})")
    return lines


def footnotes(comparison: Comparison) -> list[str]:
    notes = [f"warning: {w}" for w in comparison.warnings]
    notes += [f"exact: {note}" for note in comparison.reference.notes]
    for row in comparison.rows:
        r = row.result
        if r.failure:
            notes.append(f"{r.method} failed: {r.failure}")
        notes.extend(f"{r.method}: {w}" for w in r.warnings)
        if r.error_estimate is not None:
            notes.append(f"{r.method}: its own error estimate "
                         f"{', '.join(error(e) for e in r.error_estimate)}")
    return notes


def _components(comparison: Comparison) -> list[int]:
    return list(range(min(comparison.problem.n, MAX_TABLE_COMPONENTS)))


def status_text(row: Row, variables) -> str:
    """"ok", or which partials ran into what: "x1: outside domain"."""
    if row.result.failure:
        return "failed"
    trouble: dict[str, list[str]] = {}
    for name, status in zip(variables, row.status):
        if status != "ok":
            trouble.setdefault(status, []).append(name)
    if not trouble:
        return "ok"
    return "; ".join(f"{','.join(names)}: {status}" for status, names in trouble.items())


def _cells(row: Row, shown: list[int], variables) -> list[str]:
    r = row.result
    gradient = [number(r.gradient[i]) for i in shown]
    if r.failure:
        gradient = ["failed (see below)"] + [""] * (len(shown) - 1)
    return [r.method, number(r.value), *gradient, error(row.max_abs_error), error(row.rel_error),
            "—" if row.digits is None else str(row.digits), status_text(row, variables),
            str(r.f_evals), str(r.passes), seconds(r.seconds)]


def _titles(comparison: Comparison, shown: list[int]) -> list[str]:
    names = [f"∂f/∂{comparison.problem.variables[i]}" for i in shown]
    return ["method", "f(x)", *names, "max err", "rel err", "digits", "status", "f evals",
            "passes", "time"]


def table(comparison: Comparison):
    """A rich renderable: the header, one row per method, then warnings."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    shown = _components(comparison)
    grid = Table(show_edge=False, header_style="bold", pad_edge=False)
    for k, title in enumerate(_titles(comparison, shown)):
        # A narrow terminal folds a long number inside its cell; it never drops digits.
        grid.add_column(title, justify="left" if k == 0 else "right", overflow="fold")
    for row in comparison.rows:
        exact = REGISTRY[row.method].exact if row.method in REGISTRY else True
        style = "red" if row.result.failure else (None if exact else "dim")
        grid.add_row(*_cells(row, shown, comparison.problem.variables), style=style)
    parts: list[Any] = [Text(line) for line in header(comparison)] + [grid]
    if comparison.problem.n > len(shown):
        parts.append(Text(f"(first {len(shown)} of {comparison.problem.n} components; "
                          "--format json or csv has them all)"))
    parts.append(Text("rel err = max|g - r| / max|r| against the exact gradient r (over the "
                      "partials that exist); "
                      "digits = correct significant digits", style="dim"))
    parts += [Text(note, style="yellow") for note in footnotes(comparison)]
    return Group(*parts)


def to_dict(comparison: Comparison) -> dict:
    """The JSON contract (keys are stable; CI scripts read them)."""
    p, ref = comparison.problem, comparison.reference
    methods = {}
    for row in comparison.rows:
        r = row.result
        methods[r.method] = {
            "value": json_number(r.value),
            "gradient": [json_number(g) for g in r.gradient],
            "abs_error": [json_number(e) for e in row.abs_error],
            "max_abs_error": json_number(row.max_abs_error),
            "rel_error": json_number(row.rel_error),
            "digits": row.digits,
            "f_evals": r.f_evals,
            "passes": r.passes,
            "seconds": r.seconds,
            "warnings": list(r.warnings),
            "status": list(row.status),
            "failure": r.failure,
            "family": REGISTRY[r.method].family if r.method in REGISTRY else "manual rules",
            "error_estimate": None if r.error_estimate is None
            else [json_number(e) for e in r.error_estimate],
            "steps": None if r.steps is None else list(r.steps),
            "size": r.size,
        }
    return {
        "expression": p.describe(),
        "variables": list(p.variables),
        "point": list(p.point),
        "value": json_number(ref.value),
        "reference": [json_number(g) for g in ref.gradient],
        "reference_failure": ref.failure,
        "reference_notes": list(ref.notes),
        "reference_source": ref.source,
        "warnings": list(comparison.warnings),
        "methods": methods,
    }


def to_json(comparison: Comparison) -> str:
    return json.dumps(to_dict(comparison), indent=2, allow_nan=False)


def to_csv(comparison: Comparison) -> str:
    p = comparison.problem
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["method", "value", *(f"d/d{v}" for v in p.variables),
                     *(f"abs_error_{v}" for v in p.variables), "max_abs_error", "rel_error",
                     "digits", "f_evals", "passes", "seconds", "status", "failure", "warnings"])
    writer.writerow(["reference", repr(comparison.reference.value),
                     *map(repr, comparison.reference.gradient), *[""] * (p.n + 9)])
    for row in comparison.rows:
        r = row.result
        writer.writerow([r.method, repr(r.value), *map(repr, r.gradient),
                         *map(repr, row.abs_error), repr(row.max_abs_error), repr(row.rel_error),
                         "" if row.digits is None else row.digits, r.f_evals, r.passes,
                         repr(r.seconds), ";".join(row.status), r.failure or "",
                         "; ".join(r.warnings)])
    return out.getvalue()


def to_markdown(comparison: Comparison) -> str:
    shown = _components(comparison)
    titles = _titles(comparison, shown)
    lines = [line + "  " for line in header(comparison)] + [""]
    lines.append("| " + " | ".join(titles) + " |")
    lines.append("|" + "|".join([" --- "] + [" ---: "] * (len(titles) - 1)) + "|")
    for row in comparison.rows:
        lines.append("| " + " | ".join(_cells(row, shown, comparison.problem.variables)) + " |")
    notes = footnotes(comparison)
    if notes:
        lines += [""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"
