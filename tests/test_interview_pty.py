"""The interview as a person meets it: the installed ``iopcli`` in a pseudo-terminal, driven
keystroke by keystroke with pexpect, and the plan it saves read back from the store.

Only what needs the terminal or the process is here (Ctrl-C, Ctrl-D, a killed process, the
narrow plain rendering, a whole plan, the issue-sized plan, an edit and its export); the
interview's other flows run in-process, with the same questions, in test_interview_flows.py."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import signal
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import icalendar
import pytest

from conftest import ROOT, Run
from iopcli.store import open_store

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

IOPCLI = str(Path(sys.executable).with_name("iopcli"))
DANA = ROOT / "examples" / "alcohol-depression.yaml"
DANA_ID = "3f6c2a9e-7b41-4d2a-9c55-1e8a0d4b7f21"
RESUME = re.compile(r"Continue with: iopcli new --resume (\S+)")
ANSI = re.compile(r"\x1b[\[\]()]")
TODAY = dt.date.today()

Pairs = Iterable[tuple[str, str]]


def environment(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOPCLI_")}
    env.update(IOPCLI_HOME=str(tmp_path / "home"), NO_COLOR="1", COLUMNS="80", TERM="xterm")
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


class Terminal:
    """``iopcli ARGS`` in a pseudo-terminal, and a person at the keyboard."""

    def __init__(
        self,
        tmp_path: Path,
        *args: str,
        dimensions: tuple[int, int] = (40, 80),
        **env: str | None,
    ) -> None:
        self.transcript = io.StringIO()
        self.child = pexpect.spawn(
            IOPCLI,
            list(args),
            env=environment(tmp_path, **env),
            cwd=str(tmp_path),
            encoding="utf-8",
            timeout=10,
            dimensions=dimensions,
            preexec_fn=_foreground,
        )
        self.child.logfile_read = self.transcript
        self.child.delaybeforesend = None  # every answer waits for its question anyway

    def answer(self, prompt: str, text: str = "") -> str:
        """Wait for a question, type the answer; returns what was shown up to the question."""
        self.child.expect_exact(prompt)
        shown = _lines(self.child.before + self.child.after)
        self.child.sendline(text)
        return shown

    def answers(self, pairs: Pairs) -> None:
        for prompt, text in pairs:
            self.answer(prompt, text)

    def sees(self, text: str) -> str:
        self.child.expect_exact(text)
        return _lines(self.child.before)

    def wait(self, prompt: str) -> bool:
        """True at ``prompt``; False if the program ended first (fails fast, no timeout)."""
        return self.child.expect_exact([prompt, pexpect.EOF]) == 0

    def end(self) -> int:
        """Wait for the program to finish; its exit status (or -signal)."""
        self.child.expect(pexpect.EOF)
        self.child.close()
        if self.child.signalstatus is not None:
            return -int(self.child.signalstatus)
        return int(self.child.exitstatus)

    @property
    def output(self) -> str:
        return _lines(self.transcript.getvalue())

    @property
    def said(self) -> str:
        """Everything shown, with the terminal's line wrapping undone."""
        return " ".join(self.transcript.getvalue().split())

    def draft_id(self) -> str:
        found = RESUME.search(self.said)
        assert found, self.output
        return found.group(1)


