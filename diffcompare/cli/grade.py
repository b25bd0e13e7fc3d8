"""grade: is a student's derivative right, and if not, which rule went wrong."""

from __future__ import annotations

import sys

import click

from diffcompare.cli.common import emit_and_save, working
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import budget_option, format_option, output_option

EXIT = {True: 0, False: 1, None: 3}  # right, wrong, undecided (2: unreadable input)


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("answer", required=False)
@click.option("--for", "function", metavar="EXPR",
              help="The function the answer is the derivative of.")
@click.option("--wrt", metavar="NAME", help="The variable (needed when f has several).")
@click.option("--batch", metavar="FILE",
              help="A class's answers: a CSV with a header (answer, and any of student, for, "
                   "wrt) or TOML [[answer]] tables; rows without for/wrt take --for/--wrt.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random points the answer is compared at.")
@format_option()
@output_option
@budget_option(help="CPU seconds for sympy's simplification (of each answer).")
def grade(answer, function, wrt, batch, seed, fmt, output, budget):
    """Grade ANSWER as the derivative of EXPR: any equivalent form is right; a wrong one is
    explained by the first common wrong rule (the mal-rules table) that reproduces it.
    Exit 0 right, 1 wrong, 2 unreadable, 3 undecided within the budget. With --batch, a
    table of every answer (exit 0 once the file is graded, 2 when it cannot be read).

    \b
    Examples:
      diffcompare grade "cos(x**2)" --for "sin(x**2)"
      diffcompare grade "2*x*y + y**2" --for "x**2*y + x*y**2" --wrt x
      diffcompare grade --batch answers.csv --for "x**2*sin(x)" --format json
    """
    from diffcompare.errors import InputError

    if batch is not None:
        if answer is not None:
            raise InputError("give an ANSWER or --batch FILE, not both")
        return _batch(batch, function, wrt, seed, fmt, output, budget)
    if answer is None or function is None:
        raise InputError("grade needs an ANSWER and --for EXPR (or --batch FILE); see --help")
    from diffcompare.render.grade import document
    from diffcompare.studies.grade import grade as grade_answer

    with working(f"grading against d/d{wrt or 'x'} {function}"):
        found = grade_answer(answer, function, wrt, budget, seed)
    emit_and_save(document(found), fmt, output)
    sys.exit(EXIT[found.correct])


def _batch(path, function, wrt, seed, fmt, output, budget):
    from diffcompare.problems.answers import read_answers
    from diffcompare.render.grade import batch_document
    from diffcompare.studies.grade import grade_batch

    submitted = read_answers(path)
    with working(f"grading {len(submitted)} answers"):
        graded = grade_batch(submitted, function, wrt, budget, seed)
    emit_and_save(batch_document(graded), fmt, output)
