"""VTIMEZONE blocks in the RRULE style that Outlook and Thunderbird read correctly.

icalendar's own ``Timezone.from_tzid`` writes comma-separated RDATE lists, which ical.js and
vobject read only the first value of. Every TZif file of the tz database ends with a POSIX TZ
string that states the zone's current yearly rule ("CST6CDT,M3.2.0,M11.1.0"); this module turns
that rule into STANDARD/DAYLIGHT components with ``RRULE:FREQ=YEARLY;BYMONTH=..;BYDAY=..``, as
Thunderbird's and Outlook's own zones are written. Where that rule does not hold for every year
the calendar's events fall in (Sao Paulo kept DST until 2019; Casablanca changes for Ramadan
until 2087), or cannot be stated that way (a change at 24:00 or later), the zone is written as
one RDATE per change in those years.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_NAME = r"(?:[A-Za-z]{3,}|<[+\-A-Za-z0-9]+>)"
_OFFSET = r"[+-]?\d{1,3}(?::\d{2}){0,2}"
_RULE = r"M\d{1,2}\.\d\.\d(?:/" + _OFFSET + r")?"
_POSIX = re.compile(
    rf"(?P<std>{_NAME})(?P<stdoff>{_OFFSET})"
    rf"(?:(?P<dst>{_NAME})(?P<dstoff>{_OFFSET})?,(?P<start>{_RULE}),(?P<end>{_RULE}))?"
)
_EPOCH_YEAR = 1970  # like Thunderbird's zones: the rule is stated from 1970 on


@dataclass(frozen=True)
class _Transition:
    month: int
    week: int  # 1..4, or 5 for "last"
    weekday: int  # POSIX: 0 = Sunday
    at: dt.timedelta  # local time of day the change happens

    @classmethod
    def parse(cls, text: str) -> _Transition:
        rule, _, at = text.partition("/")
        month, week, weekday = (int(x) for x in rule[1:].split("."))
        return cls(month, week, weekday, _parse_offset(at) if at else dt.timedelta(hours=2))

    @lru_cache(maxsize=512)  # noqa: B019 - a handful of frozen rules, each asked per year
    def onset(self, year: int) -> dt.datetime:
        python_weekday = (self.weekday - 1) % 7  # Monday = 0
        if self.week == 5:
            last = (
                dt.date(year, self.month % 12 + 1, 1)
                if self.month < 12
                else dt.date(year + 1, 1, 1)
            )
            day = last - dt.timedelta(days=1)
            while day.weekday() != python_weekday:
                day -= dt.timedelta(days=1)
        else:
            day = dt.date(year, self.month, 1)
            while day.weekday() != python_weekday:
                day += dt.timedelta(days=1)
            day += dt.timedelta(weeks=self.week - 1)
        return dt.datetime.combine(day, dt.time()) + self.at

    def rrule(self) -> dict[str, object]:
        code = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"][self.weekday]
        nth = -1 if self.week == 5 else self.week
        return {"FREQ": "YEARLY", "BYMONTH": self.month, "BYDAY": f"{nth}{code}"}


def _parse_offset(text: str) -> dt.timedelta:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    return sign * dt.timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])


def _tzif_bytes(key: str) -> bytes:
    # Where zoneinfo itself looks: the system's TZPATH first, then the tzdata package.
    for root in zoneinfo.TZPATH:
        path = Path(root, key)
        if path.is_file():
            return path.read_bytes()
    package, _, name = ("tzdata.zoneinfo/" + key).rpartition("/")
    return resources.files(package.replace("/", ".")).joinpath(name).read_bytes()


def posix_rule(key: str) -> str:
    """The POSIX TZ string at the end of the zone's TZif file, e.g. 'CST6CDT,M3.2.0,M11.1.0'."""
    data = _tzif_bytes(key)
    if not data.startswith(b"TZif") or not data.endswith(b"\n"):
        return ""
    return data[:-1].rsplit(b"\n", 1)[-1].decode("ascii", "replace")


def _name(text: str) -> str:
    return text.strip("<>")


@dataclass(frozen=True)
class _Rule:
    """A zone's yearly rule: standard offset, and optionally the other offset and its span."""

    std_name: str
    std_offset: dt.timedelta
    dst_name: str | None = None
    dst_offset: dt.timedelta | None = None
    start: _Transition | None = None  # when the dst_offset begins (local time, std_offset)
    end: _Transition | None = None  # when it ends (local time, dst_offset)

    @classmethod
    def parse(cls, text: str) -> _Rule | None:
        match = _POSIX.fullmatch(text)
        if match is None or not _expressible(match):
            return None
        std = -_parse_offset(match["stdoff"])
        if match["dst"] is None:
            return cls(_name(match["std"]), std)
        dst = -_parse_offset(match["dstoff"]) if match["dstoff"] else std + dt.timedelta(hours=1)
        start, end = _Transition.parse(match["start"]), _Transition.parse(match["end"])
        return cls(_name(match["std"]), std, _name(match["dst"]), dst, start, end)

    def offset_at(self, moment: dt.datetime) -> dt.timedelta:
        """The UTC offset in force at a naive UTC moment."""
        if self.start is None or self.end is None or self.dst_offset is None:
            return self.std_offset
        begins = self.start.onset(moment.year) - self.std_offset
        ends = self.end.onset(moment.year) - self.dst_offset
        inside = begins <= moment < ends if begins < ends else not ends <= moment < begins
        return self.dst_offset if inside else self.std_offset


