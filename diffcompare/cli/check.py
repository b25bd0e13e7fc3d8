"""check: cases for CI, every method against the exact reference and the expectations."""

from __future__ import annotations

import math
import sys

import click

from diffcompare.cli.common import Interruptible, emit, progress
from diffcompare.cli.group import CONTEXT, main
from diffcompare.cli.options import budget_option, format_option


@main.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("--methods", metavar="LIST", help="Comma-separated methods (default: all).")
@click.option("--rtol", type=float, help="Relative tolerance for every method and case.")
@click.option("--atol", type=float, help="Absolute tolerance for every method and case.")
@format_option()
@budget_option()
def check(files, methods, rtol, atol, fmt, budget):
    """Check cases from TOML files against the exact reference: exit 0 when every check
    passed (or cannot, by the method's nature), 1 when one failed or ran out of budget (a
    check that could not be made is not a pass), 2 on unreadable input. Default: the
    bundled samples. Budgets count CPU work, so a case file gives the same outcomes on an
    idle and on a busy machine.

    \b
    Examples:
      diffcompare check
      diffcompare check course.toml --format junit > report.xml
    """
    from diffcompare.analysis.check import exit_status, run_checks
    from diffcompare.errors import InputError
    from diffcompare.methods import Options
    from diffcompare.problems.cases import load_cases
    from diffcompare.render.check import document

    for tolerance, name in ((rtol, "--rtol"), (atol, "--atol")):
        if tolerance is not None and not (math.isfinite(tolerance) and tolerance >= 0):
            raise InputError(f"{name} must be a finite number >= 0")
    if rtol == 0 and not atol:
        raise InputError("--rtol 0 without --atol passes only a bit-identical result; give a "
                         "tolerance from the method's error")
    cases = load_cases(files)
    bar, advance = progress(len(cases), f"checking {len(cases)} cases")
    with Interruptible() as interrupted, bar:
        reports = run_checks(cases, methods, rtol, atol, Options(budget=budget), advance,
                             interrupted)
    emit(document(reports, cases[len(reports):]), fmt)
    interrupted.exit_if_stopped()
    sys.exit(exit_status(reports))
