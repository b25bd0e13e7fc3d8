"""The ops table: every partial derivative against sympy, every implementation against
the others. One entry wrong here would be wrong in every method, so it is checked here."""

import cmath
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import example, given
from hypothesis import strategies as st

from diffcompare import ops
from diffcompare.expr import Expr, Var, as_expr
from diffcompare.methods.sympy_bridge import to_sympy

# Points inside every domain (asin/acos need |u| < 1, log/sqrt u > 0).
ARGS = {1: [(0.3,), (0.7,), (-0.45,)], 2: [(0.3, 1.7), (2.5, -1.25), (0.8, 3.0)]}
OPERATIONS = [op for op in ops.ALL_OPS if op.arity > 0]


def _inside(op, args):
    return (op.domain is None or op.domain(*args)) and (op.smooth is None or op.smooth(*args))


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_each_partial_matches_sympys_derivative(op):
    symbols = sympy.symbols(f"u0:{op.arity}", real=True)
    f = op.sympy(sympy, *symbols)
    for args in ARGS[op.arity]:
        if not _inside(op, args):
            continue
        at = dict(zip(symbols, args))
        for i, partial in enumerate(op.partials):
            expected = float(sympy.diff(f, symbols[i]).evalf(30, subs=at))
            # Two roundings of a few-operation formula: 1e-14 relative is ample.
            assert float(partial(*args)) == pytest.approx(expected, rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_partials_build_the_same_derivative_as_trees(op):
    names = [f"u{i}" for i in range(op.arity)]
    variables = [Var(n) for n in names]
    symbols = {n: sympy.Symbol(n, real=True) for n in names}
    f = op.sympy(sympy, *symbols.values())
    for i, partial in enumerate(op.partials):
        tree = as_expr(partial(*variables))
        # sign' is 2*DiracDelta in sympy: 0 wherever sign is differentiable, as in our table.
        expected = sympy.diff(f, symbols[names[i]]).replace(sympy.DiracDelta, lambda *a: 0)
        assert sympy.simplify(to_sympy(tree, symbols) - expected) == 0


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_real_complex_and_array_implementations_agree(op):
    for args in ARGS[op.arity]:
        if not _inside(op, args):
            continue
        real = op.real(*args)
        assert op.complex(*map(complex, args)) == pytest.approx(real, rel=1e-15, abs=1e-300)
        array = op.array(*(np.array([a, a]) for a in args))
        assert np.allclose(array, real, rtol=1e-15, atol=0)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_arrays_of_balls_give_what_each_ball_gives_alone(op):
    """An object array of balls goes straight to the ball implementation (ops._elementwise):
    entry by entry, the same ball as apply on that entry alone, with plain numbers and
    float arrays beside it; an array that also holds an expression node goes through
    apply, entry by entry."""
    import flint

    points = [args for args in ARGS[op.arity] if _inside(op, args)]
    columns = [np.array([flint.arb(args[i]) for args in points] or [flint.arb(0.5)],
                        dtype=object) for i in range(op.arity)]
    beside = [columns, [columns[0], *(np.array([args[i] for args in points]) if points
                                       else 0.5 for i in range(1, op.arity))]]
    if op.arity == 2:
        beside.append([columns[0], 3])
    for arguments in beside:
        found = ops.apply(op, *arguments)
        expected = [ops.apply(op, *entries) for entries in np.broadcast(*arguments)]
        assert all(type(a) is type(b) and a.mid() == b.mid() and a.rad() == b.rad()
                   for a, b in zip(found, expected, strict=True))
    mixed = np.array([flint.arb(0.5), Var("x")], dtype=object)
    assert isinstance(ops.apply(op, *[mixed] * op.arity)[1], Expr)


def test_real_implementations_follow_ieee_instead_of_raising():
    assert math.isnan(ops.LOG.real(-1.0))
    assert ops.LOG.real(0.0) == -math.inf
    assert ops.EXP.real(1000.0) == math.inf
    assert ops.DIV.real(1.0, 0.0) == math.inf
    assert math.isnan(ops.POW.real(-8.0, 1 / 3))
    assert ops.POW.real(-2.0, 3.0) == -8.0
    assert ops.POW.real(0.0, -1.0) == math.inf
    assert math.isnan(ops.SQRT.real(-1.0))


def test_abs_is_continued_analytically_for_complex_step():
    h = 1e-20
    assert ops.ABS.complex(complex(-3.0, h)).imag / h == -1.0
    assert ops.ABS.complex(complex(3.0, h)).imag / h == 1.0
    assert cmath.isnan(ops.LOG.complex(0j))


def test_constant_exponent_never_needs_log_of_the_base():
    # d/du u**3 at u = -2 is 12; the exponent's partial (log(-2)) is separate and unused.
    assert ops.POW.partials[0](-2.0, 3.0) == 12.0


def test_every_user_function_has_a_sympy_name_to_translate_back():
    for name, op in ops.FUNCTIONS.items():
        assert op.sympy_name in ops.BY_SYMPY_NAME, name


EXACTLY_ROUNDED = [op for op in OPERATIONS if op.rounding is not None]


@pytest.mark.parametrize("op", EXACTLY_ROUNDED, ids=lambda op: op.name)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=2, max_size=2))
@example([1.0003, 1.0])  # Sterbenz: x - y is exact for y/2 <= x <= 2y
@example([2.0, 0.1])  # a power of two scales exactly
@example([0.1, 0.2])  # 0.1 + 0.2 is not 0.3, by 2.8e-17
def test_an_operations_rounding_is_its_exact_error(op, args):
    """ops.Op.rounding is the float result's exact error (running error analysis trusts it
    in place of u·|v|), or nan where the error-free transformation cannot say."""
    args = args[: op.arity]
    with np.errstate(all="ignore"):
        result = op.real(*args)
        error = op.rounding(*args)
    exact = op.exact(*(Fraction(a) for a in args))
    if not math.isfinite(result):  # overflow: there is no float error to speak of
        return
    if math.isnan(error):
        assert op is ops.MUL  # only Dekker's product gives up, near the ends of the range
        return
    assert Fraction(error) == exact - Fraction(result)
