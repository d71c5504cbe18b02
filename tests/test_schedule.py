"""Calendar series and their occurrences, checked against independent recurrence engines.

Every VEVENT the exporter writes is expanded by vobject (``getrruleset``, which reads the
file's own VTIMEZONE) and by ``dateutil.rrule.rrulestr`` (with DTSTART put in its zoneinfo
zone); both must give exactly the instants, and the local wall-clock times, that
:func:`iopcli.schedule.occurrences` gives. (The schedule expands rules with its own date
arithmetic, not with dateutil, so dateutil here is a second engine, not the same one.)
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iopcli.ics import IcsOptions, event_uid, plan_to_ics
from iopcli.model import AftercarePlan, Meeting
from iopcli.planfile import parse_plan
from iopcli.schedule import (
    DEFAULT_HORIZON_DAYS,
    EntryKind,
    Series,
    horizon_end,
    occurrences,
    plan_series,
)

UTC = dt.UTC
CHICAGO = ZoneInfo("America/Chicago")
WEEKDAY_CODES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


# --- helpers -------------------------------------------------------------------------------


def make_plan(
    *,
    tz: str = "America/Chicago",
    discharge: str = "2027-03-01",
    meetings: Sequence[str] = (),
    appointments: Sequence[str] = (),
    medications: Sequence[str] = (),
    review: str | None = None,
    plan_id: str = "schedule-test",
) -> AftercarePlan:
    """A plan from YAML text; items are YAML flow mappings, one per string."""
    lines = [
        f"id: {plan_id}",
        f"person: {{name: Ana, timezone: {tz}}}",
        "program:",
        "  name: Test Program",
        f"  discharge_date: {discharge}",
    ]
    if review:
        lines.append(f"  next_review: {review}")
    for section, items in (
        ("meetings", meetings),
        ("appointments", appointments),
        ("medications", medications),
    ):
        if items:
            lines.append(f"{section}:")
            lines += [f"  - {item}" for item in items]
    return parse_plan("\n".join(lines).encode(), "test.yaml")


def parse_ics(plan: AftercarePlan, options: IcsOptions | None = None) -> vobject.base.Component:
    return vobject.readOne(plan_to_ics(plan, options).decode(), validate=True)


def events_by_key(
    plan: AftercarePlan, options: IcsOptions | None = None
) -> dict[str, vobject.base.Component]:
    """VEVENTs keyed by series key (matched through the UID); not the instances a repeating
    event states once more on their own (RECURRENCE-ID), see :func:`pinned_by_key`."""
    horizon = (options or IcsOptions()).horizon_days
    keys = {event_uid(plan.id, s.key): s.key for s in plan_series(plan, horizon)}
    calendar = parse_ics(plan, options)
    return {
        keys[event.uid.value]: event
        for event in calendar.vevent_list
        if "recurrence-id" not in event.contents
    }


def pinned_by_key(
    plan: AftercarePlan, options: IcsOptions | None = None
) -> dict[str, dict[dt.datetime, dt.datetime]]:
    """For each series key: RECURRENCE-ID (naive wall clock) -> the instance's UTC start."""
    horizon = (options or IcsOptions()).horizon_days
    keys = {event_uid(plan.id, s.key): s.key for s in plan_series(plan, horizon)}
    found: dict[str, dict[dt.datetime, dt.datetime]] = {}
    for event in parse_ics(plan, options).vevent_list:
        if "recurrence-id" in event.contents:
            start = event.dtstart.value
            assert start.tzinfo is not None
            assert start.utcoffset() == dt.timedelta(0), "a pinned instance starts in UTC"
            found.setdefault(keys[event.uid.value], {})[naive(event.recurrence_id.value)] = start
    return found


def vobject_starts(event: vobject.base.Component) -> list[dt.datetime | dt.date]:
    """Occurrence starts as vobject expands them (dates for all-day events)."""
    ruleset = event.getrruleset(addRDate=True)
    starts = list(ruleset) if ruleset is not None else [event.dtstart.value]
    if not isinstance(event.dtstart.value, dt.datetime):
        return [s.date() if isinstance(s, dt.datetime) else s for s in starts]
    return starts


def dateutil_starts(event: vobject.base.Component, tz: str) -> list[dt.datetime | dt.date]:
    """Occurrence starts from dateutil's rrulestr, DTSTART placed in its zoneinfo zone."""
    start = event.dtstart.value
    all_day = not isinstance(start, dt.datetime)
    first = (
        dt.datetime.combine(start, dt.time())
        if all_day
        else start.replace(tzinfo=None).replace(tzinfo=ZoneInfo(tz))
    )
    if "rrule" not in event.contents:
        found = [first]
    else:
        found = list(rrulestr(event.rrule.value, dtstart=first))
    return [s.date() for s in found] if all_day else found


