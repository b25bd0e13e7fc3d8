"""The command line: read options, call the library, hand results to render or plots.

group.py holds the click group; one module per command family attaches its commands
(gradient, studies, checks). Imports of the library happen inside the commands, so
``diffcompare --help`` loads neither sympy nor matplotlib.
"""

from diffcompare.cli import (  # noqa: F401  (importing them attaches the commands)
    check,
    derivatives,
    derive,
    descent,
    epsplot,
    grad,
    graph,
    samples,
    scale,
    swell,
    trace,
)
from diffcompare.cli.group import main

__all__ = ["main"]

if __name__ == "__main__":  # pragma: no cover
    main()
