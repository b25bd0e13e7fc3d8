"""Descent runs -> a rich table, JSON, CSV, the first steps explained, and HTML."""

from __future__ import annotations

import csv
import html
import io
import json

from diffcompare.render.numbers import error, json_number, number, seconds
from diffcompare.studies.descent import Descent, Iterate, Run

TITLES = ["method", "final point", "final f", "iterations", "‖∇f‖", "f evals", "fwd", "rev",
          "time", "departs from exact", "stopped"]


def _point(values) -> str:
    return "(" + ", ".join(number(v) for v in values) + ")"


def _departure(run: Run) -> str:
    if run.method == "exact" or run.failure:
        return ""
    if run.departs_at is None:
        return "never"
    return f"at {run.departs_at} (by {error(run.departure)})"


def cells(run: Run) -> list[str]:
    if run.failure:
        return [run.method, "—", "—", "—", "—", "", "", "", "", "", run.failure]
    final = run.final
    return [run.method, _point(final.point), number(final.f), str(run.iterations),
            error(final.norm), str(run.cost.f_evals), str(run.cost.forward_passes),
            str(run.cost.reverse_passes), seconds(run.cost.seconds), _departure(run),
            run.stopped]


def header(descent: Descent) -> list[str]:
    p = descent.problem
    start = ", ".join(f"{v} = {number(x)}" for v, x in zip(p.variables, p.point))
    rule = {"gd": f"gd, lr = {descent.lr:g}",
            "momentum": f"momentum, lr = {descent.lr:g}, β = {descent.beta:g}",
            "newton": "newton (full steps)"}[descent.optimizer]
    lines = [f"minimise f({', '.join(p.variables)}) = {p.describe()}   from   {start}",
             f"{rule}; at most {descent.steps} steps; stop when ‖∇f‖ ≤ {descent.tol:g}; a run "
             f"departs when it is {descent.depart_tol:g}·max(1, ‖x‖) from the exact run"]
    if descent.exact_failure:
        lines.append(f"no exact run: {descent.exact_failure}")
    return lines


def _rows(descent: Descent) -> list[Run]:
    return [*( [descent.exact] if descent.exact else []), *descent.runs]


def table(descent: Descent):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    grid = Table(show_edge=False, header_style="bold", pad_edge=False)
    for k, title in enumerate(TITLES):
        grid.add_column(title, justify="left" if k in (0, 10) else "right", overflow="fold")
    for run in _rows(descent):
        style = "red" if run.failure or run.stopped.startswith("diverged") else None
        grid.add_row(*cells(run), style=style)
    return Group(*[Text(line) for line in header(descent)], grid,
                 Text("exact = the same optimizer on exact derivatives (the tape swept in "
                      "mpmath at 60 digits); fwd, rev = forward and reverse passes, all "
                      "iterations together", style="dim"))


def explain(descent: Descent, first: int = 3) -> str:
    """The first steps as the first seed walks them: the point, f, the gradient, what the
    sign of each partial says, and the update."""
    run = descent.exact or next((r for r in descent.runs if r.iterates), None)
    if run is None:
        return "no run to explain"
    names = descent.problem.variables
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
    if descent.optimizer == "gd":
        terms = ", ".join(f"{number(x)} − {descent.lr:g}·{number(g)}"
                          for x, g in zip(now.point, now.gradient))
        return f"update x − lr·∇f = ({terms}) = {_point(after.point)}"
    if descent.optimizer == "momentum":
        return (f"update v ← {descent.beta:g}·v − {descent.lr:g}·∇f, x ← x + v = "
                f"{_point(after.point)}")
    return f"update x − H⁻¹·∇f = {_point(after.point)} (H: the Hessian at x)"


def _run_dict(run: Run) -> dict:
    return {
        "method": run.method, "stopped": run.stopped, "failure": run.failure,
        "iterations": run.iterations,
        "final_point": None if run.final is None else list(run.final.point),
        "final_f": None if run.final is None else json_number(run.final.f),
        "gradient_norm": None if run.final is None else json_number(run.final.norm),
        "f_evals": run.cost.f_evals, "forward_passes": run.cost.forward_passes,
        "reverse_passes": run.cost.reverse_passes, "seconds": run.cost.seconds,
        "departs_at": run.departs_at, "departure": json_number(run.departure),
        "path": [{"point": list(it.point), "f": json_number(it.f),
                  "gradient": [json_number(g) for g in it.gradient]} for it in run.iterates],
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


def to_json(descent: Descent) -> str:
    return json.dumps(to_dict(descent), indent=2, allow_nan=False)


def to_csv(descent: Descent) -> str:
    """One line per iterate of every run."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = descent.problem.variables
    writer.writerow(["method", "iteration", *names, "f", *(f"d/d{v}" for v in names),
                     "gradient_norm"])
    for run in _rows(descent):
        for k, it in enumerate(run.iterates):
            writer.writerow([run.method, k, *map(repr, it.point), repr(it.f),
                             *map(repr, it.gradient), repr(it.norm)])
    return out.getvalue()


def to_html(descent: Descent) -> str:
    head = "".join(f"<th>{html.escape(t)}</th>" for t in TITLES)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells(run))
                   + "</tr>" for run in _rows(descent))
    text = "".join(f"<p>{html.escape(line)}</p>" for line in header(descent))
    return f"<div>{text}<table><tr>{head}</tr>{body}</table></div>"
