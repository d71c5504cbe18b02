"""The next program (continuing care) in the plan: the handout section, the intake in the
calendar and the agenda, the --strict warnings, ``edit PLAN program --next ID`` over a real
programs directory, the interview's search, and the FHIR Organization and Appointment."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import icalendar
import pytest
import yaml

import test_interview_flows
from conftest import Run
from iopcli.completeness import check
from iopcli.continuing_care import QUESTIONS, from_program, pays_of, section
from iopcli.document import Items, Link, Paragraph, Strong, Subsection
from iopcli.fhir import plan_to_bundle, read_bundle
from iopcli.model import AftercarePlan
from iopcli.programs import TreatmentProgram
from iopcli.store import open_store
from test_interview_flows import SEE, Keyboard, Shown

keyboard = test_interview_flows.keyboard  # the fixture: a scripted person at the terminal

PLAN_ID = "cc-lee"


def plan_data(**next_program: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": PLAN_ID,
        "updated": "2027-03-01T09:00:00-06:00",
        "person": {"name": "Lee", "timezone": "America/Chicago"},
        "program": {
            "name": "Hope IOP",
            "discharge_date": "2027-03-05",
            "level_of_care": "op",
        },
        "clinician": {"payer": "Illinois Medicaid (Meridian Health)"},
    }
    if next_program:
        data["next_program"] = next_program
    return data


LAKEVIEW: dict[str, Any] = {
    "name": "Lakeview Counseling Center",
    "directory_id": "CHI001",
    "address": "3150 N Lincoln Ave, Chicago, IL 60657",
    "phone": "(312) 555-0160",
    "intake_phone": "(312) 555-0161",
    "website": "https://lakeview.example.org",
    "payment_accepted": ["Medicaid", "Sliding fee scale"],
}


def plan(**next_program: Any) -> AftercarePlan:
    return AftercarePlan.model_validate(plan_data(**next_program))


def booked(day: str = "2027-03-10", time: str = "10am") -> AftercarePlan:
    return plan(**LAKEVIEW, intake={"date": day, "time": time})


def write(tmp_path: Path, data: dict[str, Any], name: str = "lee.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return path


def words(text: tuple[Any, ...]) -> str:
    return "".join(
        s if isinstance(s, str) else getattr(s, "text", getattr(s, "label", "")) for s in text
    )


# --- the handout section ----------------------------------------------------------------------


def test_no_next_program_no_section() -> None:
    assert section(plan()) is None


def test_a_booked_intake_comes_first_with_the_number_to_change_it() -> None:
    found = section(booked())
    assert found is not None
    assert (found.key, found.title) == ("next", "Your next program")
    first = found.blocks[0]
    assert isinstance(first, Paragraph)
    assert isinstance(first.text[0], Strong)
    assert words(first.text) == (
        "Your intake appointment at Lakeview Counseling Center: Wednesday, March 10, 2027 at"
        " 10:00 am. To change it, call (312) 555-0161."
    )
    (phone,) = [s for s in first.text if isinstance(s, Link)]
    assert (phone.kind, phone.url) == ("phone", "tel:+13125550161")


def test_not_booked_says_call_the_intake_line_to_book() -> None:
    found = section(plan(**LAKEVIEW))
    assert found is not None
    first = found.blocks[0]
    assert isinstance(first, Paragraph)
    assert (
        words(first.text) == "Call Lakeview Counseling Center to book your intake: (312) 555-0161"
    )
    no_intake_line = {k: v for k, v in LAKEVIEW.items() if k != "intake_phone"}
    found = section(plan(**no_intake_line))
    assert found is not None
    assert isinstance(found.blocks[0], Paragraph)
    assert words(found.blocks[0].text).endswith("(312) 555-0160")  # the main number then
    found = section(plan(name="Somewhere"))
    assert found is not None
    assert isinstance(found.blocks[0], Paragraph)
    assert "Ask your counselor for their intake number." in words(found.blocks[0].text)


def subsections(plan_: AftercarePlan) -> dict[str, list[str]]:
    found = section(plan_)
    assert found is not None
    out = {}
    for block in found.blocks:
        if isinstance(block, Subsection):
            (items,) = block.blocks
            assert isinstance(items, Items)
            out[block.title] = [words(item) for item in items.items]
    return out


def test_what_to_bring_the_questions_and_the_program() -> None:
    parts = subsections(booked())
    assert list(parts) == ["What to bring", "Questions to ask", "About the program"]
    assert parts["What to bring"][0] == "A photo ID"  # the usual list when the plan has none
    asks = " ".join(parts["Questions to ask"])
    for needed in ("visit", "member ID", "out of pocket", "waitlist", "times"):
        assert needed in asks
    assert parts["About the program"] == [
        "Lakeview Counseling Center",
        "Where: 3150 N Lincoln Ave, Chicago, IL 60657",
        "Intake: (312) 555-0161",
        "Phone: (312) 555-0160",
        "Website: https://lakeview.example.org",
        "Level of care: Outpatient (therapy or groups a few hours a week)",
        "Payment accepted: Medicaid, Sliding fee scale",
    ]
    own = plan(**LAKEVIEW, what_to_bring=["Insurance card, front and back", "Pay stub"])
    assert subsections(own)["What to bring"] == ["Insurance card, front and back", "Pay stub"]
    assert len(QUESTIONS) == 5


def test_the_markdown_handout_has_it_after_the_crisis_steps(run: Run, tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    from iopcli.markdown import plan_to_markdown

    out = plan_to_markdown(booked())
    headings = [
        t.content for t in MarkdownIt().parse(out) if t.type == "inline" and t.map and t.level == 1
    ]
    h2 = [h for h in headings if h in ("If you are in crisis", "Your next program")]
    assert h2 == ["If you are in crisis", "Your next program"]
    assert "[(312) 555-0161](tel:+13125550161)" in out
    assert "1. Can I visit" in out


# --- the calendar and the agenda --------------------------------------------------------------


def test_the_intake_is_a_one_off_event_in_the_ics(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, plan_data(**LAKEVIEW, intake={"date": "2027-03-10", "time": "10am"}))
    assert (
        run("export", str(path), "--format", "ics", "--out", str(tmp_path / "out")).returncode == 0
    )
    (ics,) = (tmp_path / "out").glob("*.ics")
    calendar = icalendar.Calendar.from_ical(ics.read_bytes())
    (intake,) = [e for e in calendar.walk("VEVENT") if "Intake" in str(e["SUMMARY"])]
    assert str(intake["SUMMARY"]) == "Intake appointment: Lakeview Counseling Center"
    start = intake.decoded("DTSTART")
    assert start == dt.datetime(2027, 3, 10, 10, 0, tzinfo=start.tzinfo)
    assert str(start.tzinfo) == "America/Chicago" or start.utcoffset() == dt.timedelta(hours=-6)
    assert intake.decoded("DURATION") == dt.timedelta(hours=1)
    assert "RRULE" not in intake
    assert str(intake["LOCATION"]) == LAKEVIEW["address"]
    assert "(312) 555-0161" in str(intake["DESCRIPTION"])

    discreet = write(
        tmp_path,
        {**plan_data(**LAKEVIEW, intake={"date": "2027-03-10", "time": "10am"}), "discreet": True},
        "d.yaml",
    )
    assert (
        run("export", str(discreet), "--format", "ics", "--out", str(tmp_path / "d")).returncode
        == 0
    )
    (ics,) = (tmp_path / "d").glob("*.ics")
    text = ics.read_text("utf-8")
    assert "Lakeview" not in text
    assert "SUMMARY:Appointment" in text


def test_an_intake_not_booked_is_a_call_on_the_day_of_discharge(run: Run, tmp_path: Path) -> None:
    """'Call to book' is where people drop out: the calendar and the agenda say it on the day
    they leave, with the intake number; discreet, without the program's name."""
    for discreet in (False, True):
        data = {**plan_data(**LAKEVIEW), "discreet": discreet}
        path = write(tmp_path, data, f"book-{discreet}.yaml")
        out = tmp_path / f"out-{discreet}"
        assert run("export", str(path), "--format", "ics", "--out", str(out)).returncode == 0
        (ics,) = out.glob("*.ics")
        events = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
        (call,) = [e for e in events if "book" in str(e["SUMMARY"])]
        assert str(call["SUMMARY"]) == (
            "Call to book an appointment"
            if discreet
            else "Call to book your intake: Lakeview Counseling Center"
        )
        assert call.decoded("DTSTART") == dt.date(2027, 3, 5)  # all day, on discharge
        assert "(312) 555-0161" in str(call["DESCRIPTION"])
    result = run("agenda", str(path), "--from", "2027-03-05", "--days", "1", "--json")
    (entry,) = json.loads(result.stdout)["entries"]
    assert (entry["kind"], entry["phone"]) == ("book_intake", "(312) 555-0161")
    # Booked: the intake itself, and no call.
    events = run(
        "agenda",
        str(
            write(
                tmp_path,
                plan_data(**LAKEVIEW, intake={"date": "2027-03-10", "time": "10am"}),
                "b.yaml",
            )
        ),
        "--from",
        "2027-03-05",
        "--days",
        "7",
        "--json",
    )
    assert [e["kind"] for e in json.loads(events.stdout)["entries"]] == ["intake"]


