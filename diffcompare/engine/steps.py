"""The language of the gradient's plans: straight-line steps over named registers, each one
numpy call (``Prim``) on registers and literals (``Lit``), which the reverse sweep runs
(``Plan.run``, ``execute``) and the gradient code prints (engine/codegen.py). Both are the
same steps, calling the same numpy functions in the same order: they agree bit for bit.
engine/plan.py writes a tape's plan in it; engine/blocks.py and engine/buffers.py rewrite a
plan's steps; engine/plans.py puts them together.
"""

from __future__ import annotations

import functools
import keyword
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from diffcompare import ops
from diffcompare.engine import pool
from diffcompare.errors import MethodError

# names the code uses itself: an input called so is renamed x_<i>
RESERVED = re.compile(r"^([vtrCK]\d+|buf\d+|np|PathChanged|value_and_grad|value_and_vjp|cotangent"
                      r"|BUFFERS|BLOCKS|block|lo|hi|width)$|_bar$|_parts$")


class PathChanged(ArithmeticError):
    """A guard failed: at this point the program takes another path than the traced one."""


@dataclass(frozen=True)
class Prim:
    """A numpy call: ``text`` writes it with operands {0}, {1}...; ``fn`` computes it. A
    statement writes into its first operand (in place) and has no result."""

    text: str
    fn: Callable
    statement: bool = False


@dataclass(frozen=True)
class Lit:
    """An operand written into the code as it is: a number, a shape, an axis, a key."""

    value: object
    text: str


@dataclass(frozen=True)
class Step:
    target: str | None  # the register written (None: a statement)
    prim: Prim
    operands: tuple  # register names, or Lit

    def line(self) -> str:
        code = self.prim.text.format(*(o if isinstance(o, str) else o.text
                                       for o in self.operands))
        return code if self.target is None else f"{self.target} = {code}"


def statement(text: str, fn: Callable) -> Prim:
    return Prim(text, fn, statement=True)


def _set_at(target, key, value):
    target[key] = value


def _add_at(target, key, value):
    target[key] += value


def _sub_at(target, key, value):
    target[key] -= value


def _set_flat(target, index, value):
    target.flat[index] = value


BINARY = {ops.ADD: Prim("{0} + {1}", operator.add), ops.SUB: Prim("{0} - {1}", operator.sub),
          ops.MUL: Prim("{0} * {1}", operator.mul), ops.DIV: Prim("{0} / {1}", operator.truediv),
          ops.POW: Prim("{0} ** {1}", operator.pow)}
MUL, DIV, ADD = BINARY[ops.MUL], BINARY[ops.DIV], BINARY[ops.ADD]
NEGATE = Prim("-{0}", operator.neg)
NUMPY_NAMES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan"}
ADD_INTO = statement("{0} += {1}", operator.iadd)
SUB_INTO = statement("{0} -= {1}", operator.isub)
MUL_INTO = statement("{0} *= {1}", operator.imul)
SET_AT = statement("{0}[{1}] = {2}", _set_at)
ADD_AT = statement("{0}[{1}] += {2}", _add_at)
SUB_AT = statement("{0}[{1}] -= {2}", _sub_at)
SCALED_AT = statement("np.multiply({1}, {2}, out={0}[{3}])",
                       lambda t, a, s, k: np.multiply(a, s, out=t[k]))
SCATTER_ADD = statement("np.add.at({0}, {1}, {2})", np.add.at)
SET_FLAT = statement("{0}.flat[{1}] = {2}", _set_flat)
ZEROS = Prim("np.zeros({0})", np.zeros)
EMPTY = Prim("np.empty({0})", np.empty)
FULL = Prim("np.full({0}, {1})", np.full)
SUM_AXES = Prim("np.sum({0}, axis={1})", lambda a, axis: np.sum(a, axis=axis))
RESHAPE = Prim("np.reshape({0}, {1})", np.reshape)
WHERE_PICK = Prim("np.where({0}, {1}, {2})", np.where)
SCALAR = Prim("np.float64({0})", np.float64)
COPY = Prim("{0}.copy()", np.copy)


def function_prim(op: ops.Op) -> Prim:
    """An elementwise operation of the table as a numpy call."""
    if op in BINARY:
        return BINARY[op]
    if op is ops.NEG:
        return NEGATE
    name = NUMPY_NAMES.get(op.name, op.name)
    fn = getattr(np, name, None)
    if fn is None or op.arity != 1:
        raise MethodError(f"{op.name} has no numpy function to write the gradient code with")
    return Prim(f"np.{name}({{0}})", fn)


def number(value: float) -> Lit:
    return Lit(float(value), repr(float(value)))


def shape_literal(shape) -> Lit:
    return Lit(tuple(shape), repr(tuple(int(n) for n in shape)))


