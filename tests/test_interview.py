"""The interview runner with scripted people: every section, defaults, checks, resuming.

Fast and broad; ``test_interview_pty.py`` drives the real command in a terminal.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from conftest import EXAMPLES
from iopcli import drafts
from iopcli.interview import (
    CLEAR,
    SECTION_KEYS,
    SECTIONS,
    Interview,
    Q,
    Section,
    Strings,
    check_answer,
    finish,
    prune,
)
from iopcli.model import AftercarePlan, Helper, Meeting, Program
from iopcli.planfile import read_plan
from iopcli.store import canonical

TODAY = dt.date.today()
INTERRUPT = "<Ctrl-C>"
BASE: dict[str, Any] = {
    "person": {"name": "Lee", "timezone": "America/Chicago"},
    "program": {"name": "Hope IOP", "discharge_date": "2027-03-01"},
}

# A good answer for every question, by the start of its prompt (the longest start wins).
SAMPLES = {
    "Name on the plan": "Lee",
    "Pronouns": "they/them",
    "Time zone of the meeting": "America/New_York",
    "Time zone": "America/Chicago",
    "Country": "ca",
    "Preferred language": "es-MX",
    "Program or clinic": "Hope IOP",
    "Counselor's name": "Sam",
    "Counselor's phone": "312-555-0100",
    "Discharge date": "2027-03-01",
    "Care after discharge": "php",
    "Next plan review": "2027-04-15",
    "Name": "Kim",
    "Who they are to you": "sister",
    "Phone": "(312) 555-0167",
    "Role (clinician": "Clinician",
    "Role": "friend",
    "After-hours phone": "312-555-0156 ext. 9",
    "Address": "12 Main St",
    "Meeting name": "Tuesday Night Hope",
    "Fellowship": "smart",
    "Day(s)": "Mondays and Wednesdays",
    "Start time": "6:30 pm",
    "End time": "8pm",
    "Place name": "St. Mark's",
    "Online link": "https://meet.example.org/hope",
    "Dial-in phone": "+1 312 555 0111",
    "Meeting ID": "ID 555 0142",
    "Notes": "Some notes",
    "With whom": "Jordan",
    "Kind (people": "feelings",
    "Kind": "psychiatry",
    "First date": "2027-03-09",
    "Time, e.g.": "3pm",
    "Minutes": "45",
    "Repeats": "every 2 weeks",
    "Video link": "https://video.example.org/jordan",
    "Insurance": "$25 copay",
    "Medication": "Sertraline",
    "Dose": "100 mg",
    "When to take it": "mornings",
    "Prescriber": "Dr. Amara",
    "Pharmacy phone": "312-555-0181",
    "Pharmacy": "Corner Drug",
    "Next refill": "2027-03-20",
    "Refill every": "30",
    "Category": "housing",
    "Website": "https://help.example.org",
    "Hours": "9-5",
    "Date checked": "2027-02-01",
    "Trigger": "Payday",
    "What you will do": "Call Kim",
    "Skill": "Box breathing",
    "Helps with": "stress",
    "When to call": "Evenings",
    "Goal": "Three meetings a week",
    "Soon or longer": "long",
    "By when": "2027-09-01",
    "More details": "y",
    "In person, online or both": "both",
    "Where (an address": "12 Main St",
    "Date of one of these": "2027-03-06",
    "Diagnoses": "F10.20 Alcohol use disorder, moderate; F33.1 Major depressive disorder",
    "Insurance plan": "Blue Cross PPO XQZ123",
    "Payer": "Blue Cross",
    "Level-of-care notes": "Stepped down after six weeks",
    "Referred by": "Northside ED",
    "Change one?": "",
    "Next program: search": "type",  # the next program: no directory here
    "Next program: keep": "keep",
    "Program name": "Lakeview Counseling Center",
    "Intake phone": "(312) 555-0161",
    "Main phone": "(312) 555-0160",
    "Intake date": "2027-03-03",
    "Intake time": "10am",
    "What to bring": "Photo ID; Insurance card",
}


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Drafts go to a private home, written without waiting for the disk (durability through
    a killed process is tested in test_interview_pty.py)."""
    monkeypatch.setenv("IOPCLI_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    return tmp_path / "home"


class Scripted:
    """What every scripted person keeps: the questions asked (with defaults) and what was said."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str | None]] = []
        self.said: list[str] = []
        self.transcript: list[tuple[str, str | None, str]] = []

    def say(self, text: str, style: str = "") -> None:
        self.said.append(text)

    def ask(self, prompt: str, default: str | None) -> str:
        self.asked.append((prompt, default))
        answer = self.answer(prompt, default)
        self.transcript.append((prompt, default, answer))
        return answer

    def answer(self, prompt: str, default: str | None) -> str:
        raise NotImplementedError

    def default_for(self, start: str) -> str | None:
        found = [default for prompt, default in self.asked if prompt.startswith(start)]
        assert found, f"never asked {start!r}"
        return found[0]

    def prompts(self) -> list[str]:
        return [prompt for prompt, _ in self.asked]


class Script(Scripted):
    """Answers in order: each (start of the expected prompt, answer); INTERRUPT is Ctrl-C."""

    def __init__(self, steps: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__()
        self.steps = list(steps)

    def answer(self, prompt: str, default: str | None) -> str:
        assert self.steps, f"not in the script: {prompt!r}"
        expected, answer = self.steps.pop(0)
        assert prompt.startswith(expected), f"asked {prompt!r}, the script expected {expected!r}"
        if answer == INTERRUPT:
            raise KeyboardInterrupt
        return answer


class Auto(Scripted):
    """Fills in everything: one item per list, one line per list of texts, a sample answer
    per question; ``overrides`` give the answers for some prompts first (a queue each)."""

    def __init__(self, **overrides: list[str]) -> None:
        super().__init__()
        self.overrides = {prompt.replace("_", " "): list(q) for prompt, q in overrides.items()}
        self.listed: set[str] = set()

    def answer(self, prompt: str, default: str | None) -> str:
        for start, queue in self.overrides.items():
            if prompt.startswith(start) and queue:
                return queue.pop(0)
        if prompt.startswith(("Fill this in now?", "Keep ", "Fill one in now?")):
            return ""
        if prompt.startswith("Add "):
            return "n" if prompt.startswith("Add another") else "y"
        if prompt.endswith("(Enter when done)"):
            first = prompt not in self.listed
            self.listed.add(prompt)
            return f"About: {prompt.split('(', maxsplit=1)[0].strip()}" if first else ""
        starts = [start for start in SAMPLES if prompt.startswith(start)]
        assert starts, f"no sample answer for {prompt!r}"
        return SAMPLES[max(starts, key=len)]


class Enter(Scripted):
    """Presses Enter at every question."""

    def answer(self, prompt: str, default: str | None) -> str:
        return ""


def interview(
    asker: Scripted,
    base: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
    draft: drafts.Draft | None = None,
) -> Interview:
    return Interview(asker, draft or drafts.start("new"), copy.deepcopy(base or {}), config or {})


def run(
    asker: Scripted,
    only: str | None = None,
    base: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    if base is None and only not in (None, "person", "program"):
        base = BASE
    return interview(asker, base, config).run(only=only)


def section(key: str) -> Section:
    return next(s for s in SECTIONS if s.key == key)


def own_prompts(sec: Section) -> list[str]:
    """Every question a section can ask, by the start of its prompt."""
    out: list[str] = ["More details"]
    for step in sec.steps:
        if isinstance(step, Q | Strings):
            out.append(step.prompt)
        elif step.quick:
            first, *rest = step.questions
            out += [f"{first.prompt.split(' (')[0]} (Enter when done)", "Keep ", "Change one?"]
            out += [q.prompt for q in rest] + ["More details"]
        else:
            article = "an" if step.noun[0] in "aeiou" else "a"
            out += [f"Add {article} {step.noun}", f"Add another {step.noun}", "Keep "]
            out += [q.prompt for q in step.questions] + ["More details", "Change one?"]
    if sec.key == "program":  # then the next program (continuing_care.ask_next_program)
        out += ["Next program: search", "Next program: keep"]
        out += ["Program name", "Address", "Intake phone", "Main phone", "Website"]
        out += ["Intake date", "Intake time", "What to bring"]
    return out


def stored_body(path: Path) -> dict[str, Any]:
    return canonical(read_plan(str(path)))


# --- a complete run ---------------------------------------------------------------------------


def test_a_complete_scripted_run_asks_everything_and_validates() -> None:
    person = Auto()
    data = run(person)
    plan = finish(data)

    titles = [f"{n}/{len(SECTIONS)} {s.title}" for n, s in enumerate(SECTIONS, 1)]
    assert [line for line in person.said if re.match(r"\d+/\d+ ", line)] == titles
    asked = person.prompts()
    for sec in SECTIONS:
        for start in own_prompts(sec):
            if start not in (
                "Keep ",
                "Change one?",
                "Date of one of these meetings",
                "Next program: keep",  # asked when the plan names a next program
            ):
                assert any(p.startswith(start) for p in asked), (sec.key, start)

    assert plan.person.model_dump(exclude_none=True) == {
        "name": "Lee",
        "pronouns": "they/them",
        "language": "es-MX",
        "timezone": "America/Chicago",
        "region": "CA",
    }
    assert plan.program.level_of_care.value == "partial_hospitalization"
    assert plan.next_program is not None
    assert plan.next_program.name == "Lakeview Counseling Center"
    assert plan.next_program.intake is not None
    assert plan.program.counselor is not None
    assert plan.program.counselor.phone == "312-555-0100"
    assert plan.safety_plan.warning_signs == [
        "About: Step 1. A warning sign that a crisis may be starting"
    ]
    assert [h.name for h in plan.safety_plan.professionals] == ["Kim"]
    assert plan.safety_plan.professionals[0].after_hours_phone == "312-555-0156 ext. 9"
    (meeting,) = plan.meetings
    assert [d.value for d in meeting.days] == ["mon", "wed"]
    assert (meeting.start, meeting.end) == (dt.time(18, 30), dt.time(20, 0))
    assert meeting.fellowship.value == "smart_recovery"
    assert meeting.timezone == "America/New_York"
    (appointment,) = plan.appointments
    assert (appointment.kind.value, appointment.repeat.value) == ("psychiatry", "every_2_weeks")
    assert appointment.duration_minutes == 45
    assert plan.medications[0].refill_every_days == 30
    assert plan.resources[0].verified == dt.date(2027, 2, 1)
    assert plan.relapse_prevention.triggers[0].kind is not None
    assert plan.relapse_prevention.coping_strategies[0].helps_with.value == "stress"
    assert plan.contacts[0].role.value == "friend"
    assert (plan.goals[0].term.value, plan.goals[0].target_date) == ("long", dt.date(2027, 9, 1))
    assert plan.notes == "Some notes"
    # What the store would keep reads back as the same plan.
    assert AftercarePlan.model_validate(canonical(plan)) == plan


@pytest.mark.parametrize("key", SECTION_KEYS)
def test_every_section_can_be_asked_on_its_own(key: str) -> None:
    person = Auto()
    data = run(person, only=key, base=BASE)
    own = own_prompts(section(key))
    assert person.asked, key
    for prompt in person.prompts():
        assert any(prompt.startswith(start) for start in own), (key, prompt)
    plan = finish(data)
    path = section(key).path or key
    assert canonical(plan).get(path), (key, canonical(plan))
    assert not any(re.match(r"\d+/\d+ ", line) for line in person.said)  # no section headers


def test_the_section_keys_are_the_sections_in_order() -> None:
    assert tuple(s.key for s in SECTIONS if s.key != "people") == SECTION_KEYS
    assert len(set(SECTION_KEYS)) == len(SECTION_KEYS)
    assert [s.key for s in SECTIONS if not s.skippable] == ["person", "program"]


# --- resuming ---------------------------------------------------------------------------------


def test_recorded_answers_replay_into_the_same_plan_without_a_question() -> None:
    first = Auto()
    draft = drafts.start("new")
    data = interview(first, draft=draft).run()

    on_disk = drafts.load(draft.id)
    assert on_disk.answers == draft.answers
    assert on_disk.label == "Lee"
    assert len(on_disk.answers) == len(first.asked) + 1  # every answer, and the plan's id
    silent = Script()  # any question fails the test
    assert interview(silent, draft=on_disk).run() == data
    assert silent.asked == []

    as_dict = drafts.Draft(id="x", kind="new", started="", answers=dict(draft.answers))
    assert interview(Script(), draft=as_dict).run() == data
    assert finish(data) == finish(interview(Script(), draft=as_dict).run())


CLINIC = {"meetings": [{"name": "Alumni", "days": "wed", "start": "18:30"}]}
Transcript = list[tuple[str, str | None, str]]


@pytest.fixture(scope="module")
def whole_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Transcript, dict[str, Any]]:
    """One uninterrupted run: every (question, default, answer), and the plan data it made."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IOPCLI_HOME", str(tmp_path_factory.mktemp("whole")))
        person = Auto(**{"Add a meeting": ["1"], "Add another meeting": ["y"]})
        data = run(person, config=CLINIC)
    return person.transcript, data


