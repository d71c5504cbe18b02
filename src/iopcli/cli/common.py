"""What every command group shares: the error funnel, the home folder and the common arguments.

Every :class:`~iopcli.errors.IopcliError` becomes its message on stderr and its exit code here,
in one place (:func:`reports_errors`); a user never sees a traceback. Only Typer and the
standard library are imported at module level: the command groups are loaded on every start.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from iopcli.cli import completion as complete
from iopcli.config import MAX_REMIND_MINUTES
from iopcli.errors import IopcliError

F = TypeVar("F", bound=Callable[..., Any])


class _Session:
    """What the top-level options chose for this invocation (set by the app's callback)."""

    home: Path | None = None


session = _Session()


def home() -> Path | None:
    """The folder given with ``--home`` (or ``IOPCLI_HOME``); None for the default."""
    return session.home


def err(line: str) -> None:
    sys.stderr.write(line + "\n")


def reports_errors(command: F) -> F:
    """Turn library errors into one-line messages and exit codes; never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except IopcliError as exc:
            for line in exc.lines():
                err(line)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err("iopcli: interrupted")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # The reader went away (| head): stop quietly, like other command-line tools.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(141) from None
        except (typer.Exit, typer.Abort):
            raise
        except OSError as exc:
            if exc.errno not in _WRITE_ERRORS:
                raise _internal(exc) from None
            # Standard output went to a full disk (show --plain > /dev/full): say so once.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            err(f"iopcli: cannot write to standard output: {exc.strerror}")
            raise typer.Exit(1) from None
        except Exception as exc:
            raise _internal(exc) from None

    return wrapper  # type: ignore[return-value]


_WRITE_ERRORS = {errno.ENOSPC, errno.EIO, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _internal(exc: Exception) -> typer.Exit:
    """A bug, not the user's doing: the error's type only (its text may quote a plan)."""
    if os.environ.get("IOPCLI_DEBUG"):
        raise exc
    err(f"iopcli: internal error ({type(exc).__name__}); set IOPCLI_DEBUG=1 for details")
    return typer.Exit(1)


# Tab completion (cli.completion): stored plans by name and id, files where files go.
StoredPlan = Annotated[
    str,
    typer.Argument(help="Stored plan: id, id prefix or name.", autocompletion=complete.stored_plan),
]
PlanArgument = Annotated[
    str | None,
    typer.Argument(
        help="A plan file or a stored plan (default: the only or the default stored plan).",
        show_default=False,
        autocompletion=complete.plan_or_file,
    ),
]
PlainOption = Annotated[
    bool, typer.Option("--plain", help="Plain text: no colour, boxes or symbols.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON for scripts.")]
# The language of what the person reads (iopcli.i18n); interview and errors stay English.
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of what the person reads: en or es (default: the plan's"
        " person.language when it is Spanish, else English).",
        show_default=False,
    ),
]


def asked_language(value: str | None) -> str | None:
    """``--lang`` checked: None (each plan's own language) or a language iopcli writes."""
    from iopcli.i18n import LANGUAGES

    if value is None or value in LANGUAGES:
        return value
    from iopcli.errors import UsageError

    raise UsageError(f"--lang: {value!r} is not one of {', '.join(LANGUAGES)}")


PlanFiles = Annotated[
    list[str],
    typer.Argument(
        help="Plan files (.yaml, .yml, .json); - for stdin.", autocompletion=complete.files
    ),
]

# The calendar's options, the same for `export` and `publish`.
HorizonOption = Annotated[
    int,
    typer.Option(
        "--horizon-days", min=1, max=3660, help="How far after discharge repeating events run."
    ),
]
RemindOption = Annotated[
    int | None,
    typer.Option(
        "--remind",
        min=0,
        max=MAX_REMIND_MINUTES,
        help="Reminder, in minutes before each event (default: the remind_minutes setting,"
        " else 60).",
        show_default=False,
    ),
]
NoAlarmsOption = Annotated[
    bool, typer.Option("--no-alarms", help="Put no reminders in the calendar.")
]