def test_the_intake_is_in_the_agenda_and_the_stored_agenda(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, plan_data(**LAKEVIEW, intake={"date": "2027-03-10", "time": "10am"}))
    for target in (str(path), PLAN_ID):
        if target == PLAN_ID:
            assert run("import", str(path)).returncode == 0
        result = run("agenda", target, "--from", "2027-03-09", "--days", "3", "--json")
        assert result.returncode == 0, result.stderr
        (entry,) = json.loads(result.stdout)["entries"]
        assert entry["kind"] == "intake"
        assert entry["title"] == "Intake appointment: Lakeview Counseling Center"
        assert entry["start"] == "2027-03-10T10:00:00-06:00"
        assert entry["phone"] == "(312) 555-0161"
    shown = run("agenda", PLAN_ID, "--from", "2027-03-10", "--days", "1")
    assert "10:00 am: Intake appointment: Lakeview Counseling Center." in shown.stdout


def test_the_store_the_diff_the_schema_and_the_crisis_fast_path_take_it(
    run: Run, process: Any, tmp_path: Path
) -> None:
    path = write(tmp_path, plan_data(**LAKEVIEW, intake={"date": "2027-03-10", "time": "10am"}))
    assert run("import", str(path)).returncode == 0
    path.write_text(path.read_text("utf-8").replace("10am", "11:30am"), "utf-8")
    assert run("import", str(path)).returncode == 0
    diff = run("diff", PLAN_ID)
    assert "~ next_program.intake.time: 10:00 -> 11:30" in diff.stdout
    schema = json.loads(run("schema").stdout)
    assert "next_program" in schema["properties"]
    assert "intake" in schema["$defs"]["NextProgram"]["properties"]
    card = process("crisis", PLAN_ID)  # the console script's fast path: the stored body
    assert card.returncode == 0, card.stderr
    assert "988" in card.stdout