def naive(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=None)


def timed(series: Series) -> list[dt.datetime]:
    """Aware occurrence starts of a timed series."""
    starts = []
    for occurrence in occurrences(series):
        assert isinstance(occurrence.start, dt.datetime)
        starts.append(occurrence.start)
    return starts


def in_utc_by_day(series: Series) -> dict[dt.date, dt.datetime]:
    return {s.date(): s.astimezone(UTC) for s in timed(series)}


def aware(values: Sequence[dt.datetime | dt.date]) -> list[dt.datetime]:
    out = []
    for value in values:
        assert isinstance(value, dt.datetime)
        assert value.tzinfo is not None
        out.append(value)
    return out


def series_by_key(plan: AftercarePlan, horizon: int = DEFAULT_HORIZON_DAYS) -> dict[str, Series]:
    return {s.key: s for s in plan_series(plan, horizon)}


def days_between(first: dt.date, last: dt.date, weekdays: set[int]) -> list[dt.date]:
    """Every date first..last (inclusive) whose weekday (Monday = 0) is in ``weekdays``."""
    out, day = [], first
    while day <= last:
        if day.weekday() in weekdays:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def exists(local: dt.datetime, zone: ZoneInfo) -> bool:
    """False for a wall-clock time skipped by a spring-forward change."""
    aware = local.replace(tzinfo=zone)
    return naive(aware.astimezone(UTC).astimezone(zone)) == local


def assert_expansions_agree(plan: AftercarePlan, options: IcsOptions | None = None) -> None:
    """vobject and dateutil expand every VEVENT to exactly schedule.occurrences()."""
    horizon = (options or IcsOptions()).horizon_days
    series = series_by_key(plan, horizon)
    events = events_by_key(plan, options)
    assert set(events) == set(series)
    pinned = pinned_by_key(plan, options)
    for key, entry in series.items():
        # Exactly the instances at a clock change are pinned, each to its RFC 5545 instant.
        want = {
            naive(o.start): o.start.astimezone(UTC)
            for o in occurrences(entry)
            if entry.rule is not None and o.at_a_clock_change and isinstance(o.start, dt.datetime)
        }
        assert pinned.get(key, {}) == want, key
    for key, event in events.items():
        entry = series[key]
        expected = [o.start for o in occurrences(entry)]
        from_dateutil = dateutil_starts(event, entry.tz)
        from_vobject = vobject_starts(event)
        assert from_dateutil == expected, key
        if entry.all_day:
            assert from_vobject == expected, key
            continue
        # Same wall-clock times in the series' zone...
        assert [naive(s) for s in from_vobject] == [naive(s) for s in expected], key
        # ...and the same instants. (A start inside a spring-forward gap is read with the
        # offset from before the gap, as RFC 5545 3.3.5 says; dateutil's tzical, which vobject
        # uses, reads it with the offset after, so such starts are checked against RFC.)
        zone = ZoneInfo(entry.tz)
        for got, want in zip(from_vobject, expected, strict=True):
            assert isinstance(got, dt.datetime)
            assert isinstance(want, dt.datetime)
            if exists(naive(want), zone):
                # (compared in UTC: PEP 495 makes inter-zone == false for a repeated hour)
                assert got.astimezone(UTC) == want.astimezone(UTC), (key, got, want)
            else:
                before_gap = (naive(want) - dt.timedelta(hours=6)).replace(tzinfo=zone)
                offset = before_gap.utcoffset()
                assert offset is not None
                assert want.astimezone(UTC) == (naive(want) - offset).replace(tzinfo=UTC)
        # Ends: the DURATION, exact elapsed time, the same for every occurrence
        # (RFC 5545 3.8.5.3). A timed event never carries a local DTEND.
        assert "dtend" not in event.contents, key
        length = event.duration.value
        for occurrence in occurrences(entry):
            assert isinstance(occurrence.end, dt.datetime)
            assert isinstance(occurrence.start, dt.datetime)
            assert occurrence.end.astimezone(UTC) - occurrence.start.astimezone(UTC) == length
            assert occurrence.end.tzinfo == occurrence.start.tzinfo


# --- daylight-saving changes ---------------------------------------------------------------


