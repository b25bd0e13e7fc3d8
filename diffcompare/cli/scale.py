"""scale: how each method's cost grows with n."""

from __future__ import annotations

import click

from diffcompare.cli.common import emit, save_output
from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import budget_option, format_option, output_option


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("function", required=False)
@click.option("--n", "sizes", default="10,100,1000,10000", show_default=True, metavar="SIZES",
              help="The sizes: 10,100,1000 or 10:1e6 (every power of ten between).")
@budget_option(30.0, help="CPU seconds for the whole study; each method (and the exact "
                          "reference) gets an equal share, and is extrapolated past it.")
@click.option("--methods", metavar="LIST", help="Comma-separated methods (default: "
                                                "forward-fd, central-fd, complex-step, "
                                                "forward-ad, reverse-ad, manual, symbolic).")
@output_option
@format_option()
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
    from diffcompare.render.scale import document
    from diffcompare.studies.scale import DEFAULT_METHODS, parse_sizes, scale_study

    if not budget > 0:
        raise InputError(f"--budget must be a number of CPU seconds > 0, not {budget:g}")
    chosen = select_methods(methods) if methods else None
    wanted = parse_sizes(sizes)
    count = len(wanted) * len(chosen or DEFAULT_METHODS)
    bar, advance = progress(count, "timing each method at each n")
    with Interruptible() as interrupted, bar:
        study = scale_study(function, wanted, chosen, budget, on_run=advance,
                            interrupted=interrupted)
    found = document(study)
    emit(found, fmt)
    if output:
        from diffcompare.plots.scale import figure

        save_output(output, found, lambda: figure(study))
    interrupted.exit_if_stopped()
