"""trace: the evaluation trace of forward and reverse mode."""

from __future__ import annotations

import click

from diffcompare.cli.common import show
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import n_option, timeout_option


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression")
@click.option("--at", "at", metavar="POINT",
              help="The point, as for grad (a program may bring its own).")
@click.option("--vars", "variables", metavar="NAMES", help="Variable order, as for grad.")
@n_option
@timeout_option()
@click.option("--mode", type=click.Choice(["forward", "reverse", "both"]), default="both",
              show_default=True)
@click.option("--wrt", metavar="NAME", help="Forward mode's input (default: the first).")
@click.option("--cotangent", metavar="R",
              help="Reverse mode's seed on the outputs, one entry each (default: all ones).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]),
              default="table", show_default=True)
def trace(expression, at, variables, size, timeout, mode, wrt, cotangent, fmt):
    """The evaluation trace of forward- and reverse-mode AD (Baydin et al. 2018).

    For a program (FILE.py[:NAME]), the trace of the path it took at the point: every
    loop iteration and branch as it ran there.

    Reverse mode shows the forward primal trace first, then the adjoints. EXPRESSION may
    have several outputs separated by commas; the reverse sweep is then seeded with
    --cotangent r and gives Jᵀ·r.

    \b
    Examples:
      diffcompare trace "ln(x1) + x1*x2 - sin(x2)" --at 2,5
      diffcompare trace "x1*x2, sin(x1)" --at 1,2 --mode reverse --cotangent 1,2
      diffcompare trace sample_functions/programs/newton_sqrt.py --at a=2 --mode forward
    """
    from diffcompare.cli.options import function_and_point, load_problem
    from diffcompare.render import trace as render_trace
    from diffcompare.studies.trace import evaluation_trace

    forward, reverse = mode in ("forward", "both"), mode in ("reverse", "both")
    from diffcompare.cli.options import vector

    expression, at, variables = function_and_point(expression, at, None, variables)
    found = evaluation_trace(load_problem(expression, at, variables, size, timeout), wrt,
                             forward, reverse, vector(cotangent, "--cotangent"))
    if fmt == "table":
        show(render_trace.table(found, forward, reverse), fmt)
    elif fmt == "markdown":
        show(render_trace.to_markdown(found, forward, reverse), fmt)
    else:
        show(render_trace.to_json(found), fmt)

