"""The plan store: ``import``, ``list``, ``history``, ``diff``, ``restore``, ``archive``,
``unarchive`` and ``purge``."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from iopcli.cli import completion as complete
from iopcli.cli.common import JsonOption, PlanFiles, StoredPlan, err, home, reports_errors
from iopcli.cli.render import local_minute, print_json, print_table, shown, some_of

app = typer.Typer()
PANEL = "The plan store"


@app.command("import", rich_help_panel=PANEL)
@reports_errors
def import_(files: PlanFiles) -> None:
    """Check plan files and save each in the store as a new revision."""
    from iopcli.errors import IopcliError
    from iopcli.planfile import read_plan
    from iopcli.store import open_store

    failed = 0
    with contextlib.ExitStack() as stack:
        store = None
        for name in files:
            try:
                plan = read_plan(name)
            except IopcliError as exc:
                failed += 1
                for line in exc.lines():
                    err(line)
                continue
            if store is None:  # opened (and created) for the first plan that reads, not before
                store = stack.enter_context(open_store(home()))
            try:
                result = store.save(plan, source=f"import {Path(name).name}")
            except IopcliError as exc:
                failed += 1
                for line in exc.lines():
                    err(line)
                continue
            what = f"revision {result.revision}" if result.changed else "unchanged"
            print(f"{name}: {plan.id[:8]} {plan.person.name}: {what}")
    if failed:
        raise typer.Exit(1)


@app.command("list", rich_help_panel=PANEL)
@reports_errors
def list_(
    include_archived: Annotated[
        bool, typer.Option("--all", help="Include archived plans.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """The stored plans: id, name, discharge date, last change, revisions."""
    from iopcli.store import NotFoundError, open_store

    try:
        store = open_store(home(), create=False)
    except NotFoundError:
        plans = []
    else:
        with store:
            plans = store.plans(include_archived)
    if as_json:
        print_json(
            [
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
        )
        return
    if not plans:
        print("No plans stored yet. Add one with: iopcli import FILE")
        return
    print_table(
        ("id", "name", "discharged", "last change", "revisions"),
        (
            (
                p.id[:8],
                p.name + (" (archived)" if p.archived else ""),
                p.discharge_date.isoformat(),
                local_minute(p.last_change),
                str(p.revisions),
            )
            for p in plans
        ),
    )


@app.command(rich_help_panel=PANEL)
@reports_errors
def history(plan: StoredPlan, as_json: JsonOption = False) -> None:
    """Every revision of a stored plan: number, time, what changed."""
    from iopcli.store import open_store

    with open_store(home(), create=False) as store:
        revisions = store.history(store.resolve(plan))
    if as_json:
        print_json(
            [
                {
                    "revision": r.number,
                    "saved_at": r.saved_at.isoformat(),
                    "source": r.source,
                    "changes": r.changes,
                }
                for r in revisions
            ]
        )
        return
    print_table(
        ("rev", "saved", "by", "changed"),
        (
            (str(r.number), local_minute(r.saved_at), r.source, some_of(r.changes))
            for r in revisions
        ),
        fold=True,
    )


@app.command(rich_help_panel=PANEL)
@reports_errors
def diff(
    plan: StoredPlan,
    old: Annotated[
        int | None,
        typer.Argument(
            help="Older revision (default: the one before).", autocompletion=complete.revision
        ),
    ] = None,
    new: Annotated[
        int | None,
        typer.Argument(
            help="Newer revision (default: the current one).", autocompletion=complete.revision
        ),
    ] = None,
) -> None:
    """What changed between two revisions, field by field."""
    from iopcli.store import MISSING, field_changes, open_store

    with open_store(home(), create=False) as store:
        plan_id = store.resolve(plan)
        newer = new or store.current_revision(plan_id)
        older = old if old is not None else max(newer - 1, 1)
        changes = field_changes(store.body(plan_id, older), store.body(plan_id, newer))
    print(f"{plan_id[:8]}: revision {older} -> {newer}")
    if not changes:
        print("no differences")
    for path, before, after in changes:
        if before is MISSING:
            print(f"+ {path}: {shown(after)}")
        elif after is MISSING:
            print(f"- {path}: {shown(before)}")
        else:
            print(f"~ {path}: {shown(before)} -> {shown(after)}")


@app.command(rich_help_panel=PANEL)
@reports_errors
def restore(
    plan: StoredPlan,
    revision: Annotated[
        int,
        typer.Argument(help="The revision to bring back.", autocompletion=complete.revision),
    ],
) -> None:
    """Make an old revision current again (as a new revision; nothing is lost)."""
    from iopcli.store import open_store

    with open_store(home(), create=False) as store:
        result = store.restore(store.resolve(plan), revision)
    if result.changed:
        print(f"{result.plan_id[:8]}: revision {revision} restored as revision {result.revision}")
    else:
        print(f"{result.plan_id[:8]}: revision {revision} is already the current content")


def _set_archived(plan: str, archived: bool) -> None:
    from iopcli.store import open_store

    with open_store(home(), create=False) as store:
        plan_id = store.resolve(plan)
        store.set_archived(plan_id, archived)
    print(f"{plan_id[:8]}: {'archived' if archived else 'back in the list'}")


@app.command(rich_help_panel=PANEL)
@reports_errors
def archive(plan: StoredPlan) -> None:
    """Hide a plan from `list` without losing anything."""
    _set_archived(plan, True)


@app.command(rich_help_panel=PANEL)
@reports_errors
def unarchive(plan: StoredPlan) -> None:
    """Bring an archived plan back into `list`."""
    _set_archived(plan, False)


@app.command(rich_help_panel=PANEL)
@reports_errors
def purge(
    plan: StoredPlan,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask; for scripts.")] = False,
) -> None:
    """Erase a plan and every revision of it for good (right to erasure)."""
    from iopcli.errors import UsageError
    from iopcli.store import open_store

    with open_store(home(), create=False) as store:
        plan_id = store.resolve(plan)
        summary = store.stored(plan_id)  # no revision is parsed: a damaged one is erased too
        name = summary.name
        if not yes:
            if not sys.stdin.isatty():
                raise UsageError("purge asks to type the plan's name back; use --yes in scripts")
            count = summary.revisions
            revisions = "its only revision" if count == 1 else f"all {count} revisions"
            print(f"This erases {name}'s plan ({plan_id[:8]}) and {revisions}.")
            typed = input("Type the name to confirm: ")
            if typed.strip().casefold() != name.strip().casefold():
                err("iopcli: the name did not match; nothing was erased")
                raise typer.Exit(1)
        store.purge(plan_id)
    print(f"{plan_id[:8]}: erased")
