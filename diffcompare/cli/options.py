"""Options shared by the commands, validated where they are read: a bad value is a clear
message and exit status 2 (click's BadParameter), never a run with a silly number."""

from __future__ import annotations

import math

import click

FORMATS = ["table", "json", "csv", "markdown"]
DEFAULT_TIMEOUT = 5.0


def _finite_step(ctx, param, value):
    if value is not None and not (math.isfinite(value) and value > 0):
        raise click.BadParameter(f"the step must be a finite number > 0, not {value:g}")
    return value


def _finite_timeout(ctx, param, value):
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise click.BadParameter(f"the timeout must be a finite number of seconds >= 0, "
                                 f"not {value:g}")
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
def timeout_option(default: float = DEFAULT_TIMEOUT,
                   help: str = "Seconds for the exact work that can run long (sympy, the "
                               "high-precision reference), all of it together; past it, a "
                               "'timed out' row."):
    return click.option("--timeout", type=float, default=default, show_default=True,
                        callback=_finite_timeout, metavar="SECONDS", help=help)


def format_option(choices=FORMATS):
    return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0],
                        show_default=True)


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
                 timeout: float | None = DEFAULT_TIMEOUT):
    """The problem of a formula, or of a Python file (FILE.py[:NAME]) at --at or --n or
    the file's own point: the library's one way in."""
    from diffcompare.problems.load import load_problem as load

    return load(function, at, variables, size, timeout)


n_option = click.option(
    "--n", "size", type=click.IntRange(min=1), metavar="N",
    help="For a program: N inputs, at the point its start(n) gives.")