# The years a VTIMEZONE is written for when none are given (tests, and zones looked at on
# their own); an export passes the years its own events fall in.
DEFAULT_YEARS = (2024, 2045)


def _offset(tz: zoneinfo.ZoneInfo, moment: dt.datetime) -> dt.timedelta:
    """The UTC offset in force at a naive UTC moment."""
    value = moment.replace(tzinfo=dt.UTC).astimezone(tz).utcoffset()
    assert value is not None
    return value


def _rule_holds(rule: _Rule, key: str, first_year: int, last_year: int) -> bool:
    """Whether the rule gives zoneinfo's offset throughout the years: on each side of every
    change the tz database has in them, of every change the rule states, and once a week (the
    offset is constant between changes, so that is every moment)."""
    tz = zoneinfo.ZoneInfo(key)
    moments: list[dt.datetime] = []
    first, last = dt.datetime(first_year, 1, 1), dt.datetime(last_year + 1, 1, 1)
    moment = first
    while moment < last:
        moments.append(moment)
        moment += dt.timedelta(days=7)
    minute = dt.timedelta(minutes=1)
    for change, _, _, _ in _transitions(key, first_year, last_year):
        moments += [change - minute, change]
    for year in range(first_year, last_year + 1):
        for onset, offset in ((rule.start, rule.std_offset), (rule.end, rule.dst_offset)):
            if onset is not None and offset is not None:
                change = onset.onset(year) - offset
                moments += [change - minute, change]
    return all(_offset(tz, m) == rule.offset_at(m) for m in moments)


@lru_cache(maxsize=256)
def vtimezone(key: str, first_year: int | None = None, last_year: int | None = None) -> Timezone:
    """The VTIMEZONE for an IANA zone, right for every moment from January 1 of ``first_year``
    to the end of ``last_year``; cached, since plans share a handful of zones and years.

    The zone's current yearly rule (RRULE style) where it holds for all those years; otherwise
    every change in them, one RDATE per line (Sao Paulo before 2019, Casablanca's Ramadan
    changes, Jerusalem's changes at 26:00)."""
    first_year = DEFAULT_YEARS[0] if first_year is None else first_year
    last_year = DEFAULT_YEARS[1] if last_year is None else last_year
    rule = _Rule.parse(posix_rule(key))
    if rule is None or not _rule_holds(rule, key, first_year, last_year):
        return _fallback(key, first_year, last_year)
    tz = Timezone()
    tz.add("TZID", key)
    if rule.dst_name is None or rule.dst_offset is None or rule.start is None or rule.end is None:
        offset = rule.std_offset
        tz.add_component(_part(TimezoneStandard(), rule.std_name, offset, offset))
        return tz
    # The part with the larger offset is DAYLIGHT, as clients expect, even where the tz
    # database calls winter time "daylight" (Europe/Dublin's negative DST).
    parts = [
        (rule.dst_name, rule.std_offset, rule.dst_offset, rule.start),
        (rule.std_name, rule.dst_offset, rule.std_offset, rule.end),
    ]
    for name, offset_from, offset_to, transition in sorted(parts, key=lambda p: p[2] < p[1]):
        kind = TimezoneDaylight() if offset_to > offset_from else TimezoneStandard()
        tz.add_component(_part(kind, name, offset_from, offset_to, transition))
    return tz


def _expressible(match: re.Match[str]) -> bool:
    for rule in (match["start"], match["end"]):
        if rule is not None:
            at = _Transition.parse(rule).at
            if not dt.timedelta(0) <= at < dt.timedelta(hours=24):
                return False
    return True


def _part(
    component: TimezoneStandard | TimezoneDaylight,
    name: str,
    offset_from: dt.timedelta,
    offset_to: dt.timedelta,
    transition: _Transition | None = None,
) -> TimezoneStandard | TimezoneDaylight:
    start = transition.onset(_EPOCH_YEAR) if transition else dt.datetime(_EPOCH_YEAR, 1, 1)
    component.add("DTSTART", start)
    component.add("TZOFFSETFROM", offset_from)
    component.add("TZOFFSETTO", offset_to)
    component.add("TZNAME", _name(name))
    if transition is not None:
        component.add("RRULE", transition.rrule())
    return component


def changes(key: str, first_year: int, last_year: int) -> tuple[dt.datetime, ...]:
    """The UTC instants the zone's clocks change in those years (aware, UTC)."""
    return tuple(
        m.replace(tzinfo=dt.UTC) for m, _, _, _ in _transitions(key, first_year, last_year)
    )


