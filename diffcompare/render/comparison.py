"""A comparison as a Document (render/document.py), for every format. Pure functions.

Numbers are formatted by diffcompare.render.numbers: every digit a method produced is visible.
Vectors (gradient, J·v, Jᵀ·r, H·v) get a column per entry; matrices (Jacobian, Hessian) one
cell with a line per row. The extras of each kind (which AD mode is cheaper, the dot-product
test, symmetry and eigenvalues) are computed by analysis.insight and written out here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from diffcompare.analysis.compare import Comparison, Row
from diffcompare.methods import KINDS, describe
from diffcompare.methods.kinds import output_names
from diffcompare.render.document import Column, Document, Table
from diffcompare.render.numbers import error, json_number, number, seconds

MAX_TABLE_COMPONENTS = 6  # wider vectors: the first ones in the table, all in JSON/CSV
MAX_MATRIX_SIDE = 6  # larger matrices: a summary in the table, all in JSON/CSV


def _kind(comparison: Comparison):
    return KINDS[comparison.kind]


def entry_name(comparison: Comparison, k: int) -> str:
    """The name of entry k of the kind (C order), made when shown."""
    p = comparison.problem
    return _kind(comparison).entry_name(k, output_names(p.m), p.variables)


def entry_count(comparison: Comparison) -> int:
    p = comparison.problem
    return _kind(comparison).size(p.m, p.n)


def entry_names(comparison: Comparison) -> list[str]:
    """A name for every entry of the kind, in C order (for a table that shows them all)."""
    return [entry_name(comparison, k) for k in range(entry_count(comparison))]


def _array_text(values: np.ndarray) -> str:
    if values.ndim == 1:
        return "(" + ", ".join(number(v) for v in values) + ")"
    return "[" + ", ".join(_array_text(row)[1:-1].join("[]") for row in values) + "]"


def _f_text(f: np.ndarray) -> str:
    return number(f[0]) if f.size == 1 else _array_text(f)


def summary_of(values) -> str:
    """A long vector in a few words: its length, first entries, norm and largest entry."""
    values = np.ravel(np.asarray(values, dtype=float))
    head = ", ".join(number(v) for v in values[:3])
    finite = values[np.isfinite(values)]
    norm = f", ‖·‖₂ = {number(float(np.linalg.norm(finite)))}" if finite.size else ""
    return f"({head}, …) {values.size} entries{norm}"


def signature(p) -> tuple[str, str]:
    """(the inputs, the point) for a header: in full, or for arrays, their shapes and a few
    entries each."""
    shapes = p.input_shapes
    if not p.has_arrays and p.n <= MAX_TABLE_COMPONENTS:
        return (", ".join(p.variables),
                ", ".join(f"{v} = {number(x)}" for v, x in zip(p.variables, p.point)))
    names = p.input_names
    inputs = ", ".join(name if not shape else f"{name}: {'×'.join(map(str, shape))}"
                       for name, shape in zip(names, shapes))
    parts = []
    for i, (name, shape) in enumerate(zip(names, shapes)):
        piece = p.point_array[p.flat_range(i).start:p.flat_range(i).stop]
        parts.append(f"{name} = {number(piece[0])}" if not shape else
                     f"{name} = {summary_of(piece) if piece.size > 3 else _array_text(piece)}")
    return inputs, "; ".join(parts)


def header(comparison: Comparison) -> list[str]:
    p = comparison.problem
    inputs, at = signature(p)
    ref = comparison.reference
    lines = [f"f({inputs}) = {p.describe()}   at   {at}"]
    if comparison.direction is not None:
        name = _kind(comparison).direction_name
        lines.append(f"{name} = {_array_text(np.array(comparison.direction))}")
    if ref.failure:
        lines.append(f"no exact reference: {ref.failure}")
    else:
        derivative = summary_of(ref.derivative) if _summarized(comparison) \
            else _array_text(ref.derivative)
        lines.append(f"exact ({ref.describe}): f = {_f_text(ref.f)}, "
                     f"{comparison.kind} = {derivative}")
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
            estimates = np.ravel(np.asarray(r.error_estimate, dtype=float))
            shown = ", ".join(error(e) for e in estimates) \
                if estimates.size <= MAX_TABLE_COMPONENTS else \
                f"up to {error(float(np.nanmax(estimates)))} (median " \
                f"{error(float(np.nanmedian(estimates)))}, over {estimates.size} entries)"
            notes.append(f"{r.method}: its own error estimate {shown}")
    if comparison.left_out:
        notes.append(f"not shown: {', '.join(comparison.left_out)} (they do not compute a "
                     f"{comparison.kind})")
    return notes


def _is_matrix(comparison: Comparison) -> bool:
    return _kind(comparison).matrix


def _summarized(comparison: Comparison) -> bool:
    """A vector too long for a column per entry: the table shows its norm and its worst
    entry instead (JSON and CSV hold every entry)."""
    return not _is_matrix(comparison) and entry_count(comparison) > MAX_TABLE_COMPONENTS


def _components(comparison: Comparison) -> list[int]:
    if _is_matrix(comparison) or _summarized(comparison):
        return []
    return list(range(entry_count(comparison)))


def _short(name: str) -> str:
    """An entry's name without its ∂f/∂: the input it is about."""
    return name.rsplit("∂", 1)[-1].lstrip("/")


