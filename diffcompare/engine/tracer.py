"""Run a Python function on tracing values and return its tape (engine/arrays.py).

A ``Traced`` value wraps a float or a numpy array and records every operation done to it,
as operator-overloading AD does (autograd, PyTorch, JAX's tracers): the arithmetic
operators, the functions of ``diffcompare.math`` (they all go through ``ops.apply``), the
builtin ``abs``, indexing and slicing, ``@``, ``.sum()``, ``.reshape``, ``.T``, and numpy's
own functions through its dispatch protocols (numpy_api.py: each mapped onto the ops
table, the unsupported ones refused with their name and line).

Control flow runs as Python runs it: a comparison looks at the value and answers, and is
remembered as a ``Condition`` with its file and line, because the recorded path holds only
at this point; a method that needs one formula for every point (manual, symbolic) cannot
go past it.
"""

from __future__ import annotations

import dis
import functools
import operator
import os
import sys
from collections.abc import Callable, Sequence

import numpy as np

from diffcompare import ops
from diffcompare.engine import pool
from diffcompare.engine.arrays import ArrayTape, Condition, pooled
from diffcompare.engine.finite import all_finite
from diffcompare.errors import MethodError


class TraceError(MethodError):
    """The program did something to a traced value that has no derivative to follow."""


class NonFiniteInput(TraceError):
    """The program compared a value made from a point with an entry that is not finite."""


