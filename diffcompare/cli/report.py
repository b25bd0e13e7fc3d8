"""report: one self-contained page of every view of a function, to hand out or hand in."""

from __future__ import annotations

import click

from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import budget_option, n_option


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression")
@click.option("--at", "at", metavar="POINT", help="The point, as for grad.")
@click.option("--vars", "variables", metavar="NAMES", help="Variable order, as for grad.")
@n_option
@click.option("--kind", default="gradient", show_default=True, metavar="KIND",
              help="The comparison's kind of derivative: gradient, jacobian, jvp, vjp, "
                   "hessian, hvp (the kinds table's).")
@click.option("--dir", "direction", metavar="V", help="v for jvp and hvp, r for vjp.")
@click.option("--h", "step", type=float, help="The finite-difference step (default: each "
              "scheme's rule).")
@click.option("--wrt", metavar="NAME", help="The traces' and the ε plot's variable.")
@click.option("--views", default="all", show_default=True,
              help="Comma-separated: table, derivation, trace, graph, epsplot, swell, "
                   "descent, scale (all: the first five).")
@click.option("-o", "--output", metavar="FILE.html", help="Write the page here (default: "
              "standard output).")
@budget_option()
def report(expression, at, variables, size, kind, direction, step, wrt, views, output,
           budget):
    """One HTML page with every view of EXPRESSION at the point — the comparison, the
    derivation, the traces, the graph and the ε plot — self-contained (SVG and MathML
    inline, no script, no request), printable.

    \b
    Examples:
      diffcompare report "3*(x1**2 + x2*x3)" --at 2,3,4 -o page.html
      diffcompare report "x1*x2, sin(x1)" --at 1,2 --kind jacobian -o jacobian.html
    """
    from diffcompare.cli.common import working
    from diffcompare.cli.options import function_and_point, load_problem, vector
    from diffcompare.methods.kinds import kind_of
    from diffcompare.runtime.output import write_file
    from diffcompare.web.pages import report_page

    kind_of(kind)  # an unknown kind is the user's error (exit 2), not a page's panel
    expression, at, variables = function_and_point(expression, at, None, variables)
    problem = load_problem(expression, at, variables, size, budget)
    with working("computing every view"):
        page = report_page(problem, kind, vector(direction, "--dir"), step, wrt, views,
                           budget)
    if output:
        replaced = write_file(output, page)
        click.echo(f"wrote {output}" + (" (it replaced the file that was there)"
                                        if replaced else ""), err=True)
    else:
        click.echo(page, nl=False)
