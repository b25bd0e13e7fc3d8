"""derive: the manual rules applied step by step."""

from __future__ import annotations

import click

from diffcompare.cli.common import show
from diffcompare.cli.group import EXPRESSION_CONTEXT, main


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression")
@click.option("--wrt", metavar="NAME", help="The variable (default: each variable in turn).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "latex", "json"]),
              default="text", show_default=True)
def derive(expression, wrt, fmt):
    """The manual rules applied to EXPRESSION step by step, as a student writes them
    (several outputs, separated by commas: each one in turn).

    \b
    Examples:
      diffcompare derive "3*(x1**2 + x2*x3)" --wrt x1
      diffcompare derive "sin(x**2)*exp(x)" --format latex
    """
    from diffcompare.parse import parse_outputs
    from diffcompare.render import derive as render_derive
    from diffcompare.studies.derive import derive as derivations

    found = [d for output in parse_outputs(expression) for d in derivations(output, wrt)]
    writers = {"text": render_derive.table, "markdown": render_derive.to_markdown,
               "latex": render_derive.to_latex_document, "json": render_derive.to_json}
    show(writers[fmt](found), fmt)

