"""exercise: reproducible sheets by topic and level, every problem graded right by grade
with its own answer, and the sheet in every handout format."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import diffcompare
from diffcompare.cli import main
from diffcompare.studies.exercise import LEVELS, TOPICS, draw, exercises
from diffcompare.studies.grade import grade


def _sheet_json(*args: str, hashseed: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    done = subprocess.run([sys.executable, "-m", "diffcompare", "exercise", *args,
                           "--format", "json"], capture_output=True, text=True, env=env,
                          timeout=120, check=True)
    return json.loads(done.stdout)


def test_the_same_seed_gives_the_same_sheet_in_every_process():
    """Two processes with different hash seeds (set and str order differ between them);
    answers as derived (--budget 0), so the draw is what is compared."""
    first = _sheet_json("--seed", "1", "--count", "9", "--budget", "0", hashseed="1")
    second = _sheet_json("--seed", "1", "--count", "9", "--budget", "0", hashseed="2")
    assert first == second
    assert [p["topic"] for p in first["problems"]] == list(TOPICS)  # topics in turn
    other = _sheet_json("--seed", "2", "--count", "9", "--budget", "0", hashseed="1")
    assert [p["expression"] for p in other["problems"]] != \
        [p["expression"] for p in first["problems"]]


@settings(max_examples=60)  # each is a few ms (ball arithmetic): the templates all drawn
@given(seed=st.integers(0, 10**6), level=st.sampled_from(LEVELS),
       topic=st.sampled_from(list(TOPICS)))
def test_every_drawn_problem_is_graded_right_with_its_own_answer(seed, level, topic):
    """Budget 0: the answer as derived, graded at seeded points in ball arithmetic (the
    simplified answers are graded by sympy below)."""
    sheet = exercises(topic, level, 3, seed, budget=0)
    for problem in sheet.problems:
        found = grade(problem.answer, problem.expression, problem.wrt, budget=0)
        assert found.correct is True, (problem, found.reason, found.diagnosis)


def test_a_sheet_of_every_topic_is_simplified_and_graded_right_by_sympy():
    sheet = exercises(None, 2, len(TOPICS), seed=1)
    for problem in sheet.problems:
        found = grade(problem.answer, problem.expression, problem.wrt)
        assert (found.correct, found.route) == (True, "symbolic"), problem
    simplified = [p for p in sheet.problems if p.derivation.simplified is not None]
    assert simplified  # sympy found a simpler form for some, each checked equal to derive's
    assert all(p.answer != str(p.derivation.result) for p in simplified)


def test_no_problem_twice_on_a_sheet_and_the_levels_differ():
    drawn = draw(["chain"], 1, 9, seed=5)
    assert len({text for _, text, _ in drawn}) == 9
    nested = {text for level in (1, 3) for _, text, _ in draw(["chain"], level, 3, seed=5)}
    assert len(nested) == 6


def test_the_command_in_each_format_and_with_answers():
    runner = CliRunner()
    base = ["exercise", "--topic", "chain,quotient", "--count", "2", "--seed", "3",
            "--budget", "0"]
    sheet = runner.invoke(main, base)
    assert sheet.exit_code == 0, sheet.output
    assert "1. d/dx [" in sheet.output and "seed 3" in sheet.output
    assert "step" not in sheet.output  # no solutions unless asked
    answered = runner.invoke(main, [*base, "--answers"])
    assert "answer:" in answered.output and "chain rule" in answered.output
    latex = runner.invoke(main, [*base, "--format", "latex"]).output
    assert r"\begin{align*}" in latex and r"\frac{\partial}{\partial x}" in latex
    markdown = runner.invoke(main, [*base, "--format", "markdown", "--answers"]).output
    assert "$$" in markdown and "| step |" in markdown
    html = runner.invoke(main, [*base, "--format", "html"]).output
    assert "<math" in html
    data = json.loads(runner.invoke(main, [*base, "--format", "json"]).output)
    assert [set(p) >= {"expression", "wrt", "answer"} for p in data["problems"]] == [True] * 2
    assert data["seed"] == 3 and data["topics"] == ["chain", "quotient"]


def test_bad_options_are_refused_with_a_message():
    runner = CliRunner()
    for args, said in ((["--topic", "algebra"], "no topic 'algebra'"),
                       (["--level", "4"], "--level"), (["--count", "0"], "--count")):
        found = runner.invoke(main, ["exercise", *args])
        assert found.exit_code == 2 and said in found.output, found.output


def test_the_library_mirrors_the_command():
    sheet = diffcompare.exercises("power", count=2, seed=4, budget=0)
    assert sheet.to_dict() == json.loads(CliRunner().invoke(
        main, ["exercise", "--topic", "power", "--count", "2", "--seed", "4", "--budget", "0",
               "--format", "json"]).output)
    answered = diffcompare.exercises("power", count=1, seed=4, budget=0, answers=True)
    assert any("answer:" in getattr(block, "text", "") for block in answered.document().blocks)
