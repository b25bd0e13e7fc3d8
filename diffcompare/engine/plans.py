"""Plans made and kept (engine/steps.py's language): the planner's forward and reverse steps,
taken apart into blocks where they can be (engine/blocks.py) and given buffers
(engine/buffers.py), made once for every trace of the same structure."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from diffcompare.engine.blocks import blocked
from diffcompare.engine.buffers import buffered
from diffcompare.engine.plan import Planner
from diffcompare.engine.steps import Plan, register_names
from diffcompare.errors import MethodError

PLANS_KEPT = 64  # plans kept for traces of the same structure (below)
_PLANS: dict = {}  # (a trace's structure, seeded) -> its plan without array constants, or None
_PLANS_LOCK = threading.Lock()
_UNPLANNED = object()


def plan_for(tape, seeded: bool = False) -> Plan | None:
    """The plan of an array tape (None where a record has no numpy code), made once for
    every trace of the same structure (ArrayTape.structure: the same records, shapes,
    constants and branches): a program traced again at each call, as the library and
    gradient descent do, is not planned again; its array constants are bound anew from
    each trace. Planning took two thirds of a trace's gradient at 10⁴ entries (2026-12-07)."""
    key = tape.structure()
    if key is None:
        return _planned(tape, seeded)
    key = (key, seeded)
    plan = _PLANS.get(key, _UNPLANNED)
    if plan is _UNPLANNED:
        plan = _planned(tape, seeded)
        if plan is None or set(plan.constants) == set(plan.constant_slots or ()):
            kept = plan if plan is None or not plan.constants else \
                replace(plan, constants=dict.fromkeys(plan.constants))  # (no user data kept)
            with _PLANS_LOCK:  # (threads trace at once: the web page's workers)
                _PLANS[key] = kept
                while len(_PLANS) > PLANS_KEPT:
                    _PLANS.pop(next(iter(_PLANS)))
        return plan
    if plan is None or not plan.constants:
        return plan
    return replace(plan, constants={register: np.asarray(tape.recorded[slot], dtype=float)
                                    for register, slot in plan.constant_slots.items()})


def _planned(tape, seeded: bool) -> Plan | None:
    try:
        return plan_of(tape, tape.names, seeded)
    except MethodError:
        return None


def plan_of(tape, input_names: Sequence[str], seeded: bool = False) -> Plan:
    """The plan of a tape: forward steps, a guard per recorded condition, and the reverse
    steps seeded with 1 (one output) or with registers r0, r1, ... (``seeded``)."""
    planner = Planner(tape, register_names(input_names), seeded or tape.m != 1)
    planner.plan_forward()
    planner.plan_guards(getattr(tape, "conditions", ()))
    plan = planner.plan_reverse()
    shapes = {planner.renames.get(r, r): shape for r, shape in planner.shape_of.items()}
    blocks = blocked(plan, shapes, planner.input_slices(), planner.whole_sums())
    plan = buffered(plan, shapes, {g for g in plan.gradient if isinstance(g, str)})
    plan = replace(plan, spreads_nonfinite=tape.spreads_nonfinite())
    return plan if blocks is None else replace(plan, blocks=blocks)