@pytest.mark.parametrize("stop", [0, 1, 4, 5, 11, 12, 17, 30, 41, 55, 70, 90, -1])
def test_an_interrupted_run_resumes_at_the_very_question_and_ends_the_same(
    stop: int, whole_run: tuple[Transcript, dict[str, Any]]
) -> None:
    transcript, whole = whole_run
    stop = stop % len(transcript)
    draft = drafts.start("new")
    steps = [(p, a) for p, _, a in transcript[:stop]] + [(transcript[stop][0], INTERRUPT)]
    with pytest.raises(KeyboardInterrupt):
        interview(Script(steps), config=CLINIC, draft=draft).run()
    if stop == 0:  # no answer yet: no draft is kept, and the next run starts afresh
        assert drafts.all_drafts() == []
        kept = drafts.start("new")
    else:
        kept = drafts.load(draft.id)
        assert len(kept.answers) == stop + 1  # each answer given, and the id

    rest = Script((p, a) for p, _, a in transcript[stop:])
    resumed = interview(rest, config=CLINIC, draft=kept).run()
    assert rest.asked == [(p, d) for p, d, _ in transcript[stop:]]  # from the stopped question on
    assert rest.steps == []
    assert {k: v for k, v in resumed.items() if k != "id"} == {
        k: v for k, v in whole.items() if k != "id"
    }
    assert [m.name for m in finish(resumed).meetings] == ["Alumni", "Tuesday Night Hope"]


