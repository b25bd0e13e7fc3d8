"""The computational graph: inputs, operations and output, numbered as in the trace.

Levels are the tape's: an input is level 0 and an operation one more than its deepest
argument, so drawing level by level from left to right shows the order of evaluation.
Constants are written into the operation that uses them (v1 = 3*v0) rather than drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from diffcompare.problems.formula import Problem
from diffcompare.studies.trace import definition, evaluation_trace, node_names


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
    tangent: float | None = None  # d(node)/d(the graph's wrt), forward mode

@dataclass(frozen=True)
class Graph:
    expression: str
    nodes: tuple[GraphNode, ...]
    edges: tuple[tuple[str, str], ...]  # (argument, operation); a node used twice: twice
    wrt: str | None = None  # the input the nodes' tangents are by

    def node(self, name: str) -> GraphNode:
        return next(n for n in self.nodes if n.name == name)

    def arguments(self, name: str) -> list[str]:
        return [a for a, b in self.edges if b == name]


def computational_graph(problem: Problem, with_values: bool, wrt: str | None = None,
                        tangents: bool = False) -> Graph:
    """The graph of the problem's outputs (one graph, m output nodes); with its point's
    values and adjoints (each output seeded with 1) if asked, and with ``tangents`` each
    node's tangent by ``wrt`` (default: the first input) as forward mode carries it."""
    tape = problem.tape.scalar_view()  # a program: the path it took, as scalar records
    names = node_names(tape)
    found = evaluation_trace(problem, wrt, forward=tangents) if with_values else None
    rows = {r.name: r for r in found.rows} if found else {}
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
            value=row.value if row else None, adjoint=row.adjoint if row else None,
            tangent=row.tangent if row else None))
    return Graph(problem.describe(), tuple(nodes), tuple(edges),
                 found.wrt if found and tangents else None)


def graph_of_text(text: str, at=None, variables=None) -> Graph:
    """The graph of an expression typed by the user; with values if a point is given."""
    from diffcompare.parse import parse_outputs
    from diffcompare.problems.formula import order_variables

    if at is not None:
        return computational_graph(Problem.from_text(text, at, variables), with_values=True)
    outputs = parse_outputs(text)
    names = order_variables(outputs, variables)
    # No point: the structure only (the point is never evaluated).
    return computational_graph(Problem(outputs, names, (0.0,) * len(names), text),
                               with_values=False)
