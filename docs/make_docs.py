"""Regenerate docs/: the pictures, the tutorial notebook's outputs, and every README
example, with the tool's own commands (run by `make docs`).

A fenced block in README.md whose first line is `$ diffcompare ARGS` is rerun, and the
rest of the block is replaced by what the command prints (stdout, then stderr), so the
README always shows real output of the current code.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
# A block may start "$ COLUMNS=80 diffcompare ...": the command sees a terminal that wide.
BLOCK = re.compile(r"^```\n(\$ (?:COLUMNS=\d+ )?diffcompare [^\n]*)\n(.*?)^```$",
                   re.MULTILINE | re.DOTALL)

PICTURES = [
    ["graph", "ln(x1) + x1*x2 - sin(x2)", "--at", "2,5", "-o", "docs/graph-baydin.png"],
    ["graph", "3*(x1**2 + x2*x3)", "--at", "2,3,4", "-o", "docs/graph-blog.png"],
    ["swell", "--family", "logistic", "--upto", "10", "-o", "docs/swell-logistic.png"],
    ["taylor", "exp(sin(x))", "--at", "0.5", "--order", "10", "-o",
     "docs/taylor-exp-sin.png"],
    ["epsplot", "--relative", "-o", "docs/epsplot-seed.png"],
    ["epsplot", "exp(x)", "--at", "1", "-o", "docs/epsplot-exp.png"],
    ["descent", "--optimizer", "newton", "--methods", "reverse-ad,central-fd,symbolic",
     "-o", "docs/descent-newton.png"],
    ["descent", "--optimizer", "momentum", "--steps", "2000", "--methods",
     "reverse-ad,forward-fd,central-fd", "-o", "docs/descent-momentum.png"],
]
TUTORIAL = ROOT / "docs" / "tutorial.ipynb"


def diffcompare(args: list[str], columns: int = 200) -> str:
    done = subprocess.run([sys.executable, "-m", "diffcompare", *args], cwd=ROOT,
                          capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": str(columns)})
    return done.stdout + done.stderr


def refresh_readme(target: Path = README) -> None:
    def rerun(match: re.Match) -> str:
        command = match.group(1)
        print(command, flush=True)
        words = shlex.split(command)[1:]  # after "$"
        columns = int(words.pop(0).split("=")[1]) if words[0].startswith("COLUMNS=") else 200
        output = diffcompare(words[1:], columns)  # after "diffcompare"
        return f"```\n{command}\n{output.rstrip()}\n```"

    target.write_text(BLOCK.sub(rerun, README.read_text(encoding="utf-8")), encoding="utf-8")


def run_tutorial() -> None:
    """Execute docs/tutorial.ipynb from a clean state and keep its outputs."""
    import nbformat
    from nbclient import NotebookClient

    print("executing", TUTORIAL.relative_to(ROOT), flush=True)
    notebook = nbformat.read(TUTORIAL, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    NotebookClient(notebook, timeout=240, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    nbformat.write(notebook, TUTORIAL)


# The live page's main views, as a browser shows them: (file, the page's URL after the
# server's address, what to wait for, the browser's width and height)
SCREENSHOTS = [
    ("docs/serve-table.png", "?f=3*(x1**2%20%2B%20x2*x3)&at=2,3,4&view=table", "#table",
     1280, 1150),
    ("docs/serve-derivation.png", "?f=atan(x/y)&at=1,2&view=derivation&wrt=y",
     "#derivation", 1280, 900),
    ("docs/serve-trace.png", "?f=ln(x1)%20%2B%20x1*x2%20-%20sin(x2)&at=2,5&view=trace",
     "#trace", 1280, 1300),
    ("docs/serve-exercise.png", "exercise?topic=chain&count=3&seed=1&answer1=4*(2*x%20%2B"
     "%208)**3&answer2=6*exp(6*x)", "#sheet", 1280, 800),
]
BROWSER_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def screenshots() -> None:
    """The server started here, each view opened in Debian's Chromium, its page saved."""
    from playwright.sync_api import sync_playwright

    server = subprocess.Popen([sys.executable, "-m", "diffcompare", "serve", "--port", "0",
                               "--no-browser"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        address = server.stdout.readline().strip()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=BROWSER_FLAGS)
            for target, path, selector, width, height in SCREENSHOTS:
                print("screenshot", target, flush=True)
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(address + path)
                page.wait_for_selector(selector, timeout=120_000)
                page.screenshot(path=str(ROOT / target))
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    if sys.argv[1:2] == ["--readme-to"]:  # the README's examples only, written elsewhere
        refresh_readme(Path(sys.argv[2]))
        return
    for args in PICTURES:
        print("diffcompare", shlex.join(args), flush=True)
        diffcompare(args)
    screenshots()
    run_tutorial()
    refresh_readme()


if __name__ == "__main__":
    main()
