"""Run a call with a time limit (sympy's diff and evalf cannot be interrupted).

The call runs in a daemon thread; past the deadline it is abandoned, not stopped: it may
keep a core busy until it ends, but the caller goes on, and the process exits without
waiting for it (a daemon thread, not a thread pool, whose workers are joined at exit).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from diffcompare.errors import MethodError


class TimedOut(MethodError):
    """The call did not finish in time."""


def within(seconds: float | None, call: Callable[..., Any], *args: Any) -> Any:
    if seconds is None:
        return call(*args)
    if seconds <= 0:  # no time at all: do not start it
        raise TimedOut("was not run (--timeout 0)")
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call(*args)
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="diffcompare-deadline", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimedOut(f"timed out after {seconds:g} s (raise it with --timeout)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
