"""A Python file as input: load it, pick its function, and run the user's code bounded.

Running a file runs the user's code, as ``python FILE`` does: that is the point (a formula
typed on the command line stays data and is parsed, never run). What the tool promises is
that the code cannot take the command with it: it runs under a CPU-time budget
(runtime/limits.py: a ``while True`` stops, and one that swallows the alarm is stopped from
outside), and whatever it raises or calls (an exception, exit, os._exit, a BaseException)
comes back as the user's error with its own file and line, never as a traceback from here.

A file defines the function (``f`` unless named: ``FILE.py:NAME``), and may define
``POINT`` (a dict of input values), ``start(n)`` (the point for ``--n N``, as Rosenbrock's
-1.2, 1, -1.2, ...) and ``EXPECTED`` (a dict with ``f``, ``gradient``: what ``check`` holds
the methods to).
"""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import os
import sys
import traceback
import weakref
from collections import ChainMap
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from diffcompare.errors import InputError, MethodError
from diffcompare.runtime import limits

_modules = itertools.count()
DEFAULT_NAME = "f"
SPECIAL = ("start", "POINT", "EXPECTED")
ProgramTimedOut = limits.ProgramTimedOut


class ProgramError(InputError):
    """The user's program failed: its own message, file and line."""


def is_program(text: str) -> bool:
    """Does a FUNCTION argument name a Python file (FILE.py or FILE.py:NAME)?"""
    path, _, name = text.strip().rpartition(":") if ".py:" in text else (text.strip(), "", "")
    return path.endswith(".py") and (not name or name.isidentifier())


@dataclass(frozen=True)
class Program:
    """One function of a loaded file."""

    path: Path
    name: str
    function: Callable
    inputs: tuple[str, ...]  # parameters without defaults, in order
    namespace: Mapping[str, Any]

    @property
    def label(self) -> str:
        return f"{self.path.name}:{self.name}"

    def other(self, name: str) -> Program:
        """Another function of the same file (a hand-written gradient, say)."""
        return _pick(self.path, self.namespace, name)

    @property
    def expected(self) -> Mapping[str, Any]:
        found = self.namespace.get("EXPECTED", {})
        return found if isinstance(found, Mapping) else {}

    def default_point(self, n: int | None = None,
                      budget: float | None = None) -> dict[str, Any] | None:
        """The file's point: ``start(n)`` for ``--n`` (bounded like every call of the user's
        code), else ``POINT``; None if it has none."""
        if n is not None:
            start = self.namespace.get("start")
            if not callable(start):
                raise InputError(f"--n needs a function start(n) in {self.path.name} giving "
                                 "the point for n inputs")
            return self._as_point(run_user_code(start, (n,), budget, self.path), "start(n)")
        point = self.namespace.get("POINT")
        return None if point is None else self._as_point(point, "POINT")

    def _as_point(self, point, where: str) -> dict[str, Any]:
        if not isinstance(point, Mapping):
            if len(self.inputs) == 1:
                return {self.inputs[0]: point}
            raise InputError(f"{self.path.name}: {where} should be a dict of "
                             f"{', '.join(self.inputs)}")
        return dict(point)


def load(spec: str, budget: float | None = None) -> Program:
    """The function named by ``FILE.py`` or ``FILE.py:NAME``, its module run once."""
    text = spec.strip()
    path_text, name = (text.rsplit(":", 1) if ".py:" in text else (text, None))
    path = Path(path_text)
    raw = limits.read_bounded(path, "a program", limits.MAX_SOURCE_BYTES)
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read {path_text}: not UTF-8 text ({exc.reason})") from None
    try:
        compile(source, str(path), "exec")
    except SyntaxError as exc:
        line = f":{exc.lineno}" if exc.lineno else ""
        raise InputError(f"{path.name}{line}: syntax error: {exc.msg}") from None
    except ValueError as exc:  # a NUL byte, say
        raise InputError(f"{path.name}: not Python source ({exc})") from None
    namespace = _run_module(path, budget)
    return _pick(path, namespace, name)


def _run_module(path: Path, budget: float | None) -> dict:
    module_name = f"_diffcompare_user_{next(_modules)}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up by name
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)  # its own helpers import as they would under python FILE
    try:
        run_user_code(spec.loader.exec_module, (module,), budget, path, InputError)
    finally:
        sys.path.remove(folder)
    return vars(module)


def _pick(path: Path, namespace: Mapping[str, Any], name: str | None) -> Program:
    own = [key for key, value in namespace.items()
           if inspect.isfunction(value) and value.__module__ == namespace["__name__"]
           and not key.startswith("_") and key not in SPECIAL]
    if name is None:
        if DEFAULT_NAME in own:
            name = DEFAULT_NAME
        elif len(own) == 1:
            name = own[0]
        elif not own:
            raise InputError(f"{path.name} defines no function to differentiate")
        else:
            raise InputError(f"{path.name} defines several functions ({', '.join(own)}); "
                             f"name one: {path.name}:{own[0]}")
    function = namespace.get(name)
    if not inspect.isfunction(function):
        known = f" (it defines {', '.join(own)})" if own else ""
        raise InputError(f"{path.name} defines no function {name}{known}")
    signature = inspect.signature(function)
    inputs = []
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise InputError(f"{path.name}:{name} takes *args or **kwargs; its inputs must "
                             "be named parameters")
        if parameter.default is parameter.empty:
            inputs.append(parameter.name)
    if not inputs:
        raise InputError(f"{path.name}:{name} has no inputs (parameters without defaults)")
    return Program(path, name, function, tuple(inputs), namespace)


