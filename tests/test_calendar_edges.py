"""Calendars at every clock change, checked against the plan alone and three engines.

For plans in zones with odd clock changes (half-hour DST on Lord Howe, 02:45 changes on the
Chatham Islands, negative DST in Dublin, Casablanca's Ramadan changes before and after 2046,
Sao Paulo in 2018 when it still had DST, Jerusalem's Friday changes, ...) with an 800-day
horizon, meetings and appointments are put inside the hours the clocks skip and repeat, across
midnight, every other week, on Nth weekdays and on the 31st.

The expected instants come from the plan alone: plain date arithmetic for the repeats, and
zoneinfo with RFC 5545's reading of wall-clock times (a repeated time is the first one, a
skipped time takes the offset from before the change). The exported file is then expanded by
engines that must read the file's own VTIMEZONE, since every TZID is renamed first:

- vobject (Radicale's parser), applying RECURRENCE-ID instances itself;
- recurring-ical-events;
- ical.js (Thunderbird's engine) through node, when node and the ``ical.js`` package are there
  (``ICALJS_NODE_PATH`` names the ``node_modules`` folder); skipped otherwise.

Every engine must give exactly the expected occurrences: no documented quirk is excused here,
because the file pins every instance engines read differently (see ``ics._pinned``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iopcli.agenda import agenda
from iopcli.ics import IcsOptions, event_uid, plan_to_ics
from iopcli.markdown import plan_to_markdown
from iopcli.model import AftercarePlan

UTC = dt.UTC
HORIZON = 800
ICALJS_SCRIPT = Path(__file__).with_name("icaljs_expand.js")

# (zone, discharge date): the zones the calendar issue names, a Sao Paulo plan in 2018 (DST
# until 2019) and Casablanca plans after 2046 and in a Ramadan across New Year.
PLANS = [
    ("America/Chicago", dt.date(2027, 3, 1)),
    ("Europe/Dublin", dt.date(2027, 3, 1)),
    ("Australia/Lord_Howe", dt.date(2027, 3, 1)),
    ("Asia/Kolkata", dt.date(2027, 3, 1)),
    ("America/Sao_Paulo", dt.date(2018, 1, 15)),
    ("Pacific/Chatham", dt.date(2027, 3, 1)),
    ("America/St_Johns", dt.date(2027, 3, 1)),
    ("Africa/Casablanca", dt.date(2027, 1, 10)),
    ("Africa/Casablanca", dt.date(2047, 1, 10)),
    # Ramadan across New Year: the zone is at +00 on January 1 (vobject took such a zone,
    # starting at +00 with no change from 2000 to 2020, for UTC and dropped its TZID).
    ("Africa/Casablanca", dt.date(2030, 1, 2)),
    ("Asia/Jerusalem", dt.date(2027, 3, 1)),
    ("Pacific/Auckland", dt.date(2027, 3, 1)),
]
IDS = [f"{tz}-{day.year}" for tz, day in PLANS]

Occurrence = tuple[str, Any, Any]  # (uid, start, end): UTC datetimes, or dates for all-day


# --- the plan and what it should give, from the plan alone ---------------------------------


@dataclass(frozen=True)
class Change:
    """A clock change: the wall-clock span it skips (forward) or repeats (back)."""

    day: dt.date
    middle: dt.time  # a time inside the skipped or repeated span
    forward: bool


def clock_changes(tz: str, first: dt.date, days: int) -> list[Change]:
    """Every change in the days, found hour by hour and bisected to the minute (zoneinfo)."""
    zone = ZoneInfo(tz)

    def offset(moment: dt.datetime) -> dt.timedelta:
        value = moment.astimezone(zone).utcoffset()
        assert value is not None
        return value

    found = []
    moment = dt.datetime.combine(first, dt.time(), tzinfo=UTC)
    end = moment + dt.timedelta(days=days)
    while moment < end:
        following = moment + dt.timedelta(hours=1)
        before, after = offset(moment), offset(following)
        if before != after:
            low, high = moment, following
            while high - low > dt.timedelta(minutes=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == before else (low, middle)
            step = abs(after - before)
            # Wall clock at the change: before it (forward) or after it (back), then half way.
            wall = (high + (before if after > before else after)).replace(tzinfo=None)
            wall += step / 2
            wall = wall.replace(minute=wall.minute - wall.minute % 5, second=0, microsecond=0)
            found.append(Change(wall.date(), wall.time(), after > before))
        moment = following
    return found


def hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M")


def plan_for(tz: str, discharge: dt.date) -> AftercarePlan:
    changes = clock_changes(tz, discharge, HORIZON)
    forward = next((c for c in changes if c.forward), None)
    back = next((c for c in changes if not c.forward), None)
    first_31 = discharge
    while first_31.day != 31:
        first_31 += dt.timedelta(days=1)
    first_30 = discharge
    while first_30.day != 30:
        first_30 += dt.timedelta(days=1)
    meetings: list[dict[str, Any]] = [
        {"id": "midnight", "name": "Night Owls", "days": ["sat"], "start": "23:30", "end": "00:30"},
        {
            "id": "fortnight",
            "name": "Every Other Week",
            "days": ["tue", "thu"],
            "start": "19:00",
            "repeat": "every_2_weeks",
            # a Thursday a week or two after discharge: the cycle reaches back before it
            "first_date": discharge + dt.timedelta(days=(3 - discharge.weekday()) % 7 + 7),
        },
        {
            "id": "first-third",
            "name": "First and Third",
            "days": ["fri"],
            "start": "18:00",
            "end": "19:30",
            "weeks": ["1st", "3rd"],
        },
    ]
    appointments: list[dict[str, Any]] = [
        {
            "id": "month-end",
            "provider": "Dr. Last",
            "date": first_31,
            "time": "10:00",
            "repeat": "monthly",
        },
        {
            "id": "thirtieth",
            "provider": "Dr. Skip",
            "date": first_30,
            "time": "11:00",
            "repeat": "monthly",
            "short_months": "skip",
        },
    ]
    for change, name in ((forward, "skipped"), (back, "repeated")):
        if change is None:
            continue
        weekday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][change.day.weekday()]
        meetings.append(
            {
                "id": f"{name}-weekly",
                "name": f"In the {name} hour",
                "days": [weekday],
                "start": hhmm(change.middle),
                "end": hhmm(_plus(change.middle, 50)),
            }
        )
        meetings.append(
            {
                "id": f"{name}-last",
                "name": f"Last {weekday} {name}",
                "days": [weekday],
                "start": hhmm(change.middle),
                "weeks": ["last"],
            }
        )
        appointments.append(
            {
                "id": f"{name}-once",
                "provider": f"Dr. {name.title()}",
                "date": change.day,
                "time": hhmm(change.middle),
                "duration_minutes": 45,
            }
        )
        appointments.append(
            {
                "id": f"{name}-weekly",
                "provider": f"Dr. Weekly {name.title()}",
                "date": change.day - dt.timedelta(days=7),
                "time": hhmm(change.middle),
                "duration_minutes": 50,
                "repeat": "weekly",
            }
        )
    return AftercarePlan.model_validate(
        {
            "id": f"edges-{tz.replace('/', '-').lower()}-{discharge.year}",
            "person": {"name": "Ana", "timezone": tz},
            "program": {"name": "Test Program", "discharge_date": discharge},
            "meetings": meetings,
            "appointments": appointments,
            "medications": [
                {
                    "id": "refill",
                    "name": "Sertraline",
                    "refill_every_days": 28,
                    "next_refill": discharge - dt.timedelta(days=40),
                }
            ],
        }
    )


def _plus(start: dt.time, minutes: int) -> dt.time:
    return (dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(minutes=minutes)).time()


def _instant(day: dt.date, at: dt.time, tz: str) -> dt.datetime:
    """RFC 5545 3.3.5: fold 0 is the first of a repeated time and, for a skipped one, the
    offset from before the change; that is what zoneinfo does with fold 0."""
    return dt.datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def _nth_ok(day: dt.date, weeks: list[str]) -> bool:
    length = calendar.monthrange(day.year, day.month)[1]
    nth = ["1st", "2nd", "3rd", "4th", "5th"][(day.day - 1) // 7]
    return nth in weeks or ("last" in weeks and day.day + 7 > length)


def expected(plan: AftercarePlan, horizon: int = HORIZON) -> set[Occurrence]:
    """Every occurrence, computed from the plan without iopcli's schedule."""
    tz = plan.timezone
    discharge = plan.program.discharge_date
    last_day = discharge + dt.timedelta(days=horizon)
    begins = _instant(discharge, dt.time(), tz)
    ends = _instant(last_day, dt.time(23, 59, 59), tz)
    found: set[Occurrence] = set()
    for meeting in plan.meetings:
        uid = event_uid(plan.id, f"meetings/{meeting.id}")
        day0 = dt.date(2000, 1, 1)
        length = dt.datetime.combine(day0, meeting.end_time) - dt.datetime.combine(
            day0, meeting.start
        )
        length += dt.timedelta(days=1) if length <= dt.timedelta(0) else dt.timedelta(0)
        weekdays = {d.number for d in meeting.days}
        day = discharge - dt.timedelta(days=1)
        while day <= last_day + dt.timedelta(days=1):
            ok = day.weekday() in weekdays
            if meeting.repeat == "every_2_weeks":
                assert meeting.first_date is not None
                monday = day - dt.timedelta(days=day.weekday())
                anchor = meeting.first_date - dt.timedelta(days=meeting.first_date.weekday())
                ok = ok and (monday - anchor).days % 14 == 0
            if meeting.repeat == "monthly":
                ok = ok and _nth_ok(day, [w.value for w in meeting.weeks])
            start = _instant(day, meeting.start, tz)
            if ok and begins <= start <= ends:
                found.add((uid, start, start + length))
            day += dt.timedelta(days=1)
    for item in plan.appointments:
        uid = event_uid(plan.id, f"appointments/{item.id}")
        length = dt.timedelta(minutes=item.duration_minutes)
        days = [item.date]
        if item.repeat == "weekly":
            days = [item.date + dt.timedelta(weeks=n) for n in range(horizon // 7 + 60)]
        elif item.repeat == "monthly":
            days = []
            for n in range(horizon // 28 + 2):
                year, month = (
                    item.date.year + (item.date.month - 1 + n) // 12,
                    (item.date.month - 1 + n) % 12 + 1,
                )
                size = calendar.monthrange(year, month)[1]
                if item.date.day <= size:
                    days.append(dt.date(year, month, item.date.day))
                elif item.short_months == "last_day":
                    days.append(dt.date(year, month, size))
        for day in days:
            start = _instant(day, item.time, tz)
            if day == item.date or start <= ends:
                found.add((uid, start, start + length))
    for med in plan.medications:
        assert med.next_refill is not None
        assert med.refill_every_days is not None
        uid = event_uid(plan.id, f"medications/{med.id}")
        day = med.next_refill
        while day < discharge:
            day += dt.timedelta(days=med.refill_every_days)
        while day <= last_day:
            found.add((uid, day, day + dt.timedelta(days=1)))
            day += dt.timedelta(days=med.refill_every_days)
    return found


# --- the engines ---------------------------------------------------------------------------


def export(plan: AftercarePlan, horizon: int = HORIZON) -> bytes:
    return plan_to_ics(plan, IcsOptions(horizon_days=horizon, remind_minutes=None))


def vobject_occurrences(ics: bytes) -> set[Occurrence]:
    """vobject's expansion of each RRULE, with RECURRENCE-ID instances put in place (matched
    by the instant vobject itself reads both as, as Radicale does). Zones renamed: vobject
    keeps the zones it has read by name, and must not use another file's."""
    parsed = vobject.readOne(renamed_zones(ics))
    events = parsed.contents.get("vevent", [])
    overrides: dict[tuple[str, Any], Any] = {}
    for event in events:
        if "recurrence-id" in event.contents:
            overrides[(event.uid.value, _key(event.recurrence_id.value))] = event
    found: set[Occurrence] = set()
    for event in events:
        if "recurrence-id" in event.contents:
            continue
        uid = event.uid.value
        rules = event.getrruleset(addRDate=True) if "rrule" in event.contents else None
        for start in rules if rules is not None else [event.dtstart.value]:
            chosen = overrides.get((uid, _key(start)), event)
            first = chosen.dtstart.value if chosen is not event else start
            found.add(_span(uid, first, chosen))
    return found


def _key(value: Any) -> Any:
    return value.astimezone(UTC) if isinstance(value, dt.datetime) else value


def _span(uid: str, start: Any, event: Any) -> Occurrence:
    if not isinstance(event.dtstart.value, dt.datetime):  # all day: dates
        day = start.date() if isinstance(start, dt.datetime) else start
        return (uid, day, day + (event.dtend.value - event.dtstart.value))
    assert "dtend" not in event.contents, "timed events carry DURATION, not a local DTEND"
    begin = start.astimezone(UTC)
    return (uid, begin, begin + event.duration.value)


def renamed_zones(ics: bytes) -> str:
    """The file with every TZID renamed, so an engine must read the VTIMEZONE in the file.
    (Names unique to the file: icalendar keeps the zones it has read by name.)"""
    text = ics.decode("utf-8").replace("\r\n ", "")
    names = sorted(set(re.findall(r"TZID[=:]([^:;\r\n]+)", text)))
    tag = hashlib.sha256(ics).hexdigest()[:16]
    for n, name in enumerate(names):
        text = text.replace(f"TZID:{name}\r\n", f"TZID:Test-Zone-{n}-{tag}\r\n")
        text = text.replace(f"TZID={name}:", f"TZID=Test-Zone-{n}-{tag}:")
    assert not any(f"TZID:{name}\r" in text or f"TZID={name}:" in text for name in names)
    return text


def recurring_ical_events_occurrences(ics: bytes) -> set[Occurrence]:
    recurring_ical_events = pytest.importorskip("recurring_ical_events")
    import icalendar

    parsed = icalendar.Calendar.from_ical(renamed_zones(ics))
    found: set[Occurrence] = set()
    for event in recurring_ical_events.of(parsed).between(
        dt.datetime(1990, 1, 1), dt.datetime(2100, 1, 1)
    ):
        uid = str(event["UID"])
        start, end = event.start, event.end
        if isinstance(start, dt.datetime):
            found.add((uid, start.astimezone(UTC), end.astimezone(UTC)))
        else:
            found.add((uid, start, end))
    return found


@cache
def icaljs_environment() -> dict[str, str] | None:
    node = shutil.which("node")
    default = Path.home() / ".cache" / "iopcli-node" / "node_modules"
    modules = os.environ.get("ICALJS_NODE_PATH", str(default))
    if node is None:
        return None
    env = dict(os.environ, NODE_PATH=modules)
    probe = subprocess.run(
        [node, "-e", "require('ical.js')"], env=env, capture_output=True, check=False
    )
    return env if probe.returncode == 0 else None


def icaljs_occurrences(ics: bytes) -> set[Occurrence]:
    env = icaljs_environment()
    if env is None:
        pytest.skip("node or the ical.js package is not installed (set ICALJS_NODE_PATH)")
    done = subprocess.run(
        ["node", str(ICALJS_SCRIPT)], input=ics, env=env, capture_output=True, check=True
    )
    found: set[Occurrence] = set()
    for row in json.loads(done.stdout):
        if isinstance(row["start"], str):
            found.add(
                (row["uid"], dt.date.fromisoformat(row["start"]), dt.date.fromisoformat(row["end"]))
            )
        else:
            start = dt.datetime.fromtimestamp(row["start"], UTC)
            found.add((row["uid"], start, dt.datetime.fromtimestamp(row["end"], UTC)))
    return found


ENGINES = {
    "vobject": vobject_occurrences,
    "recurring-ical-events": recurring_ical_events_occurrences,
    "ical.js": icaljs_occurrences,
}


@cache
def case(index: int) -> tuple[AftercarePlan, bytes, frozenset[Occurrence]]:
    tz, discharge = PLANS[index]
    plan = plan_for(tz, discharge)
    return plan, export(plan), frozenset(expected(plan))


def describe_difference(got: set[Occurrence], want: set[Occurrence], plan: AftercarePlan) -> str:
    names = {}
    for section in ("meetings", "appointments", "medications"):
        for item in getattr(plan, section):
            names[event_uid(plan.id, f"{section}/{item.id}")] = f"{section}/{item.id}"
    zone = ZoneInfo(plan.timezone)

    def show(o: Occurrence) -> str:
        start = o[1].astimezone(zone) if isinstance(o[1], dt.datetime) else o[1]
        end = o[2].astimezone(zone) if isinstance(o[2], dt.datetime) else o[2]
        return f"{names.get(o[0], o[0])} {start} - {end}"

    missing, extra = sorted(map(show, want - got))[:10], sorted(map(show, got - want))[:10]
    return "\n".join(["missing:", *missing, "extra:", *extra])


# --- the checks ----------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(PLANS)), ids=IDS)
@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_every_engine_gives_exactly_the_planned_instants(index: int, engine: str) -> None:
    plan, ics, want = case(index)
    got = ENGINES[engine](ics)
    assert got == want, describe_difference(got, set(want), plan)


@pytest.mark.parametrize("index", range(len(PLANS)), ids=IDS)
def test_the_plans_reach_the_hours_the_clocks_skip_and_repeat(index: int) -> None:
    """The cases are what they claim: a zone with clock changes has instances in a skipped
    and a repeated hour, and the long horizon reaches a second year."""
    plan, _, want = case(index)
    tz = ZoneInfo(plan.timezone)
    walls = {
        (o[1].astimezone(tz).replace(tzinfo=None), o[1].astimezone(tz).utcoffset())
        for o in want
        if isinstance(o[1], dt.datetime)
    }
    ids = {m.id for m in plan.meetings}
    if plan.timezone == "Asia/Kolkata":
        assert "skipped-weekly" not in ids
        return
    assert {"skipped-weekly", "repeated-weekly", "skipped-last", "repeated-last"} <= ids
    years = {wall.year for wall, _ in walls}
    assert len(years) >= 2
    assert {o[0] for o in want} == {
        event_uid(plan.id, f"{section}/{item.id}")
        for section in ("meetings", "appointments", "medications")
        for item in getattr(plan, section)
    }


@pytest.mark.parametrize("index", range(len(PLANS)), ids=IDS)
def test_no_event_ends_before_it_starts(index: int) -> None:
    _, ics, _ = case(index)
    parsed = vobject.readOne(ics.decode("utf-8"))
    for event in parsed.vevent_list:
        if "duration" in event.contents:
            assert event.duration.value > dt.timedelta(0)
            assert "dtend" not in event.contents
        else:
            assert event.dtend.value > event.dtstart.value


@pytest.mark.parametrize("index", range(len(PLANS)), ids=IDS)
def test_agenda_gives_the_same_instants(index: int) -> None:
    plan, _, want = case(index)
    discharge = plan.program.discharge_date
    entries = agenda(plan, discharge, HORIZON + 1)
    got: set[Occurrence] = set()
    for entry in entries:
        uid = event_uid(plan.id, entry.key)
        if isinstance(entry.start, dt.datetime):
            assert isinstance(entry.end, dt.datetime)
            got.add((uid, entry.start.astimezone(UTC), entry.end.astimezone(UTC)))
        else:
            got.add((uid, entry.start, entry.end))
    assert got == set(want), describe_difference(got, set(want), plan)


def test_the_fallback_zone_covers_a_casablanca_plan_after_2046() -> None:
    _, ics, _ = case(IDS.index("Africa/Casablanca-2047"))
    text = ics.decode().replace("\r\n ", "")
    rdates = re.findall(r"^RDATE:(\d{8})T", text, re.MULTILINE)
    assert {"2047", "2048", "2049"} <= {value[:4] for value in rdates}
    assert "," not in "".join(re.findall(r"^RDATE:.*$", text, re.MULTILINE))


def test_sao_paulo_2018_is_written_with_its_dst_of_that_year() -> None:
    _, ics, _ = case(IDS.index("America/Sao_Paulo-2018"))
    text = ics.decode()
    assert "TZOFFSETTO:-0200" in text  # summer time, which ended in 2019
    assert "RRULE:FREQ=YEARLY" not in text


# --- any recurrence, any zone --------------------------------------------------------------

ZONES = sorted({tz for tz, _ in PLANS} | {"America/New_York", "Europe/London", "UTC"})
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@st.composite
def recurring_plans(draw: st.DrawFn) -> AftercarePlan:
    """A plan with one meeting and one appointment repeating in any of the ways a plan can
    say, at any minute of the day (so some land in skipped and repeated hours)."""
    tz = draw(st.sampled_from(ZONES))
    discharge = draw(st.dates(dt.date(2018, 1, 1), dt.date(2048, 12, 31)))
    start = dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45])))
    length = draw(st.integers(5, 23 * 60 + 55))
    days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True))
    meeting: dict[str, Any] = {
        "id": "m",
        "name": "M",
        "days": days,
        "start": hhmm(start),
        "end": hhmm(_plus(start, length)),
    }
    how = draw(st.sampled_from(["weekly", "every_2_weeks", "monthly"]))
    if how == "every_2_weeks":
        anchor = discharge + dt.timedelta(days=draw(st.integers(-30, 30)))
        while WEEKDAYS[anchor.weekday()] not in days:
            anchor += dt.timedelta(days=1)
        meeting.update(repeat=how, first_date=anchor)
    elif how == "monthly":
        meeting["weeks"] = draw(
            st.lists(
                st.sampled_from(["1st", "2nd", "3rd", "4th", "5th", "last"]),
                min_size=1,
                max_size=2,
                unique=True,
            )
        )
    appointment = {
        "id": "a",
        "provider": "P",
        "date": discharge + dt.timedelta(days=draw(st.integers(-10, 40))),
        "time": hhmm(dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30])))),
        "duration_minutes": draw(st.integers(5, 720)),
        "repeat": draw(st.sampled_from(["once", "weekly", "every_2_weeks", "monthly"])),
        "short_months": draw(st.sampled_from(["last_day", "skip"])),
    }
    if appointment["repeat"] == "every_2_weeks":
        appointment["repeat"] = "weekly"  # every 2 weeks for appointments: covered elsewhere
    return AftercarePlan.model_validate(
        {
            "id": "any",
            "person": {"name": "Ana", "timezone": tz},
            "program": {"name": "P", "discharge_date": discharge},
            "meetings": [meeting],
            "appointments": [appointment],
        }
    )


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=recurring_plans())
def test_any_recurrence_in_any_zone_is_expanded_as_planned(plan: AftercarePlan) -> None:
    ics = export(plan, 120)
    want = expected(plan, 120)
    got = vobject_occurrences(ics)
    assert got == want, describe_difference(got, want, plan)
    got = recurring_ical_events_occurrences(ics)
    assert got == want, describe_difference(got, want, plan)


