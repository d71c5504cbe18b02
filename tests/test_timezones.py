"""VTIMEZONE blocks: RRULE style where possible, and the same offsets as the tz database.

Offsets are read back with independent parsers (vobject, which hands the VTIMEZONE to
dateutil's ``tzical``) and compared with :mod:`zoneinfo` at daily sample points over 2026-2029
and hourly around every transition.
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from collections.abc import Iterator
from functools import cache
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil import tz as dateutil_tz
from icalendar import Calendar

from iopcli.timezones import posix_rule, vtimezone

UTC = dt.UTC

# Zones whose current rule the RRULE form can state.
RRULE_ZONES = [
    "America/Chicago",
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",  # +05:30, no DST
    "Europe/Dublin",  # negative DST in the tz database: IST is "standard", GMT "daylight"
    "America/Sao_Paulo",  # DST abolished in 2019
    "Pacific/Auckland",  # southern hemisphere, April/September
    "America/Phoenix",  # no DST
    "Asia/Tehran",  # +03:30, DST abolished in 2022
    "Europe/Berlin",
    "Asia/Tokyo",
    "America/St_Johns",  # -03:30 / -02:30
    "Australia/Lord_Howe",  # half-hour DST
    "Pacific/Chatham",  # +12:45 / +13:45, change at 2:45 local
    "America/Havana",  # changes at midnight and 1 am
    "Antarctica/Troll",  # two-hour DST
    "Asia/Kathmandu",  # +05:45
    "UTC",
]
FOCUS_ZONES = ["America/Chicago", "America/New_York", "Europe/London", "Australia/Sydney"]
# Zones whose POSIX rule the RRULE form cannot state; they fall back to icalendar's RDATE list.
RDATE_ZONES = ["America/Nuuk"]


# --- helpers -------------------------------------------------------------------------------


@cache
def vtimezone_text(key: str) -> str:
    return vtimezone(key).to_ical().decode()


@cache
def parsed_calendar(key: str) -> vobject.base.Component:
    """A minimal VCALENDAR around the zone, parsed and validated by vobject."""
    calendar = Calendar()
    calendar.add("PRODID", "-//iopcli tests//EN")
    calendar.add("VERSION", "2.0")
    calendar.add_component(vtimezone(key))
    return vobject.readOne(calendar.to_ical().decode(), validate=True)


@cache
def vobject_tzinfo(key: str) -> dt.tzinfo:
    return parsed_calendar(key).vtimezone.gettzinfo()


@cache
def tzical_tzinfo(key: str) -> dt.tzinfo:
    """dateutil's own iCalendar zone reader on the VTIMEZONE text as written."""
    return dateutil_tz.tzical(io.StringIO(vtimezone_text(key))).get()


def transition_days(key: str, first: int, last: int) -> list[dt.date]:
    """UTC days on which the zone's UTC offset changes (per zoneinfo), first..last inclusive."""
    zone = ZoneInfo(key)
    days = []
    moment = dt.datetime(first, 1, 1, tzinfo=UTC)
    previous = moment.astimezone(zone).utcoffset()
    while moment.year <= last:
        moment += dt.timedelta(days=1)
        offset = moment.astimezone(zone).utcoffset()
        if offset != previous:
            days.append((moment - dt.timedelta(days=1)).date())
        previous = offset
    return days


def wall_clock_samples(key: str, first: int = 2026, last: int = 2029) -> Iterator[dt.datetime]:
    """Naive local times: 03:00 and 15:00 every day, and every hour around each transition."""
    day = dt.date(first, 1, 1)
    while day.year <= last:
        yield dt.datetime.combine(day, dt.time(3))
        yield dt.datetime.combine(day, dt.time(15))
        day += dt.timedelta(days=1)
    for change in transition_days(key, first, last):
        start = dt.datetime.combine(change - dt.timedelta(days=1), dt.time())
        for hour in range(72):
            yield start + dt.timedelta(hours=hour)
            yield start + dt.timedelta(hours=hour, minutes=30)
            yield start + dt.timedelta(hours=hour, minutes=45)


def utc_samples_around_transitions(key: str, first: int = 2026, last: int = 2029):
    for change in transition_days(key, first, last):
        start = dt.datetime.combine(change - dt.timedelta(days=1), dt.time(), tzinfo=UTC)
        for quarter in range(72 * 4):
            yield start + dt.timedelta(minutes=15 * quarter)


def unambiguous(local: dt.datetime, zone: ZoneInfo) -> bool:
    """Neither in a gap nor in a repeated hour: both folds give the same offset."""
    return local.replace(tzinfo=zone).utcoffset() == local.replace(tzinfo=zone, fold=1).utcoffset()


