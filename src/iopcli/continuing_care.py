"""The next program of care (continuing care): the handout's "Your next program" section, and
a program from the programs directory turned into the plan's ``next_program``.

Stepping down from an IOP to the next level of care is where people drop out, so the section
leads with what to do (call the intake line, or go to the booked intake), then what to bring and
the questions that decide whether the program fits (a visit, insurance checked with the member
ID, the out-of-pocket cost, a waitlist, the schedule), then the program's details.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from iopcli.i18n import N_, _

if TYPE_CHECKING:
    from iopcli.document import Block, Section, Span, Text
    from iopcli.interview import Interview
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
        rows.append((_("Level of care: "), level.label))
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


def from_program(
    program: TreatmentProgram, region: str = "US", level: str = "standard_outpatient"
) -> dict[str, Any]:
    """A directory program as the plan's ``next_program`` (plain data, validated with the
    plan), for a plan in ``region`` whose level of care after discharge is ``level``. Phone
    numbers and a web address the plan could not hold (a number not valid in the
    plan's region, a site written without ``https://`` that is still not a link) are kept in
    the notes as listed rather than dropped."""
    from iopcli.values import PHONE_REGION, check_phone, check_url

    out: dict[str, Any] = {"name": program.display_name, "directory_id": program.id}
    kept: list[str] = []
    if program.address:
        out["address"] = program.address
    token = PHONE_REGION.set(region)
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
    current: dict[str, Any] | None,
    program: TreatmentProgram,
    region: str = "US",
    level: str = "standard_outpatient",
) -> dict[str, Any]:
    """The plan's new ``next_program`` data when ``program`` is chosen: its details from the
    directory. Choosing the same program again refreshes its details and keeps what the plan
    added (the booked intake, what to bring, the notes); another program starts afresh, since
    an intake belongs to the program it was booked with."""
    chosen = from_program(program, region, level)
    if current and current.get("directory_id") == program.id:
        for key in ("intake", "what_to_bring", "notes"):
            if current.get(key):
                chosen[key] = current[key]
    return chosen


# --- the interview's questions ----------------------------------------------------------------

#: The directory's level code a search starts from, for the plan's level after discharge.
SEARCH_LEVELS = {
    "standard_outpatient": "op",
    "iop_step_down": "iop",
    "partial_hospitalization": "php",
    "residential": "residential",
}

#: A search of the programs directory: (ZIP or "", level codes, payment codes) -> programs
#: with their distance in miles (None: unknown), nearest first.
Finder = Callable[
    [str, Sequence[str], Sequence[str]], list[tuple["TreatmentProgram", float | None]]
]


def pays_of(*texts: str | None) -> list[str]:
    """The directory's payment codes (medicaid, private, ...) that the clinician's payer and
    insurance notes name: 'Illinois Medicaid (Meridian)' -> ['medicaid']."""
    from iopcli.programs import PAYS

    return [code for code, term in PAYS.items() if any(t and term.matches(t) for t in texts)]


def program_finder(home: Path | None) -> Finder | None:
    """A search over the programs directory in ``home``, or None when there is no directory."""
    from iopcli.directory import DB_NAME
    from iopcli.store import default_home

    folder = home or default_home()
    if not (folder / DB_NAME).exists():
        return None

    def find(
        near: str, levels: Sequence[str], pays: Sequence[str]
    ) -> list[tuple[TreatmentProgram, float | None]]:
        from iopcli.places import resolve
        from iopcli.program_index import open_programs

        place = resolve(near, "ZIP") if near else None
        point = (place.latitude, place.longitude) if place else None
        with open_programs(folder, create=False) as index:
            hits = index.search(near=point, levels=levels, pays=pays, limit=9)
        return [(hit.program, hit.miles) for hit in hits]

    return find


def ask_next_program(interview: Interview) -> None:
    """After the program section: when there is care after discharge, the next program (found
    in the directory, typed in, or kept) and its intake (a date and time, or call to book)."""
    from iopcli.model import LevelOfCare

    plan = interview.plan
    try:
        level = LevelOfCare((plan.get("program") or {}).get("level_of_care") or "op").value
    except ValueError:
        return  # the program section reports it
    if level == "none":
        return
    current = plan.get("next_program") or None
    interview.say("")
    interview.say("The next program (continuing care)", "bold")
    if current:
        interview.say(f"  Now: {summary(current)}")
        words: tuple[str, ...] = ("keep", "search", "type", "none")
        prompt, default = (
            "Next program: keep it, search the directory, type another, or none?",
            "keep",
        )
    else:
        words = ("search", "type", "skip")
        prompt = "Next program: search the directory, type one in, or skip?"
        default = "search" if interview.programs is not None else "type"
    how = interview.ask(
        "program/next/how",
        prompt,
        default=default,
        checker=lambda a: None if a.lower() in words else f"Type {', '.join(words)}.",
        help="The program the person goes to after discharge: search finds it in the programs"
        " directory (iopcli programs import) near their ZIP; type asks for its name and phones.",
    ).lower()
    if how in ("skip", "none"):
        if how == "none":
            plan.pop("next_program", None)
        return
    chosen: dict[str, Any] | None = current if how == "keep" else None
    if how == "type":
        chosen = _by_hand(interview, current or {})
    elif how == "search":
        found = _search(interview, level, current)
        if found is None:
            return  # skipped: the plan keeps what it had
        chosen = _by_hand(interview, {}) if found == "type" else found
    assert chosen is not None
    _intake(interview, chosen)
    plan["next_program"] = chosen


def _search(
    interview: Interview, level: str, current: dict[str, Any] | None
) -> dict[str, Any] | Literal["type"] | None:
    """The search, pre-filled with the person's ZIP, the payer and the level of care; the
    program picked by number (its details from the directory), ``type``, or None to skip."""
    from iopcli.interview import _number_from
    from iopcli.programs import LEVELS, PAYS

    find = interview.programs
    if find is None:
        interview.say(
            "  The programs directory is empty here (iopcli programs import FILE adds"
            " programs); type the program in instead.",
            "yellow",
        )
        return "type"
    person = interview.plan.setdefault("person", {})
    clinician = interview.plan.get("clinician") or {}

    def codes(vocabulary: dict[str, Any]) -> Callable[[str], str | None]:
        def check(answer: str) -> str | None:
            unknown = [c for c in _codes(answer) if c not in vocabulary]
            return (
                f"Not known: {', '.join(unknown)}. Use {', '.join(vocabulary)}."
                if unknown
                else None
            )

        return check

    def where(answer: str) -> str | None:
        from iopcli.errors import UsageError
        from iopcli.places import resolve

        try:
            resolve(answer, "ZIP")
        except UsageError as exc:
            return str(exc).removeprefix("ZIP: ")
        return None

    near = interview.ask(
        "program/next/near",
        "ZIP code to search near (Enter for anywhere)",
        default=person.get("postal_code") or "",
        checker=where,
        help="A U.S. ZIP code (60657) or LAT,LON: the nearest programs come first. A ZIP is"
        " kept as the person's postal code.",
    )
    if re.fullmatch(r"\d{5}(?:-\d{4})?", near):
        person["postal_code"] = near
    levels = interview.ask(
        "program/next/level",
        f"Level of care ({', '.join(LEVELS)}; Enter for any)",
        default=SEARCH_LEVELS.get(level, ""),
        checker=codes(LEVELS),
        help="iop intensive outpatient, php partial hospitalization, op outpatient, mat"
        " medication treatment, otp opioid treatment program. Several with commas.",
    )
    pays = interview.ask(
        "program/next/pays",
        f"Payment it must take ({', '.join(PAYS)}; Enter for any)",
        default=", ".join(pays_of(clinician.get("payer"), clinician.get("insurance"))),
        checker=codes(PAYS),
        help="Filled in from the clinician's payer and insurance notes. Several with commas:"
        " a program taking any of them is shown.",
    )
    found = find(near, _codes(levels), _codes(pays))
    if not found:
        interview.say("  No program in the directory matches.", "yellow")
        answer = interview.ask(
            "program/next/pick",
            "Type one in, or skip? (type, skip)",
            default="type",
            checker=lambda a: None if a.lower() in ("type", "skip") else "Type type or skip.",
        )
        return "type" if answer.lower() == "type" else None
    for n, (program, miles) in enumerate(found, 1):
        distance = f"{miles:.1f} mi" if miles is not None else "distance unknown"
        where_ = program.address or "no address listed"
        interview.say(f"  {n}. {program.display_name}: {where_} ({distance}) [{program.id}]")
    answer = interview.ask(
        "program/next/pick",
        "Which one? (a number; type, to type one in; Enter to skip)",
        default="",
        checker=_number_from(len(found), "type"),
        help="The number before a program takes its name, place, phones, website and the"
        " payment it accepts from the directory.",
    )
    if not answer:
        return None
    if answer.lower() == "type":
        return "type"
    program = found[int(answer) - 1][0]
    interview.say(f"  = {program.display_name}")
    region = str(person.get("region") or "US").upper()
    return choose(current, program, region, level)


def _codes(answer: str) -> list[str]:
    return [c for c in re.split(r"[\s,;]+", answer.strip().lower()) if c]


def _by_hand(interview: Interview, current: dict[str, Any]) -> dict[str, Any]:
    """The next program typed in: name, address, phones, website, what to bring."""
    from iopcli.interview import Q
    from iopcli.model import NextProgram

    data = {k: v for k, v in current.items() if k != "intake"}
    for q in (
        Q("name", "Program name", required=True),
        Q("address", "Address"),
        Q("intake_phone", "Intake phone"),
        Q("phone", "Main phone"),
        Q("website", "Website", kind="link"),
    ):
        interview._field("program/next", NextProgram, q, data)
    if "intake" in current:
        data["intake"] = current["intake"]
    return data


def _intake(interview: Interview, chosen: dict[str, Any]) -> None:
    """The intake appointment: a date and time, or none (the handout says to call to book)."""
    from iopcli.interview import Q
    from iopcli.model import IntakeAppointment, NextProgram

    intake = dict(chosen.get("intake") or {})
    for q in (
        Q(
            "date",
            "Intake date (Enter if not booked yet: the handout says to call to book)",
            kind="date",
            help="The first appointment at the next program.",
        ),
        Q("time", "Intake time, e.g. 10am", required=True, when=lambda d: bool(d.get("date"))),
    ):
        interview._field("program/next/intake", IntakeAppointment, q, intake)
    if intake.get("date"):
        chosen["intake"] = intake
    else:
        chosen.pop("intake", None)
    bring = chosen.get("what_to_bring") or []
    # Shown and read back with ';' between them: a thing to bring may hold a comma.
    data: dict[str, Any] = {"what_to_bring": "; ".join(bring)} if bring else {}
    interview._field(
        "program/next",
        NextProgram,
        Q(
            "what_to_bring",
            "What to bring (separate with ;, Enter: the usual list)",
            many=True,
            kind="list",
        ),
        data,
    )
    chosen.pop("what_to_bring", None)
    if data.get("what_to_bring"):
        chosen["what_to_bring"] = data["what_to_bring"]


def summary(data: dict[str, Any]) -> str:
    """A next program in one line, for the interview: 'Lakeview Counseling Center, intake
    2027-03-10 at 10:00' (or 'intake not booked yet')."""
    from iopcli.values import parse_time_of_day

    intake = data.get("intake") or {}
    if not intake.get("date"):
        return f"{data.get('name')}, intake not booked yet"
    time = intake.get("time")
    with contextlib.suppress(ValueError):  # as typed ("10am") or as stored ("10:00"): one form
        time = parse_time_of_day(time).strftime("%H:%M")
    return f"{data.get('name')}, intake {intake['date']} at {time}"
