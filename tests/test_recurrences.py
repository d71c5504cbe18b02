"""Meetings that repeat the way real ones do, and one wall-clock answer everywhere.

The plan file's recurrence fields (every other week with its first date, the Nth weekday of
the month, monthly on day 29-31, a meeting across midnight, a meeting that ends when it
starts), the handout's words for them, and the handout, the agenda and the .ics agreeing on
every time at a clock change. The .ics is read back with vobject; the handout's table with
markdown-it-py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import vobject
from markdown_it import MarkdownIt
from pydantic import ValidationError

from iopcli.agenda import agenda
from iopcli.completeness import check
from iopcli.ics import plan_to_ics
from iopcli.markdown import MarkdownOptions, link, phone_link, plan_to_markdown
from iopcli.model import AftercarePlan, Meeting
from iopcli.values import format_time

UTC = dt.UTC


def make_plan(**sections: Any) -> AftercarePlan:
    data: dict[str, Any] = {
        "id": "recurrences",
        "person": {"name": "Ana", "timezone": "America/Chicago"},
        "program": {"name": "Test Program", "discharge_date": "2027-03-01"},
    }
    data.update(sections)
    return AftercarePlan.model_validate(data)


def week_table(markdown: str) -> list[list[str]]:
    """The My week table's rows, read by a CommonMark parser (GFM tables)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    rows: list[list[str]] = []
    row: list[str] | None = None
    for token in tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close" and row is not None:
            rows.append(row)
            row = None
    return rows[1:]  # without the header


def section(markdown: str, title: str) -> str:
    start = markdown.index(f"## {title}")
    end = markdown.find("\n## ", start + 1)
    return markdown[start : end if end >= 0 else None]


# --- the plan file -------------------------------------------------------------------------


def test_a_meeting_that_ends_when_it_starts_is_refused_with_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        make_plan(meetings=[{"name": "Same", "days": "tue", "start": "6:00pm", "end": "6pm"}])
    (error,) = caught.value.errors()
    assert error["loc"] == ("meetings", 0, "end")
    assert "ends when it starts" in error["msg"]


def test_every_other_week_needs_a_first_date_on_one_of_its_days() -> None:
    with pytest.raises(ValidationError, match="needs first_date"):
        Meeting.model_validate(
            {"name": "M", "days": "tue", "start": "7pm", "repeat": "every other week"}
        )
    with pytest.raises(ValidationError) as caught:
        Meeting.model_validate(
            {
                "name": "M",
                "days": "tue",
                "start": "7pm",
                "repeat": "biweekly",
                "first_date": "2027-03-17",
            }
        )
    (error,) = caught.value.errors()
    assert error["loc"] == ("first_date",)
    assert "Wednesday" in error["msg"]


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [
        ("1st and 3rd", ["1st", "3rd"]),
        ([1, 3], ["1st", "3rd"]),
        ("last", ["last"]),
        (["first", "Last"], ["1st", "last"]),
        (2, ["2nd"]),
    ],
)
def test_weeks_of_the_month_read_as_people_write_them(weeks: Any, expected: list[str]) -> None:
    meeting = Meeting.model_validate({"name": "M", "days": "fri", "start": "7pm", "weeks": weeks})
    assert [w.value for w in meeting.weeks] == expected
    assert meeting.repeat == "monthly"  # weeks alone say monthly


def test_weeks_with_a_weekly_repeat_is_refused() -> None:
    with pytest.raises(ValidationError, match="weeks is only used with repeat: monthly"):
        Meeting.model_validate(
            {"name": "M", "days": "fri", "start": "7pm", "repeat": "weekly", "weeks": [1]}
        )


def test_a_plan_without_the_new_fields_exports_as_before() -> None:
    """Weekly meetings keep RRULE:FREQ=WEEKLY;BYDAY=..;UNTIL=.. with nothing added."""
    plan = make_plan(meetings=[{"name": "M", "days": ["tue", "thu"], "start": "7pm"}])
    (rule,) = rrule_of(plan)
    assert parts(rule) == {"FREQ": "WEEKLY", "UNTIL": "20270531T045959Z", "BYDAY": "TU,TH"}


# --- what the .ics says --------------------------------------------------------------------


def rrule_of(plan: AftercarePlan) -> list[str]:
    calendar = vobject.readOne(plan_to_ics(plan).decode())
    return [e.rrule.value for e in calendar.vevent_list if "rrule" in e.contents]


def parts(rule: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in rule.split(";"))


