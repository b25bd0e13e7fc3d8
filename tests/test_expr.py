"""The shared tree: interning, DAG counting, walks that never recurse, simplification."""

import gc
import sys

from diffcompare import ops
from diffcompare.engine.scalar import ScalarTape as Tape
from diffcompare.engine.scalar import evaluate
from diffcompare.expr import Call, Const, Var, operation_count, postorder, to_text, variables
from diffcompare.parse import parse


def test_equal_nodes_are_the_same_object():
    assert Call(ops.SIN, (Var("x"),)) is Call(ops.SIN, (Var("x"),))
    assert Const(2) is Const(2)
    assert hash(parse("x*y + 1")) == hash(parse("x*y + 1"))


def test_a_node_nobody_holds_leaves_the_intern_table_and_is_made_again_when_asked():
    from diffcompare import expr

    gc.collect()
    before = expr.interned_count()
    node = parse("sin(interned_a*interned_b) + 7/interned_a")  # nodes no other test makes
    assert expr.interned_count() > before
    del node
    gc.collect()
    assert expr.interned_count() == before  # each entry went with its node
    again = parse("sin(interned_a*interned_b) + 7/interned_a")
    assert to_text(again) == "sin(interned_a*interned_b) + 7/interned_a"
    assert again is parse("sin(interned_a*interned_b) + 7/interned_a")  # interned anew
    assert expr.interned_count() > before


def test_a_tree_whose_walks_were_memoized_is_forgotten_when_nobody_holds_it():
    """The walks' memos are keyed weakly on the root and never hold the root itself."""
    from diffcompare import expr
    from diffcompare.methods.manual import differentiate

    gc.collect()
    before = expr.interned_count()
    tree = parse("sin(walked_a*walked_b) + walked_a**3")
    assert to_text(differentiate(tree, "walked_a")) == \
        "cos(walked_a*walked_b)*walked_b + 3*walked_a**2"
    Tape.record(tree, ["walked_a", "walked_b"])  # (its walks: postorder, dependents)
    del tree
    gc.collect()
    assert expr.interned_count() == before


def test_a_large_build_goes_to_the_oldest_generation_and_a_small_one_leaves_them(monkeypatch):
    """building() hands a large build to the oldest generation at once (the young pass
    over all of it is skipped): a garbage cycle of the caller's, moved with it, is still
    found by a full collection, and objects the caller froze are never thawed by it. A
    small build leaves the generations as they are: a young collection still finds the
    caller's young garbage."""
    import weakref

    from diffcompare import expr

    class Cyclic:
        pass

    def young_garbage():
        cycle = Cyclic()
        cycle.me = cycle
        return weakref.ref(cycle)  # (garbage only a collection finds)

    gc.collect()
    gone = young_garbage()
    parse("sin(young_a) + young_b")  # a small build
    gc.collect(1)
    assert gone() is None

    monkeypatch.setattr(expr, "LARGE_BUILD", 0)  # (every build is large)
    gone = young_garbage()
    tree = parse("sin(aged_a*aged_b) + aged_b**3")
    assert any(obj is tree for obj in gc.get_objects(generation=2))
    gc.collect(1)
    assert gone() is not None  # (moved to the oldest generation with the tree)
    gc.collect()
    assert gone() is None

    kept = [Cyclic() for _ in range(3)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen >= len(kept)
        parse("cos(frozen_a) + frozen_b")
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_threads_parsing_the_same_text_at_once_get_the_same_nodes():
    """Interning holds across threads: equal nodes are the same object whichever thread
    made them (the switch interval made tiny, so that threads interleave inside it)."""
    import threading

    text = " + ".join(f"sin({k + 1}*x{k % 7})*x{(k + 3) % 7}" for k in range(400))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(3):
            gc.collect()  # (none of the text's nodes alive: every thread makes them)
            trees = [None] * 4

            def run(k, trees=trees):
                trees[k] = parse(text)

            threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            assert all(tree is trees[0] for tree in trees)
    finally:
        sys.setswitchinterval(interval)


def test_nodes_are_immutable():
    node = Var("x")
    try:
        node.name = "y"
    except AttributeError:
        pass
    else:
        raise AssertionError("a node was mutated")


def test_variables_are_in_natural_order():
    assert variables(parse("x10 + x2 + x1 + b")) == ["b", "x1", "x2", "x10"]


def test_shared_nodes_are_counted_once_on_the_dag_and_every_time_written_out():
    a = Var("a")
    b = a + a
    c = b * b
    assert operation_count(c) == 2
    assert operation_count(c, shared=False) == 3


def deep_chain(depth: int):
    node = Var("x")
    for _ in range(depth):
        node = Call(ops.SIN, (node,))
    return node


def test_walks_and_tapes_handle_trees_deeper_than_the_recursion_limit():
    depth = 5 * sys.getrecursionlimit()
    tree = deep_chain(depth)
    assert len(postorder(tree)) == depth + 1
    assert len(to_text(tree)) > depth
    tape = Tape.record(tree, ["x"])
    values = tape.forward([0.5])
    assert 0 < values[tape.output] < 0.5
    assert tape.reverse(values)[0] > 0


def test_simplification_is_light_and_honest():
    x = Var("x")
    assert 0 * x is Const(0)
    assert 1 * x is x
    assert x + 0 is x
    assert x ** 1 is x
    negated = -x
    assert -negated is x
    assert Const(3) * (Const(2) * x) is Const(6) * x
    assert Const(2) ** 10 is Const(1024)
    assert to_text(x * 3) == "3*x"


def test_evaluate_works_on_floats_complex_and_arrays():
    tree = parse("x**2 + sin(y)")
    assert evaluate(tree, ["x", "y"], [3.0, 0.0]) == 9.0
    h = 2.0**-66  # a power of two: Im (3 + ih)**2 = 6h exactly
    assert evaluate(tree, ["x", "y"], [complex(3, h), 0.0]).imag == 6 * h
    import numpy as np

    assert list(evaluate(tree, ["x", "y"], [np.array([1.0, 2.0]), 0.0])) == [1.0, 4.0]


def test_text_is_linear_in_depth_and_names_what_a_dag_shares():
    from diffcompare import ops
    from diffcompare.expr import Var, to_text, tree_size

    x = Var("x")
    chain = x
    for i in range(20_000):  # 20,000 levels: a string rebuilt per level would be quadratic
        chain = ops.sin(chain) if i % 2 else ops.add(chain, x)
    text = to_text(chain)
    assert text.count("sin(") == 10_000 and text.count("+ x") == 10_000
    shared = x
    for _ in range(2_000):  # each level uses the one below twice: 2^2000 nodes written out
        shared = ops.add(ops.mul(shared, shared), x)
    assert tree_size(shared) > 2**1000
    named = to_text(shared)
    assert named.startswith("v1999*v1999 + x where v1 = x*x + x, v2 = v1*v1 + x")
    assert len(named) < 60 * 2_000
