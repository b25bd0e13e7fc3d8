"""A differentiation problem: one expression, its variables in order, and a point."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from diffcompare.errors import InputError
from diffcompare.expr import Expr, natural_key, to_text, variables
from diffcompare.parse import parse, parse_number


@dataclass(frozen=True)
class Problem:
    """Differentiate ``expr`` with respect to ``variables`` at ``point`` (float64 values)."""

    expr: Expr
    variables: tuple[str, ...]
    point: tuple[float, ...]
    text: str = ""

    @property
    def n(self) -> int:
        return len(self.variables)

    @classmethod
    def from_text(
        cls,
        text: str,
        at: str | Sequence[float] | Mapping[str, float],
        variables: str | Sequence[str] | None = None,
    ) -> Problem:
        """Parse ``text`` and read the point: ``"2,3,4"``, ``"x1=2,x2=3"``, a list or a dict."""
        expr = parse(text)
        names = order_variables(expr, variables)
        return cls(expr, names, read_point(at, names), text)

    def describe(self) -> str:
        return self.text or to_text(self.expr)


def order_variables(expr: Expr, given: str | Sequence[str] | None) -> tuple[str, ...]:
    """The variable order: natural sort by default, or the user's ``--vars`` list, which must
    name every variable of the expression (it may add more, whose partials are then 0)."""
    found = variables(expr)
    if given is None:
        if not found:
            raise InputError("the expression has no variables: nothing to differentiate "
                             "(name one with --vars to get a zero gradient)")
        return tuple(found)
    names = [v.strip() for v in given.split(",")] if isinstance(given, str) else list(given)
    if any(not name for name in names):
        raise InputError("--vars has an empty name")
    duplicates = sorted({n for n in names if names.count(n) > 1}, key=natural_key)
    if duplicates:
        raise InputError(f"--vars names {', '.join(duplicates)} more than once")
    missing = [v for v in found if v not in names]
    if missing:
        raise InputError(f"--vars does not name {', '.join(missing)}, "
                         f"which the expression uses (it uses {', '.join(found)})")
    for name in names:
        if not name.isidentifier() or not name.isascii():
            raise InputError(f"--vars: {name!r} is not a variable name")
    return tuple(names)


def read_point(at, names: Sequence[str]) -> tuple[float, ...]:
    """Coordinates in the order of ``names``, from text, a sequence or a mapping."""
    if isinstance(at, str):
        pieces = [p.strip() for p in at.split(",")]
        if all("=" in p for p in pieces):
            at = dict(_assignment(p) for p in pieces)
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
        raise InputError(f"coordinate {value!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InputError(f"coordinate {value!r} is not finite")
    return number
