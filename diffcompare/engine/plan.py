"""The planner: a tape's value and gradient written as one plan in the step language of
engine/steps.py, which the reverse sweep runs and the gradient code prints.

The forward steps are the tape's records, named as the trace names them (the inputs by
their names, the operations v1, v2, ...), then a guard per condition the path rests on. The
reverse steps are the adjoint sweep, with the passes it must make and no more:

- an adjoint is a scale times an array, or the scale alone (broadcast): a sum's 1, a
  difference's -1, a constant factor, a power's exponent and a scalar value's partial
  multiply the scale, and cost no pass over memory;
- a partial c/u divides the adjoint by u (one pass, not two), and a partial that is the
  record's own value (exp's) reads that value instead of computing it again;
- a difference's adjoint is subtracted, not negated and added; a slice's adjoint is
  written into its place (``out=``); a second contribution is added in place into an array
  the sweep made itself.

The partials come from the ops table (applied to placeholders, as the manual rules do),
the shape operations' code from their ``code`` and ``vjp_code`` there: the calculus stays
in ops.py.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from diffcompare import ops
from diffcompare.engine.steps import (
    ADD,
    ADD_AT,
    ADD_INTO,
    BINARY,
    COPY,
    DIV,
    EMPTY,
    FULL,
    MUL,
    MUL_INTO,
    NEGATE,
    RESHAPE,
    SCALAR,
    SCALED_AT,
    SCATTER_ADD,
    SET_AT,
    SET_FLAT,
    SUB_AT,
    SUB_INTO,
    SUM_AXES,
    WHERE_PICK,
    ZEROS,
    Lit,
    PathChanged,
    Plan,
    Prim,
    Step,
    code_of,
    function_prim,
    is_one,
    key_literal,
    number,
    shape_literal,
    statement,
)
from diffcompare.errors import MethodError


@dataclass
class Adjoint:
    """An adjoint while planning: ``scale`` (a Lit or a scalar register) times ``array`` (a
    register), or the scale alone, broadcast; ``owned``: the sweep made the array, so it
    may be written in place."""

    scale: object
    array: str | None = None
    owned: bool = False


class Planner:
    """Builds the Plan of a tape's records: a formula's ScalarTape or a program's ArrayTape
    (both have ops, args and outputs per slot)."""

    def __init__(self, tape, input_names: Sequence[str], seeded: bool):
        self.tape = tape
        self.n_inputs = tape.n_inputs
        self.slots = len(tape.ops)
        shape_at = getattr(tape, "shape_at", None)  # (a formula's values are scalars)
        self.slot_shapes = [() if shape_at is None else tuple(shape_at(k))
                            for k in range(self.slots)]
        self.names = self._registers(input_names)
        self.shape_of = {self.names[k]: self.slot_shapes[k] for k in self.names}
        self.constants: dict = {}
        self.constant_slots: dict[str, int] = {}
        self.forward: list[Step] = []
        self.guards: list[Step] = []
        self.reverse: list[Step] = []
        self.count = 0
        self.seeded = seeded
        self.renames: dict[str, str] = {}
        # slot -> {key's text: (key, the adjoint of that slice)}: a slice's adjoint waits
        # until its slot's are all in, so that two of the same slice are added first
        self.parts: dict[int, dict[str, tuple]] = {}

    def _registers(self, input_names) -> dict[int, str]:
        """Slot -> register: the inputs by name, operations v1, v2, ... as the trace has
        them (studies/trace.py), constants none (they are written in, or held as C<slot>)."""
        names = {k: input_names[k] for k in range(self.n_inputs)}
        count = 0
        for k in range(self.n_inputs, self.slots):
            if self.tape.ops[k] is not None:
                count += 1
                names[k] = f"v{count}"
        return names

    # -- facts of the slots
    def active(self, k: int) -> bool:
        depends = getattr(self.tape, "depends", None)
        return bool(depends[k]) if depends is not None else bool(self.tape.active[k])

    def param(self, k: int):
        params = getattr(self.tape, "params", None)
        return None if params is None else params[k]

    def constant(self, k: int):
        recorded = getattr(self.tape, "recorded", None)  # (a constant is never let go)
        return recorded[k] if recorded is not None else self.tape.constants[k]

    def operand(self, k: int):
        """A slot as an operand: its register, a number written in, or an array constant
        held by name."""
        if k in self.names:
            return self.names[k]
        value = self.constant(k)
        if not np.ndim(value):
            return number(value)
        self.constant_slots[f"C{k}"] = k
        return self.hold(f"C{k}", np.asarray(value, dtype=float))

    def hold(self, register: str, value) -> str:
        self.constants[register] = value
        self.shape_of[register] = np.shape(value)
        return register

    def shape(self, operand) -> tuple[int, ...]:
        return () if isinstance(operand, Lit) else tuple(self.shape_of[operand])

    def emit(self, prim: Prim, *operands, shape=None, target: str | None = None):
        """Append a reverse step; its result's register (a new t<n> unless named)."""
        if prim.statement:
            self.reverse.append(Step(None, prim, operands))
            return None
        if target is None:
            self.count += 1
            target = f"t{self.count}"
        self.reverse.append(Step(target, prim, operands))
        self.shape_of[target] = tuple(shape) if shape is not None else \
            np.broadcast_shapes(*(self.shape(o) for o in operands))
        return target

    def times(self, a, b):
        """a * b of scalar operands, folded when both are numbers."""
        if isinstance(a, Lit) and isinstance(b, Lit):
            return number(a.value * b.value)
        if is_one(a):
            return b
        if is_one(b):
            return a
        if isinstance(a, Lit) and a.value == -1.0:
            return self.emit(NEGATE, b, shape=())
        if isinstance(b, Lit) and b.value == -1.0:
            return self.emit(NEGATE, a, shape=())
        return self.emit(MUL, a, b, shape=())

    # -- forward
    def plan_forward(self) -> None:
        for k in range(self.n_inputs, self.slots):
            op = self.tape.ops[k]
            if op is None:
                continue
            args = tuple(self.operand(j) for j in self.tape.args[k])
            if isinstance(op, ops.ShapeOp):
                prim = self.shape_forward(op, k, len(args))
            elif not op.arity:  # pi, e
                prim, args = SCALAR, (number(op.real()),)
            else:
                prim = function_prim(op)
            self.forward.append(Step(self.names[k], prim, args))

    def shape_forward(self, op: ops.ShapeOp, k: int, count: int) -> Prim:
        if op.code is None:
            raise MethodError(f"a {op.name} record cannot be written as numpy code")
        param = self.param(k)
        if op is ops.WHERE:
            param_text = self.hold(f"C{k}", np.asarray(param, dtype=bool))
        elif op is ops.GETITEM:
            param_text = key_literal(param).text if ops.basic_key(param) else \
                self.hold(f"K{k}", param)
        else:
            param_text = code_of(param)
        text = op.code.replace("{*}", ", ".join(f"{{{i}}}" for i in range(count)))
        return Prim(text.replace("{p}", param_text),
                    lambda *values, op=op, param=param: op.forward(param, *values))

    def input_slices(self) -> dict:
        """register -> (the input, offset, length) of each record that is a basic slice of a
        1-D input with step 1 (a view the blocks of engine/blocks.py can take apart)."""
        found = {}
        for k in range(self.n_inputs, self.slots):
            base, key = (self.tape.args[k] or (None,))[0], self.param(k)
            if self.tape.ops[k] is not ops.GETITEM or base is None or \
                    base >= self.n_inputs or len(self.slot_shapes[base]) != 1:
                continue
            key = key[0] if isinstance(key, tuple) and len(key) == 1 else key
            if isinstance(key, slice) and key.step in (None, 1):
                start, stop, _ = key.indices(self.slot_shapes[base][0])
                found[self.names[k]] = (self.names[base], start, max(stop - start, 0))
        return found

    def whole_sums(self) -> set[str]:
        """The registers of records that sum a whole array to a number (np.sum, no axis)."""
        return {self.names[k] for k in range(self.n_inputs, self.slots)
                if self.tape.ops[k] is ops.SUM and self.param(k) is None}

    def plan_guards(self, conditions: Sequence) -> None:
        for condition in conditions:
            if condition.guard is None:
                raise MethodError(f"{condition.describe()}, and it cannot be asked again")
            slots, relation, answer = condition.guard
            left = self.operand(slots[0])
            right = self.operand(slots[1]) if len(slots) > 1 else number(0.0)
            if np.ndim(answer):
                answer = self.hold(f"C{len(self.constants)}", answer)
            elif isinstance(answer, (bool, np.bool_)):
                answer = Lit(bool(answer), repr(bool(answer)))
            else:
                answer = Lit(int(answer), repr(int(answer)))
            message = f"{condition.what} at {condition.where} is answered otherwise"
            self.guards.append(Step(None, _guard(relation, message, answer),
                                    (left, right, answer)))

    # -- reverse
    def plan_reverse(self) -> Plan:
        outputs = tuple(self.tape.outputs)
        adjoint: dict[int, Adjoint] = {}
        seeds = tuple(f"r{j}" for j in range(len(outputs))) if self.seeded else ()
        for j, slot in enumerate(outputs):
            if seeds:
                self.shape_of[seeds[j]] = ()
            self.accumulate(adjoint, slot, Adjoint(seeds[j] if seeds else number(1.0)))
        for k in range(self.slots - 1, self.n_inputs - 1, -1):
            op = self.tape.ops[k]
            self.write_parts(adjoint, k)  # (every use of k comes after it: all are in)
            bar = adjoint.pop(k, None)
            if bar is None or op is None:
                continue
            if self.shared(op, k, bar):  # scaled once for the arguments it is passed on to
                bar = Adjoint(number(1.0), self.materialize(bar, self.slot_shapes[k]))
            self.claim(bar, f"{self.names[k]}_bar")
            for i, j in enumerate(self.tape.args[k]):
                if self.active(j):
                    if isinstance(op, ops.ShapeOp):
                        self.shape_contribution(adjoint, op, k, i, j, bar)
                    else:
                        self.contribution(adjoint, op, k, i, j, bar)
        for i in range(self.n_inputs):
            self.write_parts(adjoint, i)
        gradient = tuple(self.finish(adjoint.get(i), self.slot_shapes[i],
                                     f"{self.names[i]}_bar") for i in range(self.n_inputs))
        reverse = [self.renamed(step) for step in self.reverse]
        gradient = tuple(self.renames.get(g, g) if isinstance(g, str) else g
                         for g in gradient)  # (a gradient is a claimed temporary's name)
        return Plan(tuple(self.names[i] for i in range(self.n_inputs)),
                    tuple(self.slot_shapes[: self.n_inputs]), self.forward, self.guards,
                    reverse, tuple(self.operand(s) for s in outputs), gradient,
                    self.constants, seeds, dict(self.names),
                    constant_slots=dict(self.constant_slots))

    def claim(self, bar: Adjoint, name: str) -> None:
        """Name a slot's adjoint v<k>_bar where it is a register of its own (the scale of a
        scalar's, the array of an array's), so the code reads as the trace's v-bars."""
        register = bar.array if bar.array is not None and is_one(bar.scale) else \
            bar.scale if bar.array is None else None
        if self.unclaimed(register):
            self.renames[register] = name

    def renamed(self, step: Step) -> Step:
        if not self.renames:
            return step
        target = self.renames.get(step.target, step.target)
        operands = tuple(self.renames.get(o, o) if isinstance(o, str) else o
                         for o in step.operands)
        return Step(target, step.prim, operands)

    def contribution(self, adjoint, op: ops.Op, k: int, i: int, j: int, bar: Adjoint):
        """Argument i's share of the elementwise record k: its partial times the adjoint."""
        args = self.tape.args[k]
        factor, rest, divides, own = partial_of(op, i, tuple(self.placeholder(a) for a in args))
        if factor == 0:
            return  # a structural zero
        scale = self.times(bar.scale, number(factor))
        if rest is None:  # a constant partial: only the scale changes (the array may be
            found = Adjoint(scale, bar.array)  # another argument's too: not owned)
        else:
            value = self.expression(rest, own, k)
            scalar = not self.shape(value)
            if scalar:  # a scalar partial multiplies (divides) the scale
                found = Adjoint(self.emit(DIV, scale, value, shape=()) if divides
                                else self.times(scale, value), bar.array)
            elif bar.array is None and not divides:
                found = Adjoint(scale, value)
            elif bar.array is None:
                found = Adjoint(number(1.0), self.emit(DIV, scale, value), True)
            else:
                found = Adjoint(scale, self.emit(DIV if divides else MUL, bar.array, value),
                                True)
        self.accumulate(adjoint, j, self.unbroadcast(found, self.slot_shapes[k],
                                                     self.slot_shapes[j]))

    def placeholder(self, slot: int) -> float | None:
        """A record's argument for its partial: None for a value (a node stands for it),
        or a scalar constant as itself (so that 3*x's partial is the number 3)."""
        if slot in self.names or np.ndim(self.constant(slot)):
            return None
        return float(self.constant(slot))

    def expression(self, node, own, k: int):
        """A partial's expression as steps: its placeholders read their slots, the record's
        own expression reads the record's value, numbers are written in."""
        from diffcompare.expr import Call, Const, Var

        if node is own or (isinstance(own, Call) and node == own):
            return self.names[k]
        if isinstance(node, Var):  # @p: the record's argument p
            return self.operand(self.tape.args[k][int(node.name[1:])])
        if isinstance(node, Const):
            return number(node.value)
        if isinstance(node, (int, float, Fraction)):
            return number(node)
        if isinstance(node, Call):
            operands = [self.expression(a, own, k) for a in node.args]
            if all(isinstance(o, Lit) for o in operands):
                return number(ops.apply(node.op, *(o.value for o in operands)))
            return self.emit(function_prim(node.op), *operands)
        raise MethodError(f"the partial {node!r} cannot be written as numpy code")

    def unbroadcast(self, found: Adjoint, shape_from, shape_to) -> Adjoint:
        """An adjoint summed back over the axes broadcasting added or stretched."""
        if found.array is not None:
            shape_from = np.broadcast_shapes(shape_from, self.shape(found.array))
        shape_from, shape_to = tuple(shape_from), tuple(shape_to)
        if shape_from == shape_to:
            return found
        if found.array is None:  # a broadcast scalar: each entry was used this many times
            count = int(np.prod(shape_from)) // max(int(np.prod(shape_to)), 1)
            return Adjoint(self.times(found.scale, number(count)))
        extra = len(shape_from) - len(shape_to)
        axes = tuple(range(extra)) + tuple(extra + a for a, n in enumerate(shape_to)
                                           if n == 1 and shape_from[extra + a] != 1)
        summed = self.emit(SUM_AXES, found.array, Lit(axes, repr(axes)),
                           shape=np.sum(np.empty(shape_from), axis=axes).shape)
        if not shape_to:
            return Adjoint(self.times(found.scale, summed))
        if self.shape(summed) != shape_to:
            summed = self.emit(RESHAPE, summed, shape_literal(shape_to), shape=shape_to)
        return Adjoint(found.scale, summed, True)

    def shape_contribution(self, adjoint, op: ops.ShapeOp, k: int, i: int, j: int,
                           bar: Adjoint):
        """A shape operation's VJP, linear in the adjoint: the scale is carried through."""
        param, shape = self.param(k), self.slot_shapes[j]
        if op is ops.SUM and param is None and bar.array is None:
            self.accumulate(adjoint, j, Adjoint(bar.scale))  # a broadcast scalar still
        elif op is ops.GETITEM:
            key = key_literal(param) if ops.basic_key(param) else self.hold(f"K{k}", param)
            self.place(adjoint, j, key, bar, fancy=not ops.basic_key(param))
        elif op in (ops.MAX, ops.MIN):
            self.place(adjoint, j, Lit(param, repr(int(param))), bar, flat=True)
        elif op is ops.WHERE:
            array = self.materialize(bar, self.slot_shapes[k])
            condition = self.constants.get(f"C{k}")
            register = f"C{k}" if condition is not None else \
                self.hold(f"C{k}", np.asarray(param, dtype=bool))
            picked = self.emit(WHERE_PICK, register, *((array, number(0.0)) if i == 0
                                                       else (number(0.0), array)),
                               shape=self.slot_shapes[k])
            self.accumulate(adjoint, j, self.unbroadcast(Adjoint(number(1.0), picked, True),
                                                         self.slot_shapes[k], shape))
        elif op is ops.CONCATENATE:
            shapes = [self.slot_shapes[a] for a in self.tape.args[k]]
            start = sum(s[param] for s in shapes[:i])
            key = (slice(None),) * param + (slice(start, start + shapes[i][param]),)
            array = self.materialize(bar, self.slot_shapes[k])
            part = self.emit(Prim("{0}[{1}]", lambda a, key: a[key]), array,
                             key_literal(key), shape=shape)
            self.accumulate(adjoint, j, Adjoint(number(1.0), part, False))
        else:
            self.linear_vjp(adjoint, op, k, i, j, bar)

    def linear_vjp(self, adjoint, op: ops.ShapeOp, k: int, i: int, j: int, bar: Adjoint):
        """A VJP written in the ops table (sum, reshape, transpose, dot, cumsum)."""
        if op.vjp_code is None:
            raise MethodError(f"a {op.name} record cannot be written as numpy code")
        param, arg_slots = self.param(k), self.tape.args[k]
        shapes = [self.slot_shapes[a] for a in arg_slots]
        template = op.vjp_code(param, i, shapes)
        arguments = [self.operand(a) for a in arg_slots]
        text = template.replace("{bar}", f"{{{len(arguments)}}}")
        array = bar.array if bar.array is not None else \
            self.materialize(bar, self.slot_shapes[k])
        scale = bar.scale if bar.array is not None else number(1.0)
        count = len(arguments)

        def vjp(*values, op=op, param=param, i=i, count=count):
            return op.vjp(param, i, values[count], list(values[:count]), None)

        target = self.emit(Prim(text, vjp), *arguments, array, shape=self.slot_shapes[j])
        if not self.slot_shapes[j]:
            self.accumulate(adjoint, j, Adjoint(self.times(scale, target)))
        else:
            self.accumulate(adjoint, j, Adjoint(scale, target, op.fresh_vjp))

    def materialize(self, found: Adjoint, shape) -> str:
        """The adjoint as one array register."""
        if found.array is None:
            return self.emit(FULL, shape_literal(shape), found.scale, shape=shape)
        if is_one(found.scale):
            return found.array
        return self.emit(MUL, found.array, found.scale)

    def owned(self, old: Adjoint, shape) -> str:
        """Slot's adjoint as an array of its shape that the sweep owns (scale 1)."""
        if old.array is not None and old.owned and self.shape(old.array) == tuple(shape):
            if not is_one(old.scale):
                self.emit(MUL_INTO, old.array, old.scale)
            return old.array
        if old.array is None:
            return self.emit(FULL, shape_literal(shape), old.scale, shape=shape)
        scaled = old.array if is_one(old.scale) else self.emit(MUL, old.array, old.scale)
        if self.shape(scaled) == tuple(shape) and not is_one(old.scale):
            return scaled  # a new array already
        target = self.emit(ZEROS, shape_literal(shape), shape=shape)
        self.emit(ADD_INTO, target, scaled)
        return target

    def accumulate(self, adjoint: dict, j: int, found: Adjoint) -> None:
        """Add a contribution to slot j's adjoint: to the scale when both are scalars, else
        in place into an array the sweep owns."""
        old = adjoint.get(j)
        if old is None:
            adjoint[j] = found
            return
        if old.array is None and found.array is None:
            adjoint[j] = Adjoint(self.emit(ADD, old.scale, found.scale, shape=()))
            return
        both = self.merged(old, found)
        if both is not None:
            adjoint[j] = both
            return
        target = self.owned(old, self.slot_shapes[j])
        self.add_into(target, found, ADD_INTO, SUB_INTO)
        adjoint[j] = Adjoint(number(1.0), target, True)

    def add_into(self, target, found: Adjoint, add: Prim, subtract: Prim, *key) -> None:
        """target (or target[key]) += scale · array: a difference subtracted, a scale
        folded into one product."""
        scale = found.scale
        if found.array is None:
            self.emit(add, target, *key, scale)
        elif isinstance(scale, Lit) and scale.value in (1.0, -1.0):
            self.emit(add if scale.value == 1.0 else subtract, target, *key, found.array)
        elif found.owned:  # scaled in place, then added: no array of its own
            self.emit(MUL_INTO, found.array, scale)
            self.emit(add, target, *key, found.array)
        else:
            self.emit(add, target, *key, self.emit(MUL, found.array, scale))

    def merged(self, old: Adjoint, found: Adjoint) -> Adjoint | None:
        """old + found in one pass where their scales are equal or opposite: the arrays
        added (subtracted), in place into one the sweep owns, under the common scale;
        None where they are not (the caller applies the scales)."""
        if old.array is None or found.array is None or \
                self.shape(old.array) != self.shape(found.array):
            return None
        if old.scale == found.scale:
            add, subtract = ADD_INTO, False
        elif isinstance(old.scale, Lit) and isinstance(found.scale, Lit) and \
                old.scale.value == -found.scale.value:
            add, subtract = SUB_INTO, True
        else:
            return None
        if found.owned:  # s·found + (±s)·old = s·(found ± old)
            self.emit(add, found.array, old.array)
            return Adjoint(found.scale, found.array, True)
        if old.owned:
            self.emit(add, old.array, found.array)
            return Adjoint(old.scale, old.array, True)
        both = self.emit(BINARY[ops.SUB] if subtract else ADD, old.array, found.array)
        return Adjoint(old.scale, both, True)

    def shared(self, op, k: int, bar: Adjoint) -> bool:
        """Whether a sum's or difference's adjoint, a scaled array, is scaled once before
        it is passed on: where it goes to two arguments or more, one of them an operation
        that carries the scale further (a product, a function), each would otherwise
        carry it on alone, to be applied in a pass of its own where it meets another part
        (here: Rosenbrock's 200·(x[1:] - x[:-1]²), whose x[1:] part is then added as it
        is, and whose x[:-1]² part then has the scale of 1 - x[:-1]'s, so the two are
        added before they are placed)."""
        if op not in (ops.ADD, ops.SUB) or bar.array is None or is_one(bar.scale) or \
                (isinstance(bar.scale, Lit) and bar.scale.value == -1.0):
            return False
        active = [j for j in self.tape.args[k] if self.active(j)]
        return len(active) > 1 and any(
            j >= self.n_inputs and not isinstance(self.tape.ops[j], ops.ShapeOp)
            for j in active)

    def place(self, adjoint: dict, j: int, key, bar: Adjoint, fancy: bool = False,
              flat: bool = False) -> None:
        """A part's adjoint, to be written into its place in the whole's adjoint: a slice's
        waits for the other parts of the same slice (write_parts), and is added to them
        first where that saves a pass; any other is written at once."""
        if fancy or flat:
            self.write_part(adjoint, j, key, bar, fancy, flat)
            return
        parts = self.parts.setdefault(j, {})
        waiting = parts.get(key.text)
        if waiting is not None:
            both = self.merged(waiting[1], bar)
            if both is None:  # the waiting one is written, this one waits
                self.write_part(adjoint, j, key, waiting[1])
            else:
                bar = both
        parts[key.text] = (key, bar)  # (in the place of the first part of this slice)

    def write_parts(self, adjoint: dict, j: int) -> None:
        """Write the slices' adjoints waiting for slot j, in the order they came."""
        for key, bar in self.parts.pop(j, {}).values():
            self.write_part(adjoint, j, key, bar)

    def write_part(self, adjoint: dict, j: int, key, bar: Adjoint, fancy: bool = False,
                   flat: bool = False) -> None:
        """A part's adjoint written into its place in the whole's adjoint."""
        shape = self.slot_shapes[j]
        old = adjoint.get(j)
        if fancy or flat:  # entries picked by index (maybe twice): added there
            target = self.emit(ZEROS, shape_literal(shape), shape=shape) if old is None \
                else self.owned(old, shape)
            value = bar.scale if bar.array is None else self.materialize(bar, self.shape(
                bar.array))
            self.emit(SET_FLAT if flat and old is None else SCATTER_ADD if not flat
                      else statement("{0}.flat[{1}] += {2}", _flat_add), target, key, value)
        elif old is None:
            rest = _outside(key.value, shape) if bar.array is not None else None
            if rest is None:
                target = self.emit(ZEROS, shape_literal(shape), shape=shape)
            else:  # the slice is written whole: only the rest is zeroed (a pass fewer)
                target = self.emit(EMPTY, shape_literal(shape), shape=shape)
                for part in rest:
                    self.emit(SET_AT, target, key_literal(part), number(0.0))
            if bar.array is None or is_one(bar.scale):
                self.emit(SET_AT, target, key, bar.scale if bar.array is None else bar.array)
            else:
                self.emit(SCALED_AT, target, bar.array, bar.scale, key)
        else:
            target = self.owned(old, shape)
            self.add_into(target, bar, ADD_AT, SUB_AT, key)
        adjoint[j] = Adjoint(number(1.0), target, True)

    def finish(self, found: Adjoint | None, shape, register: str):
        """An input's adjoint as its own new array (or a scalar), named ``register``."""
        if found is None:
            if not shape:
                return number(0.0)
            return self.emit(ZEROS, shape_literal(shape), shape=shape, target=register)
        if not shape:
            if isinstance(found.scale, Lit):
                return found.scale
            if self.unclaimed(found.scale):
                self.renames[found.scale] = register
                return found.scale
            return self.emit(SCALAR, found.scale, shape=(), target=register)
        if found.array is None:
            return self.emit(FULL, shape_literal(shape), found.scale, shape=shape,
                             target=register)
        if not is_one(found.scale):
            return self.emit(MUL, found.array, found.scale, target=register)
        if found.owned and self.unclaimed(found.array):
            self.renames[found.array] = register
            return found.array
        return self.emit(COPY, found.array, shape=shape, target=register)

    def unclaimed(self, register) -> bool:
        """A temporary of the reverse sweep's that no adjoint is named after yet."""
        return isinstance(register, str) and register.startswith("t") and \
            register not in self.renames


