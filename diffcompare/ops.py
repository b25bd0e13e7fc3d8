"""The one table of elementary operations.

Every operation is declared once, with everything each method needs to know about it:
its numeric implementations (real floats with IEEE results instead of exceptions, complex
numbers for complex-step, numpy arrays for vectorized stencils), its local partial
derivatives, its sympy counterpart, its domain, where it is not differentiable, and the
textbook name of its rule.

The partials are written once with the generic functions at the bottom of this module
(``add``, ``mul``, ``cos``, ``power``...). Those dispatch on their arguments: on ``Expr``
nodes they build a derivative tree (the manual rules), on floats, complex numbers or arrays
they compute (forward-ad, reverse-ad). One partial per argument, so a method asks only for
the partials of arguments that depend on a variable: a constant exponent never evaluates
``log(base)``, which is how ``(-2)**3`` stays differentiable in its base.
"""

from __future__ import annotations

import cmath
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Number = Any  # float, complex, numpy array, Expr or Dual: whatever the generic functions accept


@dataclass(frozen=True, eq=False)
class Op:
    """One elementary operation. Compared by identity: each exists once, in this table."""

    name: str
    arity: int
    real: Callable[..., float]
    complex: Callable[..., complex]
    array: Callable[..., np.ndarray]
    ball: Callable[..., Any]  # Arb balls (engine/balls.py): the exact reference's numbers
    sympy: Callable[..., Any]  # (sympy module, *args) -> sympy expression
    partials: tuple[Callable[..., Number], ...]  # d op / d arg_i, one per argument
    rule: str  # the textbook rule, as a student would cite it
    rules: dict[tuple[bool, ...], str] = field(default_factory=dict)  # by which args vary
    symbol: str | None = None  # infix or prefix operator symbol
    precedence: int = 9  # for printing: + - 1, * / 2, unary - 3, ** 4, atoms 9
    domain: Callable[..., bool] | None = None  # real args -> is the op defined there?
    domain_text: str = ""
    smooth: Callable[..., bool] | None = None  # real args -> is it differentiable there?
    smooth_text: str = ""
    kinks: tuple[float, ...] = ()  # values of the first argument where it is not smooth
    sympy_name: str | None = None  # sympy function class name, for translating back
    aliases: tuple[str, ...] = ()
    # How it is typeset: LaTeX and MathML templates, "@1", "@2" standing for the arguments
    # ("@" for a function's one), and per argument the precedence that argument needs around
    # it (None: never bracketed, as a fraction's parts or an exponent).
    latex: str | None = None
    mathml: str | None = None
    brackets: tuple[int | None, ...] = ()
    # For the rule steps of `derive`: a sum or difference names its constant terms' zero (the
    # constant rule), and a power, like every function, is where the chain rule joins in.
    names_constant_terms: bool = False
    chains: bool = False
    # Argument positions where an exact zero makes the result zero when a *derivative* is
    # evaluated (u*0, 0/v): the chain rule's structural zeros, so that 0·∞ at a removable
    # point (d/dx sqrt(x**4) at 0) is 0 in every method, as reverse mode's skipped zero
    # adjoints already make it. f itself is never evaluated this way.
    zero_absorbing: tuple[int, ...] = ()
    # Exact arithmetic on rational constants, for folding a constant sub-expression of a
    # derivative (Fractions in, a Fraction or None out when the result is not rational or
    # not worth writing); None for an operation whose result is irrational (sin, exp, ...).
    exact: Callable[..., Any] | None = None
    # A quantity of the arguments that changes sign at each point where the operation is
    # singular (a pole, a domain edge, a kink): a stencil whose points see it with two signs
    # has crossed one. Arrays in, arrays out (a whole stencil at once).
    singular: Callable[..., Any] | None = None
    # The exact rounding error of the operation on floats, where an error-free
    # transformation gives it (Knuth's TwoSum for + and -, Dekker's product for *): 0 where
    # the result is exact (x - y for y/2 <= x <= 2y, by Sterbenz's lemma; 2*x). None: at
    # most u·|result| is all that is known. For running error analysis (engine/scalar.py).
    rounding: Callable[..., float] | None = None
    # (i, the scalar constants among the arguments, None where not one) -> whether an inf or
    # a nan in argument i always gives a result that is not finite (inf - x, 0·inf = nan,
    # sin(inf) = nan; not exp(-inf) = 0, x/inf = 0, tanh(inf) = 1). None: never. So a point
    # with such an entry shows in f wherever every entry reaches f this way (engine/finite.py).
    keeps_nonfinite: Callable[[int, tuple], bool] | None = None

    def __repr__(self) -> str:
        return f"Op({self.name})"

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython/hypothesis: not field by field
        printer.text(repr(self))

    def evaluate(self, *args: Number) -> Number:
        """Compute the operation on plain numbers or arrays, choosing the implementation."""
        for a in args:
            if type(a) is not float:
                break
        else:  # the common case, kept fast: every argument a plain float
            return self.real(*args)
        for a in args:
            if isinstance(a, np.ndarray):
                if any(isinstance(b, np.ndarray) and b.dtype == object for b in args):
                    return _elementwise(self, args)  # arrays of Expr nodes or balls
                return self.array(*args)
        for a in args:
            if is_ball_type(type(a)):
                return self.ball(*args)
        for a in args:
            if isinstance(a, complex):
                return self.complex(*args)
        return self.real(*args)

    def rule_for(self, varying: tuple[bool, ...]) -> str:
        """The rule's name given which arguments depend on the variable."""
        return self.rules.get(varying, self.rule)

    @property
    def is_constant(self) -> bool:
        return self.arity == 0

    @property
    def is_function(self) -> bool:
        return self.symbol is None and self.arity > 0

    @property
    def applies_chain_rule(self) -> bool:
        """Whether an argument that is a function of the variable brings in the chain rule."""
        return self.is_function or self.chains


# --- numeric helpers ---------------------------------------------------------------------

def _two_sum_error(a: float, b: float) -> float:
    """(a + b) - fl(a + b), exactly (Knuth 1969): nan where a sum overflows."""
    total = a + b
    later = total - a
    return (a - (total - later)) + (b - later)


_SPLIT = 134217729.0  # 2**27 + 1: Veltkamp's splitter for 53-bit significands


