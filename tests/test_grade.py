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
    ("(x**2 + 1)**3", "3*(x**2 + 1)**2", "chain-without-inner-derivative", 3),  # a power's
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


def _batch(tmp_path, name: str, text: str, *args: str):
    path = tmp_path / name
    path.write_text(text)
    return CliRunner().invoke(main, ["grade", "--batch", str(path), *args])


def test_a_batch_of_answers_gives_a_table_and_a_gradebook(tmp_path):
    answers = ("student,answer\n"
               "ana,2*x*sin(x) + x**2*cos(x)\n"
               "ben,2*x*cos(x)\n"
               "cy,x*(2*sin(x) + x*cos(x))\n"
               "eve,2*x*sin(x) + x**2*cos(x\n")
    table = _batch(tmp_path, "a.csv", answers, "--for", "x**2*sin(x)")
    assert table.exit_code == 0, table.output
    assert "2 right, 1 wrong, 1 unparsable" in table.output
    assert "the product rule as (u·v)' = u'·v' (step 3)" in table.output
    data = json.loads(_batch(tmp_path, "a.csv", answers, "--for", "x**2*sin(x)",
                             "--format", "json").output)
    assert data["counts"] == {"right": 2, "wrong": 1, "unparsable": 1, "undecided": 0}
    rows = {row["student"]: row for row in data["answers"]}
    assert rows["ben"]["diagnosis"]["rule"] == "product-as-product-of-derivatives"
    assert rows["cy"]["correct"] is True and rows["ana"]["route"] == "symbolic"
    assert rows["eve"]["verdict"] == "unparsable" and "^" in rows["eve"]["unreadable"]
    assert rows["eve"]["where"].endswith("a.csv:5")


def test_a_toml_batch_gives_each_answer_its_own_function(tmp_path):
    answers = ('[[answer]]\nstudent = "ana"\nanswer = "cos(x**2)"\nfor = "sin(x**2)"\n\n'
               '[[answer]]\nstudent = "ben"\nanswer = "2*x*y"\nfor = "x**2*y + y"\n'
               'wrt = "x"\n')
    data = json.loads(_batch(tmp_path, "a.toml", answers, "--format", "json").output)
    verdicts = {row["student"]: (row["verdict"], row["wrt"]) for row in data["answers"]}
    assert verdicts == {"ana": ("wrong", "x"), "ben": ("right", "x")}


def test_a_batch_that_cannot_be_read_exits_2(tmp_path):
    no_column = _batch(tmp_path, "a.csv", "name,reply\nana,2*x\n", "--for", "x**2")
    assert no_column.exit_code == 2 and "'answer'" in no_column.output
    no_function = _batch(tmp_path, "b.csv", "answer\n2*x\n")
    assert no_function.exit_code == 2 and "--for" in no_function.output
    bad_function = _batch(tmp_path, "c.csv", "answer\n2*x\n", "--for", "x**")
    assert bad_function.exit_code == 2 and "^" in bad_function.output
    both = CliRunner().invoke(main, ["grade", "2*x", "--for", "x**2", "--batch", "c.csv"])
    assert both.exit_code == 2 and "not both" in both.output


def _check(tmp_path, text: str):
    path = tmp_path / "cases.toml"
    path.write_text(text)
    return CliRunner().invoke(main, ["check", str(path)])


def test_a_check_case_grades_an_answer_and_its_diagnosis(tmp_path):
    case = ('[[case]]\nname = "g"\nexpression = "sin(x**2)"\nanswer = "{answer}"\n'
            'correct = false\nrule = "chain-without-inner-derivative"\n')
    right = _check(tmp_path, case.format(answer="cos(x**2)"))
    assert right.exit_code == 0 and "2 passed" in right.output, right.output
    wrong_verdict = _check(tmp_path, case.format(answer="2*x*cos(x**2)"))
    assert wrong_verdict.exit_code == 1
    assert "graded right, expected wrong" in wrong_verdict.output
    other_rule = _check(tmp_path, case.format(answer="-2*x*cos(x**2)"))
    assert other_rule.exit_code == 1 and "expected chain-without-inner" in other_rule.output


def test_a_grade_case_that_cannot_fail_or_names_no_rule_is_refused(tmp_path):
    base = '[[case]]\nname = "g"\nexpression = "sin(x)"\nanswer = "cos(x)"\n'
    for extra, said in (('rule = "product-one-term"\n', "correct = false"),
                        ('correct = false\nrule = "no-such-rule"\n', "no mal-rule"),
                        ('correct = "yes"\n', "true or false")):
        found = _check(tmp_path, base + extra)
        assert found.exit_code == 2 and said in found.output, found.output


def test_undecided_within_the_budget_exits_3_with_correct_null():
    """No seeded point is in the domain of sqrt(x - 3) (they lie in [1/4, 2]) and sympy is
    given no time: nothing decides, and the grade says so rather than guessing."""
    found = CliRunner().invoke(main, ["grade", "1/(2*sqrt(x - 3))", "--for", "sqrt(x - 3)",
                                      "--budget", "0", "--format", "json"])
    assert found.exit_code == 3
    data = json.loads(found.stdout)
    assert data["correct"] is None and data["route"] is None and data["diagnosis"] is None
    assert "only 0 of 6 random points" in data["reason"]
