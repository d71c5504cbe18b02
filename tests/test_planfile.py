"""Reading plan files: every error is a Problem with a line and a dotted path; hostile input."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from iopcli.errors import IopcliError, PlanFileError, Problem
from iopcli.model import AftercarePlan, Fellowship, LevelOfCare, Weekday
from iopcli.planfile import MAX_BYTES, dump_plan, parse_plan, read_plan

BASE = """\
id: plan-1
person:
  name: Sam
  timezone: America/Chicago
program:
  name: Lakeside IOP
  discharge_date: 2026-01-05
"""

BASE_JSON = """\
{
  "id": "plan-1",
  "person": {
    "name": "Sam",
    "timezone": "America/Chicago"
  },
  "program": {
    "name": "Lakeside IOP",
    "discharge_date": "2026-01-05"
  }
}
"""


def plan_yaml(extra: str = "") -> str:
    return BASE + textwrap.dedent(extra)


def problems_of(text: str | bytes, source: str = "plan.yaml") -> list[Problem]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(PlanFileError) as info:
        parse_plan(data, source)
    error = info.value
    assert error.source == source
    assert error.exit_code == 1
    assert error.problems, "a PlanFileError must carry at least one problem"
    assert error.lines() == [p.render(source) for p in error.problems]
    assert str(error) == error.lines()[0]
    return error.problems


def only_problem(text: str | bytes, source: str = "plan.yaml") -> Problem:
    problems = problems_of(text, source)
    assert len(problems) == 1, problems
    return problems[0]


def line_no(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the ``occurrence``-th ``needle``."""
    # Only "\n" ends a line, as in an editor and in JSON (str.splitlines also splits on U+2028).
    lines = [i for i, line in enumerate(text.split("\n"), start=1) if needle in line]
    assert len(lines) >= occurrence, f"{needle!r} not in text"
    return lines[occurrence - 1]


# --- a valid plan --------------------------------------------------------------------------


def test_minimal_plan_parses_with_defaults() -> None:
    plan = parse_plan(BASE.encode(), "plan.yaml")
    assert isinstance(plan, AftercarePlan)
    assert plan.id == "plan-1"
    assert plan.schema_version == 1
    assert plan.person.name == "Sam"
    assert plan.person.region == "US"
    assert plan.person.language == "en"
    assert plan.timezone == "America/Chicago"
    assert plan.program.discharge_date == dt.date(2026, 1, 5)
    assert plan.program.level_of_care is LevelOfCare.STANDARD_OUTPATIENT
    assert plan.safety_plan.include_crisis_lines is True
    assert plan.meetings == []


def test_same_plan_from_yaml_and_json() -> None:
    assert parse_plan(BASE.encode(), "a.yaml") == parse_plan(BASE_JSON.encode(), "a.json")


def test_human_spellings_in_a_plan() -> None:
    plan = parse_plan(
        plan_yaml(
            """\
            meetings:
              - name: Tuesday Night Hope
                fellowship: SMART Recovery
                days: [Tuesday, thurs]
                start: 7:30 p.m.
                end: 9pm
              - name: Noon group
                fellowship: smart-recovery
                days: sat
                start: noon
            """
        )
        .replace("name: Lakeside IOP", "name: Lakeside IOP\n  level_of_care: IOP")
        .encode(),
        "plan.yaml",
    )
    assert plan.program.level_of_care is LevelOfCare.IOP_STEP_DOWN
    first, second = plan.meetings
    assert first.fellowship is Fellowship.SMART_RECOVERY
    assert first.days == [Weekday.TUE, Weekday.THU]
    assert (first.start, first.end) == (dt.time(19, 30), dt.time(21, 0))
    assert second.fellowship is Fellowship.SMART_RECOVERY
    assert second.days == [Weekday.SAT]
    assert second.start == dt.time(12, 0)
    assert second.end_time == dt.time(13, 0)


def test_utf8_bom_is_accepted() -> None:
    assert parse_plan(b"\xef\xbb\xbf" + BASE.encode(), "p.yaml").id == "plan-1"
    assert parse_plan(b"\xef\xbb\xbf" + BASE_JSON.encode(), "p.json").id == "plan-1"


def test_crlf_line_endings_keep_line_numbers() -> None:
    text = plan_yaml("favourite_colour: blue\n").replace("\n", "\r\n")
    problem = only_problem(text)
    assert (problem.path, problem.line) == ("favourite_colour", 8)


# --- problems point at the line and the field ----------------------------------------------


def test_typo_in_a_key_names_the_field_and_suggests_the_right_one() -> None:
    text = BASE.replace("  discharge_date:", "  levl_of_care: iop\n  discharge_date:")
    problem = only_problem(text)
    assert problem == Problem(
        "unknown field (did you mean 'level_of_care'?)",
        "program.levl_of_care",
        line_no(text, "levl_of_care"),
    )
    assert problem.line == 7
    with pytest.raises(PlanFileError) as info:
        parse_plan(text.encode(), "plan.yaml")
    assert str(info.value) == (
        "plan.yaml:7: program.levl_of_care: unknown field (did you mean 'level_of_care'?)"
    )