def _two_product_error(a: float, b: float) -> float:
    """a·b - fl(a·b), exactly (Dekker 1971), while neither factor's split overflows and no
    partial product underflows; nan where they might (the bound then is u·|a·b|)."""
    if not (abs(a) < 1e290 and abs(b) < 1e290 and (a == 0 or b == 0 or
                                                     abs(a * b) > 1e-290)):
        return math.nan
    product = a * b
    a_high = _SPLIT * a - (_SPLIT * a - a)
    b_high = _SPLIT * b - (_SPLIT * b - b)
    a_low, b_low = a - a_high, b - b_high
    return ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low


def _ieee(math_fn: Callable[..., float], numpy_fn: Callable[..., Any]) -> Callable[..., float]:
    """math's speed, with IEEE nan/inf (numpy's answer) where math would raise."""

    def real(*args: float) -> float:
        try:
            return math_fn(*args)
        except (ValueError, OverflowError, ZeroDivisionError):
            with np.errstate(all="ignore"):
                return float(numpy_fn(*(np.float64(a) for a in args)))

    real.__name__ = getattr(math_fn, "__name__", "real")
    return real


_COMPLEX_NAN = complex(math.nan, math.nan)


def _guarded(fn: Callable[..., complex]) -> Callable[..., complex]:
    """cmath raises where the real result would be nan or inf; give nan instead."""

    def cplx(*args: complex) -> complex:
        try:
            return fn(*args)
        except (ValueError, OverflowError, ZeroDivisionError):
            return _COMPLEX_NAN

    return cplx


def _complex_abs(u: complex) -> complex:
    # |x| is analytic on each side of 0 (it is x or -x there); complex-step needs that
    # continuation, not the modulus, which would lose the imaginary perturbation.
    return u if u.real >= 0 else -u


def _complex_sign(u: complex) -> complex:
    return complex(np.sign(u.real))


def _array_abs(u: np.ndarray) -> np.ndarray:
    """abs on arrays; on complex arrays (a vectorized complex step) the analytic continuation."""
    return np.where(u.real >= 0, u, -u) if np.iscomplexobj(u) else np.abs(u)


def _array_sign(u: np.ndarray) -> np.ndarray:
    return np.sign(u.real) if np.iscomplexobj(u) else np.sign(u)


def _elementwise(op: Op, args: tuple) -> np.ndarray:
    """``op`` entry by entry over object arrays (of Expr nodes or balls), each
    entry through ``apply``, with numpy's broadcasting. Where every entry of every object
    array is a ball and no other argument brings a type of its own, each entry goes
    straight to the ball implementation, which is what ``apply`` would choose for it, at a
    fifth of the cost (the exact reference of a program of 10^5 entries sweeps 2·10^6)."""
    if all(_ball_entries_or_plain(a) for a in args):
        return np.frompyfunc(op.ball, op.arity, 1)(*args)
    return np.frompyfunc(lambda *entries: apply(op, *entries), op.arity, 1)(*args)


def _ball_entries_or_plain(value) -> bool:
    """An object array whose entries are all balls, or a plain number or array of them."""
    if isinstance(value, np.ndarray):
        if value.dtype != object:
            return value.dtype.kind in "biuf"
        return all(map(is_ball_type, set(map(type, value.flat))))
    kind = type(value)
    return kind is float or kind is int or isinstance(value, np.floating) or \
        is_ball_type(kind)


def is_ball_type(kind: type) -> bool:
    """Is ``kind`` a ball's type (python-flint's arb, acb, ...)? The one test of it."""
    return kind.__module__.startswith("flint")


def _ball_method(name: str) -> Callable[..., Any]:
    """A ball's own method by name (Arb's sin, exp, ...): nan or an infinite ball where the
    ball meets a pole or leaves the domain."""

    def ball(u):
        return getattr(u, name)()

    return ball


def _ball_pow(u, v):
    """u**v on balls: an exact integer exponent keeps a negative base (-2**3 = -8)."""
    return u ** v


def _ball_arb():
    import flint

    return flint.arb


def _is_integer(v: float) -> bool:
    return math.isfinite(v) and float(v).is_integer()


def _pow_domain(u: float, v: float) -> bool:
    return u > 0 or _is_integer(v) or (u == 0 and v > 0)


def _pow_singular(u, v):
    """u**v is singular at u = 0 unless v is a whole number >= 0: then its sign says nothing
    (1 everywhere); otherwise the base's."""
    v = np.real(v)
    whole = np.isfinite(v) & (v == np.round(v)) & (v >= 0)
    return np.where(whole, 1.0, np.real(u))


def _pow_smooth(u: float, v: float) -> bool:
    return u > 0 or (_is_integer(v) and (u != 0 or v >= 1 or v == 0))


# --- the table ---------------------------------------------------------------------------

def _always(i: int, constants: tuple) -> bool:
    """keeps_nonfinite of an operation that keeps inf and nan in every argument."""
    return True


