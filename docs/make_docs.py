"""Regenerate the pictures in docs/ with the tool's own commands (run by `make docs`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent

COMMANDS = [
    ["graph", "ln(x1) + x1*x2 - sin(x2)", "--at", "2,5", "-o", "graph-baydin.png"],
    ["graph", "3*(x1**2 + x2*x3)", "--at", "2,3,4", "-o", "graph-blog.png"],
    ["swell", "--family", "logistic", "--upto", "10", "-o", "swell-logistic.png"],
    ["epsplot", "--relative", "-o", "epsplot-seed.png"],
    ["epsplot", "exp(x)", "--at", "1", "-o", "epsplot-exp.png"],
]


def main() -> None:
    for command in COMMANDS:
        print("diffcompare", " ".join(command), flush=True)
        subprocess.run([sys.executable, "-m", "diffcompare", *command], cwd=DOCS, check=True,
                       stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