def _outside(key, shape) -> list | None:
    """The parts of an array of ``shape`` that a slice along its first axis (step 1) leaves
    out, as slices (none, one or two); None for any other key."""
    if isinstance(key, tuple) and len(key) == 1:
        key = key[0]
    if not isinstance(key, slice) or key.step not in (None, 1) or not shape:
        return None
    start, stop, _ = key.indices(shape[0])
    stop = max(stop, start)
    return [part for part in (slice(None, start), slice(stop, None))
            if len(range(*part.indices(shape[0])))]


def _flat_add(target, index, value):
    target.flat[index] += value


# shape operations whose adjoint is placed, picked or passed on without reading any value
# (shape_contribution below); every other one hands its arguments to its VJP's code
_PLACED = (ops.GETITEM, ops.MAX, ops.MIN, ops.WHERE, ops.CONCATENATE)


def values_read(op, param, i: int, constants: tuple, slot: int, args: tuple) -> tuple:
    """The slots whose values the reverse steps of record ``slot`` (op of ``args``) read for
    argument i's share: what the tracer keeps while the program runs. It names at least
    what ``Planner.contribution`` and ``shape_contribution`` read (tests hold the plan's
    slots_read to it)."""
    if isinstance(op, ops.ShapeOp):
        if op in _PLACED or (op is ops.SUM and param is None):
            return ()
        return args
    if not isinstance(op, ops.Op):
        return args  # a rule of the user's: its own code reads what it will
    reads, own = _partial_reads(op, i, constants)
    picked = tuple([args[p] for p in reads]) if reads else ()
    return picked + (slot,) if own else picked