ADD = Op(
    "add", 2, operator.add, operator.add, np.add, operator.add,
    sympy=lambda sp, a, b: sp.Add(a, b),
    partials=(lambda u, v: 1, lambda u, v: 1),
    rule="sum rule (linearity): (u + v)' = u' + v'", symbol="+", precedence=1,
    names_constant_terms=True, latex="@1 + @2", mathml="@1<mo>+</mo>@2", brackets=(1, 2),
    exact=operator.add, rounding=_two_sum_error, keeps_nonfinite=_always,
)
SUB = Op(
    "sub", 2, operator.sub, operator.sub, np.subtract, operator.sub,
    sympy=lambda sp, a, b: sp.Add(a, -b),
    partials=(lambda u, v: 1, lambda u, v: -1),
    rule="difference rule (linearity): (u - v)' = u' - v'", symbol="-", precedence=1,
    names_constant_terms=True, latex="@1 - @2", mathml="@1<mo>&#x2212;</mo>@2", brackets=(1, 2),
    exact=operator.sub, rounding=lambda u, v: _two_sum_error(u, -v), keeps_nonfinite=_always,
)
MUL = Op(
    "mul", 2, operator.mul, operator.mul, np.multiply, operator.mul,
    sympy=lambda sp, a, b: sp.Mul(a, b),
    partials=(lambda u, v: v, lambda u, v: u),
    rule="product rule: (u*v)' = u'*v + u*v'", symbol="*", precedence=2, zero_absorbing=(0, 1),
    latex=r"@1 \cdot @2", mathml="@1<mo>&#x22C5;</mo>@2", brackets=(2, 2), exact=operator.mul,
    rounding=_two_product_error, keeps_nonfinite=_always,  # (0·inf = nan)
    rules={(True, False): "constant factor rule: (u*c)' = u'*c",
           (False, True): "constant factor rule: (c*v)' = c*v'"},
)
DIV = Op(
    "div", 2, _ieee(operator.truediv, np.divide), _guarded(operator.truediv), np.divide,
    operator.truediv,
    sympy=lambda sp, a, b: sp.Mul(a, sp.Pow(b, -1)),
    # -(u/v)/v, not -u/v**2: v**2 overflows (or underflows) long before u/v**2 does.
    partials=(lambda u, v: div(1, v), lambda u, v: -div(div(u, v), v)),
    rule="quotient rule: (u/v)' = (u'*v - u*v')/v**2", symbol="/", precedence=2,
    zero_absorbing=(0,), latex=r"\frac{@1}{@2}",
    mathml="<mfrac><mrow>@1</mrow><mrow>@2</mrow></mfrac>", brackets=(None, None),
    rules={(True, False): "constant factor rule: (u/c)' = u'/c",
           (False, True): "reciprocal rule: (c/v)' = -c*v'/v**2"},
    domain=lambda u, v: v != 0, domain_text="division needs a nonzero denominator",
    singular=lambda u, v: v, exact=lambda u, v: u / v if v != 0 else None,
    keeps_nonfinite=lambda i, constants: i == 0,  # (inf/v is; u/inf = 0 is not)
)
NEG = Op(
    "neg", 1, operator.neg, operator.neg, np.negative, operator.neg,
    sympy=lambda sp, a: -a,
    partials=(lambda u: -1,),
    rule="constant factor rule: (-u)' = -u'", symbol="-", precedence=3,
    latex="-@1", mathml="<mo>&#x2212;</mo>@1", brackets=(3,), exact=operator.neg,
    rounding=lambda u: 0.0, keeps_nonfinite=_always,
)
# A folded power has at most this many bits: 2**100000 is left as it is written.
MAX_EXACT_POWER_BITS = 256


def _power_keeps(i: int, exponent) -> bool:
    """A power keeps inf and nan in its base under a constant exponent above 0: inf**p =
    inf, nan**p = nan (not u**0 = 1, nor inf**-1 = 0); never in its exponent (2**-inf = 0)."""
    return i == 0 and exponent is not None and exponent > 0


def _exact_power(base, exponent):
    """base**exponent in rationals: an integer exponent, a result of at most
    MAX_EXACT_POWER_BITS bits; else None (a root is not rational, 0**-1 is not a number)."""
    if exponent.denominator != 1 or (base == 0 and exponent < 0):
        return None
    bits = max(base.numerator.bit_length(), base.denominator.bit_length())
    if bits * abs(exponent.numerator) > MAX_EXACT_POWER_BITS:
        return None
    return base ** exponent.numerator


def _array_power(u, v):
    """u**v on arrays: through ndarray's ** when the exponent is a number, which squares,
    square-roots and inverts without calling pow() per entry (the ufunc np.power would)."""
    if isinstance(u, np.ndarray) and np.ndim(v) == 0 and u.dtype != object \
            and not isinstance(v, complex):
        if v == 1:
            return u  # values are never written to: the same array will do
        return u * u if v == 2 else u ** float(v)
    return np.power(u, v)


POW = Op(
    "pow", 2, _ieee(math.pow, np.power), _guarded(operator.pow), _array_power, _ball_pow,
    sympy=lambda sp, a, b: sp.Pow(a, b),
    partials=(lambda u, v: v * power(u, v - 1), lambda u, v: power(u, v) * log(u)),
    rule="general power rule: (u**v)' = v*u**(v-1)*u' + u**v*ln(u)*v'",
    rules={(True, False): "power rule (polynomial rule): (u**n)' = n*u**(n-1)*u'",
           (False, True): "exponential rule: (a**v)' = a**v*ln(a)*v'"},
    symbol="**", precedence=4, chains=True, latex="{@1}^{@2}",
    mathml="<msup><mrow>@1</mrow><mrow>@2</mrow></msup>", brackets=(5, None),
    domain=_pow_domain, domain_text="a power needs a positive base or an integer exponent",
    singular=lambda u, v: _pow_singular(u, v), smooth=_pow_smooth,
    smooth_text="a power with a non-integer exponent is not differentiable at base 0",
    exact=_exact_power, keeps_nonfinite=lambda i, constants: _power_keeps(i, constants[1]),
)


def _mathml_function(name: str) -> str:
    """A function applied to its bracketed argument, in MathML."""
    return (f"<mi>{name}</mi><mo>&#x2061;</mo><mrow><mo>(</mo>@<mo>)</mo></mrow>")


MATHML_FORMS = {"sqrt": "<msqrt>@</msqrt>", "abs": "<mrow><mo>|</mo>@<mo>|</mo></mrow>",
                "asin": _mathml_function("arcsin"), "acos": _mathml_function("arccos"),
                "atan": _mathml_function("arctan"), "log": _mathml_function("ln"),
                "sign": _mathml_function("sgn")}


def _function(name: str, latex: str, math_fn, cmath_fn, numpy_fn, partial, rule: str,
              **extra: Any) -> Op:
    """An elementary function of one argument, with its LaTeX form ("@": the argument); its
    sympy counterpart and its ball's method have the same name unless told otherwise."""
    sympy_name = extra.pop("sympy_name", name)
    ball = extra.pop("ball", None) or _ball_method(name)
    return Op(
        name, 1, _ieee(math_fn, numpy_fn), _guarded(cmath_fn), numpy_fn, ball,
        sympy=lambda sp, a: getattr(sp, sympy_name)(a),
        partials=(partial,), rule=rule, sympy_name=sympy_name, latex=latex,
        mathml=MATHML_FORMS.get(name, _mathml_function(name)), brackets=(None,), **extra,
    )


SIN = _function("sin", r"\sin\left(@\right)", math.sin, cmath.sin, np.sin, lambda u: cos(u),
                "sine rule: sin(u)' = cos(u)*u'",
                keeps_nonfinite=_always)
COS = _function("cos", r"\cos\left(@\right)", math.cos, cmath.cos, np.cos, lambda u: -sin(u),
                "cosine rule: cos(u)' = -sin(u)*u'",
                keeps_nonfinite=_always)