TUE_THU_CHICAGO = "{id: big-book, name: Big Book Study, days: [Tue, thursday], start: 7pm}"


def test_tue_thu_chicago_meeting_stays_at_19_local_across_march_change() -> None:
    plan = make_plan(discharge="2027-03-01", meetings=[TUE_THU_CHICAGO])
    starts = timed(series_by_key(plan)["meetings/big-book"])
    last_day = dt.date(2027, 3, 1) + dt.timedelta(days=90)
    expected_days = days_between(dt.date(2027, 3, 1), last_day, {1, 3})
    assert len(expected_days) == 26
    assert [s.date() for s in starts] == expected_days
    assert {s.time() for s in starts} == {dt.time(19, 0)}
    assert {s.tzinfo for s in starts} == {CHICAGO}
    by_day = {s.date(): s.astimezone(UTC) for s in starts}
    # Thursday before the change (CST, -6) and Tuesday after it (CDT, -5).
    assert by_day[dt.date(2027, 3, 11)] == dt.datetime(2027, 3, 12, 1, 0, tzinfo=UTC)
    assert by_day[dt.date(2027, 3, 16)] == dt.datetime(2027, 3, 17, 0, 0, tzinfo=UTC)
    change = dt.date(2027, 3, 14)
    assert {s.utcoffset() for s in starts if s.date() < change} == {dt.timedelta(hours=-6)}
    assert {s.utcoffset() for s in starts if s.date() > change} == {dt.timedelta(hours=-5)}
    assert_expansions_agree(plan)


def test_vobject_sees_the_chicago_meeting_at_19_local_on_both_sides() -> None:
    plan = make_plan(discharge="2027-03-01", meetings=[TUE_THU_CHICAGO])
    starts = aware(vobject_starts(events_by_key(plan)["meetings/big-book"]))
    assert len(starts) == 26
    in_chicago = [s.astimezone(CHICAGO) for s in starts]
    assert {s.time() for s in in_chicago} == {dt.time(19, 0)}
    assert {s.utcoffset() for s in in_chicago} == {dt.timedelta(hours=-6), dt.timedelta(hours=-5)}


def test_new_york_meeting_seen_from_a_chicago_plan_is_at_9() -> None:
    plan = make_plan(
        discharge="2027-03-01",
        meetings=[
            "{id: ny-online, name: NY Online, days: thu, start: '10:00', "
            "timezone: America/New_York, online_url: 'https://meet.example.org/x'}"
        ],
    )
    entry = series_by_key(plan)["meetings/ny-online"]
    assert entry.tz == "America/New_York"
    starts = timed(entry)
    assert {s.time() for s in starts} == {dt.time(10, 0)}
    assert {s.astimezone(CHICAGO).time() for s in starts} == {dt.time(9, 0)}
    assert b"DTSTART;TZID=America/New_York:20270304T100000\r\n" in plan_to_ics(plan)
    seen = aware(vobject_starts(events_by_key(plan)["meetings/ny-online"]))
    assert {s.astimezone(CHICAGO).time() for s in seen} == {dt.time(9, 0)}
    assert_expansions_agree(plan)


def test_london_meeting_keeps_its_local_time_across_2027_03_28() -> None:
    plan = make_plan(
        tz="Europe/London",
        discharge="2027-03-20",
        meetings=["{id: sunday, name: Sunday Group, days: [sun, wed], start: '11:00'}"],
    )
    entry = series_by_key(plan)["meetings/sunday"]
    by_day = in_utc_by_day(entry)
    assert by_day[dt.date(2027, 3, 21)] == dt.datetime(2027, 3, 21, 11, tzinfo=UTC)  # GMT
    assert by_day[dt.date(2027, 3, 28)] == dt.datetime(2027, 3, 28, 10, tzinfo=UTC)  # BST
    assert {s.time() for s in timed(entry)} == {dt.time(11, 0)}
    assert_expansions_agree(plan)


def test_sydney_meeting_keeps_its_local_time_across_april_and_october_changes() -> None:
    plan = make_plan(
        tz="Australia/Sydney",
        discharge="2027-03-22",
        meetings=["{id: weekend, name: Weekend Group, days: [sat, sun], start: '18:30'}"],
    )
    entry = series_by_key(plan, 200)["meetings/weekend"]
    by_day = in_utc_by_day(entry)
    assert by_day[dt.date(2027, 3, 28)] == dt.datetime(2027, 3, 28, 7, 30, tzinfo=UTC)  # AEDT
    assert by_day[dt.date(2027, 4, 4)] == dt.datetime(2027, 4, 4, 8, 30, tzinfo=UTC)  # AEST
    assert by_day[dt.date(2027, 10, 3)] == dt.datetime(2027, 10, 3, 7, 30, tzinfo=UTC)  # AEDT
    assert {s.time() for s in timed(entry)} == {dt.time(18, 30)}
    assert_expansions_agree(plan, IcsOptions(horizon_days=200))


