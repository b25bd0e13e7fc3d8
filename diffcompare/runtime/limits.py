"""Limits on what comes in and on the user's own code.

The user's code (a Python file given as the function, its start(n), its --given gradient)
runs in this process, like ``python FILE``, under ``bounded(seconds)``: a CPU-time alarm
(ITIMER_PROF: what the code computes, the same on a busy machine) and, as an outer safety,
a wall-clock alarm several times larger (for code that waits). Each rings again every
RING seconds until the code stops, since an exception raised while Python runs a garbage
collector's callback is swallowed; it is raised only in the user's own frames or the tool's
(never inside a callback or a hook). Code that swallows the alarm too (``except
BaseException``) is not asked again: past GRACE seconds, a command that registered a
``hard_stop`` (the CLI) is ended from outside, its workers stopped and a message given.

Input files are checked before they are read: regular files only (a FIFO would block the
open), their size and, for arrays, their element count (a .npy header's shape) against
stated caps.
"""

from __future__ import annotations

# _signal: signal.signal's own C function (the wrapper converts every handler to an enum,
# by an exception for a function: a microsecond a call, and a bound call makes four)
import _signal
import os
import signal
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from diffcompare.errors import InputError
from diffcompare.runtime.budget import WALL_GRACE, WALL_SAFETY, OutOfBudget

REAL_EXIT = os._exit  # the user's code runs with os._exit refused; a hard stop needs this one
RING = 0.05  # seconds between alarms once the time is up
GRACE = 2.0  # seconds the code gets to stop once asked, before a command is ended
LEAST_SECONDS = 1.0  # the least CPU time a call of the user's code gets (--budget 0 too)
MAX_SOURCE_BYTES = 2 * 1024 * 1024  # a Python file given as the function
MAX_ARRAY_FILE_BYTES = 256 * 1024 * 1024  # an array file for --at x=@FILE
MAX_ARRAY_ENTRIES = 10_000_000  # entries of one input array (80 MB of float64)
# Bytes of address space a command may add to what it starts with (DIFFCOMPARE_MEMORY, in
# bytes, sets another: lower for a test, higher for a big machine).
COMMAND_MEMORY = 4 << 30
PACKAGE = str(Path(__file__).resolve().parents[1])


class ProgramTimedOut(OutOfBudget):
    """The user's code ran past its CPU budget (or the wall-clock safety)."""


@dataclass
class _Region:
    seconds: float
    source: str  # the user's file: the alarm is raised in its frames (and the tool's)
    expired_at: float | None = None


_regions: list[_Region] = []
hard_stop: Callable[[str], None] | None = None  # set by a command: ends it from outside


def _ours(filename: str, region: _Region) -> bool:
    return filename == region.source or filename.startswith(PACKAGE)


def _expire(signum, frame) -> None:
    if not _regions:
        return
    region = _regions[-1]
    now = time.monotonic()
    cause = "CPU" if signum == signal.SIGPROF else "wall-clock"
    limit = region.seconds if signum == signal.SIGPROF else \
        WALL_SAFETY * region.seconds + WALL_GRACE
    message = (f"the program ran past {limit:g} {cause} s (raise the budget with --budget)"
               if signum == signal.SIGPROF else
               f"the program ran past the wall-clock safety of {limit:g} s")
    if region.expired_at is None:
        region.expired_at = now
    elif now - region.expired_at > GRACE and hard_stop is not None:
        hard_stop(f"{message} and did not stop when asked (does it catch BaseException?); "
                  "it was stopped from outside")
    if frame is not None and _ours(frame.f_code.co_filename, region):
        raise ProgramTimedOut(message, "CPU seconds", region.seconds)


