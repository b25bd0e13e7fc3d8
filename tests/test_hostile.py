"""Hostile input: an expression typed by a stranger never runs code, hangs, or crashes."""

import os
import subprocess
import time

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diffcompare.cli import main
from diffcompare.errors import ParseError
from diffcompare.parse import parse

HOSTILE = [
    ("__import__('os').system('true')", "names start with a letter"),
    ("().__class__.__mro__", "attributes are not part of the language"),
    ("'{0.__class__}'.format(1)", "strings are not part of the language"),
    ("(lambda: 0)()", "lambdas and slices"),
    ("[c for c in ()]", "lists and subscripts"),
    ("x1 if x2 else x3", "missing operator before 'if'"),
    ("x1 == 1", "comparisons"),
    ("10**10**10", "constant exponent too large"),
    ("9**9**9**9", "constant exponent too large"),
    ("2**(2**40)", "constant exponent too large"),
    ("x1*10**10**10", "constant exponent too large"),
    ("1" + "0" * 5000, "number too long"),
    ("(" * 10_000 + "x1" + ")" * 10_000, "expression too long"),
    ("(" * 3_000 + "x1" + ")" * 3_000, "nested too deeply"),
    ("-" * 10_000 + "x1", "expression too long"),
    ("-" * 9_000 + "x1", "nested too deeply"),
    ("+".join(["x1"] * 100_000), "expression too long"),
    ("x1\nx2", "on one line"),
    ("１２", "non-ASCII"),
    ("х1 + 1", "non-ASCII"),  # Cyrillic х
    ("2x1", "missing operator before 'x1'"),
    ("x1 x2", "missing operator before 'x2'"),
    ("f(x1)", "unknown function 'f'"),
    ("log(x1, 2)", "takes 1 argument, got 2"),
    ("log(0)", "not a finite real number"),
    ("1/0", "not a finite real number"),
    ("1e400", "outside the range of floating point"),
    ("nan", "'nan' is not allowed"),
    ("inf", "'inf' is not allowed"),
    ("1j", "missing operator before 'j'"),
    ("True", "'True' is not allowed"),
]


@pytest.fixture
def no_processes(monkeypatch):
    """Anything that tried to start a process would fail the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("user text started a process")

    monkeypatch.setattr(os, "system", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)


@pytest.mark.parametrize("text, message", HOSTILE, ids=lambda v: v[:30] if isinstance(v, str)
                         else None)
def test_hostile_text_gets_a_clean_refusal_within_a_second(text, message, no_processes):
    start = time.process_time()  # CPU time: what the refusal costs, whatever else runs
    result = CliRunner().invoke(main, ["grad", text, "--at", "1"])
    elapsed = time.process_time() - start
    assert result.exit_code == 2, result.output[-300:]
    assert message in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert elapsed < 1.0


TOKENS = ["x", "y", "1", "2.5", "1e3", "+", "-", "*", "/", "**", "^", "(", ")", ",", "sin",
          "log", "pi", "e", " ", ".", "_", "'", "[", "]", "=", "lambda", "__class__", "\n",
          "é", "９", "nan", "1e400", "abs"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_random_text_only_ever_raises_a_parse_error(text):
    try:
        parse(text)
    except ParseError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map("".join))
def test_random_token_sequences_only_ever_raise_a_parse_error(text):
    try:
        parse(text)
    except ParseError as exc:
        assert exc.column is None or 0 <= exc.column <= len(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12).map("".join))
def test_the_cli_answers_random_input_with_a_table_or_a_clean_refusal(text):
    result = CliRunner().invoke(main, ["grad", text, "--at", "x=0.5,y=0.25", "--methods",
                                       "reverse-ad,central-fd", "--format", "json"])
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
