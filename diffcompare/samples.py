"""Named example cases, read from TOML files in the ``[[case]]`` format.

The same format serves ``grad --sample`` and ``check``: an expression, a point, and any of an
expected value, an expected gradient, and a ``given`` hand-derived gradient to verify.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from diffcompare.errors import InputError
from diffcompare.problem import Problem

_CASE_KEYS = {"name", "expression", "point", "vars", "value", "gradient", "jacobian", "hessian",
              "given", "source", "rtol", "atol", "methods"}


@dataclass(frozen=True)
class Case:
    name: str
    expression: str
    point: tuple[float, ...]
    vars: tuple[str, ...] | None = None
    value: float | None = None
    gradient: tuple[float, ...] | None = None
    jacobian: tuple[tuple[float, ...], ...] | None = None
    hessian: tuple[tuple[float, ...], ...] | None = None
    given: tuple[str, ...] | None = None
    source: str = ""
    rtol: float | None = None
    atol: float | None = None
    methods: tuple[str, ...] | None = None
    file: str = ""

    def problem(self) -> Problem:
        return Problem.from_text(self.expression, self.point, self.vars)

    @property
    def kind(self) -> str:
        """The kind of derivative the case checks: what it states, else the gradient."""
        return "jacobian" if self.jacobian is not None else \
            "hessian" if self.hessian is not None else "gradient"

    @property
    def expected(self) -> tuple[float, ...] | None:
        """The stated derivative, flat in C order."""
        matrix = self.jacobian if self.jacobian is not None else self.hessian
        if matrix is not None:
            return tuple(v for row in matrix for v in row)
        return self.gradient


def samples_dir() -> Path:
    """sample_functions/: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "sample_functions", here.parent / "sample_functions"):
        if candidate.is_dir():
            return candidate
    raise InputError("no sample_functions directory found")


def sample_files() -> list[Path]:
    return sorted(samples_dir().glob("*.toml"))


def load_cases(paths: Iterable[str | Path] | None = None) -> list[Case]:
    """Every case of the given TOML files (the bundled samples when none are given)."""
    files = [Path(p) for p in paths] if paths else sample_files()
    cases: list[Case] = []
    for path in files:
        cases.extend(_read(path))
    names = [c.name for c in cases]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"case names must be unique; repeated: {', '.join(repeated)}")
    return cases


def find_case(name: str) -> Case:
    cases = {c.name: c for c in load_cases()}
    if name not in cases:
        raise InputError(f"no sample named {name!r}; samples: {', '.join(cases)}")
    return cases[name]


MAX_FILE_BYTES = 10 * 1024 * 1024  # a case file larger than this is refused unread


def _read(path: Path) -> list[Case]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{path}: {size:,} bytes is too large for a case file (limit "
                             f"{MAX_FILE_BYTES:,})")
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # a file that grows while read: still bounded
        if len(raw) > MAX_FILE_BYTES:
            raise InputError(f"{path}: too large for a case file (limit {MAX_FILE_BYTES:,} "
                             "bytes)")
        data = tomllib.loads(raw.decode("utf-8"))
    except IsADirectoryError:
        raise InputError(f"cannot read {path}: it is a directory") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: not valid TOML here: nested too deeply") from None
    entries = data.get("case")
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{path}: no [[case]] tables")
    return [_case(entry, path, k) for k, entry in enumerate(entries, 1)]


def _case(entry: dict, path: Path, index: int) -> Case:
    where = f"{path}: case {entry.get('name', index)!s}"
    unknown = sorted(set(entry) - _CASE_KEYS)
    if unknown:
        raise InputError(f"{where}: unknown key {', '.join(unknown)}")
    for key in ("name", "expression", "point"):
        if key not in entry:
            raise InputError(f"{where}: missing key {key!r}")

    def numbers(key: str) -> tuple[float, ...] | None:
        value = entry.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            raise InputError(f"{where}: {key} must be a list of numbers")
        return tuple(float(v) for v in value)

    def strings(key: str) -> tuple[str, ...] | None:
        value = entry.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(f"{where}: {key} must be a list of strings")
        return tuple(value)

    def matrix(key: str):
        value = entry.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not value or not all(
                isinstance(row, list) and len(row) == len(value[0]) and all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) for v in row)
                for row in value):
            raise InputError(f"{where}: {key} must be a list of rows of numbers, all of one "
                             "length")
        return tuple(tuple(float(v) for v in row) for row in value)

    def number(key: str) -> float | None:
        value = entry.get(key)
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            raise InputError(f"{where}: {key} must be a number")
        return None if value is None else float(value)

    stated = [key for key in ("gradient", "jacobian", "hessian") if key in entry]
    if len(stated) > 1:
        raise InputError(f"{where}: state one of gradient, jacobian, hessian, not "
                         f"{' and '.join(stated)}")
    if not isinstance(entry["name"], str) or not isinstance(entry["expression"], str):
        raise InputError(f"{where}: name and expression must be strings")
    return Case(
        name=entry["name"], expression=entry["expression"], point=numbers("point") or (),
        vars=strings("vars"), value=number("value"), gradient=numbers("gradient"),
        jacobian=matrix("jacobian"), hessian=matrix("hessian"),
        given=strings("given"), source=str(entry.get("source", "")), rtol=number("rtol"),
        atol=number("atol"), methods=strings("methods"), file=str(path),
    )