def test_first_and_third_friday_and_last_sunday_are_monthly_byday_rules() -> None:
    plan = make_plan(
        meetings=[
            {"name": "F", "days": "fri", "start": "7pm", "weeks": "1st and 3rd"},
            {"name": "S", "days": "sun", "start": "7pm", "weeks": "last"},
        ]
    )
    rules = rrule_of(plan)
    until = "20270531T045959Z"
    assert parts(rules[0]) == {"FREQ": "MONTHLY", "BYDAY": "1FR,3FR", "UNTIL": until}
    assert parts(rules[1]) == {"FREQ": "MONTHLY", "BYDAY": "-1SU", "UNTIL": until}


def test_every_other_week_counts_from_its_first_date() -> None:
    # First date Tuesday March 16: the cycle holds March 2 too, the first after discharge.
    plan = make_plan(
        meetings=[
            {
                "name": "E",
                "days": ["tue", "sun"],
                "start": "7pm",
                "repeat": "every_2_weeks",
                "first_date": "2027-03-16",
            }
        ]
    )
    calendar = vobject.readOne(plan_to_ics(plan).decode())
    (event,) = calendar.vevent_list
    assert parts(event.rrule.value) == {
        "FREQ": "WEEKLY",
        "INTERVAL": "2",
        "BYDAY": "TU,SU",
        "WKST": "MO",
        "UNTIL": "20270531T045959Z",
    }
    starts = [s.date() for s in event.getrruleset()][:4]
    assert starts == [
        dt.date(2027, 3, 2),
        dt.date(2027, 3, 7),
        dt.date(2027, 3, 16),
        dt.date(2027, 3, 21),
    ]


@pytest.mark.parametrize(
    ("day", "policy", "rule", "february"),
    [
        ("2027-01-31", "last_day", "BYMONTHDAY=-1", [dt.date(2027, 2, 28)]),
        ("2027-01-30", "last_day", "BYMONTHDAY=28,29,30;BYSETPOS=-1", [dt.date(2027, 2, 28)]),
        ("2027-01-31", "skip", None, []),
    ],
)
def test_monthly_on_day_29_to_31_does_what_the_handout_says(
    day: str, policy: str, rule: str | None, february: list[dt.date]
) -> None:
    plan = make_plan(
        appointments=[
            {
                "provider": "P",
                "date": day,
                "time": "9am",
                "repeat": "monthly",
                "short_months": policy,
            }
        ]
    )
    (value,) = rrule_of(plan)
    if rule is None:
        assert "BYMONTHDAY" not in value
    else:
        assert rule in value
    entries = agenda(plan, dt.date(2027, 2, 1), 28)
    assert [e.day for e in entries] == february
    row = week_table(plan_to_markdown(plan))[0]
    said = "the last day in shorter months" if policy == "last_day" else "none in months without"
    assert said in row[0]


# --- the handout, the agenda and the .ics agree ---------------------------------------------


def test_a_one_off_appointment_in_the_skipped_hour_says_the_time_the_calendar_has() -> None:
    plan = make_plan(
        appointments=[
            {
                "provider": "Dr. Early",
                "date": "2027-03-14",
                "time": "2:30am",
                "duration_minutes": 45,
            }
        ]
    )
    (entry,) = agenda(plan, dt.date(2027, 3, 14), 1)
    assert isinstance(entry.start, dt.datetime)
    assert isinstance(entry.end, dt.datetime)
    assert (entry.start.hour, entry.start.minute) == (3, 30)
    (event,) = vobject.readOne(plan_to_ics(plan).decode()).vevent_list
    assert event.dtstart.value == entry.start.astimezone(UTC)  # written in UTC
    assert event.duration.value == dt.timedelta(minutes=45)
    coming = section(plan_to_markdown(plan), "My week")
    said = f"{format_time(entry.start.time())}–{format_time(entry.end.time())}"
    assert said == "3:30 am–4:15 am"
    assert f"Sunday, March 14, 2027, {said} (2:30 am does not exist that day" in coming


def test_a_weekly_meeting_in_the_skipped_hour_is_listed_when_the_clocks_change() -> None:
    plan = make_plan(
        meetings=[{"name": "Night Gap", "days": "sun", "start": "2:30", "end": "3:20"}]
    )
    week = section(plan_to_markdown(plan), "My week")
    assert "**When the clocks change:**" in week
    (entry,) = [e for e in agenda(plan, dt.date(2027, 3, 14), 1) if e.key == "meetings/night-gap"]
    assert isinstance(entry.start, dt.datetime)
    assert isinstance(entry.end, dt.datetime)
    said = f"{format_time(entry.start.time())}–{format_time(entry.end.time())}"
    assert f"**Sunday, March 14, 2027**: Night Gap is at {said} (2:30 am does not exist" in week
    assert said == "3:30 am–4:20 am"


