"""dump_plan then parse_plan gives the same plan, in YAML and in JSON; what a plan refuses
(control characters) is refused with one line naming the file, line and field."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iopcli.errors import PlanFileError
from iopcli.model import AftercarePlan, Person, Program, SafetyPlan
from iopcli.planfile import dump_plan, parse_plan
from strategies import HOSTILE, REFUSED, plan_data, plans

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))

ROUNDTRIP = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def again(plan: AftercarePlan, fmt: str) -> AftercarePlan:
    text = dump_plan(plan, fmt)
    return parse_plan(text.encode("utf-8"), f"plan.{fmt}")


@pytest.mark.slow
@ROUNDTRIP
@given(plan=plans())
def test_yaml_roundtrip(plan: AftercarePlan) -> None:
    assert again(plan, "yaml") == plan


@pytest.mark.slow
@ROUNDTRIP
@given(plan=plans())
def test_json_roundtrip(plan: AftercarePlan) -> None:
    assert again(plan, "json") == plan


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans())
def test_dump_is_stable_and_yaml11_readers_agree(plan: AftercarePlan) -> None:
    dumped = dump_plan(plan, "yaml")
    # Dumping is a fixed point: a plan that went through iopcli once is written out the same.
    assert dump_plan(parse_plan(dumped.encode(), "plan.yaml"), "yaml") == dumped
    # Every tool reads the same values: a YAML 1.1 reader (PyYAML's safe_load) sees exactly
    # what the JSON dump holds, so nothing is taken for a bool, number, date or sexagesimal.
    assert yaml.safe_load(dumped) == json.loads(dump_plan(plan, "json"))


@settings(max_examples=30, deadline=None)
@given(data=plan_data())
def test_drawn_data_is_a_valid_plan_file(data: dict[str, object]) -> None:
    # The strategy's raw data, written as JSON, is itself a valid plan file.
    text = json.dumps(data, default=str, ensure_ascii=False)
    assert parse_plan(text.encode(), "plan.json") == AftercarePlan.model_validate(data)


def simple_plan(**fields: object) -> AftercarePlan:
    return AftercarePlan.model_validate(
        {
            "id": "p",
            "person": {"name": "Sam", "timezone": "UTC"},
            "program": {"name": "Lakeside", "discharge_date": dt.date(2026, 1, 5)},
            **fields,
        }
    )


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_strings_roundtrip(value: str, fmt: str) -> None:
    alone = [value] if value.strip() else []
    plan = simple_plan(notes=f"x {value} y", safety_plan={"warning_signs": [*alone, "x"]})
    assert again(plan, fmt) == plan


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_default_plan_dumps_only_what_was_given(fmt: str) -> None:
    plan = AftercarePlan(
        id="p",
        person=Person(name="Sam", timezone="UTC"),
        program=Program(name="Lakeside", discharge_date=dt.date(2026, 1, 5)),
        safety_plan=SafetyPlan(),
    )
    text = dump_plan(plan, fmt)
    data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    assert data == {
        "schema_version": 1,
        "id": "p",
        "person": {"name": "Sam", "timezone": "UTC"},
        "program": {"name": "Lakeside", "discharge_date": "2026-01-05"},
    }
    assert again(plan, fmt) == plan


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_roundtrip(example: Path, fmt: str) -> None:
    plan = parse_plan(example.read_bytes(), str(example))
    assert again(plan, fmt) == plan


def test_examples_exist() -> None:
    assert EXAMPLES


# The same plan written by hand as YAML and as JSON, field for field on the same lines, with
# three fields left to fill with string literals both read alike (see `literal`): the line a
# message names is known without asking the reader.
PLAN_FILES = {
    "yaml": """\
id: p
person:
  name: {name}
  timezone: UTC
program:
  name: Lakeside
  discharge_date: 2026-01-05
safety_plan:
  warning_signs:
  - {sign}
  - x
