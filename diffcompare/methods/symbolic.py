"""symbolic: sympy's diff on the same function, its result evaluated in float64.

sympy cannot be interrupted, so it runs in a bounded worker (budget.py): prepared once per
problem, the m·n derivatives (and, when asked, the n² second derivatives) come back as our
trees and are evaluated at any point by one sweep of their tape.
"""

from __future__ import annotations

import numpy as np

from diffcompare.engine.scalar import ScalarTape
from diffcompare.errors import MethodError
from diffcompare.expr import Expr, pack, shorten, unpack
from diffcompare.methods.registry import EvaluatesExpressions, Options, register
from diffcompare.methods.sympy_bridge import from_sympy, symbols_for, to_sympy
from diffcompare.problems.base import BaseProblem as Problem
from diffcompare.runtime import workers
from diffcompare.runtime.budget import TimedOut


def sympy_gradient(expr: Expr, names) -> tuple[object, list]:
    """f and sympy's derivative with respect to each name (real symbols)."""
    import sympy

    symbols = symbols_for(names)
    f = to_sympy(expr, symbols)
    return f, [sympy.diff(f, symbols[v]) for v in names]


def _derivative_trees(outputs: tuple, names: tuple, order: int) -> tuple[tuple, int]:
    """In the worker: sympy's derivatives of each output with respect to each name (each
    pair of names for order 2), as packed trees, and their size in sympy's count_ops."""
    import sympy

    symbols = symbols_for(names)
    found = []
    for out in unpack(outputs):
        f = to_sympy(out, symbols)
        firsts = [sympy.diff(f, symbols[v]) for v in names]
        found += firsts if order == 1 else [sympy.diff(d, symbols[v]) for d in firsts
                                           for v in names]
    for d in found:
        if d.has(sympy.Derivative):
            raise MethodError(f"sympy could not differentiate: it left "
                              f"{shorten(str(d), 60)} unevaluated")
    size = sum(int(sympy.count_ops(d)) for d in found)
    return pack(from_sympy(d) for d in found), size


@register("symbolic", family="symbolic", exact=True, rtol=1e-13,
          needs_sympy=True, in_scale=True,
          cost={"gradient": "one sympy derivative per input; the expressions swell",
                "jacobian": "m·n sympy derivatives", "jvp": "m·n sympy derivatives, then J·v",
                "vjp": "m·n sympy derivatives, then Jᵀ·r",
                "hessian": "n² sympy second derivatives", "hvp": "n² sympy second derivatives"})
class Symbolic(EvaluatesExpressions):
    def __init__(self, problem: Problem, options: Options):
        super().__init__(problem, options)
        self.budget = options.clock(sympy=True)  # at --budget 0: not run
        self._jobs = {1: self._start(1)}
        self._done: dict[int, tuple[ScalarTape, int]] = {}

    def _start(self, order: int):
        """sympy's derivatives of this order, started in a worker now (sympy works on the
        other core while the float methods run here), bounded by this method's budget."""
        if self.budget.seconds is None:
            return None  # no bound: run here when asked
        if self.budget.seconds == 0:
            raise TimedOut("was not run (--budget 0)", "CPU seconds", 0.0)
        return workers.start(_derivative_trees, pack(self.problem.outputs),
                             self.problem.variables, order, budget=self.budget.fresh())

    def _trees(self, order: int) -> tuple[ScalarTape, int]:
        if order not in self._done:
            job = self._jobs.get(order) or self._start(order)
            if job is None:
                packed, size = _derivative_trees(pack(self.problem.outputs),
                                                 self.problem.variables, order)
            else:
                packed, size = job.result("sympy's derivatives")
            self._done[order] = ScalarTape.record(unpack(packed), self.problem.variables), size
        return self._done[order]

    def _jacobian(self, x: np.ndarray):
        m, n = self.problem.m, self.problem.n
        tape, size = self._trees(1)
        return self._from_tape("jacobian", tape, x, (m, n), size)

    def _hessian(self, x: np.ndarray):
        self.require_one_output("hessian")
        n = self.problem.n
        tape, size = self._trees(2)
        return self._from_tape("hessian", tape, x, (n, n), size)

    def close(self) -> None:
        for job in self._jobs.values():
            if job is not None:
                job.stop()
