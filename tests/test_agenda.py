"""``iopcli agenda``: the plan's occurrences in a window of days, in the person's time.

The key property: the agenda and the exported calendar file agree occurrence by occurrence
(start instant, end instant, UID), checked against vobject, an independent iCalendar parser and
recurrence engine, for the example plans through the installed command and for random plans
through the library. Then the command's options, output formats and plan selection.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, Ran, Run, invoke, rich_environment
from iopcli.agenda import agenda
from iopcli.ics import event_uid, plan_to_ics
from iopcli.model import AftercarePlan
from iopcli.planfile import read_plan
from iopcli.store import open_store

UTC = dt.UTC
DENVER = ZoneInfo("America/Denver")
DST_2027 = dt.date(2027, 3, 14)  # US clocks spring forward at 2 am
DANA = next(p for p in EXAMPLES if p.stem == "alcohol-depression")
MARCUS = next(p for p in EXAMPLES if p.stem == "opioid-buprenorphine")

# (start, end, uid): UTC instants for timed occurrences, dates for all-day ones.
Occurrence = tuple[Any, Any, str]


# --- helpers -------------------------------------------------------------------------------


def tzid_of(prop: vobject.base.ContentLine) -> str:
    params = prop.params.get("X-VOBJ-ORIGINAL-TZID") or prop.params.get("TZID")
    assert params, f"{prop.name} has no TZID"
    return str(params[0])


def rfc_instant(local: dt.datetime, tzid: str) -> dt.datetime:
    """The UTC instant of a wall-clock time in ``tzid`` as RFC 5545 3.3.5 reads it: a time that
    occurs twice is the first one, a time in a spring-forward gap takes the offset before it.
    (vobject's own tzinfo, from dateutil, gives a gap time the offset after the gap; so the
    property below converts wall times itself and checks vobject's offsets everywhere else.)"""
    naive = local.replace(tzinfo=None)
    instant = naive.replace(tzinfo=ZoneInfo(tzid)).astimezone(UTC)  # fold=0: RFC's choice
    in_gap = instant.astimezone(ZoneInfo(tzid)).replace(tzinfo=None) != naive
    if not in_gap and local.tzinfo is not None:
        assert local.astimezone(UTC) == instant, (local, tzid)  # the VTIMEZONE agrees
    return instant


def calendar_occurrences(ics: bytes, *, rfc_gaps: bool = False) -> set[Occurrence]:
    """Every occurrence of every VEVENT, expanded by vobject (RRULE with UNTIL, BYDAY,
    INTERVAL), with each instance a RECURRENCE-ID event states on its own put in its place.
    Timed events carry DURATION: exact elapsed time, the same for every instance."""
    calendar = vobject.readOne(ics.decode("utf-8"))
    events = calendar.contents.get("vevent", [])
    pinned = {
        (e.uid.value, e.recurrence_id.value.astimezone(UTC)): e
        for e in events
        if "recurrence-id" in e.contents
    }
    found: set[Occurrence] = set()
    for event in events:
        if "recurrence-id" in event.contents:
            continue
        uid = event.uid.value
        start = event.dtstart.value
        rules = event.getrruleset(addRDate=True) if "rrule" in event.contents else None
        starts = list(rules) if rules is not None else [start]
        if not isinstance(start, dt.datetime):
            length = event.dtend.value - start
            for one in starts:
                day = one.date() if isinstance(one, dt.datetime) else one
                found.add((day, day + length, uid))
            continue
        assert start.tzinfo is not None, "timed events carry a TZID or are in UTC"
        assert "dtend" not in event.contents, "timed events carry DURATION"
        length = event.duration.value
        zoned = "TZID" in event.dtstart.params or "X-VOBJ-ORIGINAL-TZID" in event.dtstart.params
        for one in starts:
            override = pinned.get((uid, one.astimezone(UTC)))
            if override is not None:
                instant = override.dtstart.value.astimezone(UTC)
            elif rfc_gaps and zoned:
                instant = rfc_instant(one, tzid_of(event.dtstart))
            else:
                instant = one.astimezone(UTC)
            found.add((instant, instant + length, uid))
    return found


def in_window(occurrence: Occurrence, tz: ZoneInfo, first: dt.date, last: dt.date) -> bool:
    start = occurrence[0]
    day = start.astimezone(tz).date() if isinstance(start, dt.datetime) else start
    return first <= day <= last


def agenda_json_occurrences(report: dict[str, Any]) -> set[Occurrence]:
    found: set[Occurrence] = set()
    for entry in report["entries"]:
        uid = event_uid(report["plan"], entry["key"])
        if entry["all_day"]:
            found.add(
                (dt.date.fromisoformat(entry["start"]), dt.date.fromisoformat(entry["end"]), uid)
            )
        else:
            start = dt.datetime.fromisoformat(entry["start"])
            end = dt.datetime.fromisoformat(entry["end"])
            assert start.tzinfo is not None
            assert end.tzinfo is not None
            found.add((start.astimezone(UTC), end.astimezone(UTC), uid))
    return found


def agenda_json(run: Run, plan: str, *args: str) -> dict[str, Any]:
    result = run("agenda", plan, "--json", *args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def runner(tmp_path: Path, *args: str, **env: str | None) -> Ran:
    """Like the ``run`` fixture, but with the environment given here (None removes a name):
    needed to see rich output, which NO_COLOR turns off."""
    return invoke(args, rich_environment(tmp_path, **env), None, tmp_path)


def store_plans(home: Path, *files: Path) -> list[AftercarePlan]:
    plans = [read_plan(str(f)) for f in files]
    store = open_store(home)
    try:
        for plan in plans:
            store.save(plan, source="test")
    finally:
        store.close()
    return plans


def plan_from(data: dict[str, Any]) -> AftercarePlan:
    base: dict[str, Any] = {
        "id": "agenda-test",
        "person": {"name": "Ana", "timezone": "America/Denver"},
        "program": {"name": "Clinic", "discharge_date": "2027-03-08"},
    }
    return AftercarePlan.model_validate(base | data)


# --- the agenda and the calendar file agree -----------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_agenda_and_exported_calendar_agree_occurrence_by_occurrence(
    run: Run, tmp_path: Path, path: Path
) -> None:
    plan = read_plan(str(path))
    discharge = plan.program.discharge_date
    named = run(
        "export", str(path), "--format", "ics", "--out", str(tmp_path / "cal"), "--name", "p"
    )
    assert named.returncode == 0, named.stderr
    ics = (tmp_path / "cal" / "p.ics").read_bytes()

    # The default horizon is 90 days after discharge: 91 days from the discharge date.
    report = agenda_json(run, str(path), "--from", discharge.isoformat(), "--days", "91")
    assert report["plan"] == plan.id
    assert report["timezone"] == plan.timezone
    assert report["from"] == discharge.isoformat()
    assert report["days"] == 91

    from_calendar = calendar_occurrences(ics)
    from_agenda = agenda_json_occurrences(report)
    assert len(from_agenda) == len(report["entries"])  # no entry listed twice
    assert from_agenda == from_calendar
    # Every event in the file shows up in the agenda, and nothing else does.
    assert {uid for *_, uid in from_agenda} == {
        e.uid.value for e in vobject.readOne(ics.decode()).vevent_list
    }
    assert len(from_agenda) > 50
    # Both sides of the spring-forward change are covered.
    days = {dt.date.fromisoformat(e["start"][:10]) for e in report["entries"]}
    assert min(days) < DST_2027 < max(days)


def test_agenda_times_carry_the_plans_offset_across_the_dst_change(run: Run) -> None:
    report = agenda_json(run, str(MARCUS), "--from", "2027-03-08", "--days", "91")
    assert report["timezone"] == "America/Denver"
    timed = [e for e in report["entries"] if not e["all_day"]]
    assert timed
    for entry in timed:
        for field in ("start", "end"):
            text = entry[field]
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", text), text
            moment = dt.datetime.fromisoformat(text)
            expected = "-07:00" if moment.date() < DST_2027 else "-06:00"
            assert text.endswith(expected), (entry["key"], text)
            # The offset is Denver's at that instant: the wall time is what Denver clocks show.
            assert moment.astimezone(DENVER).isoformat() == text
    all_day = [e for e in report["entries"] if e["all_day"]]
    assert all_day
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", e["start"]) for e in all_day)


def test_online_meeting_on_new_york_time_shows_at_six_in_denver_both_sides_of_dst(
    run: Run, tmp_path: Path
) -> None:
    plan = read_plan(str(MARCUS))
    report = agenda_json(run, str(MARCUS), "--from", "2027-03-08", "--days", "91")
    smart = [e for e in report["entries"] if e["key"] == "meetings/smart-thursday-online"]
    assert len(smart) == 13  # every Thursday from March 11 to June 3
    starts = [dt.datetime.fromisoformat(e["start"]) for e in smart]
    assert all(s.strftime("%A %H:%M") == "Thursday 18:00" for s in starts)
    assert [s.utcoffset() for s in starts[:2]] == [dt.timedelta(hours=-7), dt.timedelta(hours=-6)]
    # The calendar file keeps the meeting on New York's clock: 8 pm there, every week.
    exported = run("export", str(MARCUS), "--format", "ics", "--out", str(tmp_path), "--name", "p")
    assert exported.returncode == 0, exported.stderr
    uid = event_uid(plan.id, "meetings/smart-thursday-online")
    event = next(
        e
        for e in vobject.readOne((tmp_path / "p.ics").read_text()).vevent_list
        if e.uid.value == uid
    )
    assert tzid_of(event.dtstart) == "America/New_York"
    local = list(event.getrruleset(addRDate=True))
    assert [x.astimezone(UTC) for x in local] == [s.astimezone(UTC) for s in starts]
    assert all(x.astimezone(ZoneInfo("America/New_York")).hour == 20 for x in local)


# --- the same, for random plans through the library ----------------------------------------

ZONES = [
    "America/Denver",
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
]
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# Discharge dates a few weeks before a clock change somewhere in ZONES, and any date at all.
DISCHARGES = st.one_of(
    st.sampled_from(
        [
            dt.date(2027, 3, 1),
            dt.date(2027, 3, 14),
            dt.date(2027, 3, 25),
            dt.date(2027, 9, 20),
            dt.date(2027, 10, 3),
            dt.date(2027, 10, 31),
            dt.date(2027, 11, 7),
        ]
    ),
    st.dates(dt.date(2026, 12, 1), dt.date(2028, 2, 28)),
)
# Times near midnight and near 1-3 am, where clocks change, come up often.
TIMES = st.builds(
    dt.time,
    st.one_of(st.sampled_from([0, 1, 2, 3, 23]), st.integers(0, 23)),
    st.sampled_from([0, 15, 30, 45]),
)


def clock(value: dt.time) -> str:
    return value.strftime("%H:%M")


@st.composite
def random_plans(draw: st.DrawFn) -> AftercarePlan:
    discharge = draw(DISCHARGES)
    zone = st.one_of(st.none(), st.sampled_from(ZONES))
    meetings = []
    for number in range(draw(st.integers(0, 3))):
        meeting: dict[str, Any] = {
            "id": f"m{number}",
            "name": f"Meeting {number}",
            "days": draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True)),
            "start": clock(start := draw(TIMES)),
        }
        if draw(st.booleans()):  # a meeting that ends when it starts is refused
            meeting["end"] = clock(draw(TIMES.filter(lambda t: t != start)))
        if (tz := draw(zone)) is not None:
            meeting["timezone"] = tz
        meetings.append(meeting)
    appointments = []
    for number in range(draw(st.integers(0, 3))):
        appointment: dict[str, Any] = {
            "id": f"a{number}",
            "provider": f"Provider {number}",
            "date": (discharge + dt.timedelta(days=draw(st.integers(-40, 100)))).isoformat(),
            "time": clock(draw(TIMES)),
            "duration_minutes": draw(st.integers(5, 720)),
            "repeat": draw(st.sampled_from(["once", "weekly", "every_2_weeks", "monthly"])),
        }
        if (tz := draw(zone)) is not None:
            appointment["timezone"] = tz
        appointments.append(appointment)
    medications = []
    for number in range(draw(st.integers(0, 2))):
        medication: dict[str, Any] = {"id": f"r{number}", "name": f"Medicine {number}"}
        if draw(st.booleans()):
            refill = discharge + dt.timedelta(days=draw(st.integers(-20, 100)))
            medication["next_refill"] = refill.isoformat()
            if draw(st.booleans()):
                medication["refill_every_days"] = draw(st.integers(1, 60))
        medications.append(medication)
    program: dict[str, Any] = {"name": "Clinic", "discharge_date": discharge.isoformat()}
    if draw(st.booleans()):
        review = discharge + dt.timedelta(days=draw(st.integers(-5, 120)))
        program["next_review"] = review.isoformat()
    return AftercarePlan.model_validate(
        {
            "id": "random-plan",
            "person": {"name": "Ana", "timezone": draw(st.sampled_from(ZONES))},
            "program": program,
            "meetings": meetings,
            "appointments": appointments,
            "medications": medications,
        }
    )


