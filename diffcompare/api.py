"""The library API for notebooks and scripts: one call, every method, an exact reference.

    >>> import diffcompare
    >>> result = diffcompare.compare("x1**2*x2 + x2*x3", at=(2, 3, 4))
    >>> result.to_dict()["methods"]["reverse-ad"]["gradient"]
    [12.0, 8.0, 3.0]
    >>> diffcompare.derivative("x1*x2, sin(x1)", at=(1, 2), kind="jacobian").value.shape
    (2, 2)

Every result shows itself: in Jupyter as HTML (``_repr_html_``), as a table (``table()``),
as its JSON data (``to_dict()``), and drawn (``plot()``, a matplotlib Figure). The results
are the library's own data classes, given those methods here, at the top, from render/ and
plots/, so the layers below never import them. Problems come in through the one way in,
problems/load.py, as they do for the CLI.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from importlib import import_module

import numpy as np

from diffcompare.analysis import compare as analysis
from diffcompare.methods import KINDS, REGISTRY, Derivative, Options, kind_of
from diffcompare.methods.kinds import check_direction
from diffcompare.methods.registry import changed
from diffcompare.problems.base import BaseProblem
from diffcompare.problems.load import is_program, load_problem
from diffcompare.studies import descent as descent_study
from diffcompare.studies import epsplot as epsplot_study
from diffcompare.studies import exercise as exercise_study
from diffcompare.studies import grade as grade_study
from diffcompare.studies import taylor as taylor_study
from diffcompare.studies import trace as trace_study

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


class Shown:
    """A result that shows itself: its Document (render/<name>.py) in any format, and its
    figure (plots/<name>.py)."""

    _shows = ""  # the name of its render and plots modules

    def document(self):
        return import_module(f"diffcompare.render.{self._shows}").document(self._result())

    def _result(self):
        return self

    def to_dict(self):
        return self.document().json()

    def table(self):
        from diffcompare.render.formats import write

        return write(self.document(), "table")

    def _repr_html_(self) -> str:
        from diffcompare.render.formats.html import fragment

        return fragment(self.document())

    def plot(self):
        return _shown(import_module(f"diffcompare.plots.{self._shows}").figure(
            self._result()))


def _rebuilt(cls, found, **changes):
    """``found`` as the subclass ``cls`` of its own class (the same fields)."""
    fields = {f.name: getattr(found, f.name) for f in dataclasses.fields(found)}
    return cls(**{**fields, **changes})


def _shown_derivative(found: Derivative, f) -> ShownDerivative:
    """A Derivative as a ShownDerivative, its fields copied as they are (a Derivative
    checks nothing in its __init__, which costs more than a small gradient's bookkeeping)."""
    return changed(found, ShownDerivative, f=f)


class Comparison(Shown, analysis.Comparison):
    _shows = "comparison"


class ShownDerivative(Shown, Derivative):
    """One method's derivative; ``f`` is f(x): a float for a function of one output, an
    array of the m outputs otherwise."""

    _shows = "derivative"

    @property
    def f_value(self) -> float:
        return float(np.ravel(self.f)[0]) if np.size(self.f) == 1 else float("nan")


class StepStudy(Shown, epsplot_study.StepStudy):
    _shows = "epsplot"


class Trace(Shown, trace_study.Trace):
    _shows = "trace"

    def plot(self):
        """The computational graph, numbered as in the trace, with values and adjoints."""
        from diffcompare.plots.graph import figure
        from diffcompare.studies.graph import computational_graph

        return _shown(figure(computational_graph(self.problem, with_values=True)))


class Derivations(Shown, tuple):
    """The manual rules' derivations, one per variable (and output)."""

    _shows = "derive"

    def _result(self):
        return list(self)

    def plot(self):
        """The expression's graph: the tree the rules walked."""
        from diffcompare.plots.graph import figure
        from diffcompare.problems.formula import Problem, order_variables
        from diffcompare.studies.graph import computational_graph

        expr = self[0].expr
        names = order_variables(expr, None)
        problem = Problem(expr, names, (0.0,) * len(names))
        return _shown(figure(computational_graph(problem, with_values=False)))


class Descent(Shown, descent_study.Descent):
    _shows = "descent"


_DEFAULTS = Options()  # (frozen: one for every call that gives none)


def _options(options: dict) -> Options:
    """Options from keyword arguments; ``timeout`` is the old name of ``budget``."""
    if not options:
        return _DEFAULTS
    if "timeout" in options:
        options["budget"] = options.pop("timeout")
    return Options(**options)


def as_problem(f, at=None, variables: str | Sequence[str] | None = None,
               budget: float | None = None) -> BaseProblem:
    """A problem from formula text (outputs separated by commas) and a point, from a
    Python function (its parameters are the inputs, scalars or arrays), or from a file,
    "FILE.py[:NAME]" (the point may then come from the file): the one way in."""
    if at is None and isinstance(f, str) and not is_program(f):
        raise TypeError("this needs the point: at=(2, 3, 4) or at={'x': 1}")
    return load_problem(f, at, variables, budget=budget)


def compare(f, at: Point | None = None, methods: str | Sequence[str] | None = None,
            kind: str = "gradient", direction: Sequence[float] | None = None,
            variables: str | Sequence[str] | None = None, **options) -> Comparison:
    """Every method's ``kind`` of derivative of ``f`` at ``at`` against the exact one.
    ``options`` are those of ``Options``: ``eps``, ``budget`` (CPU seconds per piece of
    work)."""
    chosen = _options(options)
    found = analysis.compare(as_problem(f, at, variables, chosen.budget), methods, chosen,
                             kind=kind, direction=direction)
    return _rebuilt(Comparison, found)


def derivative(f, at: Point | None = None, method: str = "reverse-ad",
               kind: str = "gradient", direction: Sequence[float] | None = None,
               variables: str | Sequence[str] | None = None, **options) -> ShownDerivative:
    """One method's derivative of ``f`` at ``at``, without a reference: the problem is made
    once (a program traced once) and the method asked once."""
    chosen = _options(options)
    if method not in REGISTRY:
        raise analysis.InputError(f"unknown method {method!r}")
    if REGISTRY[method].reuses_code and callable(f) and isinstance(at, Mapping) and \
            kind_of(kind) is KINDS["gradient"]:
        from diffcompare.methods.compiled import cached_gradient

        found = cached_gradient(f, at)  # the code written at an earlier call, run again
        if found is not None:
            return _shown_derivative(found, float(found.f[0]))
    problem = as_problem(f, at, variables, chosen.budget)
    direction = check_direction(problem, kind, direction)
    prepared = REGISTRY[method].prepare(problem, chosen)
    try:
        found = prepared.derivative(kind, direction=direction)
    finally:
        prepared.close()
    f_value = float(found.f[0]) if found.f.size == 1 else found.f
    return _shown_derivative(found, f_value)


def step_study(f, at: Point | None = None, wrt: str | None = None, relative: bool = False,
               variables=None, **options) -> StepStudy:
    """Every finite-difference scheme's error against the step (``diffcompare epsplot``)."""
    budget = _options(options).budget
    return _rebuilt(StepStudy, epsplot_study.step_study(as_problem(f, at, variables, budget),
                                                        wrt, relative=relative, budget=budget))


class TaylorStudy(Shown, taylor_study.TaylorStudy):
    _shows = "taylor"


def taylor(f, at: Point | None = None, order: int = 6,
           direction: Sequence[float] | None = None,
           methods: str | Sequence[str] | None = None, variables=None,
           **options) -> TaylorStudy:
    """f′ … f⁽ᴷ⁾ (K = ``order``) along ``direction`` by every method that gives them, against
    Taylor mode swept in ball arithmetic (``diffcompare taylor``)."""
    budget = _options(options).budget
    if isinstance(methods, str):
        methods = [m.strip() for m in methods.split(",") if m.strip()]
    problem = as_problem(f, at, variables, budget)
    return _rebuilt(TaylorStudy, taylor_study.taylor_study(problem, order, direction, methods,
                                                           budget))


class Grade(Shown, grade_study.Grade):
    _shows = "grade"

    def plot(self):
        raise analysis.InputError("a grade has no picture")


def grade(answer: str, of: str, wrt: str | None = None, seed: int = 0, **options) -> Grade:
    """Is ``answer`` d/d``wrt`` of ``of``? Any equivalent form is right; a wrong one carries
    the first common wrong rule that reproduces it (``diffcompare grade``)."""
    budget = _options(options).budget
    return _rebuilt(Grade, grade_study.grade(answer, of, wrt, budget, seed))


@dataclasses.dataclass(frozen=True)
class Exercises(Shown, exercise_study.Sheet):
    """A sheet of problems; shown with its worked solutions when ``answers`` is true (its
    ``to_dict()`` always has each answer and solution)."""

    answers: bool = False
    _shows = "exercise"

    def document(self):
        from diffcompare.render.exercise import document

        return document(self, self.answers)

    def plot(self):
        raise analysis.InputError("an exercise sheet has no picture")


def exercises(topics: str | Sequence[str] | None = None, level: int = 1, count: int = 5,
              seed: int | None = None, answers: bool = False, **options) -> Exercises:
    """Random differentiation problems by topic and level, the same sheet for the same seed
    (``diffcompare exercise``); ``problems[k].answer`` grades with ``grade``."""
    budget = _options(options).budget
    sheet = exercise_study.exercises(topics, level, count, seed, budget)
    return _rebuilt(Exercises, sheet, answers=answers)


def trace(f, at: Point | None = None, wrt: str | None = None,
          cotangent: Sequence[float] | None = None, variables=None) -> Trace:
    """The evaluation trace of both AD modes, numbered as Baydin et al. number it."""
    return _rebuilt(Trace, trace_study.evaluation_trace(as_problem(f, at, variables), wrt,
                                                        True, True, cotangent))


def derive(f: str, wrt: str | Sequence[str] | None = None) -> Derivations:
    """The manual rules applied step by step, for each variable (and each output)."""
    from diffcompare.parse import parse_outputs
    from diffcompare.studies.derive import derive as derivations

    return Derivations([d for out in parse_outputs(f) for d in derivations(out, wrt)])


def descent(f, start: Point | None = None, methods: str | Sequence[str] | None = None,
            optimizer: str = "gd", lr: float = 1e-3, steps: int = 500, tol: float = 1e-8,
            beta: float = 0.9, variables=None, **options) -> Descent:
    """Gradient descent from ``start`` driven by each method (``diffcompare descent``)."""
    chosen = _options(options)
    found = descent_study.descend(as_problem(f, start, variables, chosen.budget),
                                  analysis.select_methods(methods), optimizer, lr, steps,
                                  tol, beta, options=chosen)
    return _rebuilt(Descent, found)