# --- validate --strict ------------------------------------------------------------------------


def messages(plan_: AftercarePlan) -> dict[str, str]:
    return {
        p.path: p.message for p in check(plan_, dt.date(2027, 3, 1)) if "next_program" in p.path
    }


def test_care_after_discharge_needs_a_next_program() -> None:
    assert messages(plan()) == {
        "next_program": "no next program, though the level of care after discharge is Standard"
        " outpatient (ASAM 1) (name one with iopcli edit PLAN program --next ID, or next_program"
        " in the file)"
    }
    none = plan_data()
    none["program"]["level_of_care"] = "none"
    assert messages(AftercarePlan.model_validate(none)) == {}
    assert messages(plan(**LAKEVIEW)) == {}  # call to book: nothing to measure yet


@pytest.mark.parametrize(("day", "warned"), [("2027-03-12", False), ("2027-03-13", True)])
def test_the_intake_within_seven_days_of_discharge(day: str, warned: bool) -> None:
    found = messages(booked(day))
    if not warned:
        assert found == {}  # 7 days after discharge (March 5) is still in time
        return
    assert found == {
        "next_program.intake.date": "the intake at Lakeview Counseling Center on 2027-03-13 is"
        " 8 days after discharge, past the 7-day continuity-of-care mark: ask for an earlier"
        " intake, or an appointment in between"
    }