@lru_cache(maxsize=256)
def _transitions(
    key: str, first_year: int, last_year: int
) -> tuple[tuple[dt.datetime, dt.timedelta, dt.timedelta, str], ...]:
    """(UTC instant, offset before, offset after, name after) for each change in the years.

    A week-by-week walk in UTC, day by day in a week whose ends differ, bisected to the
    minute where the offset changes. (icalendar's
    ``Timezone.from_tzid`` is faster but steps 64 days at a time and so misses Casablanca's
    35-day Ramadan change in some years, 2047 among them; and it writes a spring-forward onset
    in the local time after the change, where RFC 5545 wants the time before it.)"""
    tz = zoneinfo.ZoneInfo(key)
    found = []
    week, last = dt.datetime(first_year, 1, 1), dt.datetime(last_year + 1, 1, 1)
    day_step, week_step = dt.timedelta(days=1), dt.timedelta(days=7)
    week_offset = _offset(tz, week)
    while week < last:
        next_offset = _offset(tz, week + week_step)
        # A week with the same offset at both ends holds no change (no zone changes and
        # changes back within a week); otherwise each of its days is looked at.
        day, before = week, week_offset
        while next_offset != week_offset and day < week + week_step:
            after = _offset(tz, day + day_step)
            if before != after:
                found.append(_bisect(tz, day, day + day_step, before))
            day, before = day + day_step, after
        week, week_offset = week + week_step, next_offset
    return tuple(change for change in found if change[0] < last)


def _bisect(
    tz: zoneinfo.ZoneInfo, low: dt.datetime, high: dt.datetime, before: dt.timedelta
) -> tuple[dt.datetime, dt.timedelta, dt.timedelta, str]:
    """The change in (low, high], to the minute: (instant, offset before, after, name after)."""
    while high - low > dt.timedelta(minutes=1):
        middle = (low + (high - low) / 2).replace(second=0, microsecond=0)
        if middle <= low:
            break
        low, high = (middle, high) if _offset(tz, middle) == before else (low, middle)
    name = high.replace(tzinfo=dt.UTC).astimezone(tz).tzname() or ""
    return (high, before, _offset(tz, high), name)


def _fallback(key: str, first_year: int, last_year: int) -> Timezone:
    """A zone whose rules this module cannot state as yearly RRULEs for the years asked: every
    change in them as RDATEs, one per line (ical.js and vobject read only the first value of
    a comma-separated RDATE). Each onset is written in the local time before the change, as
    RFC 5545 requires.

    The first part is the zone's standard time from 1970, as RRULE-style zones start, and
    when another offset is in force on January 1 of the first year (Casablanca in a Ramadan
    that spans New Year) a change to it at that moment, a day or more before any event:
    vobject takes a zone that matches UTC from 2000 to 2020 for UTC and drops its TZID, which
    a Casablanca zone starting at +00 in 2030 would otherwise do."""
    tz = Timezone()
    tz.add("TZID", key)
    first = dt.datetime(first_year, 1, 1)
    local = first.replace(tzinfo=dt.UTC).astimezone(zoneinfo.ZoneInfo(key))
    initial = local.utcoffset() or dt.timedelta(0)
    standard = initial - (local.dst() or dt.timedelta(0))
    opening = TimezoneStandard()
    opening.add("DTSTART", dt.datetime(_EPOCH_YEAR, 1, 1))
    opening.add("TZOFFSETFROM", standard)
    opening.add("TZOFFSETTO", standard)
    opening.add("TZNAME", _offset_name(standard) if standard != initial else local.tzname() or "")
    tz.add_component(opening)
    groups: dict[tuple[dt.timedelta, dt.timedelta, str], list[dt.datetime]] = {}
    if standard != initial:
        groups[(standard, initial, local.tzname() or "")] = [first - initial + standard]
    for moment, before, after, name in _transitions(key, first_year, last_year):
        groups.setdefault((before, after, name), []).append(moment + before)
    for (before, after, name), onsets in groups.items():
        part = TimezoneDaylight() if after > before else TimezoneStandard()
        part.add("DTSTART", onsets[0])
        part.add("TZOFFSETFROM", before)
        part.add("TZOFFSETTO", after)
        part.add("TZNAME", name)
        # Every onset as an RDATE, the first too: ical.js takes a part's DTSTART as an onset
        # only when the part has no RDATE (RFC 5545 counts a repeated DTSTART once).
        for onset in onsets:
            part.add("RDATE", onset)
        tz.add_component(part)
    return tz


def _offset_name(offset: dt.timedelta) -> str:
    """'+01', '-0330': the tz database's name for a zone without letters."""
    minutes = int(offset.total_seconds()) // 60
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    hours, rest = divmod(minutes, 60)
    return f"{sign}{hours:02d}" + (f"{rest:02d}" if rest else "")
