"""The picture of each page view (studies/report.py), where it has one."""

from __future__ import annotations


def figure_of(view: str, result):
    """The view's matplotlib figure, or None for a view that is text and tables."""
    from diffcompare.plots import comparison, epsplot, graph

    draw = {"table": comparison.figure, "graph": graph.figure, "epsplot": epsplot.figure}
    return draw[view](result) if view in draw else None


def svg_of(view: str, result) -> str:
    """The view's picture as SVG text for a page ("" for none)."""
    from diffcompare.plots.figures import svg_text

    found = figure_of(view, result)
    if found is None:
        return ""
    text = svg_text(found)
    return text[text.index("<svg"):]  # inline in HTML: without the XML prolog and doctype
