"""Named example cases, read from TOML files in the ``[[case]]`` format.

The same format serves ``grad --sample`` and ``check``: an expression, a point, and any of an
expected value, an expected gradient, and a ``given`` hand-derived gradient to verify.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from diffcompare.errors import InputError

# A case of this kind is a study of its own (studies/taylor.py): derivatives f′ … f⁽ᴷ⁾ of
# one function, not one of compare()'s kinds (methods/kinds.py).
TAYLOR_KIND = "taylor"
# A case of this kind grades a student's answer (studies/grade.py): is ``answer`` d/d``wrt``
# of the expression, and when it is wrong, is it the expected mal-rule's?
GRADE_KIND = "grade"
STUDY_KINDS = (TAYLOR_KIND, GRADE_KIND)  # kinds that are a study, not compare()'s

_CASE_KEYS = {"name", "expression", "file", "point", "vars", "value", "gradient", "jacobian",
              "hessian", "hvp", "taylor", "direction", "given", "source", "rtol", "atol",
              "methods",
              "answer", "wrt", "correct", "rule"}


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
    hvp: tuple[float, ...] | None = None  # H·v, v the direction
    taylor: tuple[float, ...] | None = None  # f′ … f⁽ᴷ⁾ along ``direction`` (1 for one input)
    direction: tuple[float, ...] | None = None  # v of an hvp case; a taylor case's direction
    given: tuple[str, ...] | None = None
    source: str = ""
    rtol: float | None = None
    atol: float | None = None
    methods: tuple[str, ...] | None = None
    file: str = ""
    program: str = ""  # a Python file (FILE.py[:NAME]) instead of an expression
    inputs: dict | None = None  # a program's point by input name (else the file's POINT)
    given_code: str = ""  # a gradient function: FILE.py:NAME, or NAME in the program's file
    answer: str | None = None  # a student's derivative to grade (GRADE_KIND)
    wrt: str | None = None  # the variable it is the derivative by
    correct: bool = True  # the expected verdict
    rule: str | None = None  # the mal-rule a wrong answer is expected to be diagnosed as

    def problem(self, budget: float | None = None):
        """Its problem, through the one way in."""
        from diffcompare.problems.load import load_problem

        if self.program:
            return load_problem(self.program, self.inputs, budget=budget)
        return load_problem(self.expression, self.point, self.vars)

    @property
    def given_spec(self):
        """The case's own derivative: gradient code (FILE.py:NAME or NAME), the partials as
        formulas, or None."""
        return self.given_code or self.given or None

    @property
    def kind(self) -> str:
        """The kind of derivative the case checks: what it states, else the gradient."""
        return "jacobian" if self.jacobian is not None else \
            "hessian" if self.hessian is not None else \
            "hvp" if self.hvp is not None else \
            TAYLOR_KIND if self.taylor is not None else \
            GRADE_KIND if self.answer is not None else "gradient"

    @property
    def expected(self) -> tuple[float, ...] | None:
        """The stated derivative, flat in C order."""
        matrix = self.jacobian if self.jacobian is not None else self.hessian
        if matrix is not None:
            return tuple(v for row in matrix for v in row)
        for stated in (self.hvp, self.taylor):
            if stated is not None:
                return stated
        return self.gradient


def samples_dir() -> Path:
    """sample_functions/: inside the installed package, or beside it in a checkout."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "sample_functions", package.parent / "sample_functions"):
        if candidate.is_dir():
            return candidate
    raise InputError("no sample_functions directory found")


def sample_files() -> list[Path]:
    return sorted(samples_dir().glob("*.toml"))


def program_case(path: Path) -> Case:
    """A Python file as a case of its own: its POINT, and EXPECTED's f and gradient."""
    from diffcompare.problems.usercode import load

    program = load(str(path))
    expected = program.expected
    gradient = expected.get("gradient")
    value = expected.get("f")
    _refuse_what_cannot_fail({"value": None if value is None else float(value),
                              "gradient": None if gradient is None
                              else [float(v) for v in gradient]}, f"{path}: EXPECTED")
    return Case(name=path.stem, expression="", point=(), value=None if value is None
                else float(value), gradient=None if gradient is None
                else tuple(float(v) for v in gradient), file=str(path), program=str(path),
                source=(program.function.__doc__ or "").strip().split("\n")[0])


def load_cases(paths: Iterable[str | Path] | None = None) -> list[Case]:
    """Every case of the given TOML files (the bundled samples when none are given)."""
    files = [Path(p) for p in paths] if paths else sample_files()
    cases: list[Case] = []
    for path in files:
        cases.extend([program_case(path)] if path.suffix == ".py" else _read(path))
    names = [c.name for c in cases]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"case names must be unique; repeated: {', '.join(repeated)}")
    return cases


def formula_cases() -> list[Case]:
    """The bundled cases whose function is a formula (not a program), of the kinds compare()
    takes (a taylor case is a study of its own: studies/taylor.py)."""
    return [case for case in load_cases() if not case.program and case.kind not in STUDY_KINDS]


def find_case(name: str) -> Case:
    cases = {c.name: c for c in load_cases()}
    if name not in cases:
        raise InputError(f"no sample named {name!r}; samples: {', '.join(cases)}")
    return cases[name]


MAX_FILE_BYTES = 10 * 1024 * 1024  # a case file larger than this is refused unread


