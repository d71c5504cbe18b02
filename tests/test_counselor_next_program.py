"""The next program on the counselor's path: the mistakes a hurried counselor makes at the
search (a mistyped ZIP, nothing nearby, a program listed without coordinates, a directory that
changed before a draft was resumed), the intake date checked as it is typed, the payer typed
once, and switching programs with ``edit PLAN program --next ID``.

In-process, with a scripted person at the keyboard (test_interview_flows), over a real programs
directory imported from a locator export; the saved plan is read back from the store."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import test_interview_flows
from conftest import ROOT, Run
from iopcli.continuing_care import _intake_note, program_finder, searched_payer
from iopcli.store import open_store
from test_continuing_care import PLAN_ID, locator_row, plan_data, write
from test_interview_flows import INTERRUPT, SEE, Keyboard, Shown
from test_interview_pty import draft_answers, draft_files, finish_skipped, skip

keyboard = test_interview_flows.keyboard  # the fixture: a scripted person at the terminal

# Around Albany Park, Chicago (ZIP 60625). The collective is listed without coordinates, as
# some locator rows are: placed at its ZIP's centre, it comes first for a person in 60625.
ROWS = [
    locator_row("CHI101", "Lakeview Counseling Center", "60657", "41.9398", "-87.6690",
                street="3150 N Lincoln Ave"),
    locator_row("CHI102", "Northside Recovery Services", "60640", "41.9683", "-87.6547",
                street="4750 N Sheridan Rd", intake="(773) 555-0121", phone="(773) 555-0120"),
    locator_row("CHI110", "Albany Park Recovery Collective", "60625", "", "",
                street="3400 W Lawrence Ave"),
    locator_row("JOL115", "Joliet Area Treatment Center", "60432", "41.5270", "-88.0810",
                street="58 N Chicago St"),
]  # fmt: skip
NEAR = (
    "(program/next/near, level, pays: Enter, op, medicaid)",
    [("Level of care", ""), ("Payment it must take", "medicaid")],
)


def import_rows(run: Run, tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    path = tmp_path / "locator.json"
    body = {"page": 1, "totalPages": 1, "recordCount": len(rows), "rows": rows}
    path.write_text(json.dumps(body), "utf-8")
    result = run("programs", "import", str(path), "--source", "chi")
    assert result.returncode == 0, result.stderr


@pytest.fixture
def directory(run: Run, tmp_path: Path) -> None:
    import_rows(run, tmp_path, ROWS)


@pytest.fixture
def lee(run: Run, tmp_path: Path, directory: None) -> None:
    """Lee's stored plan: discharged 2027-03-05 to standard outpatient, Medicaid, no ZIP yet."""
    path = write(tmp_path, plan_data())
    assert run("import", str(path)).returncode == 0


PROGRAM_SECTION = [
    ("Program or clinic [Hope IOP]", ""),
    ("Counselor's name", ""),
    ("Discharge date [2027-03-05]", ""),
    ("Care after discharge", ""),
    ("Next plan review", ""),
    ("Next program: search the directory", ""),
]


def saved(tmp_path: Path) -> Any:
    with open_store(tmp_path / "home", create=False) as store:
        return store.load(PLAN_ID)


def test_a_mistyped_zip_finds_nothing_near_and_the_right_one_searches_again(
    run: Run, tmp_path: Path, lee: None, keyboard: Keyboard
) -> None:
    t = keyboard(
        Shown(
            [
                *PROGRAM_SECTION,
                ("ZIP code to search near", "06062"),  # 60625 with its digits swapped
                ("Level of care", ""),
                ("Payment it must take", ""),  # the payer's Medicaid, offered
                (SEE, "No program in the directory within 50 miles of ZIP 06062 matches: the"
                      " nearest is 760.9 mi away, in Chicago, IL. A mistyped ZIP?"),
                ("Another ZIP to search near, farther, type (one in), or skip? [type]", "6062"),
                (SEE, "'6062'"),
                ("Another ZIP", "60625"),
                (SEE, "1. Albany Park Recovery Collective: 3400 W Lawrence Ave, Chicago, IL 60625"
                      " (about 0.0 mi, from its ZIP) [CHI110]"),
                (SEE, "2. Northside Recovery Services: 4750 N Sheridan Rd, Chicago, IL 60640"
                      " (2.5 mi)"),
                ("Which one? (a number; type, to type one in; another ZIP", "12"),
                (SEE, "Type type, or a number from 1 to 4."),
                ("Which one?", "1"),
                (SEE, "= Albany Park Recovery Collective, intake 312-555-0161"),  # to call now
                ("Intake date", ""),
                ("What to bring", ""),
                ("Save this plan?", ""),
                ("Write the handout and calendar now?", "n"),
            ]
        )
    )  # fmt: skip
    assert run("edit", PLAN_ID, "program").returncode == 0, t.output[-800:]
    assert t.steps == []
    assert "4. Joliet Area Treatment Center" in t.output  # 36 miles: within the 50
    plan = saved(tmp_path)
    assert plan.person.postal_code == "60625"  # the ZIP that found it, not the typo
    assert plan.next_program is not None
    assert (plan.next_program.directory_id, plan.next_program.intake) == ("CHI110", None)


