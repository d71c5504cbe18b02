"""Turns a plan's meetings, appointments, refills and review date into calendar series.

Both the .ics exporter and ``agenda`` read these series, so the calendar file and the agenda
cannot disagree. A series is what one VEVENT holds: a first start, a length, and an optional
rule (RFC 5545 RRULE). :func:`occurrences` expands a series the way calendar clients do: in the
series' own time zone, on wall-clock times, so a 7 pm meeting stays at 7 pm across a
daylight-saving change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from iopcli.model import AftercarePlan, Appointment, Item, Medication, Meeting, Recurrence
from iopcli.values import Weekday

DEFAULT_HORIZON_DAYS = 90
UTC = dt.UTC


class EntryKind(StrEnum):
    MEETING = "meeting"
    APPOINTMENT = "appointment"
    REFILL = "refill"
    REVIEW = "review"


@dataclass(frozen=True)
class Rule:
    """A recurrence: FREQ, INTERVAL, BYDAY and UNTIL (UTC for timed series, a date for all-day)."""

    freq: str  # DAILY, WEEKLY or MONTHLY
    until: dt.datetime | dt.date
    interval: int = 1
    byday: tuple[Weekday, ...] = ()


@dataclass(frozen=True)
class Series:
    key: str  # "meetings/tuesday-night-hope": unique in the plan, the basis of the calendar UID
    kind: EntryKind
    item: Item | None
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
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date


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
    wanted = {day.number for day in meeting.days}
    first = plan.program.discharge_date - dt.timedelta(days=1)
    while (
        first.weekday() not in wanted
        or dt.datetime.combine(first, meeting.start, tzinfo=zone(tz)) < begins
    ):
        first += dt.timedelta(days=1)
    until = _last_moment_utc(last_day, plan.timezone)
    start = dt.datetime.combine(first, meeting.start, tzinfo=zone(tz))
    if start > until:
        return None  # a horizon shorter than a week can hold no meeting at all
    # The length as the clock on an ordinary day reads it (7:00 to 8:15 is 75 minutes), even
    # when the first meeting falls on a clock-change day: every instance gets this length.
    length = dt.datetime.combine(dt.date(2000, 1, 1), meeting.end_time) - dt.datetime.combine(
        dt.date(2000, 1, 1), meeting.start
    )
    if length <= dt.timedelta(0):
        length += dt.timedelta(days=1)  # ends after midnight
    end = _exact_add(start, length)
    days = tuple(sorted(set(meeting.days), key=lambda d: d.number))
    rule = Rule("WEEKLY", until, byday=days)
    return Series(f"meetings/{meeting.id}", EntryKind.MEETING, meeting, tz, start, end, rule)


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
    return Series(f"appointments/{item.id}", EntryKind.APPOINTMENT, item, tz, start, end, rule)


def _refill_series(item: Medication, plan: AftercarePlan, last_day: dt.date) -> Series | None:
    if item.next_refill is None:
        return None
    rule = None
    if item.refill_every_days and item.next_refill < last_day:
        rule = Rule("DAILY", last_day, interval=item.refill_every_days)
    end = item.next_refill + dt.timedelta(days=1)
    return Series(
        f"medications/{item.id}", EntryKind.REFILL, item, plan.timezone, item.next_refill, end, rule
    )


def plan_series(plan: AftercarePlan, horizon_days: int = DEFAULT_HORIZON_DAYS) -> list[Series]:
    """Every calendar series of the plan, in a stable order (plan order within each kind)."""
    last_day = horizon_end(plan, horizon_days)
    series = [s for m in plan.meetings if (s := _meeting_series(m, plan, last_day)) is not None]
    series += [_appointment_series(a, plan, last_day) for a in plan.appointments]
    series += [s for m in plan.medications if (s := _refill_series(m, plan, last_day)) is not None]
    review = plan.program.next_review
    if review is not None:
        end = review + dt.timedelta(days=1)
        series.append(
            Series("program/next-review", EntryKind.REVIEW, None, plan.timezone, review, end)
        )
    return series


def _exact_add(start: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """Add elapsed time: an hour that crosses a clock change still lasts an hour."""
    return (start.astimezone(UTC) + delta).astimezone(start.tzinfo)


def _local_starts(series: Series) -> list[dt.datetime]:
    """Start times as naive wall-clock datetimes (naive midnight for all-day series)."""
    start = series.start
    naive = (
        start.replace(tzinfo=None)
        if isinstance(start, dt.datetime)
        else dt.datetime.combine(start, dt.time())
    )
    rule = series.rule
    if rule is None:
        return [naive]
    from dateutil import rrule as du

    if isinstance(rule.until, dt.datetime):
        until = rule.until.astimezone(zone(series.tz)).replace(tzinfo=None)
    else:
        until = dt.datetime.combine(rule.until, dt.time())
    freq = getattr(du, rule.freq)  # DAILY, WEEKLY, MONTHLY: the same names as in RRULE
    byweekday = [day.number for day in rule.byday] or None
    return list(
        du.rrule(freq, dtstart=naive, interval=rule.interval, byweekday=byweekday, until=until)
    )


def occurrences(series: Series) -> list[Occurrence]:
    """Every occurrence of a series, each in the series' own time zone."""
    length = _length(series)
    found = []
    for local in _local_starts(series):
        if series.all_day:
            day = local.date()
            found.append(Occurrence(series, day, day + length.days * dt.timedelta(days=1)))
        else:
            start = local.replace(tzinfo=zone(series.tz))
            found.append(Occurrence(series, start, _exact_add(start, length)))
    return found


def _length(series: Series) -> dt.timedelta:
    """The exact length of the first instance, which RFC 5545 (3.8.5.3) gives every instance."""
    if isinstance(series.start, dt.datetime) and isinstance(series.end, dt.datetime):
        return series.end.astimezone(UTC) - series.start.astimezone(UTC)
    return dt.timedelta(days=(_as_date(series.end) - _as_date(series.start)).days)


def _as_date(value: dt.datetime | dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