@pytest.mark.parametrize(
    ("extra", "path", "message"),
    [
        ("meetngs: []\n", "meetngs", "unknown field (did you mean 'meetings'?)"),
        ("apointments: []\n", "apointments", "unknown field (did you mean 'appointments'?)"),
        ("favourite_color: blue\n", "favourite_color", "unknown field"),
        (
            "relapse_prevention:\n  triggers:\n    - trigger: payday\n      respnse: call Jo\n",
            "relapse_prevention.triggers.0.respnse",
            "unknown field (did you mean 'response'?)",
        ),
        (
            "safety_plan:\n  people_to_ask:\n    - name: Jo\n      phnoe: '988'\n",
            "safety_plan.people_to_ask.0.phnoe",
            "unknown field (did you mean 'phone'?)",
        ),
        (
            "goals:\n  - goal: Walk daily\n  - goal: Sleep by 11\n    trem: long\n",
            "goals.1.trem",
            "unknown field (did you mean 'term'?)",
        ),
    ],
)
def test_unknown_fields_anywhere(extra: str, path: str, message: str) -> None:
    text = plan_yaml(extra)
    problem = only_problem(text)
    assert problem.path == path
    assert problem.message == message
    assert problem.line == line_no(text, path.rsplit(".", 1)[-1] + ":")


def test_typo_in_a_nested_section() -> None:
    text = BASE.replace("  name: Lakeside IOP", "  name: Lakeside IOP\n  counselor:\n    nmae: Al")
    assert problems_of(text) == [
        Problem("is required but missing", "program.counselor.name", line_no(text, "counselor:")),
        Problem(
            "unknown field (did you mean 'name'?)",
            "program.counselor.nmae",
            line_no(text, "nmae:"),
        ),
    ]


def test_missing_field_points_at_its_section() -> None:
    text = plan_yaml(
        """\
        meetings:
          - name: Hope
            days: mon
        """
    )
    assert only_problem(text) == Problem(
        "is required but missing", "meetings.0.start", line_no(text, "- name: Hope")
    )


def test_missing_top_level_fields() -> None:
    # A field missing altogether has no line of its own: no "line 1" that would mislead.
    assert problems_of("id: plan-1\n") == [
        Problem("is required but missing", "person"),
        Problem("is required but missing", "program"),
    ]


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    text = textwrap.dedent(
        """\
        id: plan-1
        person:
          name: Sam
          timezone: Mars/Olympus
        program:
          name: Lakeside
          discharge_date: 2026-02-30
          levl_of_care: iop
        meetings:
          - name: Hope
            days: [funday]
            start: 25:00
            online_url: javascript:alert(1)
        appointments:
          - provider: Dr. Lee
            date: 2026-03-01
            time: 13pm
            phone: call me
        """
    )
    problems = problems_of(text)
    assert [(p.line, p.path) for p in problems] == [
        (4, "person.timezone"),
        (7, "program.discharge_date"),
        (8, "program.levl_of_care"),
        (11, "meetings.0.days.0"),
        (12, "meetings.0.start"),
        (13, "meetings.0.online_url"),
        (17, "appointments.0.time"),
        (18, "appointments.0.phone"),
    ]
    messages = {p.path: p.message for p in problems}
    assert messages["person.timezone"] == (
        "'Mars/Olympus' is not a known IANA time zone (e.g. America/Chicago, Europe/London)"
    )
    assert messages["meetings.0.start"] == "'25:00' is not a time of day: hours go from 0 to 23"
    assert messages["appointments.0.time"] == (
        "'13pm' is not a time of day: with am/pm the hour is 1 to 12"
    )
    assert messages["meetings.0.online_url"] == (
        "'javascript:alert(1)' is not a web link: it must start with https:// or http://"
    )
    assert "'funday'" in messages["meetings.0.days.0"]
    assert "'mon'" in messages["meetings.0.days.0"]
    with pytest.raises(PlanFileError) as info:
        parse_plan(text.encode(), "dana.yaml")
    assert info.value.lines()[0] == (
        "dana.yaml:4: person.timezone: 'Mars/Olympus' is not a known IANA time zone"
        " (e.g. America/Chicago, Europe/London)"
    )
    assert len(info.value.lines()) == 8


def test_impossible_date() -> None:
    text = BASE.replace("2026-01-05", "2026-02-30")
    problem = only_problem(text)
    assert (problem.path, problem.line) == ("program.discharge_date", 7)
    assert "2026-02-30" in problem.message
    assert "day value is outside expected range" in problem.message