class Traced(ops.Arithmetic):
    __slots__ = ("tape", "slot", "value")

    # numpy's functions on traced values, each mapped onto the ops table (numpy_api.py)
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from diffcompare.engine.numpy_api import ufunc as traced_ufunc

        return traced_ufunc(ufunc.__name__, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from diffcompare.engine.numpy_api import function

        return function(func, args, kwargs)

    def __array__(self, dtype=None, copy=None):
        """np.asarray of a traced value: an object array of its traced entries (numpy's
        functions on it still trace); as numbers (np.asarray(x, float)), refused."""
        if dtype is not None and np.dtype(dtype) != object:
            raise TraceError(_where(f"np.asarray(..., {np.dtype(dtype).name}) of a value "
                                    "that depends on an input") + " makes it constants, "
                             "and its derivative would be lost")
        entries = np.empty(self.shape, dtype=object)
        if not self.ndim:
            entries[()] = self
        else:
            entries.flat[:] = [self[index] for index in np.ndindex(self.shape)]
        return entries

    def __init__(self, tape: ArrayTape, slot: int, value):
        self.tape = tape
        self.slot = slot
        self.value = value

    def __del__(self):
        # the program can no longer reach this value: while it runs, a large one that no
        # partial reads goes back to the pool, as numpy frees its own temporaries
        tape = getattr(self, "tape", None)  # (None: a budget's timer interrupted __init__)
        if tape is not None and tape.tracing and type(self.value) is np.ndarray:
            tape.let_go(self.slot)

    def __repr__(self) -> str:
        return f"Traced({self.value!r})"

    @staticmethod
    def __dc_apply__(op: ops.Op, args: tuple) -> Traced:
        return _recorded(op, None, args, functools.partial(pooled, op))

    def shaped(self, op: ops.ShapeOp, param, *others) -> Traced:
        return _recorded(op, param, (self, *others),
                         lambda *values: op.forward(param, *values))

    # -- Python's operators: those of ops.Arithmetic, with numpy's temporary elision
    def _operator(op: ops.Op, reflected: bool = False):
        def method(self, other):
            if type(other) not in _PLAIN:  # (a Dual goes first, an object array entrywise)
                return ops.apply(op, other, self) if reflected else ops.apply(op, self, other)
            dying = _dying(self, other)
            args = (other, self) if reflected else (self, other)
            return _recorded(op, None, args, functools.partial(pooled, op), dying)
        return method

    __add__, __radd__ = _operator(ops.ADD), _operator(ops.ADD, True)
    __sub__, __rsub__ = _operator(ops.SUB), _operator(ops.SUB, True)
    __mul__, __rmul__ = _operator(ops.MUL), _operator(ops.MUL, True)
    __truediv__, __rtruediv__ = _operator(ops.DIV), _operator(ops.DIV, True)
    del _operator

    def __pos__(self): return self
    def __abs__(self): return ops.apply(ops.ABS, self)
    def __matmul__(self, other): return _matmul(self, other)
    def __rmatmul__(self, other): return _matmul(other, self)

    def __getitem__(self, key):
        if isinstance(key, Traced):
            raise TraceError(_where("an index that depends on an input") +
                             ": indices must be plain integers or arrays of them")
        return self.shaped(ops.GETITEM, key)

    def __len__(self) -> int:
        if not np.ndim(self.value):
            raise TypeError("len() of a traced scalar")
        return len(self.value)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    # -- array attributes and methods, as on numpy arrays
    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self.value)

    @property
    def ndim(self) -> int:
        return np.ndim(self.value)

    @property
    def size(self) -> int:
        return int(np.size(self.value))

    @property
    def T(self) -> Traced:
        return self.shaped(ops.TRANSPOSE, None)

    def reshape(self, *shape) -> Traced:
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return self.shaped(ops.RESHAPE, _resolved(tuple(int(s) for s in shape), self.size))

    def sum(self, axis=None) -> Traced:
        return self.shaped(ops.SUM, axis)

    def mean(self, axis=None) -> Traced:
        count = self.size if axis is None else self.shape[axis]
        return ops.div(self.sum(axis), float(count))

    def dot(self, other) -> Traced:
        return _matmul(self, other)

    # -- the rest of an array's methods, as numpy's functions of it (numpy_api.py)
    def _numpy(name):
        def method(self, *args, **kwargs):
            from diffcompare.engine import numpy_api

            return getattr(numpy_api, name)(self, *args, **kwargs)
        method.__name__ = name
        return method

    prod = _numpy("product")
    cumsum = _numpy("cumsum")
    max = _numpy("largest")
    min = _numpy("smallest")
    clip = _numpy("clip")
    ravel = _numpy("ravel")
    flatten = _numpy("ravel")
    squeeze = _numpy("squeeze")
    del _numpy

    # numpy's ufuncs on an object array of traced values (np.array([a, b])) call each
    # entry's method of the ufunc's name
    def _entrywise(op):
        def method(self):
            return ops.apply(op, self)
        return method

    for _name, _op in (("sin", ops.SIN), ("cos", ops.COS), ("tan", ops.TAN),
                       ("arcsin", ops.ASIN), ("arccos", ops.ACOS), ("arctan", ops.ATAN),
                       ("sinh", ops.SINH), ("cosh", ops.COSH), ("tanh", ops.TANH),
                       ("exp", ops.EXP), ("log", ops.LOG), ("sqrt", ops.SQRT)):
        locals()[_name] = _entrywise(_op)
    del _entrywise, _name, _op

    def transpose(self, *axes) -> Traced:
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        return self.shaped(ops.TRANSPOSE, tuple(int(k) for k in axes) if axes else None)

    def astype(self, dtype, *_, **__) -> Traced:
        if np.dtype(dtype).kind not in "fc":
            raise TraceError(_where(f"astype({np.dtype(dtype).name}) of a value that depends "
                                    "on an input") + " has no derivative")
        return self

    def copy(self) -> Traced:
        return self  # a traced value is never changed in place: its copy is itself

    # -- comparisons: answered at the point, and remembered
    def _compare(self, other, relation: str):
        values = other.value if isinstance(other, Traced) else other
        with np.errstate(all="ignore"):  # complex step's values compare by their real part
            answer = RELATIONS[relation](np.real(self.value), np.real(values))
        condition(self.tape, (self, other), self.value, values, relation=relation,
                  answer=answer)
        return answer

    def __lt__(self, other): return self._compare(other, "<")
    def __le__(self, other): return self._compare(other, "<=")
    def __gt__(self, other): return self._compare(other, ">")
    def __ge__(self, other): return self._compare(other, ">=")
    def __eq__(self, other): return self._compare(other, "==")
    def __ne__(self, other): return self._compare(other, "!=")
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        answer = bool(self.value)
        condition(self.tape, (self,), self.value, 0.0, relation="bool", answer=answer)
        return answer

    # -- leaving the trace: the derivative would be lost without a word
    def __float__(self):
        raise TraceError(_where("float() of a value that depends on an input") +
                         " turns it into a constant, and its derivative would be lost")

    def __int__(self):
        raise TraceError(_where("int() of a value that depends on an input") +
                         " has no derivative")

    __index__ = __int__

    def __complex__(self):
        raise TraceError(_where("complex() of a value that depends on an input") +
                         " would lose its derivative")


