"""docs/tutorial.ipynb executes headless, start to end, and shows the seeds' numbers."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial.ipynb"


@pytest.mark.timeout(300)
def test_the_tutorial_notebook_executes_and_shows_the_seeds_numbers(tmp_path):
    notebook = nbformat.read(TUTORIAL, as_version=4)
    for cell in notebook.cells:  # run it as a reader would: from nothing
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    NotebookClient(notebook, timeout=240, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = {}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            for output in cell.outputs:
                assert output.output_type != "error", output
                shown[cell.source] = shown.get(cell.source, "") + str(output.get("data", {}))
    assert "(48.0, (12.0, 12.0, 9.0))" in shown["seed.reference.value, seed.reference.gradient"]
    step = next(text for source, text in shown.items() if source.startswith("first ="))
    assert "(48.0, (12.0, 12.0, 9.0), (1.988, 2.988, 3.991))" in step
    assert any("image/png" in text for text in shown.values())  # the figures are drawn
    assert any("text/html" in text for text in shown.values())  # the tables are tables
