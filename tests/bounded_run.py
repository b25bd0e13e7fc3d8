"""Run the command line in a process of its own and measure it: exit status, output, wall
time, the largest resident memory it (and its workers) reached, and whether any of its
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
    seconds: float
    max_rss_mb: float  # of the command and of the workers it forked, whichever is larger


def run(*args: str, limit: float = 60.0) -> Run:
    """``diffcompare ARGS``; killed (and failed) past ``limit`` seconds."""
    start = time.perf_counter()
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
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return Run(process.returncode, stdout, stderr, seconds, rss)


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
