"""check: cases for CI, every method against the exact reference and the expectations."""

from __future__ import annotations

import math
import sys

import click

from diffcompare.cli.common import Interruptible, progress, show
from diffcompare.cli.group import CONTEXT, main
from diffcompare.cli.options import timeout_option


@main.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("--methods", metavar="LIST", help="Comma-separated methods (default: all).")
@click.option("--rtol", type=float, help="Relative tolerance for every method and case.")
@click.option("--atol", type=float, help="Absolute tolerance for every method and case.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "junit"]),
              default="table", show_default=True)
@timeout_option(help="Seconds per case for the exact work that can run long (sympy, the "
                     "high-precision reference); past it, a 'timed out' row.")
def check(files, methods, rtol, atol, fmt, timeout):
    """Check cases from TOML files against the exact reference: exit 0 when all pass,
    1 when a check fails, 2 on unreadable input. Default: the bundled samples.

    \b
    Examples:
      diffcompare check
      diffcompare check course.toml --format junit > report.xml
    """
    from diffcompare.analysis.check import exit_status, run_checks
    from diffcompare.errors import InputError
    from diffcompare.methods import Options
    from diffcompare.problems.cases import load_cases
    from diffcompare.render import check as render_check

    for tolerance, name in ((rtol, "--rtol"), (atol, "--atol")):
        if tolerance is not None and not (math.isfinite(tolerance) and tolerance >= 0):
            raise InputError(f"{name} must be a finite number >= 0")
    cases = load_cases(files)
    bar, advance = progress(len(cases), f"checking {len(cases)} cases")
    with Interruptible() as interrupted, bar:
        reports = run_checks(cases, methods, rtol, atol, Options(timeout=timeout), advance,
                             interrupted)
    if fmt == "table":
        show(render_check.table(reports), fmt)
    else:
        show(render_check.to_json(reports) if fmt == "json" else render_check.to_junit(reports),
             fmt)
    interrupted.exit_if_stopped()
    sys.exit(exit_status(reports))