def _resolved(source: str) -> str:
    """A file's resolved path: once per absolute path (resolving walks every directory on
    the way, 24 µs here, more than a small gradient's own bookkeeping), and a relative one
    every time, since it depends on the working directory."""
    found = _RESOLVED.get(source)
    if found is None:
        if not os.path.isabs(source):
            return str(Path(source).resolve())
        if len(_RESOLVED) >= 256:  # (a server sees many files: kept few)
            _RESOLVED.clear()
        found = _RESOLVED[source] = str(Path(source).resolve())
    return found


_RESOLVED: dict[str, str] = {}  # absolute path -> resolved (a dict hit before any isabs)




class bounded:
    """Raise ProgramTimedOut in the code run inside once it has used ``seconds`` of CPU
    time (at least LEAST_SECONDS), or the wall-clock safety; main thread only (elsewhere,
    and for None, no limit: a worker process bounds itself). A class, not a generator:
    it is entered around every call of the user's code, and a generator's context manager
    cost a few microseconds more than a small gradient's own bookkeeping."""

    __slots__ = ("region", "previous", "outer")

    def __init__(self, seconds: float | None, source: str | os.PathLike = ""):
        self.region = None
        if seconds is not None and threading.current_thread() is threading.main_thread():
            self.region = _Region(max(float(seconds), LEAST_SECONDS),
                                  _resolved(str(source)) if source else "")

    def __enter__(self) -> bounded:
        region = self.region
        if region is not None:
            self.outer = _regions[-1] if _regions else None
            self.previous = (_signal.signal(signal.SIGPROF, _expire),
                             _signal.signal(signal.SIGALRM, _expire))
            _regions.append(region)
            signal.setitimer(signal.ITIMER_PROF, region.seconds, RING)
            signal.setitimer(signal.ITIMER_REAL, WALL_SAFETY * region.seconds + WALL_GRACE,
                             RING)
        return self

    def __exit__(self, *exc) -> bool:
        if self.region is not None:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.setitimer(signal.ITIMER_REAL, 0)
            _regions.pop()
            _signal.signal(signal.SIGPROF, self.previous[0])
            _signal.signal(signal.SIGALRM, self.previous[1])
            if self.outer is not None:  # what the enclosing region had left, roughly:
                signal.setitimer(signal.ITIMER_PROF, self.outer.seconds, RING)  # its whole
        return False


# --- input files -------------------------------------------------------------------------

def regular_file(path: Path, what: str, limit: int) -> int:
    """The size of ``path`` after checking it is a regular file (a FIFO, a device or a
    directory is refused before it is opened: opening a FIFO blocks) within ``limit``."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"cannot read {path}: no such file") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"cannot read {path}: it is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"cannot read {path}: it is not a regular file (a FIFO, a socket or "
                         f"a device); {what} must be a file")
    if info.st_size > limit:
        raise InputError(f"{path}: {info.st_size:,} bytes is too large for {what} (limit "
                         f"{limit:,})")
    return info.st_size


def read_bounded(path: Path, what: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (a file that grows while it is
    read is still cut at the limit)."""
    regular_file(path, what, limit)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(f"{path}: too large for {what} (limit {limit:,} bytes)")
    return data


def check_entries(count: int, where: str) -> None:
    if count > MAX_ARRAY_ENTRIES:
        raise InputError(f"{where}: {count:,} entries is more than an input array may have "
                         f"({MAX_ARRAY_ENTRIES:,})")


def cap_memory(extra: int | None = None) -> None:
    """Cap this process's address space at what it has now plus ``extra`` (RLIMIT_AS), so a
    program that allocates without end meets a MemoryError, reported as its error, instead
    of taking the machine. Workers forked later cap themselves lower."""
    import resource

    from diffcompare.runtime.workers import _virtual_size

    if extra is None:
        try:
            extra = int(os.environ.get("DIFFCOMPARE_MEMORY", COMMAND_MEMORY))
        except ValueError:
            extra = COMMAND_MEMORY

    base = _virtual_size()
    if not base:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = base + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or soft > limit:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        except (ValueError, OSError):
            pass
