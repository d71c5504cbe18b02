"""dump_plan then parse_plan gives the same plan, in YAML and in JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iopcli.model import AftercarePlan, Person, Program, SafetyPlan
from iopcli.planfile import dump_plan, parse_plan
from strategies import HOSTILE, plan_data, plans

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))

ROUNDTRIP = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def again(plan: AftercarePlan, fmt: str) -> AftercarePlan:
    text = dump_plan(plan, fmt)
    return parse_plan(text.encode("utf-8"), f"plan.{fmt}")


@ROUNDTRIP
@given(plan=plans())
def test_yaml_roundtrip(plan: AftercarePlan) -> None:
    assert again(plan, "yaml") == plan


@ROUNDTRIP
@given(plan=plans())
def test_json_roundtrip(plan: AftercarePlan) -> None:
    assert again(plan, "json") == plan


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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


@pytest.mark.parametrize("value", ["a\x85b", "a\nb\x85c"])
def test_nel_survives_yaml(value: str) -> None:
    plan = simple_plan(notes=value)
    assert again(plan, "yaml").notes == value


@pytest.mark.parametrize("value", ["a\x85b", "a\nb\x85c"])
def test_nel_survives_json(value: str) -> None:
    plan = simple_plan(notes=value)
    assert again(plan, "json").notes == value


@settings(max_examples=50, deadline=None)
@given(
    value=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60).filter(
        lambda s: s.strip() and "\x85" not in s
    )
)
def test_any_text_roundtrips_in_yaml(value: str) -> None:
    plan = simple_plan(notes=value)
    assert again(plan, "yaml").notes == plan.notes
