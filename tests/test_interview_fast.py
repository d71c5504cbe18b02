"""Issue 14, a discharge plan in 15 minutes: the clinician-only section, plans found by name,
the forgiving answers of the interview, people entered once, and the drafts list's wording.

Fast: library functions and the in-process ``run`` fixture; the terminal is
``test_interview_pty.py``'s subject.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import icalendar
import pytest
import yaml
from pydantic import ValidationError

from conftest import EXAMPLES
from iopcli.export import ExportOptions, render
from iopcli.model import AftercarePlan
from iopcli.planfile import dump_plan, parse_plan, read_plan

CLINICIAN = {
    "diagnoses": ["F10.20 Alcohol use disorder, moderate", "F33.1 Major depressive disorder"],
    "insurance": "Blue Cross PPO, member XQZ123456789",
    "payer": "Blue Cross Blue Shield of Illinois",
    "level_of_care_notes": "Stepped down after 6 weeks; ASAM dimension 5 improved.",
    "referral_source": "Northwestern ED",
}
SECRETS = [
    "F10.20",
    "F33.1",
    "XQZ123456789",
    "Blue Cross",
    "dimension 5",
    "Northwestern ED",
]


def _with_clinician() -> AftercarePlan:
    plan = read_plan(str(EXAMPLES[0]))
    data = plan.model_dump(mode="json", exclude_defaults=True)
    data["clinician"] = CLINICIAN
    return AftercarePlan.model_validate(data)


def test_clinician_section_goes_to_json_and_yaml_and_back() -> None:
    plan = _with_clinician()
    from_json = json.loads(render(plan, "json", ExportOptions()))
    from_yaml = yaml.safe_load(render(plan, "yaml", ExportOptions()))
    assert from_json["clinician"] == CLINICIAN
    assert from_yaml["clinician"] == CLINICIAN
    again = parse_plan(dump_plan(plan, "yaml").encode(), "again.yaml")
    assert again.clinician == plan.clinician


def test_clinician_section_never_in_handout_or_calendar() -> None:
    plan = _with_clinician()
    handout = render(plan, "md", ExportOptions()).decode()
    calendar = icalendar.Calendar.from_ical(render(plan, "ics", ExportOptions()))
    texts = [str(value) for event in calendar.walk() for value in event.values()]
    for secret in SECRETS:
        assert secret not in handout
        assert not any(secret in t for t in texts)


def test_clinician_section_is_checked_like_the_rest() -> None:
    data: dict[str, Any] = read_plan(str(EXAMPLES[0])).model_dump(mode="json")
    data["clinician"] = {"diagnosis": "typo"}
    with pytest.raises(ValidationError) as caught:
        AftercarePlan.model_validate(data)
    assert [e["loc"] for e in caught.value.errors()] == [("clinician", "diagnosis")]


def test_a_plan_without_clinician_section_writes_none(tmp_path: Path) -> None:
    plan = read_plan(str(EXAMPLES[0]))
    assert plan.clinician is None
    assert "clinician" not in json.loads(render(plan, "json", ExportOptions()))
