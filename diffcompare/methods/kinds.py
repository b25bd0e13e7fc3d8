"""The kinds of derivative, one entry each: what shape a kind has, which vector it takes,
which first partials each entry is made of, how it is composed from another kind where a
method has no route of its own, how the exact reference sweeps it, and what tables and
JSON call it. compare, the reference, check and render read this table; none of them
compares a kind's name to a string.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from diffcompare.errors import InputError


def _unit(size: int, i: int) -> np.ndarray:
    out = np.zeros(size)
    out[i] = 1.0
    return out


@dataclass(frozen=True)
class Kind:
    name: str  # stable: flags, JSON keys, the CLI's command
    symbol: str  # in table titles
    title: str  # in sentences: "the Hessian"
    shape: Callable[[int, int], tuple[int, ...]]  # (m, n) -> the value's shape
    entry_inputs: Callable[[int, int, int, Sequence | None], list[tuple[int, int]]]
    # the (output, input) first partials entry k is made of (its status follows theirs)
    entry_name: Callable[[int, Sequence[str], Sequence[str]], str]  # (k, outputs, inputs)
    check_label: Callable[[int, int, Sequence[str]], str]  # (k, m, inputs): "d/dx1"
    sweep: Callable  # (tape, x, v, m, n) -> (f, flat entries): the reference's route
    order: int = 1
    one_output: bool = False  # only for f with one output (m = 1)
    direction: str | None = None  # the vector it takes: "n" (v) or "m" (r), or None
    direction_name: str = ""  # "v" or "r"
    matrix: bool = False  # two-dimensional: one cell with a line per row in tables
    composed_from: str | None = None  # the kind a method without a route of its own uses
    compose: Callable | None = field(default=None, repr=False)  # (value, v) -> value
    # the entries of the composed-from kind that entry k is made of (its issues are theirs)
    base_entries: Callable[[int, int, int, Sequence | None], list[int]] = lambda k, m, n, d: [k]
    passes: dict[str, str] = field(default_factory=dict)  # per AD mode, in words
    partner: str | None = None  # the kind of the dot-product test with this one (J·v, Jᵀ·r)
    # sweeps of the whole tape the reference's route takes (a dual sweep counts three)
    reference_passes: Callable[[int, int], int] = lambda m, n: 2

    def direction_size(self, m: int, n: int) -> int:
        return n if self.direction == "n" else m

    def size(self, m: int, n: int) -> int:
        return int(np.prod(self.shape(m, n)))


def _partial_name(k: int, outputs: Sequence[str], inputs: Sequence[str]) -> str:
    return f"∂{outputs[k // len(inputs)]}/∂{inputs[k % len(inputs)]}"


def _rows(tape, x, m: int):
    """f and the Jacobian's rows, flat: one forward sweep, a reverse sweep per output."""
    linear = tape.linearize(x)
    return linear.f, [e for i in range(m) for e in linear.vjp(_unit(m, i))]


def _hessian_columns(tape, x, n: int):
    found = [tape.hvp(x, _unit(n, j)) for j in range(n)]
    f = [found[0][0]] if found else tape.value(x)
    columns = [column for _, column in found]
    return f, [columns[j][i] for i in range(n) for j in range(n)]


GRADIENT = Kind(
    "gradient", "∇f", "the gradient", lambda m, n: (n,),
    lambda k, m, n, d: [(0, k)],
    lambda k, outs, ins: f"∂f/∂{ins[k]}",
    lambda k, m, ins: f"d/d{ins[k]}",
    lambda tape, x, v, m, n: _rows(tape, x, 1),
    one_output=True, composed_from="jacobian", compose=lambda value, v: value[0],
    passes={"forward-ad": "n forward passes", "reverse-ad": "one forward, one reverse pass"})
