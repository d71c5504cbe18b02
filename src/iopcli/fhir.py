"""The plan as an HL7 FHIR R4 Bundle for the next provider, and a Bundle read back into a plan.

A receiving record system sees standard resources: the person (``Patient``), the aftercare plan
(``CarePlan`` with an activity per meeting, appointment, refill and the plan review), the safety
plan and the relapse-prevention plan (two more ``CarePlan`` resources, ``partOf`` the aftercare
plan, one activity per entry so every line is shown), ``Goal``, ``CareTeam`` with its
``Practitioner``, ``RelatedPerson`` and ``Organization`` members, ``Appointment`` for each first
visit, ``MedicationStatement`` per medication, and the handout as a ``DocumentReference``.

What FHIR has no element for (a meeting's listing details, a medication's pharmacy, community
resources, ...) rides along in one extension of iopcli's own per resource or activity (a JSON
object of the remaining plan fields), so a bundle iopcli wrote reads back into the same plan.

Deterministic: resource ids are uuid5 of the plan id and the item's key, the bundle's timestamp is
the plan's ``updated`` (never the clock), and the JSON is written the same way every time.

Models come from ``fhir.resources.R4B`` (its R4-compatible shapes; the top-level modules are R5),
imported only here and only when a bundle is written or read.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from iopcli.errors import PlanFileError, Problem
from iopcli.model import (
    AftercarePlan,
    Appointment,
    Meeting,
    MeetingRepeat,
    NextProgram,
    Recurrence,
)

# --- systems -------------------------------------------------------------------------------
# iopcli's own namespace for codes and extensions that have no official home. It is not an
# official code system; receivers treat it as a local one.
BASE = "https://iopcli.example/fhir"
EXT_MORE = f"{BASE}/StructureDefinition/plan-fields"  # the plan fields FHIR has no element for
EXT_ITEM = f"{BASE}/StructureDefinition/item-id"  # the plan item an activity stands for
EXT_WEEKS = f"{BASE}/StructureDefinition/week-of-month"  # monthly meetings: 1st..5th, last
CS_ACTIVITY = f"{BASE}/CodeSystem/activity"  # meeting, appointment, refill, plan-review, ...
CS_FELLOWSHIP = f"{BASE}/CodeSystem/fellowship"
CS_APPOINTMENT = f"{BASE}/CodeSystem/appointment-kind"
CS_PLAN = f"{BASE}/CodeSystem/plan-part"  # aftercare, safety-plan, relapse-prevention
ID_PLAN = f"{BASE}/NamingSystem/plan-id"
ID_ITEM = f"{BASE}/NamingSystem/item-id"
ID_PROGRAM = f"{BASE}/NamingSystem/program-directory-id"  # a program's id in the directory
CS_CONTACT = f"{BASE}/CodeSystem/contact-purpose"  # intake: the number that books the intake

# HL7 core extension (FHIR Extensions Pack, "TimezoneCode"): an IANA zone such as America/Chicago.
EXT_TIMEZONE = "http://hl7.org/fhir/StructureDefinition/timezone"
SNOMED = "http://snomed.info/sct"
# SNOMED CT 718347000 |Mental health care plan (record artifact)|, a member of the FHIR
# care-plan-category example value set (http://hl7.org/fhir/ValueSet/care-plan-category, is-a
# 734163000 |Care plan|).
CATEGORY_CODE = ("718347000", "Mental health care plan (record artifact)")
LOINC = "http://loinc.org"
# LOINC 18776-5 "Plan of care note" (the C-CDA Care Plan Document Type value set).
HANDOUT_TYPE = ("18776-5", "Plan of care note")
# HL7 v3 Confidentiality R "restricted": the person asked for discretion (plan.discreet).
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
BCP47 = "urn:ietf:bcp:47"

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, BASE)

SAFETY_STEPS = {
    "warning_signs": "warning-sign",
    "coping_strategies": "coping-strategy",
    "distraction_people": "distraction-person",
    "distraction_places": "distraction-place",
    "people_to_ask": "person-to-ask",
    "professionals": "professional",
    "safe_environment": "safe-environment",
    "reasons_for_living": "reason-for-living",
}
RELAPSE_PARTS = {
    "triggers": "trigger",
    "warning_signs": "warning-sign",
    "coping_strategies": "coping-strategy",
    "high_risk_situations": "high-risk-situation",
    "after_a_lapse": "after-a-lapse",
    "reasons_for_recovery": "reason-for-recovery",
}
_LABELS = {
    "warning-sign": "Warning sign",
    "coping-strategy": "Coping strategy",
    "distraction-person": "Person who helps take my mind off things",
    "distraction-place": "Place that helps take my mind off things",
    "person-to-ask": "Person I can ask for help",
    "professional": "Professional or agency to contact",
    "safe-environment": "Making the environment safe",
    "reason-for-living": "Reason for living",
    "trigger": "Trigger and what I will do",
    "high-risk-situation": "High-risk situation",
    "after-a-lapse": "After a lapse",
    "reason-for-recovery": "Reason for recovery",
    "meeting": "Support group meeting",
    "appointment": "Appointment",
    "refill": "Medication refill",
    "plan-review": "Plan review",
    "continuing-care": "Referral to continuing care",
}


# --- export ----------------------------------------------------------------------------------


def plan_to_fhir(
    plan: AftercarePlan, *, clinician: bool = False, discreet: bool | None = None
) -> bytes:
    """The plan as a FHIR R4 Bundle (JSON bytes), every resource checked by the FHIR models."""
    from fhir.resources.R4B.bundle import Bundle

    data = plan_to_bundle(plan, clinician=clinician, discreet=discreet)
    bundle = Bundle.model_validate(data, strict=True)
    out = bundle.model_dump(mode="json", by_alias=True, exclude_none=True)
    return (json.dumps(out, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _uuid(plan: AftercarePlan, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{plan.id}/{key}"))


def _ref(uid: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{uid}"}


def _more(data: dict[str, Any], mapped: set[str]) -> list[dict[str, Any]]:
    rest = {k: v for k, v in data.items() if k not in mapped}
    if not rest:
        return []
    return [{"url": EXT_MORE, "valueString": json.dumps(rest, sort_keys=True, ensure_ascii=False)}]


def _coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def _activity_code(code: str, *extra: dict[str, str]) -> dict[str, Any]:
    return {"coding": [_coding(CS_ACTIVITY, code, _LABELS[code]), *extra], "text": _LABELS[code]}


def _item_ext(item_id: str | None) -> list[dict[str, str]]:
    return [{"url": EXT_ITEM, "valueString": item_id}] if item_id else []


def _identifier(item_id: str | None) -> list[dict[str, str]]:
    return [{"system": ID_ITEM, "value": item_id}] if item_id else []


def _time(value: dt.time) -> str:
    return value.isoformat() if value.second or value.microsecond else f"{value:%H:%M}:00"


def _phone(number: str | None, use: str | None = None) -> list[dict[str, str]]:
    if not number:
        return []
    point = {"system": "phone", "value": number}
    if use:
        point["use"] = use
    return [point]


@dataclass
class _Builder:
    plan: AftercarePlan
    clinician: bool
    discreet: bool
    entries: list[dict[str, Any]] = field(default_factory=list)

    def add(self, key: str, resource: dict[str, Any]) -> str:
        uid = _uuid(self.plan, key)
        resource["id"] = uid
        self.entries.append({"fullUrl": f"urn:uuid:{uid}", "resource": resource})
        return uid

    def dump(self, item: Any) -> dict[str, Any]:
        return dict(item.model_dump(mode="json", exclude_defaults=True))


def plan_to_bundle(
    plan: AftercarePlan, *, clinician: bool = False, discreet: bool | None = None
) -> dict[str, Any]:
    """The Bundle as plain JSON data (not yet checked by the FHIR models)."""
    b = _Builder(plan, clinician, plan.discreet if discreet is None else discreet)
    patient = _patient(b)
    program = b.add(
        "program",
        {
            "resourceType": "Organization",
            "name": plan.program.name,
            "extension": _more(
                b.dump(plan.program), {"name", "counselor", "discharge_date", "next_review"}
            ),
        },
    )
    team_members: list[dict[str, Any]] = []
    if plan.program.counselor is not None:
        counselor = plan.program.counselor
        uid = b.add(
            "counselor",
            {
                "resourceType": "Practitioner",
                "name": [{"text": counselor.name}],
                "telecom": _phone(counselor.phone, "work"),
            },
        )
        team_members.append({"role": [{"text": "Counselor at the program"}], "member": _ref(uid)})
    goals = [_goal(b, goal, patient) for goal in plan.goals]
    contacts = [_contact(b, contact, patient) for contact in plan.contacts]
    for uid, contact in zip(contacts, plan.contacts, strict=True):
        role = contact.role.value.replace("_", " ")
        team_members.append({"role": [{"text": f"Contact ({role})"}], "member": _ref(uid)})
    conditions = _conditions(b, patient) if clinician else []
    care_plan_key = "careplan"
    care_plan_uid = _uuid(plan, care_plan_key)
    safety, helpers = _safety(b, patient, care_plan_uid)
    team_members += helpers
    relapse = _relapse(b, patient, care_plan_uid)
    team = b.add(
        "careteam",
        {
            "resourceType": "CareTeam",
            "status": "active",
            "name": "Aftercare team",
            "subject": _ref(patient),
            "managingOrganization": [_ref(program)],
            "participant": [
                *team_members,
                {"role": [{"text": "Program"}], "member": _ref(program)},
            ],
        },
    )
    activities = [
        *(_meeting(b, m) for m in plan.meetings),
        *(_appointment(b, a, patient) for a in plan.appointments),
        *_refills(b, patient),
    ]
    if plan.next_program is not None:
        activities.append(_next_program(b, plan.next_program, patient))
    if plan.program.next_review is not None:
        activities.append(
            {
                "detail": {
                    "code": _activity_code("plan-review"),
                    "status": "scheduled",
                    "description": "Review this plan together",
                    "scheduledPeriod": {"start": plan.program.next_review.isoformat()},
                }
            }
        )
    top = b.dump(plan)
    top_mapped = {
        "schema_version",
        "id",
        "created",
        "updated",
        "person",
        "program",
        "safety_plan",
        "meetings",
        "appointments",
        "medications",
        "relapse_prevention",
        "contacts",
        "goals",
        "notes",
        "clinician",
        "next_program",
    }
    extension = _more(top, top_mapped)
    if clinician and plan.clinician is not None:
        extension += [
            {
                "url": f"{EXT_MORE}-clinician",
                "valueString": json.dumps(
                    {k: v for k, v in b.dump(plan.clinician).items() if k != "diagnoses"},
                    sort_keys=True,
                    ensure_ascii=False,
                ),
            }
        ]
    period = {"start": plan.program.discharge_date.isoformat()}
    if plan.program.next_review is not None:
        period["end"] = plan.program.next_review.isoformat()
    care_plan: dict[str, Any] = {
        "resourceType": "CarePlan",
        "extension": extension,
        "identifier": [{"system": ID_PLAN, "value": plan.id}],
        "status": "active",
        "intent": "plan",
        "category": [
            {"coding": [_coding(SNOMED, *CATEGORY_CODE)]},
            {"coding": [_coding(CS_PLAN, "aftercare", "Aftercare plan")]},
        ],
        "title": "Aftercare plan",
        "subject": _ref(patient),
        "period": period,
        "author": _ref(program),
        "careTeam": [_ref(team)],
        "addresses": [_ref(uid) for uid in conditions],
        "goal": [_ref(uid) for uid in goals],
        "activity": activities,
        "note": [{"text": plan.notes}] if plan.notes else [],
    }
    if plan.created is not None:
        care_plan["created"] = plan.created.isoformat()
    b.add(care_plan_key, care_plan)
    b.entries.append(safety)
    b.entries.append(relapse)
    _handout(b, patient, care_plan_uid)
    for resource in plan.resources:
        _service(b, resource)
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": _uuid(plan, "bundle"),
        "identifier": {"system": ID_PLAN, "value": plan.id},
        "type": "collection",
        "entry": sorted(b.entries, key=_entry_order),
    }
    if plan.updated is not None:
        bundle["timestamp"] = plan.updated.isoformat()
    if b.discreet:
        bundle["meta"] = {"security": [_coding(CONFIDENTIALITY, "R", "restricted")]}
    pruned: dict[str, Any] = _prune(bundle)
    return pruned


_ORDER = [
    "Patient", "CarePlan", "CareTeam", "Organization", "Practitioner", "RelatedPerson", "Goal",
    "Condition", "Location", "Appointment", "MedicationStatement", "HealthcareService",
    "DocumentReference",
]  # fmt: skip


def _entry_order(entry: dict[str, Any]) -> int:
    """By kind (the aftercare plan before its parts); within a kind, the plan's own order (a
    stable sort), which reading back relies on for medications and contacts."""
    resource = entry["resource"]
    kind = resource["resourceType"]
    first = kind == "CarePlan" and "partOf" not in resource
    return _ORDER.index(kind) * 2 + (0 if first else 1)


def _prune(value: Any) -> Any:
    """No empty lists or objects: FHIR forbids them."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in ([], {}, None)}
    if isinstance(value, list):
        return [v for v in (_prune(v) for v in value) if v not in ([], {}, None)]
    return value


