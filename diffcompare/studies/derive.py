"""The manual-rule derivation, step by step, the way a student writes it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from diffcompare.errors import InputError
from diffcompare.expr import Expr, tree_size, variables
from diffcompare.methods.manual import Step, differentiate
from diffcompare.runtime.budget import OutOfBudget

# Nodes of a derivation written out (every step's expression, the rule applied to it and
# its derivative, a shared sub-expression counted at every use): about three characters
# each, so a million is a few megabytes of text, past what a reader reads. A product of
# n factors writes about n³/3 nodes: 400 factors, 2e7.
MAX_WRITTEN_NODES = 1_000_000
SIMPLIFY_BUDGET = 10.0  # CPU seconds for sympy's simplify of a derivation's result


@dataclass(frozen=True)
class Derivation:
    expr: Expr
    wrt: str
    steps: tuple[Step, ...]
    result: Expr
    simplified: Expr | None = None  # sympy's simplify of the result, checked equal to it
    simplified_note: str = ""  # how it was checked, or why there is none


def _simplify(result: Expr, names: tuple[str, ...]) -> str:
    """In a worker: sympy's simplify of the result, written by our printer (our nodes do
    not cross processes; our own parser reads it back)."""
    import sympy

    from diffcompare.expr import to_text
    from diffcompare.methods.sympy_bridge import from_sympy, symbols_for, to_sympy

    return to_text(from_sympy(sympy.simplify(to_sympy(result, symbols_for(names)))))


def simplified(derivation: Derivation, budget: float | None = SIMPLIFY_BUDGET) -> Derivation:
    """The derivation with its result simplified by sympy within ``budget`` CPU seconds (at
    most SIMPLIFY_BUDGET; 0: not simplified), and checked equal to the derived form at
    seeded random points in ball arithmetic (a form proved different is not shown: that
    would be a bug, said so)."""
    from dataclasses import replace

    from diffcompare.errors import MethodError
    from diffcompare.parse import parse
    from diffcompare.runtime.workers import within
    from diffcompare.studies.grade import BITS, LEAST_POINTS, agree, random_points

    if budget == 0:
        return derivation
    budget = SIMPLIFY_BUDGET if budget is None else min(budget, SIMPLIFY_BUDGET)
    names = tuple(variables(derivation.expr))
    try:
        found = parse(within(budget, _simplify, derivation.result, names,
                             what="sympy's simplify"))
    except MethodError as error:
        return replace(derivation, simplified_note=f"not simplified: {error}")
    if found is derivation.result:
        return replace(derivation, simplified_note="sympy finds nothing simpler")
    same, valid, _ = agree(found, derivation.result, names, random_points(names, 0))
    if not same:
        return replace(derivation, simplified_note="sympy's simplified form differs from the "
                                                   "derived one: not shown")
    how = (f"equal to the derived form at {valid} random points to {BITS} bits"
           if valid >= LEAST_POINTS else "not checked: too few points in the domain")
    return replace(derivation, simplified=found, simplified_note=f"simplified by sympy; {how}")


def derive(expr: Expr, wrt: str | Sequence[str] | None = None) -> list[Derivation]:
    """One derivation per requested variable (default: every variable of the expression)."""
    found = variables(expr)
    names = found if wrt is None else ([wrt] if isinstance(wrt, str) else list(wrt))
    if not names:
        raise InputError("the expression has no variables: its derivative is 0 (name one "
                         "with --wrt to see the constant rule)")
    derivations = []
    for name in names:
        if not name.isidentifier():
            raise InputError(f"--wrt {name!r} is not a variable name")
        steps: list[Step] = []
        result = differentiate(expr, name, steps)
        derivations.append(Derivation(expr, name, tuple(steps), result))
    written = sum(tree_size(e) for d in derivations for step in d.steps
                  for e in (step.node, step.applied, step.derivative))
    if written > MAX_WRITTEN_NODES:
        raise OutOfBudget(f"out of budget: the derivation written out would have "
                          f"{written:,} nodes (about {3 * written:,} characters); derive "
                          f"writes at most {MAX_WRITTEN_NODES:,} (differentiate a smaller "
                          "part, or see grad's manual row for the numbers)",
                          measure="written nodes", limit=MAX_WRITTEN_NODES)
    return derivations
