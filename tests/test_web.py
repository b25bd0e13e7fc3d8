"""serve and report: the page from the server with its numbers (scripts off), its state in
the URL, the caret message in place, a bounded pool that answers "busy", no program run
unless allowed, and a report that is one self-contained file."""

from __future__ import annotations

import html
import math
import subprocess
import sys
import threading
import urllib.request

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from diffcompare.cli import main
from diffcompare.web.app import Busy, Pool, Query, create_app, read_query

SEED = {"f": "3*(x1**2 + x2*x3)", "at": "2,3,4"}


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app())


def test_the_page_has_every_view_and_its_numbers_without_scripts(client):
    found = client.get("/", params=SEED)
    assert found.status_code == 200
    for view in ("table", "derivation", "trace", "graph", "epsplot"):
        assert f"<section id='{view}'>" in found.text, view
    assert "11.99999999974332" in found.text  # central-fd's ∂f/∂x1, every digit
    assert "<math" in found.text and "<svg" in found.text  # MathML and inline SVG
    assert found.headers["HX-Push-Url"] == Query(**SEED).url()


def test_a_view_and_a_step_from_the_url(client):
    found = client.get("/", params={"f": "sin(x)", "at": "1", "h": "0.1", "view": "table"})
    assert "<section id='table'>" in found.text and "<section id='trace'>" not in found.text
    x, h = 1.0, 0.1  # the scheme at the URL's h, by hand, over the steps floats make
    central = (math.sin(x + h) - math.sin(x - h)) / ((x + h) - (x - h))
    assert repr(central) in found.text
    assert "h=0.1" in found.headers["HX-Push-Url"]


def test_the_step_slider_sets_h_only_when_fixed(client):
    assert read_query({"log_h": "-3"}).h is None
    assert read_query({"log_h": "-3", "fix_h": "1"}).h == pytest.approx(1e-3, rel=1e-15)
    assert client.get("/", params={**SEED, "h": "-1"}).status_code == 400


def test_a_bad_formula_shows_the_parsers_caret_in_place(client):
    found = client.get("/", params={"f": "x**", "at": "1"})
    assert found.status_code == 200
    assert "expression ends where an operand was expected" in found.text
    assert "  x**\n     ^" in found.text  # the caret under its column, in a <p class=error>
    assert "id='controls'" in found.text  # the form is still there to fix it


def test_kinds_with_their_vectors(client):
    found = client.get("/", params={"f": "x1*x2, sin(x1)", "at": "1,2", "kind": "vjp",
                                    "dir": "1,2", "view": "table"})
    assert found.status_code == 200 and "(Jᵀr)_x1" in found.text
    assert repr(2 * 1 + 2 * math.cos(1.0)) in found.text  # Jᵀr's first entry: x2 + 2 cos(x1)
    missing = client.get("/", params={"f": "x1*x2", "at": "1,2", "kind": "jvp"})
    assert "jvp needs a direction v with n = 2 entries" in missing.text


def test_a_full_pool_answers_busy_at_once():
    pool = Pool(workers=1, queue=0)
    release, started = threading.Event(), threading.Event()

    def hold():
        started.set()
        release.wait(10)

    holder = threading.Thread(target=pool.run, args=(hold,))
    holder.start()
    started.wait(10)
    try:
        with pytest.raises(Busy):
            pool.run(lambda: None)
        found = TestClient(create_app(pool=pool)).get("/", params=SEED)
        assert found.status_code == 503 and "busy" in found.text
        assert found.headers["Retry-After"] == "2"
    finally:
        release.set()
        holder.join(10)
    assert pool.run(lambda: 7) == 7  # free again


def test_programs_run_only_when_allowed(tmp_path):
    code = b"import numpy as np\nPOINT = {'x': np.array([1.0, 2.0])}\n\n" \
           b"def f(x):\n    return np.sum(np.sin(x) * x)\n"
    refused = TestClient(create_app()).post("/upload", files={"program": ("p.py", code)})
    assert refused.status_code == 403 and "--allow-programs" in refused.text
    assert "no programs" in TestClient(create_app()).get(
        "/", params={"program": "program1"}).text
    allowed = TestClient(create_app(allow_programs=True))
    uploaded = allowed.post("/upload", files={"program": ("p.py", code)},
                            follow_redirects=False)
    assert uploaded.status_code == 303 and "program=program1" in uploaded.headers["location"]
    page = allowed.get(uploaded.headers["location"] + "&view=table")
    assert "<section id='table'>" in page.text and "∂f/∂x[0]" in page.text
    assert "no such uploaded program" in allowed.get(
        "/", params={"program": "../../etc/passwd", "view": "table"}).text