TAN = _function("tan", r"\tan\left(@\right)",
                math.tan, cmath.tan, np.tan, lambda u: div(1, power(cos(u), 2)),
                "tangent rule: tan(u)' = u'/cos(u)**2", singular=lambda u: np.cos(u),
                keeps_nonfinite=_always)
ASIN = _function("asin", r"\arcsin\left(@\right)", math.asin, cmath.asin, np.arcsin,
                 # (1 - u)(1 + u), not 1 - u**2: near u = ±1 the square cancels (2e-11
                 # relative at 0.9999999), the factors are exact (Sterbenz) and keep 16 digits
                 lambda u: div(1, sqrt((1 - u) * (1 + u))),
                 "arcsine rule: asin(u)' = u'/sqrt(1 - u**2)",
                 domain=lambda u: -1 <= u <= 1, domain_text="asin needs -1 <= u <= 1",
                 singular=lambda u: (1 - u) * (1 + u),
                 smooth=lambda u: -1 < u < 1, smooth_text="asin has an infinite slope at u = ±1",
                 kinks=(-1.0, 1.0),
                 keeps_nonfinite=_always)
ACOS = _function("acos", r"\arccos\left(@\right)", math.acos, cmath.acos, np.arccos,
                 lambda u: -div(1, sqrt((1 - u) * (1 + u))),  # as for asin
                 "arccosine rule: acos(u)' = -u'/sqrt(1 - u**2)",
                 domain=lambda u: -1 <= u <= 1, domain_text="acos needs -1 <= u <= 1",
                 singular=lambda u: (1 - u) * (1 + u),
                 smooth=lambda u: -1 < u < 1, smooth_text="acos has an infinite slope at u = ±1",
                 kinks=(-1.0, 1.0),
                 keeps_nonfinite=_always)
ATAN = _function("atan", r"\arctan\left(@\right)", math.atan, cmath.atan, np.arctan,
                 lambda u: div(1, 1 + power(u, 2)),
                 "arctangent rule: atan(u)' = u'/(1 + u**2)")
SINH = _function("sinh", r"\sinh\left(@\right)", math.sinh, cmath.sinh, np.sinh, lambda u: cosh(u),
                 "hyperbolic sine rule: sinh(u)' = cosh(u)*u'",
                 keeps_nonfinite=_always)
COSH = _function("cosh", r"\cosh\left(@\right)", math.cosh, cmath.cosh, np.cosh, lambda u: sinh(u),
                 "hyperbolic cosine rule: cosh(u)' = sinh(u)*u'",
                 keeps_nonfinite=_always)
TANH = _function("tanh", r"\tanh\left(@\right)",
                 # 1/cosh(u)**2, not 1 - tanh(u)**2, which cancels for large |u|
                 math.tanh, cmath.tanh, np.tanh, lambda u: div(1, power(cosh(u), 2)),
                 "hyperbolic tangent rule: tanh(u)' = u'/cosh(u)**2")
EXP = _function("exp", r"\exp\left(@\right)", math.exp, cmath.exp, np.exp, lambda u: exp(u),
                "exponential rule: exp(u)' = exp(u)*u'")
LOG = _function("log", r"\ln\left(@\right)", math.log, cmath.log, np.log, lambda u: div(1, u),
                "logarithm rule: ln(u)' = u'/u", aliases=("ln",),
                domain=lambda u: u > 0, domain_text="log needs u > 0", singular=lambda u: u,
                keeps_nonfinite=_always)
SQRT = _function("sqrt", r"\sqrt{@}", math.sqrt, cmath.sqrt, np.sqrt, lambda u: div(1, 2 * sqrt(u)),
                 "square root rule: sqrt(u)' = u'/(2*sqrt(u))",
                 domain=lambda u: u >= 0, domain_text="sqrt needs u >= 0", singular=lambda u: u,
                 smooth=lambda u: u > 0, smooth_text="sqrt has an infinite slope at u = 0",
                 kinks=(0.0,),
                 keeps_nonfinite=_always)
ABS = _function("abs", r"\left|@\right|", abs, _complex_abs, _array_abs, lambda u: sign(u),
                "absolute value rule: abs(u)' = sign(u)*u'", sympy_name="Abs", ball=abs,
                singular=lambda u: u,
                smooth=lambda u: u != 0, smooth_text="abs has a kink at u = 0", kinks=(0.0,),
                keeps_nonfinite=_always)
SIGN = _function("sign", r"\operatorname{sign}\left(@\right)",
                 lambda u: float(np.sign(u)), _complex_sign, _array_sign, lambda u: 0,
                 "sign rule: sign(u)' = 0 away from u = 0", singular=lambda u: u,
                 ball=_ball_method("sgn"),
                 smooth=lambda u: u != 0, smooth_text="sign jumps at u = 0", kinks=(0.0,))


def _constant(name: str, value: float, sympy_attr: str, latex: str, ball: str,
              mathml: str) -> Op:
    return Op(name, 0, lambda: value, lambda: value, lambda: value,
              lambda: getattr(_ball_arb(), ball)(),
              sympy=lambda sp: getattr(sp, sympy_attr), partials=(),
              rule=f"constant rule: {name}' = 0", latex=latex, mathml=mathml)


PI = _constant("pi", math.pi, "pi", r"\pi", "pi", "<mi>&#x3C0;</mi>")
E = _constant("e", math.e, "E", "e", "const_e", "<mi>e</mi>")

ALL_OPS: tuple[Op, ...] = (ADD, SUB, MUL, DIV, NEG, POW, SIN, COS, TAN, ASIN, ACOS, ATAN,
                           SINH, COSH, TANH, EXP, LOG, SQRT, ABS, SIGN, PI, E)
FUNCTIONS: dict[str, Op] = {
    alias: op for op in ALL_OPS if op.is_function for alias in (op.name, *op.aliases)
}
CONSTANTS: dict[str, Op] = {op.name: op for op in ALL_OPS if op.is_constant}
BY_NAME: dict[str, Op] = {op.name: op for op in ALL_OPS}
BY_SYMPY_NAME: dict[str, Op] = {op.sympy_name: op for op in ALL_OPS if op.sympy_name}


# --- generic functions: build trees on Expr, compute on numbers --------------------------

