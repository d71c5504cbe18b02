"""What a calendar entry is called and where it is, for the .ics file and the agenda alike.

Discreet mode exists because calendars sync to work phones and shared tablets: then titles and
descriptions name no fellowship, diagnosis, medication, provider or clinic.
"""

from __future__ import annotations

from dataclasses import dataclass

from iopcli.model import AftercarePlan, Appointment, Medication, Meeting, NextProgram
from iopcli.schedule import EntryKind, Series

DISCREET_TITLES = {
    EntryKind.MEETING: "Meeting",
    EntryKind.APPOINTMENT: "Appointment",
    EntryKind.REFILL: "Pick up prescription",
    EntryKind.REVIEW: "Plan review",
    EntryKind.INTAKE: "Appointment",
}


@dataclass(frozen=True)
class Described:
    title: str
    location: str | None = None
    url: str | None = None
    phone: str | None = None
    details: tuple[str, ...] = ()


def describe(
    series: Series, plan: AftercarePlan, discreet: bool, show_address: bool = True
) -> Described:
    item = series.item
    if isinstance(item, Meeting):
        where = ", ".join(x for x in (item.location, item.address) if x) or None
        details: list[str] = []
        if item.online_notes:
            details.append(item.online_notes)
        if not discreet:
            details += [f"Types: {', '.join(item.types)}"] if item.types else []
            details += [item.notes] if item.notes else []
        title = (
            DISCREET_TITLES[series.kind] if discreet else f"{item.name} ({item.fellowship.label})"
        )
        if item.fellowship == "other" and not discreet:
            title = item.name
        location = where if show_address else None
        if location is None and item.online_url:
            location = "Online"
        return Described(title, location, item.online_url, item.online_phone, tuple(details))
    if isinstance(item, Appointment):
        title = DISCREET_TITLES[series.kind] if discreet else f"{item.kind.label}: {item.provider}"
        details = [] if discreet else [x for x in (item.cost_note, item.notes) if x]
        location = item.address if show_address else None
        if location is None and item.link:
            location = "Online"
        return Described(title, location, item.link, item.phone, tuple(details))
    if isinstance(item, NextProgram):
        from iopcli.i18n import _

        title = (
            DISCREET_TITLES[series.kind]
            if discreet
            else _("Intake appointment: {program}").format(program=item.name)
        )
        phone = item.intake_phone or item.phone
        location = item.address if show_address else None
        details = [] if discreet or not item.website else [f"{_('Website')}: {item.website}"]
        return Described(title, location, None, phone, tuple(details))
    if isinstance(item, Medication):
        title = DISCREET_TITLES[series.kind] if discreet else f"Refill: {item.name}"
        details = []
        if not discreet:
            details = [
                x
                for x in (
                    item.dose,
                    item.pharmacy,
                    item.prescriber and f"Prescriber: {item.prescriber}",
                )
                if x
            ]
        return Described(title, None, None, item.pharmacy_phone, tuple(details))
    title = DISCREET_TITLES[series.kind] if discreet else "Aftercare plan review"
    counselor = plan.program.counselor
    phone = counselor.phone if counselor else None
    review_with = f"Review your plan with {counselor.name}." if counselor and not discreet else None
    return Described(title, None, None, phone, (review_with,) if review_with else ())
