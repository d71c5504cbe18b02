"""Hardening of what a plan file may hold (issue 12, items 3, 12 and 14).

Control characters never get into a plan: ESC, BEL, NUL, DEL and the C1 codes are refused in
every text field with the usual ``FILE:LINE: field: message`` (tab and line breaks only where a
field may span lines), and raw ones in the file itself get one line with its line number.
Dates stay within 1900-2200, so no renderer or the store meets a date it cannot handle.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from iopcli.errors import PlanFileError, Problem
from iopcli.export import export_options, render
from iopcli.model import AftercarePlan
from iopcli.planfile import load_plan, read_plan

BASE = """\
id: plan-1
person:
  name: Sam
  timezone: America/Chicago
program:
  name: Lakeside IOP
  discharge_date: 2026-01-05
"""

CONTROLS = {
    "ESC": "\x1b",
    "BEL": "\x07",
    "NUL": "\x00",
    "DEL": "\x7f",
    "CSI (C1)": "\x9b",
    "NEL (C1)": "\x85",
    "OSC (C1)": "\x9d",
    "lone CR": "\r",
    "backspace": "\x08",
}


def problems(text: str, source: str = "plan.yaml") -> list[Problem]:
    with pytest.raises(PlanFileError) as info:
        load_plan(text.encode("utf-8"), source)
    rendered = info.value.lines()
    for line in rendered:
        # The message names the character; it never carries one to the terminal.
        assert not any(unicodedata.category(ch) == "Cc" for ch in line), repr(line)
    return info.value.problems


def escaped(value: str) -> str:
    """``value`` as a YAML double-quoted scalar (escapes, so the file itself stays clean)."""
    return json.dumps(value)


def with_field(yaml_path: str, value: str) -> str:
    """BASE plus one field set to ``value`` (as an escaped scalar); returns the YAML text."""
    snippets = {
        "person.name": BASE.replace("name: Sam", f"name: {escaped(value)}"),
        "person.pronouns": BASE.replace(
            "  name: Sam\n", f"  name: Sam\n  pronouns: {escaped(value)}\n"
        ),
        "notes": BASE + f"notes: {escaped(value)}\n",
        "meetings.0.name": BASE
        + f"meetings:\n  - name: {escaped(value)}\n    days: tue\n    start: '19:00'\n",
        "meetings.0.address": BASE
        + f"meetings:\n  - name: Hope\n    days: tue\n    start: '19:00'\n"
        f"    address: {escaped(value)}\n",
        "safety_plan.warning_signs.0": BASE
        + f"safety_plan:\n  warning_signs:\n    - {escaped(value)}\n",
        "relapse_prevention.triggers.0.trigger": BASE
        + f"relapse_prevention:\n  triggers:\n    - trigger: {escaped(value)}\n",
        "program.counselor.name": BASE.replace(
            "  name: Lakeside IOP\n",
            f"  name: Lakeside IOP\n  counselor:\n    name: {escaped(value)}\n",
        ),
    }
    return snippets[yaml_path]


FIELDS = [
    "person.name",
    "person.pronouns",
    "notes",
    "meetings.0.name",
    "meetings.0.address",
    "safety_plan.warning_signs.0",
    "relapse_prevention.triggers.0.trigger",
    "program.counselor.name",
]
ONE_LINE = {"person.name", "person.pronouns", "meetings.0.name", "program.counselor.name"}


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), start=1) if needle in line)


# --- control characters in fields (item 3) ---------------------------------------------------


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("name", sorted(CONTROLS))
def test_a_control_character_in_any_text_field_is_refused_with_file_line_and_field(
    field: str, name: str
) -> None:
    value = f"Call Sam{CONTROLS[name]}now"
    text = with_field(field, value)
    (problem,) = problems(text)
    assert problem.path == field
    assert problem.line == line_of(text, "Call Sam")
    code = f"U+{ord(CONTROLS[name]):04X}"
    if field in ONE_LINE and name == "lone CR":
        assert problem.message == "must be one line: there is a line break at character 9"
    else:
        assert problem.message.startswith(f"has a control character ({code}")
        assert "at character 9" in problem.message


def test_the_terminal_title_and_hidden_text_attacks_are_refused() -> None:
    text = with_field("person.name", "Dana\x1b]0;owned\x07\x1b[8m")
    assert [p.render("plan.yaml") for p in problems(text)] == [
        "plan.yaml:3: person.name: has a control character (U+001B ESC) at character 5; remove it"
    ]


def test_the_same_check_holds_for_json_plan_files() -> None:
    data = json.loads(json.dumps({"id": "p", "person": {"name": "Sam\u009b2J", "timezone": "UTC"}}))
    data["program"] = {"name": "Lakeside", "discharge_date": "2026-01-05"}
    text = json.dumps(data, indent=2)
    (problem,) = problems(text, "plan.json")
    assert (problem.path, problem.line) == ("person.name", line_of(text, '"name": "Sam'))
    assert problem.message.startswith("has a control character (U+009B)")


@pytest.mark.parametrize("field", sorted(set(FIELDS) - ONE_LINE))
def test_tabs_and_line_breaks_are_kept_where_a_field_may_span_lines(field: str) -> None:
    plan = load_plan(with_field(field, "first\tline\nsecond line").encode(), "p.yaml").plan
    assert "first\tline\nsecond line" in json.dumps(
        plan.model_dump(mode="json"), ensure_ascii=False
    ).replace("\\t", "\t").replace("\\n", "\n")


def test_crlf_in_multi_line_text_reads_as_a_line_break() -> None:
    plan = load_plan(with_field("notes", "one\r\ntwo").encode(), "p.yaml").plan
    assert plan.notes == "one\ntwo"


@pytest.mark.parametrize("field", sorted(ONE_LINE))
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Sam\nJones", "must be one line: there is a line break at character 4"),
        ("Sam\tJones", "has a tab at character 4: use spaces"),
    ],
)
def test_names_are_one_line(field: str, value: str, message: str) -> None:
    (problem,) = problems(with_field(field, value))
    assert (problem.path, problem.message) == (field, message)


def test_a_link_with_del_or_a_c1_code_is_refused() -> None:
    text = BASE + 'resources:\n  - name: Site\n    url: "https://example.org/\\x7f"\n'
    (problem,) = problems(text)
    assert problem.path == "resources.0.url"
    assert "control characters" in problem.message


_ALLOWED = {"\t", "\n"}
# What pydantic strips from the ends of text: Unicode White_Space (str.strip also strips
# U+001C..U+001F, which are control characters here).
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
WHITE_SPACE += "\u2028\u2029\u202f\u205f\u3000"


def _has_refused_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED for ch in text)


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40))
def test_notes_accept_exactly_the_text_without_control_characters(value: str) -> None:
    data = {
        "id": "p",
        "person": {"name": "Sam", "timezone": "UTC"},
        "program": {"name": "Lakeside", "discharge_date": "2026-01-05"},
        "notes": value,
    }
    kept = value.strip(WHITE_SPACE).replace("\r\n", "\n")
    if not kept:
        return  # blank: refused as empty, another rule
    text = json.dumps(data)
    if _has_refused_control(kept):
        (problem,) = problems(text, "plan.json")
        assert problem.path == "notes"
        assert problem.message.startswith("has a control character")
    else:
        assert load_plan(text.encode(), "plan.json").plan.notes == kept


@settings(max_examples=30, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40))
def test_every_exported_format_is_free_of_control_characters(value: str) -> None:
    data = {
        "id": "p",
        "person": {"name": "Sam", "timezone": "UTC"},
        "program": {"name": "Lakeside", "discharge_date": "2026-01-05"},
        "meetings": [{"name": "Hope", "days": ["tue"], "start": "19:00", "notes": value}],
    }
    try:
        plan = load_plan(json.dumps(data).encode(), "plan.json").plan
    except PlanFileError:
        return
    options = export_options("md,ics,yaml,json")
    for fmt in ("md", "yaml", "json"):
        out = render(plan, fmt, options).decode("utf-8")
        assert not _has_refused_control(out.replace("\r\n", "\n")), fmt
    ics = render(plan, "ics", options).decode("utf-8")
    assert not _has_refused_control(ics.replace("\r\n", "\n").replace("\t", " "))


# --- raw control characters in the file itself (item 14) --------------------------------------


@pytest.mark.parametrize("name", ["ESC", "BEL", "DEL", "CSI (C1)", "OSC (C1)"])
def test_a_raw_control_character_in_yaml_is_one_line_with_its_line_number(
    name: str, tmp_path: object
) -> None:
    text = BASE + f"notes: |\n  fine\n  not {CONTROLS[name]} fine\n"
    (problem,) = problems(text)
    assert problem.line == 10
    assert problem.path == ""
    code = f"U+{ord(CONTROLS[name]):04X}"
    assert problem.message.startswith(f"character {code}")
    assert problem.message.endswith("is not allowed in a plan file; remove it")
    assert len(problem.render("plan.yaml").splitlines()) == 1


def test_a_raw_control_character_in_a_yaml_file_read_from_disk(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "plan.yaml"
    path.write_bytes((BASE + "notes: a\x1b[31mred\n").encode())
    with pytest.raises(PlanFileError) as info:
        read_plan(str(path))
    assert info.value.lines() == [
        f"{path}:8: character U+001B ESC is not allowed in a plan file; remove it"
    ]


def test_a_raw_control_character_in_json_is_one_line_with_its_line_number() -> None:
    text = '{\n  "id": "p",\n  "notes": "a\x1bb"\n}'
    (problem,) = problems(text, "plan.json")
    assert problem.line == 3
    assert len(problem.render("plan.json").splitlines()) == 1


# --- dates (item 12) ---------------------------------------------------------------------------


def plan_text(**fields: str) -> str:
    text = BASE
    for key, value in fields.items():
        text = text.replace(f"  {key}: 2026-01-05", f"  {key}: {value}")
    return text


def snippet_value(snippet: str) -> str:
    """The bad value in a snippet: what follows the last ``key: `` on its last line."""
    return snippet.rsplit("\n", maxsplit=1)[-1].split(": ", 1)[1]


@pytest.mark.parametrize(
    ("snippet", "path", "shown"),
    [
        ("program:\n  discharge_date: 9999-12-31", "program.discharge_date", "9999-12-31"),
        ("program:\n  discharge_date: 0001-01-01", "program.discharge_date", "0001-01-01"),
        ("program:\n  discharge_date: 1899-12-31", "program.discharge_date", "1899-12-31"),
        ("program:\n  discharge_date: 2201-01-01", "program.discharge_date", "2201-01-01"),
        ("updated: 9999-12-31T23:59:30+00:00", "updated", "9999-12-31"),
        ("created: 0001-01-01T00:00:00+05:00", "created", "0001-01-01"),
        ("created: 1900-01-01T00:30:00+01:00", "created", "1899-12-31"),
        (
            "appointments:\n  - provider: Dr. Lee\n    time: '15:00'\n    date: 9999-12-31",
            "appointments.0.date",
            "9999-12-31",
        ),
        (
            "medications:\n  - name: Naltrexone\n    next_refill: 0001-01-01",
            "medications.0.next_refill",
            "0001-01-01",
        ),
        ("goals:\n  - goal: Run\n    target_date: 9999-12-31", "goals.0.target_date", "9999-12-31"),
        (
            "resources:\n  - name: Site\n    verified: 1066-10-14",
            "resources.0.verified",
            "1066-10-14",
        ),
    ],
)
def test_dates_outside_1900_to_2200_are_refused_with_a_clear_message(
    snippet: str, path: str, shown: str
) -> None:
    if snippet.startswith("program:"):
        text = BASE.replace("  discharge_date: 2026-01-05", snippet.split("\n")[1])
    else:
        text = BASE + snippet + "\n"
    (problem,) = problems(text)
    assert problem.path == path
    key = path.rsplit(".", maxsplit=1)[-1]
    assert problem.line == line_of(text, f"{key}: {snippet_value(snippet)}")
    assert problem.message == (
        f"{shown} is outside the dates a plan can hold (1900-01-01 to 2200-12-31)"
    )


@pytest.mark.parametrize("day", ["1900-01-01", "2200-12-31"])
def test_the_edges_of_the_date_range_render_in_every_format(day: str) -> None:
    text = BASE.replace("discharge_date: 2026-01-05", f"discharge_date: {day}") + textwrap.dedent(
        f"""\
        updated: {day}T23:59:30+00:00
        created: {day}T00:00:00+00:00
        meetings:
          - name: Hope
            days: [tue, sun]
            start: '19:00'
        appointments:
          - provider: Dr. Lee
            date: {day}
            time: '23:30'
            repeat: weekly
        medications:
          - name: Naltrexone
            next_refill: {day}
            refill_every_days: 30
        """
    )
    plan = load_plan(text.encode(), "p.yaml").plan
    options = export_options("md,ics,yaml,json", horizon_days=365)
    assert Calendar.from_ical(render(plan, "ics", options)).walk("VEVENT")
    assert day[:4] in render(plan, "md", options).decode()
    again = load_plan(render(plan, "yaml", options), "again.yaml").plan
    assert again == plan
    assert AftercarePlan.model_validate_json(render(plan, "json", options)) == plan


def test_saving_a_plan_stamped_at_the_last_moment_does_not_overflow(tmp_path: object) -> None:
    from pathlib import Path

    from iopcli.store import open_store

    text = BASE + "updated: 2200-12-31T23:59:30+00:00\n"
    plan = load_plan(text.encode(), "p.yaml").plan
    with open_store(Path(str(tmp_path)) / "home") as store:
        result = store.save(plan)
        stored = store.load(result.plan_id)
    assert stored.updated is not None
    assert stored.updated > dt.datetime(2200, 12, 31, 23, 59, 30, tzinfo=dt.UTC)