def test_resuming_inside_a_section_picked_from_the_skipped_list() -> None:
    steps = [
        ("Name on the plan", "Lee"),
        ("Time zone", "America/Chicago"),
        ("More details", ""),
        ("Program or clinic", "Hope IOP"),
        ("Counselor's name", ""),
        ("Discharge date", "2027-03-01"),
        ("Care after discharge", ""),
        ("Next plan review", ""),
        ("Next program: search", "skip"),
        *[("Fill this in now?", "n")] * 11,
        ("Fill one in now?", "x"),
        ("Fill one in now?", "4"),
        ("Add a meeting?", "y"),
        ("Meeting name", "Hope"),
    ]
    person = Script([*steps, ("Fellowship", INTERRUPT)])
    draft = drafts.start("new")
    with pytest.raises(KeyboardInterrupt):
        interview(person, draft=draft).run()
    assert "Type a number from 1 to 11, or press Enter." in " ".join(person.said)
    assert any(
        line.startswith(
            "You skipped: 1. For the clinician only, 2. People in the plan,"
            " 3. Safety plan, 4. Support groups,"
        )
        for line in person.said
    )

    rest = [("Fellowship", "aa"), ("Day(s)", "fri"), ("Start time", "8pm"), ("End time", "")]
    rest += [(p, "") for p in ("In person, online", "Place", "Address", "More details")]
    rest += [("Add another meeting?", ""), ("Fill one in now?", "")]
    again = Script(rest)
    data = interview(again, draft=drafts.load(draft.id)).run()
    assert again.asked[0][0].startswith("Fellowship")
    assert again.steps == []
    assert again.said[-1].startswith(
        "You skipped: 1. For the clinician only, 2. People in the plan, 3. Safety plan,"
        " 4. Therapy and appointments"
    )
    (hope,) = finish(data).meetings
    assert (hope.name, hope.start, hope.end) == ("Hope", dt.time(20), dt.time(21))


