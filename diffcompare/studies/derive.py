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


@dataclass(frozen=True)
class Derivation:
    expr: Expr
    wrt: str
    steps: tuple[Step, ...]
    result: Expr


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