def by_uid(occurrences: set[Occurrence]) -> dict[str, set[tuple[Any, Any]]]:
    out: dict[str, set[tuple[Any, Any]]] = {}
    for start, end, uid in occurrences:
        out.setdefault(uid, set()).add((start, end))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=random_plans())
def test_library_agenda_equals_vobject_expansion_of_the_calendar(plan: AftercarePlan) -> None:
    discharge = plan.program.discharge_date
    first, last = discharge, discharge + dt.timedelta(days=90)  # the export's default horizon
    tz = ZoneInfo(plan.timezone)
    calendar = {
        o
        for o in calendar_occurrences(plan_to_ics(plan), rfc_gaps=True)
        if in_window(o, tz, first, last)
    }
    entries = agenda(plan, first, 91)
    listed: set[Occurrence] = set()
    for entry in entries:
        uid = event_uid(plan.id, entry.key)
        if isinstance(entry.start, dt.datetime):
            assert isinstance(entry.end, dt.datetime)
            listed.add((entry.start.astimezone(UTC), entry.end.astimezone(UTC), uid))
        else:
            listed.add((entry.start, entry.end, uid))
    assert len(listed) == len(entries)
    assert by_uid(listed) == by_uid(calendar)
    # In time order, each on its own day in the plan's zone.
    assert [e.day for e in entries] == sorted(e.day for e in entries)
    assert all(first <= e.day <= last for e in entries)


