"""grade: is a student's derivative right, and if not, which rule went wrong."""

from __future__ import annotations

import sys

import click

from diffcompare.cli.common import emit, working
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import budget_option, format_option

EXIT = {True: 0, False: 1, None: 3}  # right, wrong, undecided (2: unreadable input)


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("answer")
@click.option("--for", "function", metavar="EXPR", required=True,
              help="The function the answer is the derivative of.")
@click.option("--wrt", metavar="NAME", help="The variable (needed when f has several).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random points the answer is compared at.")
@format_option()
@budget_option(help="CPU seconds for sympy's simplification.")
def grade(answer, function, wrt, seed, fmt, budget):
    """Grade ANSWER as the derivative of EXPR: any equivalent form is right; a wrong one is
    explained by the first common wrong rule (the mal-rules table) that reproduces it.
    Exit 0 right, 1 wrong, 2 unreadable, 3 undecided within the budget.

    \b
    Examples:
      diffcompare grade "cos(x**2)" --for "sin(x**2)"
      diffcompare grade "2*x*y + y**2" --for "x**2*y + x*y**2" --wrt x
    """
    from diffcompare.render.grade import document
    from diffcompare.studies.grade import grade as grade_answer

    with working(f"grading against d/d{wrt or 'x'} {function}"):
        found = grade_answer(answer, function, wrt, budget, seed)
    emit(document(found), fmt)
    sys.exit(EXIT[found.correct])
