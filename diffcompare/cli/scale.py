"""scale: how each method's cost grows with n."""

from __future__ import annotations

import click

from diffcompare.cli.common import show
from diffcompare.cli.group import EXPRESSION_CONTEXT, main


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
    from diffcompare.render import scale as render
    from diffcompare.studies.scale import DEFAULT_METHODS, parse_sizes, scale_study

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
        from diffcompare.plots.scale import plot_scale

        plot_scale(study, output)
    if fmt == "table":
        show(render.table(study), fmt)
    else:
        show(render.to_json(study) if fmt == "json" else render.to_csv(study), fmt)
    if output:
        click.echo(f"wrote {output}", err=fmt != "table")
    interrupted.exit_if_stopped()
