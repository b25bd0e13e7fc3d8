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
