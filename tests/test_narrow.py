"""Tables in a narrow terminal: the whole table where it fits, its compact form where that
fits, one block per row past it, and never a number broken across lines; --wide, --digits."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import time

from click.testing import CliRunner
from rich.console import Console

from diffcompare.cli import main
from diffcompare.render.document import Column, Document, Table
from diffcompare.render.formats import write

SEED = ["grad", "3*(x1**2 + x2*x3)", "--at", "2,3,4"]
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def shown(document, width: int, digits: int | None = None) -> list[str]:
    console = Console(width=width, record=True, highlight=False, soft_wrap=False,
                      force_terminal=False, color_system=None)
    console.print(write(document, "table", digits=digits))
    return console.export_text().splitlines()


def _seed_document():
    from diffcompare.analysis.compare import compare
    from diffcompare.problems.load import load_problem
    from diffcompare.render.comparison import document

    return document(compare(load_problem("3*(x1**2 + x2*x3)", (2.0, 3.0, 4.0))))


def _pty_run(args: list[str], columns: int) -> str:
    """The command in a pseudo-terminal ``columns`` wide, as tmux -x 80 shows it."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 200, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "dumb"  # no colour codes in the text read back
    process = subprocess.Popen([sys.executable, "-m", "diffcompare", *args], stdin=follower,
                               stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)
    chunks, deadline = [], time.monotonic() + 120  # a hang fails, never blocks the suite
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the follower closed: the command is done
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            elif process.poll() is not None:
                break
    finally:
        process.kill()
        process.wait()
        os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def test_the_seed_table_in_an_80_column_terminal_breaks_no_number():
    text = _pty_run(SEED, 80)
    lines = text.splitlines()
    assert lines and all(len(line) <= 80 for line in lines), text
    # each method's row is whole on one line, with its rounded entries and digits
    rows = {line.split()[0]: line for line in lines if line.split()
            and line.split()[0] in ("manual", "central-fd", "reverse-ad")}
    assert set(rows) == {"manual", "central-fd", "reverse-ad"}, text
    central = rows["central-fd"].split("│")
    assert [c.strip() for c in central[1:4]] == ["12", "12", "9"], rows["central-fd"]
    assert central[4].strip() == "10"  # its correct digits, counted unrounded
    assert "entries rounded to 6 significant digits" in " ".join(lines)
    assert "--wide" in text


def test_no_number_of_any_width_is_broken():
    """Every number of the whole table appears whole at every width from 40 to 200."""
    document = _seed_document()
    table = next(b for b in document.blocks if isinstance(b, Table))
    full = {n for row in table.rows for cell in row for n in NUMBER.findall(cell)}
    compact = {n for row in table.compact.rows for cell in row for n in NUMBER.findall(cell)}
    for width in (40, 60, 80, 100, 120, 160, 200, 240):
        lines = shown(document, width)
        assert all(len(line) <= width for line in lines)
        words = {w for line in lines for w in NUMBER.findall(line)}
        layout = "compact" if "entries rounded" in " ".join(lines) else \
            "blocks" if "one block per row" in " ".join(lines) else "whole"
        expected = compact if layout == "compact" else full
        assert expected <= words, (width, layout, expected - words)
    assert shown(document, 240)[2].startswith("method")  # wide enough: the whole table


def test_a_block_per_row_keeps_each_title_beside_its_value():
    table = Table((Column("method", "left"), Column("value"), Column("status", "left")),
                  (("forward-fd", "11.99999999974332", "ok"),
                   ("central-fd", "12.000000000097783", "x1: outside domain")))
    lines = shown(Document("t", [table]), 30)
    assert lines[:4] == ["forward-fd", "  value 11.99999999974332", "  status ok", "central-fd"]
    assert "  value 12.000000000097783" in lines
    assert "one block per row" in " ".join(lines)


def test_digits_rounds_the_terminals_numbers_and_says_so():
    lines = shown(_seed_document(), 250, digits=4)
    central = next(line for line in lines if line.startswith("central-fd"))
    assert "11.99999999974332" not in central and " 12 " in central
    assert "2.1e-11" in central  # errors keep their two digits
    assert "rounded to 4 significant digits" in " ".join(lines)


def test_wide_and_digits_on_the_command_line_and_json_keeps_every_digit():
    runner = CliRunner()
    wide = runner.invoke(main, [*SEED, "--wide", "--methods", "central-fd"])
    assert wide.exit_code == 0, wide.output
    assert "11.99999999974332" in wide.output and "max err" in wide.output
    rounded = runner.invoke(main, [*SEED, "--digits", "3", "--methods", "central-fd"])
    assert rounded.exit_code == 0 and "11.99999999974332" not in rounded.output
    data = json.loads(runner.invoke(main, [*SEED, "--digits", "3", "--format", "json",
                                           "--methods", "central-fd"]).output)
    assert data["methods"]["central-fd"]["gradient"][0] == 11.99999999974332  # every digit
    bad = runner.invoke(main, [*SEED, "--digits", "0"])
    assert bad.exit_code == 2 and "--digits" in bad.output
