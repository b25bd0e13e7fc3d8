"""trace: the evaluation trace of forward and reverse mode."""

from __future__ import annotations

import click

from diffcompare.cli.common import emit, save_output
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import budget_option, format_option, n_option, output_option


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression")
@click.option("--at", "at", metavar="POINT",
              help="The point, as for grad (a program may bring its own).")
@click.option("--vars", "variables", metavar="NAMES", help="Variable order, as for grad.")
@n_option
@budget_option()
@click.option("--mode", type=click.Choice(["forward", "reverse", "both"]), default="both",
              show_default=True)
@click.option("--wrt", metavar="NAME", help="Forward mode's input (default: the first).")
@click.option("--cotangent", metavar="R",
              help="Reverse mode's seed on the outputs, one entry each (default: all ones).")
@format_option()
@output_option
def trace(expression, at, variables, size, budget, mode, wrt, cotangent, fmt, output):
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
    from diffcompare.cli.options import function_and_point, load_problem, vector
    from diffcompare.render.trace import document
    from diffcompare.studies.trace import evaluation_trace

    forward, reverse = mode in ("forward", "both"), mode in ("reverse", "both")
    expression, at, variables = function_and_point(expression, at, None, variables)
    found = evaluation_trace(load_problem(expression, at, variables, size, budget), wrt,
                             forward, reverse, vector(cotangent, "--cotangent"))
    emit(document(found), fmt)
    if output:
        from diffcompare.plots.graph import figure
        from diffcompare.studies.graph import computational_graph

        save_output(output, document(found),
                    lambda: figure(computational_graph(found.problem, with_values=True)))