# --- known bugs ----------------------------------------------------------------------------


def test_short_window_keeps_a_meeting_held_in_a_zone_ahead() -> None:
    plan = plan_from(
        {
            "meetings": [
                {
                    "id": "sydney",
                    "name": "Harbour Morning",
                    "days": ["wed"],
                    "start": "9:00",
                    "timezone": "Australia/Sydney",
                }
            ]
        }
    )
    # Wednesday 9 am in Sydney is Tuesday afternoon in Denver.
    two_days = agenda(plan, dt.date(2027, 3, 16), 2)
    assert [str(e.start) for e in two_days] == ["2027-03-16 16:00:00-06:00"]
    one_day = agenda(plan, dt.date(2027, 3, 16), 1)
    assert [str(e.start) for e in one_day] == ["2027-03-16 16:00:00-06:00"]


@pytest.mark.parametrize(
    ("discharge", "start", "end"),
    [("2027-03-10", "2:30", "3:15"), ("2027-11-05", "1:30", "2:15")],
    ids=["spring-forward-gap", "fall-back-fold"],
)
def test_a_45_minute_meeting_lasts_45_minutes_in_every_later_week(
    discharge: str, start: str, end: str
) -> None:
    plan = plan_from(
        {
            "program": {"name": "Clinic", "discharge_date": discharge},
            "meetings": [
                {"id": "late", "name": "Late", "days": ["sun"], "start": start, "end": end}
            ],
        }
    )
    entries = agenda(plan, plan.program.discharge_date, 30)
    assert len(entries) >= 4
    for entry in entries[1:]:  # after the clock-change Sunday
        assert isinstance(entry.start, dt.datetime)
        assert isinstance(entry.end, dt.datetime)
        assert entry.end.astimezone(UTC) - entry.start.astimezone(UTC) == dt.timedelta(minutes=45)


