"""What is coming up: the plan's occurrences in a window of days, in the person's local time.

Built from the same :mod:`iopcli.schedule` series as the .ics export, so the agenda and the
calendar file cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from iopcli.describe import describe
from iopcli.model import AftercarePlan
from iopcli.schedule import EntryKind, occurrences, plan_series, zone


@dataclass(frozen=True)
class Entry:
    key: str
    kind: EntryKind
    title: str
    start: dt.datetime | dt.date  # in the plan's time zone; a date for all-day entries
    end: dt.datetime | dt.date
    where: str | None
    link: str | None
    phone: str | None

    @property
    def day(self) -> dt.date:
        return self.start.date() if isinstance(self.start, dt.datetime) else self.start

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind.value,
            "title": self.title,
            "all_day": not isinstance(self.start, dt.datetime),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "where": self.where,
            "link": self.link,
            "phone": self.phone,
        }


def agenda(plan: AftercarePlan, first: dt.date, days: int) -> list[Entry]:
    """Every entry from ``first`` for ``days`` days (plan time zone), in time order.

    Repeats run until the window's end, however far past the calendar export's horizon that
    is: a person still goes to meetings after day 90.
    """
    last = first + dt.timedelta(days=days - 1)
    # Two days more than the window: a meeting held in a zone ahead of the plan's (Sydney for
    # a Denver plan) falls on the next day in its own zone.
    horizon = max((last - plan.program.discharge_date).days + 2, 0)
    tz = zone(plan.timezone)
    found = []
    for series in plan_series(plan, horizon_days=horizon):
        described = describe(series, plan, discreet=False)
        for occurrence in occurrences(series):
            start, end = occurrence.start, occurrence.end
            if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
                # Through UTC: a 2:30 am start on a spring-forward day shows as the 3:30 am the
                # clocks read, not as a time that does not exist.
                start = start.astimezone(dt.UTC).astimezone(tz)
                end = end.astimezone(dt.UTC).astimezone(tz)
            entry = Entry(
                series.key,
                series.kind,
                described.title,
                start,
                end,
                described.location,
                described.url,
                described.phone,
            )
            if first <= entry.day <= last:
                found.append(entry)
    return sorted(found, key=_order)


def _order(entry: Entry) -> tuple[dt.date, int, str, str]:
    # All-day entries (refills, the review) first in their day, then by time.
    if isinstance(entry.start, dt.datetime):
        return (entry.day, 1, entry.start.strftime("%H:%M"), entry.key)
    return (entry.day, 0, "", entry.key)


def today_in(plan: AftercarePlan) -> dt.date:
    return dt.datetime.now(zone(plan.timezone)).date()


__all__ = ["Entry", "EntryKind", "agenda", "today_in"]
