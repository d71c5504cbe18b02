"""At home: ``crisis``, ``show`` and ``agenda``, for the person the plan belongs to."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from iopcli.cli import completion as complete
from iopcli.cli.common import (
    LangOption,
    PlainOption,
    PlanArgument,
    asked_language,
    home,
    reports_errors,
)
from iopcli.cli.render import console, print_agenda, print_json
from iopcli.sections import SECTION_NAMES

if TYPE_CHECKING:
    from iopcli.sources import PlanSource
    from iopcli.views import Views

app = typer.Typer()
PANEL = "At home"

#: The names show --section takes: the same list as edit PLAN SECTION (iopcli.sections).
SECTIONS = SECTION_NAMES


def _plain(flag: bool) -> bool:
    from iopcli.screens import wants_plain

    return wants_plain(flag)


@app.command(rich_help_panel=PANEL)
@reports_errors
def crisis(plan: PlanArgument = None, plain: PlainOption = False, lang: LangOption = None) -> None:
    """One screen: warning signs, coping steps, people and crisis lines to call."""
    # The console script serves the plain forms of this command without loading the CLI
    # (iopcli.launch); both draw the same card.
    from iopcli.crisis import load_card
    from iopcli.i18n import asked_for, language
    from iopcli.screens import print_crisis

    with asked_for(asked_language(lang)):
        card = load_card(plan, home())
    with language(card.language):
        print_crisis(card, plain)


@app.command(rich_help_panel=PANEL)
@reports_errors
def show(
    plan: PlanArgument = None,
    section: Annotated[
        str | None,
        typer.Option(
            "--section",
            "-s",
            help=f"Only one part: {', '.join(SECTIONS)}.",
            autocompletion=complete.show_sections,
        ),
    ] = None,
    plain: PlainOption = False,
    lang: LangOption = None,
) -> None:
    """The whole plan for reading in a terminal, crisis first."""
    from iopcli.errors import UsageError
    from iopcli.i18n import _, language
    from iopcli.sections import HANDOUT_SECTIONS, SectionNameError, shown_part
    from iopcli.sources import PlanSource

    part = None
    if section is not None:
        try:
            part = shown_part(section)
        except SectionNameError as exc:
            raise UsageError(f"--section: {exc}") from None
    with PlanSource(home()) as sources:
        shown = _views(sources, plan, asked_language(lang))
    plain_text = _plain(plain)
    screen = None if plain_text else console()
    with language(shown.lang):
        # Tables only where they fit; lists read better on narrow screens and screen readers.
        parts = shown.handout(paper=screen is None or screen.width < 120)
        if part is None:
            handout = "\n".join(text for text in parts.values() if text)
        else:
            title = _(HANDOUT_SECTIONS.get(part, ""))
            nothing = _("Nothing in this part of the plan yet.")
            handout = parts.get(part) or f"## {title}\n\n{nothing}\n"
    if screen is None:
        from iopcli.plain import markdown_to_plain

        sys.stdout.write(markdown_to_plain(handout))
        return
    from rich.markdown import Markdown

    screen.print(Markdown(handout, hyperlinks=False))


@app.command(rich_help_panel=PANEL)
@reports_errors
def agenda(
    plan: PlanArgument = None,
    days: Annotated[int, typer.Option("--days", "-d", min=1, max=366, help="How many days.")] = 7,
    start: Annotated[
        str | None,
        typer.Option("--from", help="First day, YYYY-MM-DD (default: today).", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON with ISO 8601 times.")] = False,
    plain: PlainOption = False,
    lang: LangOption = None,
) -> None:
    """What is coming up: meetings, appointments, refills, the plan review."""
    import datetime as dt

    from iopcli.dates import LATEST, check_date
    from iopcli.errors import UsageError
    from iopcli.i18n import format_day, language, ngettext
    from iopcli.sources import PlanSource

    with PlanSource(home()) as sources:
        shown = _views(sources, plan, asked_language(lang))
        try:
            first = dt.date.fromisoformat(start) if start is not None else shown.today()
        except ValueError:
            raise UsageError(f"--from: {start!r} is not a date like 2027-03-08") from None
        try:
            check_date(first)  # the window must stay within dates Python can represent
        except ValueError as exc:
            raise UsageError(f"--from: {exc}") from None
        last = first + dt.timedelta(days=days - 1)
        if last > LATEST:
            raise UsageError(
                f"--days: {days} days from {first.isoformat()} end on {last.isoformat()},"
                f" past {LATEST.isoformat()}, the last date a plan can hold"
            )
        with language(shown.lang):
            rows = shown.agenda(first, days)
            if rows is None:  # days the kept views do not cover: work them out from the plan
                from iopcli.views import agenda_rows

                rows = agenda_rows(sources.load(plan), first, days)
    if as_json:
        print_json(
            {
                "plan": shown.plan_id,
                "timezone": shown.timezone,
                "from": first.isoformat(),
                "days": days,
                "entries": [row["entry"] for row in rows],
            }
        )
    elif not rows:
        with language(shown.lang):
            nothing = ngettext(
                "Nothing planned on {day}.",
                "Nothing planned in the {days} days from {day}.",
                days,
            )
            print(nothing.format(days=days, day=format_day(first)))
    else:
        with language(shown.lang):
            print_agenda(rows, _plain(plain))


def _views(sources: PlanSource, plan: str | None, lang: str | None) -> Views:
    """What ``plan`` shows at home, in ``lang`` (None: the plan's own language): as the store
    keeps them when they are in that language, else worked out from the plan."""
    from iopcli.i18n import asked_for

    with asked_for(lang):
        shown = sources.views(plan)
        if lang is None or shown.lang == lang:
            return shown
        from iopcli.views import Views

        return Views.of(sources.load(plan))
