"""diffcompare: every way of differentiating a function, side by side, against an exact
reference. The library API; the CLI in cli.py is a thin layer over it.

    >>> from diffcompare import Problem, compare
    >>> result = compare(Problem.from_text("3*(x1**2 + x2*x3)", at="2,3,4"))
    >>> result.row("reverse-ad").result.gradient
    (12.0, 12.0, 9.0)

sympy and matplotlib are imported only by the functions that need them.
"""

from diffcompare.analysis.compare import Comparison, Row, compare, select_methods
from diffcompare.errors import DiffcompareError, InputError, MethodError, ParseError
from diffcompare.expr import Call, Const, Expr, Var, to_text
from diffcompare.methods import METHOD_NAMES, REGISTRY, MethodResult, Options
from diffcompare.parse import parse
from diffcompare.problem import Problem

__version__ = "0.1.0"

__all__ = [
    "METHOD_NAMES", "REGISTRY", "Call", "Comparison", "Const", "DiffcompareError", "Expr",
    "InputError", "MethodError", "MethodResult", "Options", "ParseError", "Problem", "Row",
    "Var", "compare", "parse", "select_methods", "to_text",
]
