"""The FHIR R4 bundle (``export --format fhir``) and reading a bundle back (issue 18).

Bundles are checked by the FHIR models of ``fhir.resources.R4B`` in strict mode (each resource on
its own as well as the bundle), parsed with the standard ``json`` module, and read back through
the same loader every plan file goes through.
"""

from __future__ import annotations

import base64
import functools
import importlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, Run
from iopcli.errors import PlanFileError
from iopcli.export import ExportOptions, base_name, render
from iopcli.fhir import EXT_TIMEZONE, plan_to_bundle, plan_to_fhir
from iopcli.markdown import plan_to_markdown
from iopcli.model import AftercarePlan, ClinicianNotes
from iopcli.planfile import parse_plan, read_plan
from strategies import one_line, plans, text

CLINICIAN_NOTES = st.builds(
    ClinicianNotes,
    diagnoses=st.lists(text(), max_size=3),
    payer=st.none() | one_line(),
    level_of_care_notes=st.none() | text(),
)
DANA = next(p for p in EXAMPLES if p.name == "alcohol-depression.yaml")


def bundle_of(plan: AftercarePlan, **options: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(plan_to_fhir(plan, **options))
    return data


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def references(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return own + [r for v in value.values() for r in references(v)]
    if isinstance(value, list):
        return [r for v in value for r in references(v)]
    return []


def read_back(data: bytes, name: str = "bundle.fhir.json") -> AftercarePlan:
    return parse_plan(data, name)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_resource_validates_strictly_and_every_reference_resolves(path: Path) -> None:
    from fhir.resources.R4B.bundle import Bundle

    plan = read_plan(str(path))
    bundle = bundle_of(plan, clinician=True)
    Bundle.model_validate(bundle, strict=True)
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(urls) == len(set(urls))
    for entry in bundle["entry"]:
        resource = entry["resource"]
        kind = resource["resourceType"]
        module = importlib.import_module(f"fhir.resources.R4B.{kind.lower()}")
        getattr(module, kind).model_validate(resource, strict=True)
        assert entry["fullUrl"] == f"urn:uuid:{uuid.UUID(resource['id'])}"
    assert set(references(bundle)) <= set(urls)
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds >= {
        "Patient", "CarePlan", "CareTeam", "Organization", "Practitioner", "RelatedPerson",
        "Goal", "Appointment", "MedicationStatement", "DocumentReference",
    }  # fmt: skip


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_read_back_exactly_and_reexport_byte_identical(path: Path) -> None:
    plan = read_plan(str(path))
    data = plan_to_fhir(plan)
    again = read_back(data)
    assert again == plan
    assert plan_to_fhir(again) == data
    assert plan_to_fhir(plan) == data


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.none() | CLINICIAN_NOTES)
def test_round_trip_over_generated_plans(plan: AftercarePlan, notes: ClinicianNotes | None) -> None:
    plan = plan.model_copy(update={"clinician": notes})
    again = read_back(plan_to_fhir(plan, clinician=True))
    assert again.model_dump(mode="json") == plan.model_dump(mode="json")
    # The same bundle again (compared before the FHIR models check it: that step is ~50 ms).
    assert plan_to_bundle(again, clinician=True) == plan_to_bundle(plan, clinician=True)


def test_the_plan_in_fhir_terms() -> None:
    plan = read_plan(str(DANA))
    bundle = bundle_of(plan)
    assert bundle["type"] == "collection"
    assert bundle["timestamp"] == "2027-03-04T11:05:00-06:00"  # the plan's updated, no clock
    (patient,) = resources(bundle, "Patient")
    assert patient["name"] == [{"use": "usual", "text": "Dana"}]
    assert {"url": EXT_TIMEZONE, "valueCode": "America/Chicago"} in patient["extension"]
    assert patient["communication"][0]["language"]["coding"][0]["code"] == "en"
    main = next(p for p in resources(bundle, "CarePlan") if "partOf" not in p)
    assert (main["status"], main["intent"]) == ("active", "plan")
    assert main["period"] == {"start": "2027-03-05", "end": "2027-04-06"}
    assert {"system": "http://snomed.info/sct", "code": "718347000"}.items() <= main["category"][0][
        "coding"
    ][0].items()
    meeting = main["activity"][0]["detail"]
    assert meeting["description"] == "Lincoln Square Big Book Study"
    assert meeting["scheduledTiming"]["repeat"] == {
        "duration": 75,
        "durationUnit": "min",
        "period": 1,
        "periodUnit": "wk",
        "dayOfWeek": ["tue", "thu"],
        "timeOfDay": ["19:00:00"],
    }
    appointments = resources(bundle, "Appointment")
    assert appointments[0]["start"] == "2027-03-09T17:30:00-06:00"
    assert appointments[0]["end"] == "2027-03-09T18:20:00-06:00"
    assert [
        m["medicationCodeableConcept"]["text"] for m in resources(bundle, "MedicationStatement")
    ] == [
        "Sertraline",
        "Naltrexone",
    ]
    (goal, *_) = resources(bundle, "Goal")
    assert goal["target"] == [{"dueDate": "2027-04-05"}]
    sertraline = resources(bundle, "MedicationStatement")[0]
    assert sertraline["dosage"] == [
        {"text": "100 mg", "timing": {"code": {"text": "Every morning with breakfast"}}}
    ]
    assert sertraline["note"] == [
        {
            "text": "Prescribed by Dr. Amara. Pharmacy: Corner Drug, 4410 N Broadmoor St,"
            " Chicago, (312) 555-0181."
        }
    ]
    services = resources(bundle, "HealthcareService")
    assert [s["name"] for s in services] == [r.name for r in plan.resources]
    assert services[0]["telecom"][0] == {"system": "phone", "value": "(312) 555-0130"}


def test_safety_plan_and_relapse_prevention_in_full() -> None:
    plan = read_plan(str(DANA))
    bundle = bundle_of(plan)
    parts = {p["title"]: p for p in resources(bundle, "CarePlan") if "partOf" in p}
    safety = parts["Safety plan"]["activity"]
    texts = [a["detail"].get("description") for a in safety]
    for line in [*plan.safety_plan.warning_signs, *plan.safety_plan.safe_environment]:
        assert line in texts
    for line in plan.safety_plan.reasons_for_living:
        assert line in texts
    relapse = parts["Relapse-prevention plan"]["activity"]
    first = plan.relapse_prevention.triggers[0]
    trigger = next(a for a in relapse if a["detail"].get("reasonCode"))
    assert trigger["detail"]["reasonCode"] == [{"text": first.trigger}]
    assert trigger["detail"]["description"] == first.response


def test_the_handout_is_attached_as_markdown() -> None:
    plan = read_plan(str(DANA))
    (document,) = resources(bundle_of(plan), "DocumentReference")
    attachment = document["content"][0]["attachment"]
    assert attachment["contentType"] == "text/markdown"
    assert base64.b64decode(attachment["data"]).decode() == plan_to_markdown(plan)
    assert document["type"]["coding"][0]["code"] == "18776-5"


def test_monthly_and_every_other_week_meetings_keep_their_rule() -> None:
    plan = read_plan(str(DANA)).model_copy(deep=True)
    data = plan.model_dump(mode="json", exclude_defaults=True)
    data["meetings"] = [
        {"name": "First and last", "days": ["sun"], "start": "09:00", "weeks": ["1st", "last"]},
        {"name": "Fortnight", "days": ["wed"], "start": "18:00", "end": "19:00",
         "repeat": "every_2_weeks", "first_date": "2027-03-10"},
    ]  # fmt: skip
    plan = AftercarePlan.model_validate(data)
    bundle = bundle_of(plan)
    main = next(p for p in resources(bundle, "CarePlan") if "partOf" not in p)
    monthly, fortnight = (a["detail"]["scheduledTiming"]["repeat"] for a in main["activity"][:2])
    assert (monthly["period"], monthly["periodUnit"], monthly["dayOfWeek"]) == (1, "mo", ["sun"])
    assert [e["valueCode"] for e in monthly["extension"]] == ["1st", "last"]
    assert (fortnight["period"], fortnight["periodUnit"]) == (2, "wk")
    assert fortnight["boundsPeriod"] == {"start": "2027-03-10"}
    assert read_back(plan_to_fhir(plan)) == plan  # an explicit one-hour end stays explicit


def test_clinician_part_only_with_clinician() -> None:
    plan = read_plan(str(DANA)).model_copy(
        update={
            "clinician": ClinicianNotes(
                diagnoses=["F10.20 Alcohol use disorder, moderate"], payer="County fund"
            )
        }
    )
    without = bundle_of(plan)
    assert resources(without, "Condition") == []
    assert "County fund" not in json.dumps(without)
    assert read_back(plan_to_fhir(plan)).clinician is None
    with_part = bundle_of(plan, clinician=True)
    (condition,) = resources(with_part, "Condition")
    assert condition["code"] == {"text": "F10.20 Alcohol use disorder, moderate"}
    main = next(p for p in resources(with_part, "CarePlan") if "partOf" not in p)
    assert main["addresses"] == [{"reference": f"urn:uuid:{condition['id']}"}]
    assert read_back(plan_to_fhir(plan, clinician=True)) == plan


def test_discreet_plans_are_labelled_restricted() -> None:
    plan = read_plan(str(DANA))
    assert "meta" not in bundle_of(plan)
    security = bundle_of(plan, discreet=True)["meta"]["security"]
    assert security[0]["code"] == "R"


def test_export_and_import_through_the_cli(run: Run, tmp_path: Path) -> None:
    # Worker processes write what the library renders in this one: the same bytes whatever --jobs.
    done = run("export", *map(str, EXAMPLES), "--format", "fhir,json", "--out", "out", "-j", "2")
    assert done.returncode == 0, done.stderr
    written = tmp_path / "out" / "dana-3f6c2a9e.fhir.json"
    assert sorted(p.name for p in written.parent.iterdir()) == [
        "dana-3f6c2a9e.fhir.json",
        "dana-3f6c2a9e.json",
        "lucia-5c41e0a2.fhir.json",
        "lucia-5c41e0a2.json",
        "marcus-8d2e5b17.fhir.json",
        "marcus-8d2e5b17.json",
    ]
    assert written.stat().st_mode & 0o077 == 0
    for path in EXAMPLES:
        plan = read_plan(str(path))
        name = f"{base_name(plan)}.fhir.json"
        assert (tmp_path / "out" / name).read_bytes() == render(plan, "fhir", ExportOptions())
    plan = read_plan(str(DANA))
    assert run("validate", str(written)).stdout == f"{written}: ok\n"
    stored = run("import", str(written))
    assert stored.returncode == 0, stored.stderr
    again = run("export", "dana", "--format", "json", "--out", "again", "--jobs", "1")
    assert again.returncode == 0, again.stderr
    stored_plan = read_plan(str(tmp_path / "again" / "dana-3f6c2a9e.json"))
    # The store stamps its own `updated` on a new revision; everything else is the plan.
    assert stored_plan.model_copy(update={"updated": plan.updated}) == plan


def foreign(tmp_path: Path) -> dict[str, Any]:
    """A small bundle from another system: Patient, Organization and CarePlan."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:9b6f3c4e-0000-4000-8000-000000000001",
                "resource": {
                    "resourceType": "Patient",
                    "id": "9b6f3c4e-0000-4000-8000-000000000001",
                    "name": [{"given": ["Ann"], "family": "Lee"}],
                    "extension": [{"url": EXT_TIMEZONE, "valueCode": "Europe/London"}],
                },
            },
            {
                "fullUrl": "urn:uuid:9b6f3c4e-0000-4000-8000-000000000002",
                "resource": {
                    "resourceType": "CarePlan",
                    "id": "p1",
                    "status": "active",
                    "intent": "plan",
                    "subject": {"reference": "urn:uuid:9b6f3c4e-0000-4000-8000-000000000001"},
                    "author": {"reference": "Organization/o1"},
                    "period": {"start": "2027-02-30"},
                },
            },
            {"resource": {"resourceType": "Organization", "id": "o1", "name": "Clinic"}},
        ],
    }


def test_a_foreign_bundle_reads_when_it_has_what_a_plan_needs(tmp_path: Path) -> None:
    bundle = foreign(tmp_path)
    bundle["entry"][1]["resource"]["period"]["start"] = "2027-03-01T09:00:00Z"
    plan = read_back(json.dumps(bundle).encode())
    assert (plan.id, plan.person.name, plan.person.timezone) == ("p1", "Ann Lee", "Europe/London")
    assert (plan.program.name, str(plan.program.discharge_date)) == ("Clinic", "2027-03-01")


def test_a_foreign_bundle_gets_one_line_per_problem_with_its_json_path(
    run: Run, tmp_path: Path
) -> None:
    bundle = foreign(tmp_path)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle, indent=2))
    result = run("import", "bundle.json")
    assert result.returncode == 1
    line = json.dumps(bundle, indent=2).splitlines().index('        "period": {') + 2
    assert result.stderr.splitlines() == [
        f"bundle.json:{line}: entry[1].resource.period.start: '2027-02-30' is not a valid FHIR"
        " date or time: day value is outside expected range"
    ]
    bundle["entry"][1]["resource"]["period"]["start"] = "2027-03-01"
    del bundle["entry"][0]["resource"]["extension"]
    bundle["entry"][1]["resource"]["author"] = {"reference": "Organization/none"}
    with pytest.raises(PlanFileError) as caught:
        read_back(json.dumps(bundle).encode(), "b.json")
    assert [p.render("b.json") for p in caught.value.problems] == [
        "b.json:1: entry[0].resource.extension: the person's time zone is missing (extension"
        f" {EXT_TIMEZONE})",
        "b.json:1: entry[1].resource.author.reference: 'Organization/none' is not an Organization"
        " in this bundle",
    ]


def test_a_bundle_without_a_care_plan_says_so(run: Run, tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text('{"resourceType": "Bundle", "type": "collection",'
                                     ' "entry": []}')  # fmt: skip
    result = run("import", "b.json")
    assert result.returncode == 1
    assert result.stderr == (
        "b.json:1: entry: a plan needs a CarePlan (the aftercare plan); the bundle has none\n"
    )


def test_fhir_is_loaded_only_for_fhir(process: Any, tmp_path: Path) -> None:
    result = process(
        "export", str(DANA), "--format", "md", "--out", "out", PYTHONPROFILEIMPORTTIME="1"
    )
    assert result.returncode == 0, result.stderr[-1000:]
    names = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "iopcli.markdown" in names
    assert not {n for n in names if n.startswith(("fhir", "iopcli.fhir"))}


def _places(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [at] + [p for k, v in value.items() for p in _places(v, (*at, k))]
    if isinstance(value, list):
        return [at] + [p for i, v in enumerate(value) for p in _places(v, (*at, i))]
    return [at]


FOREIGN_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=4,
)


@functools.cache
def dana_bundle() -> bytes:
    return plan_to_fhir(read_plan(str(DANA)))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_damaged_bundle_is_a_plan_or_clear_problems(data: Any) -> None:
    bundle = json.loads(dana_bundle())
    places = _places(bundle)[1:]
    for _ in range(data.draw(st.integers(1, 3))):
        place = places[data.draw(st.integers(0, len(places) - 1))]
        parent: Any = bundle
        for part in place[:-1]:  # an earlier change may have taken the way away
            ok = isinstance(parent, dict) and part in parent
            ok = ok or (isinstance(parent, list) and isinstance(part, int) and part < len(parent))
            parent = parent[part] if ok else None
        if isinstance(parent, dict) and data.draw(st.booleans()):
            parent.pop(place[-1], None)
        elif isinstance(parent, dict) or (isinstance(parent, list) and place[-1] < len(parent)):
            parent[place[-1]] = data.draw(FOREIGN_VALUES)
    problems: list[str] = []
    try:
        read_back(json.dumps(bundle).encode(), "b.json")
    except PlanFileError as exc:
        problems = exc.lines()
    assert all(line.startswith("b.json") and "\n" not in line for line in problems)


def test_an_unknown_resource_type_is_named(tmp_path: Path) -> None:
    bundle = foreign(tmp_path)
    bundle["entry"].append({"resource": {"resourceType": "Spaceship"}})
    with pytest.raises(PlanFileError) as caught:
        read_back(json.dumps(bundle).encode(), "b.json")
    assert caught.value.lines() == [
        "b.json:1: entry[3].resource.resourceType: 'Spaceship' is not a FHIR R4 resource type"
    ]


def test_a_report_named_like_a_bundle_in_the_output_folder_is_refused(run: Run) -> None:
    result = run("export", str(DANA), "--format", "fhir", "--report", "out/x.fhir.json")
    assert result.returncode == 2
    assert result.stderr == (
        "--report: out/x.fhir.json could be the name of an exported .fhir.json file in out;"
        " choose another name or folder\n"
    )
