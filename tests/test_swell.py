"""swell: the seeds' claim, measured on the built-in families."""

import pytest

from diffcompare.errors import InputError
from diffcompare.expr import operation_count
from diffcompare.studies.swell import FAMILIES, swell_of_family


@pytest.mark.parametrize("family", list(FAMILIES))
def test_symbolic_derivatives_outgrow_f_while_the_tape_stays_a_small_multiple(family):
    rows = swell_of_family(family, 7)
    first, last = rows[2], rows[-1]
    # sympy's derivative grows faster than f as a graph ...
    assert last.symbolic / last.f_graph > 2 * first.symbolic / first.f_graph
    # ... while the AD tape stays within 3 times f (forward ops + one partial per argument).
    assert all(r.tape <= 3 * r.f_graph for r in rows if r.f_graph)
    # CSE and a shared graph recover most of the swell.
    assert last.symbolic_cse < last.symbolic and last.manual_graph <= last.manual


def test_the_logistic_family_is_baydins_map():
    build = FAMILIES["logistic"][1]
    assert operation_count(build(4), shared=False) == 21  # l4 written out
    assert operation_count(build(4)) == 9  # three operations per step as a graph


def test_family_bounds_are_checked():
    with pytest.raises(InputError, match="between 1 and 12"):
        swell_of_family("logistic", 40)
    with pytest.raises(InputError, match="no family"):
        swell_of_family("nope", 3)