def test_unknown_time_zone() -> None:
    text = BASE.replace("America/Chicago", "Mars/Olympus")
    assert only_problem(text) == Problem(
        "'Mars/Olympus' is not a known IANA time zone (e.g. America/Chicago, Europe/London)",
        "person.timezone",
        4,
    )


def test_path_like_time_zone_in_an_item() -> None:
    text = plan_yaml(
        """\
        meetings:
          - name: Hope
            days: mon
            start: 7pm
            timezone: ../../etc/passwd
        """
    )
    assert only_problem(text) == Problem(
        "'../../etc/passwd' is not an IANA time zone name like America/Chicago",
        "meetings.0.timezone",
        line_no(text, "timezone: ../"),
    )


SECTION = "must be a section of fields (name: value), not a single value or a list"


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        (
            "person:\n  name: Sam\n  timezone: America/Chicago\n",
            "person: [Sam]\n",
            "person",
            SECTION,
        ),
        ("program:\n", "program: Lakeside\nx:\n", "program", SECTION),
    ],
)
def test_single_value_or_list_where_a_section_belongs(
    old: str, new: str, path: str, message: str
) -> None:
    text = BASE.replace(old, new)
    problem = next(p for p in problems_of(text) if p.path == path)
    assert problem == Problem(message, path, line_no(text, f"{path}:"))


def test_mapping_where_a_list_belongs() -> None:
    text = plan_yaml("meetings:\n  name: Hope\n")
    assert only_problem(text) == Problem("must be a valid list", "meetings", 8)


def test_text_where_an_item_belongs() -> None:
    text = plan_yaml("meetings:\n  - Hope on Tuesdays\n")
    assert only_problem(text) == Problem(SECTION, "meetings.0", 9)


def test_list_where_text_belongs() -> None:
    text = plan_yaml("notes:\n  - one\n  - two\n")
    assert only_problem(text) == Problem("must be a valid string", "notes", 8)


def test_schema_version_must_be_1() -> None:
    assert only_problem(plan_yaml("schema_version: 2\n")) == Problem(
        "must be 1", "schema_version", 8
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("- id: plan-1\n- id: plan-2\n", "a list"),
        ("just some words\n", "a single value"),
        ("42\n", "a single value"),
        ("null\n", "a single value"),
    ],
)
def test_top_level_must_be_a_mapping(text: str, kind: str) -> None:
    assert only_problem(text) == Problem(
        f"a plan file holds one plan (a mapping of fields), not {kind}", "", 1
    )


def test_top_level_list_in_json() -> None:
    assert only_problem(f"[{BASE_JSON}]", "plan.json") == Problem(
        "a plan file holds one plan (a mapping of fields), not a list", "", 1
    )


# --- hostile input -------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["plan.yaml", "plan.json"])
@pytest.mark.parametrize("data", [b"", b" ", b"   \n\t\r\n  \n", b"\n" * 10_000])
def test_empty_or_whitespace_only_file(data: bytes, source: str) -> None:
    assert only_problem(data, source) == Problem("the file is empty: no plan in it")


@pytest.mark.parametrize("data", [b"# just a comment\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf# hi\n"])
def test_yaml_without_a_document_is_empty(data: bytes) -> None:
    assert only_problem(data) == Problem("the file is empty: no plan in it")


@pytest.mark.parametrize(
    "data",
    [
        b"\x00",
        b"id: plan-1\x00\n",
        bytes(range(256)),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        BASE.encode("utf-16"),
    ],
)
@pytest.mark.parametrize("source", ["plan.yaml", "plan.json"])
def test_binary_data_is_refused(data: bytes, source: str) -> None:
    assert only_problem(data, source) == Problem("this is binary data, not a YAML or JSON plan")


@pytest.mark.parametrize(
    ("data", "byte", "line"),
    [
        (b"\xff", "0xff", 1),
        (BASE.encode() + b"notes: caf\xe9\n", "0xe9", 8),
        (b"id: plan-1\nnotes: \xed\xa0\x80\n", "0xed", 2),  # an encoded surrogate
        (b"id: plan-1\r\n\r\nnotes: \xc3\n", "0xc3", 3),
    ],
)
def test_invalid_utf8_names_the_byte_and_line(data: bytes, byte: str, line: int) -> None:
    assert only_problem(data) == Problem(f"not UTF-8 text (byte {byte})", line=line)


def test_latin1_json_is_refused() -> None:
    data = BASE_JSON.replace("Sam", "Zoë").encode("latin-1")
    assert only_problem(data, "plan.json") == Problem("not UTF-8 text (byte 0xeb)", line=4)


ALIAS = "YAML aliases (*name) are not allowed in plan files"


