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


def main() -> None:
    if sys.argv[1:2] == ["--readme-to"]:  # the README's examples only, written elsewhere
        refresh_readme(Path(sys.argv[2]))
        return
    for args in PICTURES:
        print("diffcompare", shlex.join(args), flush=True)
        diffcompare(args)
    run_tutorial()
    refresh_readme()


if __name__ == "__main__":
    main()
