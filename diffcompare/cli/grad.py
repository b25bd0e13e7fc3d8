"""grad: one function, every method, against the exact reference."""

from __future__ import annotations

import sys

import click

from diffcompare.cli.common import emit, save_output, working
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import (
    at_option,
    budget_option,
    eps_option,
    format_option,
    function_and_point,
    load_problem,
    methods_option,
    n_option,
    output_option,
    sample_option,
    vars_option,
)


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression", required=False)
@at_option()
@vars_option
@methods_option
@eps_option
@n_option
@click.option("--given", metavar="PARTIALS",
              help='Your own derivative, checked as a row "given": partials as formulas, '
                   '"2*x1*x2, x1**2, 1", or gradient code, FILE.py:grad_f (or grad_f, in '
                   "the program's own file).")
@sample_option
@format_option()
@click.option("--plot", metavar="FILE",
              help="Also draw the error against the step for one partial (see epsplot): "
                   "a .png, .svg or .pdf file, or - for the terminal.")
@click.option("--wrt", metavar="NAME", help="The partial --plot draws (default: the first).")
@output_option
@budget_option()
def grad(expression, at, variables, methods, eps, size, given, sample, fmt, plot, wrt, output,
         budget):
    """Differentiate EXPRESSION at a point by every method and compare them.

    EXPRESSION may be a Python file, FILE.py[:NAME], defining the function (loops, branches,
    recursion, numpy arrays; from diffcompare.math import sin, exp, sum, ...). Its code
    runs, as python FILE would run it, bounded by --budget (CPU seconds).

    \b
    Examples:
      diffcompare grad "3*(x1**2 + x2*x3)" --at 2,3,4
      diffcompare grad "ln(x1) + x1*x2 - sin(x2)" --at x1=2,x2=5 --format json
      diffcompare grad "x*y + 6" --at 3,2 --given "y, x"
      diffcompare grad --sample baydin --methods reverse-ad,central-fd
      diffcompare grad "exp(x)*y" --at 1,2 --plot steps.png --wrt x
      diffcompare grad sample_functions/programs/newton_sqrt.py --at a=2
      diffcompare grad rosenbrock.py --n 1000 --given grad_f
    """
    from diffcompare.analysis.compare import compare
    from diffcompare.methods import Options
    from diffcompare.methods.given import given_row
    from diffcompare.render.comparison import document

    expression, at, variables = function_and_point(expression, at, sample, variables)
    problem = load_problem(expression, at, variables, size, budget)
    extra = [given_row(problem, given, budget)] if given else []
    with working(f"every method, and the exact reference (budget {budget:g} CPU s)"):
        found = compare(problem, methods, Options(eps=eps, budget=budget), extra)
    emit(document(found), fmt)
    if output:
        from diffcompare.plots.comparison import figure

        save_output(output, document(found), lambda: figure(found))
    if plot:
        from diffcompare.studies.epsplot import step_study

        study = step_study(problem, wrt, budget=budget)
        if plot == "-":
            from diffcompare.plots import terminal

            click.echo(terminal.step_study(study, colour=sys.stdout.isatty()))
            return
        from diffcompare.plots.epsplot import figure as step_figure
        from diffcompare.render.epsplot import document as step_document

        save_output(plot, step_document(study), lambda: step_figure(study))