def test_requests_are_capped(client):
    assert client.get("/", params={"f": "x" * 20_000, "at": "1"}).status_code == 414
    big = TestClient(create_app(allow_programs=True)).post(
        "/upload", files={"program": ("p.py", b"x = 1\n" * 100_000)})
    assert big.status_code == 413
    assert client.get("/static/htmx.min.js").status_code == 200
    assert client.get("/static/../app.py").status_code == 404


def test_serve_prints_its_address_first_and_serves_it():
    process = subprocess.Popen([sys.executable, "-m", "diffcompare", "serve", "--port", "0",
                                "--no-browser"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        address = process.stdout.readline().strip()
        assert address.startswith("http://127.0.0.1:") and address.endswith("/")
        with urllib.request.urlopen(address + "?f=x*y&at=1,2&view=table", timeout=60) as got:
            assert got.status == 200 and "∂f/∂y" in got.read().decode()
    finally:
        process.terminate()
        process.wait(30)


def test_listening_beyond_loopback_warns():
    process = subprocess.Popen([sys.executable, "-m", "diffcompare", "serve", "--host",
                                "0.0.0.0", "--port", "0", "--no-browser"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().startswith("http://0.0.0.0:")
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert "anyone who can reach it can run computations" in stderr


def test_report_is_one_self_contained_file(tmp_path):
    target = tmp_path / "page.html"
    found = CliRunner().invoke(main, ["report", "ln(x1) + x1*x2 - sin(x2)", "--at", "2,5",
                                      "-o", str(target)])
    assert found.exit_code == 0, found.output
    text = target.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<script" not in text
    assert " src=" not in text and "<link" not in text  # no request of any kind
    for view in ("table", "derivation", "trace", "graph", "epsplot"):
        assert f"<section id='{view}'>" in text
    assert "1.7163378145367738" in text  # Baydin's ∂f/∂x2
    program = CliRunner().invoke(main, ["report", "sample_functions/programs/huber.py",
                                        "--views", "table,derivation"])
    assert "no derivation: the program's path holds at this point only" in \
        html.unescape(program.output)


def test_format_html_is_a_whole_page():
    found = CliRunner().invoke(main, ["grad", "x*y", "--at", "1,2", "--format", "html"])
    assert found.output.startswith("<!DOCTYPE html>") and "<table>" in found.output


def test_an_exercise_sheet_to_answer_and_each_answer_diagnosed(client):
    sheet = client.get("/exercise", params={"topic": "chain", "count": "2", "seed": "1"})
    assert sheet.status_code == 200 and "<code>(2*x + 8)**4</code>" in sheet.text
    graded = client.get("/exercise", params={"topic": "chain", "count": "2", "seed": "1",
                                             "answer1": "4*(2*x + 8)**3",
                                             "answer2": "6*exp(6*x)"})
    first = graded.text.split("id='problem1'")[1].split("</li>")[0]
    second = graded.text.split("id='problem2'")[1].split("</li>")[0]
    assert "wrong" in first and "chain rule without the inner derivative" in first
    assert "right" in second


def test_a_cancelled_request_stops_its_work_not_only_its_wait():
    """The browser's cancel (or a closed tab) drops the connection; the page's worker, and
    sympy's under it, are killed then — long before the 30 CPU s each piece could take."""
    import socket
    import time

    from .test_load import _children

    server = subprocess.Popen([sys.executable, "-m", "diffcompare", "serve", "--port", "0",
                               "--no-browser", "--budget", "30"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        host, port = server.stdout.readline().strip()[len("http://"):-1].split(":")
        connection = socket.create_connection((host, int(port)), timeout=30)
        connection.sendall(b"GET /?f=x**x**x**x**x&at=3&view=table HTTP/1.1\r\n"
                           b"Host: localhost\r\n\r\n")
        deadline = time.monotonic() + 30
        while not _children(server.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _children(server.pid), "the page's worker never started"
        connection.close()  # the cancel
        deadline = time.monotonic() + 20  # a third of what the work may take on its own
        while _children(server.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _children(server.pid) == []
    finally:
        server.terminate()
        server.wait(30)


def test_report_refuses_an_unknown_kind_or_view_with_status_2():
    for args, said in ((["--kind", "nonsense"], "unknown kind 'nonsense'"),
                       (["--views", "nothing"], "no view 'nothing'")):
        found = CliRunner().invoke(main, ["report", "x*y", "--at", "1,2", *args])
        assert found.exit_code == 2 and said in found.output, found.output
