"""A scale study as a Document: a row per method and size, the fitted slopes. Pure functions."""

from __future__ import annotations

from dataclasses import asdict

from diffcompare.render.document import Column, Document, Table
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


def document(study: ScaleStudy) -> Document:
    titles = ("method", "n", "time", "time / cost(f)", "f evals", "fwd", "rev", "tape records",
              "tape bytes", "peak memory", "rel err")
    rows, styles = [], []
    for run in sorted(study.runs, key=lambda r: (study.methods.index(r.method), r.n)):
        time_text = seconds(run.seconds) + ("" if run.measured else " (estimate)")
        relative = run.seconds / study.cost_f[run.n] if run.n in study.cost_f else None
        rows.append((run.method, f"{run.n:,}", "failed" if run.failure else time_text,
                     "—" if relative is None or run.failure else f"{relative:,.0f}",
                     _count(run.f_evals), _count(run.forward_passes),
                     _count(run.reverse_passes), _count(run.tape_records),
                     _bytes(run.tape_bytes), _bytes(run.peak_bytes),
                     "—" if run.rel_error is None else error(run.rel_error)))
        styles.append("dim" if not run.measured else "failure" if run.failure else "plain")
    costs = ", ".join(f"n = {n:,}: {seconds(t)}" for n, t in sorted(study.cost_f.items()))
    doc = Document(f"scale: {study.function}")
    doc.line(f"{study.function}: one gradient by each method as n grows (budget "
             f"{study.budget:g} CPU s, an equal share each; times are CPU time)", "title")
    doc.add(Table(tuple(Column(t, "left" if k == 0 else "right") for k, t in enumerate(titles)),
                  tuple(rows), tuple(styles)))
    doc.line(f"cost(f), one evaluation: {costs}", "dim")
    doc.line("an estimate is extrapolated from the method's fitted slope: running it would "
             "pass its share of the budget", "dim")
    for line in slope_lines(study):
        doc.line(line, "insight")
    failures = {r.method: r.failure for r in study.runs if r.failure}
    for method, why in failures.items():
        doc.line(f"{method} failed: {why}", "warning")
    for note in dict.fromkeys(study.notes):
        doc.line(note, "warning")
    if study.interrupted:
        doc.line("interrupted: the sizes measured so far", "warning")
    doc.data = to_dict(study)
    doc.record_fields, doc.records = _records(study)
    return doc


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


def _records(study: ScaleStudy) -> tuple[list[str], list[dict]]:
    fields = ["method", "n", "seconds", "measured", "f_evals", "forward_passes",
              "reverse_passes", "tape_records", "tape_bytes", "peak_bytes", "rel_error",
              "failure"]
    return [*fields, "cost_f"], [{**{k: asdict(run)[k] for k in fields},
                                  "cost_f": study.cost_f.get(run.n, "")} for run in study.runs]