def test_aliases_are_refused() -> None:
    text = textwrap.dedent(
        """\
        id: plan-1
        person: &who
          name: Sam
          timezone: America/Chicago
        program:
          name: Lakeside IOP
          discharge_date: 2026-01-05
          counselor: *who
        notes: *who
        """
    )
    problems = problems_of(text)
    assert [(p.message, p.path) for p in problems] == [
        (ALIAS, "program.counselor"),
        (ALIAS, "notes"),
    ]


def test_alias_problems_point_at_the_alias() -> None:
    text = BASE.replace("person:", "person: &who") + "notes: *who\n"
    assert only_problem(text) == Problem(ALIAS, "notes", 8)


def test_merge_keys_are_refused() -> None:
    text = plan_yaml("meetings:\n  - &m {name: Hope, days: mon, start: 7pm}\n  - <<: *m\n")
    assert [(p.message, p.path) for p in problems_of(text)] == [(ALIAS, "meetings.1.<<")]


def test_an_anchor_without_an_alias_is_harmless() -> None:
    text = BASE.replace("name: Sam", "name: &n Sam")
    assert parse_plan(text.encode(), "plan.yaml").person.name == "Sam"


def billion_laughs(levels: int = 10, fan_out: int = 10) -> str:
    lines = ["a0: &a0 " + json.dumps(["lol"] * fan_out)]
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * fan_out)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_small_alias_bomb_reports_each_alias_once() -> None:
    text = billion_laughs(levels=3, fan_out=4)
    problems = problems_of(text)
    assert len(problems) == 2 * 4  # one per alias written, not per expansion
    assert {p.message for p in problems} == {ALIAS}
    assert [p.path for p in problems] == [f"a{level}.{i}" for level in (1, 2) for i in range(4)]


# The full bomb runs in a child process with a memory cap and a timeout, so a regression that
# starts expanding aliases fails this test instead of freezing or swapping the machine.
_BOMB_CHILD = """
import sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
except (ImportError, ValueError, OSError):
    pass
from iopcli.errors import PlanFileError
from iopcli.planfile import parse_plan
try:
    parse_plan(sys.stdin.buffer.read(), "bomb.yaml")
except PlanFileError as exc:
    kinds = {p.message for p in exc.problems}
    print(len(exc.problems), sorted(kinds))
    sys.exit(0)
print("accepted")
sys.exit(3)
"""


def test_billion_laughs_is_refused() -> None:
    bomb = billion_laughs()  # 10**10 "lol"s if expanded
    assert len(bomb) < 1000
    result = subprocess.run(
        [sys.executable, "-c", _BOMB_CHILD],
        input=bomb.encode(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert result.stdout.decode().strip() == f"90 [{ALIAS!r}]"


@pytest.mark.parametrize("source", ["deep.yaml", "deep.json"])
@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' * 100_000 + "1" + "}" * 100_000,
        "{" + '"notes": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ],
    ids=["lists", "mappings", "inside-a-field"],
)
def test_deep_nesting_is_refused(text: str, source: str) -> None:
    assert only_problem(text, source) == Problem("the document is nested too deeply")


def test_deep_block_yaml_is_refused() -> None:
    text = "- " * 5000 + "x\n"  # 5000 nested block sequences, one line
    assert only_problem(text) == Problem("the document is nested too deeply")


def test_plan_of_exactly_max_size_is_read() -> None:
    data = BASE.encode()
    data += b"# " + b"x" * (MAX_BYTES - len(data) - 3) + b"\n"
    assert len(data) == MAX_BYTES
    assert parse_plan(data, "big.yaml").id == "plan-1"


@pytest.mark.parametrize("source", ["big.yaml", "big.json"])
def test_file_over_one_mib_is_refused(source: str) -> None:
    data = BASE.encode() + b"#" * MAX_BYTES
    # Bytes alone do not tell the real size (only the first MiB and a bit are read).
    assert only_problem(data, source) == Problem(
        "the file is over 1,048,576 bytes; a plan file is at most 1,048,576"
    )


def test_file_over_one_mib_is_refused_by_read_plan(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(BASE.encode() + b"#" * (3 * MAX_BYTES))
    with pytest.raises(PlanFileError) as info:
        read_plan(str(path))
    assert "a plan file is at most 1,048,576" in str(info.value)


def test_file_over_one_mib_message_does_not_misstate_the_size(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (3 * MAX_BYTES))
    with pytest.raises(PlanFileError) as info:
        read_plan(str(path))
    assert "1,048,577" not in str(info.value)


def test_python_tags_are_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = f"!!python/object/apply:os.system ['touch {marker}']"
    problem = only_problem(BASE.replace("plan-1", evil))
    assert (problem.path, problem.line) == ("id", 1)
    assert problem.message.startswith("YAML tags like ")
    text = BASE.replace("plan-1", f"!!python/object/apply:os.system 'touch {marker}'")
    problem = only_problem(text)
    assert "python/object/apply:os.system" in problem.message
    assert not marker.exists()


def test_unknown_tag_problem_is_one_line_with_a_line_number() -> None:
    problem = only_problem(plan_yaml("notes: !!python/name:os.system x\n"))
    assert "\n" not in problem.message
    assert problem.line == 8


def test_complex_keys_are_refused() -> None:
    text = plan_yaml("? [a, b]\n: c\n")
    assert only_problem(text) == Problem("keys must be plain names", "", 8)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        # libyaml's words (PyYAML's C parser, which iopcli uses when installed)
        ("id: a\nperson:\n  name: x\n timezone: y\n", "did not find expected key", 4),
        ("id: a\nperson:\n\tname: x\n", "found character that cannot start any token", 3),
        ("id: a\nnotes: 'unclosed\n", "found unexpected end of stream", 3),
        ("id: a\n---\nid: b\n", "but found another document", 2),
    ],
)
def test_yaml_syntax_errors_have_a_line(text: str, message: str, line: int) -> None:
    problem = only_problem(text)
    assert problem.message.startswith("invalid YAML: ")
    assert message in problem.message
    assert (problem.path, problem.line) == ("", line)