@functools.lru_cache(maxsize=4096)
def _partial_reads(op: ops.Op, i: int, constants: tuple) -> tuple[tuple[int, ...], bool]:
    """(the arguments, by position, whose values op's partial in argument i reads; whether
    it reads the record's own value), as ``Planner.expression`` walks it."""
    from diffcompare.expr import Call, Var

    factor, rest, _, own = partial_of(op, i, constants)
    if factor == 0 or rest is None:
        return (), False
    reads, reads_own = set(), False
    pending = [rest]
    while pending:
        node = pending.pop()
        if node is own or (isinstance(own, Call) and node == own):
            reads_own = True
        elif isinstance(node, Var):
            reads.add(int(node.name[1:]))
        elif isinstance(node, Call):
            pending.extend(node.args)
    return tuple(sorted(reads)), reads_own


@functools.lru_cache(maxsize=4096)
def partial_of(op: ops.Op, i: int, constants: tuple) -> tuple:
    """(factor, rest, divides, the record itself) of op's partial in argument i, over nodes
    @0, @1 for its arguments (a constant argument, given as a number, as itself): asked
    once per operation and pattern of constants, not once per record."""
    from diffcompare.expr import Const, Var

    placeholders = [Var(f"@{p}") if c is None else Const(Fraction(c))
                    for p, c in enumerate(constants)]
    factor, rest, divides = split_factor(op.partials[i](*placeholders))
    own = ops.apply(op, *placeholders) if rest is not None else None
    return factor, rest, divides, own


