"""The exact reference: sympy and the tape swept in balls agree on every kind, partials
that do not exist are absent with their reason, and a stopped route is a note, not a
crash. And the diagnostics at the point, input by input."""

import math

import numpy as np
import pytest

from diffcompare.analysis import reference as ref
from diffcompare.analysis.diagnostics import NON_DIFFERENTIABLE, OUTSIDE_DOMAIN, OVERFLOW, diagnose
from diffcompare.problems.formula import Problem

KINDS = [("gradient", None), ("jvp", (1.0, -2.0)), ("vjp", (3.0,)), ("hessian", None),
         ("hvp", (0.5, 1.0))]


@pytest.mark.parametrize(("kind", "direction"), KINDS, ids=[k for k, _ in KINDS])
def test_sympy_and_the_sweep_agree_on_every_kind(kind, direction):
    problem = Problem.from_text("exp(x*y)/(1 + x**2) - log(y)", "0.3,1.7")
    _, by_sympy, notes = ref.sympy_reference(problem, kind, direction)
    by_sweep = ref.exact_reference(problem, kind, direction, with_sympy=True)
    assert by_sweep.source == ref.SWEEP
    # Both are exact (40 digits, and certified past 20) and round once: equal, or one ulp
    # apart at most.
    assert np.allclose(by_sympy, by_sweep.derivative, rtol=2.3e-16, atol=0)
    assert not notes and not by_sweep.notes  # no disagreement between the two routes


def test_the_jacobian_reference_of_a_vector_function():
    problem = Problem.from_text("x1*x2, sin(x1) + x2**2", "1,2")
    found = ref.exact_reference(problem, "jacobian")
    assert found.derivative.tolist() == [[2.0, 1.0], [math.cos(1), 4.0]]
    assert found.f.tolist() == [2.0, math.sin(1) + 4]


def test_a_partial_through_a_kink_is_absent_with_its_slopes():
    found = ref.exact_reference(Problem.from_text("abs(x)*y", "0,2"))
    assert math.isnan(found.gradient[0]) and found.gradient[1] == 0.0
    assert found.absent[0] == ("d/dx does not exist here: the slope is -2 from the left and "
                               "2 from the right")
    assert found.absent[1] is None
    # Where the slopes agree, the kink is not real for this f: |x|**2 at 0 has slope 0.
    smooth = ref.exact_reference(Problem.from_text("abs(x)**2", "0"))
    assert smooth.gradient == (0.0,) and smooth.absent == (None,)


def test_hessian_entries_through_a_kink_are_absent():
    found = ref.exact_reference(Problem.from_text("abs(x)*y", "0,2"), "hessian")
    assert math.isnan(found.derivative[0, 0]) and math.isnan(found.derivative[0, 1])
    assert found.derivative[1, 1] == 0.0


def test_where_f_is_not_real_there_is_no_reference():
    found = ref.exact_reference(Problem.from_text("log(x)", "-1"))
    assert found.failure == ref.NOT_REAL and math.isnan(found.gradient[0])


def test_no_time_for_sympy_leaves_the_sweep_with_a_note():
    found = ref.exact_reference(Problem.from_text("x*y", "1,2"), budget=0, with_sympy=True)
    assert found.source == ref.SWEEP and found.gradient == (2.0, 1.0)
    assert found.notes[0].startswith("sympy's cross-check was not run")


def test_the_sweep_gives_higher_derivatives_along_a_coordinate():
    d2, d3 = ref.along_coordinate(Problem.from_text("x**3*y", "2,5"), 0)
    assert (d2, d3) == (60.0, 30.0)  # 6xy, 6y


def test_one_sided_slopes_differ_only_at_a_real_kink():
    from diffcompare.engine import balls

    def f_at(offset):
        return [abs(balls.ball(offset))]

    assert ref.one_sided_slopes(f_at, 0.0) == [(-1.0, 1.0)]


def test_diagnostics_name_the_inputs_each_problem_comes_from():
    found = diagnose(Problem.from_text("log(x) + exp(y) + sqrt(z)", "-1,800,0"))
    kinds = {d.kind: set(d.inputs) for d in found}  # the inputs x, y, z by position
    assert kinds == {OUTSIDE_DOMAIN: {0}, OVERFLOW: {1}, NON_DIFFERENTIABLE: {2}}
    assert diagnose(Problem.from_text("x*y", "1,2")) == []
    # An inactive kink (a constant's abs) is no trouble for any input.
    assert diagnose(Problem.from_text("abs(0)*x", "1")) == []


def test_a_sweep_in_balls_too_large_for_memory_is_refused_before_it_starts(monkeypatch):
    """The CPU budget alone let the sweep of a program of 10^6 entries take 1.4 GB; a
    sweep that would hold more than SWEEP_MEMORY is refused, saying how much, and the
    methods still report (here with the bound lowered to 1 MiB: 2·10^4 entries hold 3)."""
    import diffcompare
    from diffcompare.math import sum as total

    monkeypatch.setattr(ref, "SWEEP_MEMORY", 2**20)
    x = np.linspace(-1, 1, 20_000)
    found = diffcompare.compare(lambda x: total(x * x), at={"x": x},
                                methods=["reverse-ad"]).to_dict()
    assert found["reference_failure"].startswith("OutOfMemory: out of memory: the sweep in "
                                                 "balls at 128 bits would hold about")
    assert "(the balls of 20,001 scalar operations and their adjoints)" in \
        found["reference_failure"]
    assert found["methods"]["reverse-ad"]["gradient"] == (2 * x).tolist()
