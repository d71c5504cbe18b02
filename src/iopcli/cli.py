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
        except BrokenPipeError:
            # The reader went away (| head): stop quietly, like other command-line tools.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(141) from None
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
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            envvar="IOPCLI_HOME",
            help="Folder of the plan store (default: your user data folder).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Aftercare plans for people stepping down from an Intensive Outpatient Program."""
    if home is not None:
        os.environ["IOPCLI_HOME"] = str(home)  # one place every command reads it from


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
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="With --strict: check as if today were this date (YYYY-MM-DD), e.g. discharge.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check plan files and report every problem with its line."""
    import datetime as dt

    from iopcli.completeness import check
    from iopcli.errors import PlanFileError, UsageError
    from iopcli.planfile import read_plan_file

    try:
        today = dt.date.fromisoformat(as_of) if as_of is not None else None
    except ValueError:
        raise UsageError(f"--as-of: {as_of!r} is not a date like 2027-03-01") from None

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
            warnings = [loaded.locate(p) for p in check(loaded.plan, today)] if strict else []
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
        list[str] | None,
        typer.Argument(
            help="Plan files, folders (searched for .yaml/.yml/.json), stored plans, or - for"
            " JSON Lines on stdin.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")] = Path("out"),
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated: md, ics, json, yaml.")
    ] = "md,ics",
    all_stored: Annotated[
        bool, typer.Option("--all", help="Every stored (not archived) plan.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            max=256,
            help="Parallel processes (default: CPUs).",
            show_default=False,
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Write a JSON record of every input here.", show_default=False
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only errors and the summary.")
    ] = False,
    horizon_days: Annotated[
        int,
        typer.Option(
            "--horizon-days", min=1, max=3660, help="How far after discharge repeating events run."
        ),
    ] = 90,
    remind: Annotated[
        int | None,
        typer.Option(
            "--remind",
            min=0,
            max=10080,
            help="Reminder, in minutes before each event (default: the remind_minutes setting,"
            " else 60).",
            show_default=False,
        ),
    ] = None,
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
    """Write plans as Markdown handouts and iCalendar files, many at once if asked."""
    from iopcli.batch import count_inputs, run_batch, tasks
    from iopcli.errors import UsageError
    from iopcli.export import ExportOptions, parse_formats
    from iopcli.files import atomic_write
    from iopcli.ics import IcsOptions
    from iopcli.markdown import MarkdownOptions
    from iopcli.sources import PlanSource

    refs = list(plans or [])
    if not refs and not all_stored:
        raise UsageError("name plans to export (files, folders, stored plans, -) or use --all")
    single = len(refs) == 1 and not all_stored and refs[0] != "-" and not Path(refs[0]).is_dir()
    if name is not None and not single:
        raise UsageError("--name works with one plan only")
    sources = PlanSource()
    options = ExportOptions(
        formats=parse_formats(formats),
        ics=IcsOptions(
            horizon_days=horizon_days,
            remind_minutes=None if no_alarms else (remind if remind is not None else _remind()),
            discreet=discreet,
            show_address=not hide_addresses,
        ),
        markdown=MarkdownOptions(paper=paper),
        name=name,
        previous=sources.load(previous) if previous else None,
    )
    if all_stored:
        refs += [p.id for p in sources.store.plans()]
    _check_writable(out)

    def stored(ref: str) -> tuple[str, Any]:
        plan_id = sources.store.resolve(ref)
        return plan_id, sources.store.body(plan_id)

    workers = jobs or os.cpu_count() or 1
    interactive = sys.stderr.isatty() and not quiet
    known = count_inputs(refs, out) if interactive else None

    def error_lines(record: Any) -> list[str]:
        return list(record.errors)  # each already names its input

    def on_error(record: Any) -> None:
        for line in error_lines(record):
            _err(line)

    try:
        if interactive and (known is None or known > 1):
            result = _with_progress(
                run_batch, tasks(refs, stored, out), out, options, workers, known, error_lines
            )
        else:
            result = run_batch(tasks(refs, stored, out), out, options, workers, on_error)
    finally:
        sources.close()
    if report is not None:
        data = json.dumps(result.report(workers), indent=2, ensure_ascii=False) + "\n"
        atomic_write(report, data.encode("utf-8"))
    if interactive and len(result.records) <= 10:
        for record in result.records:
            for path in record.outputs:
                print(path)
    summary = (
        f"exported {result.exported} of {len(result.records)} plans ({result.files} files)"
        f" to {out} in {result.elapsed:.1f} s"
    )
    if result.failed:
        summary += f"; {result.failed} failed"
    if result.interrupted:
        summary = "interrupted: " + summary
    _err(f"iopcli: {summary}")
    if result.interrupted:
        raise typer.Exit(130)
    if result.failed:
        raise typer.Exit(1)


def _remind() -> int:
    """The clinic's default reminder (iopcli config set remind_minutes N), else 60 minutes."""
    from iopcli.config import read_config

    value = read_config().get("remind_minutes")
    return value if isinstance(value, int) and 0 <= value <= 10080 else 60


def _check_writable(out: Path) -> None:
    """Refuse an output folder that cannot be made or written, before any work (and without
    creating anything)."""
    from iopcli.errors import ExportError

    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ExportError(f"{out}: cannot write here: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ExportError(f"{out}: cannot write here: {existing} is not writable")


def _with_progress(
    run: Any, work: Any, out: Path, options: Any, jobs: int, total: int | None, errors: Any
) -> Any:
    """Run the batch under a progress bar on stderr: counts, rate and time left."""
    import time

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = [
        TextColumn("exporting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    console = Console(stderr=True, highlight=False, markup=False)
    with Progress(*columns, console=console, transient=True) as progress:
        bar = progress.add_task("export", total=total, rate="")
        started = time.perf_counter()

        def step(record: Any) -> None:
            for line in errors(record):
                progress.console.print(line)
            done = progress.tasks[0].completed + 1
            rate = done / max(time.perf_counter() - started, 1e-6)
            progress.update(bar, advance=1, rate=f"{rate:.0f} plans/s")

        return run(work, out, options, jobs, step)


# --- the plan store ------------------------------------------------------------------------


def _console() -> Any:
    from rich.console import Console

    # markup=False: a plan's text ("[x]") is shown as typed, never read as rich markup.
    return Console(highlight=False, markup=False)


def _when(moment: Any) -> str:
    """A stored UTC time in this machine's local time, to the minute."""
    return str(moment.astimezone().strftime("%Y-%m-%d %H:%M"))


@app.command("import")
@_reports_errors
def import_(
    files: Annotated[
        list[str], typer.Argument(help="Plan files (.yaml, .yml, .json); - for stdin.")
    ],
) -> None:
    """Check plan files and save each in the store as a new revision."""
    from iopcli.planfile import read_plan
    from iopcli.store import open_store

    failed = 0
    with open_store() as store:
        for name in files:
            try:
                plan = read_plan(name)
                result = store.save(plan, source=f"import {Path(name).name}")
            except IopcliError as exc:
                failed += 1
                for line in exc.lines():
                    _err(line)
                continue
            what = f"revision {result.revision}" if result.changed else "unchanged"
            print(f"{name}: {plan.id[:8]} {plan.person.name}: {what}")
    if failed:
        raise typer.Exit(1)


@app.command("list")
@_reports_errors
def list_(
    include_archived: Annotated[
        bool, typer.Option("--all", help="Include archived plans.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """The stored plans: id, name, discharge date, last change, revisions."""
    from iopcli.store import NotFoundError, open_store

    try:
        store = open_store(create=False)
    except NotFoundError:
        plans = []
    else:
        with store:
            plans = store.plans(include_archived)
    if as_json:
        rows = [
            {
                "id": p.id,
                "name": p.name,
                "discharge_date": p.discharge_date.isoformat(),
                "last_change": p.last_change.isoformat(),
                "revisions": p.revisions,
                "archived": p.archived,
            }
            for p in plans
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not plans:
        print("No plans stored yet. Add one with: iopcli import FILE")
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("id", "name", "discharged", "last change", "revisions"):
        table.add_column(column)
    for p in plans:
        name = p.name + (" (archived)" if p.archived else "")
        table.add_row(
            p.id[:8], name, p.discharge_date.isoformat(), _when(p.last_change), str(p.revisions)
        )
    _console().print(table)


@app.command()
@_reports_errors
def history(
    plan: Annotated[str, typer.Argument(help="Stored plan: id, id prefix or name.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """Every revision of a stored plan: number, time, what changed."""
    from iopcli.store import open_store

    with open_store(create=False) as store:
        revisions = store.history(store.resolve(plan))
    if as_json:
        rows = [
            {
                "revision": r.number,
                "saved_at": r.saved_at.isoformat(),
                "source": r.source,
                "changes": r.changes,
            }
            for r in revisions
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("rev", "saved", "by", "changed"):
        table.add_column(column, overflow="fold")
    for r in revisions:
        table.add_row(str(r.number), _when(r.saved_at), r.source, _changes(r.changes))
    _console().print(table)


def _changes(paths: list[str], most: int = 4) -> str:
    shown = ", ".join(paths[:most])
    return shown + (f" and {len(paths) - most} more" if len(paths) > most else "")


@app.command()
@_reports_errors
def diff(
    plan: Annotated[str, typer.Argument(help="Stored plan: id, id prefix or name.")],
    old: Annotated[
        int | None, typer.Argument(help="Older revision (default: the one before).")
    ] = None,
    new: Annotated[
        int | None, typer.Argument(help="Newer revision (default: the current one).")
    ] = None,
) -> None:
    """What changed between two revisions, field by field."""
    from iopcli.store import flatten, open_store

    with open_store(create=False) as store:
        plan_id = store.resolve(plan)
        current = store.current_revision(plan_id)
        newer = new or current
        older = old if old is not None else max(newer - 1, 1)
        before = flatten(store.body(plan_id, older))
        after = flatten(store.body(plan_id, newer))
    print(f"{plan_id[:8]}: revision {older} -> {newer}")
    skip = ("created", "updated")
    paths = sorted(
        p for p in before.keys() | after.keys() if p not in skip and before.get(p) != after.get(p)
    )
    if not paths:
        print("no differences")
    for path in paths:
        if path not in before:
            print(f"+ {path}: {_shown(after[path])}")
        elif path not in after:
            print(f"- {path}: {_shown(before[path])}")
        else:
            print(f"~ {path}: {_shown(before[path])} -> {_shown(after[path])}")


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.replace("\n", " / ")


@app.command()
@_reports_errors
def restore(
    plan: Annotated[str, typer.Argument(help="Stored plan: id, id prefix or name.")],
    revision: Annotated[int, typer.Argument(help="The revision to bring back.")],
) -> None:
    """Make an old revision current again (as a new revision; nothing is lost)."""
    from iopcli.store import open_store

    with open_store(create=False) as store:
        result = store.restore(store.resolve(plan), revision)
    if result.changed:
        print(f"{result.plan_id[:8]}: revision {revision} restored as revision {result.revision}")
    else:
        print(f"{result.plan_id[:8]}: revision {revision} is already the current content")


def _set_archived(plan: str, archived: bool) -> None:
    from iopcli.store import open_store

    with open_store(create=False) as store:
        plan_id = store.resolve(plan)
        store.set_archived(plan_id, archived)
    print(f"{plan_id[:8]}: {'archived' if archived else 'back in the list'}")


@app.command()
@_reports_errors
def archive(
    plan: Annotated[str, typer.Argument(help="Stored plan: id, id prefix or name.")],
) -> None:
    """Hide a plan from `list` without losing anything."""
    _set_archived(plan, True)


@app.command()
@_reports_errors
def unarchive(
    plan: Annotated[str, typer.Argument(help="Stored plan: id, id prefix or name.")],
) -> None:
    """Bring an archived plan back into `list`."""
    _set_archived(plan, False)


@app.command()
@_reports_errors
def purge(
    plan: Annotated[str, typer.Argument(help="Stored plan: id, id prefix or name.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask; for scripts.")] = False,
) -> None:
    """Erase a plan and every revision of it for good (right to erasure)."""
    from iopcli.errors import UsageError
    from iopcli.store import open_store

    with open_store(create=False) as store:
        plan_id = store.resolve(plan)
        name = store.load(plan_id).person.name
        if not yes:
            if not sys.stdin.isatty():
                raise UsageError("purge asks to type the plan's name back; use --yes in scripts")
            count = store.current_revision(plan_id)
            revisions = "its only revision" if count == 1 else f"all {count} revisions"
            print(f"This erases {name}'s plan ({plan_id[:8]}) and {revisions}.")
            typed = input("Type the name to confirm: ")
            if typed.strip().casefold() != name.strip().casefold():
                _err("iopcli: the name did not match; nothing was erased")
                raise typer.Exit(1)
        store.purge(plan_id)
    print(f"{plan_id[:8]}: erased")


# --- the person at home ---------------------------------------------------------------------


def _plain(flag: bool) -> bool:
    from iopcli.screens import wants_plain

    return wants_plain(flag)


PlainOption = Annotated[
    bool, typer.Option("--plain", help="Plain text: no colour, boxes or symbols.")
]
PlanArgument = Annotated[
    str | None,
    typer.Argument(
        help="A plan file or a stored plan (default: the only or the default stored plan).",
        show_default=False,
    ),
]
SECTIONS = {
    "crisis": "If you are in crisis",
    "week": "My week",
    "relapse": "Staying on track",
    "safety": "My safety plan",
    "medications": "My medications",
    "resources": "Help in your community",
    "contacts": "People who support me",
    "goals": "My goals",
    "notes": "Notes",
}


@app.command()
@_reports_errors
def crisis(plan: PlanArgument = None, plain: PlainOption = False) -> None:
    """One screen: warning signs, coping steps, people and crisis lines to call."""
    # The console script serves the plain forms of this command without loading this module
    # (iopcli.launch); both draw the same card.
    from iopcli.crisis import load_card
    from iopcli.screens import print_crisis

    print_crisis(load_card(plan), plain)


@app.command()
@_reports_errors
def show(
    plan: PlanArgument = None,
    section: Annotated[
        str | None,
        typer.Option("--section", "-s", help=f"Only one part: {', '.join(SECTIONS)}."),
    ] = None,
    plain: PlainOption = False,
) -> None:
    """The whole plan for reading in a terminal, crisis first."""
    from iopcli.errors import UsageError
    from iopcli.markdown import MarkdownOptions, plan_to_markdown
    from iopcli.sources import PlanSource

    if section is not None and section not in SECTIONS:
        raise UsageError(f"--section: {section!r} is not one of {', '.join(SECTIONS)}")
    sources = PlanSource()
    try:
        loaded = sources.load(plan)
    finally:
        sources.close()
    plain_text = _plain(plain)
    console = _console()
    # Tables only where they fit; lists read better on narrow screens and to screen readers.
    paper = plain_text or console.width < 120
    handout = plan_to_markdown(loaded, MarkdownOptions(paper=paper, links=False))
    if section is not None:
        handout = _section(handout, SECTIONS[section])
    if plain_text:
        from iopcli.plain import markdown_to_plain

        sys.stdout.write(markdown_to_plain(handout))
        return
    from rich.markdown import Markdown

    console.print(Markdown(handout, hyperlinks=False))


def _section(handout: str, title: str) -> str:
    parts = handout.split("\n## ")
    for part in parts[1:]:
        if part.startswith(title + "\n"):
            return "## " + part.rstrip() + "\n"
    return f"## {title}\n\nNothing in this part of the plan yet.\n"


@app.command()
@_reports_errors
def agenda(
    plan: PlanArgument = None,
    days: Annotated[int, typer.Option("--days", "-d", min=1, max=366, help="How many days.")] = 7,
    start: Annotated[
        str | None,
        typer.Option("--from", help="First day, YYYY-MM-DD (default: today).", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON with ISO 8601 times.")] = False,
    plain: PlainOption = False,
) -> None:
    """What is coming up: meetings, appointments, refills, the plan review."""
    import datetime as dt

    from iopcli.agenda import agenda as entries_for
    from iopcli.agenda import today_in
    from iopcli.errors import UsageError
    from iopcli.sources import PlanSource
    from iopcli.values import format_time

    sources = PlanSource()
    try:
        loaded = sources.load(plan)
    finally:
        sources.close()
    try:
        first = dt.date.fromisoformat(start) if start is not None else today_in(loaded)
    except ValueError:
        raise UsageError(f"--from: {start!r} is not a date like 2027-03-08") from None
    entries = entries_for(loaded, first, days)
    if as_json:
        report = {
            "plan": loaded.id,
            "timezone": loaded.timezone,
            "from": first.isoformat(),
            "days": days,
            "entries": [e.as_json() for e in entries],
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    if not entries:
        print(f"Nothing planned in the {days} days from {first:%A, %B} {first.day}.")
        return
    days_seen: dict[dt.date, list[tuple[str, str, str]]] = {}
    for entry in entries:
        when = (
            format_time(entry.start.time()) if isinstance(entry.start, dt.datetime) else "all day"
        )
        where = "; ".join(x for x in (entry.where, entry.link, entry.phone) if x)
        days_seen.setdefault(entry.day, []).append((when, entry.title, where))
    if _plain(plain):
        for number, (day, rows) in enumerate(days_seen.items()):
            print(("\n" if number else "") + f"{day:%A}, {day:%B} {day.day}")
            for when, title, details in rows:
                print(f"  {when}: {title}" + (f". {details}" if details else ""))
        return
    from rich.table import Table
    from rich.text import Text

    console = _console()
    for number, (day, rows) in enumerate(days_seen.items()):
        if number:
            console.print()
        console.print(Text(f"{day:%A}, {day:%B} {day.day}", style="bold"))
        grid = Table.grid(padding=(0, 2), pad_edge=True)
        grid.add_column(justify="right", no_wrap=True, min_width=8)
        grid.add_column(overflow="fold")
        for when, title, where in rows:
            body = Text(title)
            if where:
                body.append("\n" + where, style="dim")
            grid.add_row(Text(when), body)
        console.print(grid)


# --- the interview ---------------------------------------------------------------------------


def _needs_terminal(command: str) -> None:
    from iopcli.errors import UsageError

    if not sys.stdin.isatty():
        raise UsageError(
            f"iopcli {command} asks questions and needs a terminal; in scripts, write a plan"
            " file and use: iopcli import FILE"
        )


@app.command()
@_reports_errors
def new(
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the latest draft (or the one named).")
    ] = False,
    draft_id: Annotated[
        str | None, typer.Argument(help="With --resume: the draft to continue.", show_default=False)
    ] = None,
    template: Annotated[
        str | None,
        typer.Option("--from", help="Start from a plan file or template.", show_default=False),
    ] = None,
    plain: PlainOption = False,
) -> None:
    """Build a plan by answering questions, section by section; saved as you go."""
    from iopcli import drafts
    from iopcli.errors import UsageError

    _needs_terminal("new")
    if resume:
        found = drafts.load(draft_id) if draft_id else _latest_draft()
    elif draft_id:
        raise UsageError("a draft id goes with --resume")
    else:
        base = None
        if template:
            from iopcli.planfile import read_plan
            from iopcli.store import canonical

            loaded = canonical(read_plan(template))
            base = {k: v for k, v in loaded.items() if k not in ("id", "created", "updated")}
        found = drafts.start("new", template=base)
    _interview(found, plain)


def _latest_draft() -> Any:
    from iopcli import drafts
    from iopcli.errors import UsageError

    every = drafts.all_drafts()
    if not every:
        raise UsageError("there is no draft to resume (iopcli new starts one)")
    return every[-1]


@app.command()
@_reports_errors
def edit(
    plan: Annotated[str, typer.Argument(help="Stored plan: id, id prefix or name.")],
    section: Annotated[
        str | None,
        typer.Argument(help="Only this section (default: all of them).", show_default=False),
    ] = None,
    add: Annotated[
        list[str] | None,
        typer.Option(
            "--add",
            help="With meetings or resources: add this directory entry, no questions asked.",
            show_default=False,
        ),
    ] = None,
    plain: PlainOption = False,
) -> None:
    """Change a stored plan with the same questions, current answers as defaults."""
    from iopcli import drafts
    from iopcli.errors import UsageError
    from iopcli.interview import SECTION_KEYS
    from iopcli.store import open_store

    if section is not None and section not in SECTION_KEYS:
        raise UsageError(f"section {section!r} is not one of {', '.join(SECTION_KEYS)}")
    if add:
        if section not in ("meetings", "resources"):
            raise UsageError("--add goes with the meetings or resources section")
        _add_from_directory(plan, section, add)
        return
    _needs_terminal("edit")
    with open_store(create=False) as store:
        plan_id = store.resolve(plan)
        revision = store.current_revision(plan_id)
        name = store.load(plan_id).person.name
    found = drafts.start(
        "edit", plan_id=plan_id, base_revision=revision, section=section, label=name
    )
    _interview(found, plain)


def _add_from_directory(plan: str, section: str, refs: list[str]) -> None:
    """Copy directory entries into a plan: the plan keeps its own copy and the source."""
    from iopcli.directory import open_directory
    from iopcli.model import AftercarePlan
    from iopcli.store import open_store

    with open_store(create=False) as store, open_directory(create=False) as directory:
        plan_id = store.resolve(plan)
        revision = store.current_revision(plan_id)
        body = store.body(plan_id)
        items = body.setdefault(section, [])
        taken = {item.get("id") for item in items}
        for ref in refs:
            entry = directory.find(ref, kind=section[:-1])
            copy = dict(entry.data)
            base, n = copy["id"], 2
            while copy["id"] in taken:
                copy["id"], n = f"{base}-{n}", n + 1
            taken.add(copy["id"])
            items.append(copy)
            print(f"{section}: added {copy['name']} ({entry.source}:{entry.source_id})")
        result = store.save(
            AftercarePlan.model_validate(body),
            base=revision,
            source=f"added from the directory: {', '.join(refs)}",
        )
    print(f"{plan_id[:8]}: saved as revision {result.revision}")


def _interview(draft: Any, plain: bool) -> None:
    """Run (or resume) a draft to the end: review, save, offer the export."""
    from pydantic import ValidationError

    from iopcli.asking import TerminalAsker
    from iopcli.config import read_config
    from iopcli.interview import Interview, finish
    from iopcli.screens import wants_plain
    from iopcli.store import ConflictError, open_store

    asker = TerminalAsker(plain=wants_plain(plain))
    base: dict[str, Any] = draft.template or {}
    if draft.kind == "edit":
        with open_store(create=False) as store:
            base = store.body(draft.plan_id, draft.base_revision)
    interview = Interview(asker, draft, base, read_config(), lookup=_directory_lookup())
    resume_hint = f"Your answers are kept. Continue with: iopcli new --resume {draft.id}"
    try:
        data = interview.run(only=draft.section)
        name = data.get("person", {}).get("name")
        if name and draft.label != name:
            draft.label = str(name)
            draft.save()
        plan = finish(data)
        _review(asker, plan)
        # Not recorded in the draft: a "no" now must not become a "no" on every resume.
        answer = asker.ask("Save this plan? (y/n)", "y").strip().lower()
        if answer not in ("", "y", "yes"):
            asker.say(resume_hint)
            return
    except (KeyboardInterrupt, EOFError):
        asker.say("")
        asker.say(resume_hint)
        raise typer.Exit(130) from None
    except ValidationError as exc:
        from iopcli.planfile import error_message

        for error in exc.errors(include_url=False):
            path = ".".join(str(p) for p in error["loc"])
            asker.say(f"{path}: {error_message(error, tuple(error['loc']))}", "yellow")
        asker.say(resume_hint)
        raise typer.Exit(1) from None
    store = open_store()
    try:
        base_revision = draft.base_revision if draft.kind == "edit" else None
        result = store.save(plan, base=base_revision, source=f"interview ({draft.kind})")
    except ConflictError as exc:
        asker.say(exc.lines()[0], "yellow")
        # Your answers go on top of the newer version when you resume.
        with open_store(create=False) as latest:
            draft.base_revision = latest.current_revision(draft.plan_id)
        draft.save()
        asker.say(resume_hint + " (your answers will be applied to the newer version)")
        raise typer.Exit(1) from None
    finally:
        store.close()
    draft.delete()
    what = f"revision {result.revision}" if result.changed else "no changes"
    asker.say(f"Saved {plan.person.name}'s plan ({plan.id[:8]}): {what}.", "green")
    _offer_export(asker, plan.id)


def _directory_lookup() -> Any:
    """A search function over the local directory, if there is one."""
    from iopcli.directory import DB_NAME, open_directory
    from iopcli.store import default_home

    if not (default_home() / DB_NAME).exists():
        return None

    def lookup(kind: str, words: str) -> list[dict[str, Any]]:
        with open_directory(create=False) as directory:
            return [e.data for e in directory.search(words, kind=kind, limit=8)]

    return lookup


def _review(asker: Any, plan: Any) -> None:
    from rich.markdown import Markdown

    from iopcli.markdown import MarkdownOptions, plan_to_markdown

    handout = plan_to_markdown(plan, MarkdownOptions(paper=True, links=False))
    asker.say("")
    asker.say("Please read the plan through:", "bold")
    if asker.plain:
        from iopcli.plain import markdown_to_plain

        asker.say(markdown_to_plain(handout))
    else:
        asker.console.print(Markdown(handout, hyperlinks=False))


def _offer_export(asker: Any, plan_id: str) -> None:
    try:
        answer = asker.ask("Write the handout and calendar now? (y/n)", "y").strip().lower()
        if answer not in ("", "y", "yes"):
            return
        folder = asker.ask("Folder", "out").strip() or "out"
    except (KeyboardInterrupt, EOFError):
        return  # the plan is saved; the export can wait
    from iopcli.export import ExportOptions, export_plan
    from iopcli.store import open_store

    with open_store(create=False) as store:
        plan = store.load(plan_id)
    from iopcli.ics import IcsOptions

    options = ExportOptions(ics=IcsOptions(remind_minutes=_remind()))
    for path in export_plan(plan, Path(folder), options):
        asker.say(f"  {path}")


@app.command("drafts")
@_reports_errors
def drafts_command(
    delete: Annotated[
        str | None, typer.Option("--delete", help="Throw away this draft.", show_default=False)
    ] = None,
) -> None:
    """Interviews not finished yet: continue one with iopcli new --resume ID."""
    from iopcli import drafts

    if delete is not None:
        drafts.load(delete).delete()
        print(f"draft {delete} deleted")
        return
    every = drafts.all_drafts()
    if not every:
        print("No drafts.")
        return
    for d in every:
        what = "new plan" if d.kind == "new" else f"edit of {d.plan_id[:8] if d.plan_id else '?'}"
        if d.section:
            what += f" ({d.section})"
        label = f" for {d.label}" if d.label else ""
        print(
            f"{d.id}  {what}{label}, started {d.started[:16].replace('T', ' ')} UTC,"
            f" {len(d.answers)} answers"
        )


# --- the directory -------------------------------------------------------------------------

directory_app = typer.Typer(
    help="A local directory of meetings and resources from published feeds.", no_args_is_help=True
)
app.add_typer(directory_app, name="directory")


@directory_app.command("import")
@_reports_errors
def directory_import(
    feed: Annotated[
        Path,
        typer.Argument(
            help="Meeting Guide or BMLT JSON, or Open Referral (HSDS) JSON, CSV folder or zip."
        ),
    ],
    source: Annotated[
        str | None,
        typer.Option(
            "--source", help="Name of this feed (default: the file name).", show_default=False
        ),
    ] = None,
    fellowship: Annotated[
        str | None,
        typer.Option(
            "--fellowship",
            help="Fellowship of its meetings (default: AA for Meeting Guide, NA for BMLT).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Read a feed into the directory; re-importing updates it and records what disappeared."""
    from iopcli.directory import open_directory
    from iopcli.feeds import read_feed

    name = source or feed.stem
    read = read_feed(feed, name, fellowship)  # all of it first: an unreadable feed changes nothing
    with open_directory() as directory:
        result = directory.import_feed(read, name, str(feed))
    for line in read.skipped:
        _err(f"{feed}: skipped {line}")
    print(
        f"{feed}: {result.format} feed {name!r}: {result.added} added, {result.updated} updated,"
        f" {result.unchanged} unchanged, {len(result.removed)} removed,"
        f" {len(result.skipped)} skipped"
    )
    for gone in result.removed:
        print(f"  removed (no longer in the feed): {gone}")


@directory_app.command("search")
@_reports_errors
def directory_search(
    text: Annotated[
        str | None, typer.Argument(help="Words to look for.", show_default=False)
    ] = None,
    day: Annotated[
        str | None, typer.Option("--day", help="Meetings on this weekday.", show_default=False)
    ] = None,
    after: Annotated[
        str | None,
        typer.Option("--after", help="Starting at or after, e.g. 18:00.", show_default=False),
    ] = None,
    before: Annotated[
        str | None,
        typer.Option("--before", help="Starting at or before, e.g. 21:00.", show_default=False),
    ] = None,
    online: Annotated[
        bool | None,
        typer.Option(
            "--online/--in-person", help="Only online / only in person.", show_default=False
        ),
    ] = None,
    fellowship: Annotated[
        str | None,
        typer.Option("--fellowship", help="AA, NA, SMART Recovery, ...", show_default=False),
    ] = None,
    type_code: Annotated[
        str | None,
        typer.Option("--type", help="Meeting Guide type code, e.g. W, ONL.", show_default=False),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option("--category", help="Resource category, e.g. housing.", show_default=False),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=10000, help="At most this many.")
    ] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """Find meetings and resources: by words, day, time, online, fellowship, type or category."""
    from pydantic import TypeAdapter, ValidationError

    from iopcli.directory import open_directory
    from iopcli.errors import UsageError
    from iopcli.model import Fellowship, ResourceCategory
    from iopcli.values import Weekday, format_time, parse_time_of_day

    def parse(option: str, value: str | None, adapter: Any) -> Any:
        if value is None:
            return None
        try:
            return adapter(value)
        except ValidationError as exc:
            from iopcli.planfile import error_message

            reason = error_message(exc.errors(include_url=False)[0], (option,))
            raise UsageError(f"{option}: {reason}") from None
        except ValueError as exc:
            raise UsageError(f"{option}: {exc}") from None

    minutes = lambda v: (t := parse_time_of_day(v)).hour * 60 + t.minute  # noqa: E731
    kind = "meeting" if day or after or before or fellowship or type_code else None
    kind = "resource" if category else kind
    with open_directory(create=False) as directory:
        entries = directory.search(
            text,
            kind=kind,
            day=parse("--day", day, lambda v: TypeAdapter(Weekday).validate_python(v).value),
            after=parse("--after", after, minutes),
            before=parse("--before", before, minutes),
            online=online,
            fellowship=parse("--fellowship", fellowship, lambda v: _choice(Fellowship, v)),
            type_code=type_code,
            category=parse("--category", category, lambda v: _choice(ResourceCategory, v)),
            limit=limit,
        )
    if as_json:
        rows = [
            {
                "ref": e.ref,
                "kind": e.kind,
                "updated": e.updated.isoformat() if e.updated else None,
                "stale": e.stale(),
                "active": e.active,
                **e.data,
            }
            for e in entries
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not entries:
        print("Nothing found.")
        return
    for e in entries:
        flags = "".join(
            [
                " [stale: not verified in over a year]" if e.stale() else "",
                " [temporarily closed]" if not e.active else "",
            ]
        )
        d = e.data
        if e.kind == "meeting":
            from iopcli.model import Meeting

            meeting = Meeting.model_validate(d)
            days = ", ".join(day.label[:3] for day in meeting.days)
            where = "; ".join(
                x
                for x in (
                    d.get("location"),
                    d.get("address"),
                    "online" if d.get("online_url") else None,
                )
                if x
            )
            print(
                f"{e.ref}  {d['name']} ({meeting.fellowship.label}) {days}"
                f" {format_time(meeting.start)}  {where}{flags}"
            )
        else:
            where = "; ".join(x for x in (d.get("phone"), d.get("address")) if x)
            print(f"{e.ref}  {d['name']} [{d.get('category', 'other')}]  {where}{flags}")


def _choice(kind: Any, value: str) -> str:
    try:
        return str(kind(value).value)
    except ValueError:
        names = ", ".join(member.value for member in kind)
        raise ValueError(f"{value!r} is not one of {names}") from None


@app.command()
@_reports_errors
def refresh(
    plan: Annotated[str, typer.Argument(help="Stored plan: id, id prefix or name.")],
    apply: Annotated[
        bool, typer.Option("--apply", help="Take the upstream changes (a new revision).")
    ] = False,
) -> None:
    """Show (with --apply, take) upstream changes to a plan's meetings and resources."""
    from iopcli.directory import open_directory, upstream_changes
    from iopcli.store import open_store

    with open_store(create=False) as store, open_directory(create=False) as directory:
        plan_id = store.resolve(plan)
        revision = store.current_revision(plan_id)
        changes, refreshed = upstream_changes(store.body(plan_id), directory)
        for change in changes:
            print(change + ("; removed" if apply and change.endswith("(closed or moved?)") else ""))
        if not changes:
            print("Everything copied from the directory is up to date.")
            return
        if apply:
            from iopcli.model import AftercarePlan

            plan_now = AftercarePlan.model_validate(refreshed)
            result = store.save(plan_now, base=revision, source="refresh")
            print(f"{plan_id[:8]}: saved as revision {result.revision}")
        else:
            print("Run again with --apply to take these changes.")


# --- settings --------------------------------------------------------------------------------

config_app = typer.Typer(help="Settings: the default plan, clinic defaults.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("path")
@_reports_errors
def config_path_command() -> None:
    """Print where the settings file is."""
    from iopcli.config import config_path

    print(config_path())


@config_app.command("show")
@_reports_errors
def config_show() -> None:
    """Print every setting, set or not."""
    from iopcli.config import KEYS, read_config

    data = read_config()
    for key, meaning in KEYS.items():
        value = data.get(key)
        shown = "(not set)" if value is None else json.dumps(value, ensure_ascii=False)
        print(f"{key} = {shown}    # {meaning}")
    for table in ("meetings", "resources"):
        entries = data.get(table) or []
        names = ", ".join(str(e.get("name", "?")) for e in entries if isinstance(e, dict))
        print(
            f"[[{table}]]: {len(entries)} in the clinic list"
            + (f" ({names})" if names else "")
            + "    # offered by number in the interview; edit the file to change them"
        )


@config_app.command("set")
@_reports_errors
def config_set(
    key: Annotated[str, typer.Argument(help="Setting name (see: iopcli config show).")],
    value: Annotated[str, typer.Argument(help="New value.")],
) -> None:
    """Change one setting."""
    from iopcli.config import check_value, read_config, write_config

    data = read_config()
    data[key] = check_value(key, value)
    if key == "default_plan":
        from iopcli.store import open_store

        with open_store(create=False) as store:
            data[key] = store.resolve(value)
    write_config(data)
    print(f"{key} = {json.dumps(data[key], ensure_ascii=False)}")


@config_app.command("unset")
@_reports_errors
def config_unset(key: Annotated[str, typer.Argument(help="Setting name.")]) -> None:
    """Remove one setting (back to its default)."""
    from iopcli.config import KEYS, read_config, write_config
    from iopcli.errors import UsageError

    if key not in KEYS:
        raise UsageError(f"unknown setting {key!r}; settings: {', '.join(KEYS)}")
    data = read_config()
    data.pop(key, None)
    write_config(data)
    print(f"{key} unset")


def main() -> None:
    """Console-script entry point."""
    app(prog_name="iopcli")
