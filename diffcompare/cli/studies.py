"""The commands that show the inside of the methods: derive, trace, graph, swell, epsplot."""

from __future__ import annotations

import click

from diffcompare.cli.common import console, show, terminal_figure, write_text
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import n_option, timeout_option


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression")
@click.option("--wrt", metavar="NAME", help="The variable (default: each variable in turn).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "latex", "json"]),
              default="text", show_default=True)
def derive(expression, wrt, fmt):
    """The manual rules applied to EXPRESSION step by step, as a student writes them
    (several outputs, separated by commas: each one in turn).

    \b
    Examples:
      diffcompare derive "3*(x1**2 + x2*x3)" --wrt x1
      diffcompare derive "sin(x**2)*exp(x)" --format latex
    """
    from diffcompare.parse import parse_outputs
    from diffcompare.render import derive as render_derive
    from diffcompare.studies.derive import derive as derivations

    found = [d for output in parse_outputs(expression) for d in derivations(output, wrt)]
    writers = {"text": render_derive.table, "markdown": render_derive.to_markdown,
               "latex": render_derive.to_latex_document, "json": render_derive.to_json}
    show(writers[fmt](found), fmt)


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression")
@click.option("--at", "at", metavar="POINT",
              help="The point, as for grad (a program may bring its own).")
@click.option("--vars", "variables", metavar="NAMES", help="Variable order, as for grad.")
@n_option
@timeout_option()
@click.option("--mode", type=click.Choice(["forward", "reverse", "both"]), default="both",
              show_default=True)
@click.option("--wrt", metavar="NAME", help="Forward mode's input (default: the first).")
@click.option("--cotangent", metavar="R",
              help="Reverse mode's seed on the outputs, one entry each (default: all ones).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]),
              default="table", show_default=True)
def trace(expression, at, variables, size, timeout, mode, wrt, cotangent, fmt):
    """The evaluation trace of forward- and reverse-mode AD (Baydin et al. 2018).

    For a program (FILE.py[:NAME]), the trace of the path it took at the point: every
    loop iteration and branch as it ran there.

    Reverse mode shows the forward primal trace first, then the adjoints. EXPRESSION may
    have several outputs separated by commas; the reverse sweep is then seeded with
    --cotangent r and gives Jᵀ·r.

    \b
    Examples:
      diffcompare trace "ln(x1) + x1*x2 - sin(x2)" --at 2,5
      diffcompare trace "x1*x2, sin(x1)" --at 1,2 --mode reverse --cotangent 1,2
      diffcompare trace sample_functions/programs/newton_sqrt.py --at a=2 --mode forward
    """
    from diffcompare.cli.options import function_and_point, load_problem
    from diffcompare.render import trace as render_trace
    from diffcompare.studies.evaltrace import evaluation_trace

    forward, reverse = mode in ("forward", "both"), mode in ("reverse", "both")
    from diffcompare.cli.options import vector

    expression, at, variables = function_and_point(expression, at, None, variables)
    found = evaluation_trace(load_problem(expression, at, variables, size, timeout), wrt,
                             forward, reverse, vector(cotangent, "--cotangent"))
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
@n_option
@timeout_option()
@click.option("-o", "--output", metavar="FILE",
              help="Write FILE.dot (Graphviz text), .json, or a picture: .png, .svg, .pdf.")
def graph(expression, at, variables, size, timeout, output):
    """The computational graph of EXPRESSION, numbered as in trace.

    Without -o, a tree in the terminal from the output back to the inputs.

    \b
    Examples:
      diffcompare graph "ln(x1) + x1*x2 - sin(x2)" --at 2,5
      diffcompare graph "ln(x1) + x1*x2 - sin(x2)" --at 2,5 -o graph.png
    """
    from pathlib import Path

    from diffcompare.cli.options import load_problem, names_program
    from diffcompare.studies.graph import computational_graph, graph_of_text, to_dot, to_json, tree

    if names_program(expression):  # the path a program took at its point
        found = computational_graph(load_problem(expression, at, variables, size, timeout),
                                    with_values=True)
    else:
        found = graph_of_text(expression, at, variables)
    if output is None:
        console().print(tree(found))
        return
    suffix = Path(output).suffix.lower()
    if suffix in (".dot", ".gv", ".json"):
        write_text(output, to_dot(found) if suffix != ".json" else to_json(found) + "\n")
    else:
        from diffcompare.plots.figures import draw_graph

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
@timeout_option(30.0, "Seconds for sympy's derivatives, for the whole family together; "
                      "past it, the sympy columns say 'timed out'.")
def swell(expression, family, upto, variables, output, fmt, timeout):
    """Expression swell: the size of f, its symbolic and manual derivatives, and the AD tape.

    \b
    Examples:
      diffcompare swell --family logistic --upto 8 -o swell.png
      diffcompare swell "sin(x)*exp(x)/(1 + x**2)"
    """
    from diffcompare.errors import InputError
    from diffcompare.parse import parse
    from diffcompare.problem import order_variables
    from diffcompare.render import swell as render_swell
    from diffcompare.studies.swell import FAMILIES, swell_of_expression, swell_of_family

    if (expression is None) == (family is None):
        raise InputError("give an EXPRESSION or --family NAME (one of them)")
    if family:
        rows = swell_of_family(family, upto, timeout)
        title = f"{family}: {FAMILIES[family][0]}"
    else:
        expr = parse(expression)
        rows = swell_of_expression(expr, order_variables(expr, variables), expression, timeout)
        title = expression
    if output:
        from diffcompare.plots.figures import plot_swell

        plot_swell(rows, title, output)
    if fmt == "table":
        show(render_swell.table(rows, title), fmt)
    else:
        show(render_swell.to_json(rows, title) if fmt == "json" else render_swell.to_csv(rows),
             fmt)
    if output:
        click.echo(f"wrote {output}", err=fmt != "table")
    else:
        from diffcompare.plots import terminal

        terminal_figure(lambda width: terminal.swell(rows, title, width), fmt, output,
                        "-o FILE.png")


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression", required=False)
@click.option("--at", "at", metavar="POINT", help="The point (default for the seed: 2,3,4).")
@click.option("--vars", "variables", metavar="NAMES", help="Variable order, as for grad.")
@click.option("--wrt", metavar="NAME", help="The partial derivative to study (default: first).")
@n_option
@click.option("--range", "span", default="1e-16:1e-1", show_default=True, metavar="LOW:HIGH",
              help="The steps, log-spaced (in % of the variable with --relative).")
