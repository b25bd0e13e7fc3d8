"""The command line through click's CliRunner: output, exit codes, messages, help."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from diffcompare.cli import main
from diffcompare.problems.cases import formula_cases


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_grad_prints_one_table_with_every_method():
    result = run("grad", "3*(x1**2 + x2*x3)", "--at", "2,3,4")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "exact (ball arithmetic, 128 bits, every entry exact): f = 48, gradient = (12, 12, 9)" \
        in out
    for name in ("manual", "symbolic", "forward-fd", "backward-fd", "central-fd",
                 "complex-step", "richardson", "forward-ad", "reverse-ad"):
        assert name in out


def test_json_keeps_the_contract():
    result = run("grad", "x1**2*x2 + x2*x3", "--at", "2,3,4", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["expression"] == "x1**2*x2 + x2*x3"
    assert data["variables"] == ["x1", "x2", "x3"]
    assert data["point"] == [2.0, 3.0, 4.0]
    assert data["value"] == 24.0 and data["reference"] == [12.0, 8.0, 3.0]
    row = data["methods"]["reverse-ad"]
    for key in ("value", "gradient", "abs_error", "max_abs_error", "rel_error", "digits",
                "f_evals", "passes", "seconds", "warnings"):
        assert key in row, key
    assert row["gradient"] == [12.0, 8.0, 3.0] and row["abs_error"] == [0, 0, 0]
    assert row["digits"] == 16 and row["f_evals"] == 1 and row["passes"] == 2
    assert row["seconds"] > 0 and row["warnings"] == []
    assert data["methods"]["central-fd"]["value"] is None  # central differences skip f(x)


def test_csv_and_markdown():
    csv = run("grad", "x*y + 6", "--at", "3,2", "--format", "csv").stdout.splitlines()
    assert csv[0].startswith("method,value,d/dx,d/dy,")
    assert csv[1].startswith("reference,12.0,2.0,3.0")
    # Every number a spreadsheet can read: the error columns too, for every method.
    import csv as csv_module
    fields, *records = csv_module.reader(csv)
    numbers = [k for k, name in enumerate(fields) if name.startswith(("abs_error", "d/d"))]
    for record in records[1:]:
        for k in numbers:
            float(record[k])
    md = run("grad", "x*y + 6", "--at", "3,2", "--format", "markdown").stdout
    assert "| method | f(x) | ∂f/∂x | ∂f/∂y |" in md and "| reverse-ad | 12 | 2 | 3 |" in md


def test_named_points_methods_given_and_samples():
    result = run("grad", "ln(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5",
                 "--methods", "reverse-ad,central-fd", "--given", "1/x1 + x2, x1 - cos(x2)",
                 "--format", "json")
    data = json.loads(result.stdout)
    assert list(data["methods"]) == ["reverse-ad", "central-fd", "given"]
    assert data["methods"]["given"]["gradient"] == [5.5, 1.7163378145367738]
    sample = json.loads(run("grad", "--sample", "baydin", "--format", "json").stdout)
    assert sample["reference"] == [5.5, 1.7163378145367738]
    listing = run("samples").stdout
    assert "baydin" in listing and "Baydin" in listing


def test_eps_sets_the_step():
    data = json.loads(run("grad", "x**2", "--at", "1", "--eps", "0.5", "--methods",
                          "forward-fd", "--format", "json").stdout)
    assert data["methods"]["forward-fd"]["gradient"] == [2.5]


@pytest.mark.parametrize("args, message", [
    (["grad", "foo(x)", "--at", "1"], "unknown function 'foo'"),
    (["grad", "sin(x", "--at", "1"], "never closed"),
    (["grad", "x + y", "--at", "1"], "1 coordinate but there are 2"),
    (["grad", "x", "--at", "one"], "coordinate 'one' is not a number"),
    (["grad", "x", "--at", "inf"], "not finite"),
    (["grad", "x + y", "--at", "1,2", "--vars", "x"], "--vars does not name y"),
    (["grad", "x", "--at", "1", "--methods", "magic"], "unknown method magic"),
    (["grad", "x"], "missing --at"),
    (["grad"], "missing EXPRESSION"),
    (["grad", "--sample", "nope"], "no sample named 'nope'"),
    (["grad", "x", "--at", "1", "--given", "1, 2"], "2 partial derivatives"),
    (["grad", "__import__('os').getpid()", "--at", "1"], "names start with a letter"),
])
def test_bad_input_is_one_message_on_stderr_and_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_parse_errors_show_a_caret_under_the_column():
    result = run("grad", "x + foo(y)", "--at", "1,2")
    lines = result.stderr.splitlines()
    assert lines[1] == "  x + foo(y)"
    assert lines[2] == "      ^"


@pytest.mark.parametrize("command", [[], ["grad"], ["samples"], ["derive"], ["trace"], ["epsplot"],
                                     ["graph"], ["swell"]])
def test_every_command_has_help_with_an_example(command):
    for flag in ("-h", "--help"):
        result = run(*command, flag)
        assert result.exit_code == 0
        assert "Example" in result.stdout


def test_help_does_not_import_sympy_or_matplotlib():
    trace = subprocess.run([sys.executable, "-X", "importtime", "-m", "diffcompare", "--help"],
                           capture_output=True, text=True, check=True).stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in trace.splitlines()}
    assert "sympy" not in imported and "matplotlib" not in imported


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "diffcompare", "grad", "x*y + 6", "--at", "3,2",
                          "--format", "json"], capture_output=True, text=True, check=True).stdout
    assert json.loads(out)["reference"] == [2.0, 3.0]


def test_derive_prints_steps_and_result_in_every_format():
    text = run("derive", "3*(x1**2 + x2*x3)", "--wrt", "x1").stdout
    assert "constant factor rule" in text and "d/dx1 [3*(x1**2 + x2*x3)] = 6*x1" in text
    data = json.loads(run("derive", "x*y + 6", "--format", "json").stdout)
    assert [d["result"] for d in data] == ["y", "x"]
    assert r"\begin{align*}" in run("derive", "sin(x)", "--format", "latex").stdout
    assert "| step |" in run("derive", "sin(x)", "--format", "markdown").stdout


def test_trace_prints_the_papers_tables():
    out = run("trace", "ln(x1) + x1*x2 - sin(x2)", "--at", "2,5").stdout
    assert "v3 = sin(v0)" in out and "v̄0 = v̄2·∂v2/∂v0 + v̄3·∂v3/∂v0" in out
    assert "∂f/∂x2 = v̄0 = 1.7163378145367738" in out
    data = json.loads(run("trace", "x*y", "--at", "2,3", "--mode", "reverse", "--format",
                          "json").stdout)
    assert [n["adjoint"] for n in data["nodes"]] == [3.0, 2.0, 1.0]
    assert data["nodes"][0]["tangent"] is None
    md = run("trace", "x*y", "--at", "2,3", "--mode", "forward", "--format", "markdown").stdout
    assert "| v1 = v-1*v0 | 6 | v̇1 = v0*v̇-1 + v-1*v̇0 | 3 |" in md


def test_graph_writes_every_format(tmp_path):
    assert "v5 = v4 - v3 = 11.652071455223084" in run(
        "graph", "ln(x1) + x1*x2 - sin(x2)", "--at", "2,5").stdout
    for suffix in (".dot", ".json", ".png", ".svg", ".pdf"):
        path = tmp_path / f"g{suffix}"
        result = run("graph", "x*sin(y)", "-o", str(path))
        assert result.exit_code == 0, result.output
        assert path.stat().st_size > 100
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "g.svg").read_text()
    bad = run("graph", "x", "-o", str(tmp_path / "g.bmp"))
    assert bad.exit_code == 2 and "choose a file ending in" in bad.stderr


def test_swell_tables_files_and_errors(tmp_path):
    out = run("swell", "--family", "product", "--upto", "3").stdout
    assert "k = 3" in out and "AD tape" in out
    rows = json.loads(run("swell", "sin(x)*y", "--format", "json").stdout)["rows"]
    assert rows[0]["f_graph"] == 2
    assert run("swell", "--family", "sinexp", "--upto", "3", "--format", "csv").stdout \
        .startswith("label,k,f_written")
    picture = tmp_path / "swell.png"
    assert run("swell", "--family", "logistic", "--upto", "4", "-o", str(picture)).exit_code == 0
    assert picture.read_bytes()[:4] == b"\x89PNG"
    both = run("swell", "x", "--family", "logistic")
    assert both.exit_code == 2 and "one of them" in both.stderr


@pytest.mark.parametrize("case", formula_cases(), ids=lambda c: c.name)
def test_every_show_the_work_command_runs_on_every_sample(case):
    at = ",".join(repr(x) for x in case.point)
    names = ",".join(case.vars) if case.vars else None
    extra = ["--vars", names] if names else []
    single = [["swell", case.expression, *extra, "--format", "json"]] \
        if case.kind != "jacobian" else []  # swell measures one output
    for args in (["derive", case.expression, "--format", "json"],
                 ["trace", case.expression, "--at", at, *extra, "--format", "json"],
                 ["graph", case.expression, "--at", at, *extra], *single):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
    trace = json.loads(run("trace", case.expression, "--at", at, *extra, "--format",
                           "json").stdout)
    inputs = [n["adjoint"] for n in trace["nodes"] if n["index"] <= 0]
    if case.kind == "gradient" and case.gradient:
        assert inputs == pytest.approx(case.gradient, rel=1e-13)