def is_exact_zero(value) -> bool:
    """A plain number, or a ball of radius 0, that is exactly 0: a structural zero of the
    chain rule (so the exact reference keeps the methods' 0·∞ = 0)."""
    kind = type(value)
    if kind is float or kind is int or kind is np.float64:
        return value == 0
    return is_ball_type(kind) and value.is_zero()


def apply(op: Op, *args: Number) -> Number:
    """Apply ``op``: types that know better (Expr, Dual) take over through ``__dc_apply__``."""
    for a in args:
        if type(a) is not float:
            break
    else:  # plain floats: straight to the real implementation
        return op.real(*args)
    for a in args:  # an array of nodes or balls: entry by entry, broadcast
        if isinstance(a, np.ndarray) and a.dtype == object:
            return _elementwise(op, args)
    chosen = None
    for a in args:  # a dual works one level above any other number type: it goes first
        kind = type(a)
        if kind is float or kind is int:  # (a lookup that misses raises inside: skipped)
            continue
        hook = getattr(kind, "__dc_apply__", None)
        if hook is not None:
            if getattr(kind, "dc_outer", False):
                return hook(op, args)
            chosen = chosen or hook
    return chosen(op, args) if chosen is not None else op.evaluate(*args)


class Arithmetic:
    """Python's operators through the generic functions below, for the types that take
    over an operation (Expr builds a node, Dual carries a tangent): one place for both."""

    __slots__ = ()
    dc_outer = False  # whether it takes an operation before the others (a Dual does)

    def __add__(self, other): return add(self, other)
    def __radd__(self, other): return add(other, self)
    def __sub__(self, other): return sub(self, other)
    def __rsub__(self, other): return sub(other, self)
    def __mul__(self, other): return mul(self, other)
    def __rmul__(self, other): return mul(other, self)
    def __truediv__(self, other): return div(self, other)
    def __rtruediv__(self, other): return div(other, self)
    def __pow__(self, other): return power(self, other)
    def __rpow__(self, other): return power(other, self)
    def __neg__(self): return neg(self)


def add(u, v): return apply(ADD, u, v)
def sub(u, v): return apply(SUB, u, v)
def mul(u, v): return apply(MUL, u, v)
def div(u, v): return apply(DIV, u, v)
def neg(u): return apply(NEG, u)
def power(u, v): return apply(POW, u, v)
def sin(u): return apply(SIN, u)
def cos(u): return apply(COS, u)
def tan(u): return apply(TAN, u)
def sinh(u): return apply(SINH, u)
def cosh(u): return apply(COSH, u)
def tanh(u): return apply(TANH, u)
def exp(u): return apply(EXP, u)
def log(u): return apply(LOG, u)
def sqrt(u): return apply(SQRT, u)
def sign(u): return apply(SIGN, u)


# --- shape operations: what a traced program does to arrays ------------------------------
#
# Each is linear in its array argument (dot in each of its two), so its JVP and VJP are
# written here beside its forward, as tinygrad's gradient table does. ``param`` is the
# record's static part (an index, an axis, a shape); elementwise operations need none, and
# their VJP (partial times adjoint, summed back over broadcast axes) comes from the partials
# above. Not in FUNCTIONS: the formula language has scalars only.

@dataclass(frozen=True, eq=False)
class ShapeOp:
    name: str
    arity: int
    forward: Callable[..., Any]  # (param, *values) -> value
    jvp: Callable[..., Any]  # (param, values, tangents (None: constant), result) -> tangent
    vjp: Callable[..., Any]  # (param, i, adjoint, values, result) -> adjoint of argument i
    rule: str
    chooses: bool = False  # picks an entry by value (max, min): a branch, and a kink
    fresh_vjp: bool = True  # its VJP returns a new array (not a view of the adjoint)
    # The same as numpy code, for the gradient code (engine/plan.py): the forward with its
    # arguments {0}, {1} ({*}: all of them) and its parameter {p}; the VJP of argument i as
    # (param, i, argument shapes) -> code in {bar} and the arguments {0}, {1}, the numpy
    # calls ``vjp`` makes, in its order. None: planned by engine/plan.py (a placement of the
    # adjoint: an index, a choice, a side of a where) or not written as code.
    code: str | None = None
    vjp_code: Callable[..., str] | None = None
    # Each entry of the result is a copy, sum or product of entries of its arguments, so an
    # inf or a nan among those makes it one too (0·inf = nan; inf - inf = nan): as Op's
    # keeps_nonfinite, for every argument. False for a choice (max, min, where).
    keeps_nonfinite: bool = False

    def __repr__(self) -> str:
        return f"ShapeOp({self.name})"


def pairwise_sum(values: np.ndarray, axis=None):
    """A sum of an object array (Expr nodes, balls) as a balanced tree, so that a
    sum of n terms is log n deep, not n; numeric arrays go to numpy (pairwise as well)."""
    if values.dtype != object:
        return np.sum(values, axis=axis)
    if axis is not None:
        moved = np.moveaxis(values, axis, 0)
        return _halve(list(moved)) if len(moved) else np.zeros(moved.shape[1:])
    items = list(values.reshape(-1))
    return _halve(items) if items else 0.0


def _halve(items: list):
    while len(items) > 1:
        paired = [items[k] + items[k + 1] for k in range(0, len(items) - 1, 2)]
        if len(items) % 2:
            paired.append(items[-1])
        items = paired
    return items[0]


def unbroadcast(value, shape: tuple[int, ...]):
    """Sum an adjoint over the axes broadcasting added or stretched, back to ``shape``."""
    got = np.shape(value)
    if got == shape:
        return value
    value = np.asarray(value)
    extra = len(got) - len(shape)
    if extra > 0:  # (an object array's full sum is a number, not an array: asarray)
        value = np.asarray(value.sum(axis=tuple(range(extra))))
    stretched = tuple(a for a, n in enumerate(shape) if n == 1 and value.shape[a] != 1)
    if stretched:
        value = np.asarray(value.sum(axis=stretched, keepdims=True))
    return value if shape else value.reshape(())[()]


def _sum_vjp(axis, i, bar, values, result):
    shape = np.shape(values[0])
    if axis is not None:
        bar = np.expand_dims(bar, axis)
    return np.broadcast_to(bar, shape)


def basic_key(key) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis
               for p in parts)


