"""swell: expression swell, measured."""

from __future__ import annotations

import click

from diffcompare.cli.common import show, terminal_figure
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import timeout_option


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression", required=False)
@click.option("--family", type=click.Choice(["logistic", "sinexp", "product"]),
              help="A built-in family of growing functions instead of EXPRESSION.")
@click.option("--upto", type=int, default=8, show_default=True,
              help="The largest family member k.")
@click.option("--vars", "variables", metavar="NAMES", help="Variable order, as for grad.")
@click.option("-o", "--output", metavar="FILE", help="Also draw the sizes: .png, .svg, .pdf.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@timeout_option(30.0, "Seconds for sympy's derivatives, for the whole family together; "
                      "past it, the sympy columns say 'timed out'.")
def swell(expression, family, upto, variables, output, fmt, timeout):
    """Expression swell: the size of f, its symbolic and manual derivatives, and the AD tape.

    \b
    Examples:
      diffcompare swell --family logistic --upto 8 -o swell.png
      diffcompare swell "sin(x)*exp(x)/(1 + x**2)"
    """
    from diffcompare.errors import InputError
    from diffcompare.parse import parse
    from diffcompare.problems.formula import order_variables
    from diffcompare.render import swell as render_swell
    from diffcompare.studies.swell import FAMILIES, swell_of_expression, swell_of_family

    if (expression is None) == (family is None):
        raise InputError("give an EXPRESSION or --family NAME (one of them)")
    if family:
        rows = swell_of_family(family, upto, timeout)
        title = f"{family}: {FAMILIES[family][0]}"
    else:
        expr = parse(expression)
        rows = swell_of_expression(expr, order_variables(expr, variables), expression, timeout)
        title = expression
    if output:
        from diffcompare.plots.figures import plot_swell

        plot_swell(rows, title, output)
    if fmt == "table":
        show(render_swell.table(rows, title), fmt)
    else:
        show(render_swell.to_json(rows, title) if fmt == "json" else render_swell.to_csv(rows),
             fmt)
    if output:
        click.echo(f"wrote {output}", err=fmt != "table")
    else:
        from diffcompare.plots import terminal

        terminal_figure(lambda width: terminal.swell(rows, title, width), fmt, output,
                        "-o FILE.png")