def test_farther_lists_the_nearest_whatever_the_distance(
    run: Run, tmp_path: Path, lee: None, keyboard: Keyboard
) -> None:
    t = keyboard(
        Shown(
            [
                *PROGRAM_SECTION,
                ("ZIP code to search near", "99501"),  # Anchorage
                ("Level of care", ""),
                ("Payment it must take", ""),
                (SEE, "within 50 miles of ZIP 99501"),
                ("Another ZIP to search near, farther", "farther"),
                (SEE, "1. Northside Recovery Services: 4750 N Sheridan Rd, Chicago, IL 60640"
                      " (2,843.2 mi) [CHI102]"),
                (SEE, "4. Albany Park Recovery Collective: 3400 W Lawrence Ave, Chicago, IL 60625"
                      " (distance unknown) [CHI110]"),
                ("Which one?", ""),  # Enter: skipped, nothing chosen
                ("Save this plan?", ""),
                ("Write the handout and calendar now?", "n"),
            ]
        )
    )  # fmt: skip
    assert run("edit", PLAN_ID, "program").returncode == 0, t.output[-800:]
    assert t.steps == []
    assert saved(tmp_path).next_program is None


def test_the_pick_is_kept_by_id_so_a_resume_after_a_new_import_keeps_the_program(
    run: Run, tmp_path: Path, lee: None, keyboard: Keyboard
) -> None:
    keyboard(
        Shown(
            [
                *PROGRAM_SECTION,
                ("ZIP code to search near", "60640"),
                ("Level of care", ""),
                ("Payment it must take", ""),
                (SEE, "1. Northside Recovery Services"),
                ("Which one?", "1"),
                ("Intake date", INTERRUPT),  # Ctrl-C while the intake line is on the phone
            ]
        )
    )
    assert run("edit", PLAN_ID, "program").returncode == 130
    assert draft_answers(tmp_path)["program/next/pick"] == "id:CHI102"
    # Meanwhile a nearer program is imported: number 1 is now another program.
    nearer = locator_row("CHI120", "Uptown Outpatient", "60640", "41.9690", "-87.6550")
    import_rows(run, tmp_path, [*ROWS, nearer])
    (draft,) = draft_files(tmp_path)
    t = keyboard(
        Shown(
            [
                (SEE, "1. Uptown Outpatient"),  # the search, replayed with today's directory
                ("Intake date", "2027-03-08"),
                ("Intake time", "9am"),
                ("What to bring", ""),
                (SEE, "Next program: Northside Recovery Services, intake 2027-03-08 at 09:00"),
                ("Save this plan?", ""),
                ("Write the handout and calendar now?", "n"),
            ]
        )
    )
    assert run("new", "--resume", draft.stem).returncode == 0, t.output[-800:]
    assert t.steps == []
    nxt = saved(tmp_path).next_program
    assert (nxt.directory_id, nxt.intake_phone) == ("CHI102", "(773) 555-0121")


def test_the_intake_date_is_checked_as_it_is_typed(
    run: Run, tmp_path: Path, lee: None, keyboard: Keyboard
) -> None:
    t = keyboard(
        Shown(
            [
                *PROGRAM_SECTION,
                ("ZIP code to search near", "60657"),
                ("Level of care", ""),
                ("Payment it must take", ""),
                ("Which one?", "1"),
                ("Intake date", "3/30/2027"),
                (SEE, "= Tuesday, March 30, 2027"),
                (SEE, "! That is 25 days after discharge, past the 7-day mark: ask for an earlier"
                      " intake, or book an appointment in between."),
                ("Intake time", "back"),
                ("Intake date", "3/4/2027"),
                (SEE, "! That is before discharge (Friday, March 5): is the date right?"),
                ("Intake time", "back"),
                ("Intake date", "3/9/2027"),
                ("Intake time", "10am"),
                ("What to bring", ""),
                ("Save this plan?", ""),
                ("Write the handout and calendar now?", "n"),
            ]
        )
    )  # fmt: skip
    assert run("edit", PLAN_ID, "program").returncode == 0, t.output[-800:]
    assert t.steps == []
    assert "! That is" not in t.output.split("3/9/2027", 1)[1]  # within 7 days: nothing said
    intake = saved(tmp_path).next_program.intake
    assert (intake.date, intake.time) == (dt.date(2027, 3, 9), dt.time(10, 0))
    assert _intake_note({"program": {"discharge_date": "2027-03-05"}}, "2027-03-12") is None
    assert _intake_note({"program": {}}, "2027-03-12") is None  # no discharge date yet


