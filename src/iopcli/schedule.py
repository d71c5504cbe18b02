"""Turns a plan's meetings, appointments, refills and review date into calendar series.

Both the .ics exporter and ``agenda`` read these series, so the calendar file and the agenda
cannot disagree. A series is what one VEVENT holds: a first start, a length, and an optional
rule (RFC 5545 RRULE). :func:`occurrences` expands a series the way calendar clients do: in the
series' own time zone, on wall-clock times, so a 7 pm meeting stays at 7 pm across a
daylight-saving change; a time the clocks skip is read with the offset from before the change
and a time they repeat is the first one (RFC 5545 3.3.5). Rules are expanded with plain date
arithmetic over the few shapes :class:`Rule` holds (weekly, every 2 weeks, Nth weekdays of the
month, monthly on a day, every N days), not a recurrence library, so tests can hold the result
against independent engines.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from iopcli.model import (
    AftercarePlan,
    Appointment,
    IntakeAppointment,
    Item,
    Medication,
    Meeting,
    MeetingRepeat,
    NextProgram,
    Recurrence,
    ShortMonths,
)
from iopcli.values import Weekday

DEFAULT_HORIZON_DAYS = 90
UTC = dt.UTC
UTC_MIN = dt.datetime.min.replace(tzinfo=UTC)  # a rule's UNTIL before it is known


class EntryKind(StrEnum):
    MEETING = "meeting"
    APPOINTMENT = "appointment"
    REFILL = "refill"
    REVIEW = "review"
    INTAKE = "intake"  # the first appointment at the next program
    BOOK_INTAKE = "book_intake"  # no intake booked yet: call the next program, on discharge day


@dataclass(frozen=True)
class Rule:
    """A recurrence as an RFC 5545 RRULE states it (UTC UNTIL for timed series, a date for
    all-day ones). Only the parts iopcli writes: FREQ, INTERVAL, BYDAY (with an ordinal for
    monthly "1st and 3rd Friday"), BYMONTHDAY with BYSETPOS (monthly on the last day)."""

    freq: str  # DAILY, WEEKLY or MONTHLY
    until: dt.datetime | dt.date
    interval: int = 1
    byday: tuple[Weekday, ...] = ()
    nth: tuple[int, ...] = ()  # MONTHLY: which of the month's ``byday`` (1 to 5, -1 the last)
    bymonthday: tuple[int, ...] = ()  # MONTHLY: days of the month
    bysetpos: int | None = None  # MONTHLY: -1 = the last of the ``bymonthday`` the month has

    def ical(self) -> dict[str, object]:
        """The RRULE's parts in the order they are written."""
        rule: dict[str, object] = {"FREQ": self.freq}
        if self.interval > 1:
            rule["INTERVAL"] = self.interval
        if self.nth:
            rule["BYDAY"] = [f"{n}{day.ical}" for n in self.nth for day in self.byday]
        elif self.byday:
            rule["BYDAY"] = [day.ical for day in self.byday]
        if self.bymonthday:
            rule["BYMONTHDAY"] = list(self.bymonthday)
        if self.bysetpos is not None:
            rule["BYSETPOS"] = self.bysetpos
        if self.freq == "WEEKLY" and self.interval > 1 and len(self.byday) > 1:
            rule["WKST"] = "MO"  # the default, written out: it decides which weeks count
        rule["UNTIL"] = self.until
        return rule


@dataclass(frozen=True)
class Series:
    key: str  # "meetings/tuesday-night-hope": unique in the plan, the basis of the calendar UID
    kind: EntryKind
    item: Item | NextProgram | None
    tz: str
    start: dt.datetime | dt.date  # aware datetime in ``tz``, or a date for all-day entries
    end: dt.datetime | dt.date  # exclusive; the next day for all-day entries
    rule: Rule | None = None

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)


