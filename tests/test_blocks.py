"""A plan run a block of entries at a time (engine/blocks.py): the unblocked plan's numbers
bit for bit, from the inputs (the gradient code) and over a trace's values (reverse-ad's
sweep), whichever way the blocks must run; plans it cannot take apart are left whole."""

import importlib.util
from dataclasses import replace

import numpy as np
import pytest

from diffcompare.engine import blocks
from diffcompare.engine.codegen import generate
from diffcompare.engine.plans import plan_of
from diffcompare.engine.tracer import trace
from diffcompare.math import sum as dsum


@pytest.fixture(autouse=True)
def _small_blocks(monkeypatch):
    """Blocks of 8 entries, so that a few dozen make several (and a last, shorter one)."""
    monkeypatch.setattr(blocks, "MIN_BLOCK", 8)
    monkeypatch.setattr(blocks, "CACHE_BYTES", 8 * 8 * 8)


def rosenbrock(x):
    return dsum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def falling(x):
    # the reverse sweep meets the slice recorded last first: x[1:]'s part (offset 1), then
    # x[:-1]'s (offset 0), so the blocks run from the first
    return dsum((x[:-1] - 2.0) ** 2 + x[1:] * 3.0)


def rise_and_fall(x):  # gradient slices at offsets 1, 0 and 2: no order of blocks keeps it
    return dsum(x[2:] * x[:-2] + x[1:-1] ** 3)


def _bits(arrays) -> list[bytes]:
    return [np.asarray(a, dtype=float).tobytes() for a in arrays]


@pytest.mark.parametrize("function, backward", [(rosenbrock, True), (falling, False)])
@pytest.mark.parametrize("n", [17, 40, 61])  # 16 entries: two whole blocks; 60: a short last
def test_blocks_give_the_unblocked_plans_numbers_bit_for_bit(function, backward, n):
    x = np.random.default_rng(n).normal(size=n)
    tape = trace(function, ["x"], [x], point=x)
    plan = plan_of(tape, ["x"])
    assert plan.blocks is not None and plan.blocks.backward is backward
    assert plan.blocks.size == 8 and plan.blocks.length == n - 1
    whole = replace(plan, blocks=None)
    f, gradient = whole.run([x])
    assert _bits(plan.run([x])[0] + plan.run([x])[1]) == _bits(f + gradient)
    # reverse-ad's sweep over the trace's values, and through the tape interface
    assert _bits(plan.run(values=tape.recorded)[1]) == _bits(gradient)
    assert _bits([tape.vjp(x, [1.0])[1]]) == _bits(gradient)


def test_offsets_that_rise_and_fall_leave_the_plan_whole():
    x = np.random.default_rng(1).normal(size=40)
    assert plan_of(trace(rise_and_fall, ["x"], [x], point=x), ["x"]).blocks is None


def test_a_short_array_is_not_blocked():
    x = np.ones(15)  # 14 entries: less than two blocks
    assert plan_of(trace(rosenbrock, ["x"], [x], point=x), ["x"]).blocks is None


def test_the_blocked_gradient_code_runs_on_its_own_and_agrees(tmp_path):
    x = np.random.default_rng(2).normal(size=45)
    tape = trace(rosenbrock, ["x"], [x], point=x)
    generated = generate(tape, ["x"], "rosenbrock")
    assert "for lo in reversed(range(0, 44, 8)):" in generated.source
    path = tmp_path / "code.py"
    path.write_text(generated.source)
    spec = importlib.util.spec_from_file_location("blocked_code", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the code alone, importing only numpy
    value, gradient = module.value_and_grad(x)
    f, expected = replace(generated.plan, blocks=None).run([x])
    assert _bits([value, gradient]) == _bits(f + expected)
    again = x + 0.5  # another point: the same code, the same numbers as planned there
    assert _bits(module.value_and_grad(again)) == _bits(sum(generated.plan.run([again]), []))