def _worst(row: Row, comparison: Comparison) -> str:
    """The entry whose own relative error is largest, and that error."""
    if row.worst is None:
        return "—"
    if row.worst_entry_error == 0:
        return "0"
    return f"{_short(entry_name(comparison, row.worst))} {error(row.worst_entry_error)}"


NAMED_ENTRIES = 4  # entries a status cell names; past it, how many more


def status_text(row: Row, comparison: Comparison) -> str:
    """"ok", or which entries ran into what: "x1: outside domain" (a few named, then how
    many more)."""
    if row.result.failure:
        return "out of budget" if row.result.failure_kind == "out-of-budget" else "failed"
    trouble: dict[str, list[int]] = {}
    for k, status in enumerate(row.status):
        if status != "ok":
            trouble.setdefault(status, []).append(k)
    if not trouble:
        return "ok"
    parts = []
    for status, entries in trouble.items():
        named = ",".join(_short(entry_name(comparison, k)) for k in entries[:NAMED_ENTRIES])
        more = f" and {len(entries) - NAMED_ENTRIES:,} more" if len(entries) > NAMED_ENTRIES \
            else ""
        parts.append(f"{named}{more}: {status}")
    return "; ".join(parts)


def _matrix_cell(values: np.ndarray) -> str:
    rows, columns = values.shape
    if max(rows, columns) > MAX_MATRIX_SIDE:
        return f"{rows}×{columns} (see --format json)"
    return "\n".join("[" + ", ".join(number(v) for v in row) + "]" for row in values)


def _cells(row: Row, comparison: Comparison, shown: list[int]) -> list[str]:
    r = row.result
    if _is_matrix(comparison):
        values = ["failed (see below)" if r.failure else _matrix_cell(np.asarray(r.value))]
    elif _summarized(comparison):
        values = ["failed (see below)", "—"] if r.failure else [
            number(float(np.linalg.norm(np.asarray(r.value, dtype=float)))),
            _worst(row, comparison)]
    else:
        entries = r.entries
        values = [number(entries[i]) for i in shown]
        if r.failure:
            values = ["failed (see below)"] + [""] * (len(shown) - 1)
    cost = r.cost
    f = [_f_text(r.f)] if comparison.problem.m == 1 else []
    worst = [] if _summarized(comparison) else [_worst(row, comparison)]
    return [r.method, *f, *values, error(row.max_abs_error), error(row.rel_error), *worst,
            "—" if row.digits is None else str(row.digits),
            status_text(row, comparison), _evaluations(cost),
            str(cost.forward_passes), str(cost.reverse_passes), seconds(cost.seconds)]


def _evaluations(cost) -> str:
    """f's evaluations: the derivative's own, plus what its honesty checks spent."""
    return f"{cost.f_evals}+{cost.check_evals}" if cost.check_evals else str(cost.f_evals)


def _titles(comparison: Comparison, shown: list[int]) -> list[str]:
    if _is_matrix(comparison):
        values = [_kind(comparison).symbol]
    elif _summarized(comparison):
        values = [f"‖{_kind(comparison).symbol}‖₂", "worst entry"]
    else:
        values = [entry_name(comparison, i) for i in shown]
    f = ["f(x)"] if comparison.problem.m == 1 else []  # m values: in the header only
    worst = [] if _summarized(comparison) else ["worst entry"]
    return ["method", *f, *values, "max err", "rel err", *worst, "digits", "status",
            "f evals", "fwd", "rev", "time"]


COMPACT_DIGITS = 6  # significant digits of a narrow terminal's entries


