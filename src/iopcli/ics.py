"""The iCalendar (.ics) exporter: a pure function from a plan to bytes.

No clock, no randomness: UIDs are uuid5 of the plan id and the item's key, DTSTAMP is the plan's
last change, so the same plan always gives the same bytes and a re-import updates events
instead of duplicating them. SEQUENCE is the number of minutes from 2020 to the plan's last
change, so it grows with every saved change and clients take the newer version.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from icalendar import Alarm, Calendar, Event

from iopcli.describe import describe
from iopcli.i18n import N_, _
from iopcli.model import AftercarePlan, Meeting
from iopcli.schedule import (
    DEFAULT_HORIZON_DAYS,
    EntryKind,
    Series,
    length,
    occurrences,
    plan_series,
)
from iopcli.timezones import changes, vtimezone

UID_NAMESPACE = uuid.UUID("6f1b1d2e-3c4a-5b6c-8d7e-9f0a1b2c3d4e")
PRODID = "-//iopcli//iopcli aftercare planner//EN"
# Neutral on purpose: a synced calendar list is seen by others. Fixed texts a person reads in
# the calendar are in the current language (iopcli.i18n).
CALENDAR_NAME = N_("My plan")
_SEQUENCE_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
ALL_DAY_REMINDER = dt.timedelta(hours=-15)  # 9:00 the day before an all-day entry


@dataclass(frozen=True)
class IcsOptions:
    horizon_days: int = DEFAULT_HORIZON_DAYS
    remind_minutes: int | None = 60  # None: no alarms
    discreet: bool | None = None  # None: the plan's own setting
    show_address: bool = True


def event_uid(plan_id: str, key: str) -> str:
    return f"{uuid.uuid5(UID_NAMESPACE, f'{plan_id}/{key}')}@iopcli"


def _stamp(plan: AftercarePlan) -> dt.datetime:
    moment = plan.updated or plan.created
    if moment is None:
        return dt.datetime.combine(plan.program.discharge_date, dt.time(), tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def sequence(plan: AftercarePlan) -> int:
    if plan.updated is None:
        return 0
    return max(0, int((plan.updated - _SEQUENCE_EPOCH).total_seconds() // 60))


def plan_to_ics(
    plan: AftercarePlan,
    options: IcsOptions | None = None,
    previous: AftercarePlan | None = None,
) -> bytes:
    """The plan's calendar: one VCALENDAR with every meeting, appointment, refill and review.

    With ``previous`` (the plan as it was last exported), every entry that has since been
    removed is written once more with STATUS:CANCELLED and a higher SEQUENCE, so calendar
    clients that honour cancellations drop it on re-import.
    """
    options = options or IcsOptions()
    discreet = plan.discreet if options.discreet is None else options.discreet
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("X-WR-CALNAME", _(CALENDAR_NAME))
    series = plan_series(plan, options.horizon_days)
    removed: list[Series] = []
    if previous is not None:
        keys = {entry.key for entry in series}
        removed = [s for s in plan_series(previous, options.horizon_days) if s.key not in keys]
    first_year, last_year = calendar_years(series + removed)
    for tzid in sorted({s.tz for s in series + removed if not s.all_day}):
        calendar.add_component(vtimezone(tzid, first_year, last_year))
    stamp, seq = _stamp(plan), sequence(plan)
    for entry in series:
        calendar.add_component(_event(entry, plan, discreet, options, stamp, seq))
        if entry.all_day or entry.rule is None:
            continue
        for instance in _pinned(entry, changes(entry.tz, first_year, last_year)):
            calendar.add_component(_event(entry, plan, discreet, options, stamp, seq, instance))
    quiet = IcsOptions(options.horizon_days, None, discreet, options.show_address)
    for entry in removed:
        assert previous is not None
        event = _event(entry, previous, discreet, quiet, stamp, seq)
        event.add("STATUS", "CANCELLED")
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def _pinned(series: Series, changes: tuple[dt.datetime, ...]) -> list[dt.datetime]:
    """The instances of a repeating series that engines read differently, so the file states
    them once more on their own (RECURRENCE-ID, with the start in UTC): a time the clocks skip
    (RFC 5545 and iopcli read 2:30 as 3:30; most engines as 1:30), a time the clocks repeat
    (the first one, where ical.js and libical take the second), and an instance the clocks
    change during (engines that add DURATION to the wall clock get its length wrong).
    ``changes``: when the series' zone changes its clocks; instances far from all of them
    (more than two days: longer than any meeting or appointment) are not looked at."""
    if series.rule is None or not isinstance(series.start, dt.datetime):
        return []
    near = dt.timedelta(days=2)
    first = series.start.astimezone(dt.UTC)
    last = _last_instant(series)
    changes = tuple(c for c in changes if first - near <= c <= last + near)
    if not changes:
        return []
    found = []
    for occurrence in occurrences(series):
        assert isinstance(occurrence.start, dt.datetime)
        start = occurrence.start.astimezone(dt.UTC)
        if any(abs(start - c) <= near for c in changes) and occurrence.at_a_clock_change:
            found.append(occurrence.start)
    return found


def _unclear(series: Series) -> bool:
    """A one-off timed entry at a clock change: its start is written in UTC instead."""
    return any(occurrence.at_a_clock_change for occurrence in occurrences(series))


def calendar_years(series: list[Series]) -> tuple[int, int]:
    """The first and last year any timed event can fall in: from the first DTSTART to the
    last UNTIL, a day either side for zones ahead of or behind the plan's."""
    timed = [s for s in series if not s.all_day]
    if not timed:
        return (0, 0)  # no VTIMEZONE is written
    day = dt.timedelta(days=1)
    first = min(_as_utc(s.start) for s in timed).date() - day
    last = max(_last_instant(s) for s in timed).date() + day
    return (first.year, last.year)