def test_the_payment_asked_at_the_search_is_the_payer_offered_later(
    run: Run, tmp_path: Path, directory: None, keyboard: Keyboard
) -> None:
    """In a new plan the search comes before the clinician's part: the payment typed there is
    offered as the payer, not typed twice."""
    t = keyboard(
        Shown(
            [
                ("Name on the plan", "Lee"),
                ("Time zone", "America/Chicago"),
                ("More details (pronouns", ""),
                ("Program or clinic", "Hope IOP"),
                ("Counselor's name", "Sam Rivera"),
                ("Counselor's phone", ""),
                ("Discharge date", "2027-03-05"),
                ("Care after discharge", "outpatient"),
                ("Next plan review", ""),
                ("Next program: search the directory", ""),
                ("ZIP code to search near (Enter for anywhere):", "60657"),
                ("Level of care", ""),
                ("Payment it must take (medicaid, medicare, private, self-pay, military, state;"
                 " Enter for any):", "medicaid"),
                ("Which one?", "1"),
                ("Intake date", ""),
                ("What to bring", ""),
                ("Fill this in now? (Y/n) [y]", "y"),  # for the clinician only
                ("Diagnoses", ""),
                ("Insurance plan", ""),
                ("Payer [Medicaid]", ""),
                ("Level-of-care notes", ""),
                ("Referred by", ""),
                *skip(10),
                *finish_skipped(),
            ]
        )
    )  # fmt: skip
    assert run("new").returncode == 0, t.output[-800:]
    assert t.steps == []
    with open_store(tmp_path / "home", create=False) as store:
        (row,) = store.plans()
        plan = store.load(row.id)
    assert plan.clinician is not None
    assert plan.clinician.payer == "Medicaid"
    assert plan.person.postal_code == "60657"
    assert [searched_payer(x) for x in ("private", "medicaid, self-pay", "", None)] == [
        "Private insurance",
        None,
        None,
        None,
    ]


def test_another_program_by_id_says_the_booked_intake_is_gone(
    run: Run, tmp_path: Path, directory: None
) -> None:
    booked = {"name": "Lakeview Counseling Center", "directory_id": "CHI101"}
    path = write(tmp_path, plan_data(**booked, intake={"date": "2027-03-08", "time": "10am"}))
    assert run("import", str(path)).returncode == 0
    same = run("edit", PLAN_ID, "program", "--next", " chi101 ")  # pasted with spaces
    assert same.returncode == 0, same.stderr
    assert same.stdout == "cc-lee: next program Lakeview Counseling Center; saved as revision 2\n"
    other = run("edit", PLAN_ID, "program", "--next", "CHI102")
    assert other.returncode == 0, other.stderr
    assert other.stdout.splitlines() == [
        "cc-lee: next program Northside Recovery Services; saved as revision 3",
        "note: the intake booked at Lakeview Counseling Center (2027-03-08 at 10:00) is no longer"
        " in the plan: cancel it with them, and book one with Northside Recovery Services"
        " (iopcli edit cc-lee next)",
    ]
    assert saved(tmp_path).next_program.intake is None
    again = run("edit", PLAN_ID, "program", "--next", "CHI101")
    assert "note:" not in again.stdout  # nothing was booked with Northside


def test_the_finder_places_a_program_without_coordinates_by_its_zip(
    tmp_path: Path, directory: None
) -> None:
    find = program_finder(tmp_path / "home")
    assert find is not None
    near = [(p.id, m) for p, m in find("60625", ["op"], [], 50.0)]
    assert near[0] == ("CHI110", 0.0)
    assert [i for i, _ in near] == ["CHI110", "CHI102", "CHI101", "JOL115"]
    assert [m for _, m in near] == sorted(m for _, m in near if m is not None)
    assert [p.id for p, _ in find("60625", ["op"], [], 5.0)] == ["CHI110", "CHI102", "CHI101"]
    # Away from its ZIP area it has no distance: listed last, and only when any distance goes.
    assert [p.id for p, _ in find("60432", ["op"], [], 10.0)] == ["JOL115"]
    assert find("60432", ["op"], [], None)[-1] == (find.program("CHI110"), None)
    assert find("", ["op"], [], None)[0][0].id == "CHI110"  # anywhere: by name, Albany first


