"""What a Python function reads besides its inputs, and whether it is still as it was.

Code written from a trace holds, as constants, everything the function read that is not an
input: a global array, a closed-over weight, a default argument. The library runs that code
again at a later call (methods/compiled.py), so it first asks ``Environment.unchanged()``:
are the objects the function's global names, closure cells and defaults hold the same ones,
and are the arrays, lists, tuples and dicts among them (two levels deep) equal in content
to what the trace read? The same is asked of the Python functions it calls through them (its
own helpers; numpy's and the tool's are taken as they are). Anything else is held to its
identity only: an array reached through an object's attribute, changed in place, goes
unseen. Data that changes from call to call belongs among the inputs.
"""

from __future__ import annotations

import hashlib
import os
import sys
import types
from collections.abc import Callable

import numpy as np

_MISSING = object()  # a name that is not bound, a cell that is empty
DEPTH = 2  # levels of lists, tuples and dicts whose contents are compared
MANY = 10_000  # entries past which a list, tuple or dict is not compared entry by entry
# Functions from here are taken as they are: the tool's own, numpy's, the standard library's.
_SETTLED = tuple({os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep,
                  *(os.path.abspath(p) + os.sep
                    for p in (sys.prefix, sys.base_prefix, sys.exec_prefix))})


class Unverifiable(Exception):
    """What the function reads cannot be compared (it is not a Python function, or it reads
    an array of Python objects): code written for it is not run again."""


class _Same:
    """An object compared by identity (held, so that its id is not reused)."""

    __slots__ = ("held",)

    def __init__(self, held):
        self.held = held

    def __eq__(self, other) -> bool:
        return type(other) is _Same and other.held is self.held

    __hash__ = None


class Environment:
    """The places ``function`` reads beyond its inputs, and their state when made."""

    def __init__(self, function: Callable):
        self.places: list[tuple] = []
        _gather(function, self.places, set())
        self.state = self._now()

    def _now(self) -> tuple:
        return tuple(_state(read(holder, key), 0) for read, holder, key in self.places)

    def unchanged(self) -> bool:
        try:
            return self._now() == self.state
        except Unverifiable:
            return False


def _global(namespace: dict, name: str):
    return namespace.get(name, _MISSING)


def _cell(cell, _=None):
    try:
        return cell.cell_contents
    except ValueError:  # (not filled yet)
        return _MISSING


def _attribute(holder, name: str):
    return getattr(holder, name, _MISSING)


def _gather(function, places: list, visited: set) -> None:
    """The places a Python function, and each of its own helpers, read."""
    if not isinstance(function, types.FunctionType):
        raise Unverifiable(f"{type(function).__name__} is not a Python function")
    if id(function) in visited:
        return
    visited.add(id(function))
    for name in ("__code__", "__defaults__", "__kwdefaults__"):
        places.append((_attribute, function, name))
    namespace = function.__globals__
    for name in sorted(_names(function.__code__)):
        if name in namespace:
            places.append((_global, namespace, name))
            _follow(namespace[name], places, visited)
    for cell in function.__closure__ or ():
        places.append((_cell, cell, None))
        _follow(_cell(cell), places, visited)
    for default in (*(function.__defaults__ or ()), *(function.__kwdefaults__ or {}).values()):
        _follow(default, places, visited)


def _follow(value, places: list, visited: set) -> None:
    """Gather a helper's places too: a Python function of the user's own."""
    if isinstance(value, types.FunctionType) and \
            not value.__code__.co_filename.startswith(_SETTLED):
        _gather(value, places, visited)


def _names(code: types.CodeType) -> set[str]:
    """The global (and attribute) names a code object and the ones nested in it read."""
    found = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            found |= _names(constant)
    return found


def _state(value, depth: int):
    """What a value is compared by: an array's contents, a container's entries (to DEPTH
    levels), anything else's identity."""
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise Unverifiable("it reads an array of Python objects")
        contiguous = np.ascontiguousarray(value)
        return (np.ndarray, value.dtype.str, value.shape,
                hashlib.blake2b(contiguous.data, digest_size=16).digest())
    kind = type(value)
    if depth < DEPTH and kind in (list, tuple, dict) and len(value) <= MANY:
        if kind is dict:
            return dict, tuple((_Same(k), _state(v, depth + 1)) for k, v in value.items())
        return kind, tuple(_state(v, depth + 1) for v in value)
    return _Same(value)


def environment(function: Callable) -> Environment | None:
    """The function's environment now, or None where it cannot be compared."""
    try:
        return Environment(function)
    except Unverifiable:
        return None
