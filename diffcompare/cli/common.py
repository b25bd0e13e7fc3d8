"""What every command shares: the console, writing a result in its format, writing files."""

from __future__ import annotations

import sys

import click

from diffcompare.cli.options import FORMATS  # noqa: F401  (the formats emit writes)


def console():
    """A rich console: the terminal's width there, wide enough for whole rows in a pipe."""
    from rich.console import Console

    return Console(highlight=False, width=None if sys.stdout.isatty() else 200,
                   soft_wrap=False)


def emit(comparison, fmt: str) -> None:
    from diffcompare.render import comparison as render

    writers = {"table": render.table, "json": render.to_json, "csv": render.to_csv,
               "markdown": render.to_markdown}
    show(writers[fmt](comparison), fmt)


def show(renderable_or_text, fmt: str) -> None:
    """A rich renderable for the table format, plain text for the others."""
    if fmt in ("table", "text"):
        console().print(renderable_or_text)
    else:
        click.echo(renderable_or_text, nl=not renderable_or_text.endswith("\n"))


def write_text(path: str, text: str) -> None:
    from diffcompare.errors import InputError

    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