def code_of(value) -> str:
    """A static parameter (an axis, a shape, an index) as Python code."""
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, np.integer):
        return repr(int(value))
    if value is Ellipsis:
        return "..."
    if isinstance(value, slice):
        parts = ["" if p is None else str(int(p)) for p in (value.start, value.stop, value.step)]
        return ":".join(parts[:2]) + (f":{parts[2]}" if parts[2] else "")
    if isinstance(value, tuple):
        return "(" + ", ".join(code_of(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    raise MethodError(f"{value!r} cannot be written into the gradient code")


def key_literal(key) -> Lit:
    """A basic index as code: x[1:], W[:, 0]."""
    if isinstance(key, tuple):
        return Lit(key, ", ".join(code_of(k) for k in key) if key else "()")
    return Lit(key, code_of(key))


def is_one(operand) -> bool:
    return isinstance(operand, Lit) and operand.value == 1.0


@dataclass
class Plan:
    """Forward steps, guards and reverse steps over registers; see the module's docstring."""

    inputs: tuple[str, ...]  # the inputs' registers, in order
    shapes: tuple[tuple[int, ...], ...]  # the inputs' shapes
    forward: list
    guards: list
    reverse: list
    outputs: tuple  # the outputs' registers (or Lit)
    gradient: tuple  # per input, its adjoint's register (or Lit)
    constants: dict  # register -> array constant the code holds by name
    seeds: tuple[str, ...]  # the cotangent's registers, one per output; (): a seed of 1
    names: dict  # slot -> register of its value
    buffers: tuple = ()  # shapes of the buffers b0, b1, ... (engine/buffers.py)
    blocks: object = None  # the same steps a block of entries at a time (engine/blocks.py)
    constant_slots: dict | None = None  # register -> the slot of an array constant it holds
    # an inf or a nan in any entry of the inputs makes an output not finite (finite.py)
    spreads_nonfinite: bool = False

    def run(self, inputs: Sequence | None = None, cotangent: Sequence | None = None,
            values: Sequence | None = None) -> tuple[list, list]:
        """(outputs, the inputs' adjoints): the forward steps and guards on ``inputs`` or,
        given a sweep's ``values`` (the tape's at its traced point), those; then the
        reverse steps: the very steps the gradient code prints."""
        env = dict(self.constants)
        if self.blocks is None:
            for shape, register in zip(self.buffers, self._buffer_registers):
                env[register] = pool.empty(shape)
        with np.errstate(all="ignore"):
            if values is None:
                for register, value in zip(self.inputs, inputs):
                    env[register] = np.array(value, dtype=float) if np.ndim(value) \
                        else np.float64(value)
                if self.blocks is None:
                    execute(self.forward, env)
                    execute(self.guards, env)
            else:  # only what the reverse steps and the outputs read: the rest may be let go
                for slot, register in self.swept_slots:
                    value = values[slot]
                    env[register] = value if isinstance(value, np.ndarray) and value.ndim \
                        else np.float64(value)
            for register, r in zip(self.seeds, cotangent if self.seeds else ()):
                env[register] = np.float64(r)
            if self.blocks is None:
                execute(self.reverse, env)
            else:
                self.blocks.run(env, from_inputs=values is None)
        return [_read(o, env) for o in self.outputs], [_read(g, env) for g in self.gradient]


    @functools.cached_property
    def _buffer_registers(self) -> tuple[str, ...]:
        return tuple(f"buf{i}" for i in range(len(self.buffers)))

    @functools.cached_property
    def swept_slots(self) -> tuple[tuple[int, str], ...]:
        """(slot, register) of the values a reverse sweep over a tape's values binds."""
        outputs = {o for o in self.outputs if isinstance(o, str)}
        return tuple((slot, register) for slot, register in self.names.items()
                     if slot in self.slots_read or register in outputs)

    @functools.cached_property
    def slots_read(self) -> frozenset[int]:
        """The slots whose values the reverse steps read (the rest may be let go)."""
        read = {o for step in self.reverse for o in step.operands if isinstance(o, str)}
        return frozenset(slot for slot, register in self.names.items() if register in read)


def _read(operand, env):
    return operand.value if isinstance(operand, Lit) else env[operand]


def execute(steps: Sequence, env: dict) -> None:
    """Run steps on the registers in ``env`` (an operand that is not a register is a Lit,
    or a Window of one: engine/blocks.py)."""
    for step in steps:
        result = step.prim.fn(*[env[o] if isinstance(o, str) else
                                o.value if isinstance(o, Lit) else o.of(env)
                                for o in step.operands])
        if step.target is not None:
            env[step.target] = result


def register_names(names: Sequence[str]) -> list[str]:
    """The inputs' names as Python parameters: kept where they are identifiers that clash
    with nothing the code uses, else x_0, x_1, ..."""
    chosen = []
    for i, name in enumerate(names):
        usable = name.isidentifier() and not keyword.iskeyword(name) and \
            not RESERVED.search(name) and name not in chosen
        chosen.append(name if usable else f"x_{i}")
    return chosen