# --- defaults ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("7pm", "20:00"),
        ("19:00", "20:00"),
        ("7:30 pm", "20:30"),
        ("11:30pm", "00:30"),
        ("noon", "13:00"),
        ("midnight", "01:00"),
    ],
)
def test_a_meeting_ends_an_hour_after_it_starts_by_default(start: str, end: str) -> None:
    person = Auto(Start_time=[start], End_time=[""])
    data = run(person, only="meetings")
    assert person.default_for("End time") == end
    assert data["meetings"][0]["end"] == end
    hour, minute = map(int, end.split(":"))
    assert finish(data).meetings[0].end == dt.time(hour, minute)


@pytest.mark.parametrize(
    ("discharge", "review"),
    [("2027-03-01", "2027-03-31"), ("2027-12-15", "2028-01-14"), ("2028-02-10", "2028-03-11")],
)
def test_the_review_is_offered_thirty_days_after_discharge(discharge: str, review: str) -> None:
    person = Auto(Discharge_date=[discharge], Next_plan_review=[""])
    data = run(person, only="program")
    assert person.default_for("Next plan review") == review
    assert finish({**BASE, **data}).program.next_review == dt.date.fromisoformat(review)


def test_discharge_is_today_unless_said_otherwise() -> None:
    person = Auto(Discharge_date=[""], Next_plan_review=[""])
    plan = finish({**BASE, **run(person, only="program")})
    assert person.default_for("Discharge date") == TODAY.isoformat()
    assert plan.program.discharge_date == TODAY
    assert plan.program.next_review == TODAY + dt.timedelta(days=30)