def test_validate_strict_reports_it_with_its_line(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, plan_data(**LAKEVIEW, intake={"date": "2027-03-20", "time": "10am"}))
    result = run("validate", "--strict", "--as-of", "2027-03-01", str(path))
    assert result.returncode == 1
    (line,) = [x for x in result.stdout.splitlines() if "next_program" in x]
    assert line.startswith(f"{path}:")
    assert "15 days after discharge" in line
    text = path.read_text("utf-8")
    number = text.splitlines().index("  intake:") + 2  # the date, on the line after
    assert line.startswith(f"{path}:{number}: next_program.intake.date: warning:")


# --- from the programs directory --------------------------------------------------------------


def locator_row(frid: str, name: str, zip_: str, lat: str, lon: str, **more: str) -> dict[str, Any]:
    services = [
        {
            "f1": "Service Setting",
            "f2": "SET",
            "f3": more.get("settings", "Outpatient; Regular outpatient treatment"),
        },
        {
            "f1": "Payment/Insurance/Funding Accepted",
            "f2": "PAY",
            "f3": more.get("pay", "Medicaid; Private health insurance"),
        },
        {
            "f1": "Payment Assistance Available",
            "f2": "PYAS",
            "f3": "Sliding fee scale (fee is based on income and other factors)",
        },
    ]
    return {
        "frid": frid, "name1": name, "name2": "", "street1": more.get("street", "1 Main St"),
        "street2": "", "city": "Chicago", "state": "IL", "zip": zip_,
        "phone": more.get("phone", "312-555-0160"), "intake1": more.get("intake", "312-555-0161"),
        "hotline1": "", "website": more.get("website", "lakeview.example.org"),
        "latitude": lat, "longitude": lon, "typeFacility": "SA", "services": services,
    }  # fmt: skip


@pytest.fixture
def directory(run: Run, tmp_path: Path) -> Path:
    rows = [
        locator_row("CHI001", "Lakeview Counseling Center", "60657", "41.9400", "-87.6700",
                    street="3150 N Lincoln Ave"),
        locator_row("EVN003", "Evanston Outpatient", "60201", "42.0450", "-87.6900",
                    pay="Private health insurance", phone="555-0100"),
        locator_row("CHI002", "Near North IOP", "60610", "41.9000", "-87.6300",
                    settings="Intensive outpatient treatment"),
    ]  # fmt: skip
    path = tmp_path / "locator.json"
    path.write_text(json.dumps({"page": 1, "totalPages": 1, "recordCount": 3, "rows": rows}))
    result = run("programs", "import", str(path))
    assert result.returncode == 0, result.stderr
    return path


def test_a_directory_program_becomes_the_next_program() -> None:
    program = TreatmentProgram(
        id="X1", source="t", name="Harbor", name2="Adult services", street1="1 Main St",
        city="Cambridge", state="MA", zip="02139", phone="617-555-0100",
        intake_phone="not a phone", hotline="617-555-0199", website="harbor.example.org",
        levels=("iop",), payment_accepted=("Medicaid",), payment_assistance=("Sliding fee",),
    )  # fmt: skip
    assert from_program(program, "US", "standard_outpatient") == {
        "name": "Harbor (Adult services)",
        "directory_id": "X1",
        "address": "1 Main St, Cambridge, MA 02139",
        "phone": "617-555-0100",
        "website": "https://harbor.example.org",
        "level_of_care": "iop_step_down",  # it offers IOP, not the plan's outpatient
        "payment_accepted": ["Medicaid", "Sliding fee"],
        "notes": "Intake (as listed): not a phone\nHotline: 617-555-0199",
    }
    assert "level_of_care" not in from_program(program, "US", "iop_step_down")
    assert pays_of("Illinois Medicaid (Meridian)", None) == ["medicaid"]
    assert pays_of("Blue Cross PPO", "TRICARE Select") == ["military"]