def _patient(b: _Builder) -> str:
    person = b.plan.person
    return b.add(
        "patient",
        {
            "resourceType": "Patient",
            "extension": [
                {"url": EXT_TIMEZONE, "valueCode": person.timezone},
                *_more(b.dump(person), {"name", "language", "timezone", "region", "postal_code"}),
            ],
            # The name the person chose, as written: no legal name is asked for or invented.
            "name": [{"use": "usual", "text": person.name}],
            "communication": [
                {
                    "language": {"coding": [_coding(BCP47, person.language)]},
                    "preferred": True,
                }
            ],
            "address": [{"country": person.region, "postalCode": person.postal_code}],
        },
    )


def _goal(b: _Builder, goal: Any, patient: str) -> str:
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "extension": _more(b.dump(goal), {"id", "goal", "target_date"}),
        "identifier": _identifier(goal.id),
        "lifecycleStatus": "active",
        "description": {"text": goal.goal},
        "subject": _ref(patient),
    }
    if goal.target_date is not None:
        resource["target"] = [{"dueDate": goal.target_date.isoformat()}]
    return b.add(f"goal/{goal.id}", resource)


def _related(b: _Builder, key: str, item: Any, patient: str) -> str:
    return b.add(
        key,
        {
            "resourceType": "RelatedPerson",
            "extension": _more(b.dump(item), {"id", "name", "relationship", "phone"}),
            "identifier": _identifier(item.id),
            "patient": _ref(patient),
            "name": [{"text": item.name}],
            "relationship": [{"text": item.relationship}] if item.relationship else [],
            "telecom": _phone(item.phone),
        },
    )


