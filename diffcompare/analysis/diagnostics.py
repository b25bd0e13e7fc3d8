"""What is wrong at the point itself, whatever the method: outside a function's domain,
not differentiable, overflow. Checked once, on the tape, with the domains in ops.py."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from diffcompare.expr import shorten, to_text
from diffcompare.problems.formula import Problem

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
    """Computed once per problem (the reference and compare both ask)."""
    found = problem.memo.get("diagnostics")
    if found is None:
        found = problem.memo["diagnostics"] = (
            diagnose_program(problem) if problem.program is not None else _diagnose(problem))
    return list(found)


def _diagnose(problem: Problem) -> list[Diagnostic]:
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

        def where(node=node) -> str:  # text only for what is reported
            return shorten(to_text(node))

        def shown(args=args) -> str:
            return ", ".join(f"{a:.6g}" for a in args)

        inputs = deps[id(node)]
        if op.domain is not None and not op.domain(*args):
            found.append(Diagnostic(OUTSIDE_DOMAIN, f"{where()}: {op.domain_text} "
                                                    f"(argument {shown()})", inputs))
        elif not math.isfinite(values[slot]):
            found.append(Diagnostic(OVERFLOW, f"{where()} is not finite in float64 "
                                              f"(argument {shown()})", inputs))
        elif op.smooth is not None and not op.smooth(*args) and tape.active[slot]:
            found.append(Diagnostic(NON_DIFFERENTIABLE, f"{where()}: {op.smooth_text}",
                                    inputs))
    return found



ENTRYWISE_LIMIT = 100_000  # entries of one record checked one by one against a domain


def diagnose_program(problem) -> list[Diagnostic]:
    """The same checks on a program's traced tape, entry by entry of each array record,
    each reported at the line of the user's code that did the operation."""
    from diffcompare import ops

    tape = problem.traced
    by_input = problem.input_variables
    found: list[Diagnostic] = []
    for slot, op in enumerate(tape.ops):
        if not isinstance(op, ops.Op) or not op.arity:
            continue
        args = [tape.values[j] for j in tape.args[slot]]
        inputs = frozenset().union(*(by_input[i] for i in tape.depends[slot]))
        where = f"{op.name} at {tape.lines[slot]}"
        try:
            entries = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args))
        except (TypeError, ValueError):
            continue
        finite = np.logical_and.reduce([np.isfinite(e) for e in entries])
        if entries[0].size > ENTRYWISE_LIMIT:
            bad = finite & ~np.isfinite(np.asarray(tape.values[slot], dtype=float))
            if bad.any():
                found.append(Diagnostic(OUTSIDE_DOMAIN, f"{where}: {int(bad.sum())} entries "
                                        "are not finite", inputs))
            continue
        for kind, test, text in ((OUTSIDE_DOMAIN, op.domain, op.domain_text),
                                 (NON_DIFFERENTIABLE, op.smooth, op.smooth_text)):
            if test is None or (kind == NON_DIFFERENTIABLE and not inputs):
                continue
            passing = np.frompyfunc(lambda *a, test=test: bool(test(*a)), len(entries), 1)(
                *entries)
            failing = finite & ~np.asarray(passing, dtype=bool)
            if failing.any():
                found.append(Diagnostic(kind, f"{where}: {text}{_at(entries, failing)}",
                                        inputs))
                break
        else:
            value = np.asarray(tape.values[slot], dtype=float)
            if (finite & ~np.isfinite(value)).any():
                found.append(Diagnostic(OVERFLOW, f"{where} is not finite in float64",
                                        inputs))
    return found


def _at(entries, failing) -> str:
    if not np.ndim(failing):
        return f" (argument {', '.join(f'{float(e):.6g}' for e in entries)})"
    index = np.argwhere(failing)[0]
    count = int(np.count_nonzero(failing))
    return f" (entry {tuple(int(i) for i in index)}{f' and {count - 1} more' if count > 1 else ''})"