notes: {notes}
""",
    "json": """\
{{"id": "p",
"person": {{
  "name": {name},
  "timezone": "UTC"}},
"program": {{
  "name": "Lakeside",
  "discharge_date": "2026-01-05"}},
"safety_plan": {{
  "warning_signs": [
  {sign},
  "x"]}},
"notes": {notes}
}}
""",
}
FIELD_LINES = {"person.name": 3, "safety_plan.warning_signs.0": 10, "notes": 12}
FIELD_KEYS = {"person.name": "name", "safety_plan.warning_signs.0": "sign", "notes": "notes"}


def literal(value: str) -> str:
    """A JSON string literal that is also a YAML double-quoted scalar with the same value: every
    character outside printable ASCII and the astral planes is escaped, so neither reader meets
    one it reads its own way (YAML 1.1 folds a raw NEL, U+2028 or U+2029 as a line break)."""
    dumped = json.dumps(value, ensure_ascii=False)
    return re.sub("[\x7f-\uffff]", lambda m: f"\\u{ord(m[0]):04x}", dumped)


def plan_file(fmt: str, **fields: str) -> bytes:
    """The hand-written plan with ``name`` (person.name), ``sign``
    (safety_plan.warning_signs.0) and ``notes`` set; benign words where not given."""
    values = {"name": "Sam", "sign": "y", "notes": "z", **fields}
    return PLAN_FILES[fmt].format(**{k: literal(v) for k, v in values.items()}).encode()


def refusal(data: bytes, source: str) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        parse_plan(data, source)
    lines = caught.value.lines()
    for line in lines:  # the message names the character, never prints it
        assert not any(unicodedata.category(ch) == "Cc" for ch in line), line
    return lines


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_the_hand_written_plan_files_are_valid(fmt: str) -> None:
    plan = parse_plan(plan_file(fmt, name="Sam Q", sign="a\tb", notes="a\nb"), f"plan.{fmt}")
    assert (plan.person.name, plan.safety_plan.warning_signs, plan.notes) == (
        "Sam Q",
        ["a\tb", "x"],
        "a\nb",
    )


# Each refused string, the character a message names, and where in the string it is.
REFUSED_NAMES = {
    "\x00": ("U+0000 NUL", 1),
    "\x1b[31m": ("U+001B ESC", 1),
    "\x7f": ("U+007F DEL", 1),
    "a\rb": ("U+000D CR", 2),
    "a\x85b": ("U+0085", 2),
    "\x07": ("U+0007 BEL", 1),
    "a\x08b": ("U+0008 BS", 2),
    "\x9b31m": ("U+009B", 1),
}


def test_every_refused_string_has_its_expected_message() -> None:
    assert sorted(REFUSED_NAMES) == sorted(REFUSED)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("value", REFUSED)
@pytest.mark.parametrize("field", sorted(FIELD_LINES))
def test_refused_strings_are_one_clear_line(field: str, value: str, fmt: str) -> None:
    """A control character in a text field is refused, in a plan file or in the model, with
    one line: file, line, field path, which character and where."""
    typed = f"x {value} y"
    lines = refusal(plan_file(fmt, **{FIELD_KEYS[field]: typed}), f"plan.{fmt}")
    name, at = REFUSED_NAMES[value]
    position = at + 2
    if field == "person.name" and value == "a\rb":
        message = f"must be one line: there is a line break at character {position}"
    else:
        message = f"has a control character ({name}) at character {position}; remove it"
    assert lines == [f"plan.{fmt}:{FIELD_LINES[field]}: {field}: {message}"]
    with pytest.raises(ValueError, match=re.escape(message)):
        simple_plan(notes=typed, person={"name": typed, "timezone": "UTC"})


@pytest.mark.parametrize("written", ['"a\\x85b"', '"a\\Nb"', '"a\\u0085b"', '"a\\nb\\x85c"'])
def test_nel_is_refused_in_yaml(written: str) -> None:
    """NEL (U+0085) is a C1 control: YAML 1.1 readers take it for a line break, others do not,
    so a plan refuses it rather than let two readers see different text."""
    text = PLAN_FILES["yaml"].format(name='"Sam"', sign='"y"', notes=written).encode()
    at = 4 if "\\n" in written else 2
    assert refusal(text, "plan.yaml") == [
        f"plan.yaml:12: notes: has a control character (U+0085) at character {at}; remove it"
    ]


NEL_2 = "has a control character (U+0085) at character 2; remove it"


@pytest.mark.parametrize(
    ("value", "field", "message"),
    [
        ("a\x85b", "person.name", NEL_2),
        ("a\x85b", "safety_plan.warning_signs.0", NEL_2),
        ("a\x85b", "notes", NEL_2),
        ("a\nb\x85c", "person.name", "must be one line: there is a line break at character 2"),
        ("a\nb\x85c", "notes", "has a control character (U+0085) at character 4; remove it"),
    ],
)
def test_nel_is_refused_in_json(value: str, field: str, message: str) -> None:
    lines = refusal(plan_file("json", **{FIELD_KEYS[field]: value}), "plan.json")
    assert lines == [f"plan.json:{FIELD_LINES[field]}: {field}: {message}"]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_crlf_in_multi_line_text_reads_as_one_line_break(fmt: str) -> None:
    plan = parse_plan(plan_file(fmt, sign="a\r\nb", notes="a\r\n\r\nb\r\n c"), f"plan.{fmt}")
    assert plan.safety_plan.warning_signs == ["a\nb", "x"]
    assert plan.notes == "a\n\nb\n c"
    assert again(plan, fmt) == plan
    assert "\r" not in dump_plan(plan, fmt)


def test_crlf_line_endings_of_a_yaml_file_read_as_line_breaks() -> None:
    text = PLAN_FILES["yaml"].format(name='"Sam"', sign='"y"', notes="|\n  a\n  b")
    plan = parse_plan(text.replace("\n", "\r\n").encode(), "plan.yaml")
    assert plan.notes == "a\nb"


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_crlf_in_a_name_is_refused(fmt: str) -> None:
    assert refusal(plan_file(fmt, name="Sam\r\nQ"), f"plan.{fmt}") == [
        f"plan.{fmt}:3: person.name: must be one line: there is a line break at character 4"
    ]


# What a multi-line text field accepts: anything but surrogates and control characters (Cc),
# tab and newline excepted.
ALLOWED = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n")
CONTROL = st.characters(categories=("Cc",), exclude_characters="\t\n")


@settings(max_examples=50, deadline=None)
@given(value=st.text(ALLOWED, min_size=1, max_size=60).filter(lambda s: s.strip()))
def test_any_text_roundtrips_in_yaml(value: str) -> None:
    plan = simple_plan(notes=value)
    assert again(plan, "yaml").notes == plan.notes


@settings(max_examples=50, deadline=None)
@given(
    before=st.text(ALLOWED, max_size=20),
    control=CONTROL,
    after=st.text(ALLOWED, max_size=20),
    fmt=st.sampled_from(["yaml", "json"]),
)
def test_any_control_character_is_refused_with_the_field(
    before: str, control: str, after: str, fmt: str
) -> None:
    # Words around it, so the model's stripping of blanks cannot take it away; after a CR, not
    # a newline (CRLF is a line break, not a refusal).
    typed = f"x{before}{control}-{after}y"
    lines = refusal(plan_file(fmt, notes=typed), f"plan.{fmt}")
    prefix = f"plan.{fmt}:12: notes: has a control character (U+{ord(control):04X}"
    suffix = f") at character {len(before) + 2}; remove it"
    assert len(lines) == 1
    assert lines[0].startswith(prefix), lines
    assert lines[0].endswith(suffix), lines