def _contact(b: _Builder, contact: Any, patient: str) -> str:
    return _related(b, f"contact/{contact.id}", contact, patient)


def _conditions(b: _Builder, patient: str) -> list[str]:
    notes = b.plan.clinician
    if notes is None:
        return []
    return [
        b.add(
            f"condition/{n}",
            {
                "resourceType": "Condition",
                "code": {"text": diagnosis},
                "subject": _ref(patient),
            },
        )
        for n, diagnosis in enumerate(notes.diagnoses)
    ]


def _part(
    b: _Builder,
    key: str,
    title: str,
    code: str,
    patient: str,
    parent: str,
    activities: list[dict[str, Any]],
    extension: list[dict[str, Any]],
) -> dict[str, Any]:
    uid = _uuid(b.plan, key)
    resource = {
        "resourceType": "CarePlan",
        "id": uid,
        "extension": extension,
        "status": "active",
        "intent": "plan",
        "category": [{"coding": [_coding(CS_PLAN, code, title)]}],
        "title": title,
        "partOf": [_ref(parent)],
        "subject": _ref(patient),
        "activity": activities,
    }
    return {"fullUrl": f"urn:uuid:{uid}", "resource": resource}


def _text_activity(code: str, text: str) -> dict[str, Any]:
    return {"detail": {"code": _activity_code(code), "status": "not-started", "description": text}}


