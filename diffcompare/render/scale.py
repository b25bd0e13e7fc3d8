"""A scaling study -> table, JSON or CSV. Pure functions."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict

from diffcompare.render.numbers import error, seconds
from diffcompare.studies.scale import ScaleStudy, law


def _bytes(value: int | None) -> str:
    if value is None:
        return "—"
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return str(value)


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def slope_lines(study: ScaleStudy) -> list[str]:
    """Each method's fitted slopes beside the seed's law."""
    lines = []
    f_slope = study.f_slope
    if f_slope is not None:
        lines.append(f"cost(f) grows as n^{f_slope:.2f}")
    for method in study.methods:
        slope, relative = study.slope(method), study.slope(method, relative=True)
        if slope is None:
            continue
        exponent = law(method)
        expected = "" if exponent is None else f" (the seeds: n^{exponent} · cost(f))"
        lines.append(f"{method}: time ∝ n^{slope:.2f}; time/cost(f) ∝ n^{relative:.2f}"
                     f"{expected}")
    return lines


def table(study: ScaleStudy):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    grid = Table(show_edge=False, header_style="bold", pad_edge=False)
    for title in ("method", "n", "time", "time / cost(f)", "f evals", "fwd", "rev",
                  "tape records", "tape bytes", "peak memory", "rel err"):
        grid.add_column(title, justify="left" if title == "method" else "right")
    for run in sorted(study.runs, key=lambda r: (study.methods.index(r.method), r.n)):
        time_text = seconds(run.seconds) + ("" if run.measured else " (estimate)")
        relative = run.seconds / study.cost_f[run.n] if run.n in study.cost_f else None
        grid.add_row(run.method, f"{run.n:,}", "failed" if run.failure else time_text,
                     "—" if relative is None or run.failure else f"{relative:,.0f}",
                     _count(run.f_evals), _count(run.forward_passes),
                     _count(run.reverse_passes), _count(run.tape_records),
                     _bytes(run.tape_bytes), _bytes(run.peak_bytes),
                     "—" if run.rel_error is None else error(run.rel_error),
                     style="dim" if not run.measured else "red" if run.failure else None)
    costs = ", ".join(f"n = {n:,}: {seconds(t)}" for n, t in sorted(study.cost_f.items()))
    parts = [Text(f"{study.function}: one gradient by each method as n grows (budget "
                  f"{study.budget:g} s, an equal share each)", style="bold"), grid,
             Text(f"cost(f), one evaluation: {costs}", style="dim"),
             Text("an estimate is extrapolated from the method's fitted slope: running it "
                  "would pass its share of the budget", style="dim")]
    parts += [Text(line, style="cyan") for line in slope_lines(study)]
    failures = {r.method: r.failure for r in study.runs if r.failure}
    parts += [Text(f"{m} failed: {why}", style="yellow") for m, why in failures.items()]
    parts += [Text(note, style="yellow") for note in dict.fromkeys(study.notes)]
    if study.interrupted:
        parts.append(Text("interrupted: the sizes measured so far", style="yellow"))
    return Group(*parts)


def to_dict(study: ScaleStudy) -> dict:
    return {
        "function": study.function,
        "sizes": study.sizes,
        "budget": study.budget,
        "cost_f": {str(n): t for n, t in sorted(study.cost_f.items())},
        "runs": [asdict(r) for r in study.runs],
        "slopes": {m: {"time": study.slope(m), "relative_to_f": study.slope(m, True),
                       "law": law(m)} for m in study.methods},
        "f_slope": study.f_slope,
        "notes": list(dict.fromkeys(study.notes)),
        "interrupted": study.interrupted,
    }


def to_json(study: ScaleStudy) -> str:
    return json.dumps(to_dict(study), indent=2)


def to_csv(study: ScaleStudy) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    fields = ["method", "n", "seconds", "measured", "f_evals", "forward_passes",
              "reverse_passes", "tape_records", "tape_bytes", "peak_bytes", "rel_error",
              "failure"]
    writer.writerow([*fields, "cost_f"])
    for run in study.runs:
        row = asdict(run)
        writer.writerow([*("" if row[k] is None else row[k] for k in fields),
                         study.cost_f.get(run.n, "")])
    return out.getvalue()
