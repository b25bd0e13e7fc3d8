"""The README's library snippet runs, and prints what its comments say."""

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_library_snippet_prints_what_its_comments_say():
    section = README.read_text(encoding="utf-8").split("## As a library", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    # Each print(...) line ends with "# expected", optionally followed by ": why".
    expected = [line.split("#", 1)[1].strip().split(":")[0].strip()
                for line in code.splitlines() if line.startswith("print(")]
    done = subprocess.run([sys.executable, "-"], input=code, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == expected


def test_the_assert_gradient_example_passes_and_fails_a_wrong_gradient():
    section = README.read_text(encoding="utf-8").split("### Checking your own gradient code",
                                                         1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    wrong = code.replace("g[1:] += 200 * inner", "g[1:] += 200.001 * inner")
    for source, passes in ((code, True), (wrong, False)):
        done = subprocess.run([sys.executable, "-"],
                              input=source + "\ntest_rosenbrock_gradient()\n",
                              capture_output=True, text=True, timeout=60)
        assert (done.returncode == 0) == passes, done.stderr
        if not passes:
            assert "AssertionError: the gradient of rosenbrock is wrong at d/dx[" in done.stderr


def test_the_library_snippet_on_a_python_function_prints_what_it_says():
    section = README.read_text(encoding="utf-8").split("## As a library", 1)[1]
    code = re.findall(r"```python\n(.*?)```", section, re.DOTALL)[1]
    expected = [line.split("#", 1)[1].strip().split(":")[0].strip()
                for line in code.splitlines() if line.startswith("print(")]
    done = subprocess.run([sys.executable, "-"], input=code, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == expected == ["True"]
