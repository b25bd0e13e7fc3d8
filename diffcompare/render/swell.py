"""Swell measurements -> table, JSON or CSV. Pure functions."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict

from diffcompare.studies.swell import MEASURES, SIZE_COLUMNS, SwellRow


def _size(value: int | None) -> str:
    return "timed out" if value is None else str(value)


def table(rows: list[SwellRow], title: str):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    grid = Table(show_edge=False, header_style="bold", pad_edge=False)
    grid.add_column("function", overflow="fold")
    for measure in MEASURES:
        grid.add_column(measure.title, justify="right")
    for row in rows:
        grid.add_row(row.label, *(_size(getattr(row, c)) for c in SIZE_COLUMNS))
    return Group(Text(title, style="bold"), grid,
                 Text("sizes are elementary operations; derivatives of all variables "
                      "together", style="dim"))


def to_json(rows: list[SwellRow], title: str) -> str:
    return json.dumps({"title": title, "rows": [asdict(r) for r in rows]}, indent=2)


def to_csv(rows: list[SwellRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["label", "k", *SIZE_COLUMNS])
    for r in rows:
        writer.writerow([r.label, "" if r.k is None else r.k,
                         *("" if getattr(r, c) is None else getattr(r, c) for c in SIZE_COLUMNS)])
    return out.getvalue()
