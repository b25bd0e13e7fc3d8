"""Every command bounded in time and memory, whatever it is given, and the same verdict on a
busy machine: each case runs the command in a process of its own and measures its CPU time
(its own and its workers': load does not change it; the wall clock is never asserted), its
peak memory, its exit status and message, and whether any process it started is still
alive afterwards."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from diffcompare.studies.scale import MAX_BYTES

from .bounded_run import DIFFCOMPARE, run, still_running

MAX_RSS_MB = 700  # a command, its workers included (numpy, sympy and matplotlib: ~250 MB)


def _program(tmp_path, source: str, name: str = "prog.py") -> str:
    path = tmp_path / name
    path.write_text(source)
    return str(path)


def _clean(result, marker: str, memory: float = MAX_RSS_MB) -> None:
    assert "Traceback" not in result.stderr, result.stderr[-500:]
    assert result.max_rss_mb < memory
    assert still_running(marker) == []


def test_a_start_that_never_returns_is_stopped_by_its_cpu_budget(tmp_path):
    path = _program(tmp_path, "def start(n):\n    while True:\n        pass\n\n"
                              "def f(x):\n    return x\n", "endless_start.py")
    result = run("grad", path, "--n", "3", "--budget", "1")
    assert result.status == 2 and "the program ran past 1 CPU s" in result.stderr
    assert result.cpu_seconds < 6  # 1 CPU s of the loop, start-up and the message
    _clean(result, "endless_start.py")
    # scale makes each size with start(n), within the setup's share of its budget: the size
    # is not run, and a note says why.
    result = run("scale", path, "--n", "10:100", "--budget", "3", "--format", "json")
    assert result.status == 0, result.stderr
    notes = json.loads(result.stdout)["notes"]
    assert any("n = 10 and larger were not run" in note and "ran past" in note
               for note in notes), notes
    assert result.cpu_seconds < 3 + 4  # the budget, and start-up
    _clean(result, "endless_start.py")


def test_a_program_that_swallows_the_alarm_is_stopped_from_outside(tmp_path):
    # Each alarm lands when sum() returns, inside the try: every one is swallowed.
    path = _program(tmp_path, "def f(x):\n    while True:\n        try:\n"
                              "            sum(range(10**6))\n        except BaseException:\n"
                              "            pass\n", "swallows.py")
    result = run("grad", path, "--at", "1", "--budget", "1")
    assert result.status == 2
    assert "did not stop when asked (does it catch BaseException?)" in result.stderr
    # 1 CPU s, then GRACE (2 s) of alarms it swallows, then the end from outside.
    assert result.cpu_seconds < 10
    _clean(result, "swallows.py")


def test_a_fifo_as_a_case_file_is_refused_before_it_is_opened(tmp_path):
    fifo = tmp_path / "cases.toml"
    os.mkfifo(fifo)
    result = run("check", str(fifo))
    assert result.status == 2 and "it is not a regular file" in result.stderr
    _clean(result, str(fifo))


def test_derive_refuses_a_derivation_it_could_not_print():
    product = "*".join(f"exp(sin({k}*x))" for k in range(1, 201))  # ~n³/3 = 2.7e6 written
    result = run("derive", product)
    assert result.status == 2 and "derive writes at most 1,000,000" in result.stderr
    assert result.cpu_seconds < 20 and result.stdout == ""
    _clean(result, "exp(sin(200*x))")


def test_a_hessian_of_a_long_product_stays_within_its_budget():
    product = "*".join(f"x{i}" for i in range(1, 120))
    result = run("hessian", product, "--at", ",".join(["1"] * 119), "--budget", "1",
                 "--format", "json")
    assert result.status == 0
    data = json.loads(result.stdout)
    # forward-over-forward's n(n+1)/2 = 7,140 passes are refused before they start
    assert "out of budget" in data["methods"]["forward-ad"]["failure"]
    assert data["methods"]["reverse-ad"]["rel_error"] < 1e-12
    # each piece at most 1 CPU s (manual, sympy's two): far below the minutes unbounded
    assert result.cpu_seconds < 20
    _clean(result, "x118*x119")


def test_a_gradient_of_a_long_sum_stays_within_its_budget():
    total = "+".join(f"x{i}" for i in range(1, 1200))
    result = run("grad", total, "--at", ",".join(["0.5"] * 1199), "--budget", "1",
                 "--format", "json")
    assert result.status == 0
    data = json.loads(result.stdout)
    assert data["methods"]["reverse-ad"]["rel_error"] == 0
    assert result.cpu_seconds < 20  # 96 s before the in-process methods were counted
    _clean(result, "x1198+x1199")


def test_a_program_with_a_million_inputs_is_bounded(tmp_path):
    path = _program(tmp_path, "import numpy as np\nfrom diffcompare.math import sum\n"
                              "POINT = {'x': np.linspace(0, 1, 10**6)}\n"
                              "def f(x):\n    return sum(x * x)\n", "million.py")
    result = run("grad", path, "--budget", "3")
    assert result.status == 0
    assert "forward-ad failed: OutOfBudget: out of budget" in result.stdout  # 10⁶ passes
    assert "reverse-ad failed" not in result.stdout
    assert result.cpu_seconds < 40
    _clean(result, "million.py")


def test_descent_with_many_steps_counts_each_runs_work():
    # (a marker no other test's command holds: the suite runs on two workers at once)
    result = run("descent", "--steps", "99991", "--tol", "0", "--budget", "0.3",
                 "--format", "json")
    assert result.status == 0
    data = json.loads(result.stdout)
    stopped = [run["stopped"] for run in data["runs"].values()] + [data["exact"]["stopped"]]
    assert any("out of budget" in s for s in stopped)
    assert result.cpu_seconds < 20  # eleven runs, each within its 0.3 CPU s of work
    _clean(result, "99991")


def test_scale_to_a_trillion_inputs_stops_before_memory_runs_out():
    result = run("scale", "--n", "10:1e12", "--budget", "6", "--format", "json")
    assert result.status == 0
    data = json.loads(result.stdout)
    assert any("not run" in note for note in data["notes"])
    assert result.cpu_seconds < 6 * 1.1 + 4  # the budget, and start-up
    # Whether n = 10⁷ is begun depends on a CPU-time prediction that load moves a little;
    # what scale promises is that no size needing more than MAX_BYTES is made.
    _clean(result, "10:1e12", memory=MAX_BYTES / 2 ** 20 + MAX_RSS_MB)


def test_array_files_are_checked_before_they_are_read(tmp_path):
    program = _program(tmp_path, "from diffcompare.math import sum\n"
                                 "def f(x):\n    return sum(x)\n", "files.py")
    lying = tmp_path / "lying.npy"  # a header that says 10¹² entries, and no data
    with lying.open("wb") as handle:
        np.lib.format.write_array_header_1_0(handle, {"descr": "<f8", "fortran_order": False,
                                                      "shape": (10**12,)})
    large = tmp_path / "large.txt"
    with large.open("wb") as handle:
        handle.truncate(40 * 1024 * 1024)  # sparse: 40 MB of nothing
    empty = tmp_path / "empty.npy"
    np.save(empty, np.zeros(0))
    expected = {lying: "is more than an input array may have",
                large: "is too large for an array file",
                empty: "input x is empty"}
    for path, message in expected.items():
        result = run("grad", program, "--at", f"x=@{path}")
        assert result.status == 2 and message in result.stderr, result.stderr
        assert result.max_rss_mb < MAX_RSS_MB
    source = tmp_path / "huge.py"
    source.write_text("x = 1\n" * 600_000)  # 3.6 MB of Python
    result = run("grad", str(source))
    assert result.status == 2 and "too large for a program" in result.stderr


def test_a_program_that_allocates_without_end_meets_a_memory_error(tmp_path):
    path = _program(tmp_path, "import numpy as np\nkept = []\n"
                              "def f(x):\n    while True:\n"
                              "        kept.append(np.ones(50_000_000))\n", "hungry.py")
    result = run("grad", path, "--at", "1", "--methods", "reverse-ad",
                 env={"DIFFCOMPARE_MEMORY": str(1 << 30)})
    assert result.status == 2 and "MemoryError" in result.stderr, result.stderr
    # the command's cap (4 GiB by default; 1 GiB here) more than it started with
    _clean(result, "hungry.py", memory=1024 + 512)


def test_a_picture_of_a_huge_graph_is_refused(tmp_path):
    total = " + ".join(f"sin(x{i})" for i in range(1, 301))
    result = run("graph", total, "-o", str(tmp_path / "g.png"))
    assert result.status == 2 and "too many to draw" in result.stderr
    assert not (tmp_path / "g.png").exists()


@pytest.mark.parametrize(("number", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_stop_every_worker(number, status):
    marker = f"x**x**x**x**x + {status}"
    process = subprocess.Popen([*DIFFCOMPARE, "grad", marker, "--at", "3", "--budget", "100"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(still_running(marker)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # until the sympy workers are there
    process.send_signal(number)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == status and "stopped" in stderr
    assert "Traceback" not in stderr
    time.sleep(0.3)
    assert still_running(marker) == []


def test_a_failed_write_leaves_the_old_file_as_it_was(tmp_path):
    import resource

    target = tmp_path / "graph.json"
    target.write_text('{"old": true}\n')

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))

    process = subprocess.run([*DIFFCOMPARE, "graph", "sin(x)*y + x*y*y", "--at", "1,2", "-o",
                              str(target)], capture_output=True, text=True, timeout=120,
                             preexec_fn=small_files)
    assert process.returncode == 2 and "cannot write" in process.stderr
    assert target.read_text() == '{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["graph.json"]  # no temporary left
    replaced = run("graph", "x*y", "--at", "1,2", "-o", str(target))
    assert replaced.status == 0 and "it replaced the file that was there" in replaced.stderr
    assert json.loads(target.read_text())["expression"] == "x*y"


def test_a_closed_or_full_standard_output_is_a_message_and_status_74():
    closed = subprocess.run([*DIFFCOMPARE, "grad", "x*y", "--at", "1,2"], stdout=None,
                            stderr=subprocess.PIPE, text=True, timeout=120,
                            preexec_fn=lambda: os.close(1))
    assert closed.returncode == 74 and "standard output is closed" in closed.stderr
    with open("/dev/full", "w") as full:
        result = subprocess.run([*DIFFCOMPARE, "grad", "x*y", "--at", "1,2"], stdout=full,
                                stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.returncode == 74 and "No space left on device" in result.stderr
    assert "Traceback" not in result.stderr + closed.stderr


BAD_INPUT = [
    (["grad", "x*x", "--at", "5e-324", "--format", "json"], 0, ""),
    (["grad", "x*x", "--at", "1", "--eps", "1e308", "--format", "json"], 0, ""),
    (["grad", "x*y", "--at", "1,2", "--methods", ""], 2, "--methods names no method"),
    (["jvp", "x*y", "--at", "1e308,1e308", "--dir", "1,1", "--format", "json"], 0, ""),
    (["epsplot", "exp(x)", "--at", "1", "--range", "1e-16:1e308", "--format", "json"], 0, ""),
    (["descent", "x*x", "--from", "1", "--lr", "1e308", "--format", "json"], 0, ""),
    (["grad", "x**1000001", "--at", "1"], 2, "|1000001| > 1000000"),
]


@pytest.mark.parametrize(("args", "status", "message"), BAD_INPUT,
                         ids=[" ".join(a[:3]) for a, _, _ in BAD_INPUT])
def test_bad_or_extreme_input_is_a_message_or_a_result_never_noise(args, status, message):
    result = run(*args)
    assert result.status == status, result.stderr
    assert message in result.stderr
    if status == 0:
        assert result.stderr == ""  # numpy's floating-point warnings never reach stderr
        if "--format" in args:
            json.loads(result.stdout)


PROGRAMS = [
    ("class Stop(BaseException):\n    pass\n\ndef f(x):\n    raise Stop('no')\n",
     "the program raised Stop: no"),
    ("def f(x):\n    raise GeneratorExit\n", "the program raised GeneratorExit"),
    ("raise GeneratorExit\n\ndef f(x):\n    return x\n", "the program raised GeneratorExit"),
    ("class Odd(Exception):\n    def __str__(self):\n        raise RuntimeError\n\n"
     "def f(x):\n    raise Odd()\n", "its message could not be shown"),
    ("import os\n\ndef f(x):\n    os._exit(3)\n", "the program called os._exit(3)"),
    ("import numpy as np\n\ndef f(x):\n    return np.sum(['a', x])\n", "prog.py:4"),
]


@pytest.mark.parametrize(("source", "message"), PROGRAMS, ids=range(len(PROGRAMS)))
def test_what_a_program_raises_or_calls_is_its_error_with_its_line(tmp_path, source, message):
    path = _program(tmp_path, source)
    result = run("grad", path, "--at", "1", "--methods", "reverse-ad")
    assert result.status == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_case_files_with_ragged_points_or_cases_that_are_not_tables(tmp_path):
    ragged = tmp_path / "ragged.toml"
    (tmp_path / "p.py").write_text("from diffcompare.math import sum\n"
                                   "def f(x):\n    return sum(x)\n")
    ragged.write_text('[[case]]\nname = "r"\nfile = "p.py"\npoint = { x = [[1, 2], [3]] }\n')
    array = tmp_path / "array.toml"
    array.write_text("case = [1, 2]\n")
    for path, message in ((ragged, "rows of different lengths"), (array, "is not a table")):
        result = run("check", str(path))
        assert result.status == 2 and message in result.stderr, result.stderr


def test_a_program_point_that_names_an_input_twice_is_refused(tmp_path):
    path = _program(tmp_path, "def f(x):\n    return x * x\n")
    result = run("grad", path, "--at", "x=1,x=2")
    assert result.status == 2 and "--at gives x more than once" in result.stderr


def test_the_library_refuses_a_point_past_float64():
    import diffcompare
    from diffcompare.errors import InputError

    with pytest.raises(InputError, match="not finite in float64"):
        diffcompare.compare("x*x", {"x": 10**400})


def test_an_interrupted_check_never_reads_as_a_pass(tmp_path):
    cases = tmp_path / "cases.toml"
    cases.write_text("".join(f'[[case]]\nname = "c{k}"\nexpression = "x**x**x**x**x + {k}"\n'
                             "point = [3]\n" for k in range(3)))
    process = subprocess.Popen([*DIFFCOMPARE, "check", str(cases), "--format", "junit",
                                "--budget", "1"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    time.sleep(3)  # into the first or second case: each takes its 1 CPU s of sympy
    process.send_signal(signal.SIGINT)
    stdout, _ = process.communicate(timeout=120)
    assert process.returncode in (130, 1)
    if stdout:  # the report of what ran: the cases not run are errors, not passes
        assert 'errors="0"' not in stdout.split("\n")[1] or 'failures="0"' not in stdout


@pytest.mark.skipif(sys.platform != "linux", reason="/proc")
def test_the_worker_registry_is_empty_after_a_command():
    from diffcompare.analysis.compare import compare
    from diffcompare.methods import Options
    from diffcompare.problems.formula import Problem
    from diffcompare.runtime import workers

    compare(Problem.from_text("x**x**x**x**x", "3"), options=Options(budget=0.5))
    assert workers.live() == 0


def test_a_command_ends_with_its_output_whole_and_its_programs_atexit_run(tmp_path):
    """The command line ends without Python's teardown (cli/group.py's _exit_now): what it
    printed, far more than a pipe holds, arrives whole, an atexit function of the user's
    program runs, and the exit status is the command's."""
    ran = tmp_path / "atexit-ran"
    path = _program(tmp_path, "import atexit\nimport numpy as np\n\n"
                              f"atexit.register(lambda: open({str(ran)!r}, 'w').close())\n\n"
                              "def start(n):\n    return {'x': np.linspace(0.5, 2, n)}\n\n"
                              "def f(x):\n    return np.sum(x ** 3)\n", "ends.py")
    done = subprocess.run([*DIFFCOMPARE, "grad", path, "--n", "5000", "--methods",
                           "reverse-ad", "--format", "json"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert len(done.stdout) > 100_000  # (a pipe holds 64 KiB)
    gradient = json.loads(done.stdout)["methods"]["reverse-ad"]["gradient"]
    # (3x² by the power rule: one rounding in the square, one in the product)
    np.testing.assert_allclose(gradient, 3 * np.linspace(0.5, 2, 5000) ** 2, rtol=4.5e-16)
    assert ran.exists()
    refused = subprocess.run([*DIFFCOMPARE, "grad", "sin(x", "--at", "1"],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "never closed" in refused.stderr