@dataclass(frozen=True)
class Occurrence:
    series: Series
    start: dt.datetime | dt.date  # the planned wall-clock time in the series' zone (fold 0)
    end: dt.datetime | dt.date

    @property
    def clock(self) -> ClockChange | None:
        """Whether the planned time was skipped or repeated by a clock change that day."""
        if isinstance(self.start, dt.datetime):
            return clock_change(self.start, self.series.tz)
        return None

    @property
    def at_a_clock_change(self) -> bool:
        """Whether calendar engines may disagree on this instance: its planned time was
        skipped or repeated, or the clocks change while it lasts (engines that add the length
        to the wall-clock start then make it an hour longer or shorter)."""
        if not isinstance(self.start, dt.datetime) or not isinstance(self.end, dt.datetime):
            return False
        start, end = self.start.astimezone(UTC), self.end.astimezone(UTC)
        tz = zone(self.series.tz)
        return (
            self.clock is not None
            or start.astimezone(tz).utcoffset() != end.astimezone(tz).utcoffset()
        )


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def horizon_end(plan: AftercarePlan, horizon_days: int) -> dt.date:
    """The last day recurring entries reach: discharge date + horizon."""
    return plan.program.discharge_date + dt.timedelta(days=horizon_days)


def _last_moment_utc(day: dt.date, tz: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=zone(tz)).astimezone(UTC)


def _meeting_series(meeting: Meeting, plan: AftercarePlan, last_day: dt.date) -> Series | None:
    tz = meeting.timezone or plan.timezone
    # The plan's days bound everything: the first meeting is the first one on or after the
    # start of discharge day where the person is (a midnight meeting in New York is still the
    # evening before in Denver), and repeats end with the person's horizon day.
    begins = dt.datetime.combine(plan.program.discharge_date, dt.time(), tzinfo=zone(plan.timezone))
    days = tuple(sorted(set(meeting.days), key=lambda d: d.number))
    if meeting.repeat is MeetingRepeat.EVERY_2_WEEKS:
        rule = Rule("WEEKLY", UTC_MIN, interval=2, byday=days)
    elif meeting.repeat is MeetingRepeat.MONTHLY:
        nth = tuple(sorted({w.nth for w in meeting.weeks}, key=lambda n: (n < 0, n)))
        rule = Rule("MONTHLY", UTC_MIN, byday=days, nth=nth)
    else:
        rule = Rule("WEEKLY", UTC_MIN, byday=days)
    first = plan.program.discharge_date - dt.timedelta(days=1)
    while (
        not _matches(rule, first, meeting.first_date)
        or dt.datetime.combine(first, meeting.start, tzinfo=zone(tz)) < begins
    ):
        first += dt.timedelta(days=1)
    until = _last_moment_utc(last_day, plan.timezone)
    start = dt.datetime.combine(first, meeting.start, tzinfo=zone(tz))
    if start.astimezone(UTC) > until:
        return None  # a horizon shorter than the gap between meetings holds no meeting at all
    end = _exact_add(start, meeting_length(meeting))
    rule = replace(rule, until=until)
    return Series(f"meetings/{meeting.id}", EntryKind.MEETING, meeting, tz, start, end, rule)


def meeting_length(meeting: Meeting) -> dt.timedelta:
    """The length as the clock on an ordinary day reads it (7:00 to 8:15 is 75 minutes; 23:30
    to 00:30 is an hour, ending the next day). Every instance lasts this long, even on a
    clock-change day: the calendar file states it as a DURATION."""
    day = dt.date(2000, 1, 1)
    length = dt.datetime.combine(day, meeting.end_time) - dt.datetime.combine(day, meeting.start)
    if length <= dt.timedelta(0):
        length += dt.timedelta(days=1)  # ends after midnight
    return length


def _matches(rule: Rule, day: dt.date, anchor: dt.date | None) -> bool:
    """Whether a meeting rule holds on ``day``; ``anchor`` is a day in an every-2-weeks cycle."""
    if rule.byday and day.weekday() not in {d.number for d in rule.byday}:
        return False
    if rule.interval == 2 and anchor is not None:
        weeks = (_monday(day) - _monday(anchor)).days // 7
        return weeks % 2 == 0
    if rule.nth:
        return any(_nth_weekday(day.year, day.month, day.weekday(), n) == day for n in rule.nth)
    return True


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date | None:
    """The month's ``nth`` given weekday (Monday = 0); -1 is the last. None if there is none."""
    length = _days_in_month(year, month)
    if nth > 0:
        first = dt.date(year, month, 1)
        day = 1 + (weekday - first.weekday()) % 7 + 7 * (nth - 1)
    else:
        last = dt.date(year, month, length)
        day = length - (last.weekday() - weekday) % 7
    return dt.date(year, month, day) if 1 <= day <= length else None


