"""Buffers for a plan's arrays (engine/steps.py): each elementwise step writes its result
into a buffer (``out=``) instead of a new array, and a buffer is reused by a later step once
nothing live reads it — a register allocation over the straight-line steps. The gradient
code keeps its buffers from call to call, so a second call maps no new memory (a new
array of a million doubles costs its page faults on every call: glibc unmaps it when it is
freed). The returned gradient is always a new array.

A step whose result may be a view of its operands (an index, a reshape, a broadcast: any
step that is not an elementwise call) keeps their buffers alive as long as it lives.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from diffcompare import ops
from diffcompare.engine.steps import BINARY, NEGATE, Lit, Plan, Prim, Step

_UFUNCS = {BINARY[ops.ADD].text: "np.add", BINARY[ops.SUB].text: "np.subtract",
           BINARY[ops.MUL].text: "np.multiply", BINARY[ops.DIV].text: "np.divide",
           NEGATE.text: "np.negative"}


# products (the ops table's dot, written a @ b, and its VJPs), each written into a buffer:
# np.matmul, the function @ calls, with out= computes the same numbers into it
_OPERAND = r"\{(\d+)\}(\.T)?"
_PRODUCTS = ((re.compile(rf"^np\.multiply\.outer\({_OPERAND}, {_OPERAND}\)$"),
              "np.multiply.outer", np.multiply.outer),
             (re.compile(rf"^{_OPERAND} @ {_OPERAND}$"), "np.matmul", np.matmul))


def _product_form(step: Step) -> Prim | None:
    """A product step (dot, outer, @) as a call writing into a buffer operand (its last)."""
    for pattern, name, fn in _PRODUCTS:
        found = pattern.match(step.prim.text)
        if found:
            a, a_t, b, b_t = int(found[1]), bool(found[2]), int(found[3]), bool(found[4])
            count = len(step.operands)

            def product(*values, a=a, a_t=a_t, b=b, b_t=b_t, fn=fn):
                left, right = values[a], values[b]
                return fn(left.T if a_t else left, right.T if b_t else right,
                          out=values[-1])
            text = f"{name}({{{a}}}{'.T' if a_t else ''}, {{{b}}}{'.T' if b_t else ''}, " \
                f"out={{{count}}})"
            return Prim(text, product)
    return None


def out_form(step: Step) -> Prim | None:
    """The step as a ufunc call writing into a buffer operand (its last), or None."""
    text = step.prim.text
    if text in _UFUNCS:
        name = _UFUNCS[text]
    elif text == BINARY[ops.POW].text and isinstance(step.operands[1], Lit) and \
            step.operands[1].value == 2.0:
        # u ** 2.0 is numpy's square (ndarray's fast power): the same bits
        return Prim("np.square({0}, out={2})", lambda u, two, out: np.square(u, out=out))
    elif text.startswith("np.") and text.endswith("({0})") and \
            isinstance(getattr(np, text[3:-5], None), np.ufunc):
        name = text[:-5]
    else:
        return None
    fn = getattr(np, name[3:])
    count = len(step.operands)
    slots = ", ".join(f"{{{i}}}" for i in range(count))
    return Prim(f"{name}({slots}, out={{{count}}})", lambda *a: fn(*a[:-1], out=a[-1]))


def buffered(plan: Plan, shape_of: dict, keep: set[str]) -> Plan:
    """The plan with its elementwise array steps writing into reused buffers. ``shape_of``
    gives each register's shape; ``keep`` names registers that must stay new arrays (the
    returned gradient)."""
    steps = [*plan.forward, *plan.guards, *plan.reverse]
    last_use: dict[str, int] = {}
    for i, step in enumerate(steps):
        for operand in step.operands:
            if isinstance(operand, str):
                last_use[operand] = i
    for register in [*(o for o in plan.outputs if isinstance(o, str)),
                     *(g for g in plan.gradient if isinstance(g, str))]:
        last_use[register] = len(steps)
    dying: dict[int, list[str]] = {}
    for i, step in enumerate(steps):  # a register never read dies where it is made
        if step.target and step.target not in last_use:
            last_use[step.target] = i
    for register, i in last_use.items():
        dying.setdefault(i, []).append(register)
    roots: dict[str, frozenset[int]] = {}  # register -> the buffers it may read
    holders: dict[int, set[str]] = {}  # buffer -> the live registers that may read it
    free: dict[tuple, list[int]] = {}
    shapes: list[tuple] = []
    rewritten: list[Step] = []

    def release(i: int) -> None:
        for register in [r for r in dying.get(i, ()) if r in roots]:
            for buffer in roots.pop(register):
                holders[buffer].discard(register)
                if not holders[buffer]:
                    free.setdefault(shapes[buffer], []).append(buffer)

    for i, step in enumerate(steps):
        target = step.target
        shape = tuple(shape_of.get(target, ())) if target else ()
        form = out_form(step) if target and shape and target not in keep else None
        product = _product_form(step) if target and shape and target not in keep and \
            form is None else None
        known = all(isinstance(o, Lit) or o in shape_of for o in step.operands)
        if product is not None and known:
            form = product  # its result's shape is the target's, whatever its operands'
        elif form is not None and not (known and tuple(np.broadcast_shapes(
                *(shape_of[o] for o in step.operands if isinstance(o, str)))) == shape):
            form = None
        if form is not None:
            # an elementwise step may write over an operand read for the last time here;
            # a product's operands stay apart from where it writes (freed after it chooses)
            overwrites = form is not product
            if overwrites:
                release(i)
            pool = free.get(shape, [])
            buffer = pool.pop() if pool else len(shapes)
            if buffer == len(shapes):
                shapes.append(shape)
                holders[buffer] = set()
            if not overwrites:
                release(i)
            holders[buffer].add(target)
            roots[target] = frozenset((buffer,))
            rewritten.append(Step(target, form, (*step.operands, f"buf{buffer}")))
            continue
        if target:  # may be a view of its operands: their buffers stay alive with it
            reads = frozenset().union(*(roots.get(o, frozenset()) for o in step.operands
                                        if isinstance(o, str)))
            if reads:
                roots[target] = reads
                for buffer in reads:
                    holders[buffer].add(target)
        rewritten.append(step)
        release(i)
    forward, guards = len(plan.forward), len(plan.guards)
    return replace(plan, forward=rewritten[:forward],
                   guards=rewritten[forward:forward + guards],
                   reverse=rewritten[forward + guards:], buffers=tuple(shapes))
