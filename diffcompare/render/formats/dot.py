"""Graphviz DOT: the document's graph, inputs blue, outputs orange."""

from __future__ import annotations

COLOURS = {"input": "#cfe2f3", "output": "#f9cb9c", "inner": "#eeeeee"}


def write(document) -> str:
    graph = document.graph
    out = ["digraph computation {", "  rankdir=LR;",
           '  node [shape=box, style="rounded,filled", fontname="Helvetica"];']
    for name, lines, role in graph.nodes:
        text = "\\n".join(line.replace('"', r'\"') for line in lines)
        out.append(f'  "{name}" [label="{text}", fillcolor="{COLOURS[role]}"];')
    out += [f'  "{a}" -> "{b}";' for a, b in graph.edges]
    out.append("}")
    return "\n".join(out) + "\n"
