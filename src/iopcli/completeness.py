"""The completeness check behind ``validate --strict``: what a clinician wants before discharge.

A plan can be valid and still leave someone without a number to call. These are warnings, not
errors: the plan loads either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from iopcli.errors import Problem
from iopcli.model import AftercarePlan, Contact, Helper
from iopcli.schedule import EntryKind, first_refill, occurrences, plan_series, zone

STALE_AFTER_DAYS = 365


def check(plan: AftercarePlan, today: dt.date | None = None) -> list[Problem]:
    """Warnings for ``plan``; ``today`` defaults to today in the plan's time zone."""
    if today is None:
        today = dt.datetime.now(zone(plan.timezone)).date()
    found: list[Problem] = []

    def warn(path: str, message: str) -> None:
        found.append(Problem(message, path))

    safety = plan.safety_plan
    steps = {
        "safety_plan.warning_signs": (safety.warning_signs, "step 1 (warning signs)"),
        "safety_plan.coping_strategies": (safety.coping_strategies, "step 2 (coping strategies)"),
        "safety_plan.distraction_people": (
            safety.distraction_people or safety.distraction_places,
            "step 3 (people and places that distract)",
        ),
        "safety_plan.people_to_ask": (safety.people_to_ask, "step 4 (people to ask for help)"),
        "safety_plan.professionals": (
            safety.professionals,
            "step 5 (professionals and agencies to contact)",
        ),
        "safety_plan.safe_environment": (safety.safe_environment, "step 6 (a safe environment)"),
    }
    for path, (entries, name) in steps.items():
        if not entries:
            warn(path, f"safety plan {name} is empty")
    if not safety.people_to_ask and not plan.contacts:
        warn("contacts", "no people to call: add support contacts or people to ask for help")

    people: list[tuple[str, Sequence[Helper | Contact]]] = [
        ("safety_plan.distraction_people", safety.distraction_people),
        ("safety_plan.people_to_ask", safety.people_to_ask),
        ("contacts", plan.contacts),
    ]
    for path, listed in people:
        for i, person in enumerate(listed):
            if person.phone is None:
                warn(f"{path}.{i}.phone", f"{person.name} has no phone number")
    for i, pro in enumerate(safety.professionals):
        if pro.phone is None and pro.after_hours_phone is None:
            warn(f"safety_plan.professionals.{i}.phone", f"{pro.name} has no phone number")
    if plan.program.counselor is not None and plan.program.counselor.phone is None:
        warn("program.counselor.phone", "the counselor has no phone number")

    for i, meeting in enumerate(plan.meetings):
        if not meeting.in_person and not meeting.online:
            warn(f"meetings.{i}", f"{meeting.name} has no address and no online link or phone")

    discharge = plan.program.discharge_date
    for i, appointment in enumerate(plan.appointments):
        if appointment.repeat == "once" and appointment.date < today:
            warn(f"appointments.{i}.date", f"the appointment on {appointment.date} is in the past")
    if not _appointment_soon_after(plan, discharge):
        warn("appointments", "no appointment within 7 days of discharge")
    _check_next_program(plan, warn)

    for i, meeting in enumerate(plan.meetings):
        changed = meeting.source.updated if meeting.source else None
        if changed is not None and (today - changed).days > STALE_AFTER_DAYS:
            warn(
                f"meetings.{i}.source",
                f"{meeting.name}: its listing was last updated over a"
                " year ago (check it still meets; iopcli refresh)",
            )
    for i, med in enumerate(plan.medications):
        path = f"medications.{i}.next_refill"
        if med.refill_every_days and med.next_refill is None:
            warn(
                path,
                f"{med.name}: refills every {med.refill_every_days} days but has no next refill"
                " date, so the calendar has no refill reminder",
            )
        elif med.next_refill is not None and med.next_refill < discharge:
            first = first_refill(med, discharge)
            then = (
                f"the calendar starts at {first}"
                if first is not None and first != med.next_refill
                else "the calendar shows it before discharge"
            )
            warn(path, f"{med.name}: next refill {med.next_refill} is before discharge; {then}")
    if plan.program.next_review is None:
        warn("program.next_review", "no plan review date")
    for i, resource in enumerate(plan.resources):
        if resource.verified is None:
            warn(f"resources.{i}.verified", f"{resource.name}: no date it was last verified")
        elif (today - resource.verified).days > STALE_AFTER_DAYS:
            warn(f"resources.{i}.verified", f"{resource.name}: last verified over a year ago")
    return found


#: Continuity of care: the first visit at the next level of care within this many days.
INTAKE_WITHIN_DAYS = 7


def _check_next_program(plan: AftercarePlan, warn: Callable[[str, str], None]) -> None:
    """Stepping down is where people drop out: a level of care after discharge needs a program
    to go to, and its intake soon enough."""
    level = plan.program.level_of_care
    nxt = plan.next_program
    if nxt is None:
        if level != "none":
            warn(
                "next_program",
                f"no next program, though the level of care after discharge is {level.label}"
                " (name one with iopcli edit PLAN program --next ID, or next_program in the file)",
            )
        return
    if nxt.intake is None:
        return
    days = (nxt.intake.date - plan.program.discharge_date).days
    if days > INTAKE_WITHIN_DAYS:
        warn(
            "next_program.intake.date",
            f"the intake at {nxt.name} on {nxt.intake.date} is {days} days after discharge,"
            f" past the {INTAKE_WITHIN_DAYS}-day continuity-of-care mark: ask for an earlier"
            " intake, or an appointment in between",
        )
    elif days < 0:
        warn(
            "next_program.intake.date",
            f"the intake at {nxt.name} on {nxt.intake.date} is before discharge",
        )


def _appointment_soon_after(plan: AftercarePlan, discharge: dt.date) -> bool:
    last = discharge + dt.timedelta(days=7)
    for series in plan_series(plan, horizon_days=7):
        if series.kind in (EntryKind.APPOINTMENT, EntryKind.INTAKE):
            for occurrence in occurrences(series):
                day = occurrence.start
                day = day.date() if isinstance(day, dt.datetime) else day
                if discharge <= day <= last:
                    return True
    return False
