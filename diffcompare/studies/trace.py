"""The evaluation trace of Baydin et al. (2018), for any expression.

Inputs are v(1-n) ... v0, intermediates v1 ... vk in the tape's order (an operation as soon
as its arguments are ready), so the numbering is the same in forward mode, reverse mode and
the computational graph. Forward mode carries the tangent v̇ for one input; reverse mode the
adjoint v̄, written out as the sum over the nodes each one feeds:
v̄0 = v̄2·∂v2/∂v0 + v̄3·∂v3/∂v0. The formulas come from the partials in ops.py, applied to
the node names instead of numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from diffcompare.engine.dual import Dual, new_tag, tangent_of
from diffcompare.engine.scalar import ScalarTape as Tape
from diffcompare.errors import InputError
from diffcompare.expr import Call, Const, Expr, Var, as_expr, to_text
from diffcompare.problems.formula import Problem

DOT, BAR = "\u0307", "\u0304"  # combining dot and bar: v̇, v̄


@dataclass(frozen=True)
class AdjointTerm:
    """One use of a node: its consumer's adjoint times the local partial."""

    consumer: str  # the consumer's name, "v2"
    partial: str  # the partial as a formula in node names, "v-1"
    partial_value: float
    consumer_adjoint: float


@dataclass(frozen=True)
class TraceRow:
    index: int  # Baydin's index: 1-n ... 0 for inputs, 1 ... k for operations
    name: str  # "v-1"
    definition: str  # "x1" for an input, "log(v-1)" for an operation
    value: float
    arguments: tuple[str, ...]  # names of the nodes it reads
    tangent: float | None = None
    tangent_formula: str | None = None  # "v̇-1/v-1"
    adjoint: float | None = None
    adjoint_terms: tuple[AdjointTerm, ...] = ()
    adjoint_expression: str = ""  # "v̄2*v-1 + v̄3*cos(v0)": the formula with the partials in

    @property
    def is_input(self) -> bool:
        return self.index <= 0

    @property
    def adjoint_formula(self) -> str:
        """v̄0 = v̄2·∂v2/∂v0 + v̄3·∂v3/∂v0, in the notation of the paper."""
        if not self.adjoint_terms:
            return "seed" if self.adjoint is not None else ""
        return " + ".join(f"{bar(t.consumer)}·∂{t.consumer}/∂{self.name}"
                          for t in self.adjoint_terms)


@dataclass(frozen=True)
class Trace:
    problem: Problem
    wrt: str | None  # the input whose tangent forward mode carries
    rows: tuple[TraceRow, ...]
    outputs: tuple[str, ...]  # the names of the nodes that are y1..ym
    cotangent: tuple[float, ...] = (1.0,)  # the reverse sweep's seed on the outputs

    @property
    def output(self) -> str:
        return ", ".join(self.outputs)

    def row(self, name: str) -> TraceRow:
        return next(r for r in self.rows if r.name == name)


def dot(name: str) -> str:
    return f"v{DOT}{name[1:]}"


def bar(name: str) -> str:
    return f"v{BAR}{name[1:]}"


def node_names(tape: Tape) -> dict[int, str]:
    """Slot -> Baydin's name: inputs v(1-n)..v0, operations v1, v2, ... (constants: none)."""
    names = {slot: f"v{slot - tape.n_inputs + 1}" for slot in range(tape.n_inputs)}
    count = 0
    for slot in range(tape.n_inputs, len(tape)):
        if tape.ops[slot] is not None:
            count += 1
            names[slot] = f"v{count}"
    return names


def symbolic_arguments(tape: Tape, slot: int, names: dict[int, str]) -> list[Expr]:
    """The arguments of a record as node names (constants stay constants)."""
    return [Var(names[j]) if j in names else tape.nodes[j] for j in tape.args[slot]]


def definition(tape: Tape, slot: int, names: dict[int, str]) -> str:
    """A record written with node names: "log(v-1)", "3*v3"."""
    return to_text(Call(tape.ops[slot], tuple(symbolic_arguments(tape, slot, names))))


