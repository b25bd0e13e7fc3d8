"""grade: every equivalent form is right, each common wrong rule is named at its step, and
what cannot be read is a message."""

import json

import pytest
from click.testing import CliRunner

from diffcompare.cli import main
from diffcompare.malrules import MALRULES
from diffcompare.studies.grade import grade

# (the function, a wrong answer built by the rule, the rule, the step of derive's numbering)
WRONG = [
    ("x**2*sin(x)", "2*x*cos(x)", "product-as-product-of-derivatives", 3),
    ("x**2*sin(x)", "2*x*sin(x)", "product-one-term", 3),
    ("sin(x)/x", "(sin(x) - x*cos(x))/x**2", "quotient-sign-flipped", 2),
    ("sin(x)/x", "(x*cos(x) - sin(x))/x", "quotient-without-square", 2),
    ("sin(x)/x**2", "cos(x)/(2*x)", "quotient-as-quotient-of-derivatives", 3),
    ("x**3", "3*x**3", "power-not-lowered", 1),
    ("x**5 + x", "x**4 + 1", "power-without-coefficient", 1),
    ("2**x", "x*2**(x - 1)", "exponential-as-power", 1),
    ("log(x**2 + 1)", "1/(x**2 + 1)", "log-reciprocal-only", 3),
    ("sin(x) + x**2", "-cos(x) + 2*x", "sine-derivative-negative", 1),
    ("cos(x)", "sin(x)", "cosine-derivative-positive", 1),
    ("exp(x**2)", "x**2*exp(x**2 - 1)*2*x", "exp-as-power", 2),
    ("sqrt(x)", "1/sqrt(x)", "sqrt-without-half", 1),
    ("tan(x)", "1/cos(x)", "tan-as-secant", 1),
    ("x**2 + 5", "2*x + 5", "sum-keeps-constant", 2),
    ("sin(x**2)", "cos(x**2)", "chain-without-inner-derivative", 2),
]


def test_every_mal_rule_has_a_case():
    assert {rule for _, _, rule, _ in WRONG} == {r.name for r in MALRULES}
    assert len(MALRULES) >= 12


@pytest.mark.parametrize(("function", "answer", "rule", "step"), WRONG,
                         ids=[w[2] for w in WRONG])
def test_a_wrong_answer_is_diagnosed_as_its_rule_at_its_step(function, answer, rule, step):
    found = grade(answer, function, budget=20)
    assert found.correct is False and found.route == "points"
    assert (found.diagnosis.rule, found.diagnosis.step) == (rule, step), found.diagnosis


# d/dx x²·sin(x) in 20 forms a student might write
RIGHT = [
    "2*x*sin(x) + x**2*cos(x)", "x**2*cos(x) + 2*x*sin(x)", "x*(2*sin(x) + x*cos(x))",
    "sin(x)*2*x + cos(x)*x*x", "x*x*cos(x) + 2*sin(x)*x", "(2*sin(x) + x*cos(x))*x",
    "2*x*sin(x) + x**2*sin(x + pi/2)", "x**2*cos(x) - (-2)*x*sin(x)",
    "exp(log(x))*(2*sin(x) + x*cos(x))", "2*x*sin(x) + x**2*cos(-x)",
    "x**2*cos(x) + x*sin(x) + x*sin(x)", "(x**3*cos(x) + 2*x**2*sin(x))/x",
    "sqrt(x**4)*cos(x) + 2*x*sin(x)", "2*x*sin(x) + x**2*cos(x) + 0",
    "2*x*sin(x) + x**2*cos(x) + sin(x)**2 + cos(x)**2 - 1", "x*(x*cos(x)) + 2*(x*sin(x))",
    "x**2*cos(x) + 2*x*sin(x)*1", "(x**2*cos(x)*2 + 4*x*sin(x))/2", "x**2*cos(x) + x*2*sin(x)",
    "2*x**1*sin(x) + x**2*cos(x)",
]


@pytest.mark.parametrize("answer", RIGHT)
def test_an_equivalent_form_is_right(answer):
    found = grade(answer, "x**2*sin(x)", budget=20)
    assert found.correct is True, found
    assert found.route in ("symbolic", "points") and found.diagnosis is None


def test_a_wrong_answer_no_rule_explains_says_where_it_differs():
    found = grade("x**2*cos(x) + 3*x*sin(x)", "x**2*sin(x)", budget=20)
    assert found.correct is False and found.diagnosis.rule is None
    assert found.diagnosis.point is not None
    assert "term 2 of yours, 3*x*sin(x), matches no term of the derivative" in \
        found.diagnosis.message


def test_the_command_exit_statuses_and_json():
    runner = CliRunner()
    right = runner.invoke(main, ["grade", "2*x*cos(x**2)", "--for", "sin(x**2)"])
    assert right.exit_code == 0 and "right" in right.output
    wrong = runner.invoke(main, ["grade", "cos(x**2)", "--for", "sin(x**2)", "--format",
                                 "json"])
    assert wrong.exit_code == 1
    data = json.loads(wrong.stdout)
    assert data["correct"] is False and data["route"] == "points"
    assert data["diagnosis"]["rule"] == "chain-without-inner-derivative"
    assert data["diagnosis"]["step"] == 2
    assert "the factor u' (the inner derivative) is missing" in data["diagnosis"]["message"]
    unreadable = runner.invoke(main, ["grade", "2*x*cos(x**2", "--for", "sin(x**2)"])
    assert unreadable.exit_code == 2 and "^" in unreadable.output
    assert "'(' is never closed" in unreadable.output
    ambiguous = runner.invoke(main, ["grade", "y", "--for", "x*y"])
    assert ambiguous.exit_code == 2 and "--wrt" in ambiguous.output
    partial = runner.invoke(main, ["grade", "y", "--for", "x*y", "--wrt", "x"])
    assert partial.exit_code == 0


def test_the_same_seed_gives_the_same_points():
    assert grade("cos(x)", "sin(x)").points == grade("cos(x)", "sin(x)").points
    assert grade("cos(x)", "sin(x)", seed=1).points != grade("cos(x)", "sin(x)").points


def test_the_library_grades_the_same_way():
    import diffcompare

    found = diffcompare.grade("sin(x)", of="cos(x)")
    assert found.correct is False
    assert found.to_dict()["diagnosis"]["rule"] == "cosine-derivative-positive"
