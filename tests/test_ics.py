"""The .ics exporter, read back with vobject (an independent iCalendar parser).

Covers the file's form (CRLF, folding, required properties, a VTIMEZONE for every TZID),
RRULE/UNTIL, determinism and stable UIDs, SEQUENCE/DTSTAMP, discreet mode, reminders, and
text escaping.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject

from iopcli.ics import IcsOptions, event_uid, plan_to_ics, sequence
from iopcli.model import AftercarePlan
from iopcli.planfile import parse_plan
from iopcli.schedule import plan_series

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
UTC = dt.UTC

# The UID namespace is part of the file format: changing it would duplicate every event in
# every calendar that imported an earlier export. So the tests state it, not import it.
UID_NAMESPACE = uuid.UUID("6f1b1d2e-3c4a-5b6c-8d7e-9f0a1b2c3d4e")

MULTI_ZONE_YAML = """\
id: 0b7d1f7e-2c1a-4e55-9a43-5d2b3c4d5e6f
created: 2027-02-20T10:00:00-06:00
updated: 2027-02-27T09:30:00-06:00
person:
  name: Sam
  timezone: America/Chicago
program:
  name: Riverbend Recovery Clinic Intensive Outpatient Program
  counselor:
    name: Odalys
    phone: (312) 555-0142
  discharge_date: 2027-03-01
  next_review: 2027-04-06
meetings:
  - id: harbor-lights
    name: Harbor Lights Group
    fellowship: AA
    days: [Tue, thursday]
    start: 7pm
    end: 8:15pm
    location: St. Brendan's hall
    address: 120 Elm St, Chicago, IL 60625
    types: [C, B]
    notes: Side door on Elm.
  - id: clean-slate
    name: Clean Slate Circle
    fellowship: NA
    days: sat
    start: "10:00"
    address: 44 Oak Ave, Chicago, IL 60640
  - id: tools-tuesday
    name: Tools for Tuesday
    fellowship: SMART Recovery
    days: tue
    start: "10:00"
    timezone: America/New_York
    online_url: https://meet.example.org/j/5550100
    online_phone: +1 646 555 0133
    online_notes: Passcode 4471, camera optional.
  - id: london-online
    name: Thames Morning Check-in
    fellowship: other
    days: [mon, fri]
    start: "08:00"
    timezone: Europe/London
    online_url: https://meet.example.org/j/5550101
  - id: sydney-online
    name: Harbour Bridge Evening
    fellowship: aa
    days: wed
    start: "18:30"
    timezone: Australia/Sydney
    online_url: https://meet.example.org/j/5550102
appointments:
  - id: psychiatry
    provider: Dr. Quillfeather, Maplewood Psychiatry
    kind: psychiatry
    date: 2027-03-03
    time: 9:15am
    duration_minutes: 30
    repeat: monthly
    address: 77 Birch Rd, Suite 2, Chicago, IL 60657
    phone: (312) 555-0160
    cost_note: Copay 40 dollars.
    notes: Bring the mood log.
  - id: therapy
    provider: Jun Park (LCSW)
    kind: individual
    date: 2027-03-04
    time: 5:30 pm
    duration_minutes: 50
    repeat: weekly
    link: https://telehealth.example.com/room/4471
    phone: (312) 555-0155
medications:
  - id: sertraline
    name: Sertraline
    dose: 100 mg
    prescriber: Dr. Quillfeather
    pharmacy: Corner Drug, 9 Pine St
    pharmacy_phone: (312) 555-0181
    next_refill: 2027-03-20
    refill_every_days: 30
  - id: buprenorphine
    name: Buprenorphine film
    prescriber: Dr. Quillfeather
    next_refill: 2027-03-10
