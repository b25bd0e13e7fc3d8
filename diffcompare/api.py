"""The library API for notebooks and scripts: one call, every method, an exact reference.

    >>> import diffcompare
    >>> result = diffcompare.compare("x1**2*x2 + x2*x3", at=(2, 3, 4))
    >>> result.to_dict()["methods"]["reverse-ad"]["gradient"]
    [12.0, 8.0, 3.0]
    >>> diffcompare.derivative("x1*x2, sin(x1)", at=(1, 2), kind="jacobian").value.shape
    (2, 2)

``compare`` returns a Comparison that renders itself: ``.to_dict()`` (the structure of
``--format json``), ``.table()`` (a rich renderable) and ``_repr_html_`` for Jupyter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from diffcompare.analysis import compare as analysis
from diffcompare.methods import REGISTRY, Derivative, Options
from diffcompare.problem import Problem


class Comparison(analysis.Comparison):
    """A comparison that knows how to show itself."""

    def to_dict(self) -> dict:
        from diffcompare.render.comparison import to_dict

        return to_dict(self)

    def table(self):
        from diffcompare.render.comparison import table

        return table(self)

    def _repr_html_(self) -> str:
        from diffcompare.render.comparison import to_html

        return to_html(self)


def as_problem(f: str | Problem, at=None, variables: str | Sequence[str] | None = None
               ) -> Problem:
    """A Problem from formula text (outputs separated by commas) and a point."""
    if isinstance(f, Problem):
        return f if at is None else Problem.from_text(f.describe(), at, f.variables)
    if at is None:
        raise TypeError("compare() needs the point: at=(2, 3, 4) or at={'x': 1}")
    return Problem.from_text(f, at, variables)


def compare(f: str | Problem, at: Sequence[float] | Mapping[str, float] | str | None = None,
            methods: str | Sequence[str] | None = None, kind: str = "gradient",
            direction: Sequence[float] | None = None,
            variables: str | Sequence[str] | None = None, **options) -> Comparison:
    """Every method's ``kind`` of derivative of ``f`` at ``at`` against the exact one.
    ``options`` are those of ``Options``: ``eps``, ``timeout``."""
    found = analysis.compare(as_problem(f, at, variables), methods, Options(**options),
                             kind=kind, direction=direction)
    return Comparison(**{field.name: getattr(found, field.name)
                         for field in dataclasses.fields(found)})


def derivative(f: str | Problem, at=None, method: str = "reverse-ad", kind: str = "gradient",
               direction: Sequence[float] | None = None,
               variables: str | Sequence[str] | None = None, **options) -> Derivative:
    """One method's derivative of ``f`` at ``at``, without a reference."""
    problem = as_problem(f, at, variables)
    if method not in REGISTRY:
        raise analysis.InputError(f"unknown method {method!r}")
    direction = analysis.check_direction(problem, kind, direction)
    prepared = REGISTRY[method].prepare(problem, Options(**options).started())
    try:
        return prepared.derivative(kind, direction=direction)
    finally:
        prepared.close()
