"""samples: the bundled cases."""

from __future__ import annotations

import click

from diffcompare.cli.group import CONTEXT, main


@main.command(context_settings=CONTEXT)
def samples():
    """List the named sample functions (use one with grad --sample NAME).

    \b
    Example:
      diffcompare samples
    """
    from diffcompare.problems.cases import load_cases

    for case in load_cases():
        if case.program:
            from pathlib import Path

            point = "" if case.inputs is None else "   at " + ", ".join(
                f"{k} = {v:g}" for k, v in case.inputs.items())
            click.echo(f"{case.name:14} {Path(case.program).name} (a program){point}")
        elif case.answer is not None:
            by = f" by {case.wrt}" if case.wrt else ""
            click.echo(f"{case.name:14} {case.expression}   graded answer{by}: {case.answer}")
        else:
            point = ", ".join(f"{x:g}" for x in case.point)
            click.echo(f"{case.name:14} {case.expression}   at ({point})")
        if case.source:
            click.echo(f"{'':14} {case.source}")