"""

# Names discreet mode must keep out of titles and descriptions.
SENSITIVE = [
    "Harbor Lights",
    "Clean Slate",
    "Tools for Tuesday",
    "Thames Morning",
    "Harbour Bridge",
    "Alcoholics",
    "Narcotics",
    "SMART",
    "Recovery",
    "Riverbend",
    "Odalys",
    "Quillfeather",
    "Maplewood",
    "Jun Park",
    "Psychiatry",
    "therapy",
    "Sertraline",
    "Buprenorphine",
    "Corner Drug",
    "Refill",
]
FELLOWSHIP_ABBREVIATIONS = re.compile(r"\b(AA|NA)\b")
ADDRESSES = ["120 Elm St", "44 Oak Ave", "77 Birch Rd"]


# --- helpers -------------------------------------------------------------------------------


def plan_from_yaml(text: str) -> AftercarePlan:
    return parse_plan(text.encode(), "plan.yaml")


def multi_zone_plan(**changes: object) -> AftercarePlan:
    plan = plan_from_yaml(MULTI_ZONE_YAML)
    return plan.model_copy(update=changes) if changes else plan


def example_plan(path: Path) -> AftercarePlan:
    return parse_plan(path.read_bytes(), str(path))


def read(data: bytes) -> vobject.base.Component:
    return vobject.readOne(data.decode("utf-8"), validate=True)


def unfolded(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def all_plans() -> list[tuple[str, AftercarePlan]]:
    return [(p.stem, example_plan(p)) for p in EXAMPLES] + [("multi-zone", multi_zone_plan())]


PLANS = all_plans()
PLAN_IDS = [name for name, _ in PLANS]


def events_by_uid(data: bytes) -> dict[str, vobject.base.Component]:
    return {e.uid.value: e for e in read(data).vevent_list}


def texts(event: vobject.base.Component) -> list[str]:
    """SUMMARY, DESCRIPTION and every alarm's DESCRIPTION of one event."""
    out = [event.summary.value]
    if "description" in event.contents:
        out.append(event.description.value)
    out += [alarm.description.value for alarm in event.contents.get("valarm", [])]
    return out


def minimal_plan_yaml(meeting: str = "", extra: str = "") -> str:
    lines = [
        "id: minimal",
        "person: {name: Ana, timezone: America/Chicago}",
        "program: {name: P, discharge_date: 2027-03-01}",
    ]
    if meeting:
        lines += ["meetings:", f"  - {meeting}"]
    return "\n".join(lines) + "\n" + extra


# --- the file's form -----------------------------------------------------------------------


def test_there_are_example_plans() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize(("name", "plan"), PLANS, ids=PLAN_IDS)
def test_export_parses_with_vobject(name: str, plan: AftercarePlan) -> None:
    calendar = read(plan_to_ics(plan))
    assert calendar.name == "VCALENDAR"
    assert calendar.version.value == "2.0"
    assert calendar.prodid.value == "-//iopcli//iopcli aftercare planner//EN"
    assert calendar.contents["x-wr-calname"][0].value == "My plan"
    assert "method" not in calendar.contents
    assert len(calendar.vevent_list) == len(plan_series(plan))
    for event in calendar.vevent_list:
        assert event.dtstamp.value.tzinfo is not None
        assert event.summary.value


