"""A plan run a block of entries at a time (engine/steps.py), where its arrays are all 1-D
slices of one length: the forward and reverse steps of one block run while that block's
arrays sit in cache, instead of each step streaming whole arrays through memory. numpy
cannot fuse the steps of a loop as a compiler does (XLA, numexpr); blocking is the part of
that fusion numpy can express. On the Rosenbrock program at n = 10⁶ the gradient code went
from 2.37 to 1.42–1.69 evaluations of f (a 2-core machine with a 32 MB L3, 2026-12-07,
benchmarks/run.py); summing by blocks, where the summed array had been written whole and
summed after the loop, took derivative(method="reverse-ad-compiled") from 1.66–1.71 to
1.36–1.52 (the same evening, the old and new code in alternating processes).

The numbers are the unblocked plan's, bit for bit: every step is elementwise, so an entry
is computed by the same operations whichever block it is in; a sum over a whole array is
np.sum's, because the blocks are the very pieces np.sum's pairwise summation splits the
array into (halves rounded down to a multiple of 8, again and again: ``pieces``): each block
sums its part with np.add.reduce, and the parts are added after the loop in the order the
halves are (numpy's own algorithm is checked against this once, and a plan with a sum is
left whole where it differs); and every entry of a gradient receives
its contributions in the plan's order, which fixes the order of the blocks: a gradient
written at slices x[1:] after x[:-1] (offsets 1 after 0) must see block k's x[1:] part
after block k+1's x[:-1] part, so the blocks run from the last one. Plans whose offsets
rise and fall, or that do anything else (a product, a partial sum, a 2-D array, a guard
on an array), are not blocked.
"""

from __future__ import annotations

import functools
import textwrap
from dataclasses import dataclass, replace

import numpy as np

from diffcompare.engine import pool
from diffcompare.engine.buffers import out_form
from diffcompare.engine.steps import (
    ADD_AT,
    ADD_INTO,
    EMPTY,
    MUL_INTO,
    SCALED_AT,
    SET_AT,
    SUB_AT,
    SUB_INTO,
    ZEROS,
    Lit,
    Plan,
    Prim,
    Step,
    execute,
    statement,
)

CACHE_BYTES = 8 << 20  # a block's arrays together: a quarter of the machine's 32 MB L3
MIN_BLOCK = 1 << 14  # entries: smaller blocks cost more in numpy calls than they save
LOOP = ("block", "lo", "hi", "width")  # the loop's names (steps.RESERVED keeps inputs off)
LEAF = 128  # entries numpy's pairwise summation adds in one run (numpy's PW_BLOCKSIZE)


@dataclass(frozen=True)
class Window:
    """An operand that is one block's part of an array: ``base[lo + offset:hi + offset]``,
    or, with offset None, the first ``width`` entries of a block buffer."""

    base: str
    offset: int | None

    @property
    def text(self) -> str:
        if self.offset is None:
            return f"{self.base}[:width]"
        if not self.offset:
            return f"{self.base}[lo:hi]"
        sign = "+" if self.offset > 0 else "-"
        return f"{self.base}[lo {sign} {abs(self.offset)}:hi {sign} {abs(self.offset)}]"

    def of(self, env: dict):
        array = env[self.base]
        if self.offset is None:
            return array[:env["width"]]
        return array[env["lo"] + self.offset:env["hi"] + self.offset]


VIEW = Prim("{0}", lambda window: window)
SET_WINDOW = Prim("{0} = {1}", lambda window, value: window.__setitem__(Ellipsis, value),
                  statement=True)
SCALED_INTO = Prim("np.multiply({0}, {1}, out={2})",
                   lambda a, s, out: np.multiply(a, s, out=out), statement=True)
# a gradient's statements at a slice, as statements on that slice's window
_AT_WINDOW = {SET_AT: SET_WINDOW, ADD_AT: ADD_INTO, SUB_AT: SUB_INTO}
_IN_PLACE = (ADD_INTO, SUB_INTO, MUL_INTO)


