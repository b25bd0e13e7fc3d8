"""docs/tutorial.ipynb executes headless, start to end, and shows the seeds' numbers.

The kernel runs from a process of its own: the test process never holds the notebook
client's threads, which a later fork of the tool's bounded workers would inherit."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial.ipynb"

RUN = """
import json, sys
import nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
for cell in notebook.cells:  # run it as a reader would: from nothing
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
NotebookClient(notebook, timeout=240, kernel_name="python3",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
print(json.dumps([[cell.source, [dict(o) for o in cell.outputs]]
                  for cell in notebook.cells if cell.cell_type == "code"]))
"""


@pytest.mark.timeout(300)
def test_the_tutorial_notebook_executes_and_shows_the_seeds_numbers(tmp_path):
    done = subprocess.run([sys.executable, "-c", RUN, str(TUTORIAL), str(tmp_path)],
                          capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr[-3000:]
    shown = {}
    for source, outputs in json.loads(done.stdout):
        for output in outputs:
            assert output["output_type"] != "error", output
            shown[source] = shown.get(source, "") + str(output.get("data", {}))
    assert "(48.0, (12.0, 12.0, 9.0))" in shown["seed.reference.value, seed.reference.gradient"]
    step = next(text for source, text in shown.items() if source.startswith("first ="))
    assert "(48.0, (12.0, 12.0, 9.0), (1.988, 2.988, 3.991))" in step
    assert any("image/png" in text for text in shown.values())  # the figures are drawn
    assert any("text/html" in text for text in shown.values())  # the tables are tables