def offset_mismatches(key: str, tzinfo: dt.tzinfo, first: int, last: int) -> list[str]:
    zone = ZoneInfo(key)
    wrong = []
    for local in wall_clock_samples(key, first, last):
        if not unambiguous(local, zone):
            continue
        expected = local.replace(tzinfo=zone).utcoffset()
        got = local.replace(tzinfo=tzinfo).utcoffset()
        if got != expected:
            wrong.append(f"{local:%Y-%m-%d %H:%M} local: {got} != zoneinfo {expected}")
    return wrong


def components(key: str) -> list[vobject.base.Component]:
    return list(parsed_calendar(key).vtimezone.getChildren())


def sub_components(key: str) -> list[vobject.base.Component]:
    return [c for c in components(key) if isinstance(c, vobject.base.Component)]


# --- form ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", RRULE_ZONES)
def test_vtimezone_parses_and_carries_its_tzid(key: str) -> None:
    vtz = parsed_calendar(key).vtimezone
    assert vtz.tzid.value == key
    names = sorted(c.name for c in sub_components(key))
    assert names in (["STANDARD"], ["DAYLIGHT", "STANDARD"])


@pytest.mark.parametrize("key", FOCUS_ZONES)
def test_focus_zones_use_yearly_rrules_not_rdates(key: str) -> None:
    text = vtimezone_text(key)
    assert "RDATE" not in text
    parts = sub_components(key)
    assert sorted(c.name for c in parts) == ["DAYLIGHT", "STANDARD"]
    for part in parts:
        rule = part.rrule.value
        assert rule.startswith("FREQ=YEARLY;")
        assert "BYMONTH=" in rule
        assert "BYDAY=" in rule
        assert "UNTIL" not in rule
        assert "COUNT" not in rule


@pytest.mark.parametrize("key", RRULE_ZONES)
def test_no_zone_in_the_rrule_list_needs_rdates(key: str) -> None:
    assert "RDATE" not in vtimezone_text(key)


def test_chicago_vtimezone_is_the_familiar_us_rule() -> None:
    parts = {c.name: c for c in sub_components("America/Chicago")}
    daylight, standard = parts["DAYLIGHT"], parts["STANDARD"]
    assert daylight.dtstart.value == dt.datetime(1970, 3, 8, 2, 0)
    assert daylight.tzoffsetfrom.value == "-0600"
    assert daylight.tzoffsetto.value == "-0500"
    assert daylight.tzname.value == "CDT"
    assert sorted(daylight.rrule.value.split(";")) == ["BYDAY=2SU", "BYMONTH=3", "FREQ=YEARLY"]
    assert standard.dtstart.value == dt.datetime(1970, 11, 1, 2, 0)
    assert standard.tzoffsetfrom.value == "-0500"
    assert standard.tzoffsetto.value == "-0600"
    assert standard.tzname.value == "CST"
    assert sorted(standard.rrule.value.split(";")) == ["BYDAY=1SU", "BYMONTH=11", "FREQ=YEARLY"]


def test_sydney_vtimezone_changes_in_october_and_april() -> None:
    parts = {c.name: c for c in sub_components("Australia/Sydney")}
    assert parts["DAYLIGHT"].tzoffsetto.value == "+1100"
    assert parts["DAYLIGHT"].dtstart.value == dt.datetime(1970, 10, 4, 2, 0)
    assert "BYMONTH=10" in parts["DAYLIGHT"].rrule.value
    assert parts["STANDARD"].tzoffsetto.value == "+1000"
    # The change back happens at 03:00 daylight time.
    assert parts["STANDARD"].dtstart.value == dt.datetime(1970, 4, 5, 3, 0)
    assert "BYMONTH=4" in parts["STANDARD"].rrule.value


def test_london_changes_on_the_last_sunday() -> None:
    parts = {c.name: c for c in sub_components("Europe/London")}
    assert "BYDAY=-1SU" in parts["DAYLIGHT"].rrule.value
    assert parts["DAYLIGHT"].dtstart.value.time() == dt.time(1, 0)
    assert "BYDAY=-1SU" in parts["STANDARD"].rrule.value
    assert parts["STANDARD"].dtstart.value.time() == dt.time(2, 0)


@pytest.mark.parametrize(
    ("key", "offset"),
    [
        ("Asia/Kolkata", "+0530"),
        ("America/Phoenix", "-0700"),
        ("Asia/Tehran", "+0330"),
        ("America/Sao_Paulo", "-0300"),
        ("Asia/Kathmandu", "+0545"),
    ],
)
def test_zones_without_dst_have_one_standard_component(key: str, offset: str) -> None:
    (only,) = sub_components(key)
    assert only.name == "STANDARD"
    assert only.tzoffsetfrom.value == offset
    assert only.tzoffsetto.value == offset


