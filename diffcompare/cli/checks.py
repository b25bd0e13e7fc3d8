"""check (cases for CI) and samples (the bundled cases)."""

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
    from diffcompare.render import check as render_check
    from diffcompare.samples import load_cases

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


@main.command(context_settings=CONTEXT)
def samples():
    """List the named sample functions (use one with grad --sample NAME).

    \b
    Example:
      diffcompare samples
    """
    from diffcompare.samples import load_cases

    for case in load_cases():
        if case.program:
            from pathlib import Path

            point = "" if case.inputs is None else "   at " + ", ".join(
                f"{k} = {v:g}" for k, v in case.inputs.items())
            click.echo(f"{case.name:14} {Path(case.program).name} (a program){point}")
        else:
            point = ", ".join(f"{x:g}" for x in case.point)
            click.echo(f"{case.name:14} {case.expression}   at ({point})")
        if case.source:
            click.echo(f"{'':14} {case.source}")
