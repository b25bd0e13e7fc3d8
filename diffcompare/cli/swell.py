"""swell: expression swell, measured."""

from __future__ import annotations

import click

from diffcompare.cli.common import emit_with_figure, plots
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import budget_option, format_option, output_option


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression", required=False)
@click.option("--family", type=click.Choice(["logistic", "sinexp", "product"]),
              help="A built-in family of growing functions instead of EXPRESSION.")
@click.option("--upto", type=int, default=8, show_default=True,
              help="The largest family member k.")
@click.option("--vars", "variables", metavar="NAMES", help="Variable order, as for grad.")
@output_option
@format_option()
@budget_option(help="CPU seconds for sympy's derivatives of each member (of the family); "
                    "past them the sympy columns say 'timed out', and a family's larger "
                    "members are not asked.")
def swell(expression, family, upto, variables, output, fmt, budget):
    """Expression swell: the size of f, its symbolic and manual derivatives, and the AD tape.

    \b
    Examples:
      diffcompare swell --family logistic --upto 8 -o swell.png
      diffcompare swell "sin(x)*exp(x)/(1 + x**2)"
    """
    from diffcompare.errors import InputError
    from diffcompare.parse import parse
    from diffcompare.problems.formula import order_variables
    from diffcompare.render.swell import document
    from diffcompare.studies.swell import FAMILIES, swell_of_expression, swell_of_family

    if (expression is None) == (family is None):
        raise InputError("give an EXPRESSION or --family NAME (one of them)")
    if family:
        rows = swell_of_family(family, upto, budget)
        title = f"{family}: {FAMILIES[family][0]}"
    else:
        expr = parse(expression)
        rows = swell_of_expression(expr, order_variables(expr, variables), expression, budget)
        title = expression
    emit_with_figure(document(rows, title), fmt, output,
                     lambda: plots("swell").figure(rows, title),
                     lambda width: plots("terminal").swell(rows, title, width))
