"""forward-ad (dual numbers) and reverse-ad (adjoint sweep) over the problem's one tape.

The passes are the seed's: forward mode seeded with e_i gives column i of the Jacobian (n
passes), seeded with v gives J·v in one; reverse mode seeded with e_j gives row j (one
forward and m reverse passes), seeded with r gives Jᵀ·r in one. Second derivatives nest
tagged duals: forward-over-forward (a pass per pair i <= j) and forward-over-reverse (a
dual forward pass and a dual reverse sweep per Hessian column).
"""

from __future__ import annotations

import math

import numpy as np

from diffcompare.methods.kinds import KINDS
from diffcompare.methods.registry import Cost, Prepared, register
from diffcompare.runtime.budget import sweep_seconds


def _unit(n: int, i: int) -> np.ndarray:
    out = np.zeros(n)
    out[i] = 1.0
    return out


ONE = (1.0,)  # the cotangent of a single output
ONE_ROW = Cost(f_evals=1, forward_passes=1, reverse_passes=1)  # a gradient's passes


def _floats(values) -> np.ndarray:
    """A sweep's numbers as floats: an array passes through, a list is converted once."""
    return np.asarray(values, dtype=float)


class _OnTape(Prepared):
    """Both modes ask the problem's tape at the point (a formula's one tape, a program's
    trace there) through the tape interface, and nothing else. Their work is their passes
    over that tape: ``PASSES`` gives, per kind, (how many, of which numbers)."""

    PASSES: dict = {}

    def work(self, kind, x):
        if kind.name not in self.PASSES:  # composed from a kind it has passes for
            return self.work(KINDS[kind.composed_from], x)
        count, numbers = self.PASSES[kind.name](self.problem.m, self.problem.n)
        tape = self.problem.ad_tape_at(x)
        return sweep_seconds(tape, count, numbers), \
            lambda: f"{count:,} {numbers} passes over {tape.operation_count:,} records"

    def _tape(self, x: np.ndarray):
        tape = self.problem.ad_tape_at(x)
        self.size = self._size(tape)
        return tape

    @staticmethod
    def _size(tape) -> int:
        return tape.operation_count


@register("forward-ad", family="automatic differentiation", exact=True, rtol=1e-13,
          scaling_law=1, in_scale=True, sweeps_tape=True, rounds_as_tape=True,
          cost={"gradient": "n forward passes with dual numbers",
                "jacobian": "n forward passes (one column each)",
                "jvp": "one forward pass seeded with v",
                "vjp": "n forward passes (the whole Jacobian), then Jᵀ·r",
                "hessian": "n(n+1)/2 forward passes with nested duals (forward-over-forward)",
                "hvp": "n forward passes with nested duals"})
