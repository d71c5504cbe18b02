"""VTIMEZONE blocks in the RRULE style that Outlook and Thunderbird read correctly.

icalendar's own ``Timezone.from_tzid`` writes a list of RDATEs, which some clients misread
after a daylight-saving change. Every TZif file of the tz database ends with a POSIX TZ string
that states the zone's current yearly rule ("CST6CDT,M3.2.0,M11.1.0"); this module turns that
rule into STANDARD/DAYLIGHT components with ``RRULE:FREQ=YEARLY;BYMONTH=..;BYDAY=..``, as
Thunderbird's and Outlook's own zones are written. A rule this form cannot state (a change at
24:00 or later, Julian-day rules) falls back to icalendar's RDATE style for the years needed.
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


@lru_cache(maxsize=128)
def vtimezone(key: str) -> Timezone:
    """The VTIMEZONE for an IANA zone; cached, since plans share a handful of zones."""
    match = _POSIX.fullmatch(posix_rule(key))
    if match is None or not _expressible(match):
        return _fallback(key)
    standard_offset = -_parse_offset(match["stdoff"])
    tz = Timezone()
    tz.add("TZID", key)
    if match["dst"] is None:
        tz.add_component(_part(TimezoneStandard(), match["std"], standard_offset, standard_offset))
        return tz
    daylight_offset = (
        -_parse_offset(match["dstoff"])
        if match["dstoff"]
        else standard_offset + dt.timedelta(hours=1)
    )
    start, end = _Transition.parse(match["start"]), _Transition.parse(match["end"])
    daylight = _part(TimezoneDaylight(), match["dst"], standard_offset, daylight_offset, start)
    standard = _part(TimezoneStandard(), match["std"], daylight_offset, standard_offset, end)
    tz.add_component(daylight)
    tz.add_component(standard)
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


def _fallback(key: str) -> Timezone:
    # A fixed span, not one around today: exports must not depend on the clock.
    return Timezone.from_tzid(key, first_date=dt.date(2020, 1, 1), last_date=dt.date(2040, 1, 1))
