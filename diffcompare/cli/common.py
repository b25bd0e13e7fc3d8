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


def working(what: str):
    """A spinner on stderr while slow work runs (sympy, say), when stderr is a terminal."""
    from contextlib import nullcontext

    from rich.console import Console

    err = Console(stderr=True)
    return err.status(what) if err.is_terminal else nullcontext()


def terminal_figure(draw, fmt: str, output: str | None, save_with: str) -> None:
    """The figure as text below the table, when standard output is a terminal, the format
    is the table and no file was asked for; nothing in a pipe or for json/csv."""
    if output or fmt not in ("table", "text") or not sys.stdout.isatty():
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
