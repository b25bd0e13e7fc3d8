"""The format table: one entry per output format, naming its writer module, the file suffix
it writes and what of a Document it needs. Commands ask this table; no command branches on
a format's name. A new format is a module here with ``write(document)`` and an entry below.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str  # of a file in this format
    module: str  # the writer: diffcompare.render.formats.<module>.write(document)
    needs: str | None = None  # the Document field it writes ("data", "records", ...)
    terminal: bool = False  # a rich renderable for the console, not plain text
    about: str = ""

    def writer(self):
        return import_module(f"diffcompare.render.formats.{self.module}").write


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("table", ".txt", "text", terminal=True, about="a table for the terminal"),
    Format("json", ".json", "json", "data", about="every number, under stable keys"),
    Format("csv", ".csv", "csv", "records", about="one line per record, every number"),
    Format("markdown", ".md", "markdown", about="tables and formulas for Markdown"),
    Format("html", ".html", "html", about="a page: tables, and formulas in MathML"),
    Format("latex", ".tex", "latex", about="tabular and align* for a handout"),
    Format("junit", ".xml", "junit", "tests", about="JUnit XML for CI (check)"),
    Format("dot", ".dot", "dot", "graph", about="Graphviz DOT (graph)"),
)}
ALIASES = {"text": "table", "gv": "dot", "md": "markdown", "tex": "latex", "xml": "junit"}


def format_of(name: str) -> Format:
    from diffcompare.errors import InputError

    key = ALIASES.get(name, name)
    if key not in FORMATS:
        raise InputError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    return FORMATS[key]


def formats_for(document) -> list[str]:
    """The formats a document can be written in (those whose needs it has)."""
    return [f.name for f in FORMATS.values()
            if f.needs is None or getattr(document, f.needs) is not None]


def write(document, name: str, digits: int | None = None):
    """The document in the format: text (or, for JSON, its chunks as they are encoded), or a
    rich renderable for the terminal format (its numbers rounded to ``digits`` significant
    digits when given: a projector's view; files keep every digit)."""
    from diffcompare.errors import InputError

    chosen = format_of(name)
    if chosen.needs is not None and getattr(document, chosen.needs) is None:
        raise InputError(f"{document.title or 'this result'} has no {chosen.name} form; "
                         f"choose from {', '.join(formats_for(document))}")
    if chosen.terminal:
        return chosen.writer()(document, digits=digits)
    return chosen.writer()(document)


def by_suffix(path: str) -> Format | None:
    """The format a file name asks for by its suffix (.json, .md, ...), or None."""
    suffix = Path(path).suffix.lower()
    for f in FORMATS.values():
        if f.suffix == suffix and not f.terminal:
            return f
    key = ALIASES.get(suffix.lstrip("."))
    return FORMATS.get(key) if key else None


NAMES = tuple(FORMATS)


def as_text(written) -> str:
    """A writer's result as one string (chunks joined)."""
    return written if isinstance(written, str) else "".join(written)
