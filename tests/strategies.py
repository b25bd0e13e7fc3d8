"""Hypothesis strategies: random expression trees over the whole ops table."""

from fractions import Fraction

from hypothesis import strategies as st

from diffcompare import ops
from diffcompare.expr import Call, Const, Var

UNARY = [op for op in ops.ALL_OPS if op.arity == 1]
BINARY = [op for op in ops.ALL_OPS if op.arity == 2]
NAMES = ("x", "y")

leaves = st.one_of(
    st.sampled_from([Var(n) for n in NAMES]),
    st.integers(min_value=1, max_value=5).map(Const),
    st.sampled_from([Const(Fraction(1, 2)), Const(Fraction(3, 10)), Call(ops.PI)]),
)


def _extend(children):
    return st.one_of(
        st.builds(lambda op, a: Call(op, (a,)), st.sampled_from(UNARY), children),
        st.builds(lambda op, a, b: Call(op, (a, b)), st.sampled_from(BINARY), children,
                  children),
    )


expressions = st.recursive(leaves, _extend, max_leaves=10)
points = st.tuples(st.sampled_from([0.3, 0.7, 1.3, 2.1]), st.sampled_from([0.4, 0.9, 1.7]))
