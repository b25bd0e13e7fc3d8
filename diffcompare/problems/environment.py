"""What a Python function reads besides its inputs, and whether it is still as it was.

Code written from a trace holds, as constants, everything the function read that is not an
input: a global array, a closed-over weight, a default argument. The library runs that code
again at a later call (methods/compiled.py), so it first asks ``Environment.unchanged()``:
are the objects the function's global names, closure cells and defaults hold the same ones,
and are the arrays, lists, tuples and dicts among them (two levels deep, up to 10,000
entries) equal in content to what the trace read? The same is asked of the Python functions
it calls through them and of the attributes it names on a module of the user's (its own
helpers and settings; numpy's and the tool's are taken as they are). Numbers, strings and
the libraries' classes and functions are compared by identity (they cannot change in
place); any other object (an instance of a class of the user's or of a library's, a
DataFrame, a random generator, a larger container) could change unseen, so a function that
reads one is traced at every call.
"""

from __future__ import annotations

import hashlib
import os
import sys
import types
from collections.abc import Callable

import numpy as np

from diffcompare.runtime.limits import PACKAGE

_MISSING = object()  # a name that is not bound, a cell that is empty
DEPTH = 2  # levels of lists, tuples and dicts whose contents are compared
MANY = 10_000  # entries past which a list, tuple or dict is not compared entry by entry
# Functions from here are taken as they are: the tool's own, numpy's, the standard library's.
_SETTLED = tuple({PACKAGE + os.sep, *(os.path.abspath(p) + os.sep
                                      for p in (sys.prefix, sys.base_prefix, sys.exec_prefix))})


class Unverifiable(Exception):
    """What the function reads cannot be compared (it is not a Python function, or it reads
    an object that could change unseen): code written for it is not run again."""


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
    names = sorted(_names(function.__code__))
    for name in names:
        if name in namespace:
            places.append((_global, namespace, name))
            _follow(namespace[name], names, places, visited)
    for cell in function.__closure__ or ():
        places.append((_cell, cell, None))
        _follow(_cell(cell), names, places, visited)
    for default in (*(function.__defaults__ or ()), *(function.__kwdefaults__ or {}).values()):
        _follow(default, names, places, visited)


def _follow(value, names: list[str], places: list, visited: set) -> None:
    """Gather the places of what a function reaches through a value: a Python function of
    the user's (its own places), a module of the user's (the attributes the function names
    on it: ``settings.SCALE``)."""
    if isinstance(value, types.FunctionType) and \
            not value.__code__.co_filename.startswith(_SETTLED):
        _gather(value, places, visited)
    elif isinstance(value, types.ModuleType) and not _settled(value) and \
            id(value) not in visited:
        visited.add(id(value))
        for name in names:
            if hasattr(value, name):
                places.append((_attribute, value, name))
                _follow(getattr(value, name), names, places, visited)


def _settled(module: types.ModuleType | None) -> bool:
    """A module of Python's, of an installed library or of the tool (not the user's)."""
    if module is None:
        return False
    path = getattr(module, "__file__", None)  # (None: built into Python)
    return path is None or os.path.abspath(path).startswith(_SETTLED)


def _names(code: types.CodeType) -> set[str]:
    """The global (and attribute) names a code object and the ones nested in it read."""
    found = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            found |= _names(constant)
    return found


_IMMUTABLE = (int, float, complex, str, bytes, frozenset, type(None), range, slice, np.generic,
              types.CodeType, types.BuiltinFunctionType, types.FunctionType, types.ModuleType,
              np.ufunc, np.dtype)


def _state(value, depth: int):
    """What a value is compared by: an array's contents, a container's entries (to DEPTH
    levels), the identity of what cannot change in place (a number, a function, a module,
    a library's class or function); Unverifiable for anything else."""
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise Unverifiable("it reads an array of Python objects")
        contiguous = np.ascontiguousarray(value)
        return (np.ndarray, value.dtype.str, value.shape,
                hashlib.blake2b(contiguous.data, digest_size=16).digest())
    kind = type(value)
    if kind in (list, tuple, dict):
        if depth >= DEPTH or len(value) > MANY:
            raise Unverifiable(f"it reads a {kind.__name__} too large or deep to compare")
        if kind is dict:
            return dict, tuple((_Same(k), _state(v, depth + 1)) for k, v in value.items())
        return kind, tuple(_state(v, depth + 1) for v in value)
    if value is _MISSING or isinstance(value, _IMMUTABLE):
        return _Same(value)
    # a library's class or function (numpy's dispatchers, functools' partials) is code;
    # a library's other objects (a DataFrame, a random generator) are data, and the user's
    # classes and objects may change under the same identity
    if callable(value) and _settled(sys.modules.get(getattr(
            value if isinstance(value, type) else kind, "__module__", ""))):
        return _Same(value)
    raise Unverifiable(f"it reads a {kind.__name__}, which could change unseen")


def environment(function: Callable) -> Environment | None:
    """The function's environment now, or None where it cannot be compared."""
    try:
        return Environment(function)
    except Unverifiable:
        return None
