"""Run the command line in a process of its own and measure it: exit status, output, CPU
time (its own and its workers', which load does not change: tests bound this, never the wall
clock), the largest resident memory it (and its workers) reached, and whether any of its
processes is still alive afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

DIFFCOMPARE = [sys.executable, "-m", "diffcompare"]


@dataclass(frozen=True)
class Run:
    status: int
    stdout: str
    stderr: str
    seconds: float  # wall time: reported, never asserted (a busy machine stretches it)
    max_rss_mb: float  # of the command and of the workers it forked, whichever is larger
    cpu_seconds: float = 0.0  # user + system CPU of the command and its workers


def run(*args: str, limit: float = 120.0, env: dict | None = None) -> Run:
    """``diffcompare ARGS``; killed (and failed) past ``limit`` seconds of wall time, a
    backstop that holds at load 8 on two cores."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen([*DIFFCOMPARE, *args], stdout=out, stderr=err, text=True,
                                   env=None if env is None else {**os.environ, **env})
        backstop = threading.Timer(limit, process.kill)
        backstop.start()
        # wait4 gives this child's own usage together with every descendant it waited for:
        # its workers' CPU and the largest resident set among them (kB on Linux), and no
        # other test's processes.
        _, status, usage = os.wait4(process.pid, 0)
        backstop.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        if seconds >= limit:
            raise AssertionError(f"diffcompare {' '.join(args)[:80]} ran past {limit} s")
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    return Run(process.returncode, stdout, stderr, seconds, usage.ru_maxrss / 1024,
               usage.ru_utime + usage.ru_stime)


def still_running(marker: str) -> list[int]:
    """Processes whose command line holds ``marker`` (a forked worker keeps its parent's)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                if marker.encode() in handle.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found
