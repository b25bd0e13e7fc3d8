"""What every command shares: the console, writing a Document in its format (the format
table decides, render/formats/), files by their suffix, progress and Ctrl-C."""

from __future__ import annotations

import sys

import click

WIDE = 100_000  # --wide: columns enough for any table whole


def display() -> dict:
    """This invocation's --wide and --digits (cli/options.py's format_option)."""
    context = click.get_current_context(silent=True)
    return context.meta.get("diffcompare.display", {}) if context else {}


def console():
    """A rich console: the terminal's width there (every column with --wide), wide enough
    for whole rows in a pipe."""
    from rich.console import Console

    width = WIDE if display().get("wide") else None if sys.stdout.isatty() else _pipe_width()
    return Console(highlight=False, width=width, soft_wrap=False)


def _pipe_width() -> int:
    """A pipe's width: COLUMNS where the user set it (COLUMNS=80 ... | less), else 200."""
    import os

    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and 20 <= int(columns) <= WIDE else 200


def emit(document, fmt: str) -> None:
    """The document on standard output in the format asked for."""
    from diffcompare.render.formats import format_of, write

    written = write(document, fmt, digits=display().get("digits"))
    if format_of(fmt).terminal:
        console().print(written)
    elif isinstance(written, str):
        click.echo(written, nl=not written.endswith("\n"))
    else:  # chunks, written as they come
        out = sys.stdout
        for chunk in written:
            out.write(chunk)
        out.flush()


def save_output(path: str, document, figure=None) -> None:
    """``-o FILE``: a picture for .png, .svg and .pdf (``figure`` makes it), else the
    document in the format the suffix names (.json, .csv, .md, .html, .tex, .dot); written
    atomically, and said (with a word when a file was replaced)."""
    from diffcompare.errors import InputError
    from diffcompare.plots.figures import PICTURES, is_picture
    from diffcompare.render.formats import FORMATS, by_suffix, formats_for, write
    from diffcompare.runtime.output import write_file

    if is_picture(path):
        if figure is None:
            raise InputError(f"cannot draw {path}: this result has no picture; write "
                             f"{', '.join(FORMATS[f].suffix for f in formats_for(document))}")
        from diffcompare.plots.figures import save

        replaced = save(figure(), path)
    else:
        chosen = by_suffix(path)
        if chosen is None:
            suffixes = [*PICTURES, *(FORMATS[f].suffix for f in formats_for(document)
                                     if not FORMATS[f].terminal)]
            raise InputError(f"cannot write {path}: choose a file ending in "
                             f"{', '.join(suffixes)}")
        replaced = write_file(path, write(document, chosen.name))  # text, or its chunks
    click.echo(f"wrote {path}" + (" (it replaced the file that was there)" if replaced else ""),
               err=True)


def working(what: str):
    """A spinner on stderr while slow work runs (sympy, say), when stderr is a terminal."""
    from contextlib import nullcontext

    from rich.console import Console

    err = Console(stderr=True)
    return err.status(what) if err.is_terminal else nullcontext()


def plots(name: str):
    """A plots/ module, imported when a figure is drawn (matplotlib stays unloaded else)."""
    from importlib import import_module

    return import_module(f"diffcompare.plots.{name}")


def emit_and_save(document, fmt: str, output: str | None) -> None:
    """The document on standard output, and in ``-o FILE`` too when one is named."""
    emit(document, fmt)
    if output:
        save_output(output, document)


def emit_with_figure(document, fmt: str, output: str | None, figure, draw) -> None:
    """The document on standard output; with ``-o FILE`` the figure (``figure()``) or the
    document written there, else the figure as text below a terminal's table
    (``draw(width)``)."""
    emit(document, fmt)
    if output:
        save_output(output, document, figure)
    else:
        terminal_figure(draw, fmt, output, "-o FILE.png")


def terminal_figure(draw, fmt: str, output: str | None, save_with: str) -> None:
    """The figure as text below the table, when standard output is a terminal, the format
    is the table and no file was asked for; nothing in a pipe or for json/csv."""
    from diffcompare.render.formats import format_of

    if output or not format_of(fmt).terminal or not sys.stdout.isatty():
        return
    import shutil

    width = min(shutil.get_terminal_size((100, 24)).columns, 120)
    click.echo(draw(width - 2))
    click.echo(f"(draw it as a picture with {save_with})")


class Interruptible:
    """Ctrl-C stops long work at its next step, keeping what it finished; the command then
    shows that and exits with status 130 (the shell's convention for SIGINT)."""

    def __init__(self):
        self.stopped = False

    def __enter__(self) -> Interruptible:
        import signal

        self._previous = signal.signal(signal.SIGINT, self._stop)
        return self

    def _stop(self, signum, frame) -> None:
        if self.stopped:  # a second Ctrl-C: stop at once
            raise KeyboardInterrupt
        self.stopped = True

    def __exit__(self, *exc) -> None:
        import signal

        signal.signal(signal.SIGINT, self._previous)

    def __call__(self) -> bool:
        return self.stopped

    def exit_if_stopped(self) -> None:
        if self.stopped:
            click.echo("interrupted: what finished is shown above", err=True)
            sys.exit(130)


def progress(total: int, what: str):
    """A rich progress bar on stderr when it is a terminal; otherwise nothing."""
    from rich.console import Console
    from rich.progress import Progress

    err = Console(stderr=True)
    bar = Progress(console=err, transient=True, disable=not err.is_terminal)
    task = bar.add_task(what, total=total)
    return bar, lambda _name=None: bar.advance(task)
