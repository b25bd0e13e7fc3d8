"""The gradient code reverse mode writes for a function (``diffcompare codegen``): data only.

A formula's code holds at every point; a program's is written from its trace at the point
and guards every branch it took there (engine/codegen.py)."""

from __future__ import annotations

from diffcompare.engine.codegen import Generated, generate, input_names
from diffcompare.errors import Cannot, MethodError
from diffcompare.problems.base import BaseProblem


def gradient_code(problem: BaseProblem, seeded: bool = False) -> Generated:
    """The code of value_and_grad (value_and_vjp for several outputs, or when ``seeded``)
    for the problem's tape at its point."""
    tape = problem.ad_tape_at(problem.point_array)
    try:
        return generate(tape, input_names(tape), problem.describe(), seeded=seeded)
    except MethodError as reason:
        raise Cannot(f"cannot write the gradient code: {reason}") from None


def formula_problem(text: str, variables=None) -> BaseProblem:
    """A formula's problem for its code alone: any point will do (its code holds at every
    point), so each variable is put at 1."""
    from diffcompare.parse import parse_outputs
    from diffcompare.problems.formula import Problem, order_variables

    outputs = parse_outputs(text)
    names = order_variables(outputs, variables)
    return Problem(outputs, names, (1.0,) * len(names), text)
