"""A computational graph as a Document: a tree for the terminal, its nodes and edges for
DOT, its JSON. Pure functions."""

from __future__ import annotations

from diffcompare.render.document import Document, Tree
from diffcompare.render.document import Graph as DotGraph
from diffcompare.render.numbers import number
from diffcompare.studies.graph import Graph, GraphNode
from diffcompare.studies.trace import BAR, DOT


def label(node: GraphNode) -> list[str]:
    """The lines drawn in a node: its definition, then its value, tangent and adjoint if
    known."""
    lines = [node.definition]
    if node.value is not None:
        lines.append(f"= {number(node.value)}")
    if node.tangent is not None:
        lines.append(f"v{DOT}{node.name[1:]} = {number(node.tangent)}")
    if node.adjoint is not None:
        lines.append(f"v{BAR}{node.name[1:]} = {number(node.adjoint)}")
    return lines


def document(graph: Graph) -> Document:
    """A tree from the output back to the inputs (a shared node expanded once), the graph
    for DOT, and its JSON."""
    by_name = {n.name: n for n in graph.nodes}
    arguments: dict[str, list[str]] = {n.name: [] for n in graph.nodes}
    for a, b in graph.edges:
        arguments[b].append(a)
    output = next(n for n in graph.nodes if n.is_output)
    root = Tree(" ".join(label(output)))
    expanded = {output.name}
    stack = [(output.name, root)]
    while stack:
        name, branch = stack.pop()
        for argument in arguments[name]:
            node = by_name[argument]
            if argument in expanded and not node.is_input:
                branch.add(f"{argument} (shared: expanded elsewhere in this tree)", "dim")
                continue
            expanded.add(argument)
            stack.append((argument, branch.add(" ".join(label(node)),
                                               "insight" if node.is_input else "plain")))
    doc = Document(f"the computational graph of {graph.expression}", [root])
    doc.graph = DotGraph(tuple((n.name, tuple(label(n)), "input" if n.is_input else
                                "output" if n.is_output else "inner") for n in graph.nodes),
                         tuple(graph.edges))
    doc.data = {
        "expression": graph.expression,
        "nodes": [{"name": n.name, "operation": n.operation, "definition": n.definition,
                   "level": n.level, "input": n.is_input, "output": n.is_output,
                   "value": n.value, "adjoint": n.adjoint} for n in graph.nodes],
        "edges": [list(e) for e in graph.edges],
    }
    return doc