def test_start_in_the_spring_forward_gap_uses_the_offset_from_before_the_gap() -> None:
    # 02:30 on 2027-03-14 does not exist in Chicago; RFC 5545 reads it as 02:30 CST = 03:30 CDT.
    plan = make_plan(
        discharge="2027-03-07",
        meetings=["{id: night, name: Night Owls, days: sun, start: '02:30'}"],
    )
    by_day = in_utc_by_day(series_by_key(plan, 14)["meetings/night"])
    assert by_day[dt.date(2027, 3, 7)] == dt.datetime(2027, 3, 7, 8, 30, tzinfo=UTC)
    assert by_day[dt.date(2027, 3, 14)] == dt.datetime(2027, 3, 14, 8, 30, tzinfo=UTC)
    assert by_day[dt.date(2027, 3, 21)] == dt.datetime(2027, 3, 21, 7, 30, tzinfo=UTC)
    assert_expansions_agree(plan, IcsOptions(horizon_days=14))


def test_start_in_the_repeated_fall_back_hour_is_the_first_one() -> None:
    # 01:30 on 2027-11-07 happens twice in Chicago; RFC 5545 takes the first (CDT).
    plan = make_plan(
        discharge="2027-11-01",
        meetings=["{id: night, name: Night Owls, days: sun, start: '01:30', end: '01:45'}"],
    )
    by_day = in_utc_by_day(series_by_key(plan, 14)["meetings/night"])
    assert by_day[dt.date(2027, 11, 7)] == dt.datetime(2027, 11, 7, 6, 30, tzinfo=UTC)
    assert by_day[dt.date(2027, 11, 14)] == dt.datetime(2027, 11, 14, 7, 30, tzinfo=UTC)
    assert_expansions_agree(plan, IcsOptions(horizon_days=14))


def test_an_appointment_lasts_its_duration_in_elapsed_time_across_fall_back() -> None:
    plan = make_plan(
        discharge="2027-11-01",
        appointments=["{id: late, provider: Dr. Late, date: 2027-11-07, time: '01:30'}"],
    )
    (found,) = occurrences(series_by_key(plan)["appointments/late"])
    start, end = aware([found.start, found.end])
    assert end.astimezone(UTC) - start.astimezone(UTC) == dt.timedelta(minutes=60)


# --- what the series are -------------------------------------------------------------------


def test_meeting_on_the_discharge_weekday_starts_on_discharge_day() -> None:
    plan = make_plan(discharge="2027-03-02", meetings=[TUE_THU_CHICAGO])  # a Tuesday
    entry = series_by_key(plan)["meetings/big-book"]
    assert entry.start == dt.datetime(2027, 3, 2, 19, 0, tzinfo=CHICAGO)
    assert entry.end == dt.datetime(2027, 3, 2, 20, 0, tzinfo=CHICAGO)  # default: one hour
    assert entry.kind is EntryKind.MEETING
    assert not entry.all_day


def test_meeting_ending_after_midnight_ends_the_next_day() -> None:
    plan = make_plan(
        discharge="2027-03-01",
        meetings=["{id: late, name: Late Night, days: fri, start: '23:30', end: '00:30'}"],
    )
    entry = series_by_key(plan)["meetings/late"]
    assert entry.start == dt.datetime(2027, 3, 5, 23, 30, tzinfo=CHICAGO)
    assert entry.end == dt.datetime(2027, 3, 6, 0, 30, tzinfo=CHICAGO)
    for occurrence in occurrences(entry):
        start, end = aware([occurrence.start, occurrence.end])
        assert end.date() == start.date() + dt.timedelta(days=1)
        assert end - start == dt.timedelta(hours=1)
    event = events_by_key(plan)["meetings/late"]
    assert naive(event.dtstart.value) + event.duration.value == dt.datetime(2027, 3, 6, 0, 30)
    assert_expansions_agree(plan)


