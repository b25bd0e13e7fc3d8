"""diffcompare: every way of differentiating a function, side by side, against an exact
reference. The library API; the CLI in cli.py is a thin layer over it.

    >>> from diffcompare import Problem, compare
    >>> result = compare(Problem.from_text("3*(x1**2 + x2*x3)", at="2,3,4"))
    >>> result.row("reverse-ad").result.gradient
    (12.0, 12.0, 9.0)
"""

from importlib import import_module

__version__ = "0.1.0"

# Loaded on first use (PEP 562), so `diffcompare --help` stays light.
_EXPORTS = {
    "Comparison": "compare", "Row": "compare", "compare": "compare",
    "select_methods": "compare", "DiffcompareError": "errors", "InputError": "errors",
    "MethodError": "errors", "ParseError": "errors", "Call": "expr", "Const": "expr",
    "Expr": "expr", "Var": "expr", "to_text": "expr", "METHOD_NAMES": "methods",
    "REGISTRY": "methods", "MethodResult": "methods", "Options": "methods", "parse": "parse",
    "Problem": "problem",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'diffcompare' has no attribute {name!r}")
