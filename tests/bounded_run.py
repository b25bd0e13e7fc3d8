"""Run the command line in a process of its own and measure it: exit status, output, CPU
time (its own and its workers', which load does not change: tests bound this, never the wall
clock), the largest resident memory it (and its workers) reached, and whether any of its
processes is still alive afterwards."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
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


def run(*args: str, limit: float = 120.0) -> Run:
    """``diffcompare ARGS``; killed (and failed) past ``limit`` seconds of wall time, a
    backstop that holds at load 8 on two cores."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen([*DIFFCOMPARE, *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"diffcompare {' '.join(args)[:80]} ran past {limit} s") from None
    seconds = time.perf_counter() - start
    # ru_maxrss of the children is the largest of any waited-for descendant (kB on Linux).
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss = after.ru_maxrss / 1024
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Run(process.returncode, stdout, stderr, seconds, rss, cpu)


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
