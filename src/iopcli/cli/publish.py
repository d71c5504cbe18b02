"""Calendars: ``publish``, a plan's events kept in step on a CalDAV server.

The ``caldav`` library (and the HTTP stack under it) is imported only when the command runs,
inside :mod:`iopcli.publish`: other commands start without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from iopcli.cli import completion as complete
from iopcli.cli.common import (
    HorizonOption,
    NoAlarmsOption,
    RemindOption,
    err,
    home,
    reports_errors,
)
from iopcli.cli.render import print_json

if TYPE_CHECKING:
    from iopcli.publish import Outcome

app = typer.Typer()
PANEL = "Calendars"


@app.command(rich_help_panel=PANEL)
@reports_errors
def publish(
    plans: Annotated[
        list[str] | None,
        typer.Argument(
            help="Plan files or stored plans (default: the only or the default stored plan).",
            show_default=False,
            autocompletion=complete.plan_or_file,
        ),
    ] = None,
    caldav: Annotated[
        str | None,
        typer.Option(
            "--caldav",
            metavar="URL",
            help="The CalDAV server (default: the caldav_url setting).",
            show_default=False,
        ),
    ] = None,
    calendar: Annotated[
        str,
        typer.Option(
            "--calendar",
            metavar="NAME",
            help="The calendar's name on the server; {id} becomes each plan's short id.",
        ),
    ] = "My plan",
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            metavar="NAME",
            help="Login name (default: the caldav_user setting, else from ~/.netrc).",
            show_default=False,
        ),
    ] = None,
    create: Annotated[
        bool, typer.Option("--create", help="Create the calendar if the server has none.")
    ] = False,
    all_stored: Annotated[
        bool, typer.Option("--all", help="Every stored (not archived) plan.")
    ] = False,
    discreet: Annotated[
        bool,
        typer.Option(
            "--discreet/--no-discreet",
            help="Titles that name no fellowship, medication or clinic (a synced calendar"
            " shows on lock screens).",
        ),
    ] = True,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Say what would be created, updated and deleted; change nothing."
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace or delete events changed on the server since the last publish."
        ),
    ] = False,
    report: Annotated[
        str | None,
        typer.Option(
            "--report",
            help="Write a JSON record of every plan here.",
            show_default=False,
            autocompletion=complete.files,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The JSON record on stdout.")] = False,
    horizon_days: HorizonOption = 90,
    remind: RemindOption = None,
    no_alarms: NoAlarmsOption = False,
    timeout: Annotated[
        int, typer.Option("--timeout", min=1, max=600, help="Seconds to wait for each answer.")
    ] = 30,
) -> None:
    """Put a plan's events on a CalDAV calendar and keep them in step with the plan."""
    from iopcli.config import read_config
    from iopcli.errors import IopcliError, UsageError
    from iopcli.export import default_remind
    from iopcli.ics import IcsOptions
    from iopcli.publish import (
        Connection,
        Outcome,
        PublishError,
        Target,
        Unavailable,
        check_url,
        find_credentials,
        in_the_clear,
        publish_plan,
        shown_url,
    )
    from iopcli.slugs import short_id
    from iopcli.sources import PlanSource
    from iopcli.store import default_home

    settings = read_config(home())
    url = caldav or settings.get("caldav_url")
    if not url:
        raise UsageError(
            "--caldav: give the server's address, or save it: iopcli config set caldav_url URL"
        )
    url = check_url(str(url))
    if not calendar.strip():
        raise UsageError("--calendar: give the calendar's name")
    if all_stored and plans:
        raise UsageError("--all: name no plans as well")
    report_path = Path(report) if report is not None else None
    if report_path is not None and report_path.is_dir():  # said before anything is sent
        raise UsageError(f"--report: {report} is a folder; give a file name")
    login = user or settings.get("caldav_user") or None
    target = Target(url, calendar, find_credentials(url, login), create=create, timeout=timeout)
    if in_the_clear(url, target.credentials):
        err(f"iopcli: warning: the password goes unencrypted to {shown_url(url)}; use https://")
    options = IcsOptions(
        horizon_days=horizon_days,
        remind_minutes=None
        if no_alarms
        else (remind if remind is not None else default_remind(home())),
        discreet=discreet,
    )
    connection = Connection(target)
    folder = home() or default_home()
    outcomes: list[Outcome] = []
    failed = False
    stopped: str | None = None  # the server's failure, said again for the plans after it
    with PlanSource(home()) as sources:
        refs: list[str | None] = list(plans or [])
        if all_stored:
            refs = [p.id for p in sources.store.plans()]
            if not refs:
                raise UsageError("--all: no plan is stored")
        elif not refs:
            refs = [None]
        for ref in refs:
            plan_id = ""
            label = short_id(ref) if all_stored and ref else (ref or "default plan")
            try:
                plan = sources.load(ref)
                plan_id = plan.id
                if ref is None:
                    label = short_id(plan.id)
                if stopped is not None:
                    raise Unavailable(stopped)
                outcome = publish_plan(
                    plan, connection, options, folder, dry_run=dry_run, force=force
                )
            except IopcliError as exc:
                failed = True
                lines = exc.lines()
                if isinstance(exc, Unavailable):
                    stopped = lines[0]
                if isinstance(exc, PublishError):  # a plan's own errors name it already
                    lines = [f"{label}: {lines[0]}", *lines[1:]]
                for line in lines:
                    err(line)
                outcomes.append(Outcome(plan_id, calendar, error=exc.lines()[0]))
                continue
            outcomes.append(outcome)
            failed = failed or bool(outcome.conflicts)
            if not as_json:
                _say(label, outcome, shown_url(url))
    data = {"server": shown_url(url), "plans": [o.as_json() for o in outcomes]}
    if report_path is not None:
        from iopcli.files import atomic_write

        try:
            atomic_write(report_path, (_dumps(data) + "\n").encode("utf-8"))
        except OSError as exc:
            raise PublishError(f"{report_path}: cannot write the report: {exc.strerror}") from None
    if as_json:
        print_json(data)
    if failed:
        raise typer.Exit(1)


def _dumps(data: object) -> str:
    import json

    return json.dumps(data, indent=2, ensure_ascii=False)


def _say(label: str, outcome: Outcome, server: str) -> None:
    """One line per plan; with --dry-run, one per change; one per conflict on stderr."""
    verb = "would be " if outcome.dry_run else ""
    if outcome.dry_run:
        if outcome.calendar_created:
            print(f"{label}: would create the calendar {outcome.calendar!r}")
        for step in outcome.done:
            print(f"{label}: would {step.action}: {step.title}")
    counts = ", ".join(
        f"{outcome.count(action)} {verb}{word}"
        for action, word in (("create", "created"), ("update", "updated"), ("delete", "deleted"))
    )
    counts += f", {outcome.unchanged} unchanged"
    if outcome.kept:
        counts += f", {len(outcome.kept)} edited on the server (kept)"
    if outcome.conflicts:
        counts += f", {len(outcome.conflicts)} in conflict"
    made = " (new calendar)" if outcome.calendar_created and not outcome.dry_run else ""
    print(f"{label}: {counts} in {outcome.calendar!r}{made} on {server}")
    for step in outcome.conflicts:
        err(f"{label}: {step.title} ({step.uid}): {step.why}")
