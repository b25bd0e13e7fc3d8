"""Expression trees as LaTeX, iteratively (deep trees are fine). Functions and constants
bring their own form from ops.py; the operators' layout (fractions, powers) is here."""

from __future__ import annotations

from diffcompare import ops
from diffcompare.expr import ATOM, Call, Const, Expr, Var, postorder


def to_latex(root: Expr) -> str:
    done: dict[int, tuple[str, int]] = {}
    for node in postorder(root):
        done[id(node)] = _latex(node, [done[id(c)] for c in node.children])
    return done[id(root)][0]


def variable(name: str) -> str:
    """x1 -> x_{1}, theta -> \\theta-like names stay plain, v-1 -> v_{-1}."""
    head = name.rstrip("0123456789")
    if name.startswith("v") and name[1:].lstrip("-").isdigit():
        return f"v_{{{name[1:]}}}"
    if head != name and head:
        return f"{head}_{{{name[len(head):]}}}"
    return name if len(name) == 1 else rf"\mathrm{{{name}}}"


def _wrap(text: str, precedence: int, needed: int) -> str:
    return text if precedence >= needed else rf"\left({text}\right)"


def _latex(node: Expr, args: list[tuple[str, int]]) -> tuple[str, int]:
    if isinstance(node, Const):
        v = node.value
        if v.denominator == 1:
            return str(v.numerator), ops.NEG.precedence if v < 0 else ATOM
        return rf"\frac{{{abs(v.numerator)}}}{{{v.denominator}}}", ops.NEG.precedence \
            if v < 0 else ops.DIV.precedence
    if isinstance(node, Var):
        return variable(node.name), ATOM
    assert isinstance(node, Call)
    op = node.op
    if op.latex is not None:  # functions and constants: their form is in the ops table
        return op.latex.replace("@", args[0][0] if args else ""), ATOM
    p = op.precedence
    if op is ops.NEG:
        return f"-{_wrap(args[0][0], args[0][1], p)}", p
    (a, ap), (b, bp) = args
    if op is ops.DIV:
        return rf"\frac{{{a}}}{{{b}}}", ATOM
    if op is ops.POW:
        return f"{{{_wrap(a, ap, p + 1)}}}^{{{b}}}", p
    if op is ops.MUL:
        return rf"{_wrap(a, ap, p)} \cdot {_wrap(b, bp, p)}", p
    return f"{_wrap(a, ap, p)} {op.symbol} {_wrap(b, bp, p + 1)}", p
