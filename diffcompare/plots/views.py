"""The picture of each page view (studies/report.py), where it has one."""

from __future__ import annotations

import threading

# matplotlib is not thread-safe (its mathtext parser's cache, its font cache): a server's
# threads draw one figure at a time
DRAWING = threading.Lock()


def figure_of(view: str, result):
    """The view's matplotlib figure, or None for a view that is text and tables."""
    from diffcompare.plots import comparison, descent, epsplot, graph, scale, swell

    draw = {"table": comparison.figure, "graph": graph.figure, "epsplot": epsplot.figure,
            "swell": lambda found: swell.figure(found.rows, found.title),
            "descent": descent.figure, "scale": scale.figure}
    return draw[view](result) if view in draw else None


def svg_of(view: str, result) -> str:
    """The view's picture as SVG text for a page ("" for none)."""
    from diffcompare.plots.figures import svg_text

    with DRAWING:
        found = figure_of(view, result)
        if found is None:
            return ""
        text = svg_text(found)
    return text[text.index("<svg"):]  # inline in HTML: without the XML prolog and doctype