def test_the_export_after_the_interview_can_write_the_printable_handout(
    run: Run, tmp_path: Path, lee: None, keyboard: Keyboard
) -> None:
    """A counselor prints the plan at discharge: the formats typed at the export question."""
    pypdf = pytest.importorskip("pypdf")
    t = keyboard(
        Shown(
            [
                *PROGRAM_SECTION[:-1],
                ("Next program: search the directory", "skip"),
                ("Save this plan?", ""),
                (SEE, "To print the handout too, answer with the formats: md,ics,pdf (or html)."),
                ("Write the handout and calendar now? (y/n) [y]", "?"),
                (SEE, "give the formats: md,ics,pdf"),
                ("Write the handout and calendar now?", "md, docx"),
                (SEE, "docx is not one of md, ics, json, yaml, fhir, html, pdf; or y, or n"),
                ("Write the handout and calendar now?", "md,pdf"),
                ("Discreet calendar titles?", ""),
                ("in the file names?", ""),
                ("Folder", str(tmp_path / "out")),
            ]
        )
    )
    assert run("edit", PLAN_ID, "program").returncode == 0, t.output[-800:]
    assert t.steps == []
    written = sorted((tmp_path / "out").iterdir())
    assert [p.suffix for p in written] == [".md", ".pdf"]
    text = pypdf.PdfReader(written[1]).pages[0].extract_text()
    assert "My aftercare plan: Lee" in text


def test_discreet_titles_chosen_at_the_export_are_kept_for_later_exports(
    run: Run, tmp_path: Path, directory: None, keyboard: Keyboard
) -> None:
    """The person asked for discreet titles: a later export (by the counselor, or after the
    next edit) must not put the program's name back on their lock screen."""
    booked = {"name": "Lakeview Counseling Center", "intake_phone": "(312) 555-0161"}
    path = write(tmp_path, plan_data(**booked, intake={"date": "2027-03-08", "time": "10am"}))
    assert run("import", str(path)).returncode == 0
    unchanged = [
        *PROGRAM_SECTION[:-1],
        ("Next program: keep it", ""),
        ("Intake date", ""),
        ("Intake time", ""),
        ("What to bring", ""),
        ("Save this plan?", ""),
        ("Write the handout and calendar now?", "ics"),
    ]
    t = keyboard(
        Shown(
            [
                *unchanged,
                ("Discreet calendar titles?", "y"),
                (SEE, "Discreet titles kept in the plan (revision "),
                ("in the file names?", ""),
                ("Folder", str(tmp_path / "first")),
            ]
        )
    )
    assert run("edit", PLAN_ID, "program").returncode == 0, t.output[-800:]
    assert t.steps == []
    assert saved(tmp_path).discreet is True
    later = run("export", PLAN_ID, "--format", "ics", "--out", str(tmp_path / "later"))
    assert later.returncode == 0, later.stderr
    (ics,) = (tmp_path / "later").glob("*.ics")
    text = ics.read_text("utf-8")
    assert "SUMMARY:Appointment" in text
    assert "Lakeview" not in text
    t = keyboard(
        Shown(
            [
                *unchanged,
                ("Discreet calendar titles?", ""),  # now the plan's own: y
                ("in the file names?", ""),
                ("Folder", str(tmp_path / "again")),
            ]
        )
    )
    assert run("edit", PLAN_ID, "program").returncode == 0, t.output[-800:]
    assert t.lines[-3].endswith("(y/n) [y]: ")
    assert "kept in the plan" not in t.output.split("Discreet calendar titles?")[-1]
    assert "Lakeview" not in next((tmp_path / "again").glob("*.ics")).read_text("utf-8")


def test_the_search_reads_levels_and_payments_as_counselors_say_them(
    run: Run, tmp_path: Path, lee: None, keyboard: Keyboard
) -> None:
    t = keyboard(
        Shown(
            [
                *PROGRAM_SECTION,
                ("ZIP code to search near", "60657"),
                ("Level of care", "Standard outpatient, IOP"),
                (SEE, "= op, iop"),
                ("Payment it must take", "self pay, Tricare"),
                (SEE, "= self-pay, military"),
                (SEE, "No program in the directory within 50 miles of ZIP 60657 matches.\n"),
                ("Another ZIP to search near", "skip"),  # none takes either, at any distance
                ("Save this plan?", ""),
                ("Write the handout and calendar now?", "n"),
            ]
        )
    )
    assert run("edit", PLAN_ID, "program").returncode == 0, t.output[-800:]
    assert t.steps == []
    assert saved(tmp_path).next_program is None


