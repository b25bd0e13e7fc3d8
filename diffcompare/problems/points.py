"""Points as a user writes them: ``--at 2,3,4``, ``x1=2,x2=3``, a program's ``x=[1,2,3]`` or
``x=@FILE`` (.npy, .txt, .csv: data, read by numpy, never code), a list or a mapping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from diffcompare.engine.finite import all_finite
from diffcompare.errors import InputError
from diffcompare.expr import natural_key
from diffcompare.parse import parse_number


def read_point(at, names: Sequence[str]) -> tuple[float, ...]:
    """Coordinates in the order of ``names``, from text, a sequence or a mapping."""
    if isinstance(at, str):
        pieces = [p.strip() for p in at.split(",")]
        if all("=" in p for p in pieces):
            pairs = [_assignment(p) for p in pieces]
            given = [name for name, _ in pairs]
            repeated = sorted({n for n in given if given.count(n) > 1}, key=natural_key)
            if repeated:
                raise InputError(f"--at gives {', '.join(repeated)} more than once")
            at = dict(pairs)
        elif any("=" in p for p in pieces):
            raise InputError("--at mixes 'name=value' and plain values; use one form")
        else:
            at = [parse_number(p, "coordinate") for p in pieces]
    if isinstance(at, Mapping):
        unknown = [k for k in at if k not in names]
        if unknown:
            raise InputError(f"--at names {', '.join(unknown)}, which is not a variable "
                             f"(variables: {', '.join(names)})")
        missing = [k for k in names if k not in at]
        if missing:
            raise InputError(f"--at gives no value for {', '.join(missing)}")
        at = [at[k] for k in names]
    values = [_finite(v) for v in at]
    if len(values) != len(names):
        raise InputError(f"--at has {_count(len(values), 'coordinate')} but there "
                         f"{'is' if len(names) == 1 else 'are'} {_count(len(names), 'variable')}"
                         f" ({', '.join(names)})")
    return tuple(values)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _assignment(piece: str) -> tuple[str, float]:
    name, _, value = piece.partition("=")
    return name.strip(), parse_number(value, f"coordinate {name.strip()}")


def _finite(value) -> float:
    if isinstance(value, str):
        return parse_number(value, "coordinate")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"coordinate {value!r:.40} is not a number") from None
    except OverflowError:  # an int past float64's range: 10**400
        raise InputError(f"coordinate {str(value)[:20]}... is not finite in float64 (it is "
                         f"past {float(np.finfo(float).max):g})") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InputError(f"coordinate {value!r} is not finite")
    return number


def read_inputs(at, names: Sequence[str]) -> dict[str, Any]:
    """Input values by name from ``--at`` text: ``2`` (one input), ``a=2,b=3``,
    ``x=@FILE`` (.npy, .txt or .csv), ``x=[1,2,3]``; or a mapping or a sequence."""
    if isinstance(at, Mapping):
        found = dict(at)
    elif not isinstance(at, str):
        values = list(at)
        if len(values) != len(names):
            raise InputError(f"--at has {len(values)} values for {len(names)} inputs")
        found = dict(zip(names, values))
    else:
        found = {}
        for position, piece in enumerate(_split_top_level(at)):
            name, sep, value = piece.partition("=")
            if not sep:  # plain values follow the parameter order, as Python's arguments
                name, value = _positional(piece, position, found, names), piece
            if name.strip() in found:
                raise InputError(f"--at gives {name.strip()} more than once")
            found[name.strip()] = _read_value(name.strip(), value.strip())
    unknown = [k for k in found if k not in names]
    if unknown:
        raise InputError(f"--at names {', '.join(unknown)}, which is not an input "
                         f"(inputs: {', '.join(names)})")
    return found


def _positional(piece: str, position: int, found: dict, names: Sequence[str]) -> str:
    """The input a plain value at this position of --at is for."""
    if found.keys() - set(names[:position]) or len(found) != position:
        raise InputError(f"--at {piece!r}: a plain value after a named one; name it "
                         f"({', '.join(names)})")
    if position >= len(names):
        raise InputError(f"--at has more values than there are inputs ({', '.join(names)})")
    if len(names) > 1 and piece.lstrip().startswith(("[", "@")):
        raise InputError(f"--at {piece!r}: name the array input, as {names[position]}="
                         f"{piece.strip()} (plain values are for scalar inputs)")
    return names[position]


def _split_top_level(text: str) -> list[str]:
    pieces, depth, current = [], 0, ""
    for char in text:
        depth += (char == "[") - (char == "]")
        if char == "," and depth == 0:
            pieces.append(current.strip())
            current = ""
        else:
            current += char
    pieces.append(current.strip())
    return [p for p in pieces if p]


def _read_value(name: str, text: str):
    if text.startswith("@"):
        return read_array_file(text[1:])
    if text.startswith("["):
        if not text.endswith("]"):
            raise InputError(f"--at {name}: {text!r} has no closing ]")
        return np.array([parse_number(p, f"coordinate {name}")
                         for p in text[1:-1].split(",") if p.strip()])
    return parse_number(text, f"coordinate {name}")


MAX_TEXT_ARRAY_BYTES = 32 * 1024 * 1024  # a .txt or .csv array (numpy's reader takes ~10x)


def read_array_file(path_text: str) -> np.ndarray:
    """An array from a .npy, .txt or .csv file (numpy reads it; nothing is executed),
    checked before it is read: a regular file, within the size caps, and for .npy a
    header whose shape holds at most MAX_ARRAY_ENTRIES entries."""
    from pathlib import Path

    from diffcompare.runtime import limits

    path = Path(path_text)
    if path.suffix == ".npy":
        limits.regular_file(path, "an array file", limits.MAX_ARRAY_FILE_BYTES)
        shape = _npy_shape(path)
        limits.check_entries(int(np.prod(shape, dtype=object)), path_text)
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            raise InputError(f"cannot read {path_text}: not an array numpy can read without "
                             "pickles") from None
    if path.suffix in (".txt", ".csv"):
        limits.regular_file(path, "an array file", MAX_TEXT_ARRAY_BYTES)
        try:
            found = np.loadtxt(path, delimiter="," if path.suffix == ".csv" else None, ndmin=1)
        except (OSError, ValueError, UnicodeDecodeError):
            # numpy's message quotes the file's content: say what is wrong, not what is there
            raise InputError(f"cannot read {path_text}: every entry must be a number, in "
                             "rows of one length") from None
        limits.check_entries(found.size, path_text)
        return found
    raise InputError(f"{path_text}: an array file is .npy, .txt or .csv")


def _npy_shape(path) -> tuple[int, ...]:
    """The shape a .npy file's header declares, read before the data."""
    try:
        with path.open("rb") as handle:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                shape, _, _ = np.lib.format.read_array_header_1_0(handle)
            else:
                shape, _, _ = np.lib.format.read_array_header_2_0(handle)
    except (OSError, ValueError):
        raise InputError(f"cannot read {path}: not a .npy file (its header is not numpy's)") \
            from None
    return tuple(int(k) for k in shape)


