"""A step study (epsplot) as a Document: a row per scheme, every point in JSON and CSV."""

from __future__ import annotations

import math

from diffcompare.render.document import Column, Document, Table
from diffcompare.render.numbers import error, json_number, number
from diffcompare.studies.epsplot import StepStudy, common_steps


def _step(x: float | None) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.2g}"


def _order(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def heading(study: StepStudy) -> str:
    p = study.problem
    at = ", ".join(f"{v} = {number(x)}" for v, x in zip(p.variables, p.point))
    exact = f"exact {number(study.exact)}" if study.exact is not None else \
        str(study.no_derivative)
    return f"∂f/∂{study.wrt} of {p.describe()} at {at}: {exact}"


def document(study: StepStudy) -> Document:
    common = common_steps(study.x)
    titles = ("method", "best step", "worst error near it", "model's optimum",
              "observed order", *(f"error at {c.name}" for c in common))
    rows = []
    for s in study.sweeps:
        optimum = s.model.optimal_step if s.model else None
        rows.append((s.scheme, _step(s.best_step), error(s.best_error), _step(optimum),
                     _order(s.observed_order), *(error(e) for _, _, _, e in s.at_common)))
    doc = Document(f"finite-difference error against the step: {study.problem.describe()}")
    doc.line(heading(study), "title")
    doc.add(Table(tuple(Column(t, "left" if k == 0 else "right")
                        for k, t in enumerate(titles)), tuple(rows)))
    for c in common:
        doc.line(f"{c.name} = {c.step:.3g}: {c.source}", "dim")
    doc.line("best step: where the worst error within half a decade either side is lowest; "
             "observed order: slope of log error against log h where truncation rules", "dim")
    doc.data = to_dict(study)
    doc.record_fields, doc.records = _records(study)
    return doc


def to_dict(study: StepStudy) -> dict:
    def clean(values):
        return [json_number(v) for v in values]

    p = study.problem
    return {
        "expression": p.describe(), "variables": list(p.variables), "point": list(p.point),
        "wrt": study.wrt, "exact": study.exact, "value": study.value,
        "derivatives": {"first": study.derivatives[0], "second": study.derivatives[1],
                        "third": study.derivatives[2]},
        "no_derivative": study.no_derivative, "relative": study.relative,
        "methods": {s.scheme: {
            "steps": clean(s.steps), "axis": clean(study.axis(s.steps)),
            "estimates": clean(s.estimates), "errors": clean(s.errors),
            "error_envelope": clean(s.envelope),
            "model": None if s.model is None else clean(s.model(s.steps)),
            "own_error_estimate": None if s.own_estimate is None else clean(s.own_estimate),
            "model_optimal_step": s.model.optimal_step if s.model else None,
            "observed_order": s.observed_order, "best_step": s.best_step,
            "best_error": s.best_error,
            "common_steps": [{"name": n, "step": h, "estimate": e if math.isfinite(e) else None,
                              "error": r if math.isfinite(r) else None}
                             for n, h, e, r in s.at_common],
        } for s in study.sweeps},
    }


def _records(study: StepStudy) -> tuple[list[str], list[dict]]:
    """One line per scheme and step."""
    records = []
    for s in study.sweeps:
        model = s.model(s.steps) if s.model else [math.nan] * len(s.steps)
        for h, a, e, r, m in zip(s.steps, study.axis(s.steps), s.estimates, s.errors, model):
            records.append({"method": s.scheme, "step": repr(float(h)), "axis": repr(float(a)),
                            "estimate": repr(float(e)), "error": repr(float(r)),
                            "model": repr(float(m))})
    return ["method", "step", "axis", "estimate", "error", "model"], records
