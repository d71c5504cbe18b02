"""The next program of care (continuing care): the handout's "Your next program" section, and
a program from the programs directory turned into the plan's ``next_program``.

Stepping down from an IOP to the next level of care is where people drop out, so the section
leads with what to do (call the intake line, or go to the booked intake), then what to bring and
the questions that decide whether the program fits (a visit, insurance checked with the member
ID, the out-of-pocket cost, a waitlist, the schedule), then the program's details.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from iopcli.i18n import N_, _

if TYPE_CHECKING:
    from iopcli.document import Block, Section, Span, Text
    from iopcli.model import AftercarePlan, NextProgram
    from iopcli.programs import TreatmentProgram

#: What to bring to an intake when the plan lists nothing of its own.
BRING = (
    N_("A photo ID"),
    N_("Your insurance card (or proof of income, if they have a sliding fee)"),
    N_("A list of your medications and doses"),
    N_("This plan, and your discharge papers from your program"),
)

#: The questions that decide whether a program fits, asked before or at the intake.
QUESTIONS = (
    N_("Can I visit, or talk with someone there, before I start?"),
    N_(
        "Do you take my insurance? Ask them to check it with your member ID (it is on your "
        "insurance card)."
    ),
    N_("What will I pay out of pocket, each week or month?"),
    N_("Is there a waitlist? How soon can I start?"),
    N_("What days and times are the groups and sessions? Do they fit my work, school and family?"),
)


def section(plan: AftercarePlan) -> Section | None:
    """The "Your next program" section, or None when the plan names no next program."""
    from iopcli.document import Items, Paragraph, Section, Subsection
    from iopcli.sections import HANDOUT_SECTIONS

    nxt = plan.next_program
    if nxt is None:
        return None
    blocks: list[Block] = [Paragraph(_first_step(nxt, plan.person.region))]
    bring = tuple(nxt.what_to_bring) or tuple(_(item) for item in BRING)
    blocks.append(Subsection(_("What to bring"), (Items(tuple((item,) for item in bring)),)))
    asks = tuple((_(question),) for question in QUESTIONS)
    blocks.append(Subsection(_("Questions to ask"), (Items(asks, numbered=True),)))
    blocks.append(Subsection(_("About the program"), (Items(_details(plan, nxt)),)))
    if nxt.notes:
        blocks += [Paragraph((paragraph,)) for paragraph in nxt.notes.split("\n\n")]
    return Section("next", _(HANDOUT_SECTIONS["next"]), tuple(blocks))


def intake_number(nxt: NextProgram) -> str | None:
    """The number that books or changes the intake: the intake line, else the main number."""
    return nxt.intake_phone or nxt.phone


def _first_step(nxt: NextProgram, region: str) -> Text:
    """Intake first: the booked appointment, or the call that books it."""
    from iopcli.document import Strong

    number = intake_number(nxt)
    phone = _phone(number, region) if number else None
    if nxt.intake is not None:
        when = _when(nxt.intake.date, nxt.intake.time)
        head = Strong(
            _("Your intake appointment at {program}: {when}.").format(program=nxt.name, when=when)
        )
        if phone is None:
            return (head,)
        return (head, " ", *fill(_("To change it, call {phone}."), phone=phone))
    if phone is None:
        head = Strong(_("Book your intake at {program}.").format(program=nxt.name))
        return (head, " ", _("Ask your counselor for their intake number."))
    return fill(
        _("Call {program} to book your intake: {phone}"), program=Strong(nxt.name), phone=phone
    )


def fill(template: str, **spans: Span) -> Text:
    """A whole translated sentence with spans (a link, a name in bold) at its ``{placeholders}``:
    translators see the sentence, not fragments."""
    out: list[Span] = []
    for n, part in enumerate(re.split(r"\{(\w+)\}", template)):
        if n % 2:
            out.append(spans[part])
        elif part:
            out.append(part)
    return tuple(out)


def _details(plan: AftercarePlan, nxt: NextProgram) -> tuple[Text, ...]:
    from iopcli.document import Link, Strong

    region = plan.person.region
    rows: list[Text] = [(Strong(nxt.name),)]
    if nxt.address:
        rows.append((_("Where: "), nxt.address))
    if nxt.intake_phone:
        rows.append((_("Intake: "), _phone(nxt.intake_phone, region)))
    if nxt.phone:
        rows.append((_("Phone: "), _phone(nxt.phone, region)))
    if nxt.website:
        rows.append((_("Website: "), Link(nxt.website, nxt.website, "web")))
    level = nxt.level_of_care or plan.program.level_of_care
    if level != "none":
        rows.append((_("Level of care: "), _(level.label)))
    if nxt.payment_accepted:
        rows.append((_("Payment accepted: "), ", ".join(nxt.payment_accepted)))
    return tuple(rows)


def _phone(number: str, region: str) -> Span:
    from iopcli.document import Link
    from iopcli.values import tel_uri

    return Link(number, tel_uri(number, region), "phone")


def _when(day: dt.date, time: dt.time) -> str:
    from iopcli.i18n import format_date, format_time

    return _("{date} at {time}").format(date=format_date(day), time=format_time(time))


# --- from the programs directory --------------------------------------------------------------

# The plan's level after discharge, and the directory's level codes that provide it.
_LEVELS = {
    "standard_outpatient": ("op", "mat", "otp"),
    "iop_step_down": ("iop",),
    "partial_hospitalization": ("php",),
    "residential": ("residential",),
}


def from_program(program: TreatmentProgram, plan: AftercarePlan) -> dict[str, Any]:
    """A directory program as the plan's ``next_program`` (plain data, validated with the
    plan). Phone numbers and a web address the plan could not hold (a number not valid in the
    plan's region, a site written without ``https://`` that is still not a link) are kept in
    the notes as listed rather than dropped."""
    from iopcli.values import PHONE_REGION, check_phone, check_url

    out: dict[str, Any] = {"name": program.display_name, "directory_id": program.id}
    kept: list[str] = []
    if program.address:
        out["address"] = program.address
    token = PHONE_REGION.set(plan.person.region)
    try:
        for key, number, label in (
            ("phone", program.phone, "Phone"),
            ("intake_phone", program.intake_phone, "Intake"),
        ):
            if not number.strip():
                continue
            try:
                out[key] = check_phone(number)
            except ValueError:
                kept.append(f"{label} (as listed): {number.strip()}")
    finally:
        PHONE_REGION.reset(token)
    if program.hotline.strip():
        kept.append(f"Hotline: {program.hotline.strip()}")
    site = program.website.strip()
    if site:
        if "://" not in site:
            site = "https://" + site
        try:
            out["website"] = check_url(site)
        except ValueError:
            kept.append(f"Website (as listed): {program.website.strip()}")
    level = plan.program.level_of_care.value
    if program.levels and not set(_LEVELS.get(level, ())) & set(program.levels):
        for plan_level, codes in _LEVELS.items():
            if set(codes) & set(program.levels):
                out["level_of_care"] = plan_level
                break
    paid = [*program.payment_accepted, *program.payment_assistance]
    if paid:
        out["payment_accepted"] = list(dict.fromkeys(v.strip() for v in paid if v.strip()))
    if kept:
        out["notes"] = "\n".join(kept)
    return out


def choose(
    current: dict[str, Any] | None, program: TreatmentProgram, plan: AftercarePlan
) -> dict[str, Any]:
    """The plan's new ``next_program`` data when ``program`` is chosen: its details from the
    directory. Choosing the same program again refreshes its details and keeps what the plan
    added (the booked intake, what to bring, the notes); another program starts afresh, since
    an intake belongs to the program it was booked with."""
    chosen = from_program(program, plan)
    if current and current.get("directory_id") == program.id:
        for key in ("intake", "what_to_bring", "notes"):
            if current.get(key):
                chosen[key] = current[key]
    return chosen