def _compact(comparison: Comparison, shown: list[int], styles) -> Table:
    """For a narrow terminal: each entry to COMPACT_DIGITS significant digits, the correct
    digits of the unrounded value, the status, and the cost in one column."""
    def entry(value) -> str:
        text = number(value)
        return text if text in ("—", "inf", "-inf") else f"{float(value):.{COMPACT_DIGITS}g}"

    whole = _is_matrix(comparison) or _summarized(comparison)  # no entries to round
    titles = [] if whole else [entry_name(comparison, i) for i in shown]
    rows = []
    for row in comparison.rows:
        r, cost = row.result, row.result.cost
        if not titles:
            values = []
        elif r.failure:
            values = ["failed"] + [""] * (len(titles) - 1)
        else:
            values = [entry(r.entries[i]) for i in shown]
        rows.append((r.method, *values, "—" if row.digits is None else str(row.digits),
                     status_text(row, comparison), seconds(cost.seconds)))
    columns = (Column("method", "left"), *(Column(t) for t in titles), Column("digits"),
               Column("status", "left", wrap=True), Column("time"))
    return Table(columns, tuple(rows), styles,
                 note=f"entries rounded to {COMPACT_DIGITS} significant digits, digits "
                      "counted on the unrounded values; f evals and passes: --wide")


def document(comparison: Comparison) -> Document:
    """The header, one row per method, what the kind teaches, warnings; the JSON contract;
    a CSV line per method with every entry."""
    shown = _components(comparison)
    titles = _titles(comparison, shown)
    columns = tuple(Column(t, "left" if k == 0 else "right") for k, t in enumerate(titles))
    rows = tuple(tuple(_cells(row, comparison, shown)) for row in comparison.rows)
    styles = tuple("failure" if row.result.failure else
                   ("plain" if describe(row.method).exact else "dim") for row in comparison.rows)
    doc = Document(f"the {comparison.kind} of {comparison.problem.describe()}")
    for line in header(comparison):
        doc.line(line)
    doc.add(Table(columns, rows, styles, compact=_compact(comparison, shown, styles)))
    if _summarized(comparison):
        doc.line(f"({entry_count(comparison):,} entries: the table shows each method's "
                 "norm and its largest error; --format json or csv has every entry)")
    doc.line(f"rel err = max|d - r| / max|r| against the exact {comparison.kind} r (over the "
             "entries both have); worst entry = the entry whose own |d - r| / |r| is largest "
             "(|r| at least 2.2e-308, the smallest normal float, so an error against an exact "
             "0 shows); "
             "digits = correct significant digits; f evals = the derivative's own + its "
             "checks' (the same stencil at another step, a look across a kink); fwd, rev = "
             "forward and reverse passes; time includes the checks", "dim")
    sweep = comparison.shared_checks.get("rounding")
    if sweep:
        doc.line(f"rounding bound of {', '.join(sweep['methods'])}: one sweep of f's tape in "
                 f"53-bit balls, {sweep['ball_operations']:,} ball operations, "
                 f"{seconds(sweep['seconds'])} (shared, in none of their columns)", "dim")
    for line in insight_lines(comparison):
        doc.line(line, "insight")
    for note in footnotes(comparison):
        doc.line(note, "warning")
    doc.data = lambda: to_dict(comparison)  # made when a format writes it
    doc.records = lambda: _records(comparison)
    return doc


def insight_lines(comparison: Comparison) -> list[str]:
    """What the kind teaches, in sentences."""
    found, lines = comparison.insight, []
    if "cheaper_mode" in found:
        mode = found["cheaper_mode"]
        lines.append(("either AD mode costs the same here: " if mode == "either" else
                      f"{mode} is the cheaper AD mode here: ") + found["why"])
    test = found.get("dot_product_test")
    if test and "failure" not in test:
        lines.append(f"dot-product test: <J·v, r> = {number(test['Jv_dot_r'])} (forward-ad, "
                     f"one pass) and <v, Jᵀ·r> = {number(test['v_dot_JTr'])} (reverse-ad, one "
                     f"pass), difference {error(test['difference'])}; v = "
                     f"{_array_text(np.array(test['v']))}, r = {_array_text(np.array(test['r']))}")
    elif test:
        lines.append(f"dot-product test failed: {test['failure']}")
    if found.get("eigenvalues") is not None:
        eigen = ", ".join(number(e) for e in found["eigenvalues"])
        lines.append(f"eigenvalues of the exact Hessian: {eigen}: {found['meaning']}")
    elif "meaning" in found:
        lines.append(found["meaning"])
    if "symmetry" in found:
        lines.append("symmetry, max|H - Hᵀ|: " + ", ".join(
            f"{method} {error(gap)}" for method, gap in found["symmetry"].items()))
    return lines


def _json_safe(value):
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, float):
        return json_number(value)
    return value


def json_list(values) -> list:
    """Floats as a JSON list, null where not finite, in one pass (a million entries)."""
    values = np.ravel(np.asarray(values, dtype=float))
    finite = np.isfinite(values)
    if finite.all():
        return values.tolist()
    shown = values.astype(object)
    shown[~finite] = None
    return shown.tolist()