def is_float_array(value) -> bool:
    """A non-empty numpy array of float64: an input taken as it is, not converted."""
    return type(value) is np.ndarray and value.dtype == np.float64 and value.size > 0


def input_value(name: str, value, finite: bool = True):
    """An input as a float or an array of floats, refused (InputError) where it is not
    numbers, is empty or, unless ``finite`` is False (its caller finds that out itself:
    a program's problem, engine/finite.py), has an entry that is not finite."""
    if is_float_array(value):
        if finite:  # (the common case, checked without a conversion)
            refuse_nonfinite(name, value)
        return float(value) if value.ndim == 0 else value
    try:
        array = np.asarray(value.value if hasattr(value, "value") else value)
    except (TypeError, ValueError):  # ragged rows: [[1, 2], [3]]
        raise InputError(f"input {name} is not an array of numbers (rows of different "
                         "lengths?)") from None
    if array.dtype.kind not in "biuf":
        raise InputError(f"input {name} is {array.dtype} data, not real numbers")
    if array.size == 0:
        raise InputError(f"input {name} is empty: it has no entries to differentiate by")
    array = array.astype(float, copy=False)  # the problem copies it once, into its point
    if finite:
        refuse_nonfinite(name, array)
    return float(array) if array.ndim == 0 else array


def refuse_nonfinite(name: str, value) -> None:
    """InputError where an input (a number or an array) has an entry that is not finite."""
    if not all_finite(np.asarray(value, dtype=float)):
        raise InputError(f"input {name} has entries that are not finite")
