"""codegen: the gradient code reverse mode writes, as a Python file of its own."""

from __future__ import annotations

import click

from diffcompare.cli.group import EXPRESSION_CONTEXT, main
from diffcompare.cli.options import budget_option, n_option


@main.command(context_settings=EXPRESSION_CONTEXT)
@click.argument("expression")
@click.option("--at", "at", metavar="POINT",
              help="For a program: the point it is traced at (its branches are the ones "
                   "taken there). A formula's code holds everywhere and needs none.")
@click.option("--vars", "variables", metavar="NAMES", help="Variable order, as for grad.")
@n_option
@budget_option()
@click.option("--vjp", is_flag=True,
              help="Write value_and_vjp(inputs, r) (rᵀ·J for any cotangent r) even for one "
                   "output.")
@click.option("-o", "--output", metavar="FILE.py", help="Write the code to FILE.py.")
def codegen(expression, at, variables, size, budget, vjp, output):
    """The gradient code of reverse mode, written out: one function value_and_grad(...)
    returning (f, gradient), importing only numpy, runnable on its own.

    It is the trace's plan printed as straight-line code (source transformation, as
    Tapenade and Google's Tangent do): the forward sweep with the trace's v-numbers, then
    the reverse sweep (v3_bar is the adjoint of v3). Constant factors ride on the
    adjoints, a slice's adjoint is written into its place. The method reverse-ad-compiled
    runs this code, and its numbers are the tape's reverse sweep's bit for bit.

    A program's code is written from its trace at the point: every branch it took there is
    checked again, and the code raises PathChanged where one is answered otherwise.

    \b
    Examples:
      diffcompare codegen "ln(x1) + x1*x2 - sin(x2)"
      diffcompare codegen sample_functions/programs/rosenbrock.py --n 4
      diffcompare codegen sample_functions/programs/huber.py -o huber_grad.py
    """
    from diffcompare.cli.options import load_problem, names_program
    from diffcompare.studies.codegen import formula_problem, gradient_code

    if at is None and not names_program(expression) and size is None:
        problem = formula_problem(expression, variables)
    else:
        problem = load_problem(expression, at, variables, size, budget)
    found = gradient_code(problem, seeded=vjp)
    if output:
        from diffcompare.runtime.output import write_file

        replaced = write_file(output, found.source)
        click.echo(f"{'replaced' if replaced else 'wrote'} {output}: {found.function_name} "
                   f"in {len(found.source.splitlines())} lines", err=True)
        return
    click.echo(found.source, nl=False)
