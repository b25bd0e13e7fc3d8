"""reverse-ad-compiled: reverse mode as generated code (engine/codegen.py).

The gradient code is written once from the tape at the first point asked and then run at
every point: a formula's holds everywhere; a program's holds on the path it was traced on,
and its guards recheck every branch, so where one is answered otherwise the program is
traced there and the code written again (as a JIT specializes again), and the result says
so. Its numbers are the tape's reverse sweep's, bit for bit (the same plan's steps).
"""

from __future__ import annotations

import math
import threading
from typing import NamedTuple

import numpy as np

from diffcompare.errors import Cannot, MethodError
from diffcompare.methods.kinds import KINDS
from diffcompare.methods.registry import Cost, Prepared, register
from diffcompare.runtime.budget import sweep_seconds

RUNS = {"gradient": lambda m: 1, "vjp": lambda m: 1, "jacobian": lambda m: m}  # per kind
CODE_KEPT = 16  # functions whose gradient code is kept for the library's next call (below)
_CODE: dict = {}  # (function, its inputs' names and shapes) -> _Kept

# Writing the code: planning each record (its partials applied to placeholders) and
# compiling its lines, measured at about 20-40 µs per record on a 2-core machine (2026-12).
WRITE_SECONDS_PER_RECORD = 5e-5


@register("reverse-ad-compiled", family="automatic differentiation", exact=True, rtol=1e-13,
          scaling_law=0, sweeps_tape=True, rounds_as_tape=True, reuses_code=True,
          cost={"gradient": "the generated code run once: one forward and one reverse sweep",
                "jacobian": "the generated code run m times, seeded with each output",
                "jvp": "the generated code run m times (the whole Jacobian), then J·v",
                "vjp": "the generated code run once, seeded with r"})
class CompiledReverseAD(Prepared):
    def __init__(self, problem, options):
        super().__init__(problem, options)
        self._written: dict[bool, _Written] = {}  # seeded -> the code written
        self.rewrites: list[str] = []  # why the code was written again, per time

    def work(self, kind, x):
        if kind.name not in RUNS:
            return self.work(KINDS[kind.composed_from], x)
        m = self.problem.m
        runs = RUNS[kind.name](m)
        tape = self._tape if hasattr(self, "_tape") else self.problem.ad_tape_at(x)
        writing = 0.0 if self._written else WRITE_SECONDS_PER_RECORD * tape.operation_count
        return writing + sweep_seconds(tape, 2 * runs, "float"), \
            f"{runs:,} runs of the code for {tape.operation_count:,} records"

    def _code(self, x: np.ndarray, seeded: bool, again: str | None = None):
        """The generated function for x's path, written when first asked (or again where
        the path changed)."""
        from diffcompare.engine.codegen import generate, input_names

        if seeded not in self._written or again:
            tape = self.problem.ad_tape_at(x)
            try:
                generated = generate(tape, input_names(tape), self.problem.describe(),
                                     seeded=seeded)
            except MethodError as reason:
                raise Cannot(f"cannot: {reason}") from None
            self._tape = tape
            if hasattr(tape, "release"):  # the code reads none of the trace's values: its
                tape.release(set())  # buffers may take their memory (engine/pool.py)
            self._written[seeded] = _Written(generated, generated.load(), threading.Lock())
            key = self.problem.code_key()
            if key is not None and not seeded:
                _keep(key, self._written[seeded])
        return self._written[seeded]

    def _run(self, x: np.ndarray, r: np.ndarray | None):
        """(f, Jᵀ·r or the gradient) by the generated code at x."""
        from diffcompare.engine.arrays import flatten, split
        from diffcompare.engine.steps import PathChanged

        seeded = r is not None
        generated, function, lock = self._code(x, seeded)
        args = split(x, generated.plan.shapes)
        extra = (list(r),) if seeded else ()
        try:
            with lock:
                value, gradient = function(*args, *extra)
        except PathChanged as changed:
            self.rewrites.append(str(changed))
            generated, function, lock = self._code(x, seeded, again=str(changed))
            with lock:
                value, gradient = function(*args, *extra)
        parts = [gradient] if len(generated.plan.shapes) == 1 else list(gradient)
        return np.atleast_1d(np.asarray(value, dtype=float)), flatten(parts)

    def _warnings(self) -> tuple[str, ...]:
        if not self.rewrites:
            return ()
        return (f"the code was written again {len(self.rewrites)} time(s): "
                f"{self.rewrites[-1]}",)

    def _gradient(self, x: np.ndarray):
        self.require_one_output("gradient")
        f, gradient = self._run(x, None)
        return self.result("gradient", gradient, f,
                           Cost(f_evals=1, forward_passes=1, reverse_passes=1),
                           warnings=self._warnings(), size=self._size())

    def _jacobian(self, x: np.ndarray):
        m, n = self.problem.m, self.problem.n
        if m == 1:
            found = self._gradient(x)
            return self.result("jacobian", found.value.reshape(1, n), found.f, found.cost,
                               warnings=found.warnings, size=found.size)
        rows, f = [], None
        for j in range(m):
            f, row = self._run(x, np.eye(m)[j])
            rows.append(row)
        return self.result("jacobian", np.array(rows).reshape(m, n), f,
                           Cost(f_evals=m, forward_passes=m, reverse_passes=m),
                           warnings=self._warnings(), size=self._size())

    def _vjp(self, x: np.ndarray, r: np.ndarray):
        f, row = self._run(x, np.asarray(r, dtype=float))
        return self.result("vjp", row, f, Cost(f_evals=1, forward_passes=1, reverse_passes=1),
                           warnings=self._warnings(), size=self._size())

    def _size(self) -> int:
        generated = next(iter(self._written.values())).generated
        return len(generated.plan.forward) + len(generated.plan.reverse)