_APPOINTMENT_RULES = {
    Recurrence.WEEKLY: ("WEEKLY", 1),
    Recurrence.EVERY_2_WEEKS: ("WEEKLY", 2),
    Recurrence.MONTHLY: ("MONTHLY", 1),
}


def _appointment_series(item: Appointment, plan: AftercarePlan, last_day: dt.date) -> Series:
    tz = item.timezone or plan.timezone
    start = dt.datetime.combine(item.date, item.time, tzinfo=zone(tz))
    end = _exact_add(start, dt.timedelta(minutes=item.duration_minutes))
    rule = None
    if item.repeat in _APPOINTMENT_RULES and item.date < last_day:
        freq, interval = _APPOINTMENT_RULES[item.repeat]
        rule = Rule(freq, _last_moment_utc(last_day, plan.timezone), interval=interval)
        if freq == "MONTHLY" and item.date.day > 28 and item.short_months is ShortMonths.LAST_DAY:
            rule = replace(rule, **_last_day_parts(item.date.day))
    return Series(f"appointments/{item.id}", EntryKind.APPOINTMENT, item, tz, start, end, rule)


def _last_day_parts(day: int) -> dict[str, Any]:
    """Monthly on ``day`` (29 to 31), or on the month's last day when it is shorter."""
    if day == 31:
        return {"bymonthday": (-1,)}  # the form every engine reads
    return {"bymonthday": tuple(range(28, day + 1)), "bysetpos": -1}


