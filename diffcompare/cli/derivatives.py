"""jacobian, jvp, vjp, hessian: the other kinds of derivative, every method that computes
them, against the exact one, with what each costs."""

from __future__ import annotations

import click

from diffcompare.cli.common import emit, save_output, working
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import (
    at_option,
    budget_option,
    eps_option,
    format_option,
    function_and_point,
    load_problem,
    methods_option,
    n_option,
    output_option,
    sample_option,
    vars_option,
    vector,
)


def _common(command):
    for option in (budget_option(), output_option, format_option(), sample_option, eps_option,
                   methods_option, n_option, vars_option, at_option()):
        command = option(command)
    return click.argument("expressions", metavar="EXPRESSIONS", required=False)(command)


def _run(kind, expressions, at, variables, size, methods, eps, sample, fmt, output, budget,
         direction=None, partner=None):
    from diffcompare.analysis.compare import compare
    from diffcompare.methods import Options
    from diffcompare.render.comparison import document

    expressions, at, variables = function_and_point(expressions, at, sample, variables)
    problem = load_problem(expressions, at, variables, size, budget)
    with working(f"the {kind} by every method, and the exact one (budget {budget:g} CPU s)"):
        found = compare(problem, methods, Options(eps=eps, budget=budget), kind=kind,
                        direction=direction, partner=partner)
    emit(document(found), fmt)
    if output:
        from diffcompare.plots.comparison import figure

        save_output(output, document(found), lambda: figure(found))


@main.command(context_settings=EXPRESSION_CONTEXT)
@_common
def jacobian(expressions, at, variables, size, methods, eps, sample, fmt, output, budget):
    """The m×n Jacobian of f(x) = (EXPR1, EXPR2, ...) from every method that gives it.

    forward-ad takes n forward passes (a column each), reverse-ad one forward and m reverse
    passes (a row each); the table says which is cheaper for this shape.

    \b
    Example:
      diffcompare jacobian "x1*x2, sin(x1) + x2**2, exp(x1*x2)/x3" --at 1,2,4
    """
    _run("jacobian", expressions, at, variables, size, methods, eps, sample, fmt, output, budget)


@main.command(context_settings=EXPRESSION_CONTEXT)
@_common
@click.option("--dir", "direction", metavar="V", required=True,
              help="The direction v, n entries: 1,-1.")
@click.option("--cotangent", metavar="R",
              help="r for the dot-product test <J·v, r> = <v, Jᵀ·r> (default: all ones).")
def jvp(expressions, at, variables, size, methods, eps, sample, fmt, output, budget, direction,
        cotangent):
    """The Jacobian-vector product J·v, matrix-free: one forward-ad pass.

    \b
    Example:
      diffcompare jvp "x1*x2, sin(x1) + x2**2" --at 1,2 --dir 1,-1
    """
    _run("jvp", expressions, at, variables, size, methods, eps, sample, fmt, output, budget,
         vector(direction, "--dir"), vector(cotangent, "--cotangent"))


@main.command(context_settings=EXPRESSION_CONTEXT)
@_common
@click.option("--cotangent", metavar="R", required=True,
              help="The cotangent r, m entries (one per output): 1,2.")
@click.option("--dir", "direction", metavar="V",
              help="v for the dot-product test <J·v, r> = <v, Jᵀ·r> (default: all ones).")
def vjp(expressions, at, variables, size, methods, eps, sample, fmt, output, budget, cotangent,
        direction):
    """The vector-Jacobian product Jᵀ·r, matrix-free: one reverse-ad pass.

    \b
    Example:
      diffcompare vjp "x1*x2, sin(x1) + x2**2" --at 1,2 --cotangent 1,2
    """
    _run("vjp", expressions, at, variables, size, methods, eps, sample, fmt, output, budget,
         vector(cotangent, "--cotangent"), vector(direction, "--dir"))


@main.command(context_settings=EXPRESSION_CONTEXT)
@_common
def hessian(expressions, at, variables, size, methods, eps, sample, fmt, output, budget):
    """The n×n Hessian of EXPRESSION: symbolic, the manual rules applied twice, second
    differences, complex step on the reverse-mode gradient, forward-over-forward and
    forward-over-reverse AD; its symmetry and eigenvalues.

    \b
    Examples:
      diffcompare hessian "x1**2*x2 + x2*x3" --at 2,3,4
      diffcompare hessian "100*(x2 - x1**2)**2 + (1 - x1)**2" --at -1.2,1
    """
    _run("hessian", expressions, at, variables, size, methods, eps, sample, fmt, output, budget)


@main.command(context_settings=EXPRESSION_CONTEXT)
@_common
@click.option("--dir", "direction", metavar="V", required=True,
              help="The direction v, n entries: 1,0.")
def hvp(expressions, at, variables, size, methods, eps, sample, fmt, output, budget, direction):
    """The Hessian-vector product H·v, matrix-free: forward-over-reverse AD takes one dual
    forward and one dual reverse pass, where the whole Hessian takes n of each.

    \b
    Example:
      diffcompare hvp "100*(x2 - x1**2)**2 + (1 - x1)**2" --at -1.2,1 --dir 1,0
    """
    _run("hvp", expressions, at, variables, size, methods, eps, sample, fmt, output, budget,
         vector(direction, "--dir"))
