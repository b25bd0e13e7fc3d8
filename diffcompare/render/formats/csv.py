"""CSV: one line per record (a method's row, an iterate, a step), every number in full."""

from __future__ import annotations

import csv
import io


def write(document) -> str:
    out = io.StringIO()
    fields, records = document.rows()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for record in records:
        writer.writerow(["" if record.get(k) is None else record.get(k) for k in fields])
    return out.getvalue()