def test_appointment_repeats_map_to_rules() -> None:
    plan = make_plan(
        discharge="2027-03-01",
        appointments=[
            "{id: once, provider: A, date: 2027-03-03, time: '09:00'}",
            "{id: weekly, provider: B, date: 2027-03-03, time: '09:00', repeat: weekly}",
            "{id: fortnight, provider: C, date: 2027-03-03, time: '09:00', repeat: biweekly}",
            "{id: monthly, provider: D, date: 2027-01-31, time: '09:00', repeat: monthly}",
            "{id: skip, provider: F, date: 2027-01-31, time: '09:00', repeat: monthly,"
            " short_months: skip}",
            "{id: after, provider: E, date: 2027-09-01, time: '09:00', repeat: weekly}",
        ],
    )
    series = series_by_key(plan)
    assert series["appointments/once"].rule is None
    assert len(occurrences(series["appointments/once"])) == 1
    weekly = [s.date() for s in timed(series["appointments/weekly"])]
    assert {(b - a).days for a, b in itertools.pairwise(weekly)} == {7}
    fortnight = series["appointments/fortnight"]
    assert fortnight.rule is not None
    assert fortnight.rule.interval == 2
    dates = [s.date() for s in timed(fortnight)]
    assert dates == [dt.date(2027, 3, 3) + dt.timedelta(days=14 * n) for n in range(len(dates))]
    assert dates[-1] <= dt.date(2027, 5, 30) < dates[-1] + dt.timedelta(days=14)
    # A monthly appointment on the 31st is on the last day of a shorter month by default
    # (BYMONTHDAY=-1) ...
    monthly = [s.date() for s in timed(series["appointments/monthly"])]
    assert monthly[:3] == [dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31)]
    assert monthly[3:] == [dt.date(2027, 4, 30)]  # then the horizon (May 30) ends it
    # ... and skips months without a 31st with short_months: skip, as RFC 5545 does.
    skipped = [s.date() for s in timed(series["appointments/skip"])]
    assert skipped == [dt.date(2027, 1, 31), dt.date(2027, 3, 31)]
    # Dated after the horizon: shown once, not repeated.
    assert series["appointments/after"].rule is None
    assert_expansions_agree(plan)


def test_refills_and_review_are_all_day() -> None:
    plan = make_plan(
        discharge="2027-03-01",
        medications=[
            "{id: med-a, name: Medicine A, next_refill: 2027-03-10, refill_every_days: 30}",
            "{id: med-b, name: Medicine B, next_refill: 2027-03-12}",
            "{id: med-c, name: Medicine C}",
        ],
        review="2027-04-06",
    )
    series = series_by_key(plan)
    assert "medications/med-c" not in series
    refill = series["medications/med-a"]
    assert refill.all_day
    assert refill.kind is EntryKind.REFILL
    assert refill.end == dt.date(2027, 3, 11)
    found = [(o.start, o.end) for o in occurrences(refill)]
    assert found == [
        (dt.date(2027, 3, 10), dt.date(2027, 3, 11)),
        (dt.date(2027, 4, 9), dt.date(2027, 4, 10)),
        (dt.date(2027, 5, 9), dt.date(2027, 5, 10)),
    ]
    assert [o.start for o in occurrences(series["medications/med-b"])] == [dt.date(2027, 3, 12)]
    review = series["program/next-review"]
    assert review.kind is EntryKind.REVIEW
    assert [(o.start, o.end) for o in occurrences(review)] == [
        (dt.date(2027, 4, 6), dt.date(2027, 4, 7))
    ]
    assert_expansions_agree(plan)


def test_series_come_in_a_stable_order_with_unique_keys() -> None:
    plan = make_plan(
        meetings=["{name: Zeta Group, days: mon, start: 6pm}", TUE_THU_CHICAGO],
        appointments=["{id: therapy, provider: T, date: 2027-03-03, time: '09:00'}"],
        medications=["{id: med, name: M, next_refill: 2027-03-10}"],
        review="2027-04-06",
    )
    keys = [s.key for s in plan_series(plan)]
    assert keys == [
        "meetings/zeta-group",
        "meetings/big-book",
        "appointments/therapy",
        "medications/med",
        "program/next-review",
    ]
    assert keys == [s.key for s in plan_series(plan)]


# --- horizon -------------------------------------------------------------------------------


HORIZON_MEETINGS = [TUE_THU_CHICAGO]
HORIZON_APPOINTMENTS = [
    "{id: weekly, provider: B, date: 2027-03-03, time: '09:00', repeat: weekly}"
]
HORIZON_MEDICATIONS = ["{id: med, name: M, next_refill: 2027-03-04, refill_every_days: 10}"]


