"""The computational graph: inputs, operations and output, numbered as in the trace.

Levels are the tape's: an input is level 0 and an operation one more than its deepest
argument, so drawing level by level from left to right shows the order of evaluation.
Constants are written into the operation that uses them (v1 = 3*v0) rather than drawn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from diffcompare.formatting import number
from diffcompare.problem import Problem
from diffcompare.studies.evaltrace import BAR, definition, evaluation_trace, node_names


@dataclass(frozen=True)
class GraphNode:
    name: str  # v-1, v0, v1, ...
    operation: str  # the variable's name for an input, else the operation's symbol or name
    definition: str  # "v1 = log(v-1)"
    level: int
    is_input: bool
    is_output: bool
    value: float | None = None
    adjoint: float | None = None


@dataclass(frozen=True)
class Graph:
    expression: str
    nodes: tuple[GraphNode, ...]
    edges: tuple[tuple[str, str], ...]  # (argument, operation); a node used twice: twice

    def node(self, name: str) -> GraphNode:
        return next(n for n in self.nodes if n.name == name)

    def arguments(self, name: str) -> list[str]:
        return [a for a, b in self.edges if b == name]


def computational_graph(problem: Problem, with_values: bool) -> Graph:
    """The graph of the problem's outputs (one graph, m output nodes); with its point's
    values and adjoints (each output seeded with 1) if asked."""
    tape = problem.tape
    names = node_names(tape)
    rows = {r.name: r for r in evaluation_trace(problem, forward=False).rows} \
        if with_values else {}
    level: dict[int, int] = {}
    nodes, edges = [], []
    for slot in sorted(names):
        op, name = tape.ops[slot], names[slot]
        arguments = [j for j in tape.args[slot] if j in names]
        level[slot] = 1 + max((level[j] for j in arguments), default=-1)
        edges += [(names[j], name) for j in arguments]
        row = rows.get(name)
        nodes.append(GraphNode(
            name=name,
            operation=tape.variables[slot] if op is None else (op.symbol or op.name),
            definition=(f"{name} = {tape.variables[slot]}" if op is None
                        else f"{name} = {definition(tape, slot, names)}"),
            level=level[slot], is_input=op is None, is_output=slot in tape.outputs,
            value=row.value if row else None, adjoint=row.adjoint if row else None))
    return Graph(problem.describe(), tuple(nodes), tuple(edges))


def graph_of_text(text: str, at=None, variables=None) -> Graph:
    """The graph of an expression typed by the user; with values if a point is given."""
    from diffcompare.parse import parse_outputs
    from diffcompare.problem import order_variables

    if at is not None:
        return computational_graph(Problem.from_text(text, at, variables), with_values=True)
    outputs = parse_outputs(text)
    names = order_variables(outputs, variables)
    # No point: the structure only (the point is never evaluated).
    return computational_graph(Problem(outputs, names, (0.0,) * len(names), text),
                               with_values=False)


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
