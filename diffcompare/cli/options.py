"""Options shared by the commands, validated where they are read: a bad value is a clear
message and exit status 2 (click's BadParameter), never a run with a silly number."""

from __future__ import annotations

import math

import click

MAX_BUDGET = 1e6  # CPU seconds: past a day and a half, a bound that bounds nothing


def _finite_step(ctx, param, value):
    if value is not None and not (math.isfinite(value) and value > 0):
        raise click.BadParameter(f"the step must be a finite number > 0, not {value:g}")
    return value


def _budget(ctx, param, value):
    if value is not None and not (math.isfinite(value) and 0 <= value <= MAX_BUDGET):
        raise click.BadParameter(f"the budget must be a number of CPU seconds between 0 and "
                                 f"{MAX_BUDGET:g}, not {value:g}")
    return value


def at_option(required: bool = False):
    return click.option("--at", "at", metavar="POINT", required=required,
                        help="The point: 2,3,4 (in --vars order) or x1=2,x2=3; for a "
                             "program, also x=@FILE (.npy, .txt, .csv) or x=[1,2,3].")


vars_option = click.option(
    "--vars", "variables", metavar="NAMES",
    help="Variable order, e.g. x3,x1,x2 (default: natural sort, x2 before x10).")
methods_option = click.option(
    "--methods", metavar="LIST", help="Comma-separated methods (default: every method that "
                                      "computes this kind of derivative).")
eps_option = click.option(
    "--eps", type=float, metavar="H", callback=_finite_step,
    help="Finite-difference step h, for every scheme (default: each scheme's rule).")
sample_option = click.option("--sample", metavar="NAME",
                             help="Run a named sample (see: diffcompare samples).")
BUDGET_HELP = ("CPU seconds each piece of work may take: sympy's derivatives, the exact "
               "reference, each method's derivative, each call of a program's code. Work "
               "that can be counted ahead (operations, passes) is refused at once when it "
               "would pass; the rest stops at the budget. CPU time, not wall time: the same "
               "answer on a busy machine. --timeout is its old name.")


def budget_option(default: float | None = None, help: str = BUDGET_HELP):
    from diffcompare.runtime.budget import DEFAULT_BUDGET

    return click.option("--budget", "--timeout", "budget", type=float,
                        default=DEFAULT_BUDGET if default is None else default,
                        show_default=True, callback=_budget, metavar="SECONDS", help=help)


def _display(name: str):
    """Remember --wide or --digits for this invocation (cli/common.display reads it)."""
    def remember(context, _parameter, value):
        context.meta.setdefault("diffcompare.display", {})[name] = value
        return value
    return remember


def format_option(default: str = "table"):
    """--format, with the terminal's --wide and --digits beside it."""
    from diffcompare.render.formats import ALIASES, FORMATS

    chosen = click.option("--format", "fmt", type=click.Choice([*FORMATS, *ALIASES]),
                          default=default, show_default=True,
                          help="table (the terminal), json, csv, markdown, html, latex; what "
                               "a result has (see each command).")
    wide = click.option("--wide", is_flag=True, expose_value=False, callback=_display("wide"),
                        help="Tables whole, however narrow the terminal (it scrolls).")
    digits = click.option("--digits", type=click.IntRange(1, 17), expose_value=False,
                          callback=_display("digits"), metavar="N",
                          help="Round the terminal's numbers to N significant digits (for a "
                               "projector; files and JSON keep every digit).")

    def decorate(command):
        return chosen(wide(digits(command)))
    return decorate


output_option = click.option(
    "-o", "--output", metavar="FILE",
    help="Also write FILE: a picture (.png, .svg, .pdf) or the result in the format its "
         "suffix names (.json, .csv, .md, .html, .tex).")


def vector(text: str | None, what: str) -> tuple[float, ...] | None:
    """A comma-separated vector such as "1,-1"; pi and e allowed, nothing non-finite."""
    from diffcompare.parse import parse_number

    if text is None:
        return None
    return tuple(parse_number(piece, f"{what} entry") for piece in text.split(","))


def function_and_point(expression, at, sample, variables):
    """(expression, point, variables) from the arguments or a named sample."""
    from diffcompare.errors import InputError
    from diffcompare.problems.cases import find_case

    if sample:
        if expression:
            raise InputError("give either an EXPRESSION or --sample, not both")
        case = find_case(sample)
        expression = case.program or case.expression
        at = at or (case.inputs if case.program else case.point)
        variables = variables or case.vars
    if not expression:
        raise InputError("missing EXPRESSION (or --sample NAME); see --help")
    if at is None and not names_program(expression):
        raise InputError("missing --at POINT, e.g. --at 2,3,4")
    return expression, at, variables


def names_program(text: str) -> bool:
    from diffcompare.problems.load import is_program

    return is_program(text)


def load_problem(function: str, at, variables, size: int | None = None,
                 budget: float | None = None):
    """The problem of a formula, or of a Python file (FILE.py[:NAME]) at --at or --n or
    the file's own point: the library's one way in."""
    from diffcompare.problems.load import load_problem as load

    return load(function, at, variables, size, budget)


n_option = click.option(
    "--n", "size", type=click.IntRange(min=1), metavar="N",
    help="For a program: N inputs, at the point its start(n) gives.")
