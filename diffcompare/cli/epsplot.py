"""epsplot: the finite-difference error against the step size."""

from __future__ import annotations

import click

from diffcompare.cli.common import emit_with_figure, plots
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import budget_option, format_option, n_option, output_option


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression", required=False)
@click.option("--at", "at", metavar="POINT", help="The point (default for the seed: 2,3,4).")
@click.option("--vars", "variables", metavar="NAMES", help="Variable order, as for grad.")
@click.option("--wrt", metavar="NAME", help="The partial derivative to study (default: first).")
@n_option
@click.option("--range", "span", default="1e-16:1e-1", show_default=True, metavar="LOW:HIGH",
              help="The steps, log-spaced (in % of the variable with --relative).")
@click.option("--points", type=int, default=151, show_default=True, help="How many steps.")
@click.option("--methods", metavar="LIST", help="Comma-separated finite-difference methods.")
@click.option("--relative", is_flag=True, help="Steps in % of the variable, as in the seed.")
@output_option
@format_option()
@budget_option()
def epsplot(expression, at, variables, wrt, size, span, points, methods, relative, output,
            fmt, budget):
    """Finite-difference error against the step size, with the error models drawn in.

    Without EXPRESSION, the first seed's figure: df/dx1 of 3*(x1**2 + x2*x3) at (2, 3, 4).

    \b
    Examples:
      diffcompare epsplot --relative -o seed.png
      diffcompare epsplot "exp(x)" --at 1 --format json
    """
    from diffcompare.cli.options import load_problem, names_program
    from diffcompare.errors import InputError
    from diffcompare.render.epsplot import document
    from diffcompare.studies.epsplot import SCHEMES, parse_range, step_study

    if expression is None:
        expression, at = SEED_EXPRESSION, at or SEED_POINT
    if at is None and not names_program(expression):
        raise InputError("missing --at POINT, e.g. --at 2,3,4")
    schemes = SCHEMES if methods is None else tuple(m.strip() for m in methods.split(","))
    study = step_study(load_problem(expression, at, variables, size, budget), wrt, schemes,
                       parse_range(span), points, relative, budget)
    emit_with_figure(document(study), fmt, output, lambda: plots("epsplot").figure(study),
                     lambda width: plots("terminal").step_study(study, width))


SEED_EXPRESSION, SEED_POINT = "3*(x1**2 + x2*x3)", "2,3,4"