def _resolved(shape: tuple[int, ...], size: int) -> tuple[int, ...]:
    """A reshape's target with its -1 worked out, checked against the entries there are."""
    known = int(np.prod([s for s in shape if s != -1]))
    if shape.count(-1) == 1 and known and size % known == 0:
        shape = tuple(size // known if s == -1 else s for s in shape)
    if int(np.prod(shape)) != size or -1 in shape:
        raise ValueError(f"cannot reshape an array of {size} entries into {shape}")
    return shape


def slot_of(tape: ArrayTape, value) -> int:
    """The slot of a traced value, or a new constant slot for a plain number or array."""
    if isinstance(value, Traced):
        if value.tape is not tape:
            raise TraceError("a traced value from another run of the program was used")
        return value.slot
    if isinstance(value, (bool, int, float, np.number)):
        return tape.constant(float(value))
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return tape.constant(value.astype(float))
    if isinstance(value, (np.ndarray, list, tuple)) and _holds_traced(value):
        from diffcompare.engine.numpy_api import stack_entries

        return slot_of(tape, stack_entries(value))  # np.array([a, b]) of traced values
    raise TraceError(_where(f"a {type(value).__name__}") + " is not a number or an array of "
                     "numbers, so it cannot take part in a derivative")


def _holds_traced(value) -> bool:
    items = value.reshape(-1) if isinstance(value, np.ndarray) else value
    return isinstance(value, np.ndarray) and value.dtype == object and \
        any(isinstance(v, Traced) for v in items) or \
        not isinstance(value, np.ndarray) and any(
            isinstance(v, Traced) or isinstance(v, (list, tuple)) and _holds_traced(v)
            for v in items)


_PLAIN = (Traced, float, int)  # operands an operator records at once
_BINARY_OP = dis.opmap.get("BINARY_OP")  # a - b, a -= b: one instruction (Python 3.11+)
# instructions that only push a value, running no code of anyone's (no call, no store)
_LOADS = frozenset(dis.opmap[name] for name in (
    "CACHE", "NOP", "EXTENDED_ARG", "LOAD_CONST", "LOAD_FAST", "LOAD_DEREF", "LOAD_GLOBAL",
    "LOAD_NAME") if name in dis.opmap)
# references to an operand the interpreter alone holds, as _dying counts them: the caller's
# value stack, the operator's argument, _dying's own, and getrefcount's
_TEMPORARY = 4


def _dying(a, b) -> Traced | None:
    """The operand of an operator the program can reach no more once the operation is done
    (``x[1:] - x[:-1]**2``: the square), so that the result may take its memory, as numpy
    writes into its own temporaries; None where there is none. It is the tape's newest
    record, made by an instruction of the same frame that called this operator, with
    nothing between the two but instructions that push a value; and the interpreter alone
    holds it (its reference count). So the operator was called by the interpreter's own
    instruction on the value that instruction left, not by C code holding references it
    does not count (numpy's loop over an array of objects, which the value was stored in)."""
    for operand in (a, b):
        if type(operand) is Traced and operand.slot == operand.tape.newest:
            break
    else:
        return None
    value, made_in, made_at = operand.value, *operand.tape.newest_site
    if type(value) is not np.ndarray or value.size < pool.MIN_ENTRIES:
        return None
    caller = sys._getframe(1).f_back  # (the operator's caller: None for C code alone)
    if caller is None:
        return None
    code, now = caller.f_code.co_code, caller.f_lasti
    if id(caller) != made_in or code[now] != _BINARY_OP or not made_at < now or \
            any(code[k] not in _LOADS for k in range(made_at + 2, now, 2)):
        return None
    del a, b
    return operand if sys.getrefcount(operand) == _TEMPORARY else None


def _recorded(op, param, args: tuple, compute, dying: Traced | None = None) -> Traced:
    """One operation on traced values (and plain numbers or arrays): computed on their
    values, and recorded on the tape with the line of the user's code that did it; into the
    memory of ``dying`` (an operand the program can no longer reach) where the tape finds
    it free to take the result."""
    for a in args:
        if isinstance(a, Traced):
            tape = a.tape
            break
    values = [a.value if isinstance(a, Traced) else a for a in args]
    slots = [slot_of(tape, a) for a in args]
    spare = None if dying is None else tape.spare(op, param, slots, dying.slot)
    value = compute(*values) if spare is None else compute(*values, out=spare)  # IEEE: trace
    frame, where = _site()
    slot = tape.operation(op, slots, param, value, where)
    # where it was made, for _dying (which looks only at values as large as the pool's)
    if type(value) is np.ndarray and value.size >= pool.MIN_ENTRIES:
        tape.newest_site = (id(frame), frame.f_lasti) if frame is not None else (0, -1)
    return Traced(tape, slot, value)


def _matmul(a, b) -> Traced:
    a, b = (v if isinstance(v, Traced) else np.asarray(v, dtype=float) for v in (a, b))
    return _recorded(ops.MATMUL, None, (a, b), lambda u, v: ops.MATMUL.forward(None, u, v))


RELATIONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
             "==": operator.eq, "!=": operator.ne}


