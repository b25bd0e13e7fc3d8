"""forward-ad (dual numbers) and reverse-ad (tape) over the same Wengert list."""

from __future__ import annotations

from diffcompare.engine.dual import Dual, primal, tangent
from diffcompare.engine.tape import Tape
from diffcompare.methods.registry import MethodResult, Options, register
from diffcompare.problem import Problem


@register("forward-ad", family="automatic differentiation", exact=True,
          cost="n forward passes with dual numbers")
def forward_ad(problem: Problem, options: Options) -> MethodResult:
    tape = Tape.record(problem.expr, problem.variables)
    gradient, value = [], float("nan")
    for i in range(problem.n):
        seeded = [Dual(x, 1.0) if j == i else x for j, x in enumerate(problem.point)]
        out = tape.forward(seeded)[tape.output]
        value = float(primal(out))
        gradient.append(float(tangent(out)))
    return MethodResult("forward-ad", value, tuple(gradient), f_evals=problem.n,
                        passes=problem.n, size=tape.operation_count)


@register("reverse-ad", family="automatic differentiation", exact=True,
          cost="one forward and one reverse pass")
def reverse_ad(problem: Problem, options: Options) -> MethodResult:
    tape = Tape.record(problem.expr, problem.variables)
    values = tape.forward(problem.point)
    adjoints = tape.reverse(values)
    gradient = tuple(float(adjoints[i]) for i in range(problem.n))
    return MethodResult("reverse-ad", float(values[tape.output]), gradient, f_evals=1,
                        passes=2, size=tape.operation_count + tape.partial_count)