class _ProgramExit(BaseException):
    """os._exit called by the user's code: turned into the user's error, not the end of the
    whole command without a word."""


def _refused_exit(code=0):
    raise _ProgramExit(code)


def _shown(exc: BaseException) -> str:
    """An exception's message, even when its __str__ raises."""
    try:
        return str(exc)
    except Exception as inner:  # noqa: BLE001 - the user's __str__ may do anything
        return f"(its message could not be shown: {type(inner).__name__})"


def run_user_code(call: Callable, args: tuple, budget: float | None, path: Path,
                  error: type[Exception] = ProgramError):
    """``call(*args)``, the user's code: bounded in CPU time (runtime/limits.py), its
    exceptions, exit calls and BaseExceptions turned into ``error`` with the user's own
    message and the line of their file where it happened."""
    region = nullcontext() if budget is None else limits.bounded(budget, path)
    try:
        with region, np.errstate(all="ignore"):
            os._exit = _refused_exit  # (refused inline: a context manager costs more)
            try:
                return call(*args)
            finally:
                os._exit = limits.REAL_EXIT
    except (limits.ProgramTimedOut, MethodError):
        raise
    except KeyboardInterrupt:  # Ctrl-C is the user's, not the program's
        raise
    except RecursionError:
        raise error(f"{path.name}: the program recursed too deeply (RecursionError)") from None
    except SystemExit as exc:
        raise error(f"{path.name}: the program called exit({exc.code!r})") from None
    except _ProgramExit as exc:
        raise error(f"{where_in(exc, path)}: the program called os._exit({exc.args[0]!r})") \
            from None
    except Exception as exc:
        raise error(f"{where_in(exc, path)}: {type(exc).__name__}: {_shown(exc)}{_hint(exc)}") \
            from None
    except BaseException as exc:  # GeneratorExit, a BaseException of the user's own
        raise error(f"{where_in(exc, path)}: the program raised {type(exc).__name__}"
                    f"{': ' + _shown(exc) if _shown(exc) else ''}") from None


def where_in(exc: BaseException, path: Path) -> str:
    """file:line of the innermost frame of the user's file in an exception's traceback."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(frame.filename) == os.path.abspath(path):
            line = frame.lineno
    return f"{path.name}:{line}" if line is not None else path.name


def _hint(exc: Exception) -> str:
    if "Traced" in _shown(exc) or "__array_function__" in _shown(exc):
        return (" (a traced value met code that cannot follow its derivative: numpy's "
                "supported functions are listed in the README, or use diffcompare.math)")
    return ""


def from_callable(function: Callable) -> Program:
    """A Program from a Python function object (the library API, assert_gradient): its
    file, name and inputs read once per function (reading its source file and signature
    costs more than a small gradient), again when its code or defaults change, and kept
    only while the function lives."""
    if not callable(function):
        raise InputError(f"{function!r} is not a function")
    stamp = _stamp(function)
    try:
        kept = _PROGRAMS.get(function)
    except TypeError:  # not weakly referable, or not hashable: made each time
        kept = None
    if kept is not None and kept[0] == stamp:
        _, path, name, inputs = kept
        return Program(path, name, function, inputs, _namespace(function, name))
    program = _program_of(function)
    try:  # (what it was made from, not the Program: an entry that held the function, its
        # own key, would keep it, and all it holds, alive for ever)
        _PROGRAMS[function] = (stamp, program.path, program.name, program.inputs)
    except TypeError:
        pass
    return program


_PROGRAMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _stamp(function: Callable) -> tuple:
    """What a function's Program is made from, by identity (read one by one: a generator
    over their names cost as much as the rest of finding the Program)."""
    return (id(getattr(function, "__code__", None)), id(getattr(function, "__defaults__", None)),
            id(getattr(function, "__kwdefaults__", None)),
            id(getattr(function, "__signature__", None)),
            id(getattr(function, "__wrapped__", None)), id(getattr(function, "__globals__", None)))


def _namespace(function: Callable, name: str) -> ChainMap:
    """The function's module as it is when asked (its POINT, its other functions), never
    written to: the function under its own name first, the module's name last."""
    return ChainMap({name: function}, getattr(function, "__globals__", {}),
                    {"__name__": getattr(function, "__module__", "") or ""})


def _program_of(function: Callable) -> Program:
    try:
        source = inspect.getsourcefile(function)
    except TypeError:
        source = None
    path = Path(source) if source else Path(f"<{getattr(function, '__name__', 'f')}>")
    name = getattr(function, "__name__", "f")
    namespace = _namespace(function, name)
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        raise InputError(f"cannot read the parameters of {name}") from None
    inputs = tuple(p.name for p in parameters if p.default is p.empty
                   and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
    if not inputs:
        raise InputError(f"{name} has no inputs (parameters without defaults)")
    return Program(path, name, function, inputs, namespace)
