"""CSV: one line per record (a method's row, an iterate, a step), every number in full."""

from __future__ import annotations

import csv
import io


def write(document) -> str:
    out = io.StringIO()
    fields = document.record_fields or (list(document.records[0]) if document.records else [])
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for record in document.records:
        writer.writerow(["" if record.get(k) is None else record.get(k) for k in fields])
    return out.getvalue()