def _safety(b: _Builder, patient: str, parent: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    plan = b.plan.safety_plan
    activities: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    for name, code in SAFETY_STEPS.items():
        for entry in getattr(plan, name):
            if isinstance(entry, str):
                activities.append(_text_activity(code, entry))
                continue
            key = f"safety/{name}/{entry.id}"
            if name == "professionals":
                address = [{"text": entry.address}] if entry.address else []
                uid = b.add(
                    key,
                    {
                        "resourceType": "Practitioner",
                        "extension": _more(b.dump(entry), {"id", "name", "phone", "address"}),
                        "identifier": _identifier(entry.id),
                        "name": [{"text": entry.name}],
                        "telecom": _phone(entry.phone, "work"),
                        "address": address,
                    },
                )
                role = entry.role or "Professional"
            else:
                uid = _related(b, key, entry, patient)
                role = _LABELS[code]
            members.append({"role": [{"text": role}], "member": _ref(uid)})
            activity = _text_activity(code, entry.name)
            activity["detail"]["performer"] = [_ref(uid)]
            activities.append(activity)
    extension = _more(b.dump(plan), set(SAFETY_STEPS))
    entry = _part(
        b, "safety-plan", "Safety plan", "safety-plan", patient, parent, activities, extension
    )
    return entry, members


def _relapse(b: _Builder, patient: str, parent: str) -> dict[str, Any]:
    plan = b.plan.relapse_prevention
    activities: list[dict[str, Any]] = []
    for name, code in RELAPSE_PARTS.items():
        for entry in getattr(plan, name):
            if isinstance(entry, str):
                activities.append(_text_activity(code, entry))
            elif name == "triggers":
                # The trigger is the reason for the activity; what I will do is its description.
                detail: dict[str, Any] = {
                    "code": _activity_code(code),
                    "status": "not-started",
                    "reasonCode": [{"text": entry.trigger}],
                }
                if entry.response:
                    detail["description"] = entry.response
                activities.append(
                    {
                        "extension": [
                            *_item_ext(entry.id),
                            *_more(b.dump(entry), {"id", "trigger", "response"}),
                        ],
                        "detail": detail,
                    }
                )
            else:
                activity = _text_activity(code, entry.strategy)
                activity["extension"] = [
                    *_item_ext(entry.id),
                    *_more(b.dump(entry), {"id", "strategy"}),
                ]
                activities.append(activity)
    return _part(
        b,
        "relapse-prevention",
        "Relapse-prevention plan",
        "relapse-prevention",
        patient,
        parent,
        activities,
        [],
    )


def _minutes(start: dt.time, end: dt.time) -> int:
    a = start.hour * 60 + start.minute
    z = end.hour * 60 + end.minute
    return (z - a) % (24 * 60) or 24 * 60


def _timezone_ext(zone: str | None) -> list[dict[str, str]]:
    return [{"url": EXT_TIMEZONE, "valueCode": zone}] if zone else []


def _meeting(b: _Builder, meeting: Meeting) -> dict[str, Any]:
    repeat: dict[str, Any] = {
        "duration": _minutes(meeting.start, meeting.end_time),
        "durationUnit": "min",
        "dayOfWeek": [day.value for day in meeting.days],
        "timeOfDay": [_time(meeting.start)],
    }
    if meeting.repeat is MeetingRepeat.WEEKLY:
        repeat |= {"period": 1, "periodUnit": "wk"}
    elif meeting.repeat is MeetingRepeat.EVERY_2_WEEKS:
        assert meeting.first_date is not None
        repeat |= {
            "period": 2,
            "periodUnit": "wk",
            "boundsPeriod": {"start": meeting.first_date.isoformat()},
        }
    else:
        # FHIR's Timing has no "Nth weekday of the month": the weeks go in an extension.
        repeat |= {"period": 1, "periodUnit": "mo"}
        repeat["extension"] = [{"url": EXT_WEEKS, "valueCode": w.value} for w in meeting.weeks]
    mapped = {"id", "name", "fellowship", "days", "start", "repeat", "first_date", "weeks",
              "timezone", "location", "address", "online_url"}  # fmt: skip
    detail: dict[str, Any] = {
        "code": _activity_code(
            "meeting",
            _coding(CS_FELLOWSHIP, meeting.fellowship.value, meeting.fellowship.label),
        ),
        "status": "scheduled",
        "scheduledTiming": {"extension": _timezone_ext(meeting.timezone), "repeat": repeat},
        "description": meeting.name,
    }
    place = _location(b, f"meeting/{meeting.id}", meeting.location, meeting.address,
                      meeting.online_url)  # fmt: skip
    if place is not None:
        detail["location"] = place
    return {
        "extension": [*_item_ext(meeting.id), *_more(b.dump(meeting), mapped)],
        "detail": detail,
    }


def _location(
    b: _Builder, key: str, name: str | None, address: str | None, url: str | None
) -> dict[str, str] | None:
    """A Location for a meeting's or appointment's place and online link, or None."""
    if not (name or address or url):
        return None
    resource: dict[str, Any] = {
        "resourceType": "Location",
        "status": "active",
        "mode": "instance",
        "name": name,
        "address": {"text": address} if address else None,
        "telecom": [{"system": "url", "value": url}] if url else [],
    }
    return _ref(b.add(f"{key}/location", resource))


_APPOINTMENT_PERIODS = {
    Recurrence.WEEKLY: (1, "wk"),
    Recurrence.EVERY_2_WEEKS: (2, "wk"),
    Recurrence.MONTHLY: (1, "mo"),
}


def _appointment(b: _Builder, item: Appointment, patient: str) -> dict[str, Any]:
    repeat: dict[str, Any] = {
        "boundsPeriod": {"start": item.date.isoformat()},
        "duration": item.duration_minutes,
        "durationUnit": "min",
        "timeOfDay": [_time(item.time)],
    }
    if item.repeat is Recurrence.ONCE:
        repeat["count"] = 1
    else:
        period, unit = _APPOINTMENT_PERIODS[item.repeat]
        repeat |= {"period": period, "periodUnit": unit}
        if unit == "wk":
            repeat["dayOfWeek"] = [item.date.strftime("%a").lower()]
    place = _location(b, f"appointment/{item.id}", None, item.address, item.link)
    zone = ZoneInfo(item.timezone or b.plan.timezone)
    start = dt.datetime.combine(item.date, item.time, tzinfo=zone)
    end = (start.astimezone(dt.UTC) + dt.timedelta(minutes=item.duration_minutes)).astimezone(zone)
    first = b.add(
        f"appointment/{item.id}",
        {
            "resourceType": "Appointment",
            "status": "booked",
            "description": f"{item.kind.label}: {item.provider}",
            "start": start.isoformat(),
            "end": end.isoformat(),
            "minutesDuration": item.duration_minutes,
            "comment": item.notes,
            "participant": [
                {"actor": _ref(patient), "status": "accepted"},
                {"actor": {"display": item.provider}, "status": "accepted"},
                *([{"actor": place, "status": "accepted"}] if place else []),
            ],
        },
    )
    mapped = {"id", "provider", "kind", "date", "time", "duration_minutes", "repeat",
              "timezone", "address", "link"}  # fmt: skip
    detail: dict[str, Any] = {
        "code": _activity_code(
            "appointment", _coding(CS_APPOINTMENT, item.kind.value, item.kind.label)
        ),
        "status": "scheduled",
        "scheduledTiming": {"extension": _timezone_ext(item.timezone), "repeat": repeat},
        "performer": [{"display": item.provider}],
        "description": item.provider,
    }
    if place is not None:
        detail["location"] = place
    return {
        "extension": [*_item_ext(item.id), *_more(b.dump(item), mapped)],
        "reference": _ref(first),
        "detail": detail,
    }


def _next_program(b: _Builder, nxt: NextProgram, patient: str) -> dict[str, Any]:
    """Continuing care: the next program as an Organization (its intake line a contact), the
    intake as an Appointment once booked, and an activity referring the person to it."""
    mapped = {"name", "directory_id", "address", "phone", "intake_phone", "website", "intake"}
    intake_line = [
        {
            "purpose": {"coding": [_coding(CS_CONTACT, "intake", "Intake")], "text": "Intake"},
            "telecom": _phone(nxt.intake_phone, "work"),
        }
    ]
    org = b.add(
        "next-program",
        {
            "resourceType": "Organization",
            "extension": _more(b.dump(nxt), mapped),
            "identifier": (
                [{"system": ID_PROGRAM, "value": nxt.directory_id}] if nxt.directory_id else []
            ),
            "active": True,
            "name": nxt.name,
            "telecom": [
                *_phone(nxt.phone, "work"),
                *([{"system": "url", "value": nxt.website}] if nxt.website else []),
            ],
            "address": [{"text": nxt.address}] if nxt.address else [],
            "contact": intake_line if nxt.intake_phone else [],
        },
    )
    detail: dict[str, Any] = {
        "code": _activity_code("continuing-care"),
        "status": "not-started",
        "performer": [_ref(org)],
        "description": nxt.name,
    }
    activity: dict[str, Any] = {"detail": detail}
    if nxt.intake is not None:
        zone = ZoneInfo(b.plan.timezone)
        start = dt.datetime.combine(nxt.intake.date, nxt.intake.time, tzinfo=zone)
        minutes = nxt.intake.duration_minutes
        end = (start.astimezone(dt.UTC) + dt.timedelta(minutes=minutes)).astimezone(zone)
        intake = b.add(
            "next-program/intake",
            {
                "resourceType": "Appointment",
                "status": "booked",
                "description": f"Intake: {nxt.name}",
                "start": start.isoformat(),
                "end": end.isoformat(),
                "minutesDuration": minutes,
                "participant": [
                    {"actor": _ref(patient), "status": "accepted"},
                    {"actor": {"display": nxt.name}, "status": "accepted"},
                ],
            },
        )
        detail["status"] = "scheduled"
        detail["scheduledPeriod"] = {"start": start.isoformat(), "end": end.isoformat()}
        activity["reference"] = _ref(intake)
    return activity


def _refills(b: _Builder, patient: str) -> Iterator[dict[str, Any]]:
    for med in b.plan.medications:
        mapped = {"id", "name", "dose", "schedule"}
        if med.next_refill is not None:
            mapped |= {"next_refill", "refill_every_days"}
        dosage: dict[str, Any] = {}
        if med.dose:
            dosage["text"] = med.dose
        if med.schedule:
            dosage["timing"] = {"code": {"text": med.schedule}}
        statement = b.add(
            f"medication/{med.id}",
            {
                "resourceType": "MedicationStatement",
                "extension": _more(b.dump(med), mapped),
                "identifier": _identifier(med.id),
                "status": "active",
                "medicationCodeableConcept": {"text": med.name},
                "subject": _ref(patient),
                "dosage": [dosage],
                # For the reader only (read back from the extension): who prescribes, where from.
                "note": [{"text": text} for text in _medication_note(med)],
            },
        )
        if med.next_refill is None:
            continue
        repeat: dict[str, Any] = {"boundsPeriod": {"start": med.next_refill.isoformat()}}
        if med.refill_every_days:
            repeat |= {"period": med.refill_every_days, "periodUnit": "d"}
        else:
            repeat["count"] = 1
        yield {
            "extension": _item_ext(med.id),
            "reference": _ref(statement),
            "detail": {
                "code": _activity_code("refill"),
                "status": "scheduled",
                "scheduledTiming": {"repeat": repeat},
                "description": f"Refill: {med.name}",
            },
        }


def _medication_note(med: Any) -> list[str]:
    parts = []
    if med.prescriber:
        parts.append(f"Prescribed by {med.prescriber}.")
    if med.pharmacy or med.pharmacy_phone:
        where = ", ".join(p for p in (med.pharmacy, med.pharmacy_phone) if p)
        parts.append(f"Pharmacy: {where}.")
    return [" ".join(parts)] if parts else []


def _service(b: _Builder, resource: Any) -> None:
    """A community resource as a HealthcareService, for the reader (read back from the plan's
    extension, which holds the resource in full)."""
    telecom = [
        *_phone(resource.phone),
        *([{"system": "url", "value": resource.url}] if resource.url else []),
        *([{"system": "email", "value": resource.email}] if resource.email else []),
    ]
    b.add(
        f"resource/{resource.id}",
        {
            "resourceType": "HealthcareService",
            "identifier": _identifier(resource.id),
            "active": True,
            "category": [{"text": resource.category.label}],
            "name": resource.name,
            "comment": resource.notes,
            "telecom": telecom,
            "availabilityExceptions": resource.hours,
        },
    )


def _handout(b: _Builder, patient: str, care_plan: str) -> None:
    from iopcli.markdown import plan_to_markdown

    text = plan_to_markdown(b.plan).encode("utf-8")
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "status": "current",
        "type": {"coding": [_coding(LOINC, *HANDOUT_TYPE)]},
        "subject": _ref(patient),
        "description": "Aftercare plan handout",
        "content": [
            {
                "attachment": {
                    "contentType": "text/markdown",
                    "language": b.plan.person.language,
                    "data": base64.b64encode(text).decode("ascii"),
                    "title": "Aftercare plan handout",
                }
            }
        ],
        "context": {"related": [_ref(care_plan)]},
    }
    if b.plan.updated is not None:
        resource["date"] = b.plan.updated.isoformat()
    b.add("handout", resource)


