"""Memory for a program's large arrays, kept from call to call.

A trace keeps every value it made until its tape is dropped, and a reverse sweep writes into
scratch buffers. Made new on every call, a million-entry array costs its page faults each
time (glibc hands large blocks back to the system when they are freed) and lands in memory
no cache holds: tracing Rosenbrock at n = 10⁶ into new arrays took 2.8 f on a 2-core machine
(2026-12-04), into kept ones 1.4 f. So arrays of at least ``MIN_ENTRIES`` entries are taken
from here: an array is free again when nothing but the pool refers to it (its reference
count says so: a tape, a view, a caller holding it all count), and the pool holds at most
``LIMIT_BYTES`` in all, past which arrays are made as usual. ``held_bytes`` says what it
holds (the benchmarks count it in the peak), ``clear`` lets it go.
"""

from __future__ import annotations

import sys
import threading

import numpy as np

MIN_ENTRIES = 1 << 14  # smaller arrays cost more to look up than to make
LIMIT_BYTES = 256 << 20

_arrays: dict[tuple, list[np.ndarray]] = {}  # (shape, dtype) -> the arrays kept
_held = 0
_lock = threading.Lock()  # a free array is found and handed out by one thread at a time


def _references(arrays: list, i: int) -> int:
    return sys.getrefcount(arrays[i])


_IDLE = _references([np.empty(0)], 0)  # the count of an array only the pool refers to


def take(shape: tuple[int, ...], dtype=np.float64) -> np.ndarray | None:
    """A free array of this shape and dtype (its contents are garbage), or None where it
    is too small to pool or the pool is full."""
    global _held
    size = 1
    for extent in shape:
        size *= extent
    if size < MIN_ENTRIES:
        return None
    key = (shape, np.dtype(dtype))
    with _lock:
        arrays = _arrays.setdefault(key, [])
        for i in range(len(arrays)):
            if _references(arrays, i) == _IDLE:
                return arrays[i]
        nbytes = size * key[1].itemsize
        if _held + nbytes > LIMIT_BYTES:
            return None
        array = np.empty(shape, dtype)
        arrays.append(array)
        _held += nbytes
        return array


def empty(shape: tuple[int, ...]) -> np.ndarray:
    """An array of floats of this shape: the pool's, or a new one."""
    found = take(tuple(shape))
    return np.empty(shape) if found is None else found


def owns(array: np.ndarray) -> bool:
    """Whether the array is one of the pool's."""
    return any(kept is array for kept in _arrays.get((array.shape, array.dtype), ()))


def held_bytes() -> int:
    """Bytes the pool holds now, in use or free."""
    return _held


def clear() -> None:
    """Let go of every array the pool holds (those still in use stay with their users)."""
    global _held
    with _lock:
        _arrays.clear()
        _held = 0
