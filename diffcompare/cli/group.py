"""The click group: its contexts, and the one place a library error becomes exit status 2.

Imports of the library happen inside the commands, so ``diffcompare --help`` loads neither
sympy nor matplotlib. Every DiffcompareError becomes one message on stderr (with a caret
under the expression for a ParseError) and exit status 2; never a traceback.
"""

from __future__ import annotations

import sys

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
# Commands that read an expression: "-x**2" is the expression, not an unknown option.
EXPRESSION_CONTEXT = {**CONTEXT, "ignore_unknown_options": True}


def _caret(text: str, column: int, width: int = 76) -> str:
    """The expression (a window of it, if long) with a caret under ``column``."""
    start = max(0, min(column - width // 2, len(text) - width))
    shown = text[start:start + width]
    prefix = "..." if start else ""
    suffix = "..." if start + width < len(text) else ""
    visible = "".join(c if c.isprintable() and c.isascii() else "?" for c in shown)
    return f"  {prefix}{visible}{suffix}\n  {' ' * (len(prefix) + column - start)}^"


def fail(exc: Exception) -> None:
    """Report a user-facing error on stderr and exit 2."""
    from diffcompare.errors import ParseError

    message = f"error: {exc}"
    if isinstance(exc, ParseError) and exc.column is not None and exc.text:
        message += "\n" + _caret(exc.text, exc.column)
    click.echo(message, err=True)
    sys.exit(2)


class Commands(click.Group):
    """A group whose commands turn the library's errors into clean exit-2 messages."""

    def invoke(self, ctx: click.Context):
        from diffcompare.errors import DiffcompareError

        try:
            return super().invoke(ctx)
        except DiffcompareError as exc:
            fail(exc)
        except KeyboardInterrupt:  # Ctrl-C: workers are stopped by their own cleanup
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=Commands, context_settings=CONTEXT)
@click.version_option(package_name="diffcompare")
def main() -> None:
    """Compare every way of differentiating a function: manual rules, symbolic (sympy),
    finite differences, and forward- and reverse-mode automatic differentiation, each
    against an exact reference, with its error and its cost.

    The function is a formula (parsed, never run) or a Python file, FILE.py[:NAME]: a file's
    code runs, as python FILE would run it, bounded by --timeout.

    \b
    Examples:
      diffcompare grad "3*(x1**2 + x2*x3)" --at 2,3,4
      diffcompare grad newton_sqrt.py --at a=2
    """