# --- import ----------------------------------------------------------------------------------

Loc = tuple[str | int, ...]


def is_bundle(data: Any) -> bool:
    return isinstance(data, dict) and data.get("resourceType") == "Bundle"


def bundle_path(loc: Loc) -> str:
    """('entry', 2, 'resource', 'period') -> 'entry[2].resource.period'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Reader:
    def __init__(self, bundle: dict[str, Any]) -> None:
        self.bundle = bundle
        self.problems: list[tuple[str, Loc]] = []
        self.where: dict[Loc, Loc] = {}  # plan field -> where in the bundle it came from
        self.by_url: dict[str, tuple[int, dict[str, Any]]] = {}
        self.resources: list[tuple[int, dict[str, Any]]] = []
        entries = bundle.get("entry")
        if not isinstance(entries, list):
            self.fail("a plan needs entries (Patient, CarePlan, ...); there are none", ("entry",))
            return
        for n, entry in enumerate(entries):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict):
                self.fail("must hold a resource", ("entry", n))
                continue
            self.resources.append((n, resource))
            url = entry.get("fullUrl")
            if isinstance(url, str):
                self.by_url[url] = (n, resource)
            if isinstance(resource.get("resourceType"), str) and isinstance(
                resource.get("id"), str
            ):
                self.by_url[f"{resource['resourceType']}/{resource['id']}"] = (n, resource)

    def fail(self, message: str, loc: Loc) -> None:
        self.problems.append((message, loc))

    def of_type(self, kind: str) -> list[tuple[int, dict[str, Any]]]:
        return [(n, r) for n, r in self.resources if r.get("resourceType") == kind]

    def resolve(self, ref: Any, loc: Loc, kind: str) -> tuple[int, dict[str, Any]] | None:
        target = ref.get("reference") if isinstance(ref, dict) else None
        if not isinstance(target, str):
            self.fail(f"needs a reference to the {kind}", loc)
            return None
        found = self.by_url.get(target)
        if found is None or found[1].get("resourceType") != kind:
            article = "an" if kind[0] in "AEIOU" else "a"
            self.fail(f"{target!r} is not {article} {kind} in this bundle", (*loc, "reference"))
            return None
        return found


def _get(obj: Any, *path: str | int) -> Any:
    for part in path:
        if isinstance(part, int):
            obj = obj[part] if isinstance(obj, list) and len(obj) > part else None
        else:
            obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def _ext(obj: Any, url: str) -> Any:
    for ext in _get(obj, "extension") or []:
        if isinstance(ext, dict) and ext.get("url") == url:
            for key, value in ext.items():
                if key.startswith("value"):
                    return value
    return None


def _exts(obj: Any, url: str) -> list[Any]:
    found = []
    for ext in _get(obj, "extension") or []:
        if isinstance(ext, dict) and ext.get("url") == url:
            found += [v for k, v in ext.items() if k.startswith("value")]
    return found


def _code(concept: Any, system: str) -> str | None:
    for coding in _get(concept, "coding") or []:
        if isinstance(coding, dict) and coding.get("system") == system:
            code = coding.get("code")
            return code if isinstance(code, str) else None
    return None


def _name(resource: Any) -> str | None:
    name = _get(resource, "name", 0)
    if isinstance(name, dict):
        if isinstance(name.get("text"), str):
            return str(name["text"])
        parts = [g for g in name.get("given") or [] if isinstance(g, str)]
        if isinstance(name.get("family"), str):
            parts.append(name["family"])
        return " ".join(parts) or None
    return name if isinstance(name, str) else None


def _phone_of(resource: Any) -> str | None:
    for point in _get(resource, "telecom") or []:
        if isinstance(point, dict) and point.get("system") == "phone":
            value = point.get("value")
            return value if isinstance(value, str) else None
    return None


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def bundle_to_plan_data(bundle: dict[str, Any]) -> tuple[dict[str, Any], _Reader]:
    """Plan data (not yet validated) from a Bundle, and the reader with its problems and the
    map from plan fields back to where in the bundle each came from."""
    r = _Reader(bundle)
    if r.problems:
        return {}, r
    plans = [(n, p) for n, p in r.of_type("CarePlan") if not p.get("partOf")]
    if not plans:
        r.fail("a plan needs a CarePlan (the aftercare plan); the bundle has none", ("entry",))
        return {}, r
    n, care = plans[0]
    at: Loc = ("entry", n, "resource")
    data: dict[str, Any] = _more_of(r, care, at)
    ident = next(
        (i.get("value") for i in care.get("identifier") or [] if _get(i, "system") == ID_PLAN),
        None,
    )
    data["id"] = ident or care.get("id") or bundle.get("id")
    r.where[("id",)] = (*at, "identifier") if ident else (*at, "id")
    if care.get("created"):
        data["created"] = care["created"]
        r.where[("created",)] = (*at, "created")
    if bundle.get("timestamp"):
        data["updated"] = bundle["timestamp"]
        r.where[("updated",)] = ("timestamp",)
    notes = [a.get("text") for a in care.get("note") or [] if isinstance(a, dict)]
    if notes:
        data["notes"] = "\n\n".join(str(t) for t in notes if t)
        r.where[("notes",)] = (*at, "note")
    patient = r.resolve(care.get("subject"), (*at, "subject"), "Patient")
    if patient is not None:
        data["person"] = _read_person(r, *patient)
    data["program"] = _read_program(r, care, at)
    clinician = _ext(care, f"{EXT_MORE}-clinician")
    diagnoses = []
    for k, ref in enumerate(care.get("addresses") or []):
        found = r.resolve(ref, (*at, "addresses", k), "Condition")
        if found is not None:
            diagnoses.append(_get(found[1], "code", "text"))
    if clinician or diagnoses:
        notes_data = _json_object(r, clinician, (*at, "extension")) if clinician else {}
        if diagnoses:
            notes_data["diagnoses"] = diagnoses
        data["clinician"] = notes_data
        r.where[("clinician",)] = (*at, "addresses")
    _read_activities(r, care, at, data)
    data["goals"] = []
    for k, ref in enumerate(care.get("goal") or []):
        found = r.resolve(ref, (*at, "goal", k), "Goal")
        if found is not None:
            data["goals"].append(_read_goal(r, *found, len(data["goals"])))
    helpers: set[int] = set()
    for part in (p for p in r.of_type("CarePlan") if p[1].get("partOf")):
        kind = _code(_get(part[1], "category", 0), CS_PLAN)
        if kind == "safety-plan":
            data["safety_plan"] = _read_safety(r, *part, helpers)
        elif kind == "relapse-prevention":
            data["relapse_prevention"] = _read_relapse(r, *part)
    # The contacts: every RelatedPerson that is not a helper on the safety plan.
    data["contacts"] = []
    for n, resource in r.of_type("RelatedPerson"):
        if n not in helpers:
            where: Loc = ("contacts", len(data["contacts"]))
            data["contacts"].append(_read_related(r, n, resource, where))
    return data, r


def _json_object(r: _Reader, text: Any, loc: Loc) -> dict[str, Any]:
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        r.fail(f"the {EXT_MORE} extension must hold a JSON object", loc)
        return {}
    return value


def _more_of(r: _Reader, element: Any, loc: Loc) -> dict[str, Any]:
    text = _ext(element, EXT_MORE)
    return _json_object(r, text, (*loc, "extension")) if text is not None else {}


def _read_person(r: _Reader, n: int, patient: dict[str, Any]) -> dict[str, Any]:
    at: Loc = ("entry", n, "resource")
    person = _more_of(r, patient, at)
    name = _name(patient)
    if name is None:
        r.fail("the person needs a name (name[0].text): the name they chose", (*at, "name"))
    person["name"] = name
    r.where[("person", "name")] = (*at, "name")
    zone = _ext(patient, EXT_TIMEZONE)
    if zone is None:
        r.fail(f"the person's time zone is missing (extension {EXT_TIMEZONE})", (*at, "extension"))
    person["timezone"] = zone
    r.where[("person", "timezone")] = (*at, "extension")
    language = _code(_get(patient, "communication", 0, "language"), BCP47)
    if language:
        person["language"] = language
        r.where[("person", "language")] = (*at, "communication", 0, "language")
    country = _get(patient, "address", 0, "country")
    if country:
        person["region"] = country
        r.where[("person", "region")] = (*at, "address", 0, "country")
    postal_code = _get(patient, "address", 0, "postalCode")
    if postal_code:
        person["postal_code"] = postal_code
        r.where[("person", "postal_code")] = (*at, "address", 0, "postalCode")
    return person


def _read_program(r: _Reader, care: dict[str, Any], at: Loc) -> dict[str, Any]:
    program: dict[str, Any] = {}
    org = r.resolve(care.get("author"), (*at, "author"), "Organization")
    if org is not None:
        n, resource = org
        program = _more_of(r, resource, ("entry", n, "resource"))
        program["name"] = resource.get("name")
        r.where[("program", "name")] = ("entry", n, "resource", "name")
        if resource.get("name") is None:
            r.fail("the program needs a name", ("entry", n, "resource", "name"))
    start = _get(care, "period", "start")
    if not isinstance(start, str):
        r.fail("the discharge date is missing (the plan's period starts on it)",
               (*at, "period", "start"))  # fmt: skip
    program["discharge_date"] = _date(start)
    r.where[("program", "discharge_date")] = (*at, "period", "start")
    end = _get(care, "period", "end")
    if end is not None:
        program["next_review"] = _date(end)
        r.where[("program", "next_review")] = (*at, "period", "end")
    for team_ref in care.get("careTeam") or []:
        team = r.by_url.get(str(_get(team_ref, "reference")))
        for member in _get(team[1] if team else None, "participant") or []:
            if _get(member, "role", 0, "text") == "Counselor at the program":
                found = r.by_url.get(str(_get(member, "member", "reference")))
                if found is not None:
                    counselor = {"name": _name(found[1])}
                    if _phone_of(found[1]):
                        counselor["phone"] = _phone_of(found[1])
                    program["counselor"] = counselor
                    r.where[("program", "counselor")] = ("entry", found[0], "resource")
    return program


def _date(value: Any) -> Any:
    """A FHIR date or dateTime as the plan's date: its first ten characters."""
    if isinstance(value, str) and _DATE.match(value):
        return value[:10]
    return value