# --- duplicate keys ------------------------------------------------------------------------


def test_duplicate_keys_in_yaml() -> None:
    text = textwrap.dedent(
        """\
        id: plan-1
        person:
          name: Sam
          timezone: America/Chicago
          name: Samantha
        program:
          name: Lakeside IOP
          discharge_date: 2026-01-05
        id: plan-2
        """
    )
    assert problems_of(text) == [
        Problem("'name' is given twice", "person.name", 5),
        Problem("'id' is given twice", "id", 9),
    ]


def test_duplicate_keys_in_a_list_item() -> None:
    text = plan_yaml("meetings:\n  - name: Hope\n    days: mon\n    days: tue\n    start: 7pm\n")
    assert only_problem(text) == Problem("'days' is given twice", "meetings.0.days", 11)


def test_duplicate_keys_in_json_are_refused() -> None:
    text = BASE_JSON.replace('"id": "plan-1",', '"id": "plan-1",\n  "id": "plan-2",')
    problem = only_problem(text, "plan.json")
    assert problem == Problem("'id' is given twice", "id", line_no(text, "plan-2"))


def test_duplicate_keys_in_json_have_line_and_path() -> None:
    text = BASE_JSON.replace('"name": "Sam",', '"name": "Sam",\n    "name": "Samantha",')
    problem = only_problem(text, "plan.json")
    assert (problem.path, problem.line) == ("person.name", line_no(text, "Samantha"))


# --- YAML 1.1 traps ------------------------------------------------------------------------


def test_times_are_not_sexagesimal_numbers() -> None:
    text = plan_yaml("meetings:\n  - name: Hope\n    days: mon\n    start: 19:00\n    end: 7:30\n")
    meeting = parse_plan(text.encode(), "plan.yaml").meetings[0]
    assert meeting.start == dt.time(19, 0)  # YAML 1.1 reads 19:00 as 1140
    assert meeting.end == dt.time(7, 30)  # and 7:30 as 450


def test_norway_is_not_false() -> None:
    text = BASE.replace(
        "  timezone: America/Chicago\n",
        "  timezone: Europe/Oslo\n  region: NO\n  language: no\n",
    )
    person = parse_plan(text.encode(), "plan.yaml").person
    assert person.region == "NO"
    assert person.language == "no"


@pytest.mark.parametrize("word", ["yes", "No", "off", "On", "y", "n"])
def test_yaml11_booleans_stay_text(word: str) -> None:
    text = plan_yaml(f"notes: {word}\nsafety_plan:\n  warning_signs: [{word}]\n")
    plan = parse_plan(text.encode(), "plan.yaml")
    assert plan.notes == word
    assert plan.safety_plan.warning_signs == [word]


def test_unquoted_dates_and_datetimes_are_read() -> None:
    text = plan_yaml("created: 2026-01-02T09:30:00-06:00\n")
    plan = parse_plan(text.encode(), "plan.yaml")
    assert plan.created == dt.datetime(2026, 1, 2, 15, 30, tzinfo=dt.UTC)
    assert plan.program.discharge_date == dt.date(2026, 1, 5)


def test_numbers_in_text_fields_are_text() -> None:
    # Plans need no hex numbers, so 0x1f stays as typed; a number where text is expected is
    # taken as that text (a meeting called 1212, phone: 911).
    assert parse_plan(BASE.replace("id: plan-1", "id: 0x1f").encode(), "p.yaml").id == "0x1f"
    assert parse_plan(BASE.replace("id: plan-1", "id: 2027").encode(), "p.yaml").id == "2027"


def test_null_means_left_out() -> None:
    text = BASE.replace("  name: Sam\n", "  name: Sam\n  pronouns: ~\n") + "notes: null\n"
    plan = parse_plan(text.encode(), "plan.yaml")
    assert plan.person.pronouns is None
    assert plan.notes is None


