"""Translation between our expression tree and sympy, both ways, without recursion.

to_sympy gives every method the same function (decision 1 of DESIGN.md); from_sympy brings
sympy's derivative back so it is evaluated in float64 exactly as sympy wrote it. sympy is
imported here only, and only when called.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from diffcompare import ops
from diffcompare.errors import MethodError
from diffcompare.expr import Call, Const, Expr, Var, postorder


def imported():
    """sympy, with the modules its arithmetic imports on first use, imported once where a
    command then forks workers: each worker inherits them, where otherwise the worker and
    the parent (the reference's own sympy) each import them again. The first Add imports
    sympy.tensor.tensor and with it sympy.combinatorics (about 20 ms), diff's equality
    tests sympy.assumptions.wrapper, log and exp sympy.sets.setexpr. grad on the seed:
    0.61 -> 0.50 s wall (2026-12-08, paired with the old code)."""
    import sympy
    import sympy.assumptions.wrapper  # noqa: F401
    import sympy.sets.setexpr  # noqa: F401
    import sympy.tensor.tensor  # noqa: F401

    return sympy


def symbols_for(names: Sequence[str]) -> dict:
    import sympy

    return {name: sympy.Symbol(name, real=True) for name in names}


def rational(x):
    """A float or Fraction as the exact sympy rational it is (floats are dyadic rationals)."""
    import sympy

    p, q = Fraction(x).as_integer_ratio()
    return sympy.Rational(p, q)


def exact_point(variables, point, symbols: dict) -> dict:
    """{symbol: exact rational} for substituting a float point without rounding."""
    return {symbols[name]: rational(x) for name, x in zip(variables, point)}


def to_sympy(expr: Expr, symbols: dict):
    import sympy

    done: dict[int, object] = {}
    for node in postorder(expr):
        if isinstance(node, Const):
            done[id(node)] = sympy.Rational(node.value.numerator, node.value.denominator)
        elif isinstance(node, Var):
            done[id(node)] = symbols[node.name]
        else:
            done[id(node)] = node.op.sympy(sympy, *(done[id(a)] for a in node.args))
    return done[id(expr)]


def from_sympy(sexpr) -> Expr:
    """Our tree for a sympy expression, written as sympy's printers write code:
    a product with negative powers becomes a quotient, x**(1/2) becomes sqrt(x)."""
    import sympy

    done: dict = {}
    stack = [(sexpr, False)]
    while stack:
        node, expanded = stack.pop()
        if node in done:
            continue
        if not expanded and node.args and not node.is_Rational:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a not in done)
            continue
        done[node] = _translate(sympy, node, done)
    return done[sexpr]


def _translate(sympy, node, done: dict) -> Expr:
    if node.is_Rational:
        return _rational(node)
    if node.is_Float:
        return Const(Fraction(float(node)))
    if node.is_Symbol:
        return Var(node.name)
    if node is sympy.pi:
        return Call(ops.PI)
    if node is sympy.E:
        return Call(ops.E)
    args = [done[a] for a in node.args]
    if node.is_Add:
        return _sum(args)
    if node.is_Mul:
        # A leading coefficient as a student writes it: -x*y (not -1*x*y), x/2 (not 0.5*x)
        coefficient = node.args[0] if node.args[0].is_Rational else None
        factors = list(zip(node.args, args))[1 if coefficient is not None else 0:]
        numerator, denominator = [], []
        if coefficient is not None:
            if abs(coefficient.p) != 1:
                numerator.append(Const(abs(coefficient.p)))
            if coefficient.q != 1:
                denominator.append(Const(coefficient.q))
        for factor, arg in factors:
            if _negative_power(factor):
                denominator.append(_power(done[factor.base], -factor.exp))
            else:
                numerator.append(arg)
        numerator = numerator or [Const(1)]
        if coefficient is not None and coefficient < 0:  # the sign on the first factor
            first = numerator[0]
            numerator[0] = Const(-first.value) if isinstance(first, Const) else \
                Call(ops.NEG, (first,))
        top = _chain(ops.MUL, numerator)
        return Call(ops.DIV, (top, _chain(ops.MUL, denominator))) if denominator else top
    if node.is_Pow:
        if _negative_power(node):
            return Call(ops.DIV, (Const(1), _power(args[0], -node.exp)))
        if node.exp.is_Rational:
            return _power(args[0], node.exp)
        return Call(ops.POW, tuple(args))
    name = type(node).__name__
    if name in ops.BY_SYMPY_NAME and len(args) == 1:
        return Call(ops.BY_SYMPY_NAME[name], tuple(args))
    raise MethodError(f"sympy produced {name}, which diffcompare cannot evaluate")


def _rational(number) -> Const:
    return Const(Fraction(int(number.p), int(number.q)))


def _negative_power(node) -> bool:
    return bool(node.is_Pow and node.exp.is_Rational and node.exp < 0)


def _power(base: Expr, exponent) -> Expr:
    """base**exponent for a positive rational exponent; x**(1/2) is sqrt(x), as sympy prints."""
    if exponent == 1:
        return base
    if exponent.p == 1 and exponent.q == 2:
        return Call(ops.SQRT, (base,))
    return Call(ops.POW, (base, _rational(exponent)))


def _sum(terms: list[Expr]) -> Expr:
    """Terms added, a negated one subtracted (x - y, not x + -y), a positive one first."""
    positive = [t for t in terms if _without_sign(t) is None]
    ordered = positive[:1] + [t for t in terms if t is not (positive[:1] or [None])[0]]
    result = ordered[0]
    for term in ordered[1:]:
        magnitude = _without_sign(term)
        result = Call(ops.ADD, (result, term)) if magnitude is None else \
            Call(ops.SUB, (result, magnitude))
    return result


def _without_sign(term: Expr) -> Expr | None:
    """The term without its leading minus (-t, -7*t, -t/u, (-t)*u), or None."""
    if isinstance(term, Const):
        return Const(-term.value) if term.value < 0 else None
    if isinstance(term, Call) and term.op is ops.NEG:
        return term.args[0]
    if isinstance(term, Call) and term.op in (ops.MUL, ops.DIV):
        first = _without_sign(term.args[0])
        return None if first is None else Call(term.op, (first, term.args[1]))
    return None


def _chain(op: ops.Op, args: list[Expr]) -> Expr:
    result = args[0]
    for arg in args[1:]:
        result = Call(op, (result, arg))
    return result
