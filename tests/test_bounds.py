"""Bounded in time and memory: legal but costly input finishes within its budget with a
"timed out" row; bad options and files are refused with a clear message and exit 2;
numpy's floating-point warnings never reach the terminal."""

from __future__ import annotations

import json

import pytest

from .bounded_run import run, still_running

MAX_RSS_MB = 500  # the bound on a whole command, workers included
# CPU seconds (load does not change them; the wall clock is never asserted): input that is
# refused or cheap takes start-up (~0.5 s of CPU here, numpy and click) and little else.
QUICK = 2.0


def test_a_tower_of_powers_times_out_within_the_budget_and_leaves_no_worker():
    # x**x**x**x**x at 3 is 3**(3**7625597484987): sympy cannot finish and is stopped, and
    # the sweep in balls says at once that f is past the range of ball arithmetic.
    result = run("grad", "x**x**x**x**x", "--at", "3", "--timeout", "2", "--format", "json")
    assert result.status == 0 and "Traceback" not in result.stderr
    # Two pieces of sympy (the symbolic row and the cross-check) at 2 CPU s each, start-up
    # and the float methods: far below what sympy would take unbounded.
    assert result.cpu_seconds < 9
    data = json.loads(result.stdout)
    assert "past the range of ball arithmetic" in data["reference_failure"]
    assert data["methods"]["reverse-ad"]["status"] == ["overflow"]
    assert result.max_rss_mb < MAX_RSS_MB
    assert still_running("x**x**x**x**x") == []


def test_a_300_factor_product_gets_a_timed_out_symbolic_row_and_an_exact_reference():
    product = "*".join(f"(x{i} + sin(x{i}))" for i in range(1, 301))
    result = run("grad", product, "--at", ",".join(["0.5"] * 300), "--timeout", "2",
                 "--format", "json")
    # sympy's two pieces at 2 CPU s each, the float methods on 300 inputs (~6 CPU s here)
    # and start-up; without the budget this took 33 s.
    assert result.status == 0 and result.cpu_seconds < 16
    data = json.loads(result.stdout)
    # Stopped past its 2 CPU s budget.
    failure = data["methods"]["symbolic"]["failure"]
    assert failure.startswith("TimedOut:") and "2 CPU s" in failure, failure
    # The reference is the tape swept in balls, which is linear in f: exact methods agree.
    assert data["reference_source"].startswith("tape swept in ball arithmetic")
    assert data["methods"]["reverse-ad"]["rel_error"] < 1e-13
    assert result.max_rss_mb < MAX_RSS_MB


OPTION_CASES = [
    (["--eps", "0"], "Invalid value for '--eps': the step must be a finite number > 0, not 0"),
    (["--eps", "-1"], "Invalid value for '--eps': the step must be a finite number > 0, not -1"),
    (["--eps", "nan"], "Invalid value for '--eps': the step must be a finite number > 0, "
                       "not nan"),
    (["--eps", "inf"], "Invalid value for '--eps': the step must be a finite number > 0, "
                       "not inf"),
    (["--timeout", "nan"], "Invalid value for '--budget' / '--timeout': the budget must be a "
                           "number of CPU seconds between 0 and 1e+06, not nan"),
    (["--timeout", "inf"], "Invalid value for '--budget' / '--timeout': the budget must be a "
                           "number of CPU seconds between 0 and 1e+06, not inf"),
    (["--timeout", "-1"], "Invalid value for '--budget' / '--timeout': the budget must be a "
                          "number of CPU seconds between 0 and 1e+06, not -1"),
    (["--budget", "1e12"], "Invalid value for '--budget' / '--timeout': the budget must be a "
                           "number of CPU seconds between 0 and 1e+06, not 1e+12"),
]


@pytest.mark.parametrize(("extra", "message"), OPTION_CASES, ids=lambda v: str(v))
def test_bad_option_values_are_refused(extra, message):
    result = run("grad", "x**2", "--at", "1", *extra)
    assert result.status == 2 and message in result.stderr
    assert "Traceback" not in result.stderr and result.cpu_seconds < QUICK


NAME_CASES = [
    (["--at", "x=1,x=2"], "error: --at gives x more than once"),
    (["--vars", "x,sin"], "error: --vars: 'sin' is a function, not a variable name"),
    (["--vars", "x,pi"], "error: --vars: 'pi' is a constant, not a variable name"),
    (["--vars", "x,lambda"], "error: --vars: 'lambda' is a reserved word, not a variable name"),
    (["--vars", "x,__class__"], "error: --vars: '__class__' starts with '_'; variable names "
                                "start with a letter"),
]


@pytest.mark.parametrize(("extra", "message"), NAME_CASES, ids=lambda v: str(v))
def test_bad_points_and_variable_names_are_refused(extra, message):
    args = ["grad", "x**2", *extra] + ([] if extra[0] == "--at" else ["--at", "1,2"])
    result = run(*args)
    assert result.status == 2 and result.stderr.strip() == message
    assert result.cpu_seconds < QUICK


def test_case_files_are_bounded_and_every_parse_failure_is_a_message(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    large = tmp_path / "large.toml"
    large.write_text("# " + "a" * (10 * 1024 * 1024) + "\n")
    broken = tmp_path / "broken.toml"
    broken.write_text("[[case]\nname = 1\n")
    expected = {
        deep: f"error: {deep}: not valid TOML here: nested too deeply",
        large: f"error: {large}: 10,485,763 bytes is too large for a case file "
               "(limit 10,485,760)",
        tmp_path: f"error: cannot read {tmp_path}: it is a directory",
        broken: f"error: {broken}: not valid TOML: ",
    }
    for path, message in expected.items():
        result = run("check", str(path))
        assert result.status == 2 and result.stderr.startswith(message), result.stderr
        assert "Traceback" not in result.stderr and result.cpu_seconds < QUICK


@pytest.mark.parametrize(("expression", "at"), [("exp(x)", "709.78"), ("x**1e6", "1.5"),
                                                 ("exp(x)*y", "710,1")])
def test_floating_point_trouble_is_the_methods_warning_not_noise_on_stderr(expression, at):
    result = run("grad", expression, "--at", at, "--format", "json")
    assert result.status == 0 and result.stderr == ""
    data = json.loads(result.stdout)
    assert any("overflow" in w for row in data["methods"].values() for w in row["warnings"]) \
        or any("overflow" in w for w in data["warnings"])


def test_ctrl_c_while_sympy_works_exits_130_and_stops_the_workers():
    import signal
    import subprocess
    import sys
    import time

    process = subprocess.Popen([sys.executable, "-m", "diffcompare", "grad", "x**x**x**x**x",
                                "--at", "3", "--timeout", "60"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    time.sleep(2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130 and stderr.strip().endswith("interrupted")
    assert "Traceback" not in stderr
    time.sleep(0.3)
    assert still_running("x**x**x**x**x") == []