def test_dump_quotes_what_yaml11_would_misread() -> None:
    text = plan_yaml(
        """\
        meetings:
          - name: 'no'
            days: mon
            start: 19:00
        notes: '0x1f'
        """
    ).replace("  timezone: America/Chicago\n", "  timezone: Europe/Oslo\n  region: NO\n")
    plan = parse_plan(text.encode(), "plan.yaml")
    dumped = dump_plan(plan, "yaml")
    assert "region: 'NO'" in dumped
    assert "start: '19:00'" in dumped
    assert "discharge_date: '2026-01-05'" in dumped
    old_reader = yaml.safe_load(dumped)  # a YAML 1.1 reader
    assert old_reader["person"]["region"] == "NO"
    assert old_reader["meetings"][0]["name"] == "no"
    assert old_reader["meetings"][0]["start"] == "19:00"
    assert old_reader["program"]["discharge_date"] == "2026-01-05"
    assert old_reader["notes"] == "0x1f"
    assert parse_plan(dumped.encode(), "again.yaml") == plan


# --- JSON ----------------------------------------------------------------------------------


def test_json_problems_have_line_numbers() -> None:
    text = BASE_JSON.replace("America/Chicago", "Mars/Olympus").replace(
        '"discharge_date": "2026-01-05"', '"discharge_date": "2026-01-05",\n    "levl": 1'
    )
    assert problems_of(text, "plan.json") == [
        Problem(
            "'Mars/Olympus' is not a known IANA time zone (e.g. America/Chicago, Europe/London)",
            "person.timezone",
            5,
        ),
        Problem("unknown field", "program.levl", 10),
    ]


def test_minified_json_problems_are_on_line_1() -> None:
    text = json.dumps(json.loads(BASE_JSON.replace("America/Chicago", "Mars/Olympus")))
    assert only_problem(text, "plan.json").line == 1


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (
            '{\n  "id": "x",\n}\n',
            "invalid JSON: Expecting property name enclosed in double quotes",
            3,
        ),
        ('{\n  "id": "x"\n  "b": 1}\n', "invalid JSON: Expecting ',' delimiter", 3),
        ('{\n  "id": \n', "invalid JSON: Expecting value", 3),
        ("id: plan-1\n", "invalid JSON: Expecting value", 1),
    ],
)
def test_json_syntax_errors_have_a_line(text: str, message: str, line: int) -> None:
    assert only_problem(text, "plan.json") == Problem(message, line=line)


def test_json_is_chosen_by_extension_case_insensitively() -> None:
    with pytest.raises(PlanFileError, match="invalid JSON"):
        parse_plan(BASE.encode(), "PLAN.JSON")
    assert parse_plan(BASE_JSON.encode(), "plan.yaml").id == "plan-1"  # JSON is YAML


def test_tab_indented_json_problems_have_line_numbers() -> None:
    data = json.loads(BASE_JSON.replace("America/Chicago", "Mars/Olympus"))
    text = json.dumps(data, indent="\t")
    assert only_problem(text, "plan.json").line == line_no(text, "Mars/Olympus")


def test_json_line_numbers_ignore_unicode_line_separators() -> None:
    data = {"notes": "one\u2028two\x85three", **json.loads(BASE_JSON)}
    data["person"]["timezone"] = "Mars/Olympus"
    text = json.dumps(data, indent=2, ensure_ascii=False)
    # NEL is a C1 control code, refused in the notes; both problems keep their own line.
    lines = {p.path: p.line for p in problems_of(text, "plan.json")}
    assert lines == {"notes": line_no(text, "one"), "person.timezone": line_no(text, "Mars")}


# --- reading files and standard input ------------------------------------------------------


@pytest.mark.parametrize("name", ["plan.yaml", "plan.yml", "PLAN.YAML", "plan.json", "Plan.Json"])
def test_read_plan_by_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(BASE_JSON if name.lower().endswith(".json") else BASE, encoding="utf-8")
    assert read_plan(str(path)).id == "plan-1"


def test_read_plan_problems_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "dana.yaml"
    path.write_text(BASE.replace("America/Chicago", "Mars/Olympus"), encoding="utf-8")
    with pytest.raises(PlanFileError) as info:
        read_plan(str(path))
    assert info.value.lines() == [
        f"{path}:4: person.timezone: 'Mars/Olympus' is not a known IANA time zone"
        " (e.g. America/Chicago, Europe/London)"
    ]


