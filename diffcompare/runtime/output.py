"""Output written so that a failure loses nothing: every file goes to a temporary file
beside its target and is renamed into place (atomic on one filesystem), so a failed or
interrupted write leaves the old file as it was; the caller is told when an existing file
was replaced. Temporary files still open when a signal ends the command are removed.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from diffcompare.errors import InputError

_PENDING: set[str] = set()  # temporary files being written: removed if the command is killed


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """A temporary path beside ``target`` (same suffix) to write to; renamed onto the target
    when the block ends without an error, removed otherwise."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if target.exists() and not target.is_file():
        raise InputError(f"cannot write {target}: it is not a regular file")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix,
                                        dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    os.close(handle)
    _PENDING.add(name)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(name, 0o666 & ~mask)  # as an ordinary new file would be, not mkstemp's 0600
    try:
        yield Path(name)
        os.replace(name, target)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        _PENDING.discard(name)
        with contextlib.suppress(OSError):
            os.unlink(name)


def write_file(target: str | Path, content) -> bool:
    """Write ``content`` (text, bytes, chunks of text, or a function that writes a file at a
    path) to ``target`` atomically; True when an existing file was replaced."""
    existed = Path(target).exists()
    with atomic_path(target) as path:
        if callable(content):
            content(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            with path.open("w", encoding="utf-8") as handle:
                for chunk in content:
                    handle.write(chunk)
    return existed


def remove_pending() -> None:
    """Remove every temporary file still being written (a signal is ending the command)."""
    for name in list(_PENDING):
        with contextlib.suppress(OSError):
            os.unlink(name)
        _PENDING.discard(name)
