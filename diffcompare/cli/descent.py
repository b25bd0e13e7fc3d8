"""descent: gradient descent driven by each method, against the exact-gradient run."""

from __future__ import annotations

import click

from diffcompare.cli.common import Interruptible, emit_with_figure, plots, progress
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import (
    budget_option,
    format_option,
    methods_option,
    sample_option,
    vars_option,
)

DEFAULT_SAMPLE = "rosenbrock"  # from (-1.2, 1), where gd, momentum and newton part ways


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression", required=False)
@click.option("--from", "start", metavar="POINT",
              help="The starting point, as --at elsewhere (default: the sample's point).")
@vars_option
@click.option("--optimizer", default="gd", show_default=True, metavar="NAME",
              help="gd, momentum or newton (the table of optimizers is in studies/descent.py).")
@click.option("--lr", type=float, default=1e-3, show_default=True,
              help="The learning rate (gd, momentum); newton takes full steps.")
@click.option("--beta", type=float, default=0.9, show_default=True,
              help="The momentum coefficient.")
@click.option("--steps", type=int, default=500, show_default=True, help="At most this many.")
@click.option("--tol", type=float, default=1e-8, show_default=True,
              help="Stop when the gradient's norm is at most this (0: run every step).")
@click.option("--depart", "depart_tol", type=float, default=1e-6, show_default=True,
              help="A run departs from the exact one when farther than this·max(1, |x|).")
@methods_option
@sample_option
@click.option("--explain", is_flag=True, help="Walk the first steps as the first seed does.")
@click.option("-o", "--output", metavar="FILE",
              help="Also draw f − f* against the iteration (and, for two variables, the "
                   "paths over the contour lines): .png, .svg, .pdf.")
@format_option()
@budget_option(help="CPU seconds of work each run may take (counted from its passes and "
                    "evaluations, so a run stops at the same iteration on a busy machine); "
                    "past it the run stops and says so.")
def descent(expression, start, variables, optimizer, lr, beta, steps, tol, depart_tol,
            methods, sample, explain, output, fmt, budget):
    """Minimise EXPRESSION by gradient descent with each method's gradient.

    Without EXPRESSION: Rosenbrock from (-1.2, 1). Each method is prepared once and asked
    for the gradient (and for newton the Hessian) at every iterate; the table says where
    each run departs from the run on exact derivatives, and what it cost.

    \b
    Examples:
      diffcompare descent "3*(x1**2 + x2*x3)" --from 2,3,4 --steps 3 --explain
      diffcompare descent --optimizer newton
      diffcompare descent --optimizer momentum --lr 0.001 -o descent.png
    """
    from diffcompare.analysis.compare import select_methods
    from diffcompare.cli.options import function_and_point, load_problem
    from diffcompare.methods import Options
    from diffcompare.render.descent import document
    from diffcompare.studies.descent import descend

    if expression is None and sample is None:
        sample = DEFAULT_SAMPLE
    expression, start, variables = function_and_point(expression, start, sample, variables)
    problem = load_problem(expression, start, variables, None, budget)
    chosen = select_methods(methods)
    bar, advance = progress((steps + 1) * (len(chosen) + 1),
                            f"{optimizer}: {steps} steps for each method and the exact run")
    with Interruptible() as interrupted, bar:
        found = descend(problem, chosen, optimizer, lr, steps, tol, beta, depart_tol,
                        Options(budget=budget), on_step=advance, interrupted=interrupted)
    emit_with_figure(document(found, explained=explain), fmt, output,
                     lambda: plots("descent").figure(found),
                     lambda width: plots("terminal").descent(found, width))
    interrupted.exit_if_stopped()