def _read_activities(r: _Reader, care: dict[str, Any], at: Loc, data: dict[str, Any]) -> None:
    meetings: list[dict[str, Any]] = []
    appointments: list[dict[str, Any]] = []
    refills: dict[str, dict[str, Any]] = {}
    for k, activity in enumerate(care.get("activity") or []):
        loc: Loc = (*at, "activity", k)
        detail = _get(activity, "detail")
        kind = _code(_get(detail, "code"), CS_ACTIVITY)
        if kind == "meeting":
            r.where[("meetings", len(meetings))] = loc
            meetings.append(_read_meeting(r, activity, loc))
        elif kind == "appointment":
            r.where[("appointments", len(appointments))] = loc
            appointments.append(_read_appointment(r, activity, loc))
        elif kind == "continuing-care":
            r.where[("next_program",)] = loc
            data["next_program"] = _read_next_program(r, activity, loc)
        elif kind == "refill":
            repeat = _get(detail, "scheduledTiming", "repeat")
            refill: dict[str, Any] = {"next_refill": _date(_get(repeat, "boundsPeriod", "start"))}
            if _get(repeat, "periodUnit") == "d":
                refill["refill_every_days"] = _get(repeat, "period")
            refills[str(_ext(activity, EXT_ITEM))] = refill
    data["meetings"] = meetings
    data["appointments"] = appointments
    data["medications"] = []
    for n, statement in r.of_type("MedicationStatement"):
        loc = ("entry", n, "resource")
        med = _more_of(r, statement, loc)
        ident = _item_id(statement)
        if ident:
            med["id"] = ident
        med["name"] = _get(statement, "medicationCodeableConcept", "text")
        if med["name"] is None:
            r.fail("a medication needs a name (medicationCodeableConcept.text)",
                   (*loc, "medicationCodeableConcept"))  # fmt: skip
        dose = _get(statement, "dosage", 0, "text")
        schedule = _get(statement, "dosage", 0, "timing", "code", "text")
        med |= {k: v for k, v in (("dose", dose), ("schedule", schedule)) if v is not None}
        med |= refills.get(str(ident), {})
        r.where[("medications", len(data["medications"]))] = loc
        data["medications"].append(med)