def first_refill(item: Medication, discharge: dt.date) -> dt.date | None:
    """The refill the calendar starts with: ``next_refill``, moved on by whole refill periods
    to the first one on or after discharge (a refill before discharge is already past)."""
    if item.next_refill is None:
        return None
    day = item.next_refill
    if item.refill_every_days and day < discharge:
        periods = -(-(discharge - day).days // item.refill_every_days)
        day += dt.timedelta(days=periods * item.refill_every_days)
    return day


def _refill_series(item: Medication, plan: AftercarePlan, last_day: dt.date) -> Series | None:
    first = first_refill(item, plan.program.discharge_date)
    if first is None:
        return None
    rule = None
    if item.refill_every_days and first < last_day:
        rule = Rule("DAILY", last_day, interval=item.refill_every_days)
    end = first + dt.timedelta(days=1)
    return Series(f"medications/{item.id}", EntryKind.REFILL, item, plan.timezone, first, end, rule)


def plan_series(plan: AftercarePlan, horizon_days: int = DEFAULT_HORIZON_DAYS) -> list[Series]:
    """Every calendar series of the plan, in a stable order (plan order within each kind)."""
    last_day = horizon_end(plan, horizon_days)
    series = [s for m in plan.meetings if (s := _meeting_series(m, plan, last_day)) is not None]
    series += [_appointment_series(a, plan, last_day) for a in plan.appointments]
    series += [s for m in plan.medications if (s := _refill_series(m, plan, last_day)) is not None]
    nxt = plan.next_program
    if nxt is not None and nxt.intake is not None:
        series.append(_intake_series(nxt, nxt.intake, plan.timezone))
    elif nxt is not None and (nxt.intake_phone or nxt.phone):
        # "Call to book" is where people drop out: a reminder on the day they leave the IOP.
        day = plan.program.discharge_date
        end = day + dt.timedelta(days=1)
        series.append(
            Series("next_program/book-intake", EntryKind.BOOK_INTAKE, nxt, plan.timezone, day, end)
        )
    review = plan.program.next_review
    if review is not None:
        end = review + dt.timedelta(days=1)
        series.append(
            Series("program/next-review", EntryKind.REVIEW, None, plan.timezone, review, end)
        )
    return series


def _intake_series(nxt: NextProgram, intake: IntakeAppointment, tz: str) -> Series:
    """The next program's intake: once, in the plan's time zone."""
    start = dt.datetime.combine(intake.date, intake.time, tzinfo=zone(tz))
    end = _exact_add(start, dt.timedelta(minutes=intake.duration_minutes))
    return Series("next_program/intake", EntryKind.INTAKE, nxt, tz, start, end)


def _exact_add(start: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """Add elapsed time: an hour that crosses a clock change still lasts an hour."""
    return (start.astimezone(UTC) + delta).astimezone(start.tzinfo)


def _local_starts(series: Series) -> list[dt.datetime]:
    """Start times as naive wall-clock datetimes (naive midnight for all-day series), as
    RFC 5545 expands the series' rule. Plain date arithmetic on the few rule shapes
    :class:`Rule` can hold, so no recurrence library decides what the calendar says."""
    start = series.start
    naive = (
        start.replace(tzinfo=None)
        if isinstance(start, dt.datetime)
        else dt.datetime.combine(start, dt.time())
    )
    rule = series.rule
    if rule is None:
        return [naive]

    def within(local: dt.datetime) -> bool:
        if isinstance(rule.until, dt.datetime):
            return local.replace(tzinfo=zone(series.tz)).astimezone(UTC) <= rule.until
        return local.date() <= rule.until

    found: list[dt.datetime] = []
    for day in _candidate_days(rule, naive.date()):
        local = dt.datetime.combine(day, naive.time())
        if not within(local):
            break
        found.append(local)
    return found


def _candidate_days(rule: Rule, first: dt.date) -> Iterator[dt.date]:
    """The rule's days from ``first`` on, in order, without end (the caller stops at UNTIL)."""
    if rule.freq == "DAILY":
        day = first
        while True:
            yield day
            day += dt.timedelta(days=rule.interval)
    if rule.freq == "WEEKLY":
        weekdays = sorted(d.number for d in rule.byday) or [first.weekday()]
        week = _monday(first)
        while True:
            for weekday in weekdays:
                day = week + dt.timedelta(days=weekday)
                if day >= first:
                    yield day
            week += dt.timedelta(weeks=rule.interval)
    year, month = first.year, first.month
    while True:
        for day in sorted(_month_days(rule, year, month, first.day)):
            if day >= first:
                yield day
        month += rule.interval
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1


def _month_days(rule: Rule, year: int, month: int, dtstart_day: int) -> set[dt.date]:
    length = _days_in_month(year, month)
    if rule.nth:
        found = {_nth_weekday(year, month, day.number, n) for n in rule.nth for day in rule.byday}
        return {day for day in found if day is not None}
    numbers = rule.bymonthday or (dtstart_day,)
    days = sorted(n if n > 0 else length + 1 + n for n in numbers if -length <= n <= length)
    days = [n for n in days if n >= 1]
    if rule.bysetpos is not None:
        days = [days[rule.bysetpos]] if days else []
    return {dt.date(year, month, n) for n in days}


ClockChange = Literal["skipped", "repeated"]


def clock_change(local: dt.datetime, tz: str) -> ClockChange | None:
    """Whether a wall-clock time does not exist that day (clocks went forward over it: RFC 5545
    and iopcli read it with the offset before the change, so it shows an hour later) or comes
    twice (clocks went back: the first one is meant)."""
    naive = local.replace(tzinfo=None)
    first = naive.replace(tzinfo=zone(tz), fold=0)
    second = naive.replace(tzinfo=zone(tz), fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    back = first.astimezone(UTC).astimezone(zone(tz)).replace(tzinfo=None)
    return "repeated" if back == naive else "skipped"


def occurrences(series: Series) -> list[Occurrence]:
    """Every occurrence of a series, each in the series' own time zone."""
    span = length(series)
    found = []
    for local in _local_starts(series):
        if series.all_day:
            day = local.date()
            found.append(Occurrence(series, day, day + span.days * dt.timedelta(days=1)))
        else:
            start = local.replace(tzinfo=zone(series.tz))
            found.append(Occurrence(series, start, _exact_add(start, span)))
    return found


def length(series: Series) -> dt.timedelta:
    """The exact length of the first instance, which RFC 5545 (3.8.5.3) gives every instance."""
    if isinstance(series.start, dt.datetime) and isinstance(series.end, dt.datetime):
        return series.end.astimezone(UTC) - series.start.astimezone(UTC)
    return dt.timedelta(days=(_as_date(series.end) - _as_date(series.start)).days)


def _as_date(value: dt.datetime | dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
