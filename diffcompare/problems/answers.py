"""A class's answers for ``grade --batch``: a CSV with a header (``answer``, and any of
``student``, ``for``, ``wrt``) or TOML ``[[answer]]`` tables with the same keys. A row
without ``for`` or ``wrt`` takes the command line's."""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass
from pathlib import Path

from diffcompare.errors import InputError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ANSWERS = 10_000
KEYS = ("student", "answer", "for", "wrt")


@dataclass(frozen=True)
class Submitted:
    student: str  # as the file names them (else "row N")
    answer: str
    function: str | None  # the function it is the derivative of (None: --for's)
    wrt: str | None
    where: str  # file:line, for messages


def read_answers(path: str) -> list[Submitted]:
    from diffcompare.runtime.limits import read_bounded

    file = Path(path)
    raw = read_bounded(file, "an answers file", MAX_FILE_BYTES)
    try:
        text = raw.decode("utf-8-sig")  # a spreadsheet's CSV may start with a BOM
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    rows = _toml(text, path) if file.suffix.lower() == ".toml" else _csv(text, path)
    if not rows:
        raise InputError(f"{path}: no answers in it")
    if len(rows) > MAX_ANSWERS:
        raise InputError(f"{path}: {len(rows):,} answers; a batch takes at most "
                         f"{MAX_ANSWERS:,}")
    return rows


def _csv(text: str, path: str) -> list[Submitted]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "answer" not in header:
        raise InputError(f"{path}: the first line must name the columns, one of them "
                         f"'answer' (and any of student, for, wrt); found {header or 'none'}")
    unknown = [h for h in header if h not in KEYS]
    if unknown:
        raise InputError(f"{path}: unknown column {unknown[0]!r}; columns: {', '.join(KEYS)}")
    found = []
    for row in reader:
        values = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if not any(values.values()):
            continue  # a blank line
        line = reader.line_num
        found.append(_submitted(values, f"{path}:{line}", len(found) + 1))
    return found


def _toml(text: str, path: str) -> list[Submitted]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    entries = data.get("answer")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InputError(f"{path}: write each answer as an [[answer]] table with the keys "
                         f"{', '.join(KEYS)}")
    found = []
    for k, entry in enumerate(entries, 1):
        unknown = sorted(set(entry) - set(KEYS))
        if unknown:
            raise InputError(f"{path}: answer {k}: unknown key {unknown[0]!r}")
        if not all(isinstance(v, str) for v in entry.values()):
            raise InputError(f"{path}: answer {k}: every value is a string")
        found.append(_submitted(entry, f"{path}: answer {k}", k))
    return found


def _submitted(values: dict, where: str, number: int) -> Submitted:
    return Submitted(values.get("student") or f"row {number}", values.get("answer", ""),
                     values.get("for") or None, values.get("wrt") or None, where)
