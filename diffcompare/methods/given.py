"""given: the user's own hand-derived partial derivatives, checked like any method.

This is manual differentiation as the seeds describe it, done by a person: each partial is
parsed (through the same safe parser) and evaluated at the point.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from diffcompare.engine.tape import evaluate
from diffcompare.errors import InputError, ParseError
from diffcompare.expr import variables
from diffcompare.methods.registry import ROWS, Cost, Derivative, Method
from diffcompare.parse import parse
from diffcompare.problem import Problem

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
        gradient.append(float(evaluate(expr, problem.variables, problem.point)))
    return Derivative(GIVEN, "gradient", np.array(gradient), np.array([np.nan]),
                      Cost(forward_passes=problem.n))