def evaluation_trace(problem: Problem, wrt: str | None = None, forward: bool = True,
                     reverse: bool = True, cotangent=None) -> Trace:
    """The trace at the problem's point: primal values, and the tangents for ``wrt``
    (default: the first variable) and/or the adjoints seeded with ``cotangent`` on the
    outputs (default 1 for each)."""
    if wrt is None:
        wrt = problem.variables[0]
    if wrt not in problem.variables:
        raise InputError(f"--wrt {wrt}: not a variable (variables: "
                         f"{', '.join(problem.variables)})")
    tape = problem.tape.scalar_view()  # a program: the path it took, as scalar records
    names = node_names(tape)
    values = tape.forward(problem.point)
    tangents = None
    if forward:
        tag = new_tag()
        seeded = [Dual(x, 1.0, tag) if v == wrt else x
                  for v, x in zip(problem.variables, problem.point)]
        tangents = [float(tangent_of(t, tag)) for t in tape.forward(seeded)]
    cotangent = tuple(float(r) for r in (cotangent or (1.0,) * tape.n_outputs))
    if len(cotangent) != tape.n_outputs:
        raise InputError(f"--cotangent needs {tape.n_outputs} entries, one per output")
    adjoints = tape.reverse(values, cotangent) if reverse else None
    consumers = _consumers(tape, names)
    rows = tuple(_row(tape, slot, names, values, tangents, adjoints, consumers, wrt)
                 for slot in sorted(names))
    outputs = tuple(names[k] if k in names else to_text(tape.nodes[k])  # a constant output
                    for k in tape.outputs)
    return Trace(problem, wrt if forward else None, rows, outputs, cotangent)


def _consumers(tape: Tape, names: dict[int, str]) -> dict[int, list[tuple[int, int]]]:
    """For each slot, the (consumer slot, argument position) pairs that read it."""
    uses: dict[int, list[tuple[int, int]]] = {slot: [] for slot in names}
    for slot in range(len(tape)):
        for position, j in enumerate(tape.args[slot]):
            if j in uses:
                uses[j].append((slot, position))
    return uses


def _row(tape, slot, names, values, tangents, adjoints, consumers, wrt) -> TraceRow:
    op = tape.ops[slot]
    name = names[slot]
    if op is None:
        written, arguments, formula = tape.variables[slot], (), None
        if tangents is not None:
            formula = "1" if tape.variables[slot] == wrt else "0"
    else:
        symbols = symbolic_arguments(tape, slot, names)
        written = definition(tape, slot, names)
        arguments = tuple(names[j] for j in tape.args[slot] if j in names)
        formula = None if tangents is None else _tangent_formula(tape, slot, names, symbols)
    terms: tuple[AdjointTerm, ...] = ()
    adjoint_expression: Expr = Const(0)
    if adjoints is not None and slot not in tape.outputs:
        for c, p in consumers[slot]:
            term, partial = _adjoint_term(tape, c, p, names, values, adjoints)
            terms += (term,)
            adjoint_expression = adjoint_expression + Var(bar(names[c])) * partial
    return TraceRow(
        index=int(name[1:]), name=name, definition=written, value=float(values[slot]),
        arguments=arguments,
        tangent=None if tangents is None else tangents[slot], tangent_formula=formula,
        adjoint=None if adjoints is None else float(adjoints[slot]), adjoint_terms=terms,
        adjoint_expression=to_text(adjoint_expression) if terms else "")


def _tangent_formula(tape: Tape, slot: int, names, symbols: list[Expr]) -> str:
    """v̇k = Σ ∂vk/∂vj · v̇j over the arguments that carry a tangent."""
    op, total = tape.ops[slot], Const(0)
    for position, j in enumerate(tape.args[slot]):
        if j in names and tape.active[j]:
            total = total + as_expr(op.partials[position](*symbols)) * Var(dot(names[j]))
    return to_text(total)


def _adjoint_term(tape, consumer, position, names, values, adjoints):
    op = tape.ops[consumer]
    symbols = symbolic_arguments(tape, consumer, names)
    partial = as_expr(op.partials[position](*symbols))
    arg_values = [values[j] for j in tape.args[consumer]]
    term = AdjointTerm(names[consumer], to_text(partial),
                       float(op.partials[position](*arg_values)), float(adjoints[consumer]))
    return term, partial
