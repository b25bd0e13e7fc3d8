"""The manual-rule derivation, step by step, the way a student writes it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from diffcompare.errors import InputError
from diffcompare.expr import Expr, variables
from diffcompare.methods.manual import Step, differentiate


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
    return derivations
