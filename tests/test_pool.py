"""The pool of large arrays (engine/pool.py): an array is handed out again only when nothing
but the pool refers to it, and a trace written into its arrays has numpy's own numbers."""

import numpy as np
import pytest

from diffcompare.engine import pool
from diffcompare.engine.tracer import trace
from diffcompare.math import sum as dsum

SHAPE = (pool.MIN_ENTRIES,)


@pytest.fixture(autouse=True)
def _empty_pool():
    pool.clear()
    yield
    pool.clear()


def test_an_array_in_use_is_never_handed_out_again():
    first = pool.take(SHAPE)
    assert first is not None and first.shape == SHAPE
    second = pool.take(SHAPE)
    assert second is not first  # `first` is still held here
    view = first[1:]
    del first
    third = pool.take(SHAPE)
    assert third is not view.base and third is not second  # a view keeps its base in use
    del view
    assert pool.take(SHAPE) is not None
    assert pool.held_bytes() == 3 * SHAPE[0] * 8


def test_an_array_let_go_is_reused_and_small_ones_are_not_pooled():
    array = pool.take(SHAPE)
    address = array.ctypes.data
    del array
    assert pool.take(SHAPE).ctypes.data == address
    assert pool.take((pool.MIN_ENTRIES - 1,)) is None
    assert pool.take(SHAPE, np.complex128) is not None  # each dtype has arrays of its own


def test_the_pool_holds_at_most_its_limit(monkeypatch):
    monkeypatch.setattr(pool, "LIMIT_BYTES", 2 * SHAPE[0] * 8)
    held = [pool.take(SHAPE), pool.take(SHAPE)]
    assert all(a is not None for a in held)
    assert pool.take(SHAPE) is None  # full: the caller makes its own
    assert pool.empty(SHAPE).shape == SHAPE
    assert pool.held_bytes() == 2 * SHAPE[0] * 8


def _rosenbrock(x):
    return dsum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def test_traces_in_pooled_arrays_keep_numpy_s_numbers_while_both_are_alive():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=2 * pool.MIN_ENTRIES), rng.normal(size=2 * pool.MIN_ENTRIES)
    first = trace(_rosenbrock, ["x"], [a])
    second = trace(_rosenbrock, ["x"], [b])  # first's arrays are in use: not reused
    assert pool.held_bytes() > 0
    for x, tape in ((a, first), (b, second)):
        inner = x[1:] - x[:-1] * x[:-1]
        expected = np.sum(100 * inner ** 2 + (1 - x[:-1]) ** 2)
        assert np.float64(tape.f()[0]).tobytes() == np.float64(expected).tobytes()
        slots = [tape.values[k] for k in range(len(tape.ops)) if np.ndim(tape.values[k])]
        assert any(np.array_equal(v, inner) for v in slots)
    held = pool.held_bytes()
    del first
    trace(_rosenbrock, ["x"], [a])  # the first trace's arrays serve the third
    assert pool.held_bytes() == held


def test_a_reverse_sweep_lets_go_of_values_it_does_not_read_and_they_come_back_the_same():
    rng = np.random.default_rng(4)
    x = rng.normal(size=2 * pool.MIN_ENTRIES)
    tape = trace(_rosenbrock, ["x"], [x], point=x)
    before = [np.copy(v) if isinstance(v, np.ndarray) else v for v in tape.values]
    f, gradient = tape.vjp(x, [1.0])
    let_go = [k for k, v in enumerate(tape.recorded) if v is None]
    # 100*u**2 + (1 - a)**2: neither a**2, u**2, 100*u**2, (1-a)**2 nor their sum is read
    # by the reverse sweep (u and 1 - a are)
    assert len(let_go) == 5
    again, _ = tape.vjp(x, [1.0])  # the plan runs without them
    assert again == f
    after = tape.values  # asked for: computed again, the same numbers
    assert all(np.asarray(a).tobytes() == np.asarray(b).tobytes()
               for a, b in zip(before, after))
    assert not any(v is None for v in tape.recorded)
    inner = x[1:] - x[:-1] ** 2
    expected = np.zeros_like(x)
    expected[:-1] = -400 * x[:-1] * inner - 2 * (1 - x[:-1])
    expected[1:] += 200 * inner
    # the same algebra in another order: a few roundings of the largest term
    assert np.max(np.abs(gradient - expected)) <= 1e-13 * np.max(np.abs(expected))


def test_a_value_no_partial_reads_is_let_go_while_the_program_runs():
    rng = np.random.default_rng(5)
    x = rng.normal(size=2 * pool.MIN_ENTRIES)
    tape = trace(_rosenbrock, ["x"], [x], point=x)
    computed = [k for k, op in enumerate(tape.ops) if op is not None and
                tape.shape_at(k) == (x.size - 1,) and op.name != "getitem"]
    let_go = [k for k in computed if tape.recorded[k] is None]
    # u = x[1:] - a**2 and 1 - a are read by the reverse sweep; a**2, u**2, 100*u**2,
    # (1 - a)**2 and the sum's operand are not, and go back to the pool as each dies
    assert len(computed) == 7 and len(let_go) == 5
    assert sorted(tape.plan().slots_read & set(computed)) == sorted(set(computed) - set(let_go))
    # so the trace's seven arrays of that shape took fewer from the pool: numpy's own
    # temporaries live no longer either
    assert len(pool._arrays[((x.size - 1,), np.dtype(float))]) < len(computed)
    f, gradient = tape.vjp(x, [1.0])  # the sweep runs without them
    inner = x[1:] - x[:-1] ** 2
    assert np.float64(f[0]).tobytes() == np.float64(np.sum(100 * inner ** 2 +
                                                           (1 - x[:-1]) ** 2)).tobytes()
    restored = tape.values  # asked for: computed again, numpy's numbers
    assert restored[let_go[0]].tobytes() == (x[:-1] * x[:-1]).tobytes()