def _nested(values, shape) -> Any:
    flat = json_list(values)
    return np.array(flat, dtype=object).reshape(shape).tolist() if len(shape) > 1 else flat


def _f_json(f: np.ndarray):
    return json_number(f[0]) if f.size == 1 else [json_number(v) for v in f]


def to_dict(comparison: Comparison) -> dict:
    """The JSON contract (keys are stable; CI scripts read them). Each method's array is
    under the kind's name ("gradient", "jacobian", ...); "value" is f(x)."""
    p, ref, kind = comparison.problem, comparison.reference, comparison.kind
    shape = ref.derivative.shape
    methods = {}
    for row in comparison.rows:
        r = row.result
        methods[r.method] = {
            "value": _f_json(r.f),
            kind: _nested(r.value, shape),
            "abs_error": _nested(row.abs_error, shape),
            "max_abs_error": json_number(row.max_abs_error),
            "entry_rel_error": _nested(row.entry_error, shape)
            if row.entry_error is not None else None,
            "worst_entry": row.worst,
            "worst_entry_rel_error": json_number(row.worst_entry_error),
            "rel_error": json_number(row.rel_error),
            "digits": row.digits,
            "f_evals": r.cost.f_evals,
            "passes": r.cost.passes,
            "forward_passes": r.cost.forward_passes,
            "reverse_passes": r.cost.reverse_passes,
            "check_evals": r.cost.check_evals,
            "seconds": r.cost.seconds,
            "warnings": list(r.warnings),
            "status": np.array(row.status, dtype=object).reshape(shape).tolist()
            if len(shape) > 1 else list(row.status),
            "failure": r.failure,
            "family": describe(r.method).family,
            "error_estimate": None if r.error_estimate is None
            else _nested(r.error_estimate, np.shape(r.error_estimate)),
            "steps": None if r.steps is None else json_list(r.steps),
            "size": r.size,
        }
    return {
        "expression": p.describe(),
        "kind": kind,
        "variables": list(p.variables),
        "outputs": p.m,
        "point": list(p.point),
        "direction": None if comparison.direction is None else list(comparison.direction),
        "shape": list(shape),
        "input_shapes": {name: list(s) for name, s in zip(p.input_names, p.input_shapes)},
        "value": _f_json(ref.f),
        "reference": _nested(ref.derivative, shape),
        "reference_failure": ref.failure,
        "reference_notes": list(ref.notes),
        "reference_source": ref.source,
        # How far the reference is proved: the fewest certified significant digits over its
        # entries, the last sweep's precision, and each entry's certified absolute error bound.
        "reference_certified_digits": ref.digits if not ref.failure else None,
        "reference_precision_bits": ref.precision or None,
        "reference_radius": None if ref.radius is None else
        _nested(np.asarray(ref.radius, dtype=float), shape),
        # per entry, whether it is a one-sided slope at a kink (about 20 digits, uncertified)
        "reference_from_slopes": np.reshape(ref.past_the_rules, shape).tolist()
        if any(ref.past_the_rules) else None,
        "warnings": list(comparison.warnings),
        "insight": _json_safe(comparison.insight),
        "left_out": list(comparison.left_out),
        "shared_checks": _json_safe(comparison.shared_checks),
        "methods": methods,
    }


def _records(comparison: Comparison) -> tuple[list[str], list[dict]]:
    """One line per method (and one for the reference), every entry (C order) its own
    column."""
    size = entry_count(comparison)
    p, kind = comparison.problem, _kind(comparison)
    columns = [kind.check_label(k, p.m, p.variables) for k in range(size)]
    errors = [f"abs_error_{c[2:]}" if c.startswith("d/d") else f"abs_error {c}"
              for c in columns]
    fields = ["method", "value", *columns, *errors, "max_abs_error", "rel_error", "digits",
              "f_evals", "passes", "seconds", "status", "failure", "warnings"]
    ref = comparison.reference
    records = [{"method": "reference", "value": ";".join(map(repr, map(float, ref.f))),
                **dict(zip(columns, map(repr, ref.gradient)))}]
    for row in comparison.rows:
        r = row.result
        records.append({
            "method": r.method, "value": ";".join(map(repr, map(float, r.f))),
            **dict(zip(columns, map(repr, r.entries))),
            **dict(zip(errors, map(repr, map(float, row.abs_error)))),
            "max_abs_error": repr(row.max_abs_error), "rel_error": repr(row.rel_error),
            "digits": "" if row.digits is None else row.digits, "f_evals": r.f_evals,
            "passes": r.passes, "seconds": repr(r.seconds), "status": ";".join(row.status),
            "failure": r.failure or "", "warnings": "; ".join(r.warnings)})
    return fields, records
