"""forward-ad (dual numbers) and reverse-ad (adjoint sweep) over the problem's one tape.

The passes are the seed's: forward mode seeded with e_i gives column i of the Jacobian (n
passes), seeded with v gives J·v in one; reverse mode seeded with e_j gives row j (one
forward and m reverse passes), seeded with r gives Jᵀ·r in one. Second derivatives nest
tagged duals: forward-over-forward (a pass per pair i <= j) and forward-over-reverse (a
dual forward pass and a dual reverse sweep per Hessian column).
"""

from __future__ import annotations

import numpy as np

from diffcompare.engine.arrays import flatten, split
from diffcompare.engine.dual import Dual, new_tag, primal, tangent_of
from diffcompare.methods.registry import Cost, Options, Prepared, register
from diffcompare.problems.formula import Problem


def _unit(n: int, i: int) -> list[float]:
    return [1.0 if j == i else 0.0 for j in range(n)]


class _OnTape(Prepared):
    """A formula's tape of scalars; for a program, the tape of arrays its trace recorded
    (at each point asked: the branches taken may differ), and, for second derivatives,
    the traced path's scalar tape."""

    def __init__(self, problem: Problem, options: Options):
        super().__init__(problem, options)
        self.program = problem.program is not None
        if not self.program:
            self.tape = problem.tape
            self.size = self.tape.operation_count

    def __getattr__(self, name):
        if name == "tape":  # a program's scalar tape, built only for second derivatives
            self.tape = self.problem.tape
            self.size = self.tape.operation_count
            return self.tape
        raise AttributeError(name)

    def _f(self, x: np.ndarray) -> list[float]:
        return [float(primal(y)) for y in self.tape.output_values(self.tape.forward(list(x)))]

    def _traced(self, x: np.ndarray):
        traced = self.problem.trace_at(x)
        self.size = traced.operation_count
        return traced


@register("forward-ad", family="automatic differentiation", exact=True, rtol=1e-13,
          cost={"gradient": "n forward passes with dual numbers",
                "jacobian": "n forward passes (one column each)",
                "jvp": "one forward pass seeded with v",
                "vjp": "n forward passes (the whole Jacobian), then Jᵀ·r",
                "hessian": "n(n+1)/2 forward passes with nested duals (forward-over-forward)",
                "hvp": "n forward passes with nested duals"})
class ForwardAD(_OnTape):
    def _jacobian(self, x: np.ndarray):
        if self.program:
            return self._program_passes(x, None)
        n, columns, f = self.problem.n, [], None
        for i in range(n):
            f, tangents = self.tape.jvp(list(x), _unit(n, i))
            columns.append([float(t) for t in tangents])
        if f is None:
            f = self._f(x)
        return self.result("jacobian", np.array(columns).T.reshape(self.problem.m, n), f,
                           Cost(f_evals=n, forward_passes=n), size=self.size)

    def _program_passes(self, x: np.ndarray, v: np.ndarray | None):
        """A program's Jacobian (n passes, input i's tangent e_i) or J·v (one pass), each
        pass a sweep of tangent arrays over its traced tape."""
        traced = self._traced(x)
        shapes = self.problem.shapes
        seeds = [v] if v is not None else (np.eye(1, self.problem.n, i)[0]
                                           for i in range(self.problem.n))
        columns = [flatten(traced.jvp(split(seed, shapes))) for seed in seeds]
        passes = len(columns)
        if v is not None:
            return self.result("jvp", columns[0], traced.f(),
                               Cost(f_evals=1, forward_passes=1), size=self.size)
        jacobian = np.array(columns).T.reshape(self.problem.m, self.problem.n)
        return self.result("jacobian", jacobian, traced.f(),
                           Cost(f_evals=passes, forward_passes=passes), size=self.size)

    def _jvp(self, x: np.ndarray, v: np.ndarray):
        if self.program:
            return self._program_passes(x, v)
        f, tangents = self.tape.jvp(list(x), list(v))
        return self.result("jvp", [float(t) for t in tangents], [float(y) for y in f],
                           Cost(f_evals=1, forward_passes=1), size=self.size)

    def _second(self, x: np.ndarray, u, w) -> tuple[float, float]:
        """(f, uᵀ H w) from one pass with a dual inside a dual."""
        inner, outer = new_tag(), new_tag()
        seeded = [Dual(Dual(xi, wi, inner), Dual(ui, 0.0, inner), outer)
                  for xi, ui, wi in zip(x, u, w)]
        y = self.tape.output_values(self.tape.forward(seeded))[0]
        return float(primal(y)), float(tangent_of(tangent_of(y, outer), inner))

    def _hessian(self, x: np.ndarray):
        n = self.problem.n
        self.require_one_output("hessian")
        hessian, f = np.zeros((n, n)), float("nan")
        for i in range(n):
            for j in range(i, n):
                f, hessian[i, j] = self._second(x, _unit(n, i), _unit(n, j))
                hessian[j, i] = hessian[i, j]
        passes = n * (n + 1) // 2
        return self.result("hessian", hessian, f if n else self._f(x),
                           Cost(f_evals=passes, forward_passes=passes), size=self.size)

    def _hvp(self, x: np.ndarray, v: np.ndarray):
        n = self.problem.n
        self.require_one_output("hvp")
        found = [self._second(x, _unit(n, i), v) for i in range(n)]
        return self.result("hvp", [h for _, h in found], found[0][0] if n else self._f(x),
                           Cost(f_evals=n, forward_passes=n), size=self.size)


