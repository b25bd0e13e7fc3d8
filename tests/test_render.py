"""Formatting: every digit of a float, errors short, no nan in JSON."""

import json
import math

from diffcompare.analysis.compare import compare
from diffcompare.problems.formula import Problem
from diffcompare.render.comparison import document
from diffcompare.render.formats import as_text, write
from diffcompare.render.numbers import error, number, seconds


def test_numbers_show_every_digit_and_integers_plainly():
    assert number(12.0) == "12"
    assert number(11.999999999999998) == "11.999999999999998"
    assert number(1.7163378145367738) == "1.7163378145367738"
    assert number(1e-300) == "1e-300"
    assert number(math.nan) == "—" and number(None) == "—"
    assert number(-math.inf) == "-inf"
    assert number(1e20) == "1e+20"


def test_errors_and_times_are_short():
    assert error(0.0) == "0"
    assert error(1.234e-11) == "1.2e-11"
    assert seconds(0.0123) == "12.3 ms"
    assert seconds(4.2e-5) == "42 µs"


def test_json_has_null_where_a_number_is_undefined():
    text = as_text(write(document(compare(Problem.from_text("log(x)", "-1"))), "json"))
    assert "NaN" not in text
    data = json.loads(text)
    assert data["reference"] == [None]
    assert data["warnings"] and data["warnings"][0].startswith("outside domain")


def test_the_cost_of_an_honest_status_is_in_the_cost_columns():
    """central-fd's check at 2h is in its f evals (own + checks); the rounding-bound sweep
    that AD's statuses rest on is stated once, with its ball operations."""
    found = compare(Problem.from_text("exp(x)*sin(y)", "1,2"),
                    ["central-fd", "reverse-ad"], kind="hessian")
    fd = found.row("central-fd").result.cost
    assert fd.check_evals == fd.f_evals * 2  # the same 9-point stencil at 2h, twice the size
    text = as_text(write(document(found), "markdown"))
    assert f"{fd.f_evals}+{fd.check_evals}" in text
    sweep = found.shared_checks["rounding"]
    assert sweep["methods"] == ["reverse-ad"] and sweep["ball_operations"] > 0
    assert f"{sweep['ball_operations']:,} ball operations" in text
    data = json.loads(as_text(write(document(found), "json")))
    assert data["shared_checks"]["rounding"]["methods"] == ["reverse-ad"]
    assert data["methods"]["central-fd"]["check_evals"] == fd.check_evals
