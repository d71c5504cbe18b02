"""Issue 14, a discharge plan in 15 minutes: the clinician-only section, plans found by name,
the forgiving answers of the interview, people entered once, and the drafts list's wording.

Fast: library functions and the in-process ``run`` fixture; the terminal is
``test_interview_pty.py``'s subject.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import icalendar
import pytest
import yaml
from pydantic import ValidationError

from conftest import EXAMPLES, Run
from iopcli import drafts
from iopcli.cli.interview import already_there
from iopcli.directory import open_directory
from iopcli.export import ExportOptions, render
from iopcli.feeds import read_feed
from iopcli.model import AftercarePlan
from iopcli.planfile import dump_plan, parse_plan, read_plan
from iopcli.store import NotFoundError, open_store

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


# --- plans found by name ---------------------------------------------------------------------


def _stored(home: Path, *names: str) -> list[str]:
    plan = read_plan(str(EXAMPLES[0]))
    ids = []
    with open_store(home) as store:
        for n, name in enumerate(names):
            data = plan.model_dump(mode="json", exclude_defaults=True)
            data["id"] = f"{n}abc{n}def-0000"
            data["person"]["name"] = name
            store.save(AftercarePlan.model_validate(data))
            ids.append(data["id"])
    return ids


def test_a_plan_is_found_by_name_in_any_case_and_by_its_start(tmp_path: Path) -> None:
    teresa, dana = _stored(tmp_path, "Teresa Okafor-Lind", "Dana")
    with open_store(tmp_path, create=False) as store:
        assert store.resolve("teresa") == teresa
        assert store.resolve("Teresa Okafor-Lind") == teresa
        assert store.resolve("  TERESA   okafor") == teresa
        assert store.resolve("dana") == dana
        assert store.resolve("DANA") == dana


def test_two_plans_matching_a_name_are_both_listed(tmp_path: Path) -> None:
    _stored(tmp_path, "Teresa Okafor-Lind", "Teresa Brown")
    with open_store(tmp_path, create=False) as store, pytest.raises(NotFoundError) as caught:
        store.resolve("teresa")
    message = str(caught.value)
    assert "Teresa Okafor-Lind" in message
    assert "Teresa Brown" in message
    assert "0abc0def" in message
    assert "1abc1def" in message


def test_show_takes_a_name(run: Run, tmp_path: Path) -> None:
    home = tmp_path / "home"
    _stored(home, "Teresa Okafor-Lind")
    result = run("show", "teresa okafor")
    assert result.returncode == 0, result.stderr
    assert "Teresa Okafor-Lind" in result.stdout


# --- drafts ----------------------------------------------------------------------------------


def test_a_draft_with_no_answer_is_not_kept(tmp_path: Path) -> None:
    draft = drafts.start("new", tmp_path)
    draft.record("plan/id", "0123")
    assert drafts.all_drafts(tmp_path) == []
    draft.record("person/name", "Lee")
    assert [d.id for d in drafts.all_drafts(tmp_path)] == [draft.id]


def test_drafts_list_says_1_answer(run: Run, tmp_path: Path) -> None:
    draft = drafts.start("new", tmp_path / "home")
    draft.record("plan/id", "0123")
    draft.record("person/name", "Lee")
    result = run("drafts")
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith(", 1 answer")


# --- edit PLAN meetings --add: no meeting twice ----------------------------------------------

FEEDS = Path(__file__).parent / "feeds"
DANA = Path(__file__).parent.parent / "examples" / "alcohol-depression.yaml"
DANA_ID = "3f6c2a9e-7b41-4d2a-9c55-1e8a0d4b7f21"


def test_add_from_the_directory_refuses_a_meeting_already_in_the_plan(
    run: Run, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    assert run("import", str(DANA)).returncode == 0
    feed = read_feed(FEEDS / "meeting-guide.json", "mg", None)
    with contextlib.closing(open_directory(home)) as directory:
        directory.import_feed(feed, "mg", "meeting-guide.json")
    first = run("edit", "dana", "meetings", "--add", "night-owls-online", stdin="")
    assert first.returncode == 0, first.stderr
    again = run("edit", "dana", "meetings", "--add", "night-owls-online", stdin="")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [
        "meetings: Night Owls Online is already in the plan (as night-owls-online); not added"
    ]
    with open_store(home, create=False) as store:
        assert store.current_revision(DANA_ID) == 2  # nothing saved the second time
        assert [m["id"] for m in store.body(DANA_ID)["meetings"]].count("night-owls-online") == 1


def test_a_meeting_typed_in_by_hand_counts_as_the_same_meeting() -> None:
    typed = {"id": "owls", "name": "night owls online", "days": ["Sunday"], "start": "9:30pm"}
    listed = {"name": "Night Owls Online", "days": ["sun"], "start": "21:30"}
    assert already_there([typed], listed) == "owls"
    assert already_there([typed], {**listed, "start": "21:00"}) is None
    assert already_there([typed], {**listed, "days": ["sat"]}) is None
