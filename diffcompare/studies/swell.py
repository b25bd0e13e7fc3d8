"""Expression swell, measured: how big f, its derivatives and the AD tape are.

Every size is a count of elementary operations, counted the same way everywhere: "written
out" as printed text repeats them (a tree), "as a graph" each distinct operation once (a
DAG, as a tape stores them). sympy's n-ary sums and products count n-1 operations, as
sympy's own count_ops does. The families are built directly as graphs, so f itself can be
far larger written out than as a graph (the logistic map doubles each step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

from diffcompare.engine.scalar import ScalarTape
from diffcompare.errors import InputError, MethodError
from diffcompare.expr import Call, Const, Expr, Var, distinct_operations, operation_count
from diffcompare.methods.manual import differentiate
from diffcompare.ops import EXP, MUL, SIN, SUB
from diffcompare.runtime.budget import DEFAULT_BUDGET
from diffcompare.runtime.workers import within

MAX_FAMILY_SIZE = 12  # sympy's derivatives of larger members take minutes


def _logistic(k: int) -> Expr:
    """Baydin et al. 2018, Table 1: l(n+1) = 4 l(n) (1 - l(n)), l(1) = x; the k-th."""
    node: Expr = Var("x")
    for _ in range(k - 1):
        node = Call(MUL, (Call(MUL, (Const(4), node)), Call(SUB, (Const(1), node))))
    return node


def _sinexp(k: int) -> Expr:
    """f(1) = x, f(k+1) = sin(f(k)) * exp(f(k))."""
    node: Expr = Var("x")
    for _ in range(k - 1):
        node = Call(MUL, (Call(SIN, (node,)), Call(EXP, (node,))))
    return node


def _product(k: int) -> Expr:
    """sin(x) * sin(2*x) * ... * sin(k*x)."""
    node: Expr = Call(SIN, (Var("x"),))
    for i in range(2, k + 1):
        node = Call(MUL, (node, Call(SIN, (Call(MUL, (Const(i), Var("x"))),))))
    return node


FAMILIES: dict[str, tuple[str, Callable[[int], Expr]]] = {
    "logistic": ("logistic map l(k+1) = 4 l(k) (1 - l(k)), l(1) = x", _logistic),
    "sinexp": ("nested f(k+1) = sin(f(k)) exp(f(k)), f(1) = x", _sinexp),
    "product": ("product sin(x) sin(2x) ... sin(kx)", _product),
}


@dataclass(frozen=True)
class SwellRow:
    label: str
    k: int | None
    f_written: int
    f_graph: int
    symbolic: int | None  # sympy's derivatives, written out (None: sympy timed out)
    symbolic_cse: int | None  # the same after sympy's common-subexpression elimination
    manual: int  # our manual-rule derivatives, written out
    manual_graph: int  # the same, each distinct operation once
    tape: int  # AD: operations of the forward sweep + partials of the reverse sweep


@dataclass(frozen=True)
class SizeMeasure:
    """One column of the study: the SwellRow field, its title, its line in the figure."""

    column: str
    title: str
    marker: str  # a matplotlib format string


MEASURES = (
    SizeMeasure("f_written", "f written out", "^:"),
    SizeMeasure("f_graph", "f as a graph", "^-"),
    SizeMeasure("symbolic", "sympy d/dx", "o-"),
    SizeMeasure("symbolic_cse", "sympy + CSE", "o--"),
    SizeMeasure("manual", "manual rules", "s-"),
    SizeMeasure("manual_graph", "manual as a graph", "s--"),
    SizeMeasure("tape", "AD tape (fwd + rev)", "D-"),
)
SIZE_COLUMNS = tuple(m.column for m in MEASURES)
assert SIZE_COLUMNS == tuple(f.name for f in fields(SwellRow))[2:]


def _written(exprs) -> int:
    return sum(operation_count(e, shared=False) for e in exprs)


def _sympy_sizes(expr: Expr, names: tuple[str, ...]) -> tuple[int, int]:
    """In a worker: sympy's derivatives written out, and after its CSE."""
    import sympy

    from diffcompare.methods.symbolic import sympy_gradient
    from diffcompare.methods.sympy_bridge import from_sympy

    _, derivatives = sympy_gradient(expr, names)
    replacements, reduced = sympy.cse(derivatives)
    cse_parts = [e for _, e in replacements] + list(reduced)
    return (_written(from_sympy(d) for d in derivatives),
            _written(from_sympy(e) for e in cse_parts))


def measure(expr: Expr, names: tuple[str, ...], label: str, k: int | None = None,
            budget: float | None = DEFAULT_BUDGET) -> SwellRow:
    """The sizes of f, its derivatives and its tape; sympy's within ``budget`` CPU seconds
    (None in the sympy columns when it runs out)."""
    try:
        symbolic, symbolic_cse = within(budget, _sympy_sizes, expr, names,
                                        what="sympy's derivatives")
    except MethodError:  # out of budget, out of memory, or sympy could not
        symbolic = symbolic_cse = None
    manual = [differentiate(expr, v) for v in names]
    tape = ScalarTape.record(expr, names)
    return SwellRow(
        label=label, k=k,
        f_written=operation_count(expr, shared=False), f_graph=operation_count(expr),
        symbolic=symbolic, symbolic_cse=symbolic_cse,
        manual=_written(manual), manual_graph=distinct_operations(manual),
        tape=tape.operation_count + tape.partial_count,
    )


def swell_of_expression(expr: Expr, names: tuple[str, ...], label: str,
                        budget: float | None = DEFAULT_BUDGET) -> list[SwellRow]:
    return [measure(expr, names, label, budget=budget)]


def swell_of_family(name: str, upto: int, budget: float | None = DEFAULT_BUDGET
                    ) -> list[SwellRow]:
    """The family's members 1..upto, sympy's derivatives of each within ``budget`` CPU
    seconds; past the first member sympy cannot finish within it, the larger ones (which
    cost more) are not asked."""
    if name not in FAMILIES:
        raise InputError(f"no family {name!r}; families: {', '.join(FAMILIES)}")
    if not 1 <= upto <= MAX_FAMILY_SIZE:
        raise InputError(f"--upto must be between 1 and {MAX_FAMILY_SIZE} (sympy's "
                         "derivatives of larger members take minutes)")
    build = FAMILIES[name][1]
    rows: list[SwellRow] = []
    for k in range(1, upto + 1):
        out_of_budget = rows and rows[-1].symbolic is None
        rows.append(measure(build(k), ("x",), f"k = {k}", k, 0 if out_of_budget else budget))
    return rows
