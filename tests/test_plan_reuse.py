"""A plan is made once per trace structure (engine/plans.py's plan_for): a program traced
again at another point reuses it when the trace has the same records, shapes, constants and
branches, binds its array constants anew, and plans afresh otherwise; the numbers are a fresh
plan's, bit for bit."""

import numpy as np
import pytest

from diffcompare.engine import plans
from diffcompare.engine.tracer import trace
from diffcompare.math import sum as dsum


@pytest.fixture(autouse=True)
def _no_kept_plans():
    plans._PLANS.clear()
    yield
    plans._PLANS.clear()


def _gradient(tape, x):
    return np.asarray(tape.vjp(x, [1.0])[1], dtype=float)


def _fresh(function, x):
    """The gradient by a plan made for this trace alone."""
    tape = trace(function, ["x"], [x], point=x)
    tape.__dict__["_plans"] = {False: plans.plan_of(tape, tape.names)}
    return _gradient(tape, x)


def rosenbrock(x):
    return dsum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def branching(x):
    return dsum(x ** 3) if dsum(x) > 0 else dsum(x * 2.0)


def test_a_trace_of_the_same_structure_reuses_the_plan_with_a_fresh_plans_numbers():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=30), rng.normal(size=30)
    first, second = (trace(rosenbrock, ["x"], [v], point=v) for v in (a, b))
    assert first.structure() == second.structure()
    assert first.plan() is second.plan()
    assert _gradient(second, b).tobytes() == _fresh(rosenbrock, b).tobytes()


def test_another_branch_or_another_size_is_planned_again():
    up, down = np.full(5, 1.0), np.full(5, -1.0)
    taken = [trace(branching, ["x"], [v], point=v) for v in (up, down, np.ones(6))]
    assert len({t.structure() for t in taken}) == 3
    assert len({id(t.plan()) for t in taken}) == 3
    for tape, x in zip(taken, (up, down, np.ones(6))):
        assert _gradient(tape, x).tobytes() == _fresh(branching, x).tobytes()


def test_array_constants_are_bound_from_each_trace_and_scalars_are_part_of_the_key():
    data = np.arange(8.0)
    scale = [3.0]

    def fit(x):  # data the function closes over, changed between calls (same shape)
        return dsum((x * data - scale[0]) ** 2)

    x = np.linspace(-1, 1, 8)
    first = trace(fit, ["x"], [x], point=x)
    first.plan()
    data[:] = data[::-1] * 2.0  # the same shape, other numbers: the kept plan is rebound
    again = trace(fit, ["x"], [x], point=x)
    assert again.structure() == first.structure()
    assert _gradient(again, x).tobytes() == _fresh(fit, x).tobytes()
    assert np.allclose(_gradient(again, x), 2 * (x * data - 3.0) * data, rtol=1e-14)
    scale[0] = 5.0  # a scalar constant is written into the plan: another key
    changed = trace(fit, ["x"], [x], point=x)
    assert changed.structure() != again.structure()
    assert np.allclose(_gradient(changed, x), 2 * (x * data - 5.0) * data, rtol=1e-14)


def test_a_trace_with_an_array_index_is_never_reused():
    picked = np.array([0, 2, 2, 4])

    def gather(x):
        return dsum(x[picked] ** 2)

    x = np.arange(1.0, 6.0)
    tape = trace(gather, ["x"], [x], point=x)
    assert tape.structure() is None
    tape.plan()
    assert not plans._PLANS
    expected = np.zeros(5)
    np.add.at(expected, picked, 2 * x[picked])
    assert _gradient(tape, x).tobytes() == expected.tobytes()
