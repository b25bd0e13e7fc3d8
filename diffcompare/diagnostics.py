"""What is wrong at the point itself, whatever the method: outside a function's domain,
not differentiable, overflow. Checked once, on the tape, with the domains in ops.py."""

from __future__ import annotations

import math

import numpy as np

from .expr import to_text
from .problem import Problem
from .tape import Tape


def point_warnings(problem: Problem) -> list[str]:
    tape = Tape.record(problem.expr, problem.variables)
    with np.errstate(all="ignore"):
        values = tape.forward(problem.point)
    warnings: list[str] = []
    for slot, op in enumerate(tape.ops):
        if op is None or not op.arity:
            continue
        args = [values[j] for j in tape.args[slot]]
        if not all(math.isfinite(a) for a in args):
            continue  # reported where it first went wrong
        where = _shorten(to_text(tape.nodes[slot]))
        shown = ", ".join(f"{a:.6g}" for a in args)
        if op.domain is not None and not op.domain(*args):
            warnings.append(f"outside domain: {where}: {op.domain_text} (argument {shown})")
        elif not math.isfinite(values[slot]):
            warnings.append(f"overflow: {where} is not finite here (argument {shown})")
        elif op.smooth is not None and not op.smooth(*args) and tape.active[slot]:
            warnings.append(f"non-differentiable here: {where}: {op.smooth_text}")
    return warnings


def _shorten(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
