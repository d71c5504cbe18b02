"""Output files: safe names and atomic writes.

An export interrupted at any moment leaves either the old file or the new one, never half of
one: we write a temporary file in the same folder, flush it to disk, then rename it over.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

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


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` all at once; owner-only, since plans are health data.

    Ctrl-C is held off for the few milliseconds this takes (in the main thread), so it can
    never land between creating the temporary file and removing or renaming it.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        _atomic_write(path, data, mode)
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        _atomic_write(path, data, mode)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _atomic_write(path: Path, data: bytes, mode: int) -> None:
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"{folder}: cannot write here: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportError(f"{path}: cannot write: {exc.strerror}") from None
        raise