def _getitem_vjp(key, i, bar, values, result):
    source = np.asarray(values[0])
    bar = np.asarray(bar)
    adjoint = np.zeros(source.shape, dtype=np.result_type(bar.dtype, float))
    if basic_key(key):
        adjoint[key] = bar  # a view: each entry picked once
    else:
        np.add.at(adjoint, key, bar)  # fancy indexing may pick an entry twice
    return adjoint


def _matmul_vjp(param, i, bar, values, result):
    a, b = (np.asarray(v) for v in values)
    bar = np.asarray(bar)
    if i == 0:
        if b.ndim == 1:
            return np.multiply.outer(bar, b) if a.ndim == 2 else bar * b
        return bar @ b.T if a.ndim == 2 else b @ bar
    if a.ndim == 1:
        return np.multiply.outer(a, bar) if b.ndim == 2 else bar * a
    return a.T @ bar if b.ndim == 2 else bar @ a


def _matmul_vjp_code(i: int, a_ndim: int, b_ndim: int) -> str:
    """_matmul_vjp's numpy calls as code, for the same dimensions."""
    if i == 0:
        if b_ndim == 1:
            return "np.multiply.outer({bar}, {1})" if a_ndim == 2 else "{bar} * {1}"
        return "{bar} @ {1}.T" if a_ndim == 2 else "{1} @ {bar}"
    if a_ndim == 1:
        return "np.multiply.outer({0}, {bar})" if b_ndim == 2 else "{bar} * {0}"
    return "{0}.T @ {bar}" if b_ndim == 2 else "{bar} @ {0}"


def _matmul_forward(param, a, b):
    if np.ndim(a) > 2 or np.ndim(b) > 2 or np.ndim(a) == 0 or np.ndim(b) == 0:
        raise ValueError("dot and @ take vectors and matrices (1 or 2 dimensions)")
    # np.matmul, which @ calls: the same numbers as np.dot here (1,500 random shapes of 1-D
    # and 2-D operands, bit for bit), and on the MLP's (64×8)·(8×10⁴) half np.dot's time
    return np.matmul(a, b) if np.asarray(a).dtype != object else _object_matmul(a, b)


def _object_matmul(a, b):
    """a @ b over object arrays, each inner sum a balanced tree."""
    a, b = np.asarray(a), np.asarray(b)
    a2 = a if a.ndim == 2 else a[None, :]
    b2 = b if b.ndim == 2 else b[:, None]
    out = np.empty((a2.shape[0], b2.shape[1]), dtype=object)
    for r in range(a2.shape[0]):
        for c in range(b2.shape[1]):
            out[r, c] = pairwise_sum(a2[r, :] * b2[:, c])
    if a.ndim == 1:
        out = out[0]
    if b.ndim == 1:
        out = out[..., 0]
    return out


def _picked_vjp(index, i, bar, values, result):
    adjoint = np.zeros(np.shape(values[0]), dtype=np.result_type(np.asarray(bar).dtype, float))
    adjoint.flat[index] = bar
    return adjoint


def _picked_forward(index, a):
    return np.asarray(a).flat[index]


SUM = ShapeOp("sum", 1, lambda axis, a: pairwise_sum(np.asarray(a), axis),
              lambda axis, v, t, r: pairwise_sum(np.asarray(t[0]), axis), _sum_vjp,
              "sum rule, term by term: (Σ u_i)' = Σ u_i'", fresh_vjp=False,
              code="np.sum({0}, axis={p})",
              vjp_code=lambda axis, i, shapes: (
                  f"np.broadcast_to({{bar}}, {shapes[0]})" if axis is None else
                  f"np.broadcast_to(np.expand_dims({{bar}}, {axis}), {shapes[0]})"),
              keeps_nonfinite=True)
GETITEM = ShapeOp("getitem", 1, lambda key, a: np.asarray(a)[key],
                  lambda key, v, t, r: np.asarray(t[0])[key], _getitem_vjp,
                  "an entry or a slice of an array: its derivative is the same entries'",
                  code="{0}[{p}]", keeps_nonfinite=True)
RESHAPE = ShapeOp("reshape", 1, lambda shape, a: np.reshape(a, shape),
                  lambda shape, v, t, r: np.reshape(t[0], shape),
                  lambda shape, i, bar, v, r: np.reshape(bar, np.shape(v[0])),
                  "the same entries in another shape", fresh_vjp=False,
                  code="np.reshape({0}, {p})",
                  vjp_code=lambda shape, i, shapes: f"np.reshape({{bar}}, {shapes[0]})",
                  keeps_nonfinite=True)
TRANSPOSE = ShapeOp("transpose", 1, lambda axes, a: np.transpose(a, axes),
                    lambda axes, v, t, r: np.transpose(t[0], axes),
                    lambda axes, i, bar, v, r: np.transpose(
                        bar, None if axes is None else np.argsort(axes)),
                    "the same entries transposed", fresh_vjp=False,
                    code="np.transpose({0}, {p})",
                    vjp_code=lambda axes, i, shapes: "np.transpose({bar}, %s)" % (
                        None if axes is None else tuple(int(a) for a in np.argsort(axes))),
                    keeps_nonfinite=True)
MATMUL = ShapeOp("dot", 2, _matmul_forward,
                 lambda param, v, t, r: sum(
                     _matmul_forward(None, *(t[k] if j == k else v[j] for j in range(2)))
                     for k in range(2) if t[k] is not None),
                 _matmul_vjp, "product rule for each entry: (A·B)' = A'·B + A·B'",
                 code="{0} @ {1}", vjp_code=lambda param, i, shapes: _matmul_vjp_code(
                     i, len(shapes[0]), len(shapes[1])), keeps_nonfinite=True)
# max and min pick the entry that is largest (smallest) at the point: its derivative is that
# entry's, where it is the only one; where two tie, a kink. ``param`` is its flat index.
MAX = ShapeOp("max", 1, _picked_forward, lambda index, v, t, r: _picked_forward(index, t[0]),
              _picked_vjp, "the derivative of the largest entry, where it is the only one",
              chooses=True, code="{0}.flat[{p}]")
MIN = ShapeOp("min", 1, _picked_forward, lambda index, v, t, r: _picked_forward(index, t[0]),
              _picked_vjp, "the derivative of the smallest entry, where it is the only one",
              chooses=True, code="{0}.flat[{p}]")


# where(c, a, b): a's entries where the condition c (a boolean array, computed at the point
# and remembered as a condition where the user's code compared) holds, b's elsewhere.
# ``param`` is c. np.maximum, np.minimum, np.clip and ReLU are made of it.
def _where_jvp(condition, values, tangents, result):
    a, b = (np.zeros(np.shape(result)) if t is None else t for t in tangents)
    return np.where(condition, a, b)


