"""A study of derivatives of any order as a Document: per order the exact derivative and
each method's relative error, then what each method cost. Pure functions."""

from __future__ import annotations

import math

from diffcompare.problems.cases import TAYLOR_KIND
from diffcompare.render.document import Column, Document, Table
from diffcompare.render.numbers import error, json_number, number, seconds
from diffcompare.studies.taylor import (
    FLOOR,
    NESTED_MAX_ORDER,
    RADII,
    TaylorRun,
    TaylorStudy,
)


def _point(study: TaylorStudy) -> str:
    at = ", ".join(f"{name} = {number(x)}" for name, x in zip(study.variables, study.point))
    if len(study.direction) == 1 and study.direction[0] == 1.0:
        return at
    return f"{at}, along v = ({', '.join(number(d) for d in study.direction)})"


def _worst(study: TaylorStudy, run: TaylorRun) -> float | None:
    errors = [e for e in study.errors(run) if e is not None]
    return max(errors) if errors and len(errors) == len(run.derivatives) else None


def _reference_line(study: TaylorStudy) -> str:
    if study.reference_failure:
        return f"no exact reference: {study.reference_failure}"
    proved = [d for d in study.reference_digits if d is not None]
    digits = f"≥ {min(proved)} digits certified" if proved else "no digit certified"
    zeros = sum(1 for d, r in zip(study.reference_digits, study.reference) if d is None and
                r == 0)
    if zeros:
        digits += f", {zeros} at 0 (radius below {FLOOR:g} of the largest)"
    return (f"exact (Taylor mode in ball arithmetic, {study.reference_bits} bits, {digits}): "
            f"f = {number(study.value)}")


def _cost_row(study: TaylorStudy, run: TaylorRun) -> tuple[str, ...]:
    if run.failure:
        return (run.method, "—", "—", "—", "—", f"failed: {run.failure}")
    note = ""
    if run.sizes:
        note = "sizes " + ", ".join(str(s) for s in run.sizes)
    elif run.steps:
        note = f"{run.steps_are} " + ", ".join(f"{h:.2g}" for h in run.steps)
    return (run.method, "—" if run.operations is None else f"{run.operations:,}",
            "—" if run.f_evals is None else f"{run.f_evals:,}", seconds(run.seconds),
            error(_worst(study, run)), note)


def document(study: TaylorStudy) -> Document:
    doc = Document(f"derivatives of any order: {study.label}")
    doc.line(f"f = {study.label}   at   {_point(study)}", "title")
    doc.line(_reference_line(study), "dim" if not study.reference_failure else "warning")
    runs = study.runs
    columns = (Column("k"), Column("exact f⁽ᵏ⁾"), Column("aₖ = f⁽ᵏ⁾/k!"),
               *(Column(r.method) for r in runs))
    errors = [study.errors(r) for r in runs]
    coefficients = study.coefficients()
    rows = tuple((str(k), number(study.reference[k - 1]), f"{coefficients[k - 1]:.6g}"
                  if coefficients[k - 1] is not None else "—",
                  *(error(e[k - 1]) if k <= len(e) else "—" for e in errors))
                 for k in range(1, study.order + 1))
    doc.add(Table(columns, rows, title="relative error per order, |d - r| / |r| (|d| "
                                       "where r = 0)"))
    cost = Table((Column("method", "left"), Column("operations"), Column("f evals"),
                  Column("time"), Column("worst error"), Column("notes", "left", wrap=True)),
                 tuple(_cost_row(study, r) for r in runs), title="cost")
    doc.add(cost)
    growing = [r for r in runs if r.growth]
    if growing:
        doc.line("operations by order k = 1, 2, …: " + "; ".join(
            f"{r.method} " + ", ".join(f"{c:,}" for c in r.growth) for r in growing), "note")
    doc.line("operations: elementary operations counted on the numbers (taylor-ad's grow as "
             "K², nested duals' as about 3.5^K: 2^K components per value); f evals: "
             f"evaluations of f (cauchy-fft's are complex, on {len(RADII)} circles); "
             f"symbolic sizes: operations in sympy's k-th derivative; nested duals stop at "
             f"order {NESTED_MAX_ORDER}", "dim")
    doc.line("cauchy-fft's radius, per order: of circles 2⁻⁴ … 2³ times the scale of x, the "
             "one whose error estimate (the change from N/2 to N points, plus round-off "
             "ε·max|f|/rᵏ) is least, and no circle past one that disagrees with a smaller "
             "one (a singular point inside); central-fd's step balances ε·Σ|w|/hᵏ against "
             "the h² truncation of Fornberg's order-k central stencil", "dim")
    doc.data = _json(study)
    doc.record_fields = ["method", "order", "derivative", "exact", "rel_error"]
    doc.records = [{"method": r.method, "order": k, "derivative": json_number(d),
                    "exact": json_number(study.reference[k - 1]),
                    "rel_error": json_number(study.errors(r)[k - 1])}
                   for r in runs for k, d in enumerate(r.derivatives, 1)]
    return doc


def _json(study: TaylorStudy) -> dict:
    return {
        "expression": study.label, "kind": TAYLOR_KIND, "variables": list(study.variables),
        "point": list(study.point), "direction": list(study.direction),
        "order": study.order, "value": json_number(study.value),
        "reference": [json_number(r) for r in study.reference],
        "reference_coefficients": [json_number(c) for c in study.coefficients()],
        "reference_certified_digits": list(study.reference_digits),
        "reference_precision_bits": study.reference_bits,
        "reference_failure": study.reference_failure,
        "methods": {r.method: {
            "derivatives": [json_number(d) for d in r.derivatives],
            "coefficients": [json_number(None if d is None else d / math.factorial(k))
                             for k, d in enumerate(r.derivatives, 1)],
            "errors": [json_number(e) for e in study.errors(r)],
            "error_estimates": None if r.estimates is None else
            [json_number(e) for e in r.estimates],
            "operations": r.operations, "f_evals": r.f_evals, "seconds": r.seconds,
            "sizes": None if r.sizes is None else list(r.sizes),
            "steps": None if r.steps is None else [json_number(s) for s in r.steps],
            "failure": r.failure,
            "operations_by_order": None if r.growth is None else list(r.growth),
        } for r in study.runs},
    }