@pytest.mark.parametrize(
    ("key", "prompt", "default", "field"),
    [
        ("person", "Country", "US", ("person", "region")),
        ("person", "Preferred language", "en", ("person", "language")),
        ("program", "Care after discharge", "standard_outpatient", ("program", "level_of_care")),
        ("meetings", "Fellowship", "other", ("meetings", 0, "fellowship")),
        ("appointments", "Kind", "individual", ("appointments", 0, "kind")),
        ("appointments", "Minutes", "60", ("appointments", 0, "duration_minutes")),
        ("appointments", "Repeats", "once", ("appointments", 0, "repeat")),
        ("resources", "Category", "other", ("resources", 0, "category")),
        ("resources", "Date checked", TODAY.isoformat(), ("resources", 0, "verified")),
        (
            "relapse_prevention",
            "Helps with",
            "general",
            ("relapse_prevention", "coping_strategies", 0, "helps_with"),
        ),
        ("contacts", "Role", "other", ("contacts", 0, "role")),
        ("goals", "Soon or longer", "short", ("goals", 0, "term")),
    ],
)
def test_enter_takes_the_offered_default(
    key: str, prompt: str, default: str, field: tuple[Any, ...]
) -> None:
    person = Auto(**{prompt: [""]})
    data = run(person, only=key)
    assert person.default_for(prompt) == default
    plan = finish({**BASE, **data} if key in ("person", "program") else data)
    value: Any = plan.model_dump(mode="json")
    for part in field:
        value = value[part]
    assert str(value) == default


