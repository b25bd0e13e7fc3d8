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
    """Blocks of at most 128 entries (the least: numpy adds 128 entries in one run), so
    that a few hundred make several, of unequal lengths."""
    monkeypatch.setattr(blocks, "MIN_BLOCK", 128)
    monkeypatch.setattr(blocks, "CACHE_BYTES", 128 * 8)


def rosenbrock(x):
    return dsum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def falling(x):
    # the reverse sweep meets the slice recorded last first: x[1:]'s part (offset 1), then
    # x[:-1]'s (offset 0), so the blocks run from the first
    return dsum((x[:-1] - 2.0) ** 2 + x[1:] * 3.0)


def two_sums(x):  # two sums over the loop's length, each added from its blocks' parts
    return dsum(x[1:] ** 2) + 3.0 * dsum(np.sin(x[:-1]))


def rise_and_fall(x):  # gradient slices at offsets 1, 0 and 2: no order of blocks keeps it
    return dsum(x[2:] * x[:-2] + x[1:-1] ** 3)


def _bits(arrays) -> list[bytes]:
    return [np.asarray(a, dtype=float).tobytes() for a in arrays]


@pytest.mark.parametrize("function, backward", [(rosenbrock, True), (falling, False),
                                                (two_sums, True)])
@pytest.mark.parametrize("n", [257, 400, 1001])  # 256 entries: two blocks of 128; 1,000: 9
def test_blocks_give_the_unblocked_plans_numbers_bit_for_bit(function, backward, n):
    # entries of many magnitudes: a sum added in another order than np.sum's rounds otherwise
    rng = np.random.default_rng(n)
    x = rng.normal(size=n) * 10.0 ** rng.uniform(-3, 3, size=n)
    tape = trace(function, ["x"], [x], point=x)
    plan = plan_of(tape, ["x"])
    assert plan.blocks is not None and plan.blocks.backward is backward
    assert plan.blocks.size == 128 and plan.blocks.length == n - 1
    bounds = plan.blocks.bounds  # the whole length, in pieces of at most 128
    assert bounds[0][0] == 0 and bounds[-1][1] == n - 1 and len(bounds) > 1
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    assert all(0 < hi - lo <= 128 for lo, hi in bounds)
    whole = replace(plan, blocks=None)
    f, gradient = whole.run([x])
    assert _bits(plan.run([x])[0] + plan.run([x])[1]) == _bits(f + gradient)
    # reverse-ad's sweep over the trace's values, and through the tape interface
    assert _bits(plan.run(values=tape.recorded)[1]) == _bits(gradient)
    assert _bits([tape.vjp(x, [1.0])[1]]) == _bits(gradient)


def test_offsets_that_rise_and_fall_leave_the_plan_whole():
    x = np.random.default_rng(1).normal(size=400)
    assert plan_of(trace(rise_and_fall, ["x"], [x], point=x), ["x"]).blocks is None


def test_a_short_array_is_not_blocked():
    x = np.ones(256)  # 255 entries: less than two blocks
    assert plan_of(trace(rosenbrock, ["x"], [x], point=x), ["x"]).blocks is None


def test_the_blocked_gradient_code_runs_on_its_own_and_agrees(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.normal(size=451) * 10.0 ** rng.uniform(-3, 3, size=451)
    tape = trace(rosenbrock, ["x"], [x], point=x)
    generated = generate(tape, ["x"], "rosenbrock")
    assert "for block in reversed(range(4)):" in generated.source  # 450 entries: 4 blocks
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


@pytest.mark.parametrize("length", [129, 1_000, 4_096, 65_537, 999_999])
@pytest.mark.parametrize("most", [128, 1_000, 16_384])
def test_the_pieces_summed_in_their_order_are_np_sum_bit_for_bit(length, most):
    rng = np.random.default_rng(length + most)
    entries = rng.normal(size=length) * 10.0 ** rng.uniform(-8, 8, size=length)
    bounds, order = blocks.pieces(length, most)
    parts = [np.add.reduce(entries[lo:hi]) for lo, hi in bounds]
    # (the printed code adds them as the text says: the blocked code's own test, above)
    assert blocks._add_parts(order, parts) == np.sum(entries)


def test_a_plan_with_a_sum_stays_whole_where_numpy_sums_otherwise(monkeypatch):
    x = np.random.default_rng(3).normal(size=400)
    tape = trace(rosenbrock, ["x"], [x], point=x)
    monkeypatch.setattr(blocks, "sums_as_numpy", lambda: False)
    assert plan_of(tape, ["x"]).blocks is None


def test_an_input_named_as_the_loop_names_its_own_is_renamed_and_the_code_still_agrees():
    def f(block):
        return dsum((block[1:] - block[:-1]) ** 2)

    x = np.random.default_rng(4).normal(size=300)
    tape = trace(f, ["block"], [x], point=x)
    generated = generate(tape, ["block"], "loop names")
    assert "def value_and_grad(x_0):" in generated.source  # block is the loop's counter
    value, gradient = generated.load()(x)
    f_whole, expected = replace(generated.plan, blocks=None).run([x])
    assert _bits([value, gradient]) == _bits(f_whole + expected)
