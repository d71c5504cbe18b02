"""The directory: ``directory import``, ``directory search`` and ``refresh``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from iopcli.cli import completion as complete
from iopcli.cli.common import JsonOption, StoredPlan, err, home, reports_errors
from iopcli.cli.render import print_json

if TYPE_CHECKING:
    from iopcli.directory import Listing

app = typer.Typer()
directory_app = typer.Typer(
    help="A local directory of meetings and resources from published feeds.", no_args_is_help=True
)
PANEL = "The directory"
app.add_typer(directory_app, name="directory", rich_help_panel=PANEL)


@directory_app.command("import")
@reports_errors
def directory_import(
    feed: Annotated[
        str,
        typer.Argument(
            help="Meeting Guide or BMLT JSON, or Open Referral (HSDS) JSON, CSV folder or zip.",
            autocompletion=complete.files,
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
    allow_mass_removal: Annotated[
        bool,
        typer.Option(
            "--allow-mass-removal",
            help="Take the feed even if more than half of this source's listings would go.",
        ),
    ] = False,
) -> None:
    """Read a feed into the directory; re-importing updates it and records what disappeared."""
    from pathlib import Path

    from iopcli.directory import open_directory
    from iopcli.feeds import read_feed

    path = Path(feed)
    name = source or path.stem
    # Opened and checked here; its records are read while they are imported, in one
    # transaction: a feed that fails part-way, or would empty the source, changes nothing.
    read = read_feed(path, name, fellowship)
    with open_directory(home()) as directory:
        result = directory.import_feed(read, name, feed, allow_mass_removal=allow_mass_removal)
    for line in read.skipped:
        err(f"{feed}: skipped {line}")
    for line in read.notes:
        err(f"{feed}: note: {line}")
    print(
        f"{feed}: {result.format} feed {name!r}: {result.added} added, {result.updated} updated,"
        f" {result.unchanged} unchanged, {len(result.removed)} removed,"
        f" {len(result.skipped)} skipped"
    )
    for gone in result.removed:
        print(f"  removed (no longer in the feed): {gone}")


@directory_app.command("search")
@reports_errors
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
    as_json: JsonOption = False,
) -> None:
    """Find meetings and resources: by words, day, time, online, fellowship, type or category."""
    from pydantic import TypeAdapter

    from iopcli.directory import open_directory
    from iopcli.model import Fellowship, ResourceCategory
    from iopcli.values import Weekday, parse_time_of_day

    def minutes(value: str) -> int:
        time = parse_time_of_day(value)
        return time.hour * 60 + time.minute

    kind = "meeting" if day or after or before or fellowship or type_code else None
    kind = "resource" if category else kind
    with open_directory(home(), create=False) as directory:
        entries = directory.search(
            text,
            kind=kind,
            day=_option("--day", day, lambda v: TypeAdapter(Weekday).validate_python(v).value),
            after=_option("--after", after, minutes),
            before=_option("--before", before, minutes),
            online=online,
            fellowship=_option("--fellowship", fellowship, lambda v: _choice(Fellowship, v)),
            type_code=type_code,
            category=_option("--category", category, lambda v: _choice(ResourceCategory, v)),
            limit=limit,
        )
    if as_json:
        print_json(
            [
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
        )
    elif not entries:
        print("Nothing found.")
    else:
        for e in entries:
            print(_entry_line(e))


def _option(option: str, value: str | None, parse: Callable[[str], Any]) -> Any:
    """An option's value parsed, or a usage error naming the option and what is wrong."""
    from pydantic import ValidationError

    from iopcli.errors import UsageError

    if value is None:
        return None
    try:
        return parse(value)
    except ValidationError as exc:
        from iopcli.planfile import error_message

        reason = error_message(exc.errors(include_url=False)[0], (option,))
        raise UsageError(f"{option}: {reason}") from None
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _choice(kind: Any, value: str) -> str:
    try:
        return str(kind(value).value)
    except ValueError:
        names = ", ".join(member.value for member in kind)
        raise ValueError(f"{value!r} is not one of {names}") from None


def _entry_line(e: Listing) -> str:
    """One search result on one line: ref, name, when and where, and any warning flags."""
    from iopcli.values import format_time

    closed = "inactive" if e.data.get("attendance") == "inactive" else "temporarily closed"
    flags = "".join(
        [
            " [stale: not verified in over a year]" if e.stale() else "",
            " [by appointment]" if e.data.get("hours") == "By appointment" else "",
            f" [{closed}]" if not e.active else "",
        ]
    )
    d = e.data
    if e.kind != "meeting":
        where = "; ".join(x for x in (d.get("phone"), d.get("address")) if x)
        return f"{e.ref}  {d['name']} [{d.get('category', 'other')}]  {where}{flags}"
    from iopcli.model import Meeting

    meeting = Meeting.model_validate(d)
    days = ", ".join(day.label[:3] for day in meeting.days)
    where = "; ".join(
        x
        for x in (d.get("location"), d.get("address"), "online" if d.get("online_url") else None)
        if x
    )
    return (
        f"{e.ref}  {d['name']} ({meeting.fellowship.label}) {days}"
        f" {format_time(meeting.start)}  {where}{flags}"
    )


@app.command(rich_help_panel=PANEL)
@reports_errors
def refresh(
    plan: StoredPlan,
    apply: Annotated[
        bool, typer.Option("--apply", help="Take the upstream changes (a new revision).")
    ] = False,
) -> None:
    """Show (with --apply, take) upstream changes to a plan's meetings and resources."""
    from iopcli.directory import open_directory, upstream_changes
    from iopcli.store import open_store

    with open_store(home(), create=False) as store, open_directory(home(), create=False) as found:
        plan_id = store.resolve(plan)
        revision = store.current_revision(plan_id)
        body = store.body(plan_id)
        changes, refreshed = upstream_changes(body, found)
        for change in changes:
            print(change)
        if not changes:
            print("Everything copied from the directory is up to date.")
            return
        if refreshed == body:
            # Only listings that vanished: reported, never taken out of the plan.
            print("Nothing to take: check the entries above and edit the plan if they are gone.")
            return
        if apply:
            from iopcli.model import AftercarePlan

            result = store.save(
                AftercarePlan.model_validate(refreshed), base=revision, source="refresh"
            )
            print(f"{plan_id[:8]}: saved as revision {result.revision}")
        else:
            print("Run again with --apply to take these changes.")