def condition(tape: ArrayTape, operands: Sequence, left, right,
              what: str = "the condition", entrywise: bool = True, relation: str = "",
              answer=None) -> None:
    """Remember a comparison on traced values, where the user's code made it. Its margin is
    lhs - rhs, of the closest pair of entries for arrays compared entry by entry (0: the
    point is on a branch boundary); None for a choice among an array's entries. With its
    relation and answer it can be asked again elsewhere (a guard of the gradient code)."""
    depends = frozenset().union(*(tape.depends[o.slot] for o in operands
                                  if isinstance(o, Traced)))
    if not depends:
        return
    if tape.unread and not tape.conditions:  # the first branch on the user's own point
        _refuse_nonfinite_inputs(tape)
    margin = None
    if entrywise:
        gaps = np.ravel(np.real(np.asarray(left)) - np.real(np.asarray(right)))
        if gaps.size:
            margin = float(gaps[int(np.argmin(np.abs(gaps)))])
    file, line = user_frame()
    tape.conditions.append(Condition(file, line, tuple(tape.names[i] for i in sorted(depends)),
                                     margin, what, tuple(sorted(depends)),
                                     _guard(tape, operands, relation, answer)))


def _guard(tape: ArrayTape, operands: Sequence, relation: str, answer) -> tuple | None:
    """(slots compared, relation, answer), the plain operands given constant slots; None
    when there is nothing to ask again or an operand is not a number."""
    if not relation:
        return None
    try:
        slots = tuple(slot_of(tape, o) for o in operands)
    except TraceError:
        return None
    return slots, relation, np.array(answer) if np.ndim(answer) else answer


def picked(op: ops.ShapeOp, value) -> Traced:
    """max or min of a traced array: the entry that wins at the point, remembered as a
    choice (a comparison of every entry) with its file and line."""
    if not isinstance(value, Traced):
        return np.max(value) if op is ops.MAX else np.min(value)
    index = int(np.argmax(value.value) if op is ops.MAX else np.argmin(value.value))
    condition(value.tape, (value,), value.value, 0.0, f"the {op.name}", entrywise=False,
              relation="argmax" if op is ops.MAX else "argmin", answer=index)
    return value.shaped(op, index)


_LIBRARIES = tuple({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix,
                                                 sys.exec_prefix)})


@functools.lru_cache(maxsize=1024)
def _classified(filename: str) -> tuple[str, bool]:
    """(the file's base name, whether it is an installed library's): once per file, since
    resolving a path is most of what naming a traced operation's line costs."""
    path = os.path.realpath(filename)
    return os.path.basename(path), path.startswith(_LIBRARIES)


_PACKAGE = __name__.rsplit(".", 2)[0]
# ids of this package's modules' globals, learnt as frames are walked: a module's globals
# live as long as the process, and one id compared costs less than reading a module's name
# (the walk passes five or six of the package's frames for every traced operation)
_OUR_MODULES: set[int] = set()