NOTE = re.compile(
    r"^- \*\*(?P<day>[^*]+)\*\*: (?P<name>.+) is at (?P<start>\d{1,2}:\d{2} [ap]m)–"
    r"(?P<end>\d{1,2}:\d{2} [ap]m) \((?P<why>[^)]*)\)$",
    re.MULTILINE,
)


def _clock(value: dt.datetime) -> str:
    return f"{value.hour % 12 or 12}:{value.minute:02d} {'am' if value.hour < 12 else 'pm'}"


@pytest.mark.parametrize("index", range(len(PLANS)), ids=IDS)
def test_the_handout_lists_every_moved_time_as_the_calendar_has_it(index: int) -> None:
    """Every instance of a repeat at a time the clocks skip or repeat, within the calendar's
    default horizon, has a line under "When the clocks change" with the times the calendar
    file gives it, and there is no other line."""
    plan, _, _ = case(index)
    zone = ZoneInfo(plan.timezone)
    repeats: dict[str, tuple[str, dt.time]] = {}
    for meeting in plan.meetings:
        repeats[event_uid(plan.id, f"meetings/{meeting.id}")] = (meeting.name, meeting.start)
    for item in plan.appointments:
        if item.repeat != "once":
            uid = event_uid(plan.id, f"appointments/{item.id}")
            repeats[uid] = (f"{item.kind.label}: {item.provider}", item.time)
    want = set()
    for uid, start, end in expected(plan, 90):
        if uid not in repeats or not isinstance(start, dt.datetime):
            continue
        name, planned = repeats[uid]
        local = start.astimezone(zone)
        day = local.date() if local.time() >= planned else local.date() - dt.timedelta(days=1)
        wall = dt.datetime.combine(day, planned)
        skipped = local.replace(tzinfo=None) != wall
        repeated = wall.replace(tzinfo=zone, fold=1).utcoffset() != local.utcoffset()
        if skipped or repeated:
            when = f"{day:%A}, {day:%B} {day.day}, {day.year}"
            want.add((when, name, _clock(local), _clock(end.astimezone(zone)), skipped))
    handout = plan_to_markdown(plan)
    got = {
        (m["day"], m["name"], m["start"], m["end"], "does not exist" in m["why"])
        for m in NOTE.finditer(handout)
    }
    assert got == want
