"""given: the user's own hand-derived partial derivatives, checked like any method.

This is manual differentiation as the seeds describe it, done by a person: each partial is
parsed (through the same safe parser) and evaluated at the point.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from diffcompare.engine.scalar import evaluate
from diffcompare.errors import InputError, ParseError
from diffcompare.expr import variables
from diffcompare.methods.registry import ROWS, Cost, Derivative, Method
from diffcompare.parse import parse
from diffcompare.problems.base import BaseProblem as Problem

GIVEN = "given"
ROWS[GIVEN] = Method(GIVEN, family="manual rules", exact=True, kinds=frozenset({"gradient"}),
                     cost={"gradient": "your own derivative expressions"}, rtol=1e-13,
                     prepare=None)


def split_top_level(text: str) -> list[str]:
    """Split on commas outside parentheses: "2*x, log(y)" -> ["2*x", "log(y)"]."""
    parts, depth, start = [], 0, 0
    for k, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(text[start:k])
            start = k + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def given_result(problem: Problem, given: str | Sequence[str]) -> Derivative:
    texts = split_top_level(given) if isinstance(given, str) else list(given)
    if len(texts) != problem.n:
        raise InputError(f"--given has {len(texts)} partial derivatives but there are "
                         f"{problem.n} variables ({', '.join(problem.variables)})")
    gradient = []
    for name, text in zip(problem.variables, texts):
        try:
            expr = parse(text)
        except ParseError as exc:
            raise ParseError(f"in the given d/d{name}: {exc.message}", exc.text,
                             exc.column) from None
        extra = [v for v in variables(expr) if v not in problem.variables]
        if extra:
            raise InputError(f"the given d/d{name} uses {', '.join(extra)}, which is not a "
                             f"variable of f ({', '.join(problem.variables)})")
        gradient.append(float(evaluate(expr, list(problem.variables), problem.point)))
    return Derivative(GIVEN, "gradient", np.array(gradient), np.array([np.nan]),
                      Cost(forward_passes=problem.n))


def given_function(problem: Problem, program, budget: float | None = None) -> Derivative:
    """The user's own gradient *code* (a loaded Program, given through the way in,
    problems/load.py), called at the point; its result (an array of each input's shape, a
    tuple of them, or numbers) is checked like any method's."""
    from diffcompare.engine.arrays import split
    from diffcompare.problems.usercode import run_user_code

    shapes = problem.input_shapes
    if len(program.inputs) != len(shapes):
        raise InputError(f"{program.label} takes {len(program.inputs)} inputs; f takes "
                         f"{len(shapes)}")
    parts = split(np.asarray(problem.point_array, dtype=float), shapes)
    result = run_user_code(program.function, tuple(parts), budget, program.path)
    try:
        pieces = result if isinstance(result, (list, tuple)) else [result]
        gradient = np.concatenate([np.ravel(np.asarray(p, dtype=float)) for p in pieces])
    except (TypeError, ValueError):
        raise InputError(f"{program.label} returned {type(result).__name__}, not numbers "
                         "or arrays of numbers") from None
    if gradient.size != problem.n:
        raise InputError(f"{program.label} returned {gradient.size} numbers; the gradient "
                         f"has {problem.n} entries")
    return Derivative(GIVEN, "gradient", gradient, np.array([np.nan]), Cost(f_evals=1))


def given_row(problem: Problem, given, budget: float | None = None) -> Derivative:
    """--given: the partials as formulas, or gradient code (a callable, FILE.py:NAME, or a
    function of the program's own file), resolved by the way in."""
    from diffcompare.problems.load import given_code

    if callable(given) or isinstance(given, str):  # code, or the partials as text
        program = given_code(problem, given, budget)
        if program is not None:
            return given_function(problem, program, budget)
    return given_result(problem, given)
