"""exercise: a sheet of random differentiation problems, reproducible by its seed."""

from __future__ import annotations

import click

from diffcompare.cli.common import emit_and_save, working
from diffcompare.cli.group import main
from diffcompare.cli.options import budget_option, format_option, output_option
from diffcompare.studies.exercise import LEVELS, MAX_COUNT, TOPICS


@main.command()
@click.option("--topic", "topics", metavar="NAMES",
              help=f"Comma-separated, taken in turn (default: all): {', '.join(TOPICS)}.")
@click.option("--level", type=click.Choice([str(n) for n in LEVELS]), default="1",
              show_default=True, help="1: the rule once; 2: with one other rule; 3: nested.")
@click.option("--count", type=click.IntRange(1, MAX_COUNT), default=5, show_default=True,
              help="Problems on the sheet.")
@click.option("--seed", type=click.IntRange(0), help="The sheet's seed (default: a new one, "
              "printed with the sheet); the same seed gives the same sheet.")
@click.option("--answers", is_flag=True,
              help="Each answer and its worked solution, rule by rule.")
@format_option()
@output_option
@budget_option(help="CPU seconds for sympy's simplify of each answer (0: as derived).")
def exercise(topics, level, count, seed, answers, fmt, output, budget):
    """A sheet of random differentiation problems for a class: by topic and level, the same
    sheet for the same seed; markdown, latex or html for a handout, json for tools.

    \b
    Examples:
      diffcompare exercise --topic chain,product --count 6 --seed 1
      diffcompare exercise --seed 1 --answers --format latex -o sheet.tex
    """
    from diffcompare.render.exercise import document
    from diffcompare.studies.exercise import exercises

    with working("drawing the problems and deriving their answers"):
        sheet = exercises(topics, int(level), count, seed, budget)
    emit_and_save(document(sheet, answers), fmt, output)