def test_a_traced_value_interrupted_before_its_init_is_collected_quietly(monkeypatch):
    """A budget's timer raises from a signal handler wherever the program is: between a
    Traced's __new__ and __init__ it leaves one with no tape, whose __del__ must not fail."""
    import sys

    from diffcompare.engine.tracer import Traced

    failures = []
    monkeypatch.setattr(sys, "unraisablehook", failures.append)
    half_made = object.__new__(Traced)
    del half_made
    assert failures == []


def test_threads_tracing_at_once_never_share_an_array():
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(5)
    points = [rng.normal(size=2 * pool.MIN_ENTRIES) for _ in range(8)]

    def gradient(x):
        return trace(_rosenbrock, ["x"], [x], point=x).vjp(x, [1.0])[1]

    alone = [gradient(x) for x in points]
    with ThreadPoolExecutor(4) as workers:
        together = list(workers.map(gradient, points * 3))
    assert all(g.tobytes() == alone[i % len(points)].tobytes()
               for i, g in enumerate(together))


def test_a_temporary_takes_the_result_in_its_own_memory_as_numpy_s_do():
    """x[1:] - x[:-1]**2 writes into the square's memory, 100*u**2 into u**2's and the last
    sum's operands into (1 - a)**2's: the trace of Rosenbrock takes four arrays of the pool
    where it took five (each temporary let go only once the next result had its own), and
    numpy's numbers."""
    rng = np.random.default_rng(6)
    x = rng.normal(size=2 * pool.MIN_ENTRIES)
    tape = trace(_rosenbrock, ["x"], [x], point=x)
    assert len(pool._arrays[((x.size - 1,), np.dtype(float))]) == 4
    inner = x[1:] - x[:-1] ** 2
    expected = np.sum(100 * inner ** 2 + (1 - x[:-1]) ** 2)
    assert np.float64(tape.f()[0]).tobytes() == np.float64(expected).tobytes()
    f, gradient = tape.vjp(x, [1.0])
    assert np.float64(f[0]).tobytes() == np.float64(expected).tobytes()
    again = trace(_rosenbrock, ["x"], [x], point=x).vjp(x, [1.0])[1]
    assert again.tobytes() == gradient.tobytes()


def _named_and_used_again(x):
    y = x * 2.0  # a name: the program reads y again after y + 1.0, which must not take it
    shifted = (y + 1.0) - 3.0  # (y + 1.0) is a temporary: the difference may take it
    return dsum(shifted) + dsum(y * y)


def _held_by_an_array_of_objects(x):
    pair = np.empty(1, dtype=object); pair[0] = x * 2.0; shifted = pair - 1.0  # noqa: E702
    # numpy's loop over the objects calls the operator with a reference it does not count,
    # from the user's line: x * 2.0 is still the array's, whose sum below must see it
    return dsum(shifted[0]) + dsum(pair[0])


@pytest.mark.parametrize("program, expected", [
    (_named_and_used_again, lambda x: np.sum(x * 2.0 + 1.0 - 3.0) + np.sum((x * 2) ** 2)),
    (_held_by_an_array_of_objects, lambda x: np.sum(x * 2.0 - 1.0) + np.sum(x * 2.0)),
])
def test_a_value_the_program_can_still_reach_is_never_written_into(program, expected):
    x = np.random.default_rng(7).normal(size=2 * pool.MIN_ENTRIES)
    tape = trace(program, ["x"], [x], point=x)
    # the same operations, in the same order, as numpy runs them: the same bits
    assert np.float64(tape.f()[0]).tobytes() == np.float64(expected(x)).tobytes()


def _chain(x):
    return dsum(((x * 2.0 + 1.0) * 3.0 - x) / 4.0)


def _nested(x):
    return dsum((x[1:] * x[1:] - (x[:-1] + 1.0) * 2.0) * (1.0 - x[:-1] * 0.5))


def _reflected(x):
    return dsum(1.0 - (2.0 / (x * x + 1.0)) + 3.0 * (x - 1.0))


def _named_in_between(x):
    u = x * x - 1.0
    v = (u + 2.0) * (u - 2.0)  # u read twice, by name: never written into
    return dsum(v / (u * u + 1.0))


def _sin_of_temporaries(x):
    from diffcompare.math import sin

    return dsum(sin(x * 2.0 - 1.0) * (x + 1.0) - (x * x) * 0.25)


@pytest.mark.parametrize("program", [_rosenbrock, _chain, _nested, _reflected,
                                     _named_in_between, _sin_of_temporaries])
def test_writing_into_temporaries_changes_no_number(program, monkeypatch):
    """The same trace with and without the elision: the same f and the same gradient, bit
    for bit (an operation computes the same numbers into any memory)."""
    from diffcompare.engine import tracer

    x = np.random.default_rng(9).normal(size=2 * pool.MIN_ENTRIES)
    with_elision = trace(program, ["x"], [x], point=x).vjp(x, [1.0])
    monkeypatch.setattr(tracer, "_dying", lambda a, b: None)
    without = trace(program, ["x"], [x], point=x).vjp(x, [1.0])
    assert np.float64(with_elision[0][0]).tobytes() == np.float64(without[0][0]).tobytes()
    assert with_elision[1].tobytes() == without[1].tobytes()
