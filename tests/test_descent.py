"""descent: the first seed's step exactly, Newton on Rosenbrock, divergence reported, runs
on approximate gradients measured against the exact run, pictures where the user is."""

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time

import numpy as np
from click.testing import CliRunner

from diffcompare.cli import main
from diffcompare.problems.formula import Problem
from diffcompare.render.descent import explain
from diffcompare.studies.descent import descend

ROSENBROCK = Problem.from_text("(1 - x)**2 + 100*(y - x**2)**2", "-1.2,1")


def test_the_first_seeds_step_comes_out_exactly():
    found = descend(Problem.from_text("3*(x1**2 + x2*x3)", "2,3,4"), ["reverse-ad"],
                    steps=1, lr=0.001)
    first, second = found.run("reverse-ad").iterates
    assert first.f == 48 and tuple(first.gradient) == (12, 12, 9)
    # Every partial is positive, so every weight decreases: x - lr·g, in float arithmetic.
    assert tuple(second.point) == (2 - 0.001 * 12, 3 - 0.001 * 12, 4 - 0.001 * 9)
    text = explain(found)
    assert "f(x) = 48, ∇f = (12, 12, 9)" in text
    assert "∂f/∂x1 = 12 > 0: increasing x1 increases f, so to decrease f, x1 must decrease" \
        in text
    assert "= (1.988, 2.988, 3.991)" in text


def test_newton_reaches_the_minimum_of_rosenbrock_in_a_few_steps():
    found = descend(ROSENBROCK, ["reverse-ad", "symbolic", "forward-ad"], "newton",
                    steps=100, tol=1e-8)
    for name in ("reverse-ad", "symbolic", "forward-ad"):
        run = found.run(name)
        assert run.converged and run.iterations < 30 and run.final.norm < 1e-8, name
        assert np.allclose(run.final.point, (1, 1), rtol=1e-7)
    assert found.exact.converged and found.exact.iterations == found.run("reverse-ad").iterations


def test_a_method_without_hessians_cannot_drive_newton():
    found = descend(ROSENBROCK, ["forward-fd"], "newton", steps=5)
    assert found.run("forward-fd").failure == ("cannot: forward-fd does not compute a "
                                                "hessian, which newton needs")