def _foreground() -> None:
    """Ctrl-C and Ctrl-\\ act as in a shell's foreground job, even when pytest itself was started
    with them ignored (a background job of a non-interactive shell): the child would inherit it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n")


def no_question_in(shown: str) -> None:
    """Nothing in ``shown`` is a question: only section titles and their descriptions."""
    for line in shown.splitlines():
        assert not line.endswith(": "), line
        assert "(y/n)" not in line, line
        assert "(Enter when done)" not in line, line


def stored(tmp_path: Path) -> Any:
    """The one plan in the store, as saved."""
    store = open_store(tmp_path / "home", create=False)
    try:
        plans = store.plans(include_archived=True)
        assert len(plans) == 1, plans
        return store.load(plans[0].id)
    finally:
        store.close()


def draft_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "home" / "drafts").glob("*.json"))


def draft_answers(tmp_path: Path) -> dict[str, str]:
    (path,) = draft_files(tmp_path)
    answers: dict[str, str] = json.loads(path.read_text("utf-8"))["answers"]
    return answers


PERSON = [
    ("Name on the plan", "Lee"),
    ("Time zone", "America/Chicago"),
    ("More details (pronouns", "y"),
    ("Pronouns (optional)", "they/them"),
    ("Country (two letters) [US]", ""),
    ("Preferred language [en]", ""),
]
PROGRAM = [
    ("Program or clinic", "Hope IOP"),
    ("Counselor's name", "Sam Rivera"),
    ("Counselor's phone", "(312) 555-0100"),
    ("Discharge date", "2027-03-01"),
    ("Care after discharge (none, standard_outpatient", "iop"),
    ("Next plan review [2027-03-31]", ""),
    ("or skip?", "skip"),  # the next program: skipped
]
SECTIONS_AFTER_PROGRAM = 11  # the skippable ones: clinician, people, safety plan .. notes
SAVE_NO_EXPORT = [("Save this plan?", ""), ("Write the handout and calendar now?", "n")]


def skip(count: int) -> list[tuple[str, str]]:
    return [("Fill this in now? (Y/n) [y]", "n")] * count


def finish_skipped() -> list[tuple[str, str]]:
    """After skipped sections: finish without returning, save, no export."""
    return [("Fill one in now?", ""), *SAVE_NO_EXPORT]


def meeting(
    name: str, fellowship: str, days: str, start: str, **more: str
) -> list[tuple[str, str]]:
    return [
        ("Meeting name", name),
        ("Fellowship (aa, na", fellowship),
        ("Day(s), e.g. tue, thu", days),
        ("Start time, e.g. 7pm", start),
        ("End time", more.get("end", "")),
        ("In person, online or both? [in person]", ""),
        ("Place name", more.get("location", "")),
        ("Address", more.get("address", "")),
        ("More details (time zone of the meeting, notes)? (y/N) [n]", ""),
    ]


# --- a whole plan, typed in -------------------------------------------------------------------


FULL_PLAN = [
    *PERSON,
    *PROGRAM,
    ("Fill this in now? (Y/n) [y]", "n"),  # clinician only
    ("Fill this in now? (Y/n) [y]", "n"),  # people entered once
    # safety plan
    ("Fill this in now? (Y/n) [y]", "y"),
    ("Step 1. A warning sign", "Not sleeping"),
    ("Step 1. A warning sign", "Skipping meals"),
    ("Step 1. A warning sign", ""),
    ("Step 2. Something you can do", "Walk the dog"),
    ("Step 2. Something you can do", ""),
    ("Add a person who helps take your mind off things (step 3)? (y/N) [n]", "y"),
    ("Name", "Kim"),
    ("Who they are to you", "sister"),
    ("Phone", "312-555-0167"),
    ("Add another person who helps", "n"),
    ("Step 3. A place or group that helps", "The library"),
    ("Step 3. A place or group that helps", ""),
    ("Add a person you can ask for help (step 4)?", "y"),
    ("Name", "Renee"),
    ("Who they are to you", "sponsor"),
    ("Phone", "312 555 0123"),
    ("Add another person you can ask", ""),
    ("Add a professional or agency (step 5)?", ""),
    ("Step 6. A way to make your surroundings safer", "No alcohol at home"),
    ("Step 6. A way to make your surroundings safer", ""),
    ("A reason for living", "My niece Maya"),
    ("A reason for living", ""),
    # meetings: "7pm" and "19:00", two days
    ("Fill this in now? (Y/n) [y]", ""),
    ("Add a meeting? (y/N) [n]", "y"),
    *meeting(
        "Tuesday Night Hope",
        "AA",
        "Tuesdays and Thursdays",
        "7pm",
        location="St. Mark's hall",
        address="12 Main St, Chicago",
    ),
    ("Add another meeting? (y/N) [n]", "y"),
    *meeting("Saturday Step Study", "na", "sat", "19:00", end="8:30pm"),
    ("Add another meeting? (y/N) [n]", ""),
    # appointments
    ("Fill this in now? (Y/n) [y]", ""),
    ("With whom (Enter when done)", "Jordan, therapist"),
    ("Kind (individual", ""),
    ("First date", "2027-03-09"),
    ("Time, e.g. 3pm", "5:30 pm"),
    ("Repeats (once", "weekly"),
    ("Where (an address, a video link", "video.example.org/jordan"),
    ("More details (minutes, phone, insurance or cost note, notes)? (y/N)", "y"),
    ("Minutes [60]", "50 min"),
    ("Phone", ""),
    ("Insurance or cost note", "$25 copay"),
    ("Notes", ""),
    ("With whom (Enter when done)", ""),
    # medications
    ("Fill this in now? (Y/n) [y]", ""),
    ("Medication (Enter when done)", "Naltrexone"),
    ("Dose", "50 mg"),
    ("When to take it", "Every morning"),
    ("Prescriber", "Dr. Amara"),
    ("More details (pharmacy", "y"),
    ("Pharmacy: ", "Corner Drug"),
    ("Pharmacy phone", "312-555-0181"),
    ("Next refill", "3/20/2027"),
    ("Refill every how many days", "30"),
    ("Medication (Enter when done)", ""),
    # resources
    ("Fill this in now? (Y/n) [y]", ""),
    ("Add a resource?", "y"),
    ("Name", "Northside Food Pantry"),
    ("Category (housing", "food"),
    ("Phone", ""),
    ("Website", "pantry.example.org"),
    ("Address", ""),
    ("More details (hours, notes, date checked)? (y/N)", "y"),
    ("Hours", "Mon-Fri 9-5"),
    ("Notes", ""),
    (f"Date checked [{TODAY.isoformat()}]", "Feb 20 2027"),
    ("Add another resource?", "n"),
    # staying on track
    ("Fill this in now? (Y/n) [y]", ""),
    ("Trigger (Enter when done)", "Payday"),
    ("What you will do about it", "Give the cash card to Kim"),
    ("More details (kind)? (y/N)", "y"),
    ("Kind (people, places", "situations"),
    ("Trigger (Enter when done)", ""),
    ("An early warning sign", ""),
    ("Skill (Enter when done)", ""),
    ("A high-risk situation", ""),
    ("A step to take after a slip", ""),
    ("A reason for your recovery", ""),
    # contacts
    ("Fill this in now? (Y/n) [y]", ""),
    ("Add a support contact?", "y"),
    ("Name", "Renee"),
    ("Role (sponsor, family", "sponsor"),
    ("Who they are to you", "AA sponsor"),
    ("Phone", "(312) 555-0123"),
    ("More details (when to call)? (y/N)", "y"),
    ("When to call", "Any time"),
    ("Add another support contact?", "n"),
    # goals
    ("Fill this in now? (Y/n) [y]", ""),
    ("Goal (Enter when done)", "Three meetings a week"),
    ("More details (soon or longer term, by when)? (y/N)", "y"),
    ("Soon or longer term (short, long) [short]", ""),
    ("By when", "2027-04-05"),
    ("Goal (Enter when done)", ""),
    # notes
    ("Fill this in now? (Y/n) [y]", ""),
    ("Notes", "Call Jordan if two warning signs show up in a week."),
    ("Fill one in now?", ""),  # the clinician's part and the people were skipped
]


def test_a_whole_plan_typed_in_is_saved_exactly_and_exported(tmp_path: Path) -> None:
    t = Terminal(tmp_path, "new")
    t.answers(FULL_PLAN)
    review = t.answer("Save this plan? (y/n, or a section to change", "y")
    assert "Please read the plan through:" in review
    assert "Tuesday Night Hope" in review
    t.sees("Saved Lee's plan (")
    t.answer("Write the handout and calendar now? (y/n) [y]", "")
    t.answer("Discreet calendar titles?", "n")
    t.answer("Put Lee's name in the file names?", "y")
    t.answer("Folder [out]", "")
    assert t.end() == 0

    plan = stored(tmp_path)
    assert plan.person.model_dump(exclude_none=True) == {
        "name": "Lee",
        "pronouns": "they/them",
        "language": "en",
        "timezone": "America/Chicago",
        "region": "US",
    }
    program = plan.program
    assert (program.name, program.counselor.name) == ("Hope IOP", "Sam Rivera")
    assert program.counselor.phone == "(312) 555-0100"  # as typed
    assert program.discharge_date == dt.date(2027, 3, 1)
    assert program.level_of_care.value == "iop_step_down"  # "iop" understood
    assert program.next_review == dt.date(2027, 3, 31)  # the offered default

    safety = plan.safety_plan
    assert safety.warning_signs == ["Not sleeping", "Skipping meals"]
    assert safety.coping_strategies == ["Walk the dog"]
    assert [(h.name, h.relationship, h.phone) for h in safety.distraction_people] == [
        ("Kim", "sister", "312-555-0167")
    ]
    assert safety.distraction_places == ["The library"]
    assert [(h.name, h.relationship, h.phone) for h in safety.people_to_ask] == [
        ("Renee", "sponsor", "312 555 0123")
    ]
    assert safety.professionals == []
    assert safety.safe_environment == ["No alcohol at home"]
    assert safety.reasons_for_living == ["My niece Maya"]

    first, second = plan.meetings
    assert first.id == "tuesday-night-hope"
    assert first.fellowship.value == "aa"
    assert [d.value for d in first.days] == ["tue", "thu"]
    assert (first.start, first.end) == (dt.time(19, 0), dt.time(20, 0))  # 7pm; end offered
    assert (first.location, first.address) == ("St. Mark's hall", "12 Main St, Chicago")
    assert (first.timezone, first.online_url, first.notes) == (None, None, None)
    assert second.fellowship.value == "na"
    assert [d.value for d in second.days] == ["sat"]
    assert (second.start, second.end) == (dt.time(19, 0), dt.time(20, 30))  # 19:00, 8:30pm

    (appointment,) = plan.appointments
    assert appointment.provider == "Jordan, therapist"
    assert appointment.kind.value == "individual"
    assert (appointment.date, appointment.time) == (dt.date(2027, 3, 9), dt.time(17, 30))
    assert (appointment.duration_minutes, appointment.repeat.value) == (50, "weekly")
    assert appointment.link == "https://video.example.org/jordan"
    assert appointment.cost_note == "$25 copay"
    assert (appointment.address, appointment.phone) == (None, None)

    (medication,) = plan.medications
    assert medication.model_dump(exclude_none=True) == {
        "id": "naltrexone",
        "name": "Naltrexone",
        "dose": "50 mg",
        "schedule": "Every morning",
        "prescriber": "Dr. Amara",
        "pharmacy": "Corner Drug",
        "pharmacy_phone": "312-555-0181",
        "next_refill": dt.date(2027, 3, 20),
        "refill_every_days": 30,
    }
    (resource,) = plan.resources
    assert (resource.name, resource.category.value) == ("Northside Food Pantry", "food")
    assert (resource.url, resource.hours) == ("https://pantry.example.org", "Mon-Fri 9-5")
    assert resource.verified == dt.date(2027, 2, 20)
    (trigger,) = plan.relapse_prevention.triggers
    assert (trigger.trigger, trigger.kind.value) == ("Payday", "situations")
    assert trigger.response == "Give the cash card to Kim"
    assert plan.relapse_prevention.warning_signs == []
    (contact,) = plan.contacts
    assert (contact.name, contact.role.value, contact.relationship) == (
        "Renee",
        "sponsor",
        "AA sponsor",
    )
    assert (contact.phone, contact.when_to_call) == ("(312) 555-0123", "Any time")
    (goal,) = plan.goals
    assert (goal.goal, goal.term.value, goal.target_date) == (
        "Three meetings a week",
        "short",
        dt.date(2027, 4, 5),
    )
    assert plan.notes == "Call Jordan if two warning signs show up in a week."

    # As stored: times in 24-hour form, the plan's one revision, no draft left behind.
    store = open_store(tmp_path / "home", create=False)
    try:
        body = store.body(plan.id)
        (revision,) = store.history(plan.id)
    finally:
        store.close()
    assert [m["start"] for m in body["meetings"]] == ["19:00", "19:00"]
    assert body["meetings"][0]["days"] == ["tue", "thu"]
    assert revision.source == "interview (new)"
    assert draft_files(tmp_path) == []

    # The export that was offered and accepted wrote the handout and the calendar.
    stem = f"lee-{plan.id[:8]}"
    for suffix in (".md", ".ics"):
        path = tmp_path / "out" / f"{stem}{suffix}"
        assert path.is_file()
        assert f"out/{stem}{suffix}" in t.output
    assert "Tuesday Night Hope" in (tmp_path / "out" / f"{stem}.md").read_text("utf-8")
    assert "RRULE:FREQ=WEEKLY" in (tmp_path / "out" / f"{stem}.ics").read_text("utf-8")


# --- stopping and going on --------------------------------------------------------------------


def test_ctrl_c_keeps_the_draft_and_resume_goes_on_at_the_same_question(
    tmp_path: Path, run: Run
) -> None:
    t = Terminal(tmp_path, "new")
    t.answers([*PERSON, *PROGRAM, *skip(2)])
    t.answers([("Fill this in now?", "y"), ("Step 1. A warning sign", "Not sleeping")])
    t.answers([("Step 1. A warning sign", ""), ("Step 2.", "")])
    t.answers([("Add a person who helps", "n"), ("Step 3. A place", ""), ("person you can", "n")])
    t.answers([("professional", "n"), ("Step 6.", ""), ("A reason for living", "")])
    t.answers([("Fill this in now?", "y"), ("Add a meeting?", "y")])
    t.answers([("Meeting name", "Tuesday Night Hope"), ("Fellowship", "aa")])
    t.answer("Day(s)", "tue, thu")
    t.sees("Start time, e.g. 7pm: ")
    t.child.sendintr()
    assert t.end() == 130
    draft_id = t.draft_id()
    assert "Your answers are kept." in t.output

    listed = run("drafts")
    assert listed.returncode == 0
    assert draft_id in listed.stdout
    assert "new plan for Lee" in listed.stdout
    answered = draft_answers(tmp_path)
    assert answered["meetings/meetings/0/days"] == "tue, thu"  # recorded as read
    assert "meetings/meetings/0/start" not in answered

    t = Terminal(tmp_path, "new", "--resume", draft_id)
    shown = t.answer("Start time, e.g. 7pm", "7pm")  # the question that was interrupted, first
    no_question_in(shown)
    assert "6/13 Support groups" in shown
    t.answers(meeting("", "", "", "")[4:])  # end time .. more details, all left empty
    t.answer("Add another meeting?", "n")
    t.answers([*skip(7), *finish_skipped()])
    assert t.end() == 0

    plan = stored(tmp_path)
    assert plan.person.name == "Lee"  # answered before the interruption
    assert plan.program.counselor.phone == "(312) 555-0100"
    assert plan.safety_plan.warning_signs == ["Not sleeping"]
    (tuesday,) = plan.meetings
    assert tuesday.name == "Tuesday Night Hope"
    assert [d.value for d in tuesday.days] == ["tue", "thu"]
    assert (tuesday.start, tuesday.end) == (dt.time(19, 0), dt.time(20, 0))  # answered after
    assert draft_files(tmp_path) == []
    assert run("drafts").stdout.strip() == "No drafts."


def test_ctrl_d_keeps_the_draft_too(tmp_path: Path, run: Run) -> None:
    t = Terminal(tmp_path, "new")
    t.answers([*PERSON, ("Program or clinic", "Hope IOP"), ("Counselor's name", "")])
    # No counselor's name: the phone is not asked.
    t.sees("Discharge date")
    t.child.sendeof()
    assert t.end() == 130
    assert t.draft_id()

    listed = run("drafts")
    assert "new plan for Lee" in listed.stdout
    assert "program/counselor.name" in draft_answers(tmp_path)

    t = Terminal(tmp_path, "new", "--resume")  # the latest draft
    shown = t.answer("Discharge date", "2027-05-01")
    no_question_in(shown)
    t.answers([("Care after discharge", ""), ("Next plan review [2027-05-31]", "")])
    t.answers([("or skip?", "skip")])  # the next program
    t.answers([*skip(SECTIONS_AFTER_PROGRAM), *finish_skipped()])
    assert t.end() == 0
    plan = stored(tmp_path)
    assert (plan.person.name, plan.program.name) == ("Lee", "Hope IOP")
    assert plan.program.counselor is None
    assert plan.program.discharge_date == dt.date(2027, 5, 1)
    assert draft_files(tmp_path) == []


def test_a_killed_interview_keeps_every_answer_given(tmp_path: Path, run: Run) -> None:
    t = Terminal(tmp_path, "new")
    t.answers([*PERSON, *PROGRAM, *skip(2), ("Fill this in now?", "y")])
    t.answer("Step 1. A warning sign", "Not sleeping")
    t.answer("Step 1. A warning sign", "Skipping meals")
    t.sees("Step 1. A warning sign")
    t.child.kill(signal.SIGKILL)
    assert t.end() == -signal.SIGKILL
    assert "Your answers are kept" not in t.output  # no chance to say goodbye

    answered = draft_answers(tmp_path)
    assert answered["person/name"] == "Lee"
    assert answered["program/discharge_date"] == "2027-03-01"
    assert answered["safety_plan/warning_signs/1"] == "Skipping meals"
    assert "safety_plan/warning_signs/2" not in answered
    assert f"{len(answered) - 1} answers" in run("drafts").stdout  # the plan's id is no answer

    t = Terminal(tmp_path, "new", "--resume")
    shown = t.answer("Step 1. A warning sign", "Racing thoughts")
    no_question_in(shown)
    t.answers([("Step 1. A warning sign", ""), ("Step 2.", ""), ("Add a person who", "")])
    t.answers([("Step 3. A place", ""), ("person you can", ""), ("professional", "")])
    t.answers([("Step 6.", ""), ("A reason for living", "")])
    t.answers([*skip(SECTIONS_AFTER_PROGRAM - 3), *finish_skipped()])
    assert t.end() == 0
    plan = stored(tmp_path)
    assert plan.safety_plan.warning_signs == ["Not sleeping", "Skipping meals", "Racing thoughts"]
    assert plan.program.counselor.name == "Sam Rivera"
    assert plan.program.level_of_care.value == "iop_step_down"


# --- stored plans, for the edits here and in test_interview_flows.py -------------------------


def imported(run: Run, path: Path = DANA) -> None:
    result = run("import", str(path))
    assert result.returncode == 0, result.stderr


def dana_body(tmp_path: Path, revision: int | None = None) -> dict[str, Any]:
    store = open_store(tmp_path / "home", create=False)
    try:
        return store.body(DANA_ID, revision)
    finally:
        store.close()


# --- narrow, plain terminals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "no_color"), [(("--plain",), None), ((), "1")], ids=["--plain", "NO_COLOR"]
)
def test_a_narrow_plain_terminal_reads_well(
    tmp_path: Path, flags: tuple[str, ...], no_color: str | None
) -> None:
    t = Terminal(
        tmp_path,
        "new",
        *flags,
        dimensions=(40, 40),
        NO_COLOR=no_color,
        COLUMNS=None,
        TERM="xterm-256color",
    )
    shown = t.answer("Name on the plan", "Lee")
    widths = [len(line.rstrip()) for line in shown.splitlines()]
    assert max(widths) <= 40, shown  # the description wraps to the terminal
    assert "so times and crisis lines are right." in " ".join(shown.split())
    t.answers(PERSON[1:])
    t.answers([("Program or clinic", "Hope IOP"), ("Counselor's name", "")])
    t.answers([("Discharge date", "2027-03-01"), ("Care after", ""), ("Next plan review", "")])
    t.answers([("or skip?", "skip")])  # the next program
    t.answers([*skip(2), ("Fill this in now?", "y"), ("Step 1.", "Not sleeping"), ("Step 1.", "")])
    t.answers([("Step 2.", ""), ("Add a person", ""), ("Step 3.", ""), ("Add a person", "")])
    t.answers([("Add a professional", ""), ("Step 6.", ""), ("A reason for living", "")])
    t.answers([*skip(SECTIONS_AFTER_PROGRAM - 3), *finish_skipped()])
    assert t.end() == 0
    assert not ANSI.search(t.transcript.getvalue()), repr(t.transcript.getvalue()[:400])
    assert "Please read the plan through:" in t.output
    assert "Saved Lee's plan" in t.output
    assert stored(tmp_path).safety_plan.warning_signs == ["Not sleeping"]


# --- issue 14: the discharge plan in 15 minutes -------------------------------------------------

CLINIC = """
program = "Hope IOP"
timezone = "America/Chicago"
discreet = true

