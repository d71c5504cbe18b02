"""The ``iopcli`` command: parses arguments, calls the library, renders results.

No logic lives here. Heavy modules (pydantic models, icalendar, the exporters) are imported
inside the commands that need them, so ``--help`` and the crisis card start fast. Every
:class:`~iopcli.errors.IopcliError` becomes its message on stderr and its exit code, in one
place (:func:`_reports_errors`); a user never sees a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from iopcli import __version__
from iopcli.errors import IopcliError

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="iopcli",
    help="Aftercare plans for people stepping down from an Intensive Outpatient Program.",
    no_args_is_help=True,
    add_completion=False,
    # Locals in a traceback could hold someone's health information: never show them.
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def _reports_errors(command: F) -> F:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except IopcliError as exc:
            for line in exc.lines():
                _err(line)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            _err("iopcli: interrupted")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if os.environ.get("IOPCLI_DEBUG"):
                raise
            # The type only: an exception's text may quote someone's plan.
            _err(f"iopcli: internal error ({type(exc).__name__}); set IOPCLI_DEBUG=1 for details")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        print(f"iopcli {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Aftercare plans for people stepping down from an Intensive Outpatient Program."""


@app.command()
@_reports_errors
def validate(
    files: Annotated[
        list[str], typer.Argument(help="Plan files (.yaml, .yml, .json); - for stdin.")
    ],
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Also warn about gaps a clinician would fix before discharge."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON report for scripts.")] = False,
) -> None:
    """Check plan files and report every problem with its line."""
    from iopcli.completeness import check
    from iopcli.errors import PlanFileError
    from iopcli.planfile import read_plan_file

    report = []
    failed = False
    for name in files:
        entry: dict[str, Any] = {"file": name, "ok": True, "errors": [], "warnings": []}
        try:
            loaded = read_plan_file(name)
        except PlanFileError as exc:
            entry["ok"], failed = False, True
            entry["errors"] = [vars(p) | {"line": p.line} for p in exc.problems]
            lines = exc.lines()
        else:
            warnings = [loaded.locate(p) for p in check(loaded.plan)] if strict else []
            entry["warnings"] = [vars(p) | {"line": p.line} for p in warnings]
            if warnings:
                entry["ok"], failed = False, True
            lines = [
                w.render(name).replace(": ", ": warning: ", 1) if w.path else w.render(name)
                for w in warnings
            ]
            lines = [_warning_line(w, name) for w in warnings] or [f"{name}: ok"]
        report.append(entry)
        if not as_json:
            for line in lines:
                print(line)
    if as_json:
        print(json.dumps(report, indent=2))
    if failed:
        raise typer.Exit(1)


def _warning_line(problem: Any, source: str) -> str:
    where = source if problem.line is None else f"{source}:{problem.line}"
    return f"{where}: {problem.path}: warning: {problem.message}"


@app.command()
@_reports_errors
def schema() -> None:
    """Print the JSON Schema of a plan file."""
    from iopcli.model import AftercarePlan

    print(json.dumps(AftercarePlan.model_json_schema(mode="validation"), indent=2))


@app.command()
@_reports_errors
def export(
    plans: Annotated[
        list[str], typer.Argument(help="Plan files (.yaml, .yml, .json); - for stdin.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")] = Path("out"),
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated: md, ics, json, yaml.")
    ] = "md,ics",
    horizon_days: Annotated[
        int,
        typer.Option(
            "--horizon-days", min=1, max=3660, help="How far after discharge repeating events run."
        ),
    ] = 90,
    remind: Annotated[
        int,
        typer.Option("--remind", min=0, max=10080, help="Reminder, in minutes before each event."),
    ] = 60,
    no_alarms: Annotated[
        bool, typer.Option("--no-alarms", help="Put no reminders in the calendar.")
    ] = False,
    discreet: Annotated[
        bool | None,
        typer.Option(
            "--discreet/--not-discreet",
            help="Calendar titles name no fellowship, medication or clinic"
            " (default: the plan's setting).",
        ),
    ] = None,
    hide_addresses: Annotated[
        bool, typer.Option("--hide-addresses", help="Leave addresses out of calendar events.")
    ] = False,
    paper: Annotated[
        bool, typer.Option("--paper", help="Handout with lists instead of tables.")
    ] = False,
    name: Annotated[
        str | None,
        typer.Option("--name", help="File name to use instead of name-and-id (one plan only)."),
    ] = None,
    previous: Annotated[
        str | None,
        typer.Option(
            "--previous",
            help="The plan as last exported: events for items removed since are cancelled.",
        ),
    ] = None,
) -> None:
    """Write each plan as a Markdown handout and an iCalendar file (and JSON/YAML on request)."""
    from iopcli.errors import PlanFileError, UsageError
    from iopcli.export import ExportOptions, export_plan, parse_formats
    from iopcli.ics import IcsOptions
    from iopcli.markdown import MarkdownOptions
    from iopcli.planfile import read_plan

    if name is not None and len(plans) > 1:
        raise UsageError("--name works with one plan only")
    options = ExportOptions(
        formats=parse_formats(formats),
        ics=IcsOptions(
            horizon_days=horizon_days,
            remind_minutes=None if no_alarms else remind,
            discreet=discreet,
            show_address=not hide_addresses,
        ),
        markdown=MarkdownOptions(paper=paper),
        name=name,
        previous=read_plan(previous) if previous else None,
    )
    failed = 0
    for source in plans:
        try:
            written = export_plan(read_plan(source), out, options)
        except PlanFileError as exc:
            failed += 1
            for line in exc.lines():
                _err(line)
            continue
        for path in written:
            print(path)
    if failed:
        _err(f"iopcli: {failed} of {len(plans)} plans not exported")
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="iopcli")
