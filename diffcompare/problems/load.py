"""The one way in: the CLI, the web and the library load a problem, and the user's own
derivative code, through these functions only.

A function is formula text (parsed, never run), a Python file ``FILE.py[:NAME]`` (its code
runs, as ``python FILE`` would run it), a Python callable (the library), or a problem
already loaded (re-pointed at ``at`` when one is given).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from diffcompare.errors import InputError
from diffcompare.problems.base import BaseProblem
from diffcompare.problems.formula import Problem
from diffcompare.problems.points import input_value, is_float_array, read_inputs
from diffcompare.problems.program import ProgramProblem
from diffcompare.problems.usercode import Program, from_callable, load
from diffcompare.problems.usercode import is_program as names_file


def is_program(text) -> bool:
    """Does a FUNCTION argument name a Python file (FILE.py or FILE.py:NAME)?"""
    return isinstance(text, str) and names_file(text)


def load_problem(function, at=None, variables: str | Sequence[str] | None = None,
                 n: int | None = None, budget: float | None = None) -> BaseProblem:
    """The problem of a formula at ``at``, or of a program (a file or a callable) at ``at``,
    at ``start(n)``, or at the file's own POINT."""
    if isinstance(function, ProgramProblem):
        return function if at is None and n is None else \
            program_problem(function.program, at, n, budget)
    if isinstance(function, BaseProblem):
        if n is not None:
            raise InputError("--n is for programs (FILE.py with a start(n)); a formula names "
                             "its variables")
        return function if at is None else Problem.from_text(function.describe(), at,
                                                             function.variables)
    if callable(function) or isinstance(function, Program) or is_program(function):
        if variables:
            raise InputError("--vars is for formulas; a program's inputs are its parameters")
        program = function if isinstance(function, Program) else \
            from_callable(function) if callable(function) else load(function, budget)
        return program_problem(program, at, n, budget)
    if n is not None:
        raise InputError("--n is for programs (FILE.py with a start(n)); a formula names "
                         "its variables")
    if at is None:
        raise InputError("missing the point: --at 2,3,4 (at=(2, 3, 4) in the library)")
    return Problem.from_text(function, at, variables)


def program_problem(program, at=None, n: int | None = None, budget: float | None = None):
    """A program's problem (a loaded Program, or ``FILE.py[:NAME]``) at ``at`` (text such
    as ``"a=2"`` or ``"x=@x.npy"``, a mapping, or a sequence), else at ``start(n)`` or the
    file's own POINT."""
    if isinstance(program, str):
        program = load(program, budget)

    if n is None and _read_already(at, program.inputs):
        return ProgramProblem(program, at, budget)
    given = {} if at is None else read_inputs(at, program.inputs)
    point = given if n is None and len(given) == len(program.inputs) else \
        {**(program.default_point(n, budget) or {}), **given}  # the file's, where needed
    missing = [name for name in program.inputs if name not in point]
    if missing:
        raise InputError(f"{program.label} needs a value for {', '.join(missing)} "
                         f"(give --at {missing[0]}=..., or POINT in the file)")
    # (finite entries: the problem finds that out from its trace, engine/finite.py)
    return ProgramProblem(program, {k: input_value(k, point[k], finite=False)
                                    for k in program.inputs}, budget)


def _read_already(at, inputs: Sequence[str]) -> bool:
    """Is ``at`` already what reading it makes, the library's usual call: a dict naming
    each input once, each value a non-empty float64 array (input_value gives such an array
    back as it is, and read_inputs the dict's own entries)? Then it is the point as it is,
    and the reading is skipped (with a prediction's words made only for a refusal,
    derivative() went from 1.32 to 1.30 of the engine at 10^4 entries, 2026-12-08)."""
    if type(at) is not dict or len(at) != len(inputs):
        return False
    for name in inputs:
        value = at.get(name)
        if not is_float_array(value) or not value.ndim:
            return False
    return True


def given_code(problem: BaseProblem, spec: str | Callable, budget: float | None = None):
    """The user's own gradient code for ``--given``: a callable, ``FILE.py:NAME``, or the
    name of a function in the program's own file; None when ``spec`` is not code (it is
    then the partials written as formulas)."""
    if callable(spec):
        return from_callable(spec)
    text = spec.strip()
    if is_program(text):
        return load(text, budget)
    if isinstance(problem, ProgramProblem) and text.isidentifier():
        return problem.program.other(text)
    return None

