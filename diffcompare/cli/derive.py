"""derive: the manual rules applied step by step."""

from __future__ import annotations

import click

from diffcompare.cli.common import emit, save_output
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import budget_option, format_option, output_option


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression")
@click.option("--wrt", metavar="NAME", help="The variable (default: each variable in turn).")
@format_option()
@output_option
@budget_option(help="CPU seconds for sympy's simplify of each result (0: not simplified).")
def derive(expression, wrt, fmt, output, budget):
    """The manual rules applied to EXPRESSION step by step, as a student writes them
    (several outputs, separated by commas: each one in turn).

    \b
    Examples:
      diffcompare derive "3*(x1**2 + x2*x3)" --wrt x1
      diffcompare derive "sin(x**2)*exp(x)" --format latex
    """
    from diffcompare.parse import parse_outputs
    from diffcompare.render.derive import document
    from diffcompare.studies.derive import derive as derivations
    from diffcompare.studies.derive import simplified

    found = document([simplified(d, budget) for output in parse_outputs(expression)
                      for d in derivations(output, wrt)])
    emit(found, fmt)
    if output:
        save_output(output, found)