@pytest.mark.parametrize("horizon", [7, 30, 90, 180, 365])
def test_horizon_bounds_every_series(horizon: int) -> None:
    plan = make_plan(
        discharge="2027-03-01",
        meetings=HORIZON_MEETINGS,
        appointments=HORIZON_APPOINTMENTS,
        medications=HORIZON_MEDICATIONS,
    )
    last_day = horizon_end(plan, horizon)
    assert last_day == dt.date(2027, 3, 1) + dt.timedelta(days=horizon)
    series = series_by_key(plan, horizon)
    meeting = [s.date() for s in timed(series["meetings/big-book"])]
    assert meeting == days_between(dt.date(2027, 3, 1), last_day, {1, 3})
    weekly = [s.date() for s in timed(series["appointments/weekly"])]
    assert weekly == days_between(dt.date(2027, 3, 3), last_day, {2})
    every_day = days_between(dt.date(2027, 3, 4), last_day, set(range(7)))
    refills = [o.start for o in occurrences(series["medications/med"])]
    assert refills == every_day[::10]
    options = IcsOptions(horizon_days=horizon)
    for key, event in events_by_key(plan, options).items():
        starts = vobject_starts(event)
        last = starts[-1]
        day = (
            last.astimezone(ZoneInfo(series[key].tz)).date()
            if isinstance(last, dt.datetime)
            else last
        )
        assert day <= last_day, key
    assert_expansions_agree(plan, options)


def test_a_longer_horizon_gives_more_occurrences() -> None:
    plan = make_plan(discharge="2027-03-01", meetings=[TUE_THU_CHICAGO])
    counts = [
        len(vobject_starts(events_by_key(plan, IcsOptions(horizon_days=h))["meetings/big-book"]))
        for h in (30, 90, 180)
    ]
    assert counts == [9, 26, 52]


def test_a_meeting_whose_first_day_is_past_the_horizon_has_no_occurrence() -> None:
    plan = make_plan(
        discharge="2027-03-05",
        meetings=["{id: tue, name: Tuesday Group, days: tue, start: '19:00'}"],
    )
    assert horizon_end(plan, 3) == dt.date(2027, 3, 8)
    assert "meetings/tue" not in series_by_key(plan, 3)
    assert "meetings/tue" in series_by_key(plan, 4)


# --- property: vobject expansion == occurrences() --------------------------------------------


ZONES = [
    "America/Chicago",
    "America/New_York",
    "America/Denver",
    "America/Phoenix",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Asia/Kolkata",
]


@st.composite
def meeting_plans(draw: st.DrawFn) -> tuple[AftercarePlan, int]:
    plan_zone = draw(st.sampled_from(ZONES))
    discharge = draw(st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)))
    horizon = draw(st.integers(7, 200))
    meetings = []
    for n in range(draw(st.integers(1, 3))):
        days = draw(st.lists(st.sampled_from(WEEKDAY_CODES), min_size=1, max_size=7, unique=True))
        start = dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45])))
        fields = [
            f"id: m{n}",
            f"name: Meeting {n}",
            f"days: [{', '.join(days)}]",
            f"start: '{start:%H:%M}'",
        ]
        minutes = draw(st.none() | st.integers(15, 240))
        if minutes is not None:
            end = (dt.datetime.combine(discharge, start) + dt.timedelta(minutes=minutes)).time()
            if end != start:
                fields.append(f"end: '{end:%H:%M}'")
        zone = draw(st.none() | st.sampled_from(ZONES))
        if zone is not None:
            fields.append(f"timezone: {zone}")
        meetings.append("{" + ", ".join(fields) + "}")
    return make_plan(tz=plan_zone, discharge=discharge.isoformat(), meetings=meetings), horizon


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(meeting_plans())
def test_vobject_and_dateutil_expand_meetings_like_occurrences(
    case: tuple[AftercarePlan, int],
) -> None:
    plan, horizon = case
    assert_expansions_agree(plan, IcsOptions(horizon_days=horizon))
    # Every occurrence is on one of the meeting's days, at its start time, in its zone.
    for entry in plan_series(plan, horizon):
        meeting = entry.item
        assert isinstance(meeting, Meeting)
        wanted = {day.number for day in meeting.days}
        for start in timed(entry):
            assert start.weekday() in wanted
            assert start.time() == meeting.start
            # ...and on or after the start of discharge day where the person is.
            person_zone = ZoneInfo(plan.timezone)
            assert start.astimezone(person_zone).date() >= plan.program.discharge_date