def _read(path: Path) -> list[Case]:
    from diffcompare.runtime.limits import read_bounded

    raw = read_bounded(path, "a case file", MAX_FILE_BYTES)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: not valid TOML here: nested too deeply") from None
    entries = data.get("case")
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{path}: no [[case]] tables")
    for k, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise InputError(f"{path}: case {k} is not a table: write each case as "
                             "[[case]] with its keys below")
    return [_case(entry, path, k) for k, entry in enumerate(entries, 1)]


def _case(entry: dict, path: Path, index: int) -> Case:
    where = f"{path}: case {entry.get('name', index)!s}"
    unknown = sorted(set(entry) - _CASE_KEYS)
    if unknown:
        raise InputError(f"{where}: unknown key {', '.join(unknown)}")
    if "name" not in entry:
        raise InputError(f"{where}: missing key 'name'")
    if ("expression" in entry) == ("file" in entry):
        raise InputError(f"{where}: give an expression or a file (a Python program), one")
    grading = "answer" in entry
    if "expression" in entry and "point" not in entry and not grading:
        raise InputError(f"{where}: missing key 'point'")
    if grading:
        _check_grading(entry, where)
    elif {"wrt", "correct", "rule"} & set(entry):
        raise InputError(f"{where}: wrt, correct and rule belong to a graded answer: give "
                         "the answer too")

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

    stated = [key for key in ("gradient", "jacobian", "hessian", "hvp", "taylor")
              if key in entry]
    if len(stated) > 1:
        raise InputError(f"{where}: state one of gradient, jacobian, hessian, hvp, taylor, "
                         f"not {' and '.join(stated)}")
    if entry.get("hvp") is not None and entry.get("direction") is None:
        raise InputError(f"{where}: an hvp case needs its direction v: direction = [...]")
    if not isinstance(entry["name"], str) or not isinstance(entry.get("expression", ""), str) \
            or not isinstance(entry.get("file", ""), str):
        raise InputError(f"{where}: name, expression and file must be strings")
    program, inputs, given_code = "", None, ""
    if "file" in entry:
        program = str(path.parent / entry["file"])  # relative to the case file
        point = entry.get("point")
        if point is not None and not isinstance(point, dict):
            raise InputError(f"{where}: a program's point is a table: point = {{ x = 2.0 }}")
        inputs = point
        if isinstance(entry.get("given"), str):
            given = entry.pop("given").strip()
            given_code = str(path.parent / given) if ".py" in given else given
    _refuse_what_cannot_fail(entry, where)
    return Case(
        name=entry["name"], expression=entry.get("expression", ""),
        point=() if program else numbers("point") or (),
        vars=strings("vars"), value=number("value"), gradient=numbers("gradient"),
        jacobian=matrix("jacobian"), hessian=matrix("hessian"), hvp=numbers("hvp"),
        taylor=numbers("taylor"),
        direction=numbers("direction"), given=strings("given"),
        source=str(entry.get("source", "")), rtol=number("rtol"),
        atol=number("atol"), methods=strings("methods"), file=str(path), program=program,
        inputs=inputs, given_code=given_code, answer=entry.get("answer"),
        wrt=entry.get("wrt"), correct=entry.get("correct", True), rule=entry.get("rule"),
    )


def _check_grading(entry: dict, where: str) -> None:
    from diffcompare.malrules import MALRULES

    if "expression" not in entry:
        raise InputError(f"{where}: a graded answer needs the expression it differentiates")
    for key in ("answer", "wrt", "rule"):
        if key in entry and not isinstance(entry[key], str):
            raise InputError(f"{where}: {key} must be a string")
    if not isinstance(entry.get("correct", True), bool):
        raise InputError(f"{where}: correct must be true or false")
    rule = entry.get("rule")
    if rule is not None:
        names = [r.name for r in MALRULES]
        if entry.get("correct", True):
            raise InputError(f"{where}: a rule is what a wrong answer is diagnosed as: "
                             "say correct = false")
        if rule not in names:
            raise InputError(f"{where}: no mal-rule {rule!r}; the rules: {', '.join(names)}")


def _refuse_what_cannot_fail(entry: dict, where: str) -> None:
    """A check must be able to fail and to pass: every expected number finite (a NaN equals
    nothing and compares as never wrong), tolerances finite and >= 0 and not both zero (only a
    bit-identical result would pass), and at least one method."""
    for key in ("value", "gradient", "jacobian", "hessian", "hvp", "taylor", "direction"):
        value = entry.get(key)
        flat = value if isinstance(value, list) else [value]
        flat = [v for row in flat for v in (row if isinstance(row, list) else [row])]
        if any(isinstance(v, float) and not math.isfinite(v) for v in flat):
            raise InputError(f"{where}: {key}: an expected value must be a finite number "
                             "(NaN and infinity cannot be compared against)")
    for key in ("rtol", "atol"):
        value = entry.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and \
                not (math.isfinite(value) and value >= 0):
            raise InputError(f"{where}: {key} must be a finite number >= 0, not {value}")
    if entry.get("rtol") == 0 and entry.get("atol", 0) == 0:
        raise InputError(f"{where}: rtol = 0 without an atol passes only a bit-identical "
                         "result; give a tolerance from the method's error")
    if "methods" in entry and entry["methods"] == []:
        raise InputError(f"{where}: methods is empty: name at least one method, or leave the "
                         "key out for all of them")