def _read_next_program(r: _Reader, activity: Any, loc: Loc) -> dict[str, Any]:
    """The next program from the Organization performing the referral, and its intake from
    the Appointment the activity refers to (or the activity's scheduled period)."""
    detail = _get(activity, "detail")
    found = r.resolve(_get(detail, "performer", 0), (*loc, "detail", "performer", 0),
                      "Organization")  # fmt: skip
    if found is None:
        return {"name": _get(detail, "description")}
    n, org = found
    at: Loc = ("entry", n, "resource")
    out = _more_of(r, org, at)
    out["name"] = org.get("name")
    if out["name"] is None:
        r.fail("the next program needs a name", (*at, "name"))
    for ident in org.get("identifier") or []:
        if _get(ident, "system") == ID_PROGRAM and isinstance(_get(ident, "value"), str):
            out["directory_id"] = ident["value"]
    if isinstance(_get(org, "address", 0, "text"), str):
        out["address"] = org["address"][0]["text"]
    for point in org.get("telecom") or []:
        if _get(point, "system") == "phone" and "phone" not in out:
            out["phone"] = _get(point, "value")
        elif _get(point, "system") == "url" and "website" not in out:
            out["website"] = _get(point, "value")
    for contact in org.get("contact") or []:
        if _code(_get(contact, "purpose"), CS_CONTACT) == "intake":
            number = _phone_of(contact)
            if number:
                out["intake_phone"] = number
    period: Any = _get(detail, "scheduledPeriod")
    if "reference" in (activity or {}):
        booked = r.resolve(activity["reference"], (*loc, "reference"), "Appointment")
        period = booked[1] if booked is not None else None
    start, end = _get(period, "start"), _get(period, "end")
    if isinstance(start, str):
        out["intake"] = _intake_of(start, end)
    return out