def test_clinic_settings_are_the_defaults() -> None:
    config = {"program": "Hope IOP", "counselor": "Sam", "counselor_phone": "312-555-0100"}
    person = Auto(Program=[""], Counselor=["", ""], Country=[""])
    data = run(person, only=None, config={**config, "region": "ca"})
    assert person.default_for("Program or clinic") == "Hope IOP"
    assert person.default_for("Counselor's name") == "Sam"
    assert person.default_for("Counselor's phone") == "312-555-0100"
    assert person.default_for("Country") == "ca"
    plan = finish(data)
    assert (plan.program.name, plan.person.region) == ("Hope IOP", "CA")


def test_a_clinic_list_is_offered_by_number() -> None:
    config = {
        "resources": [
            {"name": "Food pantry", "category": "food"},
            "not a table",  # ignored
            {"name": "Legal aid", "category": "legal", "phone": "312-555-0199"},
        ]
    }
    person = Script([("Add a resource?", "3"), ("Add a resource?", "2")])
    person.steps += [("Add another resource?", "1"), ("Add another resource?", "n")]
    data = run(person, only="resources", config=config)
    assert person.said[0] == "From the list: 1. Food pantry; 2. Legal aid (312-555-0199)"
    assert "  Type numbers from 1 to 2 (e.g. 1,3), y for a new one, or press Enter." in person.said
    assert [r["name"] for r in data["resources"]] == ["Legal aid", "Food pantry"]
    assert [r.id for r in finish(data).resources] == ["legal-aid", "food-pantry"]


# --- CLEAR --------------------------------------------------------------------------------------


def test_a_dash_empties_a_default() -> None:
    person = Auto(
        Next_plan_review=[CLEAR],
        Country=[CLEAR],
        Preferred_language=[CLEAR],
        End_time=[CLEAR],
        Date_checked=[CLEAR],
    )
    data = run(person)
    assert "next_review" not in data["program"]
    assert "region" not in data["person"]
    assert "end" not in data["meetings"][0]
    plan = finish(data)
    assert plan.program.next_review is None
    assert (plan.person.region, plan.person.language) == ("US", "en")  # the model's defaults
    assert plan.meetings[0].end is None
    assert plan.meetings[0].end_time == dt.time(19, 30)  # still an hour, when it is shown
    assert plan.resources[0].verified is None


def test_a_dash_on_a_needed_answer_asks_again() -> None:
    person = Auto(Discharge_date=[CLEAR, ""], Name_on_the_plan=[CLEAR])
    data = run(person)
    assert person.said.count("  This one is needed.") == 2
    assert [p for p in person.prompts() if p.startswith("Discharge date")] == ["Discharge date"] * 2
    assert finish(data).program.discharge_date == TODAY


def test_a_dash_in_an_edit_removes_the_stored_value() -> None:
    base = stored_body(EXAMPLES[0])
    assert base["person"]["pronouns"]
    person = Script([("Name on the plan", ""), ("Time zone", ""), ("More details", "y")])
    person.steps += [("Pronouns (optional)", CLEAR), ("Country", ""), ("Preferred language", "")]
    data = interview(person, base).run(only="person")
    plan = finish(data)
    assert plan.person.pronouns is None
    assert plan.person.name == base["person"]["name"]