def test_edit_program_next_takes_it_from_the_directory(
    run: Run, tmp_path: Path, directory: Path
) -> None:
    path = write(tmp_path, plan_data(**LAKEVIEW, intake={"date": "2027-03-10", "time": "10am"}))
    assert run("import", str(path)).returncode == 0
    result = run("edit", PLAN_ID, "program", "--next", "chi001")
    assert result.returncode == 0, result.stderr
    assert "next program Lakeview Counseling Center; saved as revision 2" in result.stdout
    with open_store(tmp_path / "home", create=False) as store:
        nxt = store.load(PLAN_ID).next_program
        assert store.current_revision(PLAN_ID) == 2
    assert nxt is not None
    assert (nxt.directory_id, nxt.address) == ("CHI001", "3150 N Lincoln Ave, Chicago, IL 60657")
    assert (nxt.phone, nxt.intake_phone) == ("312-555-0160", "312-555-0161")
    assert nxt.website == "https://lakeview.example.org"
    assert nxt.intake is not None
    assert nxt.intake.date == dt.date(2027, 3, 10)  # same program: kept
    assert "Sliding fee scale (fee is based on income and other factors)" in nxt.payment_accepted

    result = run("edit", PLAN_ID, "program", "--next", "CHI002")
    assert result.returncode == 0, result.stderr
    with open_store(tmp_path / "home", create=False) as store:
        nxt = store.load(PLAN_ID).next_program
    assert nxt is not None
    assert nxt.name == "Near North IOP"
    assert nxt.intake is None  # another program: its own intake is still to be booked
    assert nxt.level_of_care == "iop_step_down"

    unknown = run("edit", PLAN_ID, "program", "--next", "NOPE9")
    assert unknown.returncode == 1
    assert unknown.stderr.strip().endswith(
        "--next: 'NOPE9' is not a program in the programs directory (iopcli programs search"
        " finds one; iopcli programs import FILE adds them)"
    )
    wrong = run("edit", PLAN_ID, "meetings", "--next", "CHI001")
    assert wrong.returncode == 2
    assert "--next goes with the program section" in wrong.stderr


# --- the interview ----------------------------------------------------------------------------


def test_the_interview_searches_near_the_zip_with_the_payer_and_level(
    run: Run, tmp_path: Path, directory: Path, keyboard: Keyboard
) -> None:
    path = write(tmp_path, plan_data())
    assert run("import", str(path)).returncode == 0
    t = keyboard(
        Shown(
            [
                ("Program or clinic [Hope IOP]", ""),
                ("Counselor's name", ""),
                ("Discharge date [2027-03-05]", ""),
                ("Care after discharge", ""),
                ("Next plan review", ""),
                (SEE, "The next program (continuing care)"),
                ("Next program: search the directory, type one in, or skip? [search]", "?"),
                (SEE, "near their ZIP"),
                ("Next program: search", ""),
                ("ZIP code to search near (Enter for anywhere)", "6065"),
                (SEE, "neither a 5-digit ZIP code nor LAT,LON"),
                ("ZIP code to search near", "60657"),
                ("Level of care (iop, php, op, residential, mat, otp; Enter for any) [op]", ""),
                ("military, state; Enter for any) [medicaid]", ""),
                (SEE, "1. Lakeview Counseling Center: 3150 N Lincoln Ave, Chicago, IL 60657 (0."),
                ("Which one?", "2"),
                (SEE, "Type type, or a number from 1 to 1."),
                ("Which one?", "1"),
                ("Intake date (Enter if not booked yet", "2027-03-09"),
                (SEE, "= Tuesday, March 9, 2027"),
                ("Intake time", "10am"),
                ("What to bring", "Photo ID; Insurance card, front and back"),
                (SEE, "Next program: Lakeview Counseling Center, intake 2027-03-09 at 10:00"),
                ("Save this plan?", ""),
                ("Write the handout and calendar now?", "n"),
            ]
        )
    )  # fmt: skip
    assert run("edit", PLAN_ID, "program").returncode == 0, t.output[-800:]
    assert t.steps == []
    assert "Evanston" not in t.output  # private insurance only: the payer filter left it out
    assert "Near North" not in t.output  # IOP only: the level filter left it out
    with open_store(tmp_path / "home", create=False) as store:
        saved = store.load(PLAN_ID)
    nxt = saved.next_program
    assert nxt is not None
    assert nxt.directory_id == "CHI001"
    assert nxt.intake is not None
    assert (nxt.intake.date, nxt.intake.time) == (dt.date(2027, 3, 9), dt.time(10, 0))
    assert nxt.what_to_bring == ["Photo ID", "Insurance card, front and back"]
    assert saved.person.postal_code == "60657"


