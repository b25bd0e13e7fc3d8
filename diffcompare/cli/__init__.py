"""The command line: read options, call the library, hand results to render or plots.

group.py holds the click group; every other module here but common.py and options.py is
one command (its module's name is the command's), attached when imported, so a new command
is a new module and nothing else. Imports of the library happen inside the commands, so
``diffcompare --help`` loads neither sympy nor matplotlib.
"""

from importlib import import_module
from pkgutil import iter_modules

from diffcompare.cli.group import main

SHARED = {"group", "common", "options"}
for _module in iter_modules(__path__):
    if _module.name not in SHARED:
        import_module(f"{__name__}.{_module.name}")

__all__ = ["main"]
