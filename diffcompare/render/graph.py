"""Computational graphs -> Graphviz DOT, JSON and a tree for the terminal. Pure functions."""

from __future__ import annotations

import json

from diffcompare.render.numbers import number
from diffcompare.studies.graph import Graph, GraphNode
from diffcompare.studies.trace import BAR


def label(node: GraphNode) -> list[str]:
    """The lines drawn in a node: its definition, then its value and adjoint if known."""
    lines = [node.definition]
    if node.value is not None:
        lines.append(f"= {number(node.value)}")
    if node.adjoint is not None:
        lines.append(f"v{BAR}{node.name[1:]} = {number(node.adjoint)}")
    return lines


def to_dot(graph: Graph) -> str:
    """Graphviz DOT text (no dependency needed to write it)."""
    out = ["digraph computation {", "  rankdir=LR;",
           '  node [shape=box, style="rounded,filled", fontname="Helvetica"];']
    for n in graph.nodes:
        colour = "#cfe2f3" if n.is_input else ("#f9cb9c" if n.is_output else "#eeeeee")
        text = "\\n".join(line.replace('"', r'\"') for line in label(n))
        out.append(f'  "{n.name}" [label="{text}", fillcolor="{colour}"];')
    out += [f'  "{a}" -> "{b}";' for a, b in graph.edges]
    out.append("}")
    return "\n".join(out) + "\n"


def to_json(graph: Graph) -> str:
    return json.dumps({
        "expression": graph.expression,
        "nodes": [{"name": n.name, "operation": n.operation, "definition": n.definition,
                   "level": n.level, "input": n.is_input, "output": n.is_output,
                   "value": n.value, "adjoint": n.adjoint} for n in graph.nodes],
        "edges": [list(e) for e in graph.edges],
    }, indent=2)


def tree(graph: Graph):
    """A rich Tree from the output back to the inputs; a shared node is expanded once."""
    from rich.tree import Tree

    output = next(n for n in graph.nodes if n.is_output)
    root = Tree(" ".join(label(output)))
    expanded = {output.name}
    stack = [(output.name, root)]
    while stack:
        name, branch = stack.pop()
        for argument in graph.arguments(name):
            node = graph.node(argument)
            if argument in expanded and not node.is_input:
                branch.add(f"{argument} (shared: expanded elsewhere in this tree)", style="dim")
                continue
            expanded.add(argument)
            child = branch.add(" ".join(label(node)),
                               style="cyan" if node.is_input else None)
            stack.append((argument, child))
    return root
