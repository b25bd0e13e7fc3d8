"""The terminal: a rich renderable. Tables keep every digit and never break a number: a
table wider than the terminal shows its compact form where it has one, else one block per
row; styles are the terminal's colours. ``digits`` rounds the numbers shown (a projector's
--digits), said under each table."""

from __future__ import annotations

import re

from diffcompare.render.document import Line, Math, Table, Tree

RICH_STYLES = {"plain": None, "title": "bold", "note": "dim", "insight": "cyan",
               "warning": "yellow", "failure": "red", "result": "bold green", "dim": "dim"}


def write(document, digits: int | None = None):
    from rich.console import Group

    return Group(*(part for block in document.blocks
                   for part in [_block(block, digits)] if part is not None))


def _block(block, digits=None):
    from rich.text import Text

    if isinstance(block, Line):
        return Text(block.text, style=RICH_STYLES[block.style] or "")
    if isinstance(block, Table):
        return Fitted(block if digits is None else rounded(block, digits), digits)
    if isinstance(block, Tree):
        return _tree(block)
    if isinstance(block, Math):
        return None  # the terminal cannot typeset: a table beside it carries the same steps
    raise TypeError(f"no terminal form for {type(block).__name__}")


def table(block: Table):
    from rich.table import Table as RichTable

    grid = RichTable(show_edge=False, header_style="bold", pad_edge=False,
                     title=block.title or None)
    for k, column in enumerate(block.columns):
        grid.add_column(column.title, justify=column.align, overflow="fold",
                        min_width=_least(block, k))
    for k, row in enumerate(block.rows):
        grid.add_row(*row, style=RICH_STYLES[block.style(k)])
    return grid


# A decimal number with a fraction or an exponent, not inside a word (x1, v3, 4+3 stay).
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w.])")


def _round(match, digits: int) -> str:
    text = match.group(0)
    if "." not in text and "e" not in text:
        return text  # an integer: a count, shown whole
    return f"{float(text):.{digits}g}"


def rounded(block: Table, digits: int) -> Table:
    """The table with every decimal number rounded to ``digits`` significant digits."""
    from dataclasses import replace

    def cells(rows):
        return tuple(tuple(NUMBER.sub(lambda m: _round(m, digits), cell) for cell in row)
                     for row in rows)

    compact = block.compact and replace(block.compact, rows=cells(block.compact.rows))
    return replace(block, rows=cells(block.rows), compact=compact)


GAP = 3  # a column separator: " │ "


def _least(block: Table, k: int) -> int:
    """Column k's least width: its widest line (a wrapping column's longest word)."""
    column = block.columns[k]
    cells = [column.title, *(row[k] for row in block.rows)]
    pieces = [word for cell in cells for line in cell.split("\n")
              for word in (line.split() if column.wrap else [line])]
    return max((len(p) for p in pieces), default=0)


def width_needed(block: Table) -> int:
    """Every column at its least width, and the separators: past this, something would
    fold."""
    return sum(_least(block, k) for k in range(len(block.columns))) + \
        GAP * (len(block.columns) - 1)


class Fitted:
    """A table as the terminal's width allows: whole, compact, or one block per row."""

    def __init__(self, block: Table, digits: int | None):
        self.block, self.digits = block, digits

    def __rich_console__(self, console, options):
        from rich.text import Text

        width = options.max_width
        rounding = [] if self.digits is None else [Text(
            f"(numbers rounded to {self.digits} significant digits: --digits)", style="dim")]
        if width_needed(self.block) <= width:
            yield table(self.block)
            yield from rounding
            return
        compact = self.block.compact
        if compact is not None and width_needed(compact) <= width:
            yield table(compact)
            yield Text(f"(a terminal of {width} columns: {compact.note}; --wide for the "
                       "whole table, or --format json)", style="dim")
            yield from rounding
            return
        yield from blocks(self.block, width)
        yield Text(f"(a terminal of {width} columns: one block per row; --wide for the "
                   "table, or --format json)", style="dim")
        yield from rounding


def blocks(block: Table, width: int):
    """Each row as its first cell, then "title value" pairs packed into lines of the width
    (a pair never split; one wider than the line gets a line of its own)."""
    from rich.text import Text

    titles = [column.title for column in block.columns]
    if block.title:
        yield Text(block.title, style="bold")
    for k, row in enumerate(block.rows):
        style = RICH_STYLES[block.style(k)] or ""
        yield Text(row[0], style=f"bold {style}".strip())
        line = "  "
        for title, cell in zip(titles[1:], row[1:]):
            if not cell:
                continue
            pair = f"{title} {cell}" if "\n" not in cell else None
            if pair is None:  # a matrix: its rows under its title
                if line.strip():
                    yield Text(line, style=style)
                yield Text(f"  {title}", style=style)
                for piece in cell.split("\n"):
                    yield Text(f"    {piece}", style=style)
                line = "  "
                continue
            if len(line) > 2 and len(line) + len(" · ") + len(pair) > width:
                yield Text(line, style=style)
                line = "  "
            line += pair if len(line) == 2 else f" · {pair}"
        if line.strip():
            yield Text(line, style=style)


def _tree(block: Tree):
    from rich.tree import Tree as RichTree

    root = RichTree(block.label, style=RICH_STYLES[block.style] or "")
    stack = [(block, root)]
    while stack:
        node, branch = stack.pop()
        for child in node.children:
            stack.append((child, branch.add(child.label,
                                            style=RICH_STYLES[child.style] or "")))
    return root
