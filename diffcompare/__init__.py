"""diffcompare: every way of differentiating a function, side by side, against an exact
reference. The library API; the CLI in cli/ is a thin layer over it.

    >>> import diffcompare
    >>> diffcompare.compare("3*(x1**2 + x2*x3)", at=(2, 3, 4)).row("reverse-ad").result.gradient
    (12.0, 12.0, 9.0)

Names are loaded on first use, so ``import diffcompare`` (and ``diffcompare --help``) loads
neither numpy, sympy nor matplotlib.
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "compare": "diffcompare.api", "derivative": "diffcompare.api",
    "step_study": "diffcompare.api", "trace": "diffcompare.api", "derive": "diffcompare.api",
    "descent": "diffcompare.api", "Comparison": "diffcompare.api",
    "taylor": "diffcompare.api", "grade": "diffcompare.api", "exercises": "diffcompare.api",
    "custom_jvp": "diffcompare.engine.custom", "custom_vjp": "diffcompare.engine.custom",
    "Row": "diffcompare.analysis.compare",
    "select_methods": "diffcompare.analysis.compare",
    "DiffcompareError": "diffcompare.errors", "InputError": "diffcompare.errors",
    "MethodError": "diffcompare.errors", "ParseError": "diffcompare.errors",
    "Call": "diffcompare.expr", "Const": "diffcompare.expr", "Expr": "diffcompare.expr",
    "Var": "diffcompare.expr", "to_text": "diffcompare.expr",
    "METHOD_NAMES": "diffcompare.methods", "REGISTRY": "diffcompare.methods",
    "KINDS": "diffcompare.methods", "Derivative": "diffcompare.methods",
    "Options": "diffcompare.methods", "parse": "diffcompare.parse",
    "Problem": "diffcompare.problems.formula",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'diffcompare' has no attribute {name!r}")
