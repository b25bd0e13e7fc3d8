"""The command line: read options, call the library, hand results to render or plots.

Imports of the library happen inside the commands, so ``diffcompare --help`` loads neither
sympy nor matplotlib. Every DiffcompareError becomes one message on stderr (with a caret
under the expression for a ParseError) and exit status 2; never a traceback.
"""

from __future__ import annotations

import sys

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
FORMATS = ["table", "json", "csv", "markdown"]


def _caret(text: str, column: int, width: int = 76) -> str:
    """The expression (a window of it, if long) with a caret under ``column``."""
    start = max(0, min(column - width // 2, len(text) - width))
    shown = text[start:start + width]
    prefix = "..." if start else ""
    suffix = "..." if start + width < len(text) else ""
    visible = "".join(c if c.isprintable() and c.isascii() else "?" for c in shown)
    return f"  {prefix}{visible}{suffix}\n  {' ' * (len(prefix) + column - start)}^"


def fail(exc: Exception) -> None:
    """Report a user-facing error on stderr and exit 2."""
    from .errors import ParseError

    message = f"error: {exc}"
    if isinstance(exc, ParseError) and exc.column is not None and exc.text:
        message += "\n" + _caret(exc.text, exc.column)
    click.echo(message, err=True)
    sys.exit(2)


class Commands(click.Group):
    """A group whose commands turn the library's errors into clean exit-2 messages."""

    def invoke(self, ctx: click.Context):
        from .errors import DiffcompareError

        try:
            return super().invoke(ctx)
        except DiffcompareError as exc:
            fail(exc)


@click.group(cls=Commands, context_settings=CONTEXT)
@click.version_option(package_name="diffcompare")
def main() -> None:
    """Compare every way of differentiating a function: manual rules, symbolic (sympy),
    finite differences, and forward- and reverse-mode automatic differentiation, each
    against an exact reference, with its error and its cost.

    \b
    Example:
      diffcompare grad "3*(x1**2 + x2*x3)" --at 2,3,4
    """


def console():
    """A rich console: the terminal's width there, wide enough for whole rows in a pipe."""
    from rich.console import Console

    def make() -> Console:
        wide = None if sys.stdout.isatty() else 200
        return Console(highlight=False, width=wide, soft_wrap=False)

    return make


def emit(comparison, fmt: str) -> None:
    from . import render

    if fmt == "table":
        console()().print(render.table(comparison))
    else:
        writer = {"json": render.to_json, "csv": render.to_csv, "markdown": render.to_markdown}
        click.echo(writer[fmt](comparison), nl=fmt == "json")


@main.command(context_settings=CONTEXT)
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
def grad(expression, at, variables, methods, eps, given, sample, fmt):
    """Differentiate EXPRESSION at a point by every method and compare them.

    \b
    Examples:
      diffcompare grad "3*(x1**2 + x2*x3)" --at 2,3,4
      diffcompare grad "ln(x1) + x1*x2 - sin(x2)" --at x1=2,x2=5 --format json
      diffcompare grad "x*y + 6" --at 3,2 --given "y, x"
      diffcompare grad --sample baydin --methods reverse-ad,central-fd
    """
    from .compare import compare
    from .errors import InputError
    from .methods import Options
    from .methods.given import given_result
    from .problem import Problem
    from .samples import find_case

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
    emit(compare(problem, methods, Options(eps=eps), extra), fmt)


@main.command(context_settings=CONTEXT)
def samples():
    """List the named sample functions (use one with grad --sample NAME).

    \b
    Example:
      diffcompare samples
    """
    from .samples import load_cases

    for case in load_cases():
        point = ", ".join(f"{x:g}" for x in case.point)
        click.echo(f"{case.name:14} {case.expression}   at ({point})")
        if case.source:
            click.echo(f"{'':14} {case.source}")


if __name__ == "__main__":  # pragma: no cover
    main()