@register("reverse-ad", family="automatic differentiation", exact=True, rtol=1e-13,
          cost={"gradient": "one forward and one reverse pass",
                "jacobian": "one forward and m reverse passes (one row each)",
                "jvp": "one forward and m reverse passes (the whole Jacobian), then J·v",
                "vjp": "one forward and one reverse pass seeded with r",
                "hessian": "n dual forward and n dual reverse passes (forward-over-reverse)",
                "hvp": "one dual forward and one dual reverse pass"})
class ReverseAD(_OnTape):
    def __init__(self, problem: Problem, options: Options):
        super().__init__(problem, options)
        if not self.program:
            self.size = self.tape.operation_count + self.tape.partial_count

    def _rows(self, values, cotangents) -> list[list[float]]:
        n = self.problem.n
        rows = []
        for r in cotangents:
            adjoints = self.tape.reverse(values, r)
            rows.append([float(adjoints[i]) for i in range(n)])
        return rows

    def _program_rows(self, x: np.ndarray, cotangents) -> tuple[np.ndarray, np.ndarray]:
        """(f, the rows Jᵀ·r for each cotangent r): one trace, one reverse sweep each."""
        traced = self._traced(x)
        rows = np.array([flatten(traced.reverse(list(r))) for r in cotangents])
        return traced.f(), rows.reshape(len(cotangents), self.problem.n)

    def _jacobian(self, x: np.ndarray):
        m, n = self.problem.m, self.problem.n
        if self.program:
            f, jacobian = self._program_rows(x, np.eye(m))
            return self.result("jacobian", jacobian, f,
                               Cost(f_evals=1, forward_passes=1, reverse_passes=m),
                               size=self.size)
        values = self.tape.forward(list(x))
        jacobian = np.array(self._rows(values, [_unit(m, j) for j in range(m)])).reshape(m, n)
        f = [float(y) for y in self.tape.output_values(values)]
        cost = Cost(f_evals=1, forward_passes=1, reverse_passes=m)
        warnings = ()
        # Where the sweep meets an indeterminate form (-inf + inf: the adjoint of log(0) in
        # (x - x)**(x - x) pushed through x - x), a forward pass, whose exact zero tangents
        # are structural zeros, gives the entry; it is counted, and said.
        missing = [i for i in range(n) if np.isnan(jacobian[:, i]).any()]
        if missing and all(np.isfinite(f)):
            for i in missing:
                _, tangents = self.tape.jvp(list(x), _unit(n, i))
                column = np.array([float(t) for t in tangents])
                jacobian[:, i] = np.where(np.isnan(jacobian[:, i]), column, jacobian[:, i])
            cost = cost + Cost(f_evals=len(missing), forward_passes=len(missing))
            names = ", ".join(self.problem.variables[i] for i in missing)
            warnings = (f"the reverse sweep met an indeterminate form (inf - inf or 0·inf) "
                        f"on the way to {names}; those entries come from a forward pass",)
        return self.result("jacobian", jacobian, f, cost, size=self.size, warnings=warnings)

    def _vjp(self, x: np.ndarray, r: np.ndarray):
        if self.program:
            f, (row,) = self._program_rows(x, [r])
            return self.result("vjp", row, f,
                               Cost(f_evals=1, forward_passes=1, reverse_passes=1),
                               size=self.size)
        values = self.tape.forward(list(x))
        (row,) = self._rows(values, [list(r)])
        f = [float(y) for y in self.tape.output_values(values)]
        return self.result("vjp", row, f, Cost(f_evals=1, forward_passes=1, reverse_passes=1),
                           size=self.size)

    def _over_reverse(self, x: np.ndarray, v) -> tuple[float, list[float]]:
        """(f, H·v): the reverse sweep run on duals whose tangents carry v."""
        tag = new_tag()
        values = self.tape.forward([Dual(xi, vi, tag) for xi, vi in zip(x, v)])
        adjoints = self.tape.reverse(values)
        f = float(primal(self.tape.output_values(values)[0]))
        return f, [float(tangent_of(adjoints[i], tag)) for i in range(self.problem.n)]

    def _hessian(self, x: np.ndarray):
        n = self.problem.n
        self.require_one_output("hessian")
        found = [self._over_reverse(x, _unit(n, i)) for i in range(n)]
        hessian = np.array([column for _, column in found]).T.reshape(n, n)
        f = found[0][0] if n else float("nan")
        return self.result("hessian", hessian, f,
                           Cost(f_evals=n, forward_passes=n, reverse_passes=n), size=self.size)

    def _hvp(self, x: np.ndarray, v: np.ndarray):
        self.require_one_output("hvp")
        f, column = self._over_reverse(x, v)
        return self.result("hvp", column, f, Cost(f_evals=1, forward_passes=1, reverse_passes=1),
                           size=self.size)
