"""Swell measurements as a Document: a row of sizes per function. Pure functions."""

from __future__ import annotations

from dataclasses import asdict

from diffcompare.render.document import Column, Document, Table
from diffcompare.studies.swell import MEASURES, SIZE_COLUMNS, SwellRow


def _size(value: int | None) -> str:
    return "timed out" if value is None else str(value)


def document(rows: list[SwellRow], title: str) -> Document:
    columns = (Column("function", "left"), *(Column(m.title) for m in MEASURES))
    table = Table(columns, tuple((row.label, *(_size(getattr(row, c)) for c in SIZE_COLUMNS))
                                 for row in rows))
    doc = Document(f"expression swell: {title}")
    doc.line(title, "title").add(table)
    doc.line("sizes are elementary operations; derivatives of all variables together", "dim")
    doc.data = {"title": title, "rows": [asdict(r) for r in rows]}
    doc.record_fields = ["label", "k", *SIZE_COLUMNS]
    doc.records = [asdict(r) for r in rows]
    return doc