@click.option("--points", type=int, default=151, show_default=True, help="How many steps.")
@click.option("--methods", metavar="LIST", help="Comma-separated finite-difference methods.")
@click.option("--relative", is_flag=True, help="Steps in % of the variable, as in the seed.")
@click.option("-o", "--output", metavar="FILE", help="Also draw the figure: .png, .svg, .pdf.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@timeout_option()
def epsplot(expression, at, variables, wrt, size, span, points, methods, relative, output,
            fmt, timeout):
    """Finite-difference error against the step size, with the error models drawn in.

    Without EXPRESSION, the first seed's figure: df/dx1 of 3*(x1**2 + x2*x3) at (2, 3, 4).

    \b
    Examples:
      diffcompare epsplot --relative -o seed.png
      diffcompare epsplot "exp(x)" --at 1 --format json
    """
    from diffcompare.cli.options import load_problem, names_program
    from diffcompare.errors import InputError
    from diffcompare.render import steps as render_epsilon
    from diffcompare.studies.steps import SCHEMES, parse_range, step_study

    if expression is None:
        expression, at = SEED_EXPRESSION, at or SEED_POINT
    if at is None and not names_program(expression):
        raise InputError("missing --at POINT, e.g. --at 2,3,4")
    schemes = SCHEMES if methods is None else tuple(m.strip() for m in methods.split(","))
    study = step_study(load_problem(expression, at, variables, size, timeout), wrt, schemes,
                       parse_range(span), points, relative, timeout)
    if output:
        from diffcompare.plots.figures import plot_step_study

        plot_step_study(study, output)
    if fmt == "table":
        show(render_epsilon.table(study), fmt)
    else:
        show(render_epsilon.to_json(study) if fmt == "json" else render_epsilon.to_csv(study),
             fmt)
    if output:
        click.echo(f"wrote {output}", err=fmt != "table")
    else:
        from diffcompare.plots import terminal

        terminal_figure(lambda width: terminal.step_study(study, width), fmt, output,
                        "-o FILE.png")


SEED_EXPRESSION, SEED_POINT = "3*(x1**2 + x2*x3)", "2,3,4"


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("function", required=False)
@click.option("--n", "sizes", default="10,100,1000,10000", show_default=True, metavar="SIZES",
              help="The sizes: 10,100,1000 or 10:1e6 (every power of ten between).")
@click.option("--budget", type=float, default=30.0, show_default=True, metavar="SECONDS",
              help="Seconds for the whole study; each method (and the exact reference) "
                   "gets an equal share, and is extrapolated past it.")
@click.option("--methods", metavar="LIST", help="Comma-separated methods (default: "
                                                "forward-fd, central-fd, complex-step, "
                                                "forward-ad, reverse-ad, manual, symbolic).")
@click.option("-o", "--output", metavar="FILE", help="Also draw the log–log plot: .png, .svg, "
                                                     ".pdf.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
def scale(function, sizes, budget, methods, output, fmt):
    """How each method's cost for a full gradient grows with the number of inputs n.

    FUNCTION is a family: rosenbrock (the default), sinexp (sum(sin(x)*x**2 + exp(-x))),
    neural-net (a two-layer network's loss), or a program FILE.py with start(n). Its code
    runs, as python FILE would run it. The seeds' laws are fitted: finite differences and
    forward-ad take n·cost(f), reverse-ad cost(f). Ctrl-C stops and keeps what was
    measured.

    \b
    Examples:
      diffcompare scale --n 10,100,1000,10000
      diffcompare scale sinexp --n 10:1e6 --budget 60 -o scale.png
    """
    from diffcompare.analysis.compare import select_methods
    from diffcompare.cli.common import Interruptible, progress
    from diffcompare.errors import InputError
    from diffcompare.render import scaling as render
    from diffcompare.studies.scaling import DEFAULT_METHODS, parse_sizes, scale_study

    if not (budget > 0 and budget < float("inf")):
        raise InputError(f"--budget must be a finite number of seconds > 0, not {budget:g}")
    chosen = select_methods(methods) if methods else None
    wanted = parse_sizes(sizes)
    count = len(wanted) * len(chosen or DEFAULT_METHODS)
    bar, advance = progress(count, "timing each method at each n")
    with Interruptible() as interrupted, bar:
        study = scale_study(function, wanted, chosen, budget, on_run=advance,
                            interrupted=interrupted)
    if output:
        from diffcompare.plots.scaling import plot_scale

        plot_scale(study, output)
    if fmt == "table":
        show(render.table(study), fmt)
    else:
        show(render.to_json(study) if fmt == "json" else render.to_csv(study), fmt)
    if output:
        click.echo(f"wrote {output}", err=fmt != "table")
    interrupted.exit_if_stopped()
