"""The click group: its contexts, and the one place where the library's errors, signals and
a standard output that cannot be written become exit statuses.

Imports of the library happen inside the commands, so ``diffcompare --help`` loads neither
sympy nor matplotlib. Every DiffcompareError becomes one message on stderr (with a caret
under the expression for a ParseError) and exit status 2; never a traceback. SIGINT ends
with 130, SIGTERM with 143 and SIGHUP with 129, every worker stopped and no partial output
file left; a standard output that is closed or full, with 74 (sysexits' EX_IOERR). A
command line that is done ends at once, without Python's teardown (its output flushed, its
atexit functions run).
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
# Commands that read an expression: "-x**2" is the expression, not an unknown option.
EXPRESSION_CONTEXT = {**CONTEXT, "ignore_unknown_options": True}
EX_IOERR = 74
SIGNAL_EXITS = {signal.SIGTERM: 143, signal.SIGHUP: 129}


def _say(message: str) -> None:
    """A line on stderr, whatever state stdout is in."""
    try:
        os.write(2, (message.rstrip("\n") + "\n").encode("utf-8", "replace"))
    except OSError:
        pass


def fail(exc: Exception) -> None:
    """Report a user-facing error on stderr and exit 2."""
    from diffcompare.errors import ParseError

    message = f"error: {exc.pointed() if isinstance(exc, ParseError) else exc}"
    click.echo(message, err=True)
    sys.exit(2)


def _end(message: str, status: int) -> None:
    """End the command now: every worker stopped and reaped, every half-written file
    removed, one line on stderr."""
    from diffcompare.runtime.limits import REAL_EXIT
    from diffcompare.runtime.output import remove_pending
    from diffcompare.runtime.workers import stop_all

    stop_all()
    remove_pending()
    _say(message)
    REAL_EXIT(status)  # not os._exit: the user's code may be running, with that one refused


def _on_signal(signum, frame) -> None:
    _end(f"{signal.Signals(signum).name.lower().removeprefix('sig')}: stopped",
         SIGNAL_EXITS[signum])


def _runaway(message: str) -> None:
    _end(f"error: {message}", 2)


def _io_failed(exc: OSError) -> None:
    """Standard output cannot be written: closed, or a full disk (a message and 74), or a
    pipe whose reader is gone (`| head`: quietly, as SIGPIPE would end it, 141)."""
    import errno

    try:  # Python would try to flush the rest again at exit: send it nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    except OSError:
        pass
    if exc.errno == errno.EPIPE:
        sys.exit(128 + signal.SIGPIPE)
    _say(f"error: cannot write the output: {exc.strerror or exc}")
    sys.exit(EX_IOERR)


class Commands(click.Group):
    """A group whose commands turn the library's errors into clean exit-2 messages."""

    def main(self, args=None, *rest, **kwargs):
        if sys.stdout is None:  # started with standard output closed (>&-)
            _say("error: cannot write the output: standard output is closed")
            sys.exit(EX_IOERR)
        try:
            return super().main(args, *rest, **kwargs)
        except SystemExit as done:
            if args is None:  # the process's own command line (not a caller's, as tests')
                _exit_now(done.code)
            raise

    def invoke(self, ctx: click.Context):
        from diffcompare.errors import DiffcompareError
        from diffcompare.runtime import limits

        for number in SIGNAL_EXITS:
            signal.signal(number, _on_signal)
        limits.hard_stop = _runaway
        limits.cap_memory()
        _quiet_floating_point()
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()
            return result
        except DiffcompareError as exc:
            fail(exc)
        except KeyboardInterrupt:  # Ctrl-C: workers are stopped by their own cleanup
            click.echo("interrupted", err=True)
            sys.exit(130)
        except MemoryError:
            _say("error: out of memory (the computation needed more than the machine, or "
                 "the limit, allows)")
            sys.exit(2)
        except OSError as exc:
            if exc.errno is None or not _is_stdout_error(exc):
                raise
            _io_failed(exc)


def _exit_now(code) -> None:
    """End the process as soon as the command is done: its output flushed, its workers
    stopped, every atexit function run (multiprocessing's, a user's program's), and not
    Python's teardown after them, which frees every object the imports made one by one:
    0.09-0.19 s of a 0.4-0.5 s run once sympy is loaded, waited for after the last line is
    out. Only with the main thread alone (a server's threads end as Python ends them) and
    an exit status that is a number (Python prints any other)."""
    run_atexit = getattr(atexit, "_run_exitfuncs", None)  # (CPython's: what its exit calls)
    if run_atexit is None or not (code is None or isinstance(code, int)) or \
            threading.active_count() > 1:
        return
    if not _flushed():  # (Python's own exit reports it, as it always has)
        return
    workers = sys.modules.get("diffcompare.runtime.workers")
    if workers is not None:
        workers.stop_all()
    run_atexit()
    _flushed()  # (what the atexit functions wrote)
    from diffcompare.runtime.limits import REAL_EXIT

    REAL_EXIT(code or 0)


def _flushed() -> bool:
    """Standard output and error written out; False where they cannot be."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return False
    return True


def _quiet_floating_point() -> None:
    """numpy's floating-point warnings never reach the terminal: where they matter, a
    method reports them as its own warnings (analysis/compare.py catches them there)."""
    import warnings

    warnings.simplefilter("ignore", RuntimeWarning)
    if "numpy" in sys.modules:
        sys.modules["numpy"].seterr(all="ignore")


def _is_stdout_error(exc: OSError) -> bool:
    import errno

    return exc.errno in (errno.EPIPE, errno.ENOSPC, errno.EBADF, errno.EIO, errno.EDQUOT)


@click.group(cls=Commands, context_settings=CONTEXT)
@click.version_option(package_name="diffcompare")
def main() -> None:
    """Compare every way of differentiating a function: manual rules, symbolic (sympy),
    finite differences, and forward- and reverse-mode automatic differentiation, each
    against an exact reference, with its error and its cost.

    The function is a formula (parsed, never run) or a Python file, FILE.py[:NAME]: a file's
    code runs, as python FILE would run it, bounded by --budget (CPU seconds).

    \b
    Examples:
      diffcompare grad "3*(x1**2 + x2*x3)" --at 2,3,4
      diffcompare grad newton_sqrt.py --at a=2
    """