def user_frame(ours: int = 1) -> tuple[str, int]:
    """The file (base name) and line of the innermost frame of the user's own code: outside
    this package and outside the installed libraries (numpy's own frames, when the user's
    code called numpy, are not where the user should look). ``ours``: how many frames, this
    one included, are known to be the package's: skipped without being made (every frame
    walked is an object Python makes when asked for it)."""
    frame, name = _user_frame(ours + 1)
    return (name, frame.f_lineno) if frame is not None else ("?", 0)


def _user_frame(ours: int):
    """(the frame user_frame names, its file's base name), or (None, "?")."""
    fallback = None
    frame = sys._getframe(ours)
    while frame is not None:
        space = frame.f_globals
        if id(space) not in _OUR_MODULES:
            if space.get("__name__", "").partition(".")[0] == _PACKAGE:  # (not "diffcompare_x")
                _OUR_MODULES.add(id(space))
            else:
                name, library = _classified(frame.f_code.co_filename)
                if not library:
                    return frame, name
                fallback = fallback or frame
        frame = frame.f_back
    if fallback is None:
        return None, "?"
    return fallback, os.path.basename(fallback.f_code.co_filename)


def _site() -> tuple:
    """(the user's frame, its "file:line") where the package's function that asked was
    called."""
    frame, name = _user_frame(3)  # (not _site, nor the package's function that asked)
    return frame, f"{name}:{frame.f_lineno if frame is not None else 0}"


def _here() -> str:
    """The user's "file:line" where the package's function that asked was called."""
    return _site()[1]


def _where(what: str) -> str:
    file, line = user_frame()
    return f"{file}:{line}: {what}"


def trace(function: Callable, names: Sequence[str], inputs: Sequence,
          point: np.ndarray | None = None, rules: bool = False,
          unread: bool = False) -> ArrayTape:
    """Run ``function`` on traced inputs (floats or arrays; complex ones for complex step,
    whose comparisons look at the real part) and return the tape of the path it took, its
    outputs flattened in C order. ``point`` is the flat point the inputs were split from
    (they are views of it: nothing is copied). With ``rules``, a function with the user's
    own derivative rule is one record of it (engine/custom.py); without, it is traced
    through, and its calls are remembered for the rule's check. ``unread``: the inputs are
    the user's own point, not yet found finite: they are read at the program's first branch
    on their values (NonFiniteInput where one is not), before the program takes it."""
    shapes = tuple(np.shape(x) for x in inputs)
    tape = ArrayTape(tuple(names), shapes, use_rules=rules)
    tape.point = point
    tape.unread = unread
    traced = []
    for i, x in enumerate(inputs):
        kind = complex if np.iscomplexobj(x) else float
        value = kind(x) if not shapes[i] else np.asarray(x, dtype=kind)
        tape.set_input(i, value)
        traced.append(Traced(tape, i, value))
    tape.tracing = True
    try:
        # IEEE results (inf, nan) without exceptions or warnings, for every operation the
        # program makes: set once here, not once per recorded operation
        with np.errstate(all="ignore"):
            result = function(*traced)
            tape.outputs = tuple(_output_slots(tape, result))
    finally:
        tape.tracing = False
    return tape


def _refuse_nonfinite_inputs(tape: ArrayTape) -> None:
    """The user's point is read where the program first branches on its values (an inf
    or a nan could send it round a loop for ever), not before it runs: where it never
    does, its outputs tell (engine/finite.py)."""
    for i, name in enumerate(tape.names):
        value = tape.recorded[i]
        if np.isrealobj(value) and not all_finite(np.asarray(value, dtype=float)):
            raise NonFiniteInput(f"input {name} has entries that are not finite")


def _output_slots(tape: ArrayTape, result) -> list[int]:
    if isinstance(result, (list, tuple)):
        return [s for item in result for s in _output_slots(tape, item)]
    slot = slot_of(tape, result)
    value = tape.recorded[slot]  # (held: the program returned it)
    if not np.ndim(value):
        return [slot]
    if np.ndim(value) > 1:
        slot = tape.operation(ops.RESHAPE, [slot], (-1,), np.reshape(value, -1))
        value = tape.recorded[slot]
    return [tape.operation(ops.GETITEM, [slot], i, value[i]) for i in range(len(value))]
