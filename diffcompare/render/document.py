"""What every result becomes before it is written: a Document, the same for every format.

Each result type has one function that builds its Document (render/<command>.py): its
lines of text, its tables, its math, its data for JSON, its records for CSV, its test
cases for JUnit, its graph for DOT. Each format (render/formats/) writes any Document, so a
new format is one module and one entry in the format table, and a new result type is one
document builder. Styles are meanings ("title", "warning"), which each format shows its own
way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What a line or a row means; each format shows it its own way.
STYLES = ("plain", "title", "note", "insight", "warning", "failure", "result", "dim")


@dataclass(frozen=True)
class Line:
    text: str
    style: str = "plain"


@dataclass(frozen=True)
class Column:
    title: str
    align: str = "right"  # "left" or "right"
    wrap: bool = False  # long text may wrap onto several lines (else numbers fold whole)


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    styles: tuple[str, ...] = ()  # per row: a style of STYLES ("plain" when absent)
    title: str = ""
    # A narrower form for a terminal too narrow for this one (fewer columns, numbers
    # rounded); its note says what it leaves out. Past it, a terminal shows a block per row.
    compact: Table | None = None
    note: str = ""

    def style(self, k: int) -> str:
        return self.styles[k] if k < len(self.styles) else "plain"


@dataclass(frozen=True)
class Math:
    """Aligned formulas, each with a note: a derivation typeset. Each line is (its left
    side and right side in LaTeX, the same in MathML, the note)."""

    lines: tuple[tuple[tuple[str, str], tuple[str, str], str], ...]


@dataclass
class Tree:
    """A tree shown in the terminal (a graph from its output back to its inputs)."""

    label: str
    children: list[Tree] = field(default_factory=list)
    style: str = "plain"

    def add(self, label: str, style: str = "plain") -> Tree:
        child = Tree(label, [], style)
        self.children.append(child)
        return child


@dataclass(frozen=True)
class TestCase:
    """One check as a test case (JUnit): passed, failed, cannot (skipped) or error."""

    suite: str
    classname: str
    name: str
    outcome: str  # "passed", "failed", "skipped", "error"
    message: str = ""
    detail: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Graph:
    """Nodes and edges, for DOT: (name, label lines, role) with role input/output/inner."""

    nodes: tuple[tuple[str, tuple[str, ...], str], ...]
    edges: tuple[tuple[str, str], ...]


Block = Line | Table | Math | Tree


@dataclass
class Document:
    """What a result shows. ``data`` (the JSON) and ``records`` may be given as functions,
    made only when a format writes them: a million entries cost nothing in a table."""

    title: str
    blocks: list = field(default_factory=list)
    data: Any = None  # the JSON contract: what --format json writes
    records: Any = None  # rows for CSV, every value a plain string or number (or a function
    # that returns (the columns, the rows))
    record_fields: list[str] | None = None  # CSV's columns, in order
    tests: list[TestCase] | None = None  # for JUnit
    graph: Graph | None = None  # for DOT

    def json(self):
        """The data, made now if it was given as a function."""
        if callable(self.data):
            self.data = self.data()
        return self.data

    def rows(self) -> tuple[list[str], list[dict]]:
        """(the CSV's columns, its rows), made now if given as a function."""
        if callable(self.records):
            self.record_fields, self.records = self.records()
        fields = self.record_fields or (list(self.records[0]) if self.records else [])
        return fields, self.records

    def line(self, text: str, style: str = "plain") -> Document:
        self.blocks.append(Line(text, style))
        return self

    def add(self, block) -> Document:
        self.blocks.append(block)
        return self
