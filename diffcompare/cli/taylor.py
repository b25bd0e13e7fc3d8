"""taylor: derivatives of any order by every method that can, against the exact ones."""

from __future__ import annotations

import click

from diffcompare.cli.common import emit_with_figure, plots, working
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import (
    at_option,
    budget_option,
    format_option,
    function_and_point,
    load_problem,
    methods_option,
    output_option,
    sample_option,
    vars_option,
    vector,
)


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression", metavar="EXPRESSION", required=False)
@at_option()
@vars_option
@click.option("--order", "order", type=int, default=6, show_default=True,
              help="The highest order K: f′ … f⁽ᴷ⁾.")
@click.option("--dir", "direction", metavar="V",
              help="For several inputs: the direction v, n entries (derivatives of "
                   "f(x + t·v) in t).")
@methods_option
@sample_option
@output_option
@format_option()
@budget_option()
def taylor(expression, at, variables, order, direction, methods, sample, output, fmt, budget):
    """Derivatives of any order, f′ … f⁽ᴷ⁾, by Taylor-mode AD, nested duals, sympy, order-K
    central differences, Cauchy's integral by the FFT and Richardson, against Taylor mode
    swept in ball arithmetic.

    \b
    Examples:
      diffcompare taylor "exp(sin(x))" --at 0.5 --order 10
      diffcompare taylor "x*y + sin(x*y)" --at 1,2 --dir 1,-1 --order 5 -o taylor.png
    """
    from diffcompare.render.taylor import document
    from diffcompare.studies.taylor import taylor_study

    expression, at, variables = function_and_point(expression, at, sample, variables)
    problem = load_problem(expression, at, variables, None, budget)
    chosen = None if methods is None else [m.strip() for m in methods.split(",") if m.strip()]
    with working(f"derivatives up to order {order} by every method (budget {budget:g} CPU s)"):
        study = taylor_study(problem, order, vector(direction, "--dir"), chosen, budget)
    emit_with_figure(document(study), fmt, output, lambda: plots("taylor").figure(study),
                     lambda width: plots("terminal").taylor(study, width))
