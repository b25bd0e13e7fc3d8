"""grad: one function, every method, against the exact reference."""

from __future__ import annotations

import click

from diffcompare.cli.common import FORMATS, emit
from diffcompare.cli.group import EXPRESSION_CONTEXT, main


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression", required=False)
@click.option("--at", "at", metavar="POINT",
              help="The point: 2,3,4 (in --vars order) or x1=2,x2=3.")
@click.option("--vars", "variables", metavar="NAMES",
              help="Variable order, e.g. x3,x1,x2 (default: natural sort, x2 before x10).")
@click.option("--methods", metavar="LIST", help="Comma-separated methods (default: all).")
@click.option("--eps", type=float, metavar="H",
              help="Finite-difference step h, for every scheme (default: each scheme's rule).")
@click.option("--given", metavar="PARTIALS",
              help='Your own partial derivatives, checked as a row "given": "2*x1*x2, x1**2, 1".')
@click.option("--sample", metavar="NAME", help="Run a named sample (see: diffcompare samples).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--plot", metavar="FILE",
              help="Also draw the error against the step for one partial (see epsplot).")
@click.option("--wrt", metavar="NAME", help="The partial --plot draws (default: the first).")
@click.option("--timeout", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="Seconds for sympy (the symbolic row and the reference).")
def grad(expression, at, variables, methods, eps, given, sample, fmt, plot, wrt, timeout):
    """Differentiate EXPRESSION at a point by every method and compare them.

    \b
    Examples:
      diffcompare grad "3*(x1**2 + x2*x3)" --at 2,3,4
      diffcompare grad "ln(x1) + x1*x2 - sin(x2)" --at x1=2,x2=5 --format json
      diffcompare grad "x*y + 6" --at 3,2 --given "y, x"
      diffcompare grad --sample baydin --methods reverse-ad,central-fd
      diffcompare grad "exp(x)*y" --at 1,2 --plot steps.png --wrt x
    """
    from diffcompare.analysis.compare import compare
    from diffcompare.errors import InputError
    from diffcompare.methods import Options
    from diffcompare.methods.given import given_result
    from diffcompare.problem import Problem
    from diffcompare.samples import find_case

    if sample:
        if expression:
            raise InputError("give either an EXPRESSION or --sample, not both")
        case = find_case(sample)
        expression, at = case.expression, at or case.point
        variables = variables or case.vars
    if not expression:
        raise InputError("missing EXPRESSION (or --sample NAME); see diffcompare grad --help")
    if at is None:
        raise InputError("missing --at POINT, e.g. --at 2,3,4")
    problem = Problem.from_text(expression, at, variables)
    extra = [given_result(problem, given)] if given else []
    emit(compare(problem, methods, Options(eps=eps, timeout=timeout), extra), fmt)
    if plot:
        from diffcompare.plots.figures import plot_step_study
        from diffcompare.studies.steps import step_study

        plot_step_study(step_study(problem, wrt), plot)
        click.echo(f"wrote {plot}", err=fmt != "table")
