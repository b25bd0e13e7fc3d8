"""The command line: read options, call the library, hand results to render or plots.

Imports of the library happen inside the commands, so ``diffcompare --help`` loads neither
sympy nor matplotlib. Every DiffcompareError becomes one message on stderr (with a caret
under the expression for a ParseError) and exit status 2; never a traceback.
"""

from __future__ import annotations

import sys

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
# Commands that read an expression: "-x**2" is the expression, not an unknown option.
EXPRESSION_CONTEXT = {**CONTEXT, "ignore_unknown_options": True}
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

    return Console(highlight=False, width=None if sys.stdout.isatty() else 200,
                   soft_wrap=False)


def emit(comparison, fmt: str) -> None:
    from . import render

    writers = {"table": render.table, "json": render.to_json, "csv": render.to_csv,
               "markdown": render.to_markdown}
    show(writers[fmt](comparison), fmt)


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
    emit(compare(problem, methods, Options(eps=eps, timeout=timeout), extra), fmt)
    if plot:
        from .epsilon import step_study
        from .plots import plot_step_study

        plot_step_study(step_study(problem, wrt), plot)
        click.echo(f"wrote {plot}", err=fmt != "table")


def show(renderable_or_text, fmt: str) -> None:
    """A rich renderable for the table format, plain text for the others."""
    if fmt in ("table", "text"):
        console().print(renderable_or_text)
    else:
        click.echo(renderable_or_text, nl=not renderable_or_text.endswith("\n"))


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression")
@click.option("--wrt", metavar="NAME", help="The variable (default: each variable in turn).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "latex", "json"]),
              default="text", show_default=True)
def derive(expression, wrt, fmt):
    """The manual rules applied to EXPRESSION step by step, as a student writes them.

    \b
    Examples:
      diffcompare derive "3*(x1**2 + x2*x3)" --wrt x1
      diffcompare derive "sin(x**2)*exp(x)" --format latex
    """
    from . import render_derive
    from .derive import derive as derivations
    from .parse import parse

    found = derivations(parse(expression), wrt)
    writers = {"text": render_derive.table, "markdown": render_derive.to_markdown,
               "latex": render_derive.to_latex_document, "json": render_derive.to_json}
    show(writers[fmt](found), fmt)


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression")
@click.option("--at", "at", metavar="POINT", required=True, help="The point, as for grad.")
@click.option("--vars", "variables", metavar="NAMES", help="Variable order, as for grad.")
@click.option("--mode", type=click.Choice(["forward", "reverse", "both"]), default="both",
              show_default=True)
@click.option("--wrt", metavar="NAME", help="Forward mode's input (default: the first).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]),
              default="table", show_default=True)
def trace(expression, at, variables, mode, wrt, fmt):
    """The evaluation trace of forward- and reverse-mode AD (Baydin et al. 2018).

    \b
    Example:
      diffcompare trace "ln(x1) + x1*x2 - sin(x2)" --at 2,5
    """
    from . import render_trace
    from .problem import Problem
    from .trace import evaluation_trace

    forward, reverse = mode in ("forward", "both"), mode in ("reverse", "both")
    found = evaluation_trace(Problem.from_text(expression, at, variables), wrt, forward, reverse)
    if fmt == "table":
        show(render_trace.table(found, forward, reverse), fmt)
    elif fmt == "markdown":
        show(render_trace.to_markdown(found, forward, reverse), fmt)
    else:
        show(render_trace.to_json(found), fmt)


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression")
@click.option("--at", "at", metavar="POINT", help="Show values and adjoints at this point.")
@click.option("--vars", "variables", metavar="NAMES", help="Variable order, as for grad.")
@click.option("-o", "--output", metavar="FILE",
              help="Write FILE.dot (Graphviz text), .json, or a picture: .png, .svg, .pdf.")
def graph(expression, at, variables, output):
    """The computational graph of EXPRESSION, numbered as in trace.

    Without -o, a tree in the terminal from the output back to the inputs.

    \b
    Examples:
      diffcompare graph "ln(x1) + x1*x2 - sin(x2)" --at 2,5
      diffcompare graph "ln(x1) + x1*x2 - sin(x2)" --at 2,5 -o graph.png
    """
    from pathlib import Path

    from .graph import graph_of_text, to_dot, to_json, tree

    found = graph_of_text(expression, at, variables)
    if output is None:
        console().print(tree(found))
        return
    suffix = Path(output).suffix.lower()
    if suffix in (".dot", ".gv", ".json"):
        write_text(output, to_dot(found) if suffix != ".json" else to_json(found) + "\n")
    else:
        from .plots import draw_graph

        draw_graph(found, output)
    click.echo(f"wrote {output}")


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression", required=False)
@click.option("--family", type=click.Choice(["logistic", "sinexp", "product"]),
              help="A built-in family of growing functions instead of EXPRESSION.")
@click.option("--upto", type=int, default=8, show_default=True,
              help="The largest family member k.")
