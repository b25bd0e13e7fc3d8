"""What is wrong at the point itself, whatever the method: outside a function's domain,
not differentiable, overflow. Checked once, on the tape, with the domains in ops.py."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from diffcompare.expr import shorten, to_text
from diffcompare.problem import Problem

OUTSIDE_DOMAIN = "outside domain"
OVERFLOW = "overflow"
NON_DIFFERENTIABLE = "non-differentiable here"


@dataclass(frozen=True)
class Diagnostic:
    kind: str  # one of the three above
    message: str
    variables: frozenset[str]  # the inputs the offending sub-expression depends on

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def diagnose(problem: Problem) -> list[Diagnostic]:
    tape, deps = problem.tape, problem.node_dependencies
    with np.errstate(all="ignore"):
        values = tape.forward(problem.point)
    found: list[Diagnostic] = []
    for slot, op in enumerate(tape.ops):
        if op is None or not op.arity:
            continue
        args = [values[j] for j in tape.args[slot]]
        if not all(math.isfinite(a) for a in args):
            continue  # reported where it first went wrong
        node = tape.nodes[slot]
        where, inputs = shorten(to_text(node)), deps[id(node)]
        shown = ", ".join(f"{a:.6g}" for a in args)
        if op.domain is not None and not op.domain(*args):
            found.append(Diagnostic(OUTSIDE_DOMAIN, f"{where}: {op.domain_text} "
                                                    f"(argument {shown})", inputs))
        elif not math.isfinite(values[slot]):
            found.append(Diagnostic(OVERFLOW, f"{where} is not finite in float64 "
                                              f"(argument {shown})", inputs))
        elif op.smooth is not None and not op.smooth(*args) and tape.active[slot]:
            found.append(Diagnostic(NON_DIFFERENTIABLE, f"{where}: {op.smooth_text}", inputs))
    return found

