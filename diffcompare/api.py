"""The library API for notebooks and scripts: one call, every method, an exact reference.

    >>> import diffcompare
    >>> result = diffcompare.compare("x1**2*x2 + x2*x3", at=(2, 3, 4))
    >>> result.to_dict()["methods"]["reverse-ad"]["gradient"]
    [12.0, 8.0, 3.0]
    >>> diffcompare.derivative("x1*x2, sin(x1)", at=(1, 2), kind="jacobian").value.shape
    (2, 2)

Every result displays itself in Jupyter as an HTML table (``_repr_html_``) and draws
itself with ``.plot()``, which returns a matplotlib Figure. The results are the library's
own data classes, given those two methods here, at the top, so the layers below never
import render/ or plots/.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from diffcompare.analysis import compare as analysis
from diffcompare.methods import REGISTRY, Derivative, Options
from diffcompare.problems.formula import Problem
from diffcompare.studies import descent as descent_study
from diffcompare.studies import epsplot as epsplot_study
from diffcompare.studies import trace as trace_study
from diffcompare.studies.derive import Derivation

Point = Sequence[float] | Mapping[str, float] | str


def _shown(figure):
    """The figure, made to display in IPython/Jupyter as a PNG: figures built without
    pyplot are not registered with IPython's inline display otherwise."""
    try:
        from IPython import get_ipython
    except ImportError:
        return figure
    shell = get_ipython()
    if shell is not None:
        from IPython.core.pylabtools import print_figure
        from matplotlib.figure import Figure

        shell.display_formatter.formatters["image/png"].for_type(
            Figure, lambda fig: print_figure(fig, "png", bbox_inches="tight"))
    return figure


def _rebuilt(cls, found):
    """``found`` as the subclass ``cls`` of its own class (the same fields)."""
    return cls(**{f.name: getattr(found, f.name) for f in dataclasses.fields(found)})


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

    def plot(self):
        from diffcompare.plots.comparison import comparison_figure

        return _shown(comparison_figure(self))


class ShownDerivative(Derivative):
    def _repr_html_(self) -> str:
        import html

        from diffcompare.render.numbers import number

        rows = self.value if self.value.ndim == 2 else [self.value]
        body = "".join("<tr>" + "".join(f"<td>{number(v)}</td>" for v in row) + "</tr>"
                       for row in rows)
        cost = self.cost
        return (f"<p>{html.escape(self.method)}: {html.escape(self.kind)}, f(x) = "
                f"{', '.join(number(v) for v in self.f)}; {cost.f_evals} evaluations, "
                f"{cost.forward_passes} forward and {cost.reverse_passes} reverse passes</p>"
                f"<table>{body}</table>")

    def plot(self):
        from diffcompare.plots.comparison import derivative_figure

        return _shown(derivative_figure(self))


class StepStudy(epsplot_study.StepStudy):
    def _repr_html_(self) -> str:
        from diffcompare.render.epsplot import table
        from diffcompare.render.html import from_rich

        return from_rich(table(self))

    def plot(self):
        from diffcompare.plots.figures import step_study_figure

        return _shown(step_study_figure(self))


class Trace(trace_study.Trace):
    def _repr_html_(self) -> str:
        from diffcompare.render.html import from_rich
        from diffcompare.render.trace import table

        return from_rich(table(self, self.wrt is not None, True))

    def plot(self):
        """The computational graph, numbered as in the trace, with values and adjoints."""
        from diffcompare.plots.figures import graph_figure
        from diffcompare.studies.graph import computational_graph

        return _shown(graph_figure(computational_graph(self.problem, with_values=True)))


class Derivations(tuple):
    """The manual rules' derivations, one per variable (and output)."""

    def _repr_html_(self) -> str:
        from diffcompare.render.derive import table
        from diffcompare.render.html import from_rich

        return from_rich(table(list(self)))

    def plot(self):
        """The expression's graph: the tree the rules walked."""
        from diffcompare.plots.figures import graph_figure
        from diffcompare.problems.formula import order_variables
        from diffcompare.studies.graph import computational_graph

        expr = self[0].expr
        names = order_variables(expr, None)
        problem = Problem(expr, names, (0.0,) * len(names))
        return _shown(graph_figure(computational_graph(problem, with_values=False)))