def split_factor(partial):
    """(constant factor, the rest or None, whether the rest divides): 3*E -> (3, E, False),
    -E -> (-1, E, False), c/E -> (c, E, True), a number c -> (c, None, False)."""
    from diffcompare.expr import Call, Const

    if isinstance(partial, (int, float, Fraction)):
        return float(partial), None, False
    factor = 1.0
    while isinstance(partial, Call):
        first, second = (partial.args + (None,))[:2]
        if partial.op is ops.NEG:
            factor, partial = -factor, first
        elif partial.op is ops.MUL and isinstance(first, Const):
            factor, partial = factor * float(first.value), second
        elif partial.op is ops.MUL and isinstance(second, Const):
            factor, partial = factor * float(second.value), first
        elif partial.op is ops.DIV and isinstance(first, Const):
            return factor * float(first.value), second, True
        else:
            break
    if isinstance(partial, Const):
        return factor * float(partial.value), None, False
    return factor, partial, False


def _guard(relation: str, message: str, answer) -> Prim:
    """A recorded condition asked again: PathChanged when its answer is not the same."""
    compare = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
               "==": operator.eq, "!=": operator.ne}.get(relation)

    def check(left, right, answer):
        if relation == "bool":
            now = bool(left)
        elif relation in ("argmax", "argmin"):
            now = int(np.argmax(left) if relation == "argmax" else np.argmin(left))
        else:
            now = compare(left, right)
        if not np.array_equal(now, answer):
            raise PathChanged(message)

    scalar = isinstance(answer, Lit) and isinstance(answer.value, bool)
    if relation == "bool":
        test = "not {0}" if answer.value else "{0}"
    elif relation in ("argmax", "argmin"):
        test = f"np.{relation}({{0}}) != {{2}}"
    elif scalar:
        test = f"not ({{0}} {relation} {{1}})" if answer.value else f"{{0}} {relation} {{1}}"
    else:
        test = f"not np.array_equal({{0}} {relation} {{1}}, {{2}})"
    return statement(f"if {test}:\n    raise PathChanged({message!r})", check)