def test_posix_rules_are_read_from_the_tzif_footer() -> None:
    assert posix_rule("America/Chicago") == "CST6CDT,M3.2.0,M11.1.0"
    assert posix_rule("Asia/Kolkata") == "IST-5:30"
    assert posix_rule("Europe/London") == "GMT0BST,M3.5.0/1,M10.5.0"


def test_vtimezone_output_is_deterministic() -> None:
    vtimezone.cache_clear()
    first = vtimezone("Europe/London").to_ical()
    vtimezone.cache_clear()
    assert vtimezone("Europe/London").to_ical() == first


# --- offsets -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", RRULE_ZONES)
def test_vobject_offsets_match_zoneinfo_2026_to_2029(key: str) -> None:
    assert offset_mismatches(key, vobject_tzinfo(key), 2026, 2029) == []


@pytest.mark.parametrize("key", FOCUS_ZONES)
def test_focus_zones_have_two_transitions_a_year(key: str) -> None:
    assert len(transition_days(key, 2026, 2029)) == 8


@pytest.mark.parametrize("key", RRULE_ZONES)
def test_vobject_converts_utc_instants_like_zoneinfo_around_transitions(key: str) -> None:
    zone, parsed = ZoneInfo(key), vobject_tzinfo(key)
    wrong = [
        f"{moment:%Y-%m-%dT%H:%MZ}: {moment.astimezone(parsed).utcoffset()} "
        f"!= {moment.astimezone(zone).utcoffset()}"
        for moment in utc_samples_around_transitions(key)
        if moment.astimezone(parsed).utcoffset() != moment.astimezone(zone).utcoffset()
    ]
    assert wrong == []


@pytest.mark.parametrize("key", RDATE_ZONES)
def test_rdate_fallback_zone_parses_and_matches_zoneinfo_2026_to_2030(key: str) -> None:
    # America/Nuuk changes at -1:00 local ("M3.5.0/-1"), which an RRULE cannot say.
    assert "/-1" in posix_rule(key)
    text = vtimezone_text(key)
    assert "RDATE" in text
    assert "RRULE" not in text
    assert parsed_calendar(key).vtimezone.tzid.value == key
    assert offset_mismatches(key, tzical_tzinfo(key), 2026, 2030) == []
    # vobject 0.9.9 keeps only the first value of a comma-separated RDATE inside a VTIMEZONE:
    # with one value per line its own tzinfo is right too.
    assert offset_mismatches(key, vobject_tzinfo(key), 2026, 2030) == []


@pytest.mark.parametrize("key", RDATE_ZONES)
def test_rdate_fallback_covers_the_years_plans_use(key: str) -> None:
    rdates = [c for c in sub_components(key) if "rdate" in c.contents]
    assert rdates, "expected DAYLIGHT/STANDARD parts listing their onsets"
    lines = vtimezone_text(key).replace("\r\n ", "").split("\r\n")
    values = [line.removeprefix("RDATE:") for line in lines if line.startswith("RDATE")]
    assert all("," not in value for value in values), "one RDATE value per line"
    assert {"2026", "2027", "2028", "2029", "2030"} <= {value[:4] for value in values}


@pytest.mark.parametrize("key", ["Africa/Casablanca", "Africa/El_Aaiun"])
def test_zones_with_explicit_future_transitions_match_zoneinfo(key: str) -> None:
    assert offset_mismatches(key, tzical_tzinfo(key), 2026, 2029) == []


@pytest.mark.slow
def test_every_iana_zone_gives_a_parseable_vtimezone_with_right_offsets() -> None:
    """A broad, cheap sweep: every zone parses, and mid-winter/mid-summer 2027 offsets agree."""
    wrong = []
    for key in sorted(zoneinfo.available_timezones()):
        text = vtimezone_text(key)
        assert text.startswith("BEGIN:VTIMEZONE\r\n"), key
        parsed = dateutil_tz.tzical(io.StringIO(text)).get()
        zone = ZoneInfo(key)
        for sample in (dt.datetime(2027, 1, 15, 12), dt.datetime(2027, 7, 15, 12)):
            expected = sample.replace(tzinfo=zone).utcoffset()
            got = sample.replace(tzinfo=parsed).utcoffset()
            if got != expected:
                wrong.append(f"{key} {sample:%Y-%m-%d}: {got} != {expected}")
    assert wrong == []