# --- every answer checked -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "prompt", "bad", "reason"),
    [
        ("person", "Time zone", "Mars/Base", "'Mars/Base' is not a time zone I know"),
        ("person", "Time zone", "../etc/passwd", "is not a time zone I know"),
        ("person", "Country", "USA", "'USA' is not a two-letter country code"),
        ("person", "Preferred language", "english!", "is not a language tag like en"),
        ("program", "Discharge date", "2026-02-30", "'2026-02-30' is not a valid date"),
        ("program", "Discharge date", "March 41st", "is not a day of the calendar"),
        ("program", "Counselor's phone", "555 0100", "'555 0100' needs its area code"),
        ("program", "Counselor's phone", "call me", "'call me' is not a phone number"),
        ("program", "Care after discharge", "hospital", "'hospital' is not one of"),
        ("safety_plan", "Phone", "12", "'12' has the wrong number of digits for a CA number"),
        ("meetings", "Day(s)", "tue someday", "'someday' is not a day"),
        ("meetings", "Start time", "25:00", "'25:00' is not a time of day: hours go from 0 to 23"),
        ("meetings", "Start time", "7:75pm", "minutes go from 00 to 59"),
        ("meetings", "Start time", "7", "'7' is ambiguous"),
        ("meetings", "End time", "13pm", "with am/pm the hour is 1 to 12"),
        ("meetings", "Online link", "ftp://x.example.org", "must start with https:// or http://"),
        ("meetings", "Time zone of the meeting", "Chicagoo Town", "is not a time zone I know"),
        ("appointments", "Minutes", "3", "greater than or equal to 5"),
        ("appointments", "Repeats", "yearly", "'yearly' is not one of"),
        ("appointments", "First date", "soon", "'soon' is not a date I can read"),
        ("medications", "Refill every", "0", "greater than or equal to 1"),
        ("medications", "Refill every", "often", "'often' is not a whole number: a number of days"),
        ("resources", "Category", "shelter", "'shelter' is not one of"),
        ("resources", "Website", "example org", "is not a web link"),
        ("relapse_prevention", "Kind (people", "weather", "'weather' is not one of"),
        ("contacts", "Role", "boss", "'boss' is not one of"),
        ("goals", "Soon or longer", "forever", "'forever' is not one of"),
        ("goals", "By when", "2027-13-01", "is not a valid date: no such day"),
    ],
)
def test_a_bad_answer_is_asked_again_with_the_reason(
    key: str, prompt: str, bad: str, reason: str
) -> None:
    person = Auto(**{prompt: [bad]})
    base = {**BASE, "person": {**BASE["person"], "region": "CA"}}
    data = run(person, only=key, base=base)
    said = [
        line
        for line in person.said
        if line.startswith("  ") and not re.match(r"  (= |\d+\. )", line)
    ]
    assert len(said) == 1, said
    assert reason in said[0]
    asked = [(i, p) for i, p in enumerate(person.prompts()) if p.startswith(prompt)]
    assert asked[1][0] == asked[0][0] + 1  # asked again straight away
    assert asked[0][1] == asked[1][1]
    finish({**BASE, **data} if key in ("person", "program") else {**base, **data})


def test_yes_or_no_is_checked() -> None:
    person = Auto(Fill_this_in_now=["maybe", "n"], Add_a_meeting=["sure", "n"])
    run(person)
    assert person.said.count("  Please answer y or n.") == 2


@pytest.mark.parametrize(
    ("model", "field", "value", "region", "good"),
    [
        (Meeting, "start", "7pm", "US", True),
        (Meeting, "days", ["tue", "Thursday"], "US", True),
        (Meeting, "days", [], "US", False),
        (Program, "counselor.phone", "(312) 555-0142", "US", True),
        (Program, "counselor.phone", "312", "US", False),
        (Helper, "phone", "020 7946 0018", "GB", True),
        (Helper, "phone", "020 7946 0018", "US", False),
        (Helper, "phone", "988", "US", True),
    ],
)
def test_check_uses_the_fields_own_type(
    model: Any, field: str, value: Any, region: str, good: bool
) -> None:
    reason = check_answer(model, field, value, region)
    assert (reason is None) == good, reason


