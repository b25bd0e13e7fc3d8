"""HTML: a fragment (a <div>) with its lines, tables, formulas and trees; page() wraps one
or more in a self-contained page (no external requests)."""

from __future__ import annotations

import html

from diffcompare.render.document import Line, Math, Table, Tree

STYLE = """body{font-family:system-ui,sans-serif;margin:1.5em;max-width:80em}
table{border-collapse:collapse;margin:.6em 0}th,td{padding:.15em .6em;border-bottom:1px solid #ddd}
td.right,th.right{text-align:right;font-variant-numeric:tabular-nums}
.title{font-weight:bold}.note,.dim{color:#666}.insight{color:#06c}.warning{color:#a60}
.failure{color:#c00}.result{font-weight:bold;color:#070}tr.failure td{color:#c00}
tr.dim td{color:#777}pre.math{background:#f6f6f6;padding:.5em}"""


def write(document) -> str:
    """A whole page, styled inline, with no external request: --format html and -o .html."""
    return page(document.title or "diffcompare", [fragment(document)])


def fragment(document) -> str:
    """The document as a piece of a page (a notebook's cell, a page's section)."""
    parts = "".join(_block(block) for block in document.blocks)
    return f"<div class='diffcompare'>{parts}</div>"


def page(title: str, fragments: list[str]) -> str:
    """A whole page, styled inline, for a file to hand out."""
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
            + "".join(fragments) + "</body></html>\n")


def _cell(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _block(block) -> str:
    if isinstance(block, Line):
        return f"<p class='{block.style}'>{html.escape(block.text)}</p>"
    if isinstance(block, Table):
        head = "".join(f"<th class='{c.align}'>{_cell(c.title)}</th>" for c in block.columns)
        body = "".join(
            f"<tr class='{block.style(k)}'>" + "".join(
                f"<td class='{c.align}'>{_cell(v)}</td>" for c, v in zip(block.columns, row))
            + "</tr>" for k, row in enumerate(block.rows))
        caption = f"<caption>{html.escape(block.title)}</caption>" if block.title else ""
        return f"<table>{caption}<tr>{head}</tr>{body}</table>"
    if isinstance(block, Math):
        rows = "".join(
            f"<mtr><mtd columnalign='right'>{left}</mtd><mtd columnalign='left'><mo>=</mo>"
            f"{right}</mtd><mtd columnalign='left'><mtext>&#xA0;&#xA0;{html.escape(note)}"
            "</mtext></mtd></mtr>" for _, (left, right), note in block.lines)
        return f"<math display='block'><mtable>{rows}</mtable></math>"
    if isinstance(block, Tree):  # iteratively: a graph's tree may be deep
        out, stack = ["<ul class='tree'>"], [block]
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                out.append(node)
                continue
            out.append(f"<li class='{node.style}'>{html.escape(node.label)}")
            stack.append("</li>")
            if node.children:
                stack.append("</ul>")
                stack.extend(reversed(node.children))
                stack.append("<ul>")
        return "".join(out) + "</ul>"
    raise TypeError(f"no HTML form for {type(block).__name__}")
