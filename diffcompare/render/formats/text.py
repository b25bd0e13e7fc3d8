"""The terminal: a rich renderable. Tables keep every digit (a long number folds inside its
cell, it is never cut); styles are the terminal's colours."""

from __future__ import annotations

from diffcompare.render.document import Line, Math, Table, Tree

RICH_STYLES = {"plain": None, "title": "bold", "note": "dim", "insight": "cyan",
               "warning": "yellow", "failure": "red", "result": "bold green", "dim": "dim"}


def write(document):
    from rich.console import Group

    return Group(*(part for block in document.blocks
                   for part in [_block(block)] if part is not None))


def _block(block):
    from rich.text import Text

    if isinstance(block, Line):
        return Text(block.text, style=RICH_STYLES[block.style] or "")
    if isinstance(block, Table):
        return table(block)
    if isinstance(block, Tree):
        return _tree(block)
    if isinstance(block, Math):
        return None  # the terminal cannot typeset: a table beside it carries the same steps
    raise TypeError(f"no terminal form for {type(block).__name__}")


def table(block: Table):
    from rich.table import Table as RichTable

    grid = RichTable(show_edge=False, header_style="bold", pad_edge=False,
                     title=block.title or None)
    for column in block.columns:
        grid.add_column(column.title, justify=column.align,
                        overflow="fold")
    for k, row in enumerate(block.rows):
        grid.add_row(*row, style=RICH_STYLES[block.style(k)])
    return grid


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
