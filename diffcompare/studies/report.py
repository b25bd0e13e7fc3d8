"""A function's whole picture for a page (``report``, ``serve``): the comparison of every
method, the derivation rule by rule, the evaluation traces, the computational graph and the
error against the step — each one of the library's own results, computed only when its view
is asked for. A view that cannot be made says why, and the others still come.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from diffcompare.errors import DiffcompareError, InputError


@dataclass(frozen=True)
class Settings:
    """What a page shows: the kind (its direction for jvp, vjp, hvp), the finite-difference
    step h (None: each scheme's rule), the variable of the traces and the ε plot."""

    kind: str = "gradient"
    direction: tuple[float, ...] | None = None
    h: float | None = None
    wrt: str | None = None
    budget: float | None = 5.0
    methods: str | None = None  # the table's rows, comma-separated (None: every method)


@dataclass(frozen=True)
class View:
    name: str  # stable: the URL's view=…
    title: str
    compute: Callable  # (problem, settings) -> the library's result


def _comparison(problem, settings: Settings):
    from diffcompare.analysis.compare import compare
    from diffcompare.methods import Options

    return compare(problem, settings.methods, Options(eps=settings.h, budget=settings.budget),
                   kind=settings.kind, direction=settings.direction)


def _derivation(problem, settings: Settings):
    from diffcompare.studies.derive import derive, simplified

    if problem.conditions:
        raise InputError("no derivation: the program's path holds at this point only "
                         f"({problem.conditions[0].describe()})")
    wrt = [settings.wrt] if settings.wrt else None
    return [simplified(d, settings.budget) for output in problem.outputs
            for d in derive(output, wrt)]


def _trace(problem, settings: Settings):
    from diffcompare.studies.trace import evaluation_trace

    return evaluation_trace(problem, settings.wrt, True, True, None)


def _graph(problem, settings: Settings):
    from diffcompare.studies.graph import computational_graph

    return computational_graph(problem, with_values=True, wrt=settings.wrt, tangents=True)


def _epsplot(problem, settings: Settings):
    from diffcompare.studies.epsplot import step_study

    if problem.m != 1:
        raise InputError("the ε plot is of one output's partial: this function has "
                         f"{problem.m} outputs")
    return step_study(problem, settings.wrt, budget=settings.budget)


@dataclass(frozen=True)
class Swelling:
    """The swell view's rows (studies/swell.py) and their title."""

    rows: list
    title: str


def _swell(problem, settings: Settings):
    from diffcompare.studies.swell import swell_of_expression

    if problem.conditions or problem.m != 1:
        raise InputError("the swell view measures one formula's derivatives: this function "
                         + ("has a path that holds at this point only" if problem.conditions
                            else f"has {problem.m} outputs"))
    label = problem.describe()
    return Swelling(swell_of_expression(problem.outputs[0], tuple(problem.variables), label,
                                        settings.budget), label)


DESCENT_METHODS = ("reverse-ad", "forward-fd", "central-fd")
DESCENT_STEPS = 200


def _descent(problem, settings: Settings):
    from diffcompare.methods import Options
    from diffcompare.studies.descent import descend

    if problem.m != 1:
        raise InputError(f"descent minimises one output: this function has {problem.m}")
    return descend(problem, DESCENT_METHODS, "gd", 1e-3, DESCENT_STEPS, 0.0,
                   options=Options(budget=settings.budget))


SCALE_SIZES = (10, 100, 1000)
SCALE_METHODS = ("forward-fd", "forward-ad", "reverse-ad")


def _scale(problem, settings: Settings):
    """The seeds' lesson in cost: the chained Rosenbrock at growing n (a family of its own,
    whatever the page's function)."""
    from diffcompare.studies.scale import scale_study

    return scale_study("rosenbrock", SCALE_SIZES, SCALE_METHODS,
                       budget=3 * (settings.budget or 5.0))


VIEWS: dict[str, View] = {v.name: v for v in (
    View("table", "every method, against the exact derivative", _comparison),
    View("derivation", "the manual rules, step by step", _derivation),
    View("trace", "the evaluation traces (forward and reverse mode)", _trace),
    View("graph", "the computational graph, with values, tangents and adjoints", _graph),
    View("epsplot", "the error against the step h", _epsplot),
    View("swell", "expression swell: the sizes of f and of its derivatives", _swell),
    View("descent", "gradient descent driven by each method", _descent),
    View("scale", "how each method's cost grows with n (the chained Rosenbrock)", _scale),
)}
DEFAULT_VIEWS = ("table", "derivation", "trace", "graph", "epsplot")  # "all": these


@dataclass(frozen=True)
class Panel:
    view: View
    result: object | None  # the library's result, or None with the reason
    failure: str = ""


def views_named(names: str | Sequence[str] | None) -> tuple[View, ...]:
    if names is None or names == "all":
        return tuple(VIEWS[n] for n in DEFAULT_VIEWS)
    asked = names.split(",") if isinstance(names, str) else list(names)
    unknown = [n for n in asked if n not in VIEWS]
    if unknown:
        raise InputError(f"no view {unknown[0]!r}; views: {', '.join(VIEWS)}")
    return tuple(VIEWS[n] for n in asked)


def panels(problem, settings: Settings, views: Sequence[View]) -> list[Panel]:
    """Each view of the problem; one that fails carries its reason."""
    found = []
    for view in views:
        try:
            found.append(Panel(view, view.compute(problem, settings)))
        except (DiffcompareError, ArithmeticError, ValueError) as error:
            found.append(Panel(view, None, str(error)))
    return found