def _where_vjp(condition, i, bar, values, result):
    picked = np.where(condition, bar, 0.0) if i == 0 else np.where(condition, 0.0, bar)
    return unbroadcast(picked, np.shape(values[i]))


WHERE = ShapeOp("where", 2, lambda condition, a, b: np.where(condition, a, b), _where_jvp,
                _where_vjp, "each entry's derivative is that of the side the condition picks "
                "there", code="np.where({p}, {0}, {1})")


def _along(axis, array):
    """The array and the axis a cumulative operation runs along (None: flattened)."""
    array = np.asarray(array)
    return (array.reshape(-1), 0) if axis is None else (array, axis)


def _cumsum_vjp(axis, i, bar, values, result):
    """Each entry's adjoint: the sum of the later partial sums' adjoints (a reversed
    cumulative sum)."""
    bar, along = _along(axis, bar)
    reversed_sum = np.flip(np.cumsum(np.flip(bar, along), axis=along), along)
    return reversed_sum.reshape(np.shape(values[0]))


CUMSUM = ShapeOp("cumsum", 1, lambda axis, a: np.cumsum(a, axis=axis),
                 lambda axis, v, t, r: np.cumsum(t[0], axis=axis), _cumsum_vjp,
                 "running sums: their derivatives are the running sums of the derivatives",
                 code="np.cumsum({0}, axis={p})", vjp_code=lambda axis, i, shapes: (
                     f"np.reshape(np.flip(np.cumsum(np.flip(np.reshape({{bar}}, -1), 0), "
                     f"axis=0), 0), {shapes[0]})" if axis is None else
                     f"np.reshape(np.flip(np.cumsum(np.flip({{bar}}, {axis}), axis={axis}), "
                     f"{axis}), {shapes[0]})"),
                 keeps_nonfinite=True)


def _others_product(axis, a):
    """Per entry, the product of the others along the axis: exclusive running products from
    the left and from the right, multiplied, so a zero entry needs no division."""
    a, along = _along(axis, a)
    ones = np.ones_like(np.take(a, [0], axis=along))
    left = np.cumprod(np.concatenate([ones, np.take(a, range(a.shape[along] - 1),
                                                     axis=along)], axis=along), axis=along)
    right = np.flip(np.cumprod(np.concatenate(
        [ones, np.take(np.flip(a, along), range(a.shape[along] - 1), axis=along)],
        axis=along), axis=along), along)
    return left * right


def _prod_jvp(axis, values, tangents, result):
    weights = _others_product(axis, values[0]).reshape(np.shape(values[0]))
    return pairwise_sum(np.asarray(weights * tangents[0]), axis)


def _prod_vjp(axis, i, bar, values, result):
    weights = _others_product(axis, values[0]).reshape(np.shape(values[0]))
    if axis is not None:
        bar = np.expand_dims(bar, axis)
    return weights * bar


PROD = ShapeOp("prod", 1, lambda axis, a: np.prod(np.asarray(a), axis=axis), _prod_jvp,
               _prod_vjp, "product rule over every factor: (Π u_i)' = Σ u_i' Π_{j≠i} u_j",
               keeps_nonfinite=True)


def _concat_jvp(axis, values, tangents, result):
    return np.concatenate([np.zeros(np.shape(v)) if t is None else t
                           for v, t in zip(values, tangents)], axis=axis)


def _concat_vjp(axis, i, bar, values, result):
    start = sum(np.shape(v)[axis] for v in values[:i])
    stop = start + np.shape(values[i])[axis]
    return np.take(bar, range(start, stop), axis=axis)


CONCATENATE = ShapeOp("concatenate", 2, lambda axis, *arrays: np.concatenate(arrays, axis),
                      _concat_jvp, _concat_vjp,
                      "arrays side by side: each part's derivative in its place",
                      code="np.concatenate(({*},), axis={p})", keeps_nonfinite=True)

SHAPE_OPS: tuple[ShapeOp, ...] = (SUM, GETITEM, RESHAPE, TRANSPOSE, MATMUL, MAX, MIN, WHERE,
                                  CUMSUM, PROD, CONCATENATE)


# --- Taylor-mode rules: truncated Taylor polynomials through each operation ---------------
#
# A value is u(t) = u₀ + u₁t + … + u_K t^K (its coefficients, a list), or a plain number
# where it does not depend on t (a constant: no arithmetic is spent on its zeros). Each rule
# is a recurrence of Griewank & Walther (Evaluating Derivatives, 2nd ed., §13.2), derived
# from the ODE the operation satisfies (w = exp u: w' = u'w); coefficient k costs O(k)
# operations, so a rule costs O(K²). The numbers may be floats, complex numbers, balls or
# counted numbers: only arithmetic and apply() are used.

def _series(value, length: int) -> list:
    return value if isinstance(value, list) else [value] + [0.0] * (length - 1)


def _dot(pairs) -> Any:
    """Σ a·b over the pairs, starting from the first product (no 0 + … spent)."""
    total = None
    for a, b in pairs:
        total = a * b if total is None else total + a * b
    return 0.0 if total is None else total


def _t_add(u, v):
    if not isinstance(u, list):
        return [u + v[0], *v[1:]]
    if not isinstance(v, list):
        return [u[0] + v, *u[1:]]
    return [a + b for a, b in zip(u, v)]


def _t_sub(u, v):
    if not isinstance(v, list):
        return [u[0] - v, *u[1:]]
    if not isinstance(u, list):
        return [u - v[0], *(-b for b in v[1:])]
    return [a - b for a, b in zip(u, v)]


def _t_mul(u, v):
    if not isinstance(u, list):
        return [u * b for b in v]
    if not isinstance(v, list):
        return [a * v for a in u]
    return [_dot((u[j], v[k - j]) for j in range(k + 1)) for k in range(len(u))]


def _t_div(u, v):
    if not isinstance(v, list):
        return [a / v for a in u]
    u = _series(u, len(v))
    w: list = []
    for k in range(len(v)):
        w.append((u[k] - _dot((w[j], v[k - j]) for j in range(k))) / v[0] if k else u[0] / v[0])
    return w