[[counselors]]
name = "Sam Rivera"
phone = "312-555-0100"

[[professionals]]
name = "Dr. Amara Osei"
role = "psychiatrist"
phone = "312-555-0150"
address = "200 N Michigan Ave, Chicago"

[[professionals]]
name = "Jordan Lee"
role = "therapist"
phone = "312-555-0155"
address = "Hope IOP, 40 W Lake St, Chicago"

[[professionals]]
name = "Dr. Priya Shah"
role = "family therapist"
phone = "312-555-0166"

[after_hours]
name = "Hope IOP after-hours line"
phone = "312-555-0199"

[emergency_department]
name = "Northwestern Memorial ED"
phone = "312-555-0111"
address = "251 E Huron St, Chicago"

[[meetings]]
name = "Lincoln Square Big Book"
fellowship = "aa"
days = ["wed"]
start = "19:30"
location = "St. Mark's hall"
address = "12 Main St, Chicago"

[[meetings]]
name = "Saturday SMART"
fellowship = "smart_recovery"
days = ["sat"]
start = "10:00"
repeat = "every_2_weeks"
first_date = "2027-03-06"
online_url = "https://meet.example.org/smart"

[[meetings]]
name = "Women's Step Study"
fellowship = "na"
days = ["fri"]
weeks = ["1st", "3rd"]
start = "18:00"
location = "Hope IOP, room 2"

