"""Issue 14, a discharge plan in 15 minutes: the clinician-only section, plans found by name,
the forgiving answers of the interview, people entered once, and the drafts list's wording.

Fast: library functions and the in-process ``run`` fixture; the terminal is
``test_interview_pty.py``'s subject.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import icalendar
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from conftest import EXAMPLES, Run
from iopcli import drafts
from iopcli.directory import already_there, open_directory
from iopcli.export import ExportOptions, render
from iopcli.feeds import read_feed
from iopcli.ics import event_uid
from iopcli.interview import (
    Interview,
    days_text,
    long_date,
    prune,
    read_date,
    read_days,
    read_link,
    read_minutes,
    read_zone,
)
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


# --- forgiving answers -------------------------------------------------------------------------

TUESDAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("12/10", dt.date(2026, 12, 10)),
        ("Dec 10", dt.date(2026, 12, 10)),
        ("10 December", dt.date(2026, 12, 10)),
        ("next Tue", dt.date(2026, 12, 8)),
        ("thursday", dt.date(2026, 12, 3)),
        ("11/30", dt.date(2027, 11, 30)),  # the next one to come
        ("1/5/27", dt.date(2027, 1, 5)),
        ("2027-03-01", dt.date(2027, 3, 1)),
        ("tomorrow", dt.date(2026, 12, 2)),
    ],
)
def test_dates_as_people_type_them(typed: str, day: dt.date) -> None:
    assert read_date(typed, TUESDAY) == day


def test_a_date_is_echoed_with_its_weekday() -> None:
    assert long_date(dt.date(2026, 12, 15)) == "Tuesday, December 15, 2026"


@given(st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)))
def test_every_date_reads_back_from_its_iso_and_its_echo(day: dt.date) -> None:
    assert read_date(day.isoformat(), TUESDAY) == day
    assert read_date(f"{day:%b} {day.day} {day.year}", TUESDAY) == day
    assert read_date(f"{day.month}/{day.day}/{day.year}", TUESDAY) == day


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [("50", "50"), ("50 min", "50"), ("1h", "60"), ("1h30", "90"), ("1:15", "75"),
     ("1.5 hours", "90"), ("90 minutes", "90")],
)  # fmt: skip
def test_durations(typed: str, minutes: str) -> None:
    assert read_minutes(typed) == minutes


def test_a_duration_that_is_not_one_names_the_rule() -> None:
    with pytest.raises(ValueError, match=r"a number of minutes, e\.g\. 50"):
        read_minutes("often")


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Denver", "America/Denver"),
        ("Mountain", "America/Denver"),
        ("america/denver", "America/Denver"),
        ("new york", "America/New_York"),
        ("Pacific time", "America/Los_Angeles"),
        ("Europe/London", "Europe/London"),
    ],
)
def test_time_zones_by_city_or_common_name(typed: str, zone: str) -> None:
    assert read_zone(typed) == zone


def test_an_unsure_time_zone_gets_a_suggestion() -> None:
    with pytest.raises(ValueError, match="did you mean America/Denver"):
        read_zone("Denvr")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Mondays and Thursdays", {"days": ["mon", "thu"], "repeat": "weekly", "weeks": []}),
        ("every other Saturday", {"days": ["sat"], "repeat": "every_2_weeks", "weeks": []}),
        ("1st and 3rd Friday", {"days": ["fri"], "repeat": "monthly", "weeks": ["1st", "3rd"]}),
        ("last Sunday of the month", {"days": ["sun"], "repeat": "monthly", "weeks": ["last"]}),
        ("tue, thu", {"days": ["tue", "thu"], "repeat": "weekly", "weeks": []}),
    ],
)
def test_meeting_days_as_people_say_them(typed: str, meant: dict[str, Any]) -> None:
    assert read_days(typed) == meant
    assert read_days(days_text(meant)) == meant  # what the draft records reads back the same


@given(
    st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1),
    st.sampled_from(["weekly", "every_2_weeks", "monthly"]),
    st.lists(st.sampled_from(["1st", "2nd", "3rd", "4th", "5th", "last"]), min_size=1),
)
def test_recorded_days_always_read_back(days: list[str], repeat: str, weeks: list[str]) -> None:
    meant = {
        "days": list(dict.fromkeys(days)),
        "repeat": repeat,
        "weeks": list(dict.fromkeys(weeks)) if repeat == "monthly" else [],
    }
    assert read_days(days_text(meant)) == meant


def test_a_link_without_its_start() -> None:
    assert read_link("zoom.us/j/123") == "https://zoom.us/j/123"
    assert read_link("http://x.example.org") == "http://x.example.org"


# --- the interview: back, ?, people once, picks, edit in place -----------------------------

BASE: dict[str, Any] = {
    "id": "lee-0001",
    "person": {"name": "Lee", "timezone": "America/Chicago"},
    "program": {"name": "Hope IOP", "discharge_date": "2027-03-01"},
}


class Script:
    """Answers in order: (start of the expected prompt, answer)."""

    def __init__(self, steps: list[tuple[str, str]]) -> None:
        self.steps = list(steps)
        self.said: list[str] = []
        self.asked: list[str] = []
        self.defaults: list[str | None] = []

    def say(self, text: str, style: str = "") -> None:
        self.said.append(text)

    def ask(self, prompt: str, default: str | None) -> str:
        self.asked.append(prompt)
        self.defaults.append(default)
        assert self.steps, f"not in the script: {prompt!r}"
        expected, answer = self.steps.pop(0)
        assert prompt.startswith(expected), f"asked {prompt!r}, the script expected {expected!r}"
        return answer


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IOPCLI_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_back_returns_to_the_previous_question_and_forgets_its_answer(home: Path) -> None:
    person = Script(
        [
            ("Name on the plan", "Lee"),
            ("Time zone", "Denver"),
            ("More details", "back"),
            ("Time zone", "back"),
            ("Name on the plan", "Lea"),
            ("Time zone", "?"),
            ("Time zone", "Chicago"),
            ("More details", ""),
        ]
    )
    draft = drafts.start("new", home)
    data = Interview(person, draft, {}, {}).run(only="person")
    assert data["person"] == {"name": "Lea", "timezone": "America/Chicago"}
    assert person.said.count("  = America/Denver") == 1
    assert any("A city (Denver)" in line and "'back'" in line for line in person.said)
    assert draft.answers["person/name"] == "Lea"


def test_back_at_the_first_question_says_so(home: Path) -> None:
    person = Script([("Name on the plan", "back"), ("Name on the plan", "Lee")])
    person.steps += [("Time zone", "UTC"), ("More details", "")]
    Interview(person, drafts.start("new", home), {}, {}).run(only="person")
    assert "  This is the first question." in person.said


def test_people_already_in_the_plan_and_the_clinics_are_picked_by_number(home: Path) -> None:
    config = {
        "professionals": [
            {"name": "Dr. Amara Osei", "role": "psychiatrist", "phone": "312-555-0150"}
        ],
        "after_hours": {"name": "Hope IOP after hours", "phone": "312-555-0199"},
        "emergency_department": {"name": "Northside ED", "address": "1 Lake St"},
    }
    ada = {"name": "Ada", "relationship": "sister", "phone": "720-555-0188"}
    base = {**BASE, "safety_plan": {"people_to_ask": [ada]}}
    person = Script([("Add a support contact?", "1, 2"), ("Add another support contact?", "")])
    data = Interview(person, drafts.start("new", home), base, config).run(only="contacts")
    assert "From the list: 1. Ada (sister, 720-555-0188); 2. Dr. Amara Osei (" in person.said[0]
    assert data["contacts"] == [
        {"name": "Ada", "relationship": "sister", "phone": "720-555-0188", "role": "family"},
        {"name": "Dr. Amara Osei", "relationship": "psychiatrist", "phone": "312-555-0150",
         "role": "other"},
    ]  # fmt: skip

    step5 = Script(
        [
            ("Step 1.", ""),
            ("Step 2.", ""),
            ("Add a person who helps", ""),
            ("Step 3.", ""),
            ("Change one?", ""),
            ("Add another person you can ask", ""),
            ("Add a professional", "1,2,4"),
            ("Add another professional", ""),
            ("Step 6.", ""),
            ("A reason for living", ""),
        ]
    )
    base = {**BASE, "safety_plan": {"people_to_ask": [ada]}}
    data = Interview(step5, drafts.start("new", home), base, config).run(only="safety_plan")
    names = [p["name"] for p in data["safety_plan"]["professionals"]]
    assert names == ["Northside ED", "Hope IOP after hours", "Ada"]


def test_an_item_is_changed_in_place_and_keeps_its_id(home: Path) -> None:
    base = read_plan(str(DANA)).model_dump(mode="json", exclude_defaults=True)
    before = base["meetings"][0]
    steps = [
        ("Change one?", "1"),
        ("Meeting name", "Lincoln Square Big Book (new room)"),
        ("Fellowship", ""),
        ("Day(s)", ""),
        ("Start time", "19:00"),
        ("End time", ""),
        ("In person, online or both?", ""),
        ("Place name", ""),
        ("Address", ""),
        ("More details", ""),
        ("Change one?", "3 to 1"),
        ("Change one?", "-3"),
        ("Change one?", ""),
        ("Add another meeting?", ""),
    ]
    person = Script(steps)
    data = Interview(person, drafts.start("edit", home), base, {}).run(only="meetings")
    plan = AftercarePlan.model_validate(prune(data))
    ids = [m.id for m in plan.meetings]
    assert ids == ["sunday-night-speaker", "lincoln-square-big-book"]
    changed = plan.meetings[1]
    assert changed.name == "Lincoln Square Big Book (new room)"
    assert changed.start == dt.time(19, 0)
    assert changed.days == list(read_plan(str(DANA)).meetings[0].days)
    assert changed.address == before.get("address")
    assert any(line.startswith("  1. Lincoln Square Big Book Study (") for line in person.said)


def test_an_edit_draft_from_before_the_edit_menu_still_resumes(home: Path) -> None:
    base = read_plan(str(DANA)).model_dump(mode="json", exclude_defaults=True)
    old = drafts.Draft(id="old", kind="edit", started="", home=home)
    old.answers = {
        "meetings/meetings/keep/0": "y",
        "meetings/meetings/keep/1": "n",
        "meetings/meetings/keep/2": "y",
        "meetings/meetings/add/0": "n",
    }
    silent = Script([])
    data = Interview(silent, old, base, {}).run(only="meetings")
    assert silent.asked == []
    assert [m["id"] for m in data["meetings"]] == [
        "lincoln-square-big-book",
        "sunday-night-speaker",
    ]


# --- exporting after an edit cancels what was removed ------------------------------------------


def test_export_after_an_edit_cancels_removed_items_without_previous(
    run: Run, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    assert run("import", str(DANA)).returncode == 0
    with open_store(home, create=False) as store:
        body = store.body(DANA_ID)
        gone = body["meetings"].pop(1)["id"]  # revision 2: one meeting removed
        store.save(AftercarePlan.model_validate(body), base=1, source="test")
        body["appointments"] = body["appointments"][1:]  # revision 3: an appointment too
        store.save(AftercarePlan.model_validate(body), base=2, source="test")
        appointment = store.body(DANA_ID, 1)["appointments"][0]["id"]
    result = run("export", "dana", "--out", str(tmp_path / "out"), "--format", "ics")
    assert result.returncode == 0, result.stderr
    (path,) = (tmp_path / "out").glob("*.ics")
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    cancelled = {
        str(e["UID"]) for e in calendar.walk("VEVENT") if str(e.get("STATUS")) == "CANCELLED"
    }
    assert cancelled == {
        event_uid(DANA_ID, f"meetings/{gone}"),  # removed two revisions ago
        event_uid(DANA_ID, f"appointments/{appointment}"),
    }


def test_n_at_the_directory_question_is_a_no_not_a_word_to_find(home: Path) -> None:
    searched: list[str] = []

    def lookup(kind: str, words: str) -> list[dict[str, Any]]:
        searched.append(words)
        return []

    person = Script([("Look up a meeting in the directory", "n"), ("Add a meeting?", "")])
    Interview(person, drafts.start("new", home), dict(BASE), {}, lookup=lookup).run(only="meetings")
    assert searched == []


# --- the review: strict warnings, a section changed, only it shown again ---------------------


def test_the_review_shows_the_strict_warnings_and_changes_one_section(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from iopcli.cli import interview as cli

    base = read_plan(str(DANA)).model_dump(mode="json", exclude_defaults=True)
    base["safety_plan"]["professionals"] = []  # a gap validate --strict names
    with open_store(home) as store:
        store.save(AftercarePlan.model_validate(base))
        revision = store.current_revision(DANA_ID)
    draft = drafts.start("edit", home, plan_id=DANA_ID, base_revision=revision, section="goals")
    answers = io.StringIO()
    monkeypatch.setattr("sys.stdin", answers)
    monkeypatch.setattr(cli, "home", lambda: home)
    monkeypatch.setattr(cli, "_directory_lookup", lambda: None)
    script = _review_script(base)
    answers.write("\n".join(script) + "\n")
    answers.seek(0)
    cli._interview(draft, plain=True)
    out = capsys.readouterr().out
    assert "Worth fixing before the person leaves (validate --strict):" in out
    assert "! safety_plan.professionals:" in out
    assert "Save this plan? (y/n, or a section to change: safety_plan" in out
    changed = out.split("Changed (safety plan):", 1)[1]
    assert "Please read the plan through" not in changed  # only the section, not the plan
    assert "Northwestern Memorial ED" in changed
    with open_store(home, create=False) as store:
        saved = store.load(DANA_ID)
    assert [p.name for p in saved.safety_plan.professionals] == ["Northwestern Memorial ED"]
    assert saved.goals == AftercarePlan.model_validate(base).goals


def _review_script(base: dict[str, Any]) -> list[str]:
    safety = base["safety_plan"]
    lines = ["", ""]  # goals: "Change one?" Enter, "Goal (Enter when done)" Enter
    lines.append("safety_plan")  # the review: change this section
    lines += ["y"] * len(safety.get("warning_signs", [])) + [""]  # keep each, add none
    lines += ["y"] * len(safety.get("coping_strategies", [])) + [""]
    lines += [""] * (1 if safety.get("distraction_people") else 0) + [""]  # change none, add none
    lines += ["y"] * len(safety.get("distraction_places", [])) + [""]
    lines += [""] * (1 if safety.get("people_to_ask") else 0) + [""]
    lines += ["y", "Northwestern Memorial ED", "emergency department", "312-555-0111", "n", "n"]
    lines += ["y"] * len(safety.get("safe_environment", [])) + [""]
    lines += ["y"] * len(safety.get("reasons_for_living", [])) + [""]
    lines += ["y", "n"]  # save; no export
    return lines


def test_a_new_plan_draft_from_before_the_details_question_keeps_its_answers(home: Path) -> None:
    old = drafts.Draft(id="old", kind="new", started="", home=home)
    old.answers = {
        "person/name": "Lee",
        "person/pronouns": "they/them",
        "person/timezone": "America/Chicago",
        "person/region": "",
        "person/language": "",
        "meetings/go": "y",
        "meetings/meetings/add/0": "y",
        "meetings/meetings/0/name": "Hope",
        "meetings/meetings/0/fellowship": "aa",
        "meetings/meetings/0/days": "mon wed",
        "meetings/meetings/0/start": "7pm",
        "meetings/meetings/0/end": "",
        "meetings/meetings/0/timezone": "",
        "meetings/meetings/0/location": "",
        "meetings/meetings/0/address": "",
        "meetings/meetings/0/online_url": "https://meet.example.org/hope",
        "meetings/meetings/0/online_phone": "",
        "meetings/meetings/0/online_notes": "",
        "meetings/meetings/0/notes": "",
        "meetings/meetings/add/1": "n",
    }
    silent = Script([])
    person = Interview(silent, old, {}, {}).run(only="person")
    assert person["person"]["pronouns"] == "they/them"  # no "More details?" to lose it
    assert silent.asked == []
    meetings = Script(
        [("In person, online or both?", ""), ("More details", ""), ("Add another", "")]
    )
    data = Interview(meetings, old, dict(BASE), {}).run(only="meetings")
    assert meetings.defaults[0] == "online"  # from the link the draft holds
    (hope,) = data["meetings"]
    assert hope["online_url"] == "https://meet.example.org/hope"
    assert [d.value for d in AftercarePlan.model_validate(prune(data)).meetings[0].days] == [
        "mon",
        "wed",
    ]


class Enter(Script):
    """The scripted answers where their prompts come, in order; Enter at every other prompt."""

    def ask(self, prompt: str, default: str | None) -> str:
        self.asked.append(prompt)
        if self.steps and prompt.startswith(self.steps[0][0]):
            return self.steps.pop(0)[1]
        return ""


def test_a_line_of_a_list_is_changed_in_place(home: Path) -> None:
    base = read_plan(str(DANA)).model_dump(mode="json", exclude_defaults=True)
    signs = base["safety_plan"]["warning_signs"]
    person = Enter(
        [
            ("Keep", "y"),
            ("Keep", "n"),
            ("Keep", "bad\x1b[2Jtext"),
            ("Keep", "Up after 2 am two nights running"),
        ]
    )
    data = Interview(person, drafts.start("edit", home), base, {}).run(only="safety_plan")
    assert person.steps == []
    assert sum("ESC" in line for line in person.said) == 1  # asked again, with the reason
    assert data["safety_plan"]["warning_signs"] == [
        signs[0],
        "Up after 2 am two nights running",
        signs[3],
    ]


def test_back_and_help_at_the_review(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from iopcli.cli import interview as cli

    with open_store(home) as store:
        store.save(read_plan(str(DANA)))
        revision = store.current_revision(DANA_ID)
    draft = drafts.start("edit", home, plan_id=DANA_ID, base_revision=revision, section="notes")
    typed = ["Call Jordan.", "?", "back", "Call Jordan after two bad days.", "y", "n"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(typed) + "\n"))
    monkeypatch.setattr(cli, "home", lambda: home)
    monkeypatch.setattr(cli, "_directory_lookup", lambda: None)
    cli._interview(draft, plain=True)
    out = capsys.readouterr().out
    assert "'back' returns to the last question" in out
    assert out.count("Notes [") == 2  # asked again after 'back'
    with open_store(home, create=False) as store:
        assert store.load(DANA_ID).notes == "Call Jordan after two bad days."
