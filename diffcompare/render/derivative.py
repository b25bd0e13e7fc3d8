"""One method's derivative as a Document: its entries, f, its cost. Pure functions."""

from __future__ import annotations

import numpy as np

from diffcompare.render.document import Column, Document, Table
from diffcompare.render.numbers import json_number, number


def document(derivative) -> Document:
    value = np.asarray(derivative.value, dtype=float)
    rows = value if value.ndim == 2 else value.reshape(1, -1)
    f = np.atleast_1d(np.asarray(derivative.f, dtype=float))
    cost = derivative.cost
    doc = Document(f"{derivative.method}: {derivative.kind}")
    doc.line(f"{derivative.method}: {derivative.kind}, f(x) = "
             f"{', '.join(number(v) for v in f)}; {cost.f_evals} evaluations, "
             f"{cost.forward_passes} forward and {cost.reverse_passes} reverse passes",
             "title")
    doc.add(Table(tuple(Column(str(k)) for k in range(rows.shape[1])),
                  tuple(tuple(number(v) for v in row) for row in rows)))
    if derivative.failure:
        doc.line(f"failed: {derivative.failure}", "failure")
    for warning in derivative.warnings:
        doc.line(warning, "warning")
    doc.data = {"method": derivative.method, "kind": derivative.kind,
                "value": [[json_number(v) for v in row] for row in rows.tolist()]
                if value.ndim == 2 else [json_number(v) for v in value.tolist()],
                "f": [json_number(v) for v in f.tolist()], "failure": derivative.failure,
                "warnings": list(derivative.warnings), "f_evals": cost.f_evals,
                "forward_passes": cost.forward_passes, "reverse_passes": cost.reverse_passes,
                "seconds": cost.seconds}
    return doc
