"""What a calendar entry is called and where it is, for the .ics file and the agenda alike.

Discreet mode exists because calendars sync to work phones and shared tablets: then titles and
descriptions name no fellowship, diagnosis, medication, provider or clinic.
"""

from __future__ import annotations

from dataclasses import dataclass

from iopcli.i18n import N_, _
from iopcli.model import AftercarePlan, Appointment, Medication, Meeting, NextProgram
from iopcli.schedule import EntryKind, Series

# Titles and fixed words are in the current language (iopcli.i18n): translated where used.
DISCREET_TITLES = {
    EntryKind.MEETING: N_("Meeting"),
    EntryKind.APPOINTMENT: N_("Appointment"),
    EntryKind.REFILL: N_("Pick up prescription"),
    EntryKind.REVIEW: N_("Plan review"),
    EntryKind.INTAKE: N_("Appointment"),
    EntryKind.BOOK_INTAKE: N_("Call to book an appointment"),
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
            details += (
                [_("Types: {types}").format(types=", ".join(item.types))] if item.types else []
            )
            details += [item.notes] if item.notes else []
        title = (
            _(DISCREET_TITLES[series.kind])
            if discreet
            else _("{meeting} ({fellowship})").format(
                meeting=item.name, fellowship=item.fellowship.label
            )
        )
        if item.fellowship == "other" and not discreet:
            title = item.name
        location = where if show_address else None
        if location is None and item.online_url:
            location = _("Online")
        return Described(title, location, item.online_url, item.online_phone, tuple(details))
    if isinstance(item, Appointment):
        title = (
            _(DISCREET_TITLES[series.kind])
            if discreet
            else _("{kind}: {provider}").format(kind=item.kind.label, provider=item.provider)
        )
        details = [] if discreet else [x for x in (item.cost_note, item.notes) if x]
        location = item.address if show_address else None
        if location is None and item.link:
            location = _("Online")
        return Described(title, location, item.link, item.phone, tuple(details))
    if isinstance(item, NextProgram):
        if discreet:
            title = _(DISCREET_TITLES[series.kind])
        elif series.kind is EntryKind.BOOK_INTAKE:
            title = _("Call to book your intake: {program}").format(program=item.name)
        else:
            title = _("Intake appointment: {program}").format(program=item.name)
        phone = item.intake_phone or item.phone
        location = item.address if show_address else None
        details = (
            []
            if discreet or not item.website
            else [_("Website: {value}").format(value=item.website)]
        )
        return Described(title, location, None, phone, tuple(details))
    if isinstance(item, Medication):
        title = (
            _(DISCREET_TITLES[series.kind])
            if discreet
            else _("Refill: {medication}").format(medication=item.name)
        )
        details = []
        if not discreet:
            details = [
                x
                for x in (
                    item.dose,
                    item.pharmacy,
                    item.prescriber and _("Prescriber: {name}").format(name=item.prescriber),
                )
                if x
            ]
        return Described(title, None, None, item.pharmacy_phone, tuple(details))
    title = _(DISCREET_TITLES[series.kind]) if discreet else _("Aftercare plan review")
    counselor = plan.program.counselor
    phone = counselor.phone if counselor else None
    review_with = (
        _("Review your plan with {name}.").format(name=counselor.name)
        if counselor and not discreet
        else None
    )
    return Described(title, None, None, phone, (review_with,) if review_with else ())