def _last_instant(series: Series) -> dt.datetime:
    if series.rule is not None and isinstance(series.rule.until, dt.datetime):
        return max(series.rule.until, _as_utc(series.end))
    return _as_utc(series.end)


def _as_utc(value: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)


def listing_lines(meeting: Meeting) -> list[str]:
    """What a meeting's listing adds for the person going: the group, how to find the room,
    whom to ask, where to give (the .ics description; not in discreet calendars)."""
    lines = []
    if meeting.group:
        lines.append(_("Group: {group}").format(group=meeting.group))
    if meeting.attendance:
        lines.append(_("Attendance: {how}").format(how=meeting.attendance.label))
    if meeting.location_notes:
        lines.append(_("Finding it: {notes}").format(notes=meeting.location_notes))
    area = ", ".join(x for x in (meeting.region, meeting.district) if x)
    if area:
        lines.append(_("Area: {area}").format(area=area))
    if meeting.type_names:
        names = ", ".join(meeting.type_names.get(t, t) for t in meeting.types)
        lines.append(_("Meeting types: {types}").format(types=names))
    for label, value in (
        (N_("Group phone: {value}"), meeting.phone),
        (N_("Email: {value}"), meeting.email),
        (N_("Website: {value}"), meeting.website),
        (N_("Listing: {value}"), meeting.url),
    ):
        if value:
            lines.append(_(label).format(value=value))
    for contact in meeting.contacts:
        who = ", ".join(x for x in (contact.name, contact.phone, contact.email) if x)
        lines.append(_("Contact: {who}").format(who=who))
    for link in meeting.seventh_tradition:
        lines.append(_("7th tradition: {service} ({url})").format(service=link.label, url=link.url))
    return lines


def _event(
    series: Series,
    plan: AftercarePlan,
    discreet: bool,
    options: IcsOptions,
    stamp: dt.datetime,
    seq: int,
    instance: dt.datetime | None = None,
) -> Event:
    """The series' VEVENT; with ``instance`` (a planned start of a repeating series), that
    one instance on its own, pinned to its instant in UTC."""
    described = describe(series, plan, discreet, options.show_address)
    event = Event()
    event.add("UID", event_uid(plan.id, series.key))
    event.add("DTSTAMP", stamp)
    event.add("SEQUENCE", seq)
    event.add("SUMMARY", described.title)
    if instance is not None:
        event.add("RECURRENCE-ID", instance)
        event.add("DTSTART", instance.astimezone(dt.UTC))
    elif isinstance(series.start, dt.datetime) and series.rule is None and _unclear(series):
        event.add("DTSTART", series.start.astimezone(dt.UTC))
    else:
        event.add("DTSTART", series.start)
    if series.all_day:
        event.add("DTEND", series.end)
    else:
        # Elapsed time, not a local DTEND: an end in a repeated hour would read as before the
        # start, and one across a skipped hour would stretch every later instance by an hour.
        event.add("DURATION", length(series))
    if series.rule is not None and instance is None:
        event.add("RRULE", series.rule.ical())
    if described.location:
        event.add("LOCATION", described.location)
    if described.url:
        event.add("URL", described.url)
    lines = list(described.details)
    item = series.item
    if isinstance(item, Meeting):
        if not discreet:
            lines += listing_lines(item)
        if options.show_address and item.latitude is not None and item.longitude is not None:
            event.add("GEO", (item.latitude, item.longitude))
    if described.url:
        lines.insert(0, _("Join: {url}").format(url=described.url))
    if described.phone:
        lines.insert(0, _("Phone: {phone}").format(phone=described.phone))
    if lines:
        event.add("DESCRIPTION", "\n".join(lines))
    event.add("TRANSP", "TRANSPARENT" if series.all_day else "OPAQUE")
    if options.remind_minutes is not None:
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", described.title)
        if series.all_day:
            alarm.add("TRIGGER", ALL_DAY_REMINDER)
        else:
            alarm.add("TRIGGER", -dt.timedelta(minutes=options.remind_minutes))
        event.add_component(alarm)
    if series.kind is EntryKind.REVIEW:
        event.add("CATEGORIES", [_("Plan")])
    return event
