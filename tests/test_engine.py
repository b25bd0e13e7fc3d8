"""The engine: the multi-output tape and its three sweeps, and tagged dual numbers."""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings

from diffcompare import ops
from diffcompare.engine.dual import Dual, derivative, new_tag, primal, tangent_of
from diffcompare.engine.scalar import ScalarTape as Tape
from diffcompare.expr import Call, Const, Var, postorder
from diffcompare.parse import parse, parse_outputs

from .strategies import expressions, points

# Exact methods on short computations: a few roundings -> agreement to 1e-15 or exact.


def tape_of(text, names):
    return Tape.record(parse_outputs(text), names)


def test_a_shared_subexpression_gets_one_slot_across_outputs():
    tape = tape_of("sin(x)*y, sin(x) + 1", ["x", "y"])
    sines = [k for k, op in enumerate(tape.ops) if op is ops.SIN]
    assert len(sines) == 1 and tape.n_outputs == 2
    values = tape.forward([0.5, 2.0])
    assert tape.output_values(values) == [math.sin(0.5) * 2, math.sin(0.5) + 1]


def _layout_by_hand(roots, names):
    """The tape's slots worked out the plain way (Baydin et al.'s tables): the inputs, the
    leaves in post-order, then the operations level by level, each level in post-order."""
    order = []
    for root in roots:
        order += [node for node in postorder(root) if node not in order]
    level, reads_input = {}, {}
    for node in order:
        arguments = node.args if isinstance(node, Call) else ()
        level[node] = 1 + max(level[a] for a in arguments) if arguments else 0
        reads_input[node] = isinstance(node, Var) or any(reads_input[a] for a in arguments)
    inputs = [next((v for v in order if isinstance(v, Var) and v.name == name), None)
              for name in names]
    rest = sorted((v for v in order if not isinstance(v, Var)), key=level.__getitem__)
    nodes = [*inputs, *rest]  # (sorted() is stable: post-order within a level)
    slot = {node: k for k, node in enumerate(nodes) if node is not None}
    args = [tuple(slot[a] for a in node.args) if isinstance(node, Call) else ()
            for node in nodes]
    active = [node is None or reads_input[node] for node in nodes]
    return nodes, args, active, [slot[root] for root in roots]


@given(expressions, expressions)
def test_a_tape_lays_its_slots_out_as_the_tables_do(first, second):
    for roots, names in (((first,), ["x", "y"]), ((first, second), ["y", "x", "z"])):
        tape = Tape.record(roots, names)
        nodes, args, active, outputs = _layout_by_hand(roots, names)
        assert list(tape.nodes) == nodes and list(tape.args) == args
        assert list(tape.active) == active and list(tape.outputs) == outputs
        assert list(tape.ops) == [node.op if isinstance(node, Call) else None
                                  for node in nodes]
        assert list(tape.constants) == [float(node.value) if isinstance(node, Const) else None
                                        for node in nodes]


def test_jvp_is_one_forward_pass_giving_j_times_v():
    tape = tape_of("x1*x2, sin(x1) + x2**2", ["x1", "x2"])
    f, jv = tape.jvp([1.0, 2.0], [1.0, -1.0])
    assert f == [2.0, math.sin(1) + 4]
    assert jv == [1.0, math.cos(1) - 4]  # J = [[2, 1], [cos 1, 4]]


def test_the_reverse_sweep_seeded_with_r_gives_jt_times_r():
    tape = tape_of("x1*x2, sin(x1) + x2**2", ["x1", "x2"])
    adjoints = tape.reverse(tape.forward([1.0, 2.0]), [1.0, 2.0])
    assert adjoints[:2] == [2 + 2 * math.cos(1), 9.0]
    with pytest.raises(ValueError, match="expected 2 cotangent entries"):
        tape.reverse(tape.forward([1.0, 2.0]), [1.0])


def test_an_output_used_twice_collects_both_seeds():
    tape = tape_of("x*x, x*x", ["x"])
    assert tape.outputs[0] == tape.outputs[1]
    assert tape.reverse(tape.forward([3.0]), [1.0, 1.0])[0] == 12.0


def test_perturbation_confusion_is_avoided_by_tags():
    # d/dx [x * (d/dy (x + y))] = d/dx [x * 1] = 1 at any x (Siskind & Pearlmutter 2005).
    # Untagged duals mix the two perturbations and give 2.
    for x in (0.0, 1.0, 3.5, -2.0):
        assert derivative(lambda a: a * derivative(lambda b: a + b, 1.0), x) == 1.0


def test_duals_nest_for_second_derivatives():
    # d²/dx² x³ = 6x, d³/dx³ x³ = 6
    def cube(a):
        return a * a * a

    assert derivative(lambda a: derivative(cube, a), 2.0) == 12.0
    assert derivative(lambda a: derivative(lambda b: derivative(cube, b), a), 2.0) == 6.0
    assert derivative(lambda a: derivative(lambda b: ops.sin(b), a), 0.3) == -math.sin(0.3)


def test_tangent_of_keeps_newer_tags_and_ignores_older_ones():
    outer, inner = new_tag(), new_tag()
    value = Dual(Dual(2.0, 3.0, outer), Dual(5.0, 7.0, outer), inner)
    assert tangent_of(value, inner).tangent == 7.0 and tangent_of(value, inner).tag == outer
    assert tangent_of(2.0, inner) == 0.0
    assert primal(value) == 2.0
    assert Dual(1.0, 1.0) < 2.0 and not Dual(3.0, 0.0) <= 2.0  # comparisons: the value only


def test_reverse_over_dual_values_gives_a_hessian_column():
    tape = tape_of("x1**2*x2 + x2*x3", ["x1", "x2", "x3"])
    tag = new_tag()
    values = tape.forward([Dual(2.0, 1.0, tag), 3.0, 4.0])
    adjoints = tape.reverse(values)
    assert [tangent_of(a, tag) for a in adjoints[:3]] == [6.0, 4.0, 0.0]  # H[:, 0]


class _Float(float):
    """A float the fast path does not recognise: the generic sweeps run on it."""


def _same(a, b) -> bool:
    return float(a) == float(b) or (math.isnan(float(a)) and math.isnan(float(b)))


@settings(max_examples=200, deadline=None)
@given(expressions, points)
# x**x adds two terms to x's adjoint, which already holds 1: (1 + p0) + p1 is not
# (1 + p1) + p0 at x = 0.3, so the terms must be added in the generic sweep's order
@example(parse("x + x**x"), (0.3, 1.0))
def test_the_float_sweeps_give_the_generic_sweeps_numbers_bit_for_bit(expr, point):
    tape = Tape.record(expr, ["x", "y"])
    with np.errstate(all="ignore"):
        fast = tape.forward(list(point))
        generic = tape.forward([_Float(v) for v in point])
        assert all(_same(a, b) for a, b in zip(fast, generic))
        fast_adjoints = tape.reverse(fast)
        generic_adjoints = tape.reverse([_Float(v) if k < 2 else v for k, v in enumerate(fast)])
    assert all(_same(a, b) for a, b in zip(fast_adjoints, generic_adjoints))
