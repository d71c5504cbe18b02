"""The ``iopcli`` console script: the crisis card first, the full CLI for everything else.

A person in crisis must not wait for imports. Loading the Typer app costs more than the card
itself (Typer also loads pydantic to convert arguments), so the plain forms of
``iopcli [--home DIR] crisis [PLAN] [--plain] [--lang en|es]`` are served here directly; any
other form, ``--help`` included, goes to :mod:`iopcli.cli`, which implements the same command.
"""

from __future__ import annotations

import errno
import os
import sys


def crisis_arguments(
    args: list[str],
) -> tuple[str | None, str | None, bool, str | None] | None:
    """(home, plan, plain, lang) when ``args`` is a plain crisis call; None for anything else
    (an unknown ``--lang`` too: the full CLI explains)."""
    home = None
    if args[:1] == ["--home"] and len(args) >= 2:
        home, args = args[1], args[2:]
    elif args and args[0].startswith("--home="):
        home, args = args[0].split("=", 1)[1], args[1:]
    if not args or args[0] != "crisis":
        return None
    from iopcli.i18n import LANGUAGES

    plan, plain, lang = None, False, None
    rest = args[1:]
    while rest:
        arg, rest = rest[0], rest[1:]
        if arg == "--plain" and not plain:
            plain = True
        elif arg.startswith("--lang=") and lang is None:
            lang = arg.split("=", 1)[1]
        elif arg == "--lang" and lang is None and rest:
            lang, rest = rest[0], rest[1:]
        elif not arg.startswith("-") and plan is None:
            plan = arg
        else:
            return None  # --help, unknown options, extra arguments: the full CLI explains
    if lang is not None and lang not in LANGUAGES:
        return None
    return home, plan, plain, lang


def main() -> None:
    from iopcli.screens import adapt_streams

    adapt_streams()  # a terminal that is not UTF-8 gets ASCII stand-ins, never a crash
    call = crisis_arguments(sys.argv[1:])
    if call is None:
        sys.exit(_full_cli())
    home, plan, plain, lang = call
    from pathlib import Path

    from iopcli.crisis import load_card
    from iopcli.i18n import asked_for, language
    from iopcli.screens import OutputError, print_crisis

    failed: OSError | None = None
    try:
        with asked_for(lang):
            card = load_card(plan, Path(home) if home else None)
        with language(card.language):
            print_crisis(card, plain)
    except OutputError as exc:  # rich met a failing stdout (and has silenced it)
        _say(str(exc))
        sys.exit(1)
    except OSError as exc:
        failed = exc
    code = _finish(0)
    if code == 0 and failed is not None and not isinstance(failed, BrokenPipeError):
        _silence_stdout()
        _say(f"iopcli: cannot write to standard output: {failed.strerror or 'failed'}")
        code = 1
    sys.exit(code)


_WRITE_ERRORS = {errno.ENOSPC, errno.EIO, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _full_cli() -> int | str | None:
    """Run the Typer app; its exit code, after making sure its output was written."""
    from iopcli.cli import main as full_cli

    try:
        full_cli()
    except SystemExit as exc:
        code = exc.code
    except OSError as exc:
        # Every command reports its own errors; what escapes is the help or a usage message
        # failing to reach a full disk or a closed pipe (rich writes and flushes as it goes).
        if isinstance(exc, BrokenPipeError):
            _silence_stdout()
            return 0
        if exc.errno in _WRITE_ERRORS or not _stdout_works():
            _silence_stdout()
            _say(f"iopcli: cannot write to standard output: {exc.strerror}")
            return 1
        if os.environ.get("IOPCLI_DEBUG"):
            raise
        _say(f"iopcli: internal error ({type(exc).__name__}); set IOPCLI_DEBUG=1 for details")
        return 1
    else:
        code = 0
    return _finish(code) if code in (0, None) else _finish(code, keep=True)


def _finish(code: int | str | None, keep: bool = False) -> int | str | None:
    """Flush stdout and say, in one line, if it could not be written: a full disk gives exit
    1; a reader that went away (``| head -1``) is not an error. ``keep`` keeps a failing
    command's own code."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as exc:
        _silence_stdout()
        _say(f"iopcli: cannot write to standard output: {exc.strerror or type(exc).__name__}")
        return code if keep else 1
    return code


def _stdout_works() -> bool:
    try:
        sys.stdout.flush()
    except OSError:
        return False
    return True


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's own last flush at exit cannot
    fail again (that would print "Exception ignored ..." and change the exit code)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _say(line: str) -> None:
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