# --- editing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("only", [None, *SECTION_KEYS])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_enter_through_an_edit_changes_nothing(example: Path, only: str | None) -> None:
    base = stored_body(example)
    person = Enter()
    data = interview(person, base).run(only=only)
    assert canonical(finish(data)) == base
    assert person.asked  # the current values were offered, not skipped
    assert not any(p.startswith("Fill one in now?") for p in person.prompts())


def test_an_edit_shows_current_values_and_keeps_or_drops_list_entries() -> None:
    base = stored_body(EXAMPLES[0])
    signs = base["safety_plan"]["warning_signs"]
    person = Auto(Keep=["", "n"])
    data = interview(person, base).run(only="safety_plan")
    assert person.asked[0] == (f"Keep {signs[0]!r}? (Y/n, or type it anew)", "y")
    plan = finish(data)
    assert plan.safety_plan.warning_signs == [
        signs[0],
        *signs[2:],
        "About: Step 1. A warning sign that a crisis may be starting",
    ]
    assert plan.meetings == finish(base).meetings  # other sections untouched
    assert "Already there (distraction people):" in person.said
    for n, helper in enumerate(base["safety_plan"]["distraction_people"], 1):
        assert any(line.startswith(f"  {n}. {helper['name']}") for line in person.said)


def test_an_edit_of_the_program_offers_the_stored_values() -> None:
    base = stored_body(EXAMPLES[0])
    person = Enter()
    interview(person, base).run(only="program")
    assert dict(person.asked) == {
        "Program or clinic": base["program"]["name"],
        "Counselor's name": base["program"]["counselor"]["name"],
        "Counselor's phone": base["program"]["counselor"]["phone"],
        "Discharge date": base["program"]["discharge_date"],
        "Care after discharge (none, standard_outpatient, iop_step_down,"
        " partial_hospitalization, residential)": "standard_outpatient",
        "Next plan review": base["program"]["next_review"],
        # The next program it names: kept, with its intake and what to bring offered.
        "Next program: keep it, search the directory, type another, or none?": "keep",
        "Intake date (Enter if not booked yet: the handout says to call to book)": "2027-03-10",
        "Intake time, e.g. 10am": "10:00",
        "What to bring (separate with ;, Enter: the usual list)": "; ".join(
            base["next_program"]["what_to_bring"]
        ),
    }


# --- small pieces ---------------------------------------------------------------------------------


def test_prune_drops_what_was_left_empty() -> None:
    data = {
        "a": {"b": None, "c": ""},
        "d": [],
        "e": 0,
        "f": False,
        "g": [{"x": None, "y": 1}],
        "h": {"i": {"j": {}}},
    }
    assert prune(data) == {"e": 0, "f": False, "g": [{"y": 1}]}


def test_finish_has_the_last_word() -> None:
    with pytest.raises(ValidationError):
        finish({"id": "x", "person": {"name": "Lee"}, "program": {"name": "Hope IOP"}})


# --- bugs -----------------------------------------------------------------------------------------


def test_the_add_questions_read_correctly() -> None:
    person = Auto()
    run(person)
    wrong = [p for p in person.prompts() if re.match(r"Add a [aeiou]", p)]
    assert wrong == []


def test_a_counselor_phone_alone_does_not_break_the_plan() -> None:
    # With no counselor's name, the phone is not asked: a phone with no name is no contact.
    person = Auto(Counselor=[""])
    data = run(person, config={"counselor_phone": "312-555-0100"})
    assert not any(p.startswith("Counselor's phone") for p in person.prompts())
    assert finish(data).program.counselor is None


def test_an_edit_offers_the_plans_own_country() -> None:
    base = stored_body(EXAMPLES[0])
    person = Auto(More_details=["y"], **{"Name on": [""], "Time zone": [""], "Pronouns": [""]})
    person.overrides |= {"Country": [""], "Preferred language": [""]}
    data = interview(person, base, {"region": "GB"}).run(only="person")
    assert person.default_for("Country") == "US"
    assert finish(data).person.region == "US"