def test_a_time_in_the_spring_forward_gap_is_shown_as_the_clock_shows_it() -> None:
    plan = plan_from(
        {
            "program": {"name": "Clinic", "discharge_date": "2027-03-10"},
            "meetings": [{"id": "gap", "name": "Gap", "days": ["sun"], "start": "2:30"}],
        }
    )
    entry = agenda(plan, dt.date(2027, 3, 14), 1)[0]
    assert isinstance(entry.start, dt.datetime)
    assert entry.start.astimezone(UTC) == dt.datetime(2027, 3, 14, 9, 30, tzinfo=UTC)
    assert entry.as_json()["start"] == "2027-03-14T03:30:00-06:00"


# --- the command's options -----------------------------------------------------------------


def test_days_sets_the_window(run: Run) -> None:
    for days in (1, 7, 30, 366):
        report = agenda_json(run, str(DANA), "--from", "2027-03-09", "--days", str(days))
        last = dt.date(2027, 3, 9) + dt.timedelta(days=days - 1)
        starts = [dt.date.fromisoformat(e["start"][:10]) for e in report["entries"]]
        assert starts
        assert all(dt.date(2027, 3, 9) <= d <= last for d in starts)
        assert report["days"] == days
    # The default is a week.
    week = agenda_json(run, str(DANA), "--from", "2027-03-05")
    assert week["days"] == 7
    assert max(e["start"][:10] for e in week["entries"]) <= "2027-03-11"
    for bad in ("0", "367", "-1", "x"):
        result = run("agenda", str(DANA), "--days", bad)
        assert result.returncode == 2, bad
        assert "Traceback" not in result.stderr


