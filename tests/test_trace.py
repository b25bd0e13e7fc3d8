"""trace and graph: Baydin et al.'s tables reproduced, one numbering everywhere."""

import math

import pytest

from diffcompare.problems.formula import Problem
from diffcompare.render.formats import write
from diffcompare.render.graph import document
from diffcompare.studies.graph import computational_graph
from diffcompare.studies.trace import evaluation_trace

BAYDIN = Problem.from_text("ln(x1) + x1*x2 - sin(x2)", "2,5")


def rounded(values, places=3):
    return [round(v, places) for v in values]


def test_the_papers_forward_table_is_reproduced():
    trace = evaluation_trace(BAYDIN, "x1")
    # Baydin et al. 2018, Table 2: v-1 .. v5, primal and tangent, to the paper's 3 places.
    assert [r.name for r in trace.rows] == ["v-1", "v0", "v1", "v2", "v3", "v4", "v5"]
    assert [r.definition for r in trace.rows] == [
        "x1", "x2", "log(v-1)", "v-1*v0", "sin(v0)", "v1 + v2", "v4 - v3"]
    assert rounded(r.value for r in trace.rows) == [2, 5, 0.693, 10, -0.959, 10.693, 11.652]
    assert rounded(r.tangent for r in trace.rows) == [1, 0, 0.5, 5, 0, 5.5, 5.5]
    assert trace.row("v5").value == 11.652071455223084 and trace.output == "v5"


def test_the_papers_reverse_table_is_reproduced():
    trace = evaluation_trace(BAYDIN, forward=False)
    adjoints = {r.name: r.adjoint for r in trace.rows}
    # Baydin et al. 2018, Table 3.
    assert adjoints == pytest.approx({"v5": 1, "v4": 1, "v3": -1, "v2": 1, "v1": 1,
                                      "v0": 1.7163378145367738, "v-1": 5.5}, rel=1e-16)
    v0 = trace.row("v0")
    assert v0.adjoint_formula == "v̄2·∂v2/∂v0 + v̄3·∂v3/∂v0"
    assert v0.adjoint_expression == "v̄2*v-1 + v̄3*cos(v0)"
    assert [(t.consumer, t.partial) for t in v0.adjoint_terms] == [("v2", "v-1"),
                                                                   ("v3", "cos(v0)")]
    assert trace.row("v-1").adjoint_expression == "v̄1/v-1 + v̄2*v0"


def test_a_shared_subexpression_appears_once_and_collects_both_uses():
    trace = evaluation_trace(Problem.from_text("sin(x)*sin(x)", "0.5"), forward=False)
    assert [r.definition for r in trace.rows] == ["x", "sin(v0)", "v1*v1"]
    v1 = trace.row("v1")
    # v̄1 = v̄2·v1 + v̄2·v1 = 2 sin(0.5): one rounding in sin, the doubling is exact.
    assert len(v1.adjoint_terms) == 2 and v1.adjoint == 2 * math.sin(0.5)


def test_constants_are_written_into_the_operations_and_forward_mode_picks_its_input():
    trace = evaluation_trace(Problem.from_text("3*(x1**2 + x2*x3)", "2,3,4"), "x3")
    assert [r.definition for r in trace.rows][3:] == ["v-2**2", "v-1*v0", "v1 + v2", "3*v3"]
    assert trace.row("v4").tangent == 9.0
    assert [r.adjoint for r in trace.rows[:3]] == [12.0, 12.0, 9.0]


def test_the_graph_uses_the_trace_numbering():
    graph = computational_graph(BAYDIN, with_values=True)
    assert [n.name for n in graph.nodes] == ["v-1", "v0", "v1", "v2", "v3", "v4", "v5"]
    assert [n.level for n in graph.nodes] == [0, 0, 1, 1, 1, 2, 3]
    assert graph.arguments("v2") == ["v-1", "v0"]
    assert graph.node("v0").adjoint == 1.7163378145367738
    dot = write(document(graph), "dot")
    assert '"v0" -> "v3";' in dot and "v5 = v4 - v3" in dot
    bare = computational_graph(BAYDIN, with_values=False)
    assert bare.node("v5").value is None


def test_a_traced_operation_names_the_users_line_even_in_a_module_named_like_the_package(
        tmp_path):
    import importlib.util

    from diffcompare.engine.tracer import trace

    source = tmp_path / "diffcompare_demo.py"
    source.write_text("def f(x):\n    y = x * x\n    return y + 1.0\n")
    spec = importlib.util.spec_from_file_location("diffcompare_demo", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tape = trace(module.f, ["x"], [2.0])
    # the product on line 2, the sum on line 3: the user's own lines, not the package's
    assert [line for line in tape.lines if line] == ["diffcompare_demo.py:2",
                                                     "diffcompare_demo.py:3"]