def _t_exp(u):
    w = [apply(EXP, u[0])]
    for k in range(1, len(u)):
        w.append(_dot(((j / k) * u[j], w[k - j]) for j in range(1, k + 1)))
    return w


def _t_log(u):
    w = [apply(LOG, u[0])]
    for k in range(1, len(u)):
        w.append((u[k] - _dot(((j / k) * w[j], u[k - j]) for j in range(1, k))) / u[0])
    return w


def _t_sqrt(u):
    w = [apply(SQRT, u[0])]
    for k in range(1, len(u)):
        w.append((u[k] - _dot((w[j], w[k - j]) for j in range(1, k))) / (2 * w[0]))
    return w


def _t_pair(u, first: Op, second: Op, sign: float):
    """sin and cos (sign -1), or sinh and cosh (+1), together: s' = u'c, c' = ±u's."""
    s, c = [apply(first, u[0])], [apply(second, u[0])]
    for k in range(1, len(u)):
        s.append(_dot(((j / k) * u[j], c[k - j]) for j in range(1, k + 1)))
        c.append(sign * _dot(((j / k) * u[j], s[k - j]) for j in range(1, k + 1)))
    return s, c


def _t_tangent(u, op: Op, sign: float):
    """tan (sign +1) or tanh (-1): w' = u'·q with q = 1 ± w²."""
    w = [apply(op, u[0])]
    q = [1 + sign * w[0] * w[0]]
    for k in range(1, len(u)):
        w.append(_dot(((j / k) * u[j], q[k - j]) for j in range(1, k + 1)))
        q.append(sign * _dot((w[j], w[k - j]) for j in range(k + 1)))
    return w


def _t_integral(u, op: Op, slope: list, sign: float = 1.0):
    """w(t) = op(u(t)) from w' = sign·u'·slope(t), slope a series: integrated term by term."""
    derivative = [(k + 1) * u[k + 1] for k in range(len(u) - 1)]
    quotient = _t_mul(derivative, slope[:len(derivative)]) if derivative else []
    return [apply(op, u[0]), *(sign * quotient[k - 1] / k for k in range(1, len(u)))]


def _t_inverse_trig(u, op: Op):
    """asin, acos (w' = ±u'/sqrt(1 - u²)), atan (w' = u'/(1 + u²))."""
    square = _t_mul(u, u)
    inner = _t_add(1.0, square) if op is ATAN else _t_sqrt(_t_sub(1.0, square))
    slope = _t_div(1.0, inner)
    return _t_integral(u, op, slope, -1.0 if op is ACOS else 1.0)


def _t_pow(u, v):
    if isinstance(v, list):  # u**v = exp(v log u), u a series or a constant
        return _t_exp(_t_mul(v, _t_log(_series(u, len(v)))))
    exponent = _small_integer(v)
    if exponent is not None:  # an integer power: by products, fine at u₀ = 0
        result: list | float = 1.0
        base, e = u, exponent
        while e:
            if e & 1:
                result = _t_mul(base, result) if isinstance(result, list) else base
            e >>= 1
            if e:
                base = _t_mul(base, base)
        return _series(result, len(u))
    w = [apply(POW, u[0], v)]
    for k in range(1, len(u)):
        w.append(_dot((((v + 1) * j / k - 1) * u[j], w[k - j]) for j in range(1, k + 1))
                 / u[0])
    return w


def _small_integer(v) -> int | None:
    """v as an int when it is exactly one in 0..64 (a float, or a ball of radius 0)."""
    try:
        value = float(v)
    except (TypeError, ValueError):
        return None
    exact = not is_ball_type(type(v)) or v.rad() == 0
    return int(value) if exact and value == int(value) and 0 <= value <= 64 else None


def _t_abs(u):
    """|u| = sign(u₀)·u away from 0; at u₀ = 0 it has no Taylor polynomial (nan)."""
    if u[0] > 0:
        return list(u)
    if u[0] < 0:
        return [-a for a in u]
    return [apply(ABS, u[0])] + [math.nan] * (len(u) - 1)


def _t_sign(u):
    return [apply(SIGN, u[0])] + [0.0 if u[0] != 0 else math.nan] * (len(u) - 1)


TAYLOR: dict[Op, Callable[..., list]] = {
    ADD: _t_add, SUB: _t_sub, MUL: _t_mul, DIV: _t_div, POW: _t_pow,
    NEG: lambda u: [-a for a in u],
    EXP: _t_exp, LOG: _t_log, SQRT: _t_sqrt,
    SIN: lambda u: _t_pair(u, SIN, COS, -1.0)[0], COS: lambda u: _t_pair(u, SIN, COS, -1.0)[1],
    SINH: lambda u: _t_pair(u, SINH, COSH, 1.0)[0],
    COSH: lambda u: _t_pair(u, SINH, COSH, 1.0)[1],
    TAN: lambda u: _t_tangent(u, TAN, 1.0), TANH: lambda u: _t_tangent(u, TANH, -1.0),
    ASIN: lambda u: _t_inverse_trig(u, ASIN), ACOS: lambda u: _t_inverse_trig(u, ACOS),
    ATAN: lambda u: _t_inverse_trig(u, ATAN),
    ABS: _t_abs, SIGN: _t_sign,
}
assert set(TAYLOR) == {op for op in ALL_OPS if op.arity}, "every operation needs its rule"


# --- the rules as a textbook writes them, for derive's "by the rule" column ---------------
#
# Given an operation's arguments and their derivatives (None where an argument does not
# depend on the variable), the rule instantiated in the form its name cites, before any
# simplification: the quotient rule as (u'·v - u·v')/v², the product rule as u'·v + u·v'.
# Where an operation has none here, the chain rule's Σ ∂op/∂uᵢ·uᵢ' is its form.

def _textbook_product(args, inner):
    (u, v), (du, dv) = args, inner
    if du is None or dv is None:
        return None
    return _node(ADD, _node(MUL, du, v), _node(MUL, u, dv))


def _textbook_quotient(args, inner):
    (u, v), (du, dv) = args, inner
    if du is None or dv is None:
        return None
    from diffcompare.expr import Const

    return _node(DIV, _node(SUB, _node(MUL, du, v), _node(MUL, u, dv)),
                 _node(POW, v, Const(2)))


def _node(op, *args):
    from diffcompare.expr import Call

    return Call(op, args)


TEXTBOOK: dict[Op, Callable[..., Any]] = {MUL: _textbook_product, DIV: _textbook_quotient}