@pytest.mark.parametrize(("name", "plan"), PLANS, ids=PLAN_IDS)
def test_lines_end_in_crlf_and_fold_at_75_octets(name: str, plan: AftercarePlan) -> None:
    data = plan_to_ics(plan)
    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.count(b"\r") == data.count(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    too_long = [line for line in lines if len(line) > 75]
    assert too_long == []
    assert all(line for line in lines)


@pytest.mark.parametrize(("name", "plan"), PLANS, ids=PLAN_IDS)
def test_no_method_and_header_properties_present(name: str, plan: AftercarePlan) -> None:
    lines = unfolded(plan_to_ics(plan))
    assert lines[0] == "BEGIN:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert "X-WR-CALNAME:My plan" in lines
    assert not any(line.startswith("METHOD") for line in lines)


@pytest.mark.parametrize(("name", "plan"), PLANS, ids=PLAN_IDS)
def test_every_tzid_referenced_has_a_vtimezone(name: str, plan: AftercarePlan) -> None:
    lines = unfolded(plan_to_ics(plan))
    referenced = {m for line in lines for m in re.findall(r";TZID=([^:;]+)", line)}
    defined = {line.removeprefix("TZID:") for line in lines if line.startswith("TZID:")}
    assert referenced
    assert referenced == defined
    assert referenced == {s.tz for s in plan_series(plan) if not s.all_day}


def test_vtimezones_in_the_export_use_rrules() -> None:
    data = plan_to_ics(multi_zone_plan())
    calendar = read(data)
    zones = {vtz.tzid.value: vtz for vtz in calendar.vtimezone_list}
    assert set(zones) == {
        "America/Chicago",
        "America/New_York",
        "Europe/London",
        "Australia/Sydney",
    }
    blocks = re.findall(r"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", data.decode(), re.S)
    assert len(blocks) == 4
    for block in blocks:
        assert "RDATE" not in block
        assert block.count("RRULE:FREQ=YEARLY;") == 2


def test_an_all_day_only_plan_has_no_vtimezone() -> None:
    plan = plan_from_yaml(
        minimal_plan_yaml(extra="medications:\n  - {name: M, next_refill: 2027-03-02}\n")
    )
    data = plan_to_ics(plan)
    assert b"VTIMEZONE" not in data
    event = read(data).vevent
    assert event.dtstart.value == dt.date(2027, 3, 2)
    assert event.dtend.value == dt.date(2027, 3, 3)
    assert event.transp.value == "TRANSPARENT"


def test_timed_events_are_opaque_and_carry_their_zone() -> None:
    plan = multi_zone_plan()
    events = events_by_uid(plan_to_ics(plan))
    for entry in plan_series(plan):
        event = events[event_uid(plan.id, entry.key)]
        if entry.all_day:
            assert event.transp.value == "TRANSPARENT"
            continue
        assert event.transp.value == "OPAQUE"
        start, expected = event.dtstart.value, entry.start
        assert isinstance(expected, dt.datetime)
        assert start.astimezone(UTC) == expected.astimezone(UTC)
        assert start.replace(tzinfo=None) == expected.replace(tzinfo=None)


# --- RRULE / UNTIL -------------------------------------------------------------------------


def rrules(data: bytes) -> dict[str, str]:
    """UID -> RRULE value, from the unfolded text."""
    found, uid = {}, None
    for line in unfolded(data):
        if line.startswith("UID:"):
            uid = line[4:]
        elif line.startswith("RRULE:FREQ=") and uid is not None:
            found[uid] = line[6:]
        elif line == "END:VEVENT":
            uid = None
    return found


def test_until_is_utc_for_timed_events_and_a_date_for_all_day_refills() -> None:
    plan = multi_zone_plan()
    rules = rrules(plan_to_ics(plan))
    by_key = {entry.key: entry for entry in plan_series(plan)}
    uid = {key: event_uid(plan.id, key) for key in by_key}
    timed = ["meetings/harbor-lights", "appointments/psychiatry", "appointments/therapy"]
    for key in timed:
        until = re.search(r"UNTIL=([0-9TZ]+)", rules[uid[key]])
        assert until is not None
        assert re.fullmatch(r"\d{8}T\d{6}Z", until.group(1)), rules[uid[key]]
    # The last moment of discharge + 90 days (2027-05-30), Chicago time, in UTC.
    assert "UNTIL=20270531T045959Z" in rules[uid["meetings/harbor-lights"]]
    # The New York meeting ends with the person's day too (Chicago), as the agenda does.
    assert "UNTIL=20270531T045959Z" in rules[uid["meetings/tools-tuesday"]]
    assert "UNTIL=20270531T045959Z" in rules[uid["meetings/london-online"]]
    refill = rules[uid["medications/sertraline"]]
    assert re.search(r"UNTIL=20270530(;|$)", refill), refill
    assert "FREQ=DAILY" in refill
    assert "INTERVAL=30" in refill
    assert uid["medications/buprenorphine"] not in rules  # no refill_every_days: no rule
    assert uid["program/next-review"] not in rules


def test_rrule_byday_lists_the_meeting_days_in_week_order() -> None:
    plan = multi_zone_plan()
    rules = rrules(plan_to_ics(plan))
    assert "BYDAY=TU,TH" in rules[event_uid(plan.id, "meetings/harbor-lights")]
    assert "BYDAY=MO,FR" in rules[event_uid(plan.id, "meetings/london-online")]
    assert "FREQ=MONTHLY" in rules[event_uid(plan.id, "appointments/psychiatry")]
    assert "BYDAY" not in rules[event_uid(plan.id, "appointments/therapy")]


def test_vobject_expansion_ends_on_or_before_the_horizon() -> None:
    plan = multi_zone_plan()
    checked = 0
    for horizon in (30, 90):
        last_day = dt.date(2027, 3, 1) + dt.timedelta(days=horizon)
        data = plan_to_ics(plan, IcsOptions(horizon_days=horizon))
        by_uid = {event_uid(plan.id, s.key): s for s in plan_series(plan, horizon)}
        for event in read(data).vevent_list:
            series = by_uid[event.uid.value]
            if "rrule" not in event.contents:
                continue  # a one-off date (review, single appointment) is shown as written
            last = list(event.getrruleset(addRDate=True))[-1]
            if isinstance(last, dt.datetime) and last.tzinfo is not None:
                day = last.astimezone(ZoneInfo(series.tz)).date()
            else:
                day = last.date() if isinstance(last, dt.datetime) else last
            assert day <= last_day, series.key
            checked += 1
    assert checked == 16


def test_horizon_days_changes_the_number_of_occurrences() -> None:
    plan = multi_zone_plan()
    uid = event_uid(plan.id, "meetings/harbor-lights")
    counts = []
    for horizon in (14, 60, 120):
        event = events_by_uid(plan_to_ics(plan, IcsOptions(horizon_days=horizon)))[uid]
        counts.append(len(list(event.getrruleset(addRDate=True))))
    assert counts == [4, 18, 35]


# --- determinism, UIDs, SEQUENCE -----------------------------------------------------------


@pytest.mark.parametrize(("name", "plan"), PLANS, ids=PLAN_IDS)
def test_same_plan_gives_the_same_bytes(name: str, plan: AftercarePlan) -> None:
    first = plan_to_ics(plan)
    assert plan_to_ics(plan) == first
    assert plan_to_ics(plan.model_copy(deep=True)) == first


def test_same_file_read_twice_gives_the_same_bytes() -> None:
    assert plan_to_ics(plan_from_yaml(MULTI_ZONE_YAML)) == plan_to_ics(
        plan_from_yaml(MULTI_ZONE_YAML)
    )


@pytest.mark.parametrize(("name", "plan"), PLANS, ids=PLAN_IDS)
def test_uids_are_uuid5_of_plan_id_and_item_key(name: str, plan: AftercarePlan) -> None:
    expected = {
        f"{uuid.uuid5(UID_NAMESPACE, f'{plan.id}/{s.key}')}@iopcli" for s in plan_series(plan)
    }
    uids = [e.uid.value for e in read(plan_to_ics(plan)).vevent_list]
    assert len(uids) == len(set(uids))
    assert set(uids) == expected


def test_a_known_uid_never_changes() -> None:
    # Calendars that imported an earlier export rely on this exact value.
    plan = example_plan(ROOT / "examples" / "alcohol-depression.yaml")
    assert event_uid(plan.id, "meetings/lincoln-square-big-book") == (
        "2f2bbcdc-ff2b-527e-8562-9dbb23fe2fdf@iopcli"
    )
    assert "2f2bbcdc-ff2b-527e-8562-9dbb23fe2fdf@iopcli" in events_by_uid(plan_to_ics(plan))


def test_uids_survive_an_edit_and_sequence_grows() -> None:
    before = plan_from_yaml(MULTI_ZONE_YAML)
    edited_yaml = MULTI_ZONE_YAML.replace(
        "    start: 7pm\n    end: 8:15pm", "    start: 6:30pm\n    end: 7:45pm"
    ).replace("updated: 2027-02-27T09:30:00-06:00", "updated: 2027-02-28T14:00:00-06:00")
    after = plan_from_yaml(edited_yaml)
    assert after.meetings[0].start == dt.time(18, 30)
    old, new = events_by_uid(plan_to_ics(before)), events_by_uid(plan_to_ics(after))
    assert set(old) == set(new)
    uid = event_uid(before.id, "meetings/harbor-lights")
    assert old[uid].dtstart.value.time() == dt.time(19, 0)
    assert new[uid].dtstart.value.time() == dt.time(18, 30)
    for key in old:
        assert int(new[key].sequence.value) > int(old[key].sequence.value)
        assert new[key].dtstamp.value > old[key].dtstamp.value


def test_ids_made_from_names_keep_uids_through_a_time_change() -> None:
    text = minimal_plan_yaml("{name: Tuesday Night Hope, days: tue, start: '19:00'}")
    first = plan_from_yaml(text)
    moved = plan_from_yaml(text.replace("'19:00'", "'18:00'"))
    assert first.meetings[0].id == "tuesday-night-hope"
    assert set(events_by_uid(plan_to_ics(first))) == set(events_by_uid(plan_to_ics(moved)))


def test_sequence_and_dtstamp_come_from_updated() -> None:
    plan = multi_zone_plan()
    updated = dt.datetime(2027, 2, 27, 15, 30, tzinfo=UTC)
    minutes = int((updated - dt.datetime(2020, 1, 1, tzinfo=UTC)).total_seconds() // 60)
    assert sequence(plan) == minutes
    for event in read(plan_to_ics(plan)).vevent_list:
        assert int(event.sequence.value) == minutes
        assert event.dtstamp.value == updated
    assert "DTSTAMP:20270227T153000Z" in unfolded(plan_to_ics(plan))


def test_a_plan_never_updated_has_sequence_zero_and_a_fixed_dtstamp() -> None:
    plan = plan_from_yaml(minimal_plan_yaml("{name: M, days: tue, start: '19:00'}"))
    event = read(plan_to_ics(plan)).vevent
    assert int(event.sequence.value) == 0
    assert event.dtstamp.value == dt.datetime(2027, 3, 1, tzinfo=UTC)


def test_removed_items_are_cancelled_when_the_previous_plan_is_given() -> None:
    before = multi_zone_plan()
    after = before.model_copy(
        update={
            "meetings": before.meetings[1:],
            "updated": dt.datetime(2027, 3, 2, 12, 0, tzinfo=UTC),
        }
    )
    events = events_by_uid(plan_to_ics(after, previous=before))
    uid = event_uid(before.id, "meetings/harbor-lights")
    assert events[uid].status.value == "CANCELLED"
    assert "valarm" not in events[uid].contents
    assert int(events[uid].sequence.value) > sequence(before)
    others = [e for key, e in events.items() if key != uid]
    assert all("status" not in e.contents for e in others)
    assert uid not in events_by_uid(plan_to_ics(after))


# --- discreet mode -------------------------------------------------------------------------


def leaks(data: bytes) -> list[str]:
    found = []
    for event in read(data).vevent_list:
        for text in texts(event):
            found += [word for word in SENSITIVE if word.lower() in text.lower()]
            found += FELLOWSHIP_ABBREVIATIONS.findall(text)
    return found


def test_plain_mode_names_things() -> None:
    # The check below is only meaningful if the plain export does contain these names.
    found = set(leaks(plan_to_ics(multi_zone_plan())))
    assert {"Harbor Lights", "Quillfeather", "Sertraline", "Odalys", "AA", "NA", "SMART"} <= found


@pytest.mark.parametrize(
    ("plan_discreet", "options"),
    [
        (True, IcsOptions()),
        (False, IcsOptions(discreet=True)),
        (True, IcsOptions(discreet=True)),
    ],
    ids=["plan-setting", "option", "both"],
)
def test_discreet_titles_and_descriptions_name_nothing(
    plan_discreet: bool, options: IcsOptions
) -> None:
    data = plan_to_ics(multi_zone_plan(discreet=plan_discreet), options)
    assert leaks(data) == []
    summaries = {e.summary.value for e in read(data).vevent_list}
    assert summaries == {"Meeting", "Appointment", "Pick up prescription", "Plan review"}
    # Addresses are still there: the point is to get to the place.
    locations = " ".join(
        e.location.value for e in read(data).vevent_list if "location" in e.contents
    )
    for address in ADDRESSES:
        assert address in locations


@pytest.mark.parametrize(("name", "plan"), PLANS, ids=PLAN_IDS)
def test_discreet_examples_name_no_program_provider_medication_or_meeting(
    name: str, plan: AftercarePlan
) -> None:
    data = plan_to_ics(plan, IcsOptions(discreet=True))
    names = [plan.program.name, *(m.name for m in plan.meetings)]
    names += [a.provider for a in plan.appointments]
    names += [m.name for m in plan.medications]
    names += [m.fellowship.label for m in plan.meetings if len(m.fellowship.label) > 2]
    if plan.program.counselor:
        names.append(plan.program.counselor.name)
    for event in read(data).vevent_list:
        for text in texts(event):
            assert [n for n in names if n.lower() in text.lower()] == [], text
            assert FELLOWSHIP_ABBREVIATIONS.findall(text) == [], text


def test_not_discreet_option_overrides_a_discreet_plan() -> None:
    data = plan_to_ics(multi_zone_plan(discreet=True), IcsOptions(discreet=False))
    summaries = {e.summary.value for e in read(data).vevent_list}
    assert "Harbor Lights Group (AA)" in summaries
    assert "Refill: Sertraline" in summaries


@pytest.mark.parametrize("discreet", [False, True])
def test_show_address_false_leaves_addresses_out(discreet: bool) -> None:
    data = plan_to_ics(multi_zone_plan(), IcsOptions(discreet=discreet, show_address=False))
    text = data.decode().replace("\r\n ", "")
    for address in [*ADDRESSES, "St. Brendan"]:
        assert address not in text
    locations = {e.location.value for e in read(data).vevent_list if "location" in e.contents}
    assert locations == {"Online"}  # only the online meetings and the telehealth visit


# --- reminders -----------------------------------------------------------------------------


def alarms(data: bytes) -> list[tuple[bool, vobject.base.Component]]:
    out = []
    for event in read(data).vevent_list:
        all_day = not isinstance(event.dtstart.value, dt.datetime)
        out += [(all_day, alarm) for alarm in event.contents.get("valarm", [])]
    return out


def trigger_lines(data: bytes) -> set[str]:
    return {line for line in unfolded(data) if line.startswith("TRIGGER")}


def test_default_reminder_is_an_hour_before_timed_events() -> None:
    plan = multi_zone_plan()
    data = plan_to_ics(plan)
    found = alarms(data)
    assert len(found) == len(plan_series(plan))  # one per event
    for all_day, alarm in found:
        assert alarm.action.value == "DISPLAY"
        assert alarm.description.value
        expected = dt.timedelta(hours=-15) if all_day else dt.timedelta(minutes=-60)
        assert alarm.trigger.value == expected
    assert trigger_lines(data) == {"TRIGGER:-PT1H", "TRIGGER:-PT15H"}


def test_remind_15_minutes() -> None:
    data = plan_to_ics(multi_zone_plan(), IcsOptions(remind_minutes=15))
    for all_day, alarm in alarms(data):
        expected = dt.timedelta(hours=-15) if all_day else dt.timedelta(minutes=-15)
        assert alarm.trigger.value == expected
    assert trigger_lines(data) == {"TRIGGER:-PT15M", "TRIGGER:-PT15H"}


def test_no_reminders() -> None:
    data = plan_to_ics(multi_zone_plan(), IcsOptions(remind_minutes=None))
    assert b"VALARM" not in data
    assert b"TRIGGER" not in data


def test_alarm_text_follows_discreet_mode() -> None:
    data = plan_to_ics(multi_zone_plan(discreet=True))
    descriptions = {alarm.description.value for _, alarm in alarms(data)}
    assert descriptions == {"Meeting", "Appointment", "Pick up prescription", "Plan review"}


# --- text escaping -------------------------------------------------------------------------


NOTE = (
    "Side door, then left; ring twice.\n"
    "Back\\slash and \\n (not a newline), \\, and \\; too.\n"
    "Café crème, naïve señora, Ærø 🙂🎉👩‍👩‍👧 — “quoted” ünïcödé, 日本語のテキスト。"
    + " Long line "
    * 12
)
NAME = "Grüße, Friends; Café 🙂 \\ Group"
ADDRESS = "Rue de l'Église 3; 2nd floor, Zürich"


def escaping_plan() -> AftercarePlan:
    plan = plan_from_yaml(minimal_plan_yaml("{id: m, name: x, days: tue, start: '19:00'}"))
    meeting = plan.meetings[0].model_copy(update={"name": NAME, "notes": NOTE, "address": ADDRESS})
    return plan.model_copy(update={"meetings": [meeting]})


def test_text_round_trips_through_vobject() -> None:
    data = plan_to_ics(escaping_plan())
    event = read(data).vevent
    assert event.description.value == NOTE
    assert event.summary.value == NAME
    assert event.location.value == ADDRESS
    assert event.valarm.description.value == NAME


def test_escaped_text_still_folds_at_75_octets_without_splitting_characters() -> None:
    data = plan_to_ics(escaping_plan())
    lines = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # a fold inside a multi-byte character would fail here
    description = next(line for line in unfolded(data) if line.startswith("DESCRIPTION:Side"))
    assert "\\;" in description
    assert "\\," in description
    assert "\\\\" in description
    assert "\\n" in description
    assert "\n" not in description


def test_text_round_trips_through_yaml_too() -> None:
    # YAML double quotes: \\ is a backslash, \n a newline.
    yaml_note = r'"Commas, semicolons; back\\slash and a\nsecond line with ü and 🙂"'
    meeting = (
        f"{{id: m, name: 'Grüße; Friends, 🙂', days: tue, start: '19:00', notes: {yaml_note}}}"
    )
    plan = plan_from_yaml(minimal_plan_yaml(meeting))
    note = "Commas, semicolons; back\\slash and a\nsecond line with ü and 🙂"
    assert plan.meetings[0].notes == note
    event = read(plan_to_ics(plan)).vevent
    assert event.description.value == note
    assert event.summary.value == "Grüße; Friends, 🙂"
