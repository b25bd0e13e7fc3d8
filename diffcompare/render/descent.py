"""Descent runs as a Document: a row per run (long points summarized), the first steps
explained, every iterate in JSON and CSV. Pure functions."""

from __future__ import annotations

import numpy as np

from diffcompare.render.comparison import json_list, summary_of
from diffcompare.render.document import Column, Document, Table
from diffcompare.render.numbers import error, json_number, number, seconds
from diffcompare.studies.descent import OPTIMIZERS, Descent, Iterate, Run

SHOWN_ENTRIES = 6  # a point with more entries is summarized in the table

TITLES = ["method", "final point", "final f", "iterations", "‖∇f‖", "f evals", "fwd", "rev",
          "time", "departs from exact", "stopped"]


def _point(values) -> str:
    values = np.ravel(values)
    if values.size > SHOWN_ENTRIES:
        return summary_of(values)
    return "(" + ", ".join(number(v) for v in values) + ")"


def _departure(run: Run, descent: Descent) -> str:
    if run.exact or run.failure:
        return ""
    if descent.exact is None:
        return "no exact run"
    if run.departs_at is None:
        return "never"
    return f"at {run.departs_at} (by {error(run.departure)})"


def cells(run: Run, descent: Descent) -> list[str]:
    final = run.final
    if run.failure or final is None:
        return [run.method, "—", "—", "—", "—", "", "", "", "", "", run.failure or run.stopped]
    return [run.method, _point(final.point), number(final.f), str(run.iterations),
            error(final.norm), str(run.cost.f_evals), str(run.cost.forward_passes),
            str(run.cost.reverse_passes), seconds(run.cost.seconds), _departure(run, descent),
            run.stopped]


def header(descent: Descent) -> list[str]:
    from diffcompare.render.comparison import signature

    p = descent.problem
    inputs, start = signature(p)
    rule = OPTIMIZERS[descent.optimizer].summary(descent.lr, descent.beta)
    stop = "run every step" if descent.tol == 0 else f"stop when ‖∇f‖ ≤ {descent.tol:g}"
    lines = [f"minimise f({inputs}) = {p.describe()}   from   {start}",
             f"{rule}; at most {descent.steps} steps; {stop}; a run "
             f"departs when it is {descent.depart_tol:g}·max(1, ‖x‖) from the exact run"]
    if descent.exact_failure:
        lines.append(f"no exact run: {descent.exact_failure}")
    return lines


def _rows(descent: Descent) -> list[Run]:
    return [*( [descent.exact] if descent.exact else []), *descent.runs]


def document(descent: Descent, explained: bool = False) -> Document:
    columns = tuple(Column(t, "left" if k in (0, 10) else "right") for k, t in enumerate(TITLES))
    rows = _rows(descent)
    styles = tuple("failure" if run.failure or run.stopped.startswith("diverged") else "plain"
                   for run in rows)
    doc = Document(f"descent: {descent.problem.describe()}")
    for line in header(descent):
        doc.line(line)
    doc.add(Table(columns, tuple(tuple(cells(run, descent)) for run in rows), styles))
    doc.line("exact = the same optimizer on exact derivatives (the tape swept in balls); fwd, "
             "rev = forward and reverse passes, all iterations together; time = CPU time",
             "dim")
    if explained:
        for line in explain(descent).split("\n"):
            doc.line(line)
    doc.data = to_dict(descent)
    doc.record_fields, doc.records = _records(descent)
    return doc


def explain(descent: Descent, first: int = 3) -> str:
    """The first steps as the first seed walks them: the point, f, the gradient, what the
    sign of each partial says, and the update."""
    run = descent.exact or next((r for r in descent.runs if r.iterates), None)
    if run is None:
        return "no run to explain"
    names = descent.problem.variables
    if descent.problem.n > SHOWN_ENTRIES:
        return (f"(the first steps are explained for functions of at most {SHOWN_ENTRIES} "
                f"inputs; this one has {descent.problem.n})")
    lines = [f"The first steps of {descent.optimizer} on the {run.method} gradient:"]
    for k, (now, after) in enumerate(zip(run.iterates, run.iterates[1:first + 1])):
        lines.append(f"step {k}: x = {_point(now.point)}, f(x) = {number(now.f)}, "
                     f"∇f = {_point(now.gradient)}")
        for name, g in zip(names, now.gradient):
            lines.append("  " + _sign_sentence(name, g))
        lines.append("  " + _update_sentence(descent, now, after))
    return "\n".join(lines)


def _sign_sentence(name: str, g: float) -> str:
    if g > 0:
        return (f"∂f/∂{name} = {number(g)} > 0: increasing {name} increases f, so to "
                f"decrease f, {name} must decrease")
    if g < 0:
        return (f"∂f/∂{name} = {number(g)} < 0: increasing {name} decreases f, so {name} "
                "must increase")
    return f"∂f/∂{name} = 0: f does not change with {name} here, to first order"


def _update_sentence(descent: Descent, now: Iterate, after: Iterate) -> str:
    rule = OPTIMIZERS[descent.optimizer]
    if not rule.per_coordinate:
        return f"update {rule.update_words} = {_point(after.point)}"
    terms = ", ".join(f"{number(x)} − {descent.lr:g}·{number(g)}"
                      for x, g in zip(now.point, now.gradient))
    return f"update {rule.update_words} = ({terms}) = {_point(after.point)}"


def _run_dict(run: Run) -> dict:
    return {
        "method": run.method, "stopped": run.stopped, "failure": run.failure,
        "iterations": run.iterations,
        "final_point": None if run.final is None else json_list(run.final.point),
        "final_f": None if run.final is None else json_number(run.final.f),
        "gradient_norm": None if run.final is None else json_number(run.final.norm),
        "f_evals": run.cost.f_evals, "forward_passes": run.cost.forward_passes,
        "reverse_passes": run.cost.reverse_passes, "seconds": run.cost.seconds,
        "departs_at": run.departs_at, "departure": json_number(run.departure),
        "path": [{"point": json_list(it.point), "f": json_number(it.f),
                  "gradient": json_list(it.gradient)} for it in run.iterates],
    }


def to_dict(descent: Descent) -> dict:
    p = descent.problem
    return {
        "expression": p.describe(), "variables": list(p.variables), "start": list(p.point),
        "optimizer": descent.optimizer, "lr": descent.lr, "beta": descent.beta,
        "steps": descent.steps, "tol": descent.tol, "depart_tol": descent.depart_tol,
        "exact": None if descent.exact is None else _run_dict(descent.exact),
        "exact_failure": descent.exact_failure,
        "runs": {run.method: _run_dict(run) for run in descent.runs},
    }


def _records(descent: Descent) -> tuple[list[str], list[dict]]:
    """One line per iterate of every run."""
    names = list(descent.problem.variables)
    derivatives = [f"d/d{v}" for v in names]
    fields = ["method", "iteration", *names, "f", *derivatives, "gradient_norm"]
    records = []
    for run in _rows(descent):
        for k, it in enumerate(run.iterates):
            records.append({"method": run.method, "iteration": k,
                            **dict(zip(names, map(repr, it.point.tolist()))), "f": repr(it.f),
                            **dict(zip(derivatives, map(repr, it.gradient.tolist()))),
                            "gradient_norm": repr(it.norm)})
    return fields, records