class Descent(descent_study.Descent):
    def _repr_html_(self) -> str:
        from diffcompare.render.descent import to_html

        return to_html(self)

    def plot(self):
        from diffcompare.plots.descent import descent_figure

        return _shown(descent_figure(self))


def as_problem(f, at=None, variables: str | Sequence[str] | None = None,
               timeout: float | None = None) -> Problem:
    """A problem from formula text (outputs separated by commas) and a point, from a
    Python function (its parameters are the inputs, scalars or arrays), or from a file,
    "FILE.py[:NAME]" (the point may then come from the file): the one way in."""
    from diffcompare.problems.load import load_problem

    if at is None and isinstance(f, str) and not _names_file(f):
        raise TypeError("this needs the point: at=(2, 3, 4) or at={'x': 1}")
    return load_problem(f, at, variables, timeout=timeout)


def _names_file(text: str) -> bool:
    from diffcompare.problems.load import is_program

    return is_program(text)


def compare(f: str | Problem, at: Point | None = None,
            methods: str | Sequence[str] | None = None, kind: str = "gradient",
            direction: Sequence[float] | None = None,
            variables: str | Sequence[str] | None = None, **options) -> Comparison:
    """Every method's ``kind`` of derivative of ``f`` at ``at`` against the exact one.
    ``options`` are those of ``Options``: ``eps``, ``timeout``."""
    found = analysis.compare(as_problem(f, at, variables), methods, Options(**options),
                             kind=kind, direction=direction)
    return _rebuilt(Comparison, found)


def derivative(f: str | Problem, at: Point | None = None, method: str = "reverse-ad",
               kind: str = "gradient", direction: Sequence[float] | None = None,
               variables: str | Sequence[str] | None = None, **options) -> ShownDerivative:
    """One method's derivative of ``f`` at ``at``, without a reference."""
    problem = as_problem(f, at, variables)
    if method not in REGISTRY:
        raise analysis.InputError(f"unknown method {method!r}")
    direction = analysis.check_direction(problem, kind, direction)
    prepared = REGISTRY[method].prepare(problem, Options(**options).started())
    try:
        return _rebuilt(ShownDerivative, prepared.derivative(kind, direction=direction))
    finally:
        prepared.close()


def step_study(f: str | Problem, at: Point | None = None, wrt: str | None = None,
               relative: bool = False, variables=None, **options) -> StepStudy:
    """Every finite-difference scheme's error against the step (``diffcompare epsplot``)."""
    return _rebuilt(StepStudy, epsplot_study.step_study(as_problem(f, at, variables), wrt,
                                                relative=relative, **options))


def trace(f: str | Problem, at: Point | None = None, wrt: str | None = None,
          cotangent: Sequence[float] | None = None, variables=None) -> Trace:
    """The evaluation trace of both AD modes, numbered as Baydin et al. number it."""
    return _rebuilt(Trace, trace_study.evaluation_trace(as_problem(f, at, variables), wrt,
                                                      True, True, cotangent))


def derive(f: str, wrt: str | Sequence[str] | None = None) -> Derivations:
    """The manual rules applied step by step, for each variable (and each output)."""
    from diffcompare.parse import parse_outputs
    from diffcompare.studies.derive import derive as derivations

    found: list[Derivation] = [d for out in parse_outputs(f) for d in derivations(out, wrt)]
    return Derivations(found)


def descent(f: str | Problem, start: Point | None = None,
            methods: str | Sequence[str] | None = None, optimizer: str = "gd",
            lr: float = 1e-3, steps: int = 500, tol: float = 1e-8, beta: float = 0.9,
            variables=None, **options) -> Descent:
    """Gradient descent from ``start`` driven by each method (``diffcompare descent``)."""
    found = descent_study.descend(as_problem(f, start, variables),
                                  analysis.select_methods(methods), optimizer, lr, steps,
                                  tol, beta, options=Options(**options))
    return _rebuilt(Descent, found)