[[resources]]
name = "Northside Food Pantry"
category = "food"
phone = "312-555-0170"

[[resources]]
name = "Lakeview Housing Navigation"
category = "housing"
url = "https://housing.example.org"

[[resources]]
name = "Legal Aid Chicago"
category = "legal"
phone = "312-555-0177"
"""

# The plan of issue 14: three support groups, weekly therapy, family therapy every other week,
# monthly psychiatry, two medications, four triggers, five coping skills, the six safety-plan
# steps, three resources, two goals; people entered once; the clinic's lists do most of it.
FAST_PATH = [
    ("Name on the plan", "Teresa Okafor-Lind"),
    ("Time zone [America/Chicago]", ""),
    ("More details (pronouns", ""),
    ("Program or clinic [Hope IOP]", ""),
    ("Counselor's name", "1"),
    ("Discharge date", "3/1/2027"),
    ("Care after discharge", "iop"),
    ("Next plan review [2027-03-31]", ""),
    ("or skip?", "skip"),  # the next program
    ("Fill this in now?", "y"),  # clinician only
    ("Diagnoses", "F10.20 Alcohol use disorder, moderate; F33.1 Major depressive disorder"),
    ("Insurance plan", "Blue Cross PPO XQZ123456789"),
    ("Payer", "Blue Cross Blue Shield of Illinois"),
    ("Level-of-care notes", "Step-down after six weeks of IOP"),
    ("Referred by", "Northwestern Memorial ED"),
    ("Fill this in now?", ""),  # people, once
    ("Name (Enter when done)", "Renee"),
    ("Who they are to you", "sponsor"),
    ("Phone", "312-555-0123"),
    ("Name (Enter when done)", "Ada"),
    ("Who they are to you", "sister"),
    ("Phone", "720-555-0188"),
    ("Name (Enter when done)", ""),
    ("Fill this in now?", ""),  # safety plan
    ("Step 1.", "Not sleeping; Skipping meals; Pulling away from friends"),
    ("Step 1.", ""),
    ("Step 2.", "Walk the dog; Box breathing; A shower and loud music"),
    ("Step 2.", ""),
    ("Add a person who helps", "2"),
    ("Add another person who helps", ""),
    ("Step 3. A place", "The library; Sunday dinner at my aunt's"),
    ("Step 3. A place", ""),
    ("Add a person you can ask", "1,2"),
    ("Add another person you can ask", ""),
    ("Add a professional", "1,2,3"),
    ("Add another professional", ""),
    ("Step 6.", "No alcohol at home; Ada keeps the car keys on weekends"),
    ("Step 6.", ""),
    ("A reason for living", "My niece Maya"),
    ("A reason for living", ""),
    ("Fill this in now?", ""),  # meetings
    ("Add a meeting?", "1,2,3"),
    ("Add another meeting?", ""),
    ("Fill this in now?", ""),  # appointments
    ("With whom (Enter when done)", "4"),
    ("Kind (individual", ""),
    ("First date", "Mar 2 2027"),
    ("Time, e.g. 3pm", "5:30pm"),
    ("Repeats (once", "weekly"),
    ("Where (an address", ""),
    ("More details", ""),
    ("With whom (Enter when done)", "5"),
    ("Kind (individual", ""),
    ("First date", "3/11/2027"),
    ("Time, e.g. 3pm", "6pm"),
    ("Repeats (once", "every 2 weeks"),
    ("Where (an address", "zoom.us/j/5550199"),
    ("More details", ""),
    ("With whom (Enter when done)", "3"),
    ("Kind (individual", ""),
    ("First date", "3/4/2027"),
    ("Time, e.g. 3pm", "10am"),
    ("Repeats (once", "monthly"),
    ("Where (an address", ""),
    ("More details", ""),
    ("With whom (Enter when done)", ""),
    ("Fill this in now?", ""),  # medications
    ("Medication (Enter when done)", "Naltrexone"),
    ("Dose", "50 mg"),
    ("When to take it", "Every morning"),
    ("Prescriber", "3"),
    ("More details", "y"),
    ("Pharmacy: ", "Corner Drug"),
    ("Pharmacy phone", "312-555-0181"),
    ("Next refill", "3/28/2027"),
    ("Refill every how many days", "30"),
    ("Medication (Enter when done)", "Sertraline"),
    ("Dose", "100 mg"),
    ("When to take it", "Every morning"),
    ("Prescriber", "3"),
    ("More details", ""),
    ("Medication (Enter when done)", ""),
    ("Fill this in now?", ""),  # resources
    ("Add a resource?", "1,2,3"),
    ("Add another resource?", ""),
    ("Fill this in now?", ""),  # staying on track
    ("Trigger (Enter when done)", "Payday"),
    ("What you will do about it", "Give the cash card to Ada"),
    ("More details", ""),
    ("Trigger (Enter when done)", "Old drinking friends; The bar on Clark St; Friday nights alone"),
    ("Trigger (Enter when done)", ""),
    ("An early warning sign", ""),
    ("Skill (Enter when done)", "Urge surfing; Call Renee; HALT check; Play the tape forward;"
     " Box breathing"),
    ("Skill (Enter when done)", ""),
    ("A high-risk situation", ""),
    ("A step to take after a slip", ""),
    ("A reason for your recovery", ""),
    ("Fill this in now?", ""),  # contacts
    ("Add a support contact?", "1,2"),
    ("Add another support contact?", ""),
    ("Fill this in now?", ""),  # goals
    ("Goal (Enter when done)", "Three meetings a week; Back at work by June"),
    ("Goal (Enter when done)", ""),
    ("Fill this in now?", "n"),  # notes
    ("Fill one in now?", ""),
    ("Save this plan?", "y"),
    ("Write the handout and calendar now?", ""),
    ("Discreet calendar titles?", ""),
    ("name in the file names?", ""),
    ("Folder [out]", ""),
]  # fmt: skip


def test_the_issue_sized_plan_takes_at_most_110_answers(tmp_path: Path, run: Run) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "config.toml").write_text(CLINIC, "utf-8")
    t = Terminal(tmp_path, "new")
    t.answers(FAST_PATH)
    assert t.end() == 0, t.output[-600:]
    assert len(FAST_PATH) <= 110  # every answer typed, Enter included
    said = t.said
    assert "= Monday, March 1, 2027" in said  # dates echoed with their weekday
    assert "= every other Saturday" not in said  # picked from the list: nothing to read

    plan = stored(tmp_path)
    assert plan.person.model_dump(exclude_none=True) == {
        "name": "Teresa Okafor-Lind",
        "language": "en",
        "timezone": "America/Chicago",
        "region": "US",
    }
    program = plan.program
    assert (program.name, program.discharge_date) == ("Hope IOP", dt.date(2027, 3, 1))
    assert (program.counselor.name, program.counselor.phone) == ("Sam Rivera", "312-555-0100")
    assert (program.level_of_care.value, program.next_review) == (
        "iop_step_down",
        dt.date(2027, 3, 31),
    )
    clinician = plan.clinician
    assert clinician.diagnoses == [
        "F10.20 Alcohol use disorder, moderate",
        "F33.1 Major depressive disorder",
    ]
    assert (clinician.insurance, clinician.payer) == (
        "Blue Cross PPO XQZ123456789",
        "Blue Cross Blue Shield of Illinois",
    )
    assert clinician.level_of_care_notes == "Step-down after six weeks of IOP"
    assert clinician.referral_source == "Northwestern Memorial ED"

    safety = plan.safety_plan
    assert safety.warning_signs == ["Not sleeping", "Skipping meals", "Pulling away from friends"]
    assert safety.coping_strategies == ["Walk the dog", "Box breathing", "A shower and loud music"]
    assert [(h.name, h.relationship, h.phone) for h in safety.distraction_people] == [
        ("Ada", "sister", "720-555-0188")
    ]
    assert safety.distraction_places == ["The library", "Sunday dinner at my aunt's"]
    assert [(h.name, h.relationship, h.phone) for h in safety.people_to_ask] == [
        ("Renee", "sponsor", "312-555-0123"),
        ("Ada", "sister", "720-555-0188"),
    ]
    assert [(p.name, p.role, p.phone, p.address) for p in safety.professionals] == [
        ("Northwestern Memorial ED", "emergency department", "312-555-0111",
         "251 E Huron St, Chicago"),
        ("Hope IOP after-hours line", "after-hours line", "312-555-0199", None),
        ("Dr. Amara Osei", "psychiatrist", "312-555-0150", "200 N Michigan Ave, Chicago"),
    ]  # fmt: skip
    assert safety.safe_environment == ["No alcohol at home", "Ada keeps the car keys on weekends"]
    assert safety.reasons_for_living == ["My niece Maya"]

    big_book, smart, women = plan.meetings
    assert (big_book.id, big_book.name, big_book.fellowship.value) == (
        "lincoln-square-big-book", "Lincoln Square Big Book", "aa"
    )  # fmt: skip
    assert ([d.value for d in big_book.days], big_book.start) == (["wed"], dt.time(19, 30))
    assert (big_book.location, big_book.address) == ("St. Mark's hall", "12 Main St, Chicago")
    assert (smart.repeat.value, smart.first_date) == ("every_2_weeks", dt.date(2027, 3, 6))
    assert smart.online_url == "https://meet.example.org/smart"
    assert (women.repeat.value, [w.value for w in women.weeks]) == ("monthly", ["1st", "3rd"])

    therapy, family, psychiatry = plan.appointments
    assert (therapy.provider, therapy.kind.value, therapy.repeat.value) == (
        "Jordan Lee", "individual", "weekly"
    )  # fmt: skip
    assert (therapy.date, therapy.time) == (dt.date(2027, 3, 2), dt.time(17, 30))
    assert (therapy.address, therapy.phone) == ("Hope IOP, 40 W Lake St, Chicago", "312-555-0155")
    assert (family.provider, family.kind.value, family.repeat.value) == (
        "Dr. Priya Shah", "family", "every_2_weeks"
    )  # fmt: skip
    assert (family.date, family.time) == (dt.date(2027, 3, 11), dt.time(18, 0))
    assert (family.link, family.address) == ("https://zoom.us/j/5550199", None)
    assert (psychiatry.provider, psychiatry.kind.value, psychiatry.repeat.value) == (
        "Dr. Amara Osei", "psychiatry", "monthly"
    )  # fmt: skip
    assert (psychiatry.date, psychiatry.time) == (dt.date(2027, 3, 4), dt.time(10, 0))
    assert psychiatry.duration_minutes == 60

    naltrexone, sertraline = plan.medications
    assert naltrexone.model_dump(exclude_none=True) == {
        "id": "naltrexone",
        "name": "Naltrexone",
        "dose": "50 mg",
        "schedule": "Every morning",
        "prescriber": "Dr. Amara Osei",
        "pharmacy": "Corner Drug",
        "pharmacy_phone": "312-555-0181",
        "next_refill": dt.date(2027, 3, 28),
        "refill_every_days": 30,
    }
    assert (sertraline.name, sertraline.dose, sertraline.prescriber) == (
        "Sertraline", "100 mg", "Dr. Amara Osei"
    )  # fmt: skip
    assert [(r.name, r.category.value) for r in plan.resources] == [
        ("Northside Food Pantry", "food"),
        ("Lakeview Housing Navigation", "housing"),
        ("Legal Aid Chicago", "legal"),
    ]
    relapse = plan.relapse_prevention
    assert [(t.trigger, t.response) for t in relapse.triggers] == [
        ("Payday", "Give the cash card to Ada"),
        ("Old drinking friends", None),
        ("The bar on Clark St", None),
        ("Friday nights alone", None),
    ]
    assert [c.strategy for c in relapse.coping_strategies] == [
        "Urge surfing", "Call Renee", "HALT check", "Play the tape forward", "Box breathing"
    ]  # fmt: skip
    assert [(c.name, c.role.value, c.relationship, c.phone) for c in plan.contacts] == [
        ("Renee", "sponsor", "sponsor", "312-555-0123"),
        ("Ada", "family", "sister", "720-555-0188"),
    ]
    assert [(g.goal, g.term.value) for g in plan.goals] == [
        ("Three meetings a week", "short"),
        ("Back at work by June", "short"),
    ]
    assert plan.notes is None

    # The export: a neutral file name, discreet titles (the clinic's default), nothing of the
    # clinician's part in the handout.
    stem = f"plan-{plan.id[:8]}"
    handout = (tmp_path / "out" / f"{stem}.md").read_text("utf-8")
    assert "F10.20" not in handout
    assert "Blue Cross" not in handout
    calendar = icalendar.Calendar.from_ical((tmp_path / "out" / f"{stem}.ics").read_bytes())
    titles = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert titles <= {"Meeting", "Appointment", "Pick up prescription", "Plan review"}
    assert "Lincoln Square" not in " ".join(titles)


def _events(path: Path) -> dict[str, Any]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["UID"]): e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" not in e}


def test_edit_changes_one_field_of_one_meeting_and_the_calendar_event_moves(
    tmp_path: Path, run: Run
) -> None:
    imported(run)
    before = run("export", "dana", "--out", str(tmp_path / "before"), "--format", "ics")
    assert before.returncode == 0, before.stderr
    t = Terminal(tmp_path, "edit", "dana", "meetings")
    listed = t.answer("Change one?", "1")
    assert "1. Lincoln Square Big Book Study (tue, thu, 19:00, St. Brendan's" in " ".join(
        listed.split()
    )
    t.answers([("Meeting name [Lincoln Square Big Book Study]", ""), ("Fellowship", "")])
    t.answers([("Day(s), e.g. tue, thu or every other Saturday [tue, thu]", "")])
    t.answers([("Start time, e.g. 7pm [19:00]", "6:30pm"), ("End time [20:15]", "")])
    t.answers([("In person, online or both? [in person]", ""), ("Place name", "")])
    t.answers([("Address", ""), ("More details", ""), ("Change one?", "")])
    t.answer("Add another meeting?", "")
    review = t.answer("Save this plan?", "y")
    assert "Please check (meetings):" in review
    assert "Please read the plan through" not in review  # the section, not the whole plan
    assert "- Lincoln Square Big Book Study (tue, thu, 18:30" in review
    t.sees("Saved Dana's plan (3f6c2a9e): revision 2.")
    t.answers([("Write the handout", ""), ("Discreet", "n"), ("name in the file names", "y")])
    t.answer("Folder [out]", "after")
    assert t.end() == 0

    after = dana_body(tmp_path)
    was = dana_body(tmp_path, 1)
    assert after["meetings"][0] == {**was["meetings"][0], "start": "18:30"}  # that one field
    assert after["meetings"][1:] == was["meetings"][1:]

    (old_ics,) = (tmp_path / "before").glob("*.ics")
    old, new = _events(old_ics), _events(tmp_path / "after" / old_ics.name)
    uid = next(u for u, e in old.items() if "Lincoln Square" in str(e["SUMMARY"]))
    assert uid in new  # the same event, moved: its identity stays with the item
    assert old[uid]["DTSTART"].dt.time() == dt.time(19, 0)
    assert new[uid]["DTSTART"].dt.time() == dt.time(18, 30)
    assert new[uid]["DURATION"].dt == old[uid]["DURATION"].dt + dt.timedelta(minutes=30)
    assert int(new[uid]["SEQUENCE"]) > int(old[uid].get("SEQUENCE", 0))
    assert set(new) == set(old)  # every other event is still there, none added
