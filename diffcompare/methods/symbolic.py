"""symbolic: sympy's diff on the same function, its result evaluated in float64."""

from __future__ import annotations

from diffcompare.budget import within
from diffcompare.engine.tape import evaluate
from diffcompare.errors import MethodError
from diffcompare.expr import Expr, shorten
from diffcompare.methods.registry import MethodResult, Options, register
from diffcompare.problem import Problem
from diffcompare.sympy_bridge import from_sympy, symbols_for, to_sympy


def sympy_derivatives(problem: Problem) -> tuple[object, list]:
    """f and its partial derivatives as sympy expressions (real symbols)."""
    return sympy_gradient(problem.expr, problem.variables)


def sympy_gradient(expr: Expr, names) -> tuple[object, list]:
    """f and sympy's derivative with respect to each name (real symbols)."""
    import sympy

    symbols = symbols_for(names)
    f = to_sympy(expr, symbols)
    return f, [sympy.diff(f, symbols[v]) for v in names]


@register("symbolic", family="symbolic", exact=True,
          cost="one sympy derivative per input; the expressions swell")
def symbolic(problem: Problem, options: Options) -> MethodResult:
    # sympy cannot be interrupted: its part runs under the time limit (--timeout).
    f, derivatives, size = within(options.timeout, _differentiate, problem)
    names, point = problem.variables, problem.point
    gradient = tuple(float(evaluate(d, names, point)) for d in derivatives)
    value = float(evaluate(f, names, point))
    return MethodResult("symbolic", value, gradient, f_evals=1, passes=problem.n, size=size)


def _differentiate(problem: Problem):
    """sympy's derivatives, brought back as our trees, and their size."""
    import sympy

    f, derivatives = sympy_derivatives(problem)
    for name, d in zip(problem.variables, derivatives):
        if d.has(sympy.Derivative):
            raise MethodError(f"sympy could not differentiate with respect to {name}: it left "
                              f"{shorten(str(d), 60)} unevaluated")
    size = sum(int(sympy.count_ops(d)) for d in derivatives)
    return from_sympy(f), [from_sympy(d) for d in derivatives], size

