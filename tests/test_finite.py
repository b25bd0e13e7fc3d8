"""A point's inputs are finite: found from f where every entry reaches it through operations
that keep inf and nan (engine/finite.py), else by reading them; either way a point with an
entry that is not finite is refused before an answer is given."""

import numpy as np
import pytest

import diffcompare
from diffcompare.engine.finite import spreads_nonfinite
from diffcompare.engine.tracer import trace
from diffcompare.errors import InputError
from diffcompare.math import exp, tanh
from diffcompare.math import sum as dsum

X = np.array([[1.0, -2.0], [0.5, 3.0], [-1.5, 0.25]])


def _rosenbrock(x):
    return dsum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def _first_five(x):
    return dsum(x[:5])  # x[5:] reaches no output


def _exponential(x):
    return dsum(exp(x))  # exp(-inf) = 0


def _linear_layer(W, b):
    return dsum(X @ W + b)  # 0·inf = nan: a product keeps it


def _tanh_layer(W, b):
    return dsum(tanh(X @ W + b))  # tanh(inf) = 1


def _root(x):
    return dsum(x ** 0.5 + x ** 3)  # a power above 0 keeps it


def _reciprocal(x):
    return dsum(x ** -1.0)  # inf**-1 = 0


def _largest(x):
    return np.max(x) + dsum(x[1:])  # x[0] reaches f only through a choice


W, B, V = np.ones((2, 4)), np.zeros(4), np.linspace(1.0, 2.0, 6)


@pytest.mark.parametrize("program, inputs, spreads", [
    (_rosenbrock, [V], True), (_first_five, [V], False), (_exponential, [V], False),
    (_linear_layer, [W, B], True), (_tanh_layer, [W, B], False), (_root, [V], True),
    (_reciprocal, [V], False), (_largest, [V], False),
])
def test_which_programs_spread_a_non_finite_entry_to_f(program, inputs, spreads):
    names = list(program.__code__.co_varnames[:len(inputs)])
    assert spreads_nonfinite(trace(program, names, inputs)) is spreads


@pytest.mark.parametrize("program", [_rosenbrock, _first_five, _exponential, _largest])
@pytest.mark.parametrize("where", [0, -1])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("method", ["reverse-ad", "reverse-ad-compiled", "central-fd"])
def test_a_point_with_an_entry_that_is_not_finite_is_refused(program, where, bad, method):
    diffcompare.derivative(program, at={"x": V}, method=method)  # (the code written first)
    x = V.copy()
    x[where] = bad
    with pytest.raises(InputError, match="input x has entries that are not finite"):
        diffcompare.derivative(program, at={"x": x}, method=method)


def _halves_until_below_one(x):
    t = dsum(x)
    while not t < 1.0:  # a nan is never below one: round and round, were it let in
        t = t / 2.0
    return t * t


def test_a_program_that_branches_on_a_non_finite_value_is_refused_at_its_first_branch():
    x = V.copy()
    x[2] = np.nan
    # a budget of one CPU second: were the loop entered, the answer would be a timeout
    with pytest.raises(InputError, match="input x has entries that are not finite"):
        diffcompare.derivative(_halves_until_below_one, at={"x": x}, budget=1)
    found = diffcompare.derivative(_halves_until_below_one, at={"x": V}, budget=1)
    assert np.isfinite(found.value).all()


NONFINITE = (np.inf, -np.inf, np.nan)
OTHERS = (0.0, -0.0, 1.0, -2.5, 1e-310, 1e308)  # zero, a subnormal, near overflow
EXPONENTS = (0.5, 1.0, 2.0, 3.0, 2.5, -1.0, 0.0)


def test_every_operation_that_claims_to_keep_a_non_finite_argument_does():
    """ops.py's keeps_nonfinite, entry by entry, on numpy's own operations (those the
    tracer records with): an inf or a nan where it is claimed kept never gives a finite
    result, whatever the other argument."""
    from diffcompare import ops

    checked = 0
    for op in ops.ALL_OPS:
        if op.keeps_nonfinite is None:
            continue
        for i in range(op.arity):
            for others in ([()] if op.arity == 1 else [(o,) for o in (*OTHERS, *EXPONENTS)]):
                constants = tuple(None if k == i else others[0] for k in range(op.arity))
                if not op.keeps_nonfinite(i, constants):
                    continue
                for bad in NONFINITE:
                    args = [bad if k == i else others[0] for k in range(op.arity)]
                    with np.errstate(all="ignore"):
                        result = op.array(*(np.array([a]) for a in args))
                    assert not np.isfinite(result).any(), (op.name, i, args, result)
                    checked += 1
    assert checked > 100


def test_every_shape_operation_that_claims_to_keep_a_non_finite_entry_does():
    from diffcompare import ops

    rng = np.random.default_rng(8)
    a, b = rng.normal(size=(3, 4)), np.zeros((4, 2))  # zeros: 0·inf = nan is kept
    cases = [(ops.SUM, None, (a,)), (ops.SUM, 0, (a,)), (ops.GETITEM, (slice(None), 1), (a,)),
             (ops.RESHAPE, (12,), (a,)), (ops.TRANSPOSE, None, (a,)), (ops.MATMUL, None, (a, b)),
             (ops.CUMSUM, 1, (a,)), (ops.PROD, None, (a,)), (ops.CONCATENATE, 0, (a, a))]
    for op, param, args in cases:
        assert op.keeps_nonfinite
        clean = op.forward(param, *args)
        for bad in NONFINITE:
            spoiled = [np.array(v, dtype=float) for v in args]
            spoiled[0][1, 1] = bad
            with np.errstate(all="ignore"):
                result = np.asarray(op.forward(param, *spoiled))
            # the entries the spoiled one reaches (those that changed or became non-finite)
            # are not finite, and at least one is
            reached = ~np.isfinite(result)
            assert reached.any(), (op.name, bad)
            assert np.array_equal(np.isfinite(result), np.isfinite(result) &
                                  (result == np.asarray(clean))), (op.name, bad)


def test_only_the_user_s_own_point_is_read_at_the_first_branch():
    """A trace at a point the tool made (a descent's next step, a stencil's) is not the
    user's: where it overflowed, its numbers say so (the descent stops as diverged)."""
    from diffcompare.engine.tracer import NonFiniteInput

    x = np.array([np.inf, 1.0])
    tape = trace(_halves_once, ["x"], [x])
    assert not np.isfinite(tape.f()[0])
    with pytest.raises(NonFiniteInput, match="input x has entries that are not finite"):
        trace(_halves_once, ["x"], [x], unread=True)


def _halves_once(x):
    t = dsum(x)
    return t / 2.0 if t > 1.0 else t