@dataclass(frozen=True)
class Blocks:
    """The plan's steps as: before the loop, per block, after the loop (see the module)."""

    length: int  # entries of every 1-D array the loop runs over
    size: int  # entries a block has at most (its buffers' length)
    bounds: tuple  # (lo, hi) of each block: np.sum's pieces of the length (``pieces``)
    backward: bool  # blocks from the last one (see the module)
    forward_before: tuple  # forward scalar steps the loop needs, and the sums' parts
    reverse_before: tuple  # reverse scalar steps and the gradients' allocation
    forward_body: tuple  # per block, from the inputs: slices, elementwise steps, sums' parts
    bindings: tuple  # per block, over a trace's values: each forward array the loop reads
    reverse_body: tuple  # per block
    forward_after: tuple  # the sums, their parts added in numpy's order, and what follows
    buffers: tuple  # shapes of buf0, buf1, ...

    def order(self) -> range:
        """The blocks' indices in the order they run."""
        order = range(len(self.bounds))
        return order[::-1] if self.backward else order

    def run(self, env: dict, from_inputs: bool) -> None:
        """The steps, on ``env`` (inputs or a trace's values, seeds and constants bound)."""
        for i, shape in enumerate(self.buffers):
            env[f"buf{i}"] = pool.empty(shape)
        if from_inputs:
            execute(self.forward_before, env)
        else:
            for step in self.bindings:
                env[step.operands[0].base] = env[step.target]  # the whole array
        execute(self.reverse_before, env)
        body = (self.forward_body if from_inputs else self.bindings) + self.reverse_body
        for block in self.order():
            lo, hi = self.bounds[block]
            env["block"], env["lo"], env["hi"], env["width"] = block, lo, hi, hi - lo
            execute(body, env)
        if from_inputs:
            execute(self.forward_after, env)


def pieces(length: int, most: int) -> tuple[tuple, tuple]:
    """The pieces np.sum's pairwise summation splits ``length`` entries into, cut until each
    has at most ``most`` entries (at least LEAF): their (lo, hi), and the order their sums
    are added in, as nested pairs of piece indices. numpy sums n > LEAF entries as the sum
    of the first n // 2 (rounded down to a multiple of 8) plus the sum of the rest, so each
    piece's own np.add.reduce, added as the pairs say, is np.sum of the whole."""
    bounds: list[tuple[int, int]] = []

    def split(lo: int, count: int):
        if count <= max(most, LEAF):
            bounds.append((lo, lo + count))
            return len(bounds) - 1
        half = count // 2 - (count // 2) % 8
        return split(lo, half), split(lo + half, count - half)

    order = split(0, length)
    return tuple(bounds), order


def added(order, parts: str) -> str:
    """The code adding the parts {0}[0], {0}[1], ... (``parts`` names {0}) in ``order``
    (nested pairs), a few pairs to a line."""
    def text(order) -> str:
        if isinstance(order, int):
            return f"{parts}[{order}]"
        return f"({text(order[0])} + {text(order[1])})"

    lines = textwrap.wrap(text(order), 76, subsequent_indent="    ", break_long_words=False,
                          break_on_hyphens=False)
    return "\n".join(lines).replace(parts, "{0}")


def _add_parts(order, parts):
    if isinstance(order, int):
        return parts[order]
    return _add_parts(order[0], parts) + _add_parts(order[1], parts)


@functools.cache
def sums_as_numpy() -> bool:
    """Whether this numpy's np.sum is the sum of ``pieces`` (checked once, on entries of
    many magnitudes, where another order of additions would round otherwise)."""
    rng = np.random.default_rng(0)
    probe = rng.normal(size=5_003) * 10.0 ** rng.uniform(-8, 8, size=5_003)
    bounds, order = pieces(probe.size, LEAF)
    return _add_parts(order, [np.add.reduce(probe[lo:hi]) for lo, hi in bounds]) == \
        np.add.reduce(probe)


_SUMMED = Prim("", None)  # a sum's step until the blocks are known (then: its parts added)
NEW_PARTS = Prim("[0.0] * {0}", lambda count: [0.0] * count)
PART = statement("{0}[{1}] = np.add.reduce({2})",
                 lambda parts, block, array: parts.__setitem__(block, np.add.reduce(array)))


def blocked(plan: Plan, shape_of: dict, views: dict, sums: set[str]) -> Blocks | None:
    """The plan (before buffers are given) as Blocks, or None where it is not one loop over
    1-D arrays of one length (see the module). ``views``: register -> (the input it slices,
    offset, length) for each forward step that takes a basic slice of a 1-D input; ``sums``:
    the registers of forward steps that sum a whole array to a number."""
    try:
        return _Blocker(plan, shape_of, views, sums).blocks()
    except _NotBlocked:
        return None


class _NotBlocked(Exception):
    pass