def test_a_learning_rate_far_too_large_diverges_and_says_so():
    found = descend(ROSENBROCK, ["reverse-ad", "central-fd"], "gd", lr=0.1, steps=200)
    for run in found.runs:
        assert run.stopped.startswith("diverged"), run.stopped
        assert run.iterations < 200
    result = CliRunner().invoke(main, ["descent", "--lr", "0.1", "--methods", "reverse-ad",
                                       "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["runs"]["reverse-ad"]["stopped"].startswith("diverged")


def test_central_differences_stay_with_the_exact_run_within_their_error():
    found = descend(ROSENBROCK, ["central-fd", "reverse-ad"], "gd", lr=1e-3, steps=20)
    central, reverse = found.run("central-fd"), found.run("reverse-ad")
    for k, (a, b) in enumerate(zip(central.iterates, reverse.iterates)):
        # Central differences are good to eps**(2/3) ~ 4e-11 times the scale of f and f'''
        # (here at most ~3e3): each gradient within 1e-7, and x moves by lr·g, so after k
        # steps the points are within k·lr·1e-7 of each other.
        g_a, g_b = np.array(a.gradient), np.array(b.gradient)
        assert np.max(np.abs(g_a - g_b)) <= 1e-7 * max(1.0, float(np.max(np.abs(g_b))))
        assert np.linalg.norm(np.subtract(a.point, b.point)) <= k * 1e-3 * 1e-7 + 1e-15
    assert reverse.departs_at is None  # reverse mode is exact: it never departs


def test_momentum_runs_and_every_format_is_written(tmp_path):
    runner = CliRunner()
    csv = runner.invoke(main, ["descent", "--optimizer", "momentum", "--steps", "20",
                               "--methods", "reverse-ad", "--format", "csv"])
    assert csv.exit_code == 0 and csv.stdout.startswith("method,iteration,x,y,f,d/dx,d/dy")
    assert len(csv.stdout.splitlines()) == 1 + 2 * 21  # header, exact and reverse-ad runs
    picture = tmp_path / "descent.png"
    drawn = runner.invoke(main, ["descent", "--optimizer", "newton", "--methods",
                                 "reverse-ad,central-fd", "-o", str(picture)])
    assert drawn.exit_code == 0 and picture.stat().st_size > 10_000


def _in_a_terminal(args, seconds=60.0):
    """Run the command with its standard output on a pseudo-terminal, as a user's is."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "diffcompare", *args], stdout=follower,
                               stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "100"})
    os.close(follower)
    chunks, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    process.wait(timeout=10)
    os.close(leader)
    return process.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_gets_the_figure_below_the_table_and_a_pipe_does_not():
    args = ["descent", "--optimizer", "newton", "--methods", "reverse-ad"]
    status, shown = _in_a_terminal(args)
    assert status == 0
    assert "log₁₀(f − f*)" in shown and "(draw it as a picture with -o FILE.png)" in shown
    piped = subprocess.run([sys.executable, "-m", "diffcompare", *args], capture_output=True,
                           text=True, timeout=60)
    assert piped.returncode == 0 and "log₁₀" not in piped.stdout
    status, shown = _in_a_terminal(["epsplot", "exp(x)", "--at", "1"])
    assert status == 0 and "log₁₀ error" in shown
    status, shown = _in_a_terminal(["epsplot", "exp(x)", "--at", "1", "--format", "json"])
    assert status == 0 and "log₁₀" not in shown


def test_ctrl_c_stops_cleanly_with_status_130_and_keeps_what_finished():
    process = subprocess.Popen(
        [sys.executable, "-m", "diffcompare", "descent", "--steps", "100000", "--tol", "1e-300",
         "--methods", "reverse-ad,forward-ad,central-fd,complex-step", "--lr", "1e-4"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert "reverse-ad" in stdout  # the table of what finished


def test_tol_0_runs_every_step():
    found = descend(ROSENBROCK, ["reverse-ad"], "gd", 1e-4, 25, tol=0)
    assert [run.iterations for run in found.runs] == [25] and found.exact.iterations == 25
    shown = CliRunner().invoke(main, ["descent", "(1 - x)**2 + 100*(y - x**2)**2", "--from",
                                      "-1.2,1", "--steps", "5", "--tol", "0", "--methods",
                                      "reverse-ad", "--lr", "1e-4"])
    assert shown.exit_code == 0 and "run every step" in shown.output, shown.output


def test_with_no_exact_run_the_departure_says_so_not_never(monkeypatch):
    """The exact run cannot be made (as when its ball arithmetic passes the budget): each
    method's row says there is nothing to depart from."""
    from diffcompare.errors import MethodError
    from diffcompare.render.descent import document
    from diffcompare.studies import descent as study

    def no_exact(problem):
        raise MethodError("out of budget: the exact derivatives passed 0.1 CPU s")
    monkeypatch.setattr(study, "_exact_derivatives", no_exact)
    found = descend(ROSENBROCK, ["reverse-ad", "central-fd"], "gd", 1e-4, 10, tol=0)
    assert found.exact is None and "out of budget" in found.exact_failure
    shown = document(found)
    rows = next(b for b in shown.blocks if hasattr(b, "rows")).rows
    assert [row[0] for row in rows] == ["reverse-ad", "central-fd"]
    assert all("no exact run" in row for row in rows), rows
    assert "never" not in " ".join(" ".join(row) for row in rows)
    assert any("no exact run: out of budget" in getattr(b, "text", "") for b in shown.blocks)


def test_progress_advances_per_step_for_every_method_and_an_interruption_keeps_rows():
    ticks = []
    found = descend(ROSENBROCK, ["reverse-ad", "central-fd", "forward-ad"], "gd", 1e-4, 20,
                    tol=0, on_step=ticks.append)
    assert len(ticks) == 4 * (20 + 1)  # the exact run and each method: its start, each step
    assert [run.iterations for run in found.runs] == [20, 20, 20]

    made = []  # Ctrl-C arrives during central-fd's run, 5 points into it

    def interrupted() -> bool:
        return len(made) >= 21 + 21 + 5
    cut = descend(ROSENBROCK, ["reverse-ad", "central-fd", "forward-ad"], "gd", 1e-4, 20,
                  tol=0, interrupted=interrupted, on_step=made.append)
    assert [run.method for run in cut.runs] == ["reverse-ad", "central-fd", "forward-ad"]
    assert cut.runs[0].iterations == 20
    central = cut.runs[1]
    assert 0 < central.iterations < 20 and central.final is not None  # the steps it made
    assert cut.runs[2].failure == "not run: interrupted"


def test_descent_on_a_large_array_summarizes_its_header_and_point():
    """The 2,001-parameter network: the header names the input's shape, not 2,001 names."""
    found = CliRunner().invoke(main, ["descent", "sample_functions/programs/neural_net.py",
                                      "--steps", "3", "--methods", "reverse-ad"])
    assert found.exit_code == 0, found.output
    assert len(found.output) < 4000, len(found.output)  # it was 243,406 bytes
    assert "theta[1999]" not in found.output and "2001" in found.output.replace(",", "")