def test_the_interview_takes_a_program_typed_in_and_call_to_book(
    run: Run, tmp_path: Path, keyboard: Keyboard
) -> None:
    path = write(tmp_path, plan_data())
    assert run("import", str(path)).returncode == 0
    t = keyboard(
        Shown(
            [
                ("Program or clinic", ""),
                ("Counselor's name", ""),
                ("Discharge date", ""),
                ("Care after discharge", ""),
                ("Next plan review", ""),
                (
                    "Next program: search the directory, type one in, or skip? [type]",
                    "",
                ),  # no directory here
                ("Program name", "Riverside Recovery"),
                ("Address", ""),
                ("Intake phone", "312 555 01"),
                (SEE, "has the wrong number of digits for a US number"),
                ("Intake phone", "(312) 555-0188"),
                ("Main phone", ""),
                ("Website", "riverside.example.org"),
                (SEE, "= https://riverside.example.org"),
                ("Intake date", ""),
                ("What to bring", ""),
                ("Save this plan?", ""),
                ("Write the handout and calendar now?", "n"),
            ]
        )
    )
    assert run("edit", PLAN_ID, "program").returncode == 0, t.output[-800:]
    assert t.steps == []
    with open_store(tmp_path / "home", create=False) as store:
        nxt = store.load(PLAN_ID).next_program
    assert nxt is not None
    assert (nxt.name, nxt.intake_phone, nxt.intake) == (
        "Riverside Recovery",
        "(312) 555-0188",
        None,
    )
    assert nxt.website == "https://riverside.example.org"


# --- FHIR -------------------------------------------------------------------------------------


def test_fhir_next_program_organization_and_intake_appointment() -> None:
    plan_ = plan(**LAKEVIEW, intake={"date": "2027-03-10", "time": "10am", "duration_minutes": 90})
    bundle = plan_to_bundle(plan_, clinician=True)
    resources = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    care = next(
        r for r in resources.values() if r["resourceType"] == "CarePlan" and "partOf" not in r
    )
    (referral,) = [
        a for a in care["activity"] if a["detail"]["code"]["text"] == "Referral to continuing care"
    ]
    org = resources[referral["detail"]["performer"][0]["reference"]]
    assert org["resourceType"] == "Organization"
    assert org["name"] == LAKEVIEW["name"]
    assert org["address"] == [{"text": LAKEVIEW["address"]}]
    assert {"system": "phone", "value": "(312) 555-0160", "use": "work"} in org["telecom"]
    assert {"system": "url", "value": "https://lakeview.example.org"} in org["telecom"]
    (intake_line,) = org["contact"]
    assert intake_line["purpose"]["text"] == "Intake"
    assert intake_line["telecom"][0]["value"] == "(312) 555-0161"
    assert org["identifier"][0]["value"] == "CHI001"
    appointment = resources[referral["reference"]["reference"]]
    assert appointment["resourceType"] == "Appointment"
    assert appointment["status"] == "booked"
    assert (appointment["start"], appointment["end"]) == (
        "2027-03-10T10:00:00-06:00",
        "2027-03-10T11:30:00-06:00",
    )
    assert referral["detail"]["status"] == "scheduled"
    assert read_bundle(bundle, "b.json") == plan_
    not_booked = plan(**LAKEVIEW)
    bundle = plan_to_bundle(not_booked, clinician=True)
    assert not [e for e in bundle["entry"] if "Intake" in str(e["resource"].get("description"))]
    assert read_bundle(bundle, "b.json") == not_booked


def test_next_completes_program_ids(tmp_path: Path, directory: Path) -> None:
    from test_completion import values

    assert values(tmp_path, "iopcli edit lee program --next CHI") == ["CHI001", "CHI002"]


def test_an_intake_before_discharge_is_named() -> None:
    assert messages(booked("2027-03-04")) == {
        "next_program.intake.date": "the intake at Lakeview Counseling Center on 2027-03-04 is"
        " before discharge"
    }