def test_the_repeated_hour_is_the_first_one_everywhere() -> None:
    plan = make_plan(
        program={"name": "P", "discharge_date": "2027-10-20"},
        meetings=[{"name": "Fold", "days": "sun", "start": "1:30", "end": "2:15"}],
    )
    (entry,) = [e for e in agenda(plan, dt.date(2027, 11, 7), 1) if e.key == "meetings/fold"]
    assert isinstance(entry.start, dt.datetime)
    assert entry.start.utcoffset() == dt.timedelta(hours=-5)  # CDT: before the clocks go back
    week = section(plan_to_markdown(plan), "My week")
    assert "**Sunday, November 7, 2027**: Fold is at 1:30 am–1:15 am (the first 1:30 am" in week
    calendar = vobject.readOne(plan_to_ics(plan).decode())
    pinned = [e for e in calendar.vevent_list if "recurrence-id" in e.contents]
    assert [e.dtstart.value for e in pinned] == [entry.start.astimezone(UTC)]


def test_a_meeting_across_midnight_says_it_ends_the_next_day() -> None:
    plan = make_plan(meetings=[{"name": "Owls", "days": "sat", "start": "23:30", "end": "00:30"}])
    (row,) = week_table(plan_to_markdown(plan))
    assert row[:3] == ["Saturday", "11:30 pm–12:30 am the next day", "Owls"]
    first = agenda(plan, dt.date(2027, 3, 6), 1)[0]
    assert isinstance(first.end, dt.datetime)
    assert first.end.date() == dt.date(2027, 3, 7)


def test_monthly_rows_come_after_the_weekdays() -> None:
    # Regression: a monthly appointment on a Wednesday sat between the week's days.
    plan = make_plan(
        meetings=[
            {"name": "Mon", "days": "mon", "start": "7pm"},
            {"name": "Fri", "days": "fri", "start": "7pm"},
            {"name": "Firsts", "days": "tue", "start": "7pm", "weeks": "1st and 3rd"},
            {
                "name": "Other",
                "days": "thu",
                "start": "7pm",
                "repeat": "every_2_weeks",
                "first_date": "2027-03-04",
            },
        ],
        appointments=[{"provider": "P", "date": "2027-03-03", "time": "9am", "repeat": "monthly"}],
    )
    days = [row[0] for row in week_table(plan_to_markdown(plan))]
    assert days == [
        "Monday",
        "Every other Thursday",
        "Friday",
        "1st and 3rd Tuesday of the month",
        "Day 3 of the month",
    ]


def test_links_are_an_option_not_a_hidden_setting() -> None:
    plan = make_plan(
        program={
            "name": "P",
            "discharge_date": "2027-03-01",
            "counselor": {"name": "Al", "phone": "(312) 555-0142"},
        }
    )
    plain = plan_to_markdown(plan, MarkdownOptions(links=False))
    assert "tel:" not in plain
    assert "](" not in plain
    assert "tel:+13125550142" in plan_to_markdown(plan)
    assert link("site", "https://x.example", links=False) == "site (https://x.example)"
    assert phone_link("(312) 555-0142", "US", links=False) == "(312) 555-0142"


# --- refills -------------------------------------------------------------------------------


def test_strict_warns_about_a_refill_series_without_a_date() -> None:
    plan = make_plan(medications=[{"name": "Sertraline", "refill_every_days": 30}])
    warnings = {p.path: p.message for p in check(plan, dt.date(2027, 2, 20))}
    assert "no next refill date" in warnings["medications.0.next_refill"]


def test_a_refill_before_discharge_starts_the_calendar_at_the_next_one() -> None:
    plan = make_plan(
        medications=[{"name": "S", "next_refill": "2027-02-01", "refill_every_days": 30}]
    )
    warnings = {p.path: p.message for p in check(plan, dt.date(2027, 2, 20))}
    assert warnings["medications.0.next_refill"] == (
        "S: next refill 2027-02-01 is before discharge; the calendar starts at 2027-03-03"
    )
    calendar = vobject.readOne(plan_to_ics(plan).decode())
    (event,) = calendar.vevent_list
    assert event.dtstart.value == dt.date(2027, 3, 3)


def test_the_handout_names_the_refill_the_calendar_starts_with() -> None:
    # Regression: the handout said "next refill February 1" while the calendar began in March.
    plan = make_plan(
        medications=[{"name": "S", "next_refill": "2027-02-01", "refill_every_days": 30}]
    )
    line = section(plan_to_markdown(plan), "My medications")
    assert "next refill Wednesday, March 3, 2027, every 30 days" in line