def _intake_of(start: str, end: Any) -> dict[str, Any]:
    """The intake's date and wall-clock time as planned, and its length in minutes."""
    intake: dict[str, Any] = {"date": _date(start), "time": _time_of(start[11:19])}
    try:
        length = dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)
    except (TypeError, ValueError):
        return intake
    if length != dt.timedelta(minutes=60):
        intake["duration_minutes"] = int(length.total_seconds() // 60)
    return intake


def _item_id(resource: Any) -> str | None:
    for ident in _get(resource, "identifier") or []:
        if isinstance(ident, dict) and ident.get("system") == ID_ITEM:
            value = ident.get("value")
            return value if isinstance(value, str) else None
    return None


def _time_of(value: Any) -> Any:
    if isinstance(value, str) and value.endswith(":00") and len(value) == 8:
        return value[:5]
    return value


def _activity_item(r: _Reader, activity: Any, loc: Loc) -> tuple[Any, dict[str, Any]]:
    """An activity's detail, and the plan item it starts: the fields carried in iopcli's
    extension, and the item's id."""
    item = _more_of(r, activity, loc)
    ident = _ext(activity, EXT_ITEM)
    if ident:
        item["id"] = ident
    return _get(activity, "detail"), item


def _read_meeting(r: _Reader, activity: Any, loc: Loc) -> dict[str, Any]:
    detail, meeting = _activity_item(r, activity, loc)
    meeting["name"] = _get(detail, "description")
    fellowship = _code(_get(detail, "code"), CS_FELLOWSHIP)
    if fellowship:
        meeting["fellowship"] = fellowship
    timing = _get(detail, "scheduledTiming")
    repeat = _get(timing, "repeat")
    if not isinstance(repeat, dict):
        r.fail("a meeting needs a schedule (scheduledTiming.repeat)",
               (*loc, "detail", "scheduledTiming"))  # fmt: skip
        return meeting
    meeting["days"] = repeat.get("dayOfWeek")
    meeting["start"] = _time_of(_get(repeat, "timeOfDay", 0))
    if "end" not in meeting and isinstance(repeat.get("duration"), int | float):
        minutes = int(repeat["duration"])
        start = _parse_time(meeting["start"])
        if start is not None and minutes != 60:
            end = dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(minutes=minutes)
            meeting["end"] = f"{end:%H:%M}"
    zone = _ext(timing, EXT_TIMEZONE)
    if zone:
        meeting["timezone"] = zone
    if repeat.get("periodUnit") == "mo":
        meeting["repeat"] = "monthly"
        meeting["weeks"] = _exts(repeat, EXT_WEEKS)
    elif repeat.get("period") == 2:
        meeting["repeat"] = "every_2_weeks"
        meeting["first_date"] = _date(_get(repeat, "boundsPeriod", "start"))
    meeting |= _read_location(r, detail, loc, "location", "address", "online_url")
    return meeting


def _parse_time(value: Any) -> dt.time | None:
    try:
        return dt.time.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _read_appointment(r: _Reader, activity: Any, loc: Loc) -> dict[str, Any]:
    detail, item = _activity_item(r, activity, loc)
    item["provider"] = _get(detail, "description") or _get(detail, "performer", 0, "display")
    kind = _code(_get(detail, "code"), CS_APPOINTMENT)
    if kind:
        item["kind"] = kind
    timing = _get(detail, "scheduledTiming")
    repeat = _get(timing, "repeat")
    if not isinstance(repeat, dict):
        r.fail("an appointment needs a schedule (scheduledTiming.repeat)",
               (*loc, "detail", "scheduledTiming"))  # fmt: skip
        return item
    item["date"] = _date(_get(repeat, "boundsPeriod", "start"))
    item["time"] = _time_of(_get(repeat, "timeOfDay", 0))
    if repeat.get("duration") is not None:
        item["duration_minutes"] = repeat["duration"]
    period, unit = repeat.get("period"), repeat.get("periodUnit")
    for recurrence, (p, u) in _APPOINTMENT_PERIODS.items():
        if (period, unit) == (p, u):
            item["repeat"] = recurrence.value
    zone = _ext(timing, EXT_TIMEZONE)
    if zone:
        item["timezone"] = zone
    item |= _read_location(r, detail, loc, None, "address", "link")
    return item


def _read_location(
    r: _Reader, detail: Any, loc: Loc, name: str | None, address: str, url: str
) -> dict[str, Any]:
    """The plan fields of an activity's place: a Location in the bundle, or a display text."""
    place = _get(detail, "location")
    if not isinstance(place, dict):
        return {}
    if "reference" not in place:
        text = place.get("display")
        return {(name or address): text} if text else {}
    found = r.resolve(place, (*loc, "detail", "location"), "Location")
    if found is None:
        return {}
    resource = found[1]
    out: dict[str, Any] = {}
    if name and resource.get("name"):
        out[name] = resource["name"]
    if _get(resource, "address", "text"):
        out[address] = resource["address"]["text"]
    for point in _get(resource, "telecom") or []:
        if isinstance(point, dict) and point.get("system") == "url":
            out[url] = point.get("value")
    return out


def _read_goal(r: _Reader, n: int, resource: dict[str, Any], index: int) -> dict[str, Any]:
    loc: Loc = ("entry", n, "resource")
    goal = _more_of(r, resource, loc)
    ident = _item_id(resource)
    if ident:
        goal["id"] = ident
    goal["goal"] = _get(resource, "description", "text")
    r.where[("goals", index)] = loc
    r.where[("goals", index, "goal")] = (*loc, "description", "text")
    due = _get(resource, "target", 0, "dueDate")
    if due is not None:
        goal["target_date"] = due
        r.where[("goals", index, "target_date")] = (*loc, "target", 0, "dueDate")
    return goal


def _read_related(r: _Reader, n: int, resource: dict[str, Any], where: Loc) -> dict[str, Any]:
    loc: Loc = ("entry", n, "resource")
    person = _more_of(r, resource, loc)
    ident = _item_id(resource)
    if ident:
        person["id"] = ident
    person["name"] = _name(resource)
    relationship = _get(resource, "relationship", 0, "text")
    if relationship:
        person["relationship"] = relationship
    phone = _phone_of(resource)
    if phone:
        person["phone"] = phone
    r.where[where] = loc
    return person


def _read_safety(r: _Reader, n: int, resource: dict[str, Any], helpers: set[int]) -> dict[str, Any]:
    at: Loc = ("entry", n, "resource")
    plan: dict[str, Any] = _more_of(r, resource, at)
    steps = {code: name for name, code in SAFETY_STEPS.items()}
    for k, activity in enumerate(resource.get("activity") or []):
        loc: Loc = (*at, "activity", k)
        detail = _get(activity, "detail")
        name = steps.get(str(_code(_get(detail, "code"), CS_ACTIVITY)))
        if name is None:
            continue
        entries = plan.setdefault(name, [])
        r.where[("safety_plan", name, len(entries))] = loc
        if name in ("distraction_people", "people_to_ask", "professionals"):
            kind = "Practitioner" if name == "professionals" else "RelatedPerson"
            found = r.resolve(_get(detail, "performer", 0), (*loc, "detail", "performer", 0), kind)
            if found is None:
                continue
            helpers.add(found[0])
            helper = _read_related(r, *found, ("safety_plan", name, len(entries)))
            if name == "professionals":
                address = _get(found[1], "address", 0, "text")
                if address:
                    helper["address"] = address
            entries.append(helper)
        else:
            entries.append(_get(detail, "description"))
    return plan


def _read_relapse(r: _Reader, n: int, resource: dict[str, Any]) -> dict[str, Any]:
    at: Loc = ("entry", n, "resource")
    plan: dict[str, Any] = {}
    parts = {code: name for name, code in RELAPSE_PARTS.items()}
    for k, activity in enumerate(resource.get("activity") or []):
        loc: Loc = (*at, "activity", k)
        detail = _get(activity, "detail")
        name = parts.get(str(_code(_get(detail, "code"), CS_ACTIVITY)))
        if name is None:
            continue
        entries = plan.setdefault(name, [])
        r.where[("relapse_prevention", name, len(entries))] = loc
        if name == "triggers":
            item = _more_of(r, activity, loc)
            item["trigger"] = _get(detail, "reasonCode", 0, "text")
            if _get(detail, "description") is not None:
                item["response"] = _get(detail, "description")
        elif name == "coping_strategies":
            item = _more_of(r, activity, loc)
            item["strategy"] = _get(detail, "description")
        else:
            entries.append(_get(detail, "description"))
            continue
        ident = _ext(activity, EXT_ITEM)
        if ident:
            item["id"] = ident
        entries.append(item)
    return plan


def read_bundle(bundle: dict[str, Any], source: str, line_of: Any = None) -> AftercarePlan:
    """The plan a Bundle holds, or PlanFileError with every problem at its place in the bundle
    (``entry[2].resource.period.start``); ``line_of`` maps such a place to a line of the file."""
    from fhir.resources.R4B.bundle import Bundle

    from iopcli.planfile import error_message

    def problem(message: str, loc: Loc) -> Problem:
        return Problem(message, bundle_path(loc), line_of(loc) if line_of else None)

    # First, is it FHIR at all: the FHIR models name every wrong type or unknown element by
    # its place, and the reading below can then trust the shapes it walks.
    unknown = _unknown_resource_types(bundle)
    if unknown:
        raise PlanFileError(source, [problem(m, loc) for m, loc in unknown])
    try:
        Bundle.model_validate(bundle)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
            problems.append(problem(_fhir_message(error, loc), loc))
        raise PlanFileError(source, problems) from None
    except (TypeError, ValueError, LookupError):  # the FHIR library tripped over its input
        raise PlanFileError(
            source, [problem("is not a FHIR R4 bundle iopcli can read", ())]
        ) from None
    data, reader = bundle_to_plan_data(bundle)
    if reader.problems:
        raise PlanFileError(source, [problem(m, loc) for m, loc in reader.problems])
    try:
        return AftercarePlan.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            plan_loc: Loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
            at = _nearest(reader.where, plan_loc)
            plan_field = ".".join(str(p) for p in plan_loc)
            message = error_message(error, plan_loc)
            problems.append(problem(f"{message} (plan field {plan_field})", at))
        raise PlanFileError(source, problems) from None


def _unknown_resource_types(bundle: dict[str, Any]) -> list[tuple[str, Loc]]:
    from fhir.resources.R4B import get_fhir_model_class

    found: list[tuple[str, Loc]] = []
    entries = bundle.get("entry")
    for n, entry in enumerate(entries if isinstance(entries, list) else []):
        resource = _get(entry, "resource")
        if not isinstance(resource, dict):
            continue
        kind = resource.get("resourceType")
        if not isinstance(kind, str):
            found.append(
                ("must name the resource's type", ("entry", n, "resource", "resourceType"))
            )
            continue
        try:
            get_fhir_model_class(kind)
        except (ValueError, LookupError, AttributeError, ImportError):
            message = f"{kind[:80]!r} is not a FHIR R4 resource type"
            found.append((message, ("entry", n, "resource", "resourceType")))
    return found


def _fhir_message(error: Any, loc: Loc) -> str:
    """One error of the FHIR models in plain words."""
    from iopcli.planfile import error_message

    kind = str(error["type"])
    shown = error.get("input")
    typed = f"{shown!r} " if isinstance(shown, str) and len(shown) <= 80 else ""
    if kind.endswith("missing"):
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not an element of this FHIR resource"
    if kind.startswith(("date_", "datetime_", "time_")) or "date" in str(error.get("msg", "")):
        reason = str(error.get("ctx", {}).get("error", "")).replace("_", " ")
        return f"{typed}is not a valid FHIR date or time" + (f": {reason}" if reason else "")
    return error_message(error, loc)


def _nearest(where: dict[Loc, Loc], loc: Loc) -> Loc:
    for end in range(len(loc), 0, -1):
        if loc[:end] in where:
            return where[loc[:end]]
    return ()