JACOBIAN = Kind(
    "jacobian", "J", "the Jacobian", lambda m, n: (m, n),
    lambda k, m, n, d: [(k // n, k % n)],
    _partial_name,
    lambda k, m, ins: f"dy{k // len(ins) + 1}/d{ins[k % len(ins)]}",
    lambda tape, x, v, m, n: _rows(tape, x, m),
    matrix=True, reference_passes=lambda m, n: 1 + m,
    passes={"forward-ad": "n forward passes (a column each)",
            "reverse-ad": "one forward and m reverse passes (a row each)"})
JVP = Kind(
    "jvp", "J·v", "J·v", lambda m, n: (m,),
    lambda k, m, n, d: [(k, j) for j in range(n) if d[j] != 0],
    lambda k, outs, ins: f"(Jv)_{outs[k]}",
    lambda k, m, ins: f"(Jv)_{k + 1}",
    lambda tape, x, v, m, n: tape.jvp(x, v),
    direction="n", direction_name="v", composed_from="jacobian", partner="vjp",
    compose=lambda value, v: value @ v, reference_passes=lambda m, n: 3,
    base_entries=lambda k, m, n, v: [k * n + j for j in range(n) if v[j] != 0],
    passes={"forward-ad": "one forward pass seeded with v",
            "reverse-ad": "the whole Jacobian (m reverse passes), then J·v"})
VJP = Kind(
    "vjp", "Jᵀ·r", "Jᵀ·r", lambda m, n: (n,),
    lambda k, m, n, d: [(i, k) for i in range(m) if d[i] != 0],
    lambda k, outs, ins: f"(Jᵀr)_{ins[k]}",
    lambda k, m, ins: f"d/d{ins[k]}",
    lambda tape, x, r, m, n: tape.vjp(x, r),
    direction="m", direction_name="r", composed_from="jacobian", partner="jvp",
    compose=lambda value, r: r @ value,
    base_entries=lambda k, m, n, r: [i * n + k for i in range(m) if r[i] != 0],
    passes={"forward-ad": "the whole Jacobian (n forward passes), then Jᵀ·r",
            "reverse-ad": "one forward and one reverse pass seeded with r"})
HESSIAN = Kind(
    "hessian", "H", "the Hessian", lambda m, n: (n, n),
    lambda k, m, n, d: [(0, k // n), (0, k % n)],
    lambda k, outs, ins: f"∂²f/∂{ins[k // len(ins)]}∂{ins[k % len(ins)]}",
    lambda k, m, ins: f"d2f/d{ins[k // len(ins)]}d{ins[k % len(ins)]}",
    lambda tape, x, v, m, n: _hessian_columns(tape, x, n),
    order=2, one_output=True, matrix=True, reference_passes=lambda m, n: 6 * n,
    passes={"forward-ad": "n(n+1)/2 passes of nested duals (forward-over-forward)",
            "reverse-ad": "n dual forward and n dual reverse passes (forward-over-reverse)"})
HVP = Kind(
    "hvp", "H·v", "H·v", lambda m, n: (n,),
    lambda k, m, n, d: [(0, k)] + [(0, j) for j in range(n) if d[j] != 0],
    lambda k, outs, ins: f"(Hv)_{ins[k]}",
    lambda k, m, ins: f"(Hv)_{ins[k]}",
    lambda tape, x, v, m, n: (lambda found: ([found[0]], found[1]))(tape.hvp(x, v)),
    order=2, one_output=True, direction="n", direction_name="v", composed_from="hessian",
    compose=lambda value, v: value @ v, reference_passes=lambda m, n: 6,
    base_entries=lambda k, m, n, v: [k * n + j for j in range(n) if v[j] != 0],
    passes={"forward-ad": "n passes of nested duals",
            "reverse-ad": "one dual forward and one dual reverse pass"})

KINDS: dict[str, Kind] = {k.name: k for k in (GRADIENT, JACOBIAN, JVP, VJP, HESSIAN, HVP)}
KIND_NAMES: tuple[str, ...] = tuple(KINDS)


def kind_of(name) -> Kind:
    """The kind by name (or a Kind itself), or an InputError naming the choices."""
    if isinstance(name, Kind):
        return name
    if name not in KINDS:
        raise InputError(f"unknown kind {name!r}; choose from {', '.join(KINDS)}")
    return KINDS[name]


def output_names(m: int) -> list[str]:
    return ["f"] if m == 1 else [f"y{i + 1}" for i in range(m)]


def check_direction(problem, kind: str | Kind, direction) -> tuple[float, ...] | None:
    """The kind's vector (v with n entries, or r with m), checked: None for a kind that
    takes none, else an InputError for a wrong length or a value that is not finite."""
    kind = kind_of(kind)
    if kind.direction is None:
        return None
    size = kind.direction_size(problem.m, problem.n)
    if direction is None or len(direction) != size:
        what = "a direction v with n" if kind.direction == "n" else "a cotangent r with m"
        raise InputError(f"{kind.name} needs {what} = {size} entries"
                         + ("" if direction is None else f", got {len(direction)}"))
    values = tuple(float(v) for v in direction)
    if not all(math.isfinite(v) for v in values):
        raise InputError(f"the {kind.name} vector must be finite")
    return values