@pytest.mark.parametrize("name", ["plan.txt", "plan", "plan.yaml.bak", "plan.toml"])
def test_read_plan_refuses_other_extensions(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(BASE, encoding="utf-8")
    with pytest.raises(IopcliError) as info:
        read_plan(str(path))
    assert "plan files end in .yaml, .yml or .json" in str(info.value)
    assert str(path) in str(info.value)


def test_read_plan_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(PlanFileError) as info:
        read_plan(str(path))
    assert info.value.lines() == [f"{path}: no such file"]


def test_read_plan_folder(tmp_path: Path) -> None:
    path = tmp_path / "folder.yaml"
    path.mkdir()
    with pytest.raises(PlanFileError) as info:
        read_plan(str(path))
    assert info.value.lines() == [f"{path}: is a folder, not a plan file"]


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.mark.parametrize("data", [BASE, BASE_JSON, "\n\n  " + BASE_JSON, "\ufeff" + BASE_JSON])
def test_read_plan_from_stdin(monkeypatch: pytest.MonkeyPatch, data: str) -> None:
    feed_stdin(monkeypatch, data.encode("utf-8"))
    assert read_plan("-").id == "plan-1"


def test_stdin_json_is_detected_by_its_first_character(monkeypatch: pytest.MonkeyPatch) -> None:
    feed_stdin(monkeypatch, b'  {"id": "a", "id": "b"}')
    with pytest.raises(PlanFileError) as info:
        read_plan("-")
    assert info.value.lines() == ["-:1: id: 'id' is given twice"]


def test_stdin_yaml_is_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    feed_stdin(monkeypatch, b"id: a\nid: b\n")
    with pytest.raises(PlanFileError) as info:
        read_plan("-")
    assert info.value.lines() == ["-:2: id: 'id' is given twice"]


def test_stdin_top_level_list_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Not JSON (trailing comma) but a YAML flow sequence: either way, not one plan.
    feed_stdin(monkeypatch, b"\n[1, 2,]")
    with pytest.raises(PlanFileError) as info:
        read_plan("-")
    assert info.value.problems[0].message.endswith("not a list")


def test_stdin_yaml_flow_mapping_is_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    feed_stdin(monkeypatch, b"{id: a}")
    with pytest.raises(PlanFileError) as info:
        read_plan("-")
    assert info.value.lines()[0] == "-: person: is required but missing"


def test_stdin_over_one_mib_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    feed_stdin(monkeypatch, BASE.encode() + b"#" * (2 * MAX_BYTES))
    with pytest.raises(PlanFileError) as info:
        read_plan("-")
    assert "a plan file is at most 1,048,576" in str(info.value)
    assert str(info.value).startswith("-: the file is ")


def test_empty_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    feed_stdin(monkeypatch, b"")
    with pytest.raises(PlanFileError) as info:
        read_plan("-")
    assert info.value.lines() == ["-: the file is empty: no plan in it"]


# --- item ids ------------------------------------------------------------------------------


def parse_extra(extra: str) -> AftercarePlan:
    return parse_plan(plan_yaml(extra).encode(), "plan.yaml")


def test_ids_are_made_from_names() -> None:
    plan = parse_extra(
        """\
        meetings:
          - {name: Tuesday Night Hope, days: tue, start: 7pm}
          - {name: "  Café Crème: 12 & 12!  ", days: wed, start: 7pm}
          - {name: 日本語の会, days: thu, start: 7pm}
        appointments:
          - {provider: Dr. Lee, kind: psychiatry, date: 2026-01-12, time: 3pm}
          - {provider: Dr. Lee, date: 2026-01-19, time: 3pm}
        medications:
          - name: Buprenorphine/naloxone 8 mg
        contacts:
          - name: Jo (sponsor)
        goals:
          - goal: Go to 90 meetings in 90 days
        resources:
          - name: SAMHSA Helpline
        relapse_prevention:
          triggers:
            - Payday Fridays
            - {trigger: Old friends}
          coping_strategies:
            - Urge surfing
        safety_plan:
          people_to_ask:
            - {name: Kim}
          professionals:
            - {name: Dr. Lee}
        """
    )
    assert [m.id for m in plan.meetings] == ["tuesday-night-hope", "cafe-creme-12-12", "item"]
    assert [a.id for a in plan.appointments] == ["psychiatry-dr-lee", "other-dr-lee"]
    assert plan.medications[0].id == "buprenorphine-naloxone-8-mg"
    assert plan.contacts[0].id == "jo-sponsor"
    assert plan.goals[0].id == "go-to-90-meetings-in-90-days"
    assert plan.resources[0].id == "samhsa-helpline"
    assert [t.id for t in plan.relapse_prevention.triggers] == ["payday-fridays", "old-friends"]
    assert [t.trigger for t in plan.relapse_prevention.triggers] == [
        "Payday Fridays",
        "Old friends",
    ]
    assert plan.relapse_prevention.coping_strategies[0].id == "urge-surfing"
    assert plan.safety_plan.people_to_ask[0].id == "kim"
    assert plan.safety_plan.professionals[0].id == "dr-lee"


def test_ids_are_deduplicated() -> None:
    plan = parse_extra(
        """\
        meetings:
          - {name: Hope, days: mon, start: 7pm}
          - {name: HOPE, days: tue, start: 7pm}
          - {name: hope!, days: wed, start: 7pm}
          - {name: 日本語, days: thu, start: 7pm}
          - {name: 中文, days: fri, start: 7pm}
        """
    )
    assert [m.id for m in plan.meetings] == ["hope", "hope-2", "hope-3", "item", "item-2"]


def test_derived_ids_avoid_explicit_ones() -> None:
    plan = parse_extra(
        """\
        meetings:
          - {name: Hope, days: mon, start: 7pm}
          - {name: Hope, days: tue, start: 7pm}
          - {id: hope, name: Other, days: wed, start: 7pm}
          - {id: hope-2, name: Another, days: thu, start: 7pm}
        """
    )
    assert [m.id for m in plan.meetings] == ["hope-3", "hope-4", "hope", "hope-2"]


def test_long_names_give_short_ids() -> None:
    name = "A very long meeting name that goes on and on and on and on"
    plan = parse_extra(
        f"meetings:\n  - {{name: {name}, days: mon, start: 7pm}}\n"
        f"  - {{name: {name}, days: tue, start: 7pm}}\n"
    )
    first, second = (m.id for m in plan.meetings)
    assert first == "a-very-long-meeting-name-that-goes-on-an"
    assert second == first + "-2"
    assert len(first) <= 40


def test_explicit_ids_are_kept_and_stripped() -> None:
    plan = parse_extra("meetings:\n  - {id: ' tue-hope ', name: Hope, days: tue, start: 7pm}\n")
    assert plan.meetings[0].id == "tue-hope"


def test_same_id_in_different_lists_is_fine() -> None:
    plan = parse_extra(
        "meetings:\n  - {id: x, name: Hope, days: tue, start: 7pm}\n"
        "goals:\n  - {id: x, goal: Walk}\n"
    )
    assert (plan.meetings[0].id, plan.goals[0].id) == ("x", "x")


def test_explicit_duplicate_ids_are_an_error() -> None:
    text = plan_yaml(
        """\
        meetings:
          - {id: hope, name: Hope, days: mon, start: 7pm}
          - {id: other, name: Other, days: mon, start: 7pm}
          - {id: hope, name: Hope again, days: tue, start: 7pm}
        """
    )
    assert only_problem(text) == Problem(
        "id 'hope' is used twice in this list", "meetings", line_no(text, "meetings:")
    )


def test_duplicate_ids_in_a_nested_list() -> None:
    text = plan_yaml(
        """\
        relapse_prevention:
          triggers:
            - {id: t, trigger: Payday}
            - {id: t, trigger: Old friends}
        """
    )
    assert only_problem(text) == Problem(
        "id 't' is used twice in this list",
        "relapse_prevention.triggers",
        line_no(text, "triggers:"),
    )


@pytest.mark.parametrize("bad", ["-x", "a b", "x" * 65, "ü", "a/b", "''"])
def test_malformed_ids_are_refused(bad: str) -> None:
    text = plan_yaml(f"goals:\n  - {{id: {bad}, goal: Walk}}\n")
    problem = only_problem(text)
    assert (problem.path, problem.line) == ("goals.0.id", 9)


# --- shorthand that goes wrong -------------------------------------------------------------


def test_single_text_for_triggers_is_not_split_into_letters() -> None:
    text = plan_yaml("relapse_prevention:\n  triggers: payday\n")
    with contextlib.suppress(PlanFileError):  # refusing it would be fine too
        plan = parse_plan(text.encode(), "plan.yaml")
        assert [t.trigger for t in plan.relapse_prevention.triggers] == ["payday"]


def test_mapping_for_coping_strategies_is_refused() -> None:
    text = plan_yaml("relapse_prevention:\n  coping_strategies: {strategy: walk}\n")
    problem = only_problem(text)
    assert problem.path == "relapse_prevention.coping_strategies"


@pytest.mark.parametrize("value", ["5", "true", "1.5"])
def test_number_for_triggers_is_a_problem(value: str) -> None:
    text = plan_yaml(f"relapse_prevention:\n  triggers: {value}\n")
    problem = only_problem(text)
    assert (problem.path, problem.line) == ("relapse_prevention.triggers", 9)


# --- housekeeping --------------------------------------------------------------------------


def test_parsing_does_not_keep_nodes_alive() -> None:
    import gc

    def live_nodes() -> int:
        gc.collect()
        return sum(isinstance(o, yaml.Node) for o in gc.get_objects())

    parse_plan(BASE.encode(), "plan.yaml")
    before = live_nodes()
    for _ in range(3):
        parse_plan(BASE.encode(), "plan.yaml")
    assert live_nodes() == before