@click.option("--vars", "variables", metavar="NAMES", help="Variable order, as for grad.")
@click.option("-o", "--output", metavar="FILE", help="Also draw the sizes: .png, .svg, .pdf.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
def swell(expression, family, upto, variables, output, fmt):
    """Expression swell: the size of f, its symbolic and manual derivatives, and the AD tape.

    \b
    Examples:
      diffcompare swell --family logistic --upto 8 -o swell.png
      diffcompare swell "sin(x)*exp(x)/(1 + x**2)"
    """
    from . import render_swell
    from .errors import InputError
    from .parse import parse
    from .problem import order_variables
    from .swell import FAMILIES, swell_of_expression, swell_of_family

    if (expression is None) == (family is None):
        raise InputError("give an EXPRESSION or --family NAME (one of them)")
    if family:
        rows, title = swell_of_family(family, upto), f"{family}: {FAMILIES[family][0]}"
    else:
        expr = parse(expression)
        rows = swell_of_expression(expr, order_variables(expr, variables), expression)
        title = expression
    if output:
        from .plots import plot_swell

        plot_swell(rows, title, output)
    if fmt == "table":
        show(render_swell.table(rows, title), fmt)
    else:
        show(render_swell.to_json(rows, title) if fmt == "json" else render_swell.to_csv(rows),
             fmt)
    if output:
        click.echo(f"wrote {output}", err=fmt != "table")


def write_text(path: str, text: str) -> None:
    from .errors import InputError

    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression", required=False)
@click.option("--at", "at", metavar="POINT", help="The point (default for the seed: 2,3,4).")
@click.option("--vars", "variables", metavar="NAMES", help="Variable order, as for grad.")
@click.option("--wrt", metavar="NAME", help="The partial derivative to study (default: first).")
@click.option("--range", "span", default="1e-16:1e-1", show_default=True, metavar="LOW:HIGH",
              help="The steps, log-spaced (in % of the variable with --relative).")
@click.option("--points", type=int, default=151, show_default=True, help="How many steps.")
@click.option("--methods", metavar="LIST", help="Comma-separated finite-difference methods.")
@click.option("--relative", is_flag=True, help="Steps in % of the variable, as in the seed.")
@click.option("-o", "--output", metavar="FILE", help="Also draw the figure: .png, .svg, .pdf.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
def epsplot(expression, at, variables, wrt, span, points, methods, relative, output, fmt):
    """Finite-difference error against the step size, with the error models drawn in.

    Without EXPRESSION, the first seed's figure: df/dx1 of 3*(x1**2 + x2*x3) at (2, 3, 4).

    \b
    Examples:
      diffcompare epsplot --relative -o seed.png
      diffcompare epsplot "exp(x)" --at 1 --format json
    """
    from . import render_epsilon
    from .epsilon import SCHEMES, parse_range, step_study
    from .errors import InputError
    from .problem import Problem

    if expression is None:
        expression, at = SEED_EXPRESSION, at or SEED_POINT
    if at is None:
        raise InputError("missing --at POINT, e.g. --at 2,3,4")
    schemes = SCHEMES if methods is None else tuple(m.strip() for m in methods.split(","))
    study = step_study(Problem.from_text(expression, at, variables), wrt, schemes,
                       parse_range(span), points, relative)
    if output:
        from .plots import plot_step_study

        plot_step_study(study, output)
    if fmt == "table":
        show(render_epsilon.table(study), fmt)
    else:
        show(render_epsilon.to_json(study) if fmt == "json" else render_epsilon.to_csv(study),
             fmt)
    if output:
        click.echo(f"wrote {output}", err=fmt != "table")


SEED_EXPRESSION, SEED_POINT = "3*(x1**2 + x2*x3)", "2,3,4"


@main.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("--methods", metavar="LIST", help="Comma-separated methods (default: all).")
@click.option("--rtol", type=float, help="Relative tolerance for every method and case.")
@click.option("--atol", type=float, help="Absolute tolerance for every method and case.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "junit"]),
              default="table", show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="Seconds for sympy per case (the symbolic row and the reference).")
def check(files, methods, rtol, atol, fmt, timeout):
    """Check cases from TOML files against the exact reference: exit 0 when all pass,
    1 when a check fails, 2 on unreadable input. Default: the bundled samples.

    \b
    Examples:
      diffcompare check
      diffcompare check course.toml --format junit > report.xml
    """
    from . import render_check
    from .check import exit_status, run_checks
    from .errors import InputError
    from .methods import Options
    from .samples import load_cases

    for tolerance, name in ((rtol, "--rtol"), (atol, "--atol")):
        if tolerance is not None and not tolerance >= 0:
            raise InputError(f"{name} must be a number >= 0")
    reports = run_checks(load_cases(files), methods, rtol, atol, Options(timeout=timeout))
    if fmt == "table":
        show(render_check.table(reports), fmt)
    else:
        show(render_check.to_json(reports) if fmt == "json" else render_check.to_junit(reports),
             fmt)
    sys.exit(exit_status(reports))


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
