"""graph: the computational graph."""

from __future__ import annotations

import click

from diffcompare.cli.common import emit, save_output
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import budget_option, format_option, n_option


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression")
@click.option("--at", "at", metavar="POINT", help="Show values and adjoints at this point.")
@click.option("--vars", "variables", metavar="NAMES", help="Variable order, as for grad.")
@n_option
@budget_option()
@format_option()
@click.option("-o", "--output", metavar="FILE",
              help="Write FILE.dot (Graphviz text), .json, .md, .html, or a picture: .png, "
                   ".svg, .pdf (up to 200 nodes: larger graphs as .dot).")
def graph(expression, at, variables, size, budget, fmt, output):
    """The computational graph of EXPRESSION, numbered as in trace.

    Without -o, a tree in the terminal from the output back to the inputs.

    \b
    Examples:
      diffcompare graph "ln(x1) + x1*x2 - sin(x2)" --at 2,5
      diffcompare graph "ln(x1) + x1*x2 - sin(x2)" --at 2,5 -o graph.png
    """
    from diffcompare.cli.options import load_problem, names_program
    from diffcompare.render.graph import document
    from diffcompare.studies.graph import computational_graph, graph_of_text

    if names_program(expression):  # the path a program took at its point
        found = computational_graph(load_problem(expression, at, variables, size, budget),
                                    with_values=True)
    else:
        found = graph_of_text(expression, at, variables)
    if output is None:
        emit(document(found), fmt)
        return
    from diffcompare.plots.graph import figure

    save_output(output, document(found), lambda: figure(found))
