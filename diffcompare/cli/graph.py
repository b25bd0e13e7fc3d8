"""graph: the computational graph."""

from __future__ import annotations

import click

from diffcompare.cli.common import console, write_text
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import n_option, timeout_option


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression")
@click.option("--at", "at", metavar="POINT", help="Show values and adjoints at this point.")
@click.option("--vars", "variables", metavar="NAMES", help="Variable order, as for grad.")
@n_option
@timeout_option()
@click.option("-o", "--output", metavar="FILE",
              help="Write FILE.dot (Graphviz text), .json, or a picture: .png, .svg, .pdf.")
def graph(expression, at, variables, size, timeout, output):
    """The computational graph of EXPRESSION, numbered as in trace.

    Without -o, a tree in the terminal from the output back to the inputs.

    \b
    Examples:
      diffcompare graph "ln(x1) + x1*x2 - sin(x2)" --at 2,5
      diffcompare graph "ln(x1) + x1*x2 - sin(x2)" --at 2,5 -o graph.png
    """
    from pathlib import Path

    from diffcompare.cli.options import load_problem, names_program
    from diffcompare.render.graph import to_dot, to_json, tree
    from diffcompare.studies.graph import computational_graph, graph_of_text

    if names_program(expression):  # the path a program took at its point
        found = computational_graph(load_problem(expression, at, variables, size, timeout),
                                    with_values=True)
    else:
        found = graph_of_text(expression, at, variables)
    if output is None:
        console().print(tree(found))
        return
    suffix = Path(output).suffix.lower()
    if suffix in (".dot", ".gv", ".json"):
        write_text(output, to_dot(found) if suffix != ".json" else to_json(found) + "\n")
    else:
        from diffcompare.plots.figures import draw_graph

        draw_graph(found, output)
    click.echo(f"wrote {output}")

