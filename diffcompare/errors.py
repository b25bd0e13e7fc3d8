"""One exception family: every failure a user can cause is a DiffcompareError."""

from __future__ import annotations


class DiffcompareError(Exception):
    """Base of every user-facing failure; the CLI turns it into exit status 2."""


class ParseError(DiffcompareError):
    """User text that is not a valid expression; carries the column to point at."""

    def __init__(self, message: str, text: str = "", column: int | None = None):
        super().__init__(message)
        self.message = message
        self.text = text
        self.column = column

    def __str__(self) -> str:
        return self.message

    def pointed(self, width: int = 76) -> str:
        """The message, and under it the text (a window of it, if long) with a caret at the
        column."""
        if self.column is None or not self.text:
            return self.message
        text, column = self.text, self.column
        start = max(0, min(column - width // 2, len(text) - width))
        shown = text[start:start + width]
        prefix = "..." if start else ""
        suffix = "..." if start + width < len(text) else ""
        visible = "".join(c if c.isprintable() and c.isascii() else "?" for c in shown)
        return (f"{self.message}\n  {prefix}{visible}{suffix}\n"
                f"  {' ' * (len(prefix) + column - start)}^")


class InputError(DiffcompareError):
    """A bad option value: a point, a variable list, a sample name, a file."""


class MethodError(DiffcompareError):
    """A method could not produce a result; compare() turns it into a row with a reason."""


class Cannot(MethodError):
    """A method that by its nature cannot do what was asked; the message is the reason,
    shown as it is ("cannot: ...")."""


# What a computation on the user's function may raise and still be a row with a reason: the
# tool's own failures, and what arithmetic on odd input raises.
COMPUTATION_FAILURES = (DiffcompareError, ArithmeticError, ValueError, RecursionError,
                        TypeError)
