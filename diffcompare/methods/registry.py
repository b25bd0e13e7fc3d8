"""The method registry: every way of differentiating, behind one call shape.

A method is a function ``run(problem, options) -> MethodResult`` registered under a stable
name (used in flags, JSON and tables). compare(), the CLI and the tests loop over
``REGISTRY`` instead of naming methods. Importing ``diffcompare.methods`` fills it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from diffcompare.problem import Problem


@dataclass(frozen=True)
class Options:
    """Knobs shared by the methods."""

    eps: float | None = None  # finite-difference step; None: each scheme's default rule
    timeout: float | None = 5.0  # seconds for sympy (symbolic method, reference); None: none


@dataclass(frozen=True)
class MethodResult:
    """What one method computed, what it cost, and anything the user should know."""

    method: str
    value: float
    gradient: tuple[float, ...]
    f_evals: int  # evaluations of f itself (a dual or complex evaluation counts as one)
    passes: int  # sweeps over a graph or a derivative expression
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    failure: str | None = None  # set when the method could not run; the values are then nan
    error_estimate: tuple[float, ...] | None = None  # the method's own estimate (richardson)
    steps: tuple[float, ...] | None = None  # finite-difference steps actually used
    size: int | None = None  # operations in the derivative expressions or on the tape
    # Per component, what the method itself ran into ("step below spacing", or
    # "non-differentiable here" for a stencil across a kink); None: nothing.
    issues: tuple[str | None, ...] | None = None

    @classmethod
    def failed(cls, method: str, n: int, reason: str) -> MethodResult:
        nan = float("nan")
        return cls(method, nan, (nan,) * n, 0, 0, failure=reason)


@dataclass(frozen=True)
class Method:
    name: str
    family: str
    exact: bool  # exact up to rounding (the tight tolerance applies)
    cost: str  # the cost of a gradient of n inputs, in words
    run: Callable[[Problem, Options], MethodResult] = field(repr=False)


REGISTRY: dict[str, Method] = {}


def register(name: str, family: str, exact: bool, cost: str):
    """Decorator: add a method to the registry under its stable name."""

    def decorate(run: Callable[[Problem, Options], MethodResult]):
        REGISTRY[name] = Method(name, family, exact, cost, run)
        return run

    return decorate