def test_from_sets_the_first_day(run: Run) -> None:
    report = agenda_json(run, str(DANA), "--from", "2027-03-09", "--days", "1")
    # Tuesday: the Big Book study and the first therapy session, in time order.
    assert [(e["key"], e["start"]) for e in report["entries"]] == [
        ("appointments/therapy-jordan", "2027-03-09T17:30:00-06:00"),
        ("meetings/lincoln-square-big-book", "2027-03-09T19:00:00-06:00"),
    ]
    assert report["from"] == "2027-03-09"


def test_repeats_run_past_the_calendar_horizon(run: Run) -> None:
    """A person still goes to meetings after day 90; the agenda keeps showing them."""
    report = agenda_json(run, str(DANA), "--from", "2027-09-01", "--days", "7")
    keys = {e["key"] for e in report["entries"]}
    assert {"meetings/lincoln-square-big-book", "appointments/therapy-jordan"} <= keys


def test_bad_from_is_a_usage_error(run: Run) -> None:
    for bad in ("2027-02-30", "tomorrow", "03/08/2027", "2027-3-8x"):
        result = run("agenda", str(DANA), "--from", bad)
        assert result.returncode == 2, (bad, result.stdout, result.stderr)
        assert "--from" in result.stderr
        assert "Traceback" not in result.stderr
        assert result.stdout == ""


def test_an_empty_from_is_a_usage_error(run: Run) -> None:
    result = run("agenda", str(DANA), "--from", "")
    assert result.returncode == 2


def test_default_first_day_is_today_in_the_plans_zone(run: Run, tmp_path: Path) -> None:
    zone = "Pacific/Kiritimati"  # UTC+14: often a different date from this machine's
    before = dt.datetime.now(ZoneInfo(zone)).date()
    plan = tmp_path / "daily.yaml"
    plan.write_text(
        "id: daily\n"
        f"person: {{name: Ana, timezone: {zone}}}\n"
        f"program: {{name: Clinic, discharge_date: {before - dt.timedelta(days=3)}}}\n"
        "meetings:\n"
        "  - {name: Daily check-in, days: [mon, tue, wed, thu, fri, sat, sun], start: '23:45'}\n"
    )
    report = agenda_json(run, str(plan))
    shown = run("agenda", str(plan), "--plain")
    after = dt.datetime.now(ZoneInfo(zone)).date()
    assert shown.returncode == 0, shown.stderr
    assert dt.date.fromisoformat(report["from"]) in {before, after}
    assert len(report["entries"]) == 7
    headings = [f"{d:%A}, {d:%B} {d.day}" for d in (before, after)]
    assert shown.stdout.splitlines()[0] in headings
    assert "  11:45 pm: Daily check-in" in shown.stdout.splitlines()


def test_plain_output_has_a_heading_per_day_and_a_line_per_entry(run: Run) -> None:
    args = ("--from", "2027-03-08", "--days", "10")
    report = agenda_json(run, str(MARCUS), *args)
    result = run("agenda", str(MARCUS), *args, "--plain")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "Monday, March 8",
        # No intake booked yet: the call to book it, on the day of discharge.
        "  all day: Call to book your intake: Front Range Recovery Services. 1420 Larimer St,"
        " Denver, CO 80202; (720) 555-0170",
        "  7:00 pm: Miracles on Maple Group (NA). Grace Community Church, fellowship room,"
        " 930 Maple Grove St, Denver, CO 80204",
    ]
    assert (
        "  12:00 pm: Saturday Noon Clean Start (NA). Harlan Place community center, main room,"
        " 411 Harlan Pl, Denver, CO 80219"
    ) in lines

    # Rebuild the expected text from the JSON: the two formats say the same thing.
    expected: list[str] = []
    day = None
    for entry in report["entries"]:
        start = entry["start"]
        this_day = dt.date.fromisoformat(start[:10])
        if this_day != day:
            expected += ([""] if day else []) + [f"{this_day:%A}, {this_day:%B} {this_day.day}"]
            day = this_day
        if entry["all_day"]:
            when = "all day"
        else:
            moment = dt.datetime.fromisoformat(start)
            when = f"{moment.hour % 12 or 12}:{moment.minute:02d} {moment:%p}".lower()
        details = "; ".join(x for x in (entry["where"], entry["link"], entry["phone"]) if x)
        expected.append(f"  {when}: {entry['title']}" + (f". {details}" if details else ""))
    assert lines == expected
    # All-day entries come first in their day.
    assert "  all day: Refill: Buprenorphine/naloxone film. (720) 555-0144" in lines
    wednesday = lines.index("Wednesday, March 10")
    assert lines[wednesday + 1].startswith("  all day: ")