class ForwardAD(_OnTape):
    PASSES = {"gradient": lambda m, n: (n, "dual"), "jacobian": lambda m, n: (n, "dual"),
              "jvp": lambda m, n: (1, "dual"), "vjp": lambda m, n: (n, "dual"),
              "hessian": lambda m, n: (n * (n + 1) // 2, "second"),
              "hvp": lambda m, n: (n, "second")}

    def _jacobian(self, x: np.ndarray):
        tape = self._tape(x)
        n, m = self.problem.n, self.problem.m
        columns, f = [], None
        for i in range(n):
            f, tangents = tape.jvp(x, _unit(n, i))
            columns.append(_floats(tangents))
        if f is None:
            f = tape.value(x)
        jacobian = np.array(columns).T.reshape(m, n) if n else np.zeros((m, 0))
        return self.result("jacobian", jacobian, _floats(f),
                           Cost(f_evals=n, forward_passes=n), size=self.size)

    def _jvp(self, x: np.ndarray, v: np.ndarray):
        f, tangents = self._tape(x).jvp(x, v)
        return self.result("jvp", _floats(tangents), _floats(f),
                           Cost(f_evals=1, forward_passes=1), size=self.size)

    def _hessian(self, x: np.ndarray):
        self.require_one_output("hessian")
        tape, n = self._tape(x), self.problem.n
        hessian, f = np.zeros((n, n)), float("nan")
        for i in range(n):
            for j in range(i, n):
                f, hessian[i, j] = (float(v) for v in tape.second(x, _unit(n, i),
                                                                  _unit(n, j)))
                hessian[j, i] = hessian[i, j]
        passes = n * (n + 1) // 2
        return self.result("hessian", hessian, f if n else tape.value(x),
                           Cost(f_evals=passes, forward_passes=passes), size=self.size)

    def _hvp(self, x: np.ndarray, v: np.ndarray):
        self.require_one_output("hvp")
        tape, n = self._tape(x), self.problem.n
        found = [tape.second(x, _unit(n, i), v) for i in range(n)]
        return self.result("hvp", [float(h) for _, h in found],
                           float(found[0][0]) if n else tape.value(x),
                           Cost(f_evals=n, forward_passes=n), size=self.size)


@register("reverse-ad", family="automatic differentiation", exact=True, rtol=1e-13,
          scaling_law=0, in_scale=True, sweeps_tape=True, rounds_as_tape=True,
          cost={"gradient": "one forward and one reverse pass",
                "jacobian": "one forward and m reverse passes (one row each)",
                "jvp": "one forward and m reverse passes (the whole Jacobian), then J·v",
                "vjp": "one forward and one reverse pass seeded with r",
                "hessian": "n dual forward and n dual reverse passes (forward-over-reverse)",
                "hvp": "one dual forward and one dual reverse pass"})
class ReverseAD(_OnTape):
    PASSES = {"gradient": lambda m, n: (2, "float"), "jacobian": lambda m, n: (1 + m, "float"),
              "jvp": lambda m, n: (1 + m, "float"), "vjp": lambda m, n: (2, "float"),
              "hessian": lambda m, n: (n, "second"), "hvp": lambda m, n: (1, "second")}

    @staticmethod
    def _size(tape) -> int:
        return tape.operation_count + tape.partial_count

    def _gradient(self, x: np.ndarray):
        """One forward and one reverse pass: the Jacobian's one row, without composing it."""
        jacobian, f, cost, warnings = self._rows(x)
        return self.result("gradient", jacobian[0], f, cost, size=self.size, warnings=warnings)

    def _jacobian(self, x: np.ndarray):
        jacobian, f, cost, warnings = self._rows(x)
        return self.result("jacobian", jacobian, f, cost, size=self.size, warnings=warnings)

    def _rows(self, x: np.ndarray) -> tuple:
        """(the Jacobian, f, the cost, warnings): one reverse pass per row."""
        tape = self._tape(x)
        m, n = self.problem.m, self.problem.n
        if m == 1:  # one row (a gradient) is the Jacobian as it is, not copied again
            f, row = tape.vjp(x, ONE)
            jacobian = _floats(row).reshape(1, n)
        else:
            linear = tape.linearize(x)
            jacobian = np.array([_floats(linear.vjp(_unit(m, j))) for j in range(m)])
            jacobian, f = jacobian.reshape(m, n), linear.f
        f = _floats(f)
        cost = ONE_ROW if m == 1 else Cost(f_evals=1, forward_passes=1, reverse_passes=m)
        warnings = ()
        # Where the sweep meets an indeterminate form (-inf + inf: the adjoint of log(0) in
        # (x - x)**(x - x) pushed through x - x), a forward pass, whose exact zero tangents
        # are structural zeros, gives the entry; it is counted, and said. (A row's least
        # entry is nan exactly when an entry is: one pass that makes no array, where there
        # is none, and unlike a BLAS dot it wakes no threads, which cost more than the pass.)
        clean = m == 1 and (n == 0 or not math.isnan(np.minimum.reduce(jacobian[0])))
        missing = [] if clean or jacobian.size == 0 else \
            np.flatnonzero(np.isnan(jacobian).any(axis=0)).tolist()
        if missing and all(np.isfinite(f)):
            for i in missing:
                column = _floats(tape.jvp(x, _unit(n, i))[1])
                jacobian[:, i] = np.where(np.isnan(jacobian[:, i]), column, jacobian[:, i])
            cost = cost + Cost(f_evals=len(missing), forward_passes=len(missing))
            names = ", ".join(self.problem.variables[i] for i in missing)
            warnings = (f"the reverse sweep met an indeterminate form (inf - inf or 0·inf) "
                        f"on the way to {names}; those entries come from a forward pass",)
        return jacobian, f, cost, warnings

    def _vjp(self, x: np.ndarray, r: np.ndarray):
        f, row = self._tape(x).vjp(x, r)
        return self.result("vjp", _floats(row), _floats(f),
                           Cost(f_evals=1, forward_passes=1, reverse_passes=1),
                           size=self.size)

    def _hessian(self, x: np.ndarray):
        self.require_one_output("hessian")
        tape, n = self._tape(x), self.problem.n
        found = [tape.hvp(x, _unit(n, i)) for i in range(n)]
        hessian = np.array([_floats(column) for _, column in found]).T.reshape(n, n)
        f = float(found[0][0]) if n else float("nan")
        return self.result("hessian", hessian, f,
                           Cost(f_evals=n, forward_passes=n, reverse_passes=n), size=self.size)

    def _hvp(self, x: np.ndarray, v: np.ndarray):
        self.require_one_output("hvp")
        f, column = self._tape(x).hvp(x, v)
        return self.result("hvp", _floats(column), float(f),
                           Cost(f_evals=1, forward_passes=1, reverse_passes=1),
                           size=self.size)
