"""A formula's tape: the Wengert list of f: R^n -> R^m, a scalar per slot.

Slots 0..n-1 hold the inputs (the problem's variables, in order); every other distinct node
of the outputs gets one slot after its arguments, so a sub-expression shared within or
across outputs is evaluated once and its adjoint collects every use. A record is
(operation, argument slots): no closures, no Python object per node at run time. Values may
be floats, complex numbers, numpy arrays (a whole finite-difference stencil in one sweep),
dual numbers (nested for second derivatives) or mpmath numbers (the exact reference).

It implements the tape interface (engine/tape.py). Its sweeps: ``forward`` (values),
``jvp`` (one forward pass with dual numbers: J·v), ``tangents`` (the same over values already
swept) and ``reverse`` (one backward pass from a cotangent r: every slot's adjoint, the
inputs' being Jᵀ·r). Swept over arrays (a finite-difference stencil's points as columns) it
also says which kinks and singular points the stencil's points straddle (``stencil``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter

import numpy as np

from diffcompare import ops
from diffcompare.engine.balls import ball, is_ball
from diffcompare.engine.dual import Dual, new_tag, primal, tangent_of
from diffcompare.engine.tape import Site, StencilSweep, Tape, as_flat
from diffcompare.expr import (
    Call,
    Const,
    Expr,
    Var,
    building,
    depends_on,
    postorder,
    shorten,
    to_text,
)


@dataclass(frozen=True, eq=False)
class ScalarTape(Tape):
    variables: tuple[str, ...]
    nodes: tuple[Expr | None, ...]  # the node behind each slot (None: an unused input)
    ops: tuple[ops.Op | None, ...]  # None for inputs and constants
    args: tuple[tuple[int, ...], ...]
    constants: tuple[float | None, ...]
    active: tuple[bool, ...]  # does the slot depend on an input?
    outputs: tuple[int, ...]  # the slot of each output y1..ym

    @property
    def output(self) -> int:
        """The slot of f when there is one output."""
        if len(self.outputs) != 1:
            raise ValueError(f"the tape has {len(self.outputs)} outputs, not one")
        return self.outputs[0]

    @property
    def n_outputs(self) -> int:
        return len(self.outputs)

    @classmethod
    def record(cls, outputs: Expr | Sequence[Expr], variables: Sequence[str]) -> ScalarTape:
        """Flatten the outputs: inputs first, then constants, then operations by level (an
        operation comes as soon as its arguments are ready, as in Baydin et al.'s tables)."""
        roots = (outputs,) if isinstance(outputs, Expr) else tuple(outputs)
        with building():
            # the tables of the flattening die with _flatten's frame, before the collector
            # is back: its first pass, due at once, then scans only the tape (10 ms at 10^5
            # operations, against 31 ms with the tables alive)
            return cls(*_flatten(roots, variables))

    def __len__(self) -> int:
        return len(self.ops)

    @cached_property
    def float_plan(self):
        """This tape compiled for sweeps on plain floats (engine/floats.py)."""
        from diffcompare.engine.floats import FloatPlan

        return FloatPlan(self)

    @property
    def n_inputs(self) -> int:
        return len(self.variables)

    @property
    def n(self) -> int:
        return len(self.variables)

    @property
    def m(self) -> int:
        return len(self.outputs)

    @property
    def scalar_operations(self) -> int:
        return self.operation_count

    @property
    def operation_count(self) -> int:
        """Elementary operations one forward sweep performs."""
        return sum(1 for op in self.ops if op is not None and op.arity > 0)

    @property
    def partial_count(self) -> int:
        """Local partial derivatives one reverse sweep evaluates (active arguments only)."""
        return sum(1 for op, a in zip(self.ops, self.args) if op is not None
                   for j in a if self.active[j])

    def forward(self, inputs: Sequence, exact_constants=None,
                structural_zeros: bool = False) -> list:
        """Values of every slot. ``inputs`` may be floats, complex, arrays, dual numbers or
        balls; for balls each constant is its exact rational as a ball (``exact_constants``
        converts them for other numbers, given the Fraction, or pi's and e's Op; otherwise
        constants are floats). With
        ``structural_zeros`` (for a tape of derivative expressions), an exact zero in an
        operation's zero-absorbing position gives 0 (ops.Op.zero_absorbing)."""
        if isinstance(inputs, np.ndarray):  # a flat point: its entries as Python numbers
            inputs = inputs.tolist() if inputs.dtype != object else list(inputs)
        if len(inputs) != self.n_inputs:
            raise ValueError(f"expected {self.n_inputs} inputs, got {len(inputs)}")
        if exact_constants is None and not structural_zeros and \
                all(type(x) is float for x in inputs):
            return self.float_plan.forward(inputs)  # the same numbers, fewer calls
        if exact_constants is None and inputs and is_ball(primal(inputs[0])):
            exact_constants = ball  # the reference follows the expression as written
        values: list = list(inputs)
        apply, zero = ops.apply, ops.is_exact_zero
        for slot in range(self.n_inputs, len(self.ops)):
            op = self.ops[slot]
            if op is not None and not op.arity:  # pi, e: a ball of its own among balls,
                values.append(op.ball() if exact_constants is ball else op.real()  # or
                              if exact_constants is None else exact_constants(op))  # a node
            elif op is not None:
                arguments = [values[j] for j in self.args[slot]]
                if structural_zeros and any(zero(arguments[i]) for i in op.zero_absorbing):
                    values.append(0.0)
                else:
                    values.append(apply(op, *arguments))
            elif exact_constants is not None:
                values.append(exact_constants(self.nodes[slot].value))
            else:
                values.append(self.constants[slot])
        return values

    def rounding_bounds(self, values: Sequence[float]) -> list[float]:
        """A first-order bound on the rounding error of each output, from one forward sweep
        (Wilkinson's running error analysis): every operation rounds its result by at most
        u·|v| (+, -, * by exactly what an error-free transformation says: ops.Op.rounding),
        and errors already there flow on through its partials, e_v = u·|v| + Σ |∂v/∂a|·e_a.
        Inputs are exact; a constant that is not a float carries its own rounding (0.3 is
        not 3/10)."""
        unit = 2.0 ** -53
        error = [0.0] * len(self.ops)
        for slot in range(self.n_inputs, len(self.ops)):
            op = self.ops[slot]
            if op is None:
                node = self.nodes[slot]
                if node is not None and float(node.value) != node.value:
                    error[slot] = unit * abs(float(node.value))
                continue
            arguments = [values[j] for j in self.args[slot]]
            total = unit * abs(float(values[slot]))
            if op.rounding is not None:  # its own rounding, exactly (0 when exact; nan
                exact = abs(op.rounding(*(float(a) for a in arguments)))  # keeps u·|v|)
                total = exact if exact <= total else total
            for i, j in enumerate(self.args[slot]):
                if error[j]:
                    total += abs(float(op.partials[i](*arguments))) * error[j]
            error[slot] = total
        return [error[k] for k in self.outputs]

    def output_values(self, values: Sequence) -> list:
        return [values[k] for k in self.outputs]

    def outputs_of(self, values: Sequence) -> list:
        return [values[k] for k in self.outputs]

    def jvp(self, x: Sequence, v: Sequence) -> tuple[list, list]:
        """(f(x), J·v) in one forward pass: each input x_i carries the tangent v_i."""
        tag = new_tag()
        seeded = [Dual(xi, vi, tag) if vi != 0 else xi for xi, vi in zip(as_flat(x), as_flat(v))]
        out = self.output_values(self.forward(seeded))
        return [primal_at(y, tag) for y in out], [tangent_of(y, tag) for y in out]

    def tangents(self, values: Sequence, v: Sequence) -> list:
        """J·v over a forward sweep's values: each slot's tangent is the chain rule over its
        arguments' (an exact zero tangent contributes nothing, as in the dual numbers)."""
        tangent: list = [0.0] * len(self.ops)
        tangent[: self.n_inputs] = as_flat(v)
        zero = ops.is_exact_zero
        for slot in range(self.n_inputs, len(self.ops)):
            op = self.ops[slot]
            if op is None or not self.active[slot]:
                continue
            arg_slots = self.args[slot]
            total = 0.0
            for i, j in enumerate(arg_slots):
                if self.active[j] and not zero(tangent[j]):
                    total = total + op.partials[i](*[values[a] for a in arg_slots]) * tangent[j]
            tangent[slot] = total
        return [tangent[k] for k in self.outputs]

    def adjoints(self, values: Sequence, r: Sequence) -> list:
        return self.reverse(values, as_flat(r))[: self.n_inputs]

    def hvp(self, x: Sequence, v: Sequence) -> tuple[object, list]:
        """(f, H·v): the reverse sweep run on duals whose tangents carry v."""
        tag = new_tag()
        values = self.forward([Dual(xi, vi, tag) for xi, vi in zip(as_flat(x), as_flat(v))])
        adjoints = self.reverse(values)
        return primal(values[self.output]), [tangent_of(adjoints[i], tag)
                                             for i in range(self.n_inputs)]

    def second(self, x: Sequence, u: Sequence, w: Sequence) -> tuple[object, object]:
        """(f, uᵀ H w) from one pass with a dual inside a dual."""
        inner, outer = new_tag(), new_tag()
        seeded = [Dual(Dual(xi, wi, inner), Dual(ui, 0.0, inner), outer)
                  for xi, ui, wi in zip(as_flat(x), as_flat(u), as_flat(w))]
        y = self.forward(seeded)[self.output]
        return primal(y), tangent_of(tangent_of(y, outer), inner)

    def stencil(self, columns: Sequence) -> StencilSweep:
        """Every slot over the stencil's points (each input a column of them) in one sweep."""
        with np.errstate(all="ignore"):
            slots = self.forward(list(columns))
        points = max((np.size(c) for c in columns), default=1)
        f = np.array([np.broadcast_to(slots[k], (points,)) for k in self.outputs])
        return StencilSweep(f, SlotReader(self, slots, points))

    @cached_property
    def slot_inputs(self) -> list[frozenset[int]]:
        """For every slot, the inputs (by index) it depends on."""
        found: list[frozenset[int]] = [frozenset((i,)) for i in range(self.n_inputs)]
        empty: frozenset[int] = frozenset()
        for slot in range(self.n_inputs, len(self.ops)):
            args = self.args[slot]
            found.append(found[args[0]] if len(args) == 1 else
                         empty.union(*(found[j] for j in args)))
        return found

    def sites(self, point: Sequence | None = None):
        """Every operation at ``point`` (floats), with the text of its node when asked."""
        with np.errstate(all="ignore"):
            values = self.forward(list(point))
        inputs = self.slot_inputs
        for slot, op in enumerate(self.ops):
            if op is None or not op.arity:
                continue
            node = self.nodes[slot]
            yield Site(op, [values[j] for j in self.args[slot]], values[slot],
                       inputs[slot], lambda node=node: shorten(to_text(node)))

    def choice_ties(self) -> frozenset[int]:
        return frozenset()  # a formula has no max or min

    def scalar_view(self) -> ScalarTape:
        """The tape as scalar records: itself (a program's tape gives its path's)."""
        return self

    def reverse(self, values: Sequence, cotangent: Sequence | None = None) -> list:
        """Adjoints of every slot: one sweep from the outputs, seeded with the cotangent r
        (default 1 for a single output), back to the inputs; the inputs' are Jᵀ·r."""
        if cotangent is None:
            cotangent = (1.0,) * self.n_outputs
        if len(cotangent) != self.n_outputs:
            raise ValueError(f"expected {self.n_outputs} cotangent entries, got {len(cotangent)}")
        if all(type(values[i]) is float for i in range(self.n_inputs)) and \
                all(type(r) in (float, int) for r in cotangent):
            return self.float_plan.reverse(values, cotangent)
        adjoint: list = [0.0] * len(self.ops)
        for slot, r in zip(self.outputs, cotangent):
            adjoint[slot] = adjoint[slot] + r
        active = self.active
        for k in range(len(self.ops) - 1, self.n_inputs - 1, -1):
            op = self.ops[k]
            if op is None or not active[k]:
                continue
            bar = adjoint[k]
            if isinstance(bar, float) and bar == 0.0:
                continue
            arg_slots = self.args[k]
            arg_values = [values[j] for j in arg_slots]
            for i, j in enumerate(arg_slots):
                if active[j]:
                    partial = op.partials[i](*arg_values)
                    if not ops.is_exact_zero(partial):  # a structural zero: 0·∞ = 0
                        adjoint[j] = adjoint[j] + bar * partial
        return adjoint


def primal_at(value, tag: int):
    """The value with the dual part of ``tag`` removed (newer tags' structure is kept)."""
    if not isinstance(value, Dual) or value.tag < tag:
        return value
    if value.tag == tag:
        return value.primal
    return Dual(primal_at(value.primal, tag), primal_at(value.tangent, tag), value.tag)


def _flatten(roots: tuple[Expr, ...], variables: Sequence[str]) -> tuple:
    """A tape's fields, in order: the outputs' distinct nodes in slots (see record).

    The nodes are read once, in post-order (the order the parser made them in, so the order
    they lie in memory), into lists: each node's level (leaves 0, an operation one more than
    its deepest argument), its operation, its arguments' positions in that order, and
    whether it depends on an input. Everything after reads those lists. A tree of 10^5
    operations is larger than the cache, and a second walk over its nodes in slot order
    (the arguments' slots looked up node by node) made recording 1.7x slower per operation
    than at 10^4."""
    n = len(variables)
    var_slot = {name: i for i, name in enumerate(variables)}
    order = postorder_all(roots)
    inputs: list[Expr | None] = [None] * n
    position: dict[Expr, int] = {}  # (nodes are interned: equal is identical)
    levels: list[int] = []
    operations: list[ops.Op | None] = []
    firsts: list[int] = []  # per position: the first argument's position, or -1
    seconds: list[int] = []  # the second's, or -1
    active: list[bool] = []
    variable_positions: list[int] = []
    for at, node in enumerate(order):
        position[node] = at
        kind = type(node)
        if kind is Call and node.args:
            below = node.args
            a = position[below[0]]
            if len(below) == 2:  # (arity is at most 2: ops.py)
                b = position[below[1]]
                level_a, level_b = levels[a], levels[b]
                levels.append((level_a if level_a > level_b else level_b) + 1)
                seconds.append(b)
                active.append(active[a] or active[b])
            else:
                levels.append(levels[a] + 1)
                seconds.append(-1)
                active.append(active[a])
            firsts.append(a)
            operations.append(node.op)
            continue
        levels.append(0)
        firsts.append(-1)
        seconds.append(-1)
        if kind is Var:
            if node.name not in var_slot:
                raise KeyError(f"variable {node.name!r} is not among {list(variables)}")
            inputs[var_slot[node.name]] = node
            variable_positions.append(at)
            operations.append(None)
            active.append(True)
        else:  # a constant, or pi and e (operations of no argument)
            operations.append(None if kind is Const else node.op)
            active.append(False)
    # Slots: the inputs, then the leaves (constants, pi and e), then the operations level
    # by level, each level in post-order (a stable sort by level; the inputs sort first)
    key = np.array(levels)
    key[variable_positions] = -1
    ranked = np.argsort(key, kind="stable")[len(variable_positions):]
    slot_at = np.empty(len(order), dtype=np.intp)
    slot_at[ranked] = np.arange(n, n + len(ranked))
    slot_at[variable_positions] = [var_slot[order[p].name] for p in variable_positions]
    leaf_count = int(np.count_nonzero(key == 0))
    ranked_list = ranked.tolist()
    nodes = _picked(order, ranked_list)
    leaves = nodes[:leaf_count]
    operation_positions = ranked[leaf_count:]
    first_slots = slot_at[np.array(firsts)[operation_positions]].tolist()
    second_positions = np.array(seconds)[operation_positions]
    args = list(zip(first_slots, slot_at[second_positions].tolist()))
    for k in np.flatnonzero(second_positions < 0).tolist():  # one argument
        args[k] = (first_slots[k],)
    return (
        tuple(variables), (*inputs, *nodes),
        (*[None] * n, *_picked(operations, ranked_list)),
        ((),) * (n + leaf_count) + tuple(args),
        # a constant's float, numerator / denominator, as float() of a Fraction
        # computes it (without its two int() calls)
        (*[None] * n, *[node.value.numerator / node.value.denominator
                         if type(node) is Const else None for node in leaves],
         *[None] * (len(nodes) - leaf_count)),
        (*[True] * n, *_picked(active, ranked_list)),
        tuple(slot_at[[position[root] for root in roots]].tolist()))


def _picked(items: list, positions: list[int]) -> tuple:
    """items[p] for each position p, as a tuple (itemgetter loops in C)."""
    if len(positions) > 1:
        return itemgetter(*positions)(items)
    return tuple(items[p] for p in positions)


def postorder_all(roots: Sequence[Expr]) -> list[Expr]:
    """Every distinct node of several trees once, children before parents."""
    if len(roots) == 1:
        return postorder(roots[0])
    seen: set[int] = set()
    order: list[Expr] = []
    for root in roots:
        for node in postorder(root):
            if id(node) not in seen:
                seen.add(id(node))
                order.append(node)
    return order


def evaluate(expr: Expr, variables: Sequence[str], point: Sequence):
    """The value of ``expr`` at ``point`` (floats, complex, arrays or duals)."""
    tape = ScalarTape.record(expr, variables)
    return tape.forward(point)[tape.output]


class SlotReader:
    """What a sweep over a stencil's points (``points`` columns) says about them, read off
    every slot: which operation's argument crosses its kink or its singular point."""

    def __init__(self, tape: ScalarTape, slots: list, points: int):
        self.tape, self.slots, self.points = tape, slots, points

    def _argument(self, slot: int, i: int = 0) -> np.ndarray:
        return np.broadcast_to(np.real(self.slots[self.tape.args[slot][i]]), (self.points,))

    def _depends(self, slot: int, variable: int) -> bool:
        node = self.tape.nodes[slot]
        return self.tape.variables[variable] in depends_on(node)[id(node)]

    @cached_property
    def _kinked(self) -> list[tuple[int, object]]:
        """The active slots whose operation has kinks, found once for every estimate."""
        tape = self.tape
        return [(slot, op) for slot, op in enumerate(tape.ops)
                if op is not None and op.kinks and tape.active[slot]]

    def kink_crossed(self, columns: Sequence[int], variable: int | None) -> str | None:
        tape = self.tape
        for slot, op in self._kinked:
            if variable is not None and not self._depends(slot, variable):
                continue
            seen = self._argument(slot)[list(columns)]
            for kink in op.kinks:
                if (seen == kink).any() or (seen.min() < kink < seen.max()):
                    return (f"{to_text(tape.nodes[slot])} is not differentiable where its "
                            f"argument is {kink:g}")
        return None

    def _singular_signs(self):
        """Per operation with a singular point, the sign of its indicator at every point."""
        tape = self.tape
        for slot, op in enumerate(tape.ops):
            if op is None or op.singular is None or not tape.active[slot]:
                continue
            at = [self._argument(slot, i) for i in range(len(tape.args[slot]))]
            with np.errstate(all="ignore"):
                yield np.real(op.singular(*at))

    def crossed(self, centre: int) -> np.ndarray:
        found = np.zeros(self.points, dtype=bool)
        for indicator in self._singular_signs():
            sign = np.sign(indicator)
            if sign[centre] == 0:
                continue  # x sits on it: the point's own status says what that means
            found |= sign != sign[centre]
        return found

    def singularity_distance(self, steps: Sequence[float], first: int = 1) -> float | None:
        nearest = None
        for indicator in self._singular_signs():
            centre = indicator[0]
            for k, h in enumerate(steps):
                for point in (first + 2 * k, first + 1 + 2 * k):
                    if np.sign(indicator[point]) != np.sign(centre) and np.isfinite(centre):
                        change = indicator[point] - centre
                        distance = abs(centre / change) * h if change else h
                        nearest = distance if nearest is None else min(nearest, distance)
        return nearest


__all__ = ["ScalarTape", "evaluate", "postorder_all", "primal", "primal_at"]