def test_no_color_means_plain_and_plain_wins_over_a_capable_terminal(tmp_path: Path) -> None:
    args = ("agenda", str(MARCUS), "--from", "2027-03-08", "--days", "5")
    plain_flag = runner(tmp_path, *args, "--plain")
    no_color = runner(tmp_path, *args, NO_COLOR="1")
    dumb = runner(tmp_path, *args, TERM="dumb")
    rich = runner(tmp_path, *args)
    for result in (plain_flag, no_color, dumb, rich):
        assert result.returncode == 0, result.stderr
    assert plain_flag.stdout == no_color.stdout == dumb.stdout
    assert rich.stdout != plain_flag.stdout
    for title in ("Monday, March 8", "Miracles on Maple Group (NA)", "12:30 pm"):
        assert title in rich.stdout


def test_an_empty_window_says_so(run: Run) -> None:
    result = run("agenda", str(DANA), "--from", "2027-01-01", "--plain")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Nothing planned in the 7 days from Friday, January 1.\n"
    result = run("agenda", str(DANA), "--from", "2026-12-01", "--days", "3")
    assert result.stdout == "Nothing planned in the 3 days from Tuesday, December 1.\n"
    result = run("agenda", str(DANA), "--from", "2026-12-01", "--days", "1")
    assert result.stdout == "Nothing planned on Tuesday, December 1.\n"
    report = agenda_json(run, str(DANA), "--from", "2027-01-01")
    assert report["entries"] == []


# --- which plan ----------------------------------------------------------------------------


def test_a_stored_plan_by_name_id_prefix_or_file_name(run: Run, tmp_path: Path) -> None:
    (marcus,) = store_plans(tmp_path / "home", MARCUS)
    from_file = agenda_json(run, str(MARCUS), "--from", "2027-03-08", "--days", "14")
    for ref in ("marcus", marcus.id[:8], marcus.id, f"marcus-{marcus.id[:8]}"):
        assert agenda_json(run, ref, "--from", "2027-03-08", "--days", "14") == from_file, ref
    unknown = run("agenda", "nobody")
    assert unknown.returncode == 1
    assert "no stored plan matches 'nobody'" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_plan_is_optional_when_one_plan_is_stored(run: Run, tmp_path: Path) -> None:
    store_plans(tmp_path / "home", DANA)
    result = run("agenda", "--from", "2027-03-05", "--days", "3", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["plan"] == read_plan(str(DANA)).id


def test_two_stored_plans_and_no_default_is_a_usage_error_naming_both(
    run: Run, tmp_path: Path
) -> None:
    dana, marcus = store_plans(tmp_path / "home", DANA, MARCUS)
    result = run("agenda")
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"{dana.id[:8]} (Dana)" in result.stderr
    assert f"{marcus.id[:8]} (Marcus)" in result.stderr
    assert "iopcli config set default_plan" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_default_plan_setting_chooses_among_stored_plans(run: Run, tmp_path: Path) -> None:
    _, marcus = store_plans(tmp_path / "home", DANA, MARCUS)
    chosen = run("config", "set", "default_plan", "marcus")
    assert chosen.returncode == 0, chosen.stderr
    result = run("agenda", "--from", "2027-03-08", "--days", "3", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["plan"] == marcus.id
    plain = run("agenda", "--from", "2027-03-08", "--days", "1")
    assert plain.stdout.startswith("Monday, March 8\n  all day: Call to book your intake: Front")
    # A name given on the command line still wins over the default.
    dana = run("agenda", "dana", "--from", "2027-03-09", "--days", "1", "--json")
    assert json.loads(dana.stdout)["plan"] == read_plan(str(DANA)).id


def test_no_store_and_no_plan_named_says_how_to_add_one(run: Run, tmp_path: Path) -> None:
    result = run("agenda")
    assert result.returncode != 0
    assert "iopcli import" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "home" / "plans.sqlite3").exists()  # looking creates nothing
    store_plans(tmp_path / "home")  # an empty store
    empty = run("agenda")
    assert empty.returncode == 2
    assert "no plan is stored yet" in empty.stderr
