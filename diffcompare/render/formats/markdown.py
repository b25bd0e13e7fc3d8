"""Markdown: lines with hard breaks, notes as a list, tables as pipe tables, formulas as
$$ aligned $$ blocks, trees as nested lists."""

from __future__ import annotations

from diffcompare.render.document import Line, Math, Table, Tree

LISTED = ("note", "insight", "warning", "failure")


def write(document) -> str:
    out: list[str] = []
    previous = None
    for block in document.blocks:
        kind = _kind(block)
        if out and (kind != previous or kind == "Table"):  # two tables are two tables
            out.append("")
        out.extend(_block(block))
        previous = kind
    return "\n".join(out) + "\n"


def _kind(block) -> str:
    if isinstance(block, Line):
        return "list" if block.style in LISTED else "line"
    return type(block).__name__


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _block(block) -> list[str]:
    if isinstance(block, Line):
        if block.style in LISTED:
            return [f"- {block.text}"]
        text = f"**{block.text}**" if block.style in ("title", "result") else block.text
        return [text + "  "]
    if isinstance(block, Table):
        lines = [f"**{block.title}**", ""] if block.title else []
        lines.append("| " + " | ".join(_cell(c.title) for c in block.columns) + " |")
        lines.append("|" + "|".join(" ---: " if c.align == "right" else " --- "
                                    for c in block.columns) + "|")
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
        return lines
    if isinstance(block, Math):
        body = " \\\\\n".join(f"{left} &= {right}" + (f" && \\text{{{note}}}" if note else "")
                              for (left, right), _, note in block.lines)
        return ["$$", "\\begin{aligned}", body, "\\end{aligned}", "$$"]
    if isinstance(block, Tree):
        lines, stack = [], [(block, 0)]
        while stack:
            node, depth = stack.pop()
            lines.append("  " * depth + f"- {node.label}")
            stack.extend((child, depth + 1) for child in reversed(node.children))
        return lines
    raise TypeError(f"no Markdown form for {type(block).__name__}")