class _Blocker:
    def __init__(self, plan: Plan, shape_of: dict, views: dict, sums: set[str]):
        self.plan, self.shape_of, self.views, self.sums = plan, shape_of, views, sums
        inputs = {name: shape for name, shape in zip(plan.inputs, plan.shapes)}
        if len(plan.outputs) != 1 or plan.seeds or plan.guards or \
                any(len(shape) > 1 or (shape and shape[0] < 2 * MIN_BLOCK)
                    for shape in inputs.values()):
            raise _NotBlocked
        lengths = {shape_of[s.target] for s in (*plan.forward, *plan.reverse)
                   if s.target and len(shape_of.get(s.target, ())) == 1}
        lengths -= {shape for shape in inputs.values()} - {
            (length,) for _, _, length in views.values()}
        if len(lengths) != 1:
            raise _NotBlocked
        (self.length,) = lengths.pop()
        if self.length < 2 * MIN_BLOCK:
            raise _NotBlocked  # (before any work: most plans are short)
        self.inputs = {name for name, shape in inputs.items() if shape == (self.length,)}
        self.gradients = {g for g in plan.gradient if isinstance(g, str)}
        self.lanes: set[str] = set(self.inputs)  # registers one block's part of which is used
        self.scalars: set[str] = {r for r, v in plan.constants.items() if not np.ndim(v)} | \
            {name for name, shape in inputs.items() if not shape}

    def lane(self, register) -> bool:
        return isinstance(register, str) and register in self.lanes

    def blocks(self) -> Blocks:
        forward_before, forward_body, forward_after, parts = self.split_forward()
        reverse_before, reverse_body, offsets = self.split_reverse(
            {s.target for s in forward_after})
        increasing = all(a <= b for row in offsets.values() for a, b in zip(row, row[1:]))
        decreasing = all(a >= b for row in offsets.values() for a, b in zip(row, row[1:]))
        if not (increasing or decreasing) or (parts and not sums_as_numpy()):
            raise _NotBlocked
        read = {o for s in reverse_body for o in s.operands if isinstance(o, str)}
        forward_lanes = {s.target for s in forward_body}
        bindings = tuple(Step(r, VIEW, (Window(f"{r}[all]", 0),))
                         for r in sorted(read & forward_lanes))
        body, count = self.allocate(forward_body + reverse_body)
        forward_body, reverse_body = body[:len(forward_body)], body[len(forward_body):]
        size = max(_block_size(count + len(self.inputs) + len(self.gradients)), LEAF)
        if self.length < 2 * size:
            raise _NotBlocked
        bounds, order = pieces(self.length, size)
        adding = functools.partial(_add_parts, order)
        forward_before += [Step(p, NEW_PARTS, (Lit(len(bounds), str(len(bounds))),))
                           for p in parts]
        forward_after = tuple(
            replace(s, prim=Prim(added(order, s.operands[0]), adding)) if s.prim is _SUMMED
            else s for s in forward_after)
        return Blocks(self.length, size, bounds, not decreasing, tuple(forward_before),
                      tuple(reverse_before), forward_body, bindings, reverse_body,
                      forward_after, ((size,),) * count)

    def split_forward(self):
        before, body, after, parts = [], [], [], []
        late: set[str] = set()  # scalars that follow from a sum over a whole array
        for step in self.plan.forward:
            operands = [o for o in step.operands if isinstance(o, str)]
            shape = self.shape_of.get(step.target, ())
            if step.target in self.views:
                base, offset, _ = self.views[step.target]
                self.lanes.add(step.target)
                body.append(Step(step.target, VIEW, (Window(base, offset),)))
            elif shape == (self.length,) and _elementwise(step):
                if any(o in late for o in operands):
                    raise _NotBlocked
                self.lanes.add(step.target)
                body.append(self.windowed(step))
            elif step.target in self.sums and len(operands) == 1 and self.lane(operands[0]):
                # each block's part, summed as soon as the block has it; added after
                parts.append(f"{step.target}_parts")
                made = next((i + 1 for i in reversed(range(len(body)))
                             if body[i].target == operands[0]), 0)
                body.insert(made, Step(None, PART, (parts[-1], "block",
                                                    *self.read(operands))))
                late.add(step.target)
                after.append(Step(step.target, _SUMMED, (parts[-1],)))
            elif not shape and not any(self.lane(o) for o in operands):
                (after if any(o in late for o in operands) else before).append(step)
                (late if any(o in late for o in operands) else self.scalars).add(step.target)
            else:
                raise _NotBlocked
        return before, body, after, parts

    def split_reverse(self, late: set):
        before, body, offsets = [], [], {}
        for step in self.plan.reverse:
            target = step.operands[0] if step.prim.statement else step.target
            operands = [o for o in step.operands if isinstance(o, str)]
            if any(o in late for o in operands):
                raise _NotBlocked
            shape = self.shape_of.get(step.target, ())
            if step.target in self.gradients and step.prim in (EMPTY, ZEROS):
                before.append(step)
            elif step.prim is SET_AT and target in self.gradients and \
                    _slice_of(step.operands[1]) is not None and \
                    isinstance(step.operands[2], Lit) and target not in offsets:
                before.append(step)  # a part no slice writes, zeroed before any is
            elif target in self.gradients and step.prim in (*_AT_WINDOW, SCALED_AT):
                key = step.operands[3] if step.prim is SCALED_AT else step.operands[1]
                offset = self.offset(target, key)
                offsets.setdefault(target, []).append(offset)
                if step.prim is SCALED_AT:
                    body.append(Step(None, SCALED_INTO, (*self.read(step.operands[1:3]),
                                                         Window(target, offset))))
                else:
                    body.append(Step(None, _AT_WINDOW[step.prim],
                                     (Window(target, offset), *self.read(step.operands[2:]))))
            elif step.prim in _IN_PLACE and self.lane(target):
                body.append(Step(None, step.prim, self.read(step.operands)))
            elif step.prim in _IN_PLACE and target in self.gradients and \
                    self.shape_of[target] == (self.length,):
                offsets.setdefault(target, []).append(0)
                body.append(Step(None, step.prim, (Window(target, 0),
                                                   *self.read(step.operands[1:]))))
            elif shape == (self.length,) and _elementwise(step):
                if step.target in self.gradients:
                    raise _NotBlocked  # (a gradient made whole by one step: not written)
                self.lanes.add(step.target)
                body.append(self.windowed(step))
            elif not shape and step.target and \
                    not any(self.lane(o) or o in self.gradients for o in operands):
                self.scalars.add(step.target)
                before.append(step)
            else:
                raise _NotBlocked
        return before, body, offsets

    def offset(self, gradient: str, key) -> int:
        """Where a slice of the gradient of a 1-D input starts, for a slice of the loop's
        length (step 1)."""
        found = _slice_of(key)
        if found is None:
            raise _NotBlocked
        start, stop = found[0], found[1]
        shape = self.shape_of[gradient]
        start, stop, step = slice(start, stop).indices(shape[0])
        if step != 1 or stop - start != self.length:
            raise _NotBlocked
        return start

    def read(self, operands) -> tuple:
        """Operands as one block's: a whole input of the loop's length, its window."""
        return tuple(Window(o, 0) if isinstance(o, str) and o in self.inputs else o
                     for o in operands)

    def windowed(self, step: Step) -> Step:
        for o in step.operands:
            if isinstance(o, str) and not (o in self.lanes or o in self.scalars):
                raise _NotBlocked  # an array of another length, or an array constant
        return Step(step.target, step.prim, self.read(step.operands))

    def allocate(self, steps: tuple):
        """Each elementwise step writing into a block buffer, reused once no later step of
        the block reads what it holds; returns the steps and the number of buffers."""
        last_read: dict[str, int] = {}
        for i, step in enumerate(steps):
            for o in step.operands:
                if isinstance(o, str):
                    last_read[o] = i
        holder: dict[str, int] = {}  # register -> its block buffer
        free: list[int] = []
        count = 0
        out = []
        for i, step in enumerate(steps):
            if step.prim is VIEW or step.target is None:
                out.append(step)
                continue
            form = out_form(step)
            if form is None:
                raise _NotBlocked
            for o in step.operands:  # a buffer read for the last time here may be written
                if isinstance(o, str) and o in holder and last_read.get(o) == i:
                    free.append(holder.pop(o))
            if not free:
                free.append(count)
                count += 1
            holder[step.target] = free.pop()
            out.append(Step(step.target, form, (*step.operands,
                                                Window(f"buf{holder[step.target]}", None))))
            if step.target not in last_read:
                free.append(holder.pop(step.target))
        return tuple(out), count


def _elementwise(step: Step) -> bool:


    return not step.prim.statement and out_form(step) is not None


def _slice_of(key) -> tuple | None:
    """(start, stop) of a key that is one slice of step 1, else None."""
    value = key.value if isinstance(key, Lit) else None
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    if not isinstance(value, slice) or value.step not in (None, 1):
        return None
    return value.start, value.stop


def _block_size(arrays: int) -> int:
    """The largest power of two of entries that keeps ``arrays`` blocks of doubles within
    CACHE_BYTES, and at least MIN_BLOCK. On Rosenbrock at 10⁶ (2026-12-07, the gradient code
    ÷ f, two runs each): 2¹⁵ 1.71–1.84, 2¹⁶ 1.77–1.83, 2¹⁷ 1.64–1.66, 2¹⁸ 1.62–1.73; the
    rule gives 2¹⁷ there."""
    size = MIN_BLOCK
    while 2 * size * 8 * arrays <= CACHE_BYTES:
        size *= 2
    return size


def describe(blocks: Blocks) -> str:
    order = "from the last" if blocks.backward else "from the first"
    return f"{len(blocks.bounds)} blocks of at most {blocks.size:,} of the {blocks.length:,} " \
        f"entries, {order}"