class _Written(NamedTuple):
    """Code written for a problem: its text and plan, its loaded function, and the lock its
    runs take (the function writes into buffers kept in its module: one run at a time)."""

    generated: object
    function: object
    lock: threading.Lock


class _Kept(NamedTuple):
    """Code kept for the library's next call, with what the function read besides its
    inputs when it was written (problems/environment.py)."""

    written: _Written
    reads: object


def _keep(key, written: _Written) -> None:
    """Keep the code for the next call on the same function and shapes, with what the
    function read besides its inputs (its constants here): the code runs again only while
    that is unchanged (problems/environment.py)."""
    from diffcompare.problems.environment import environment

    _CODE.pop(key, None)
    read = environment(key[0])
    if read is None:  # (what it reads cannot be compared: traced again at every call)
        return
    _CODE[key] = _Kept(written, read)
    while len(_CODE) > CODE_KEPT:
        _CODE.pop(next(iter(_CODE)))


def clear() -> None:
    """Forget the kept gradient code (and let go of its buffers)."""
    _CODE.clear()


def held_bytes() -> int:
    """Bytes the kept gradient code holds from call to call (its BUFFERS)."""
    from diffcompare.engine import pool

    return sum(array.nbytes for kept in _CODE.values()
               for array in kept.written.function.__globals__.get("BUFFERS", ())
               if not pool.owns(array))


def cached_gradient(function, inputs: dict):
    """The gradient of a Python function by the code written for it at an earlier call
    with inputs of the same names and shapes, without tracing it again (as a JIT runs
    its compiled code): a Derivative, or None when there is no such code, when what the
    function reads besides its inputs changed since (a global array, a closed-over
    weight: the code holds them as constants), when another thread is running it (its
    buffers are one run's), or when a guard finds another path (then the caller traces
    it as usual)."""
    import time

    from diffcompare.engine.arrays import flatten
    from diffcompare.engine.steps import PathChanged
    from diffcompare.methods.registry import Derivative
    from diffcompare.problems.points import input_value, refuse_nonfinite

    try:
        names = tuple(inputs)
        key = (function, names, tuple(np.shape(inputs[name]) for name in names))
        kept = _CODE.get(key)
    except (TypeError, ValueError):
        return None
    if kept is None or not kept.reads.unchanged():
        return None
    # checked as every way in checks them (finite numbers, InputError otherwise), as the
    # first call's were: the code would give nan for a nan where the tape refuses it. The
    # code runs first (it has no loop to go round for ever): where its plan spreads a
    # non-finite input to f, a finite f says they are all finite (engine/finite.py)
    values = [input_value(name, inputs[name], finite=False) for name in names]
    start = time.perf_counter()
    generated, run, lock = kept.written
    if not lock.acquire(blocking=False):
        return None
    try:
        value, gradient = run(*values)
    except PathChanged:
        return None
    finally:
        lock.release()
    if not (generated.plan.spreads_nonfinite and math.isfinite(value)):
        for name, entries in zip(names, values):
            refuse_nonfinite(name, entries)
    parts = [gradient] if len(names) == 1 else list(gradient)
    flat = np.ravel(parts[0]) if len(parts) == 1 and np.ndim(parts[0]) else flatten(parts)
    return Derivative(CompiledReverseAD.method, "gradient", flat,
                      np.atleast_1d(np.asarray(value, dtype=float)),
                      Cost(f_evals=1, forward_passes=1, reverse_passes=1,
                           seconds=time.perf_counter() - start),
                      size=len(generated.plan.forward) + len(generated.plan.reverse))
