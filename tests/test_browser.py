"""The live page in a real browser (Debian's Chromium, driven by Playwright): the server's
page with its numbers, a slider that moves the point and recomputes every method, the step
slider, the URL that follows, the caret message in place, and the page with scripts off."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from playwright import sync_api

CHROMIUM = "/usr/bin/chromium"  # Debian's (.ci/run installs it); Playwright's own is not used
NO_BROWSER = f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 60_000  # a recomputation's wait (its work is bounded by the request's budget)


@pytest.fixture(scope="module")
def server():
    process = subprocess.Popen([sys.executable, "-m", "diffcompare", "serve", "--port", "0",
                                "--no-browser", "--budget", "0.5"], stdout=subprocess.PIPE,
                               text=True)
    try:
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(30)


@pytest.fixture(scope="module")
def browser():
    import resource

    if not os.path.exists(CHROMIUM):  # each test skipped; counted in one line (conftest.py)
        pytest.skip(NO_BROWSER)
    # A command run in this process (CliRunner) caps its address space (runtime/limits.py),
    # and Chromium, which reserves tens of GB of address space for its heaps, inherits the
    # cap and dies at launch: the soft limit goes back to the hard one for the browser.
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def _cell(page, method: str, column: int) -> str:
    row = page.locator("#table tr", has=page.locator(f"td:text-is('{method}')"))
    return row.locator("td").nth(column).inner_text()


def test_a_slider_moves_the_point_and_every_method_follows(server, browser):
    page = browser.new_page()
    page.goto(server + "?f=x**2&at=3&view=table&methods=reverse-ad,forward-fd")
    assert _cell(page, "reverse-ad", 2) == "6"
    # the slider's steps are a hundredth of the span: 0.99 is one of them
    page.locator("#at_0").evaluate(
        "e => { e.value = '0.99'; e.dispatchEvent(new Event('input', {bubbles: true})); }")
    page.wait_for_function("(document.querySelector('#table p') || {}).textContent?"
                           ".includes('x = 0.99')", timeout=WAIT_MS)
    assert _cell(page, "reverse-ad", 2) == "1.98"
    assert "at=0.99" in page.url  # the view lives in the URL
    page.close()


def test_the_step_slider_shows_forward_differences_at_that_h(server, browser):
    page = browser.new_page()
    page.goto(server + "?f=x**2&at=1&view=table&methods=forward-fd")
    page.locator("input[name=fix_h]").check()  # a change: recomputed with the slider's h
    page.locator("#log_h").evaluate(
        "e => { e.value = '-2'; e.dispatchEvent(new Event('input', {bubbles: true})); }")
    page.wait_for_function("location.search.includes('h=0.01')", timeout=WAIT_MS)
    page.wait_for_function("!document.querySelector('#controls').classList"
                           ".contains('htmx-request')", timeout=WAIT_MS)
    x, h = 1.0, 0.01  # (f(x + h) - f(x)) / h over the step floats make: 2x + h
    assert _cell(page, "forward-fd", 2) == repr(((x + h) ** 2 - x ** 2) / ((x + h) - x))
    page.close()


def test_a_formula_typed_wrong_shows_the_caret_in_place(server, browser):
    page = browser.new_page()
    page.goto(server + "?f=x**2&at=1&view=table&methods=reverse-ad")
    page.locator("#f").fill("x**")
    page.wait_for_selector("#error", timeout=WAIT_MS)
    assert "expression ends where an operand was expected" in page.locator("#error").inner_text()
    assert page.locator("#f").input_value() == "x**"  # the form stays as typed
    page.close()


def test_with_scripts_off_the_page_has_its_numbers_and_the_form_still_works(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "?f=3*(x1**2%20%2B%20x2*x3)&at=2,3,4&view=table"
              "&methods=central-fd,reverse-ad")
    assert _cell(page, "central-fd", 2) == "11.99999999974332"
    page.locator("#at").fill("1,1,1")
    page.locator("button[type=submit]").click()  # a plain GET of the form
    page.wait_for_url("**at=1%2C1%2C1**", timeout=WAIT_MS)
    assert _cell(page, "reverse-ad", 2) == "6"  # ∂/∂x1 of 3(x1² + x2·x3) at 1 is 6
    context.close()


EXACT_ROWS = ("manual", "symbolic", "complex-step", "forward-ad", "reverse-ad")
SEED = "?f=3*(x1**2%20%2B%20x2*x3)&at=2,3,4"


def test_the_seeds_page_shows_48_and_12_12_9_in_every_exact_row(server, browser):
    page = browser.new_page()
    page.goto(server + SEED + "&view=table")
    for method in EXACT_ROWS:
        assert [_cell(page, method, k) for k in range(1, 5)] == ["48", "12", "12", "9"], method
    page.close()


def test_typing_baydins_function_updates_the_table_without_a_reload(server, browser):
    page = browser.new_page()
    page.goto(server + SEED + "&view=table&methods=reverse-ad,forward-fd")
    page.evaluate("window.notReloaded = true")
    page.locator("#f").fill("ln(x1) + x1*x2 - sin(x2)")
    page.locator("#at").fill("2,5")
    page.wait_for_function("(document.querySelector('#table p') || {}).textContent?"
                           ".includes('x2 = 5')", timeout=WAIT_MS)
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the panels in
    assert [_cell(page, "reverse-ad", k) for k in range(1, 4)] == \
        ["11.652071455223084", "5.5", "1.7163378145367738"]
    page.close()


def test_the_h_slider_moves_forward_fds_error_as_epsplot_says(server, browser):
    """For x² at 1, forward differences err by their truncation term f''/2·h = h alone
    (epsplot's model; round-off, ~eps/h, is far below it at these steps)."""
    page = browser.new_page()
    page.goto(server + "?f=x**2&at=1&view=table&methods=forward-fd")
    page.locator("input[name=fix_h]").check()
    for log_h, in_url in (("-2", "h=0.01"), ("-4", "h=0.0001")):
        page.locator("#log_h").evaluate(
            f"e => {{ e.value = '{log_h}'; "
            "e.dispatchEvent(new Event('input', {bubbles: true})); }")
        page.wait_for_function(f"location.search.includes('{in_url}')", timeout=WAIT_MS)
        page.wait_for_function("!document.querySelector('#controls').classList"
                               ".contains('htmx-request')", timeout=WAIT_MS)
        assert _cell(page, "forward-fd", 3) == f"1.0e{log_h.replace('-', '-0')}"
    page.close()


def test_the_step_button_walks_the_reverse_sweep_to_the_adjoints(server, browser):
    page = browser.new_page()
    page.goto(server + "?f=ln(x1)%20%2B%20x1*x2%20-%20sin(x2)&at=2,5&view=trace,graph")
    rows = page.locator("#trace table").last.locator("tr")
    total = rows.count() - 1
    assert page.locator("#trace table").last.locator("tr:visible").count() == 1  # the header

    def lit():  # the graph's nodes the sweep has reached (the others are dimmed)
        return page.evaluate("Array.from(document.querySelectorAll('[id^=node-]'))"
                             ".filter(g => g.style.opacity === '1').map(g => g.id)")
    assert lit() == []
    page.locator("#step-reverse").click()
    assert lit() == ["node-v5"]  # the output's adjoint, seeded first
    for _ in range(total - 1):
        page.locator("#step-reverse").click()
    assert page.locator("#step-count").inner_text() == f"{total} of {total} adjoints"
    assert len(lit()) == 7  # every node of Baydin's graph: v-1 … v5
    last = page.locator("#trace table").last.inner_text()
    assert "5.5" in last and "1.7163378145367738" in last  # the inputs' adjoints: ∇f
    page.close()


def test_a_hostile_formula_shows_its_message_and_the_page_keeps_working(server, browser):
    page = browser.new_page()
    page.goto(server + "?f=x*y&at=1,2&view=table")
    page.locator("#f").fill("x**x**x**x**x")
    page.locator("#at").fill("3")
    page.wait_for_function("document.querySelector('#table') && document.querySelector("
                           "'#table').textContent.includes('out of budget')",
                           timeout=WAIT_MS)
    page.locator("#f").fill("x*y")
    page.locator("#at").fill("1,2")
    page.wait_for_function("(document.querySelector('#table p') || {}).textContent?"
                           ".includes('y = 2')", timeout=WAIT_MS)
    assert _cell(page, "reverse-ad", 2) == "2"
    page.close()


def test_the_report_opens_with_the_network_off_and_shows_the_same_numbers(tmp_path,
                                                                        browser):
    target = tmp_path / "seed.html"
    subprocess.run([sys.executable, "-m", "diffcompare", "report", "3*(x1**2 + x2*x3)",
                    "--at", "2,3,4", "--views", "table,derivation", "-o", str(target)],
                   check=True, timeout=120,
                   capture_output=True)
    context = browser.new_context(offline=True)
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(target.as_uri())
    for method in EXACT_ROWS:
        assert [_cell(page, method, k) for k in range(1, 5)] == ["48", "12", "12", "9"]
    assert requests == [target.as_uri()]  # the file, and nothing else
    context.close()


def test_a_student_answers_a_sheet_in_the_browser(server, browser):
    page = browser.new_page()
    page.goto(server + "exercise?topic=chain&count=2&seed=1")
    page.locator("input[name=answer1]").fill("4*(2*x + 8)**3")  # the inner 2 forgotten
    page.locator("input[name=answer2]").fill("6*exp(6*x)")
    page.locator("#sheet button[type=submit]").click()
    page.wait_for_selector("#problem2 .result", timeout=WAIT_MS)
    assert "chain rule without the inner derivative" in page.locator("#problem1").inner_text()
    assert page.locator("#problem2 .result").inner_text().startswith("right")
    page.close()