def test_a_directory_of_meetings_alone_offers_to_type_the_program_in(
    run: Run, tmp_path: Path, keyboard: Keyboard
) -> None:
    feed = ROOT / "tests" / "feeds" / "meeting-guide.json"
    assert run("directory", "import", str(feed)).returncode == 0
    assert run("import", str(write(tmp_path, plan_data()))).returncode == 0
    assert program_finder(tmp_path / "home") is None
    t = keyboard(
        Shown(
            [
                *PROGRAM_SECTION[:-1],
                ("Next program: search the directory, type one in, or skip? [type]", "skip"),
                ("Save this plan?", "n"),
            ]
        )
    )
    assert run("edit", PLAN_ID, "program").returncode == 0, t.output[-800:]
    assert t.steps == []


def test_no_care_after_discharge_asks_whether_the_next_program_stays(
    run: Run, tmp_path: Path, keyboard: Keyboard
) -> None:
    booked = {"name": "Lakeview Counseling Center", "intake_phone": "(312) 555-0161"}
    assert run("import", str(write(tmp_path, plan_data(**booked)))).returncode == 0
    t = keyboard(
        Shown(
            [
                *PROGRAM_SECTION[:3],
                ("Care after discharge", "none"),
                ("Next plan review", ""),
                ("No care after discharge, but the plan names Lakeview Counseling Center as the"
                 " next program: keep it? (y/N) [n]", ""),
                ("Save this plan?", ""),
                ("Write the handout and calendar now?", "n"),
            ]
        )
    )  # fmt: skip
    assert run("edit", PLAN_ID, "program").returncode == 0, t.output[-800:]
    assert t.steps == []
    plan = saved(tmp_path)
    assert (plan.program.level_of_care.value, plan.next_program) == ("none", None)


def test_back_after_a_resume_returns_to_the_question_before(
    run: Run, tmp_path: Path, lee: None, keyboard: Keyboard
) -> None:
    """The draft keeps the answers in the order given: 'back' at the intake date of a resumed
    interview is the program's pick again, not the alphabetically last answer."""
    keyboard(
        Shown(
            [
                *PROGRAM_SECTION,
                ("ZIP code to search near", "60640"),
                ("Level of care", ""),
                ("Payment it must take", ""),
                ("Which one?", "1"),
                ("Intake date", INTERRUPT),
            ]
        )
    )
    assert run("edit", PLAN_ID, "program").returncode == 130
    assert list(draft_answers(tmp_path))[-4:] == [
        "program/next/near",
        "program/next/level",
        "program/next/pays",
        "program/next/pick",
    ]
    (draft,) = draft_files(tmp_path)
    t = keyboard(
        Shown(
            [
                ("Intake date", "back"),
                ("Which one?", "2"),
                ("Intake date", ""),
                ("What to bring", ""),
                ("Save this plan?", ""),
                ("Write the handout and calendar now?", "n"),
            ]
        )
    )
    assert run("new", "--resume", draft.stem).returncode == 0, t.output[-800:]
    assert t.steps == []
    assert saved(tmp_path).next_program.directory_id == "CHI101"


def test_edit_next_asks_the_next_program_alone(
    run: Run, tmp_path: Path, directory: None, keyboard: Keyboard
) -> None:
    """Booking the intake a day later: straight to the next program, no program questions."""
    booked = {"name": "Lakeview Counseling Center", "directory_id": "CHI101"}
    assert run("import", str(write(tmp_path, plan_data(**booked)))).returncode == 0
    t = keyboard(
        Shown(
            [
                ("Next program: keep it, search the directory, type another, or none? [keep]", ""),
                ("Intake date", "2027-03-09"),
                ("Intake time", "11am"),
                ("What to bring", ""),
                (SEE, "Please check (next program):\n  Next program: Lakeview Counseling Center,"
                      " intake 2027-03-09 at 11:00"),
                ("Save this plan?", ""),
                ("Write the handout and calendar now?", "n"),
            ]
        )
    )  # fmt: skip
    assert run("edit", PLAN_ID, "next").returncode == 0, t.output[-800:]
    assert t.steps == []
    assert "Program or clinic" not in t.output
    plan = saved(tmp_path)
    assert plan.next_program.intake.time == dt.time(11, 0)
    assert plan.program.name == "Hope IOP"  # the rest of the plan as it was
    result = run("edit", PLAN_ID, "next", "--next", "CHI102")
    assert result.returncode == 0, result.stderr
    assert "note: the intake booked at Lakeview Counseling Center" in result.stdout
