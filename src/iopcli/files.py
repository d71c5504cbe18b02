"""Output files: safe names and atomic writes.

An export interrupted at any moment leaves either the old file or the new one, never half of
one: we write a temporary file in the same folder, flush it to disk, then rename it over.
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from iopcli.errors import ExportError

MAX_NAME = 80  # characters
MAX_NAME_BYTES = 120  # and bytes: room for the extension and a temporary suffix within 255


def safe_name(name: str) -> str:
    """A file name (without extension) safe on every OS: no separators, controls or leading dots."""
    normal = unicodedata.normalize("NFKC", name)
    cleaned = "".join(ch if ch.isprintable() else "-" for ch in normal)
    cleaned = re.sub(r'[\\/:*?"<>|\s]+', "-", cleaned).strip("-. ")
    cleaned = cleaned[:MAX_NAME].encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", "ignore")
    cleaned = cleaned.rstrip("-. ")
    reserved = {"con", "prn", "aux", "nul"} | {
        f"{p}{i}" for p in ("com", "lpt") for i in range(1, 10)
    }
    # Windows reserves these names with any extension too: CON, con.txt, Com1.tar.gz.
    if not cleaned or cleaned.split(".")[0].lower() in reserved:
        cleaned = f"plan-{cleaned}" if cleaned else "plan"
    return cleaned


# Signals that end a run politely (Ctrl-C, `kill`, a closed terminal): held off while a file
# is being written, so none can land between creating a temporary file and renaming it.
HELD_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold off :data:`HELD_SIGNALS` for the duration: one that arrives meanwhile is noted and
    handed to the handler in place once the block is over.

    Python runs signal handlers in the main thread only, so swapping the handlers there holds
    a signal whichever thread the OS delivers it to (a signal mask would not: rich's progress
    bar runs a thread of its own), and it works on Windows, which has no signal masks. In any
    other thread there is nothing to hold: no handler runs there."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous: dict[int, Any] = {}
    for signum in HELD_SIGNALS:
        try:
            previous[signum] = signal.signal(signum, lambda number, _frame: arrived.append(number))
        except (OSError, ValueError):  # not every signal can be caught everywhere
            continue
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        for signum in dict.fromkeys(arrived):
            _deliver(signum, previous.get(signum))


def _deliver(signum: int, handler: Any) -> None:
    """Give a held signal to the handler that was in place when it arrived."""
    if callable(handler):
        handler(signum, None)
    elif handler == signal.SIG_IGN:
        return
    elif signum == signal.SIGINT:
        raise KeyboardInterrupt
    else:
        signal.raise_signal(signum)


def make_folder(folder: Path) -> None:
    """Create ``folder`` and any missing parents owner-only (0700): file names alone (a
    person's name) are health information. Existing folders are left as they are."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        os.chmod(path, 0o700)  # exactly owner-only, whatever the umask


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` all at once; owner-only, since plans are health data.

    Ctrl-C (and SIGTERM, SIGHUP) is held off for the few milliseconds this takes, so it can
    never land between creating the temporary file and removing or renaming it.
    """
    atomic_write_many([(path, data)], mode)


def atomic_write_many(files: Sequence[tuple[Path, bytes]], mode: int = 0o600) -> None:
    """Write several files as one: all of them, or (when one cannot be written, say on a full
    disk) none. Every temporary file is written and flushed to disk before the first rename."""
    with signals_held():
        staged: list[tuple[str, Path]] = []
        try:
            for path, data in files:
                staged.append((_stage(path, data, mode), path))
        except BaseException:
            for tmp, _ in staged:
                Path(tmp).unlink(missing_ok=True)
            raise
        _commit(staged)


def _stage(path: Path, data: bytes, mode: int) -> str:
    """A flushed temporary file beside ``path`` holding ``data``; its name."""
    folder = path.parent
    try:
        make_folder(folder)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"{folder}: cannot write here: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportError(f"{path}: cannot write: {exc.strerror}") from None
        raise
    return tmp


def _commit(staged: list[tuple[str, Path]]) -> None:
    """Rename every temporary file over its target. If a rename fails, the files this call
    created are taken away again (a file it replaced cannot be brought back)."""
    created: list[Path] = []
    for number, (tmp, path) in enumerate(staged):
        existed = os.path.lexists(path)
        try:
            os.replace(tmp, path)
        except BaseException as exc:
            for rest, _ in staged[number:]:
                Path(rest).unlink(missing_ok=True)
            for new in created:
                new.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise ExportError(f"{path}: cannot write: {exc.strerror}") from None
            raise
        if not existed:
            created.append(path)
