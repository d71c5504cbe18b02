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
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

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
        rows.append((_("Level of care: "), _(_PLAIN_LEVELS.get(level.value, level.label))))
    if nxt.payment_accepted:
        rows.append((_("Payment accepted: "), ", ".join(nxt.payment_accepted)))
    return tuple(rows)


# The level of care in a patient's words: the ASAM numbers in the model's labels are for the
# counselor and the next provider, not for the handout.
_PLAIN_LEVELS = {
    "standard_outpatient": N_("Outpatient (therapy or groups a few hours a week)"),
    "iop_step_down": N_("Intensive outpatient (groups several days a week)"),
    "partial_hospitalization": N_("Partial hospitalization (day treatment, most of the day)"),
    "residential": N_("Residential (you live there during treatment)"),
}


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

#: How far the interview's search looks, in miles. A program the person cannot reach every
#: week is not one they will keep going to, and a list of programs hundreds of miles away
#: usually means a mistyped ZIP.
WITHIN_MILES = 50.0

#: How many programs the interview lists: one screen, numbers of one digit.
SHOWN = 9


class Finder(Protocol):
    """The programs directory as the interview searches it."""

    def __call__(
        self, near: str, levels: Sequence[str], pays: Sequence[str], within: float | None
    ) -> list[tuple[TreatmentProgram, float | None]]:
        """Programs near a ZIP, LAT,LON or anywhere (""), of any of the level codes, taking
        any of the payment codes, within so many miles (None: any distance); nearest first,
        with their distance in miles (None: unknown)."""
        ...

    def program(self, program_id: str) -> TreatmentProgram | None:
        """One program by its id, or None."""
        ...


def pays_of(*texts: str | None) -> list[str]:
    """The directory's payment codes (medicaid, private, ...) that the clinician's payer and
    insurance notes name: 'Illinois Medicaid (Meridian)' -> ['medicaid']."""
    from iopcli.programs import PAYS

    return [code for code, term in PAYS.items() if any(t and term.matches(t) for t in texts)]


def searched_payer(pays: str | None) -> str | None:
    """The payer the clinician's section offers when the next program's search asked for one
    way of paying ('medicaid' -> 'Medicaid'); None for none or several."""
    from iopcli.programs import PAYS

    codes = [code for code in _codes(pays or "") if code in PAYS]
    return PAYS[codes[0]].label if len(codes) == 1 else None


def program_finder(home: Path | None) -> Finder | None:
    """A search over the programs directory in ``home``, or None when there is no directory."""
    from iopcli.directory import DB_NAME
    from iopcli.store import default_home

    folder = home or default_home()
    if not (folder / DB_NAME).exists():
        return None
    finder = _DirectoryFinder(folder)
    # A directory of meetings alone has no program to search: the interview then offers to
    # type the program in, not a search that can only say "no program near".
    return finder if finder.has_programs() else None


class _DirectoryFinder:
    """The programs directory database in a folder, opened for each search."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def has_programs(self) -> bool:
        from iopcli.errors import IopcliError
        from iopcli.program_index import open_programs

        try:
            with open_programs(self.folder, create=False) as index:
                return bool(index.search(limit=1))
        except IopcliError:
            return False  # unreadable: iopcli programs says why; the interview types it in

    def program(self, program_id: str) -> TreatmentProgram | None:
        from iopcli.programs import lookup

        return lookup(self.folder, program_id)

    def __call__(
        self, near: str, levels: Sequence[str], pays: Sequence[str], within: float | None
    ) -> list[tuple[TreatmentProgram, float | None]]:
        from iopcli.places import haversine_miles, resolve, zip_centroid
        from iopcli.program_index import open_programs

        place = resolve(near, "ZIP") if near else None
        with open_programs(self.folder, create=False) as index:
            if place is None:
                hits = index.search(levels=levels, pays=pays, limit=SHOWN)
                return [(hit.program, hit.miles) for hit in hits]
            point = (place.latitude, place.longitude)
            hits = index.search(near=point, within=within, levels=levels, pays=pays, limit=SHOWN)
            found: list[tuple[TreatmentProgram, float | None]] = [
                (hit.program, hit.miles) for hit in hits if hit.miles is not None
            ]
            unknown = [hit.program for hit in hits if hit.miles is None]
            # A program listed without coordinates is placed at its ZIP's centre: the nearest
            # with coordinates would otherwise push one in the person's own area off the list.
            area = re.match(r"\s*(\d{3})\d{2}", near)
            if area:
                for hit in index.search(area[1], levels=levels, pays=pays, limit=200):
                    program = hit.program
                    centre = zip_centroid(program.zip)
                    if program.latitude is not None and program.longitude is not None:
                        continue
                    if centre is None or not program.zip.startswith(area[1]):
                        continue  # the three digits matched a street number, say
                    miles = round(haversine_miles(*point, *centre), 1)
                    if within is None or miles <= within:
                        found.append((program, miles))
            found.sort(key=lambda pair: pair[1] if pair[1] is not None else math.inf)
            seen = {program.id for program, _miles in found}
            found += [(program, None) for program in unknown if program.id not in seen]
        return found[:SHOWN]


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
        if plan.get("next_program"):  # care after discharge was just set to none
            keep = interview.yes(
                "program/next/keep",
                f"No care after discharge, but the plan names {plan['next_program'].get('name')}"
                " as the next program: keep it?",
                False,
            )
            if not keep:
                plan.pop("next_program", None)
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
    """The search, pre-filled with the person's ZIP, the payer and the level of care, within
    :data:`WITHIN_MILES` of the ZIP; the program picked by number (its details from the
    directory), ``type``, or None to skip. Another ZIP typed at the pick searches near it (a
    mistyped ZIP is put right in one answer), and ``farther`` lifts the distance limit."""
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

    near = interview.ask(
        "program/next/near",
        "ZIP code to search near (Enter for anywhere)",
        default=person.get("postal_code") or "",
        checker=_where,
        help="A U.S. ZIP code (60657) or LAT,LON: the nearest programs within"
        f" {WITHIN_MILES:.0f} miles come first. A ZIP is kept as the person's postal code.",
    )
    _keep_zip(person, near)
    levels = interview.ask(
        "program/next/level",
        f"Level of care ({', '.join(LEVELS)}; Enter for any)",
        default=SEARCH_LEVELS.get(level, ""),
        checker=codes(LEVELS),
        reader=_read_codes,
        help="iop intensive outpatient, php partial hospitalization, op outpatient, mat"
        " medication treatment, otp opioid treatment program. Several with commas.",
    )
    pays = interview.ask(
        "program/next/pays",
        f"Payment it must take ({', '.join(PAYS)}; Enter for any)",
        default=", ".join(pays_of(clinician.get("payer"), clinician.get("insurance"))),
        checker=codes(PAYS),
        reader=_read_codes,
        help="Filled in from the clinician's payer and insurance notes when they are known."
        " Several with commas: a program taking any of them is shown.",
    )
    within: float | None = WITHIN_MILES
    for round_ in range(1, 100):
        found = find(near, _codes(levels), _codes(pays), within if near else None)
        key = "program/next/pick" if round_ == 1 else f"program/next/pick/{round_}"
        if found:
            for n, (program, miles) in enumerate(found, 1):
                where = program.address or "no address listed"
                interview.say(
                    f"  {n}. {program.display_name}: {where} ({_distance(program, miles)})"
                    f" [{program.id}]"
                )
            answer = interview.ask(
                key,
                "Which one? (a number; type, to type one in; another ZIP to search near it;"
                " Enter to skip)",
                default="",
                checker=_pick_check(len(found)),
                reader=_pick_reader(found),
                help="The number before a program takes its name, place, phones, website and"
                " the payment it accepts from the directory. A ZIP code searches again near it"
                " (and is kept as the person's postal code); farther lists the nearest whatever"
                " the distance.",
            )
        else:
            interview.say(_nothing_near(find, near, levels, pays, within), "yellow")
            answer = interview.ask(
                key,
                "Another ZIP to search near, farther, type (one in), or skip?",
                default="type",
                checker=_pick_check(0),
                help="A ZIP code searches again near it (and is kept as the person's postal"
                " code); farther lists the nearest whatever the distance; type asks for the"
                " program's name and phones; skip leaves the next program out for now.",
            )
        word = answer.lower()
        if word in ("", "skip"):
            return None
        if word == "type":
            return "type"
        if word == "farther":
            within = None
            continue
        if _LIKE_ZIP.fullmatch(answer):
            near, within = answer, WITHIN_MILES
            _keep_zip(person, near)
            continue
        picked = _picked(interview, found, answer)
        if picked is None:
            return None
        region = str(person.get("region") or "US").upper()
        return choose(current, picked, region, level)
    return None  # pragma: no cover - a hundred searches in one interview


_ZIP = re.compile(r"\d{5}(?:-\d{4})?")
_LIKE_ZIP = re.compile(r"\d[\d -]{2,}")  # not a number from the list: a ZIP, or a try at one
_PICKED = "id:"  # the draft records the program picked by id: a number means another program
# once the directory changes, and a draft may be resumed days later


def _where(answer: str) -> str | None:
    from iopcli.errors import UsageError
    from iopcli.places import resolve

    try:
        resolve(answer, "ZIP")
    except UsageError as exc:
        return str(exc).removeprefix("ZIP: ")
    return None


def _keep_zip(person: dict[str, Any], near: str) -> None:
    if _ZIP.fullmatch(near):
        person["postal_code"] = near


def _distance(program: TreatmentProgram, miles: float | None) -> str:
    if miles is None:
        return "distance unknown"
    if program.latitude is None or program.longitude is None:
        return f"about {miles:,.1f} mi, from its ZIP"
    return f"{miles:,.1f} mi"


def _nothing_near(find: Finder, near: str, levels: str, pays: str, within: float | None) -> str:
    """Why the search found nothing, and the nearest match farther away if there is one."""
    if not near or within is None:
        return "  No program in the directory matches."
    said = f"ZIP {near}" if _ZIP.fullmatch(near) else near
    nearest = [(p, m) for p, m in find(near, _codes(levels), _codes(pays), None) if m is not None]
    head = f"  No program in the directory within {within:.0f} miles of {said} matches"
    if not nearest:
        return head + "."
    program, miles = nearest[0]
    place = ", ".join(x for x in (program.city, program.state) if x) or program.display_name
    return f"{head}: the nearest is {miles:,.1f} mi away, in {place}. A mistyped ZIP?"


def _pick_check(size: int) -> Callable[[str], str | None]:
    """A number from the list (read into the program's id), type, skip, farther or a ZIP."""

    def check(answer: str) -> str | None:
        word = answer.lower()
        if word.startswith(_PICKED) or word in ("type", "skip", "farther"):
            return None
        if _LIKE_ZIP.fullmatch(answer):
            return _where(answer)  # None for a ZIP this iopcli knows, else what is wrong
        if not size:
            return "Type a ZIP code, farther, type or skip."
        return f"Type type, or a number from 1 to {size}."

    return check


def _pick_reader(
    found: list[tuple[TreatmentProgram, float | None]],
) -> Callable[[str], tuple[str, str | None]]:
    def read(answer: str) -> tuple[str, str | None]:
        if answer.isdigit() and 1 <= int(answer) <= len(found):
            program = found[int(answer) - 1][0]
            # The number to call comes with the echo: the intake is booked on the phone, now.
            number = program.intake_phone.strip() or program.phone.strip()
            call = f", intake {number}" if program.intake_phone.strip() else f", {number}"
            return _PICKED + program.id, program.display_name + (call if number else "")
        return answer, None

    return read


def _picked(
    interview: Interview, found: list[tuple[TreatmentProgram, float | None]], answer: str
) -> TreatmentProgram | None:
    """The program an answer names: recorded by id (or, in a draft from before, by number).
    One no longer in the directory is said, and the next program is left as it was."""
    if answer.isdigit():  # a draft from before picks were recorded by id
        return found[int(answer) - 1][0] if 1 <= int(answer) <= len(found) else None
    wanted = answer[len(_PICKED) :]
    for program, _miles in found:
        if program.id == wanted:
            return program
    # Resumed after the directory changed: the same program, wherever it now comes.
    again = interview.programs.program(wanted) if interview.programs is not None else None
    if again is None:
        interview.say(
            f"  {wanted}, picked before, is no longer in the programs directory: search again"
            " with iopcli edit PLAN program.",
            "yellow",
        )
    return again


def _codes(answer: str) -> list[str]:
    return [c for c in re.split(r"[\s,;]+", answer.strip().lower()) if c]


# What counselors type for the search's codes: the plan's own words for levels of care, and how
# people name ways of paying.
_SAYINGS = {
    "outpatient": "op", "standard": "op", "intensive": "iop", "partial": "php", "day": "php",
    "medication": "mat", "moud": "mat", "buprenorphine": "mat", "methadone": "otp",
    "cash": "self-pay", "selfpay": "self-pay", "uninsured": "self-pay", "insurance": "private",
    "commercial": "private", "tricare": "military", "va": "military", "iop_step_down": "iop",
}  # fmt: skip


def _read_codes(answer: str) -> tuple[str, str | None]:
    """'IOP, outpatient' -> 'iop, op'; 'self pay' -> 'self-pay'; echoed when changed."""
    text = re.sub(r"\bself[\s_]+pay\b", "self-pay", answer.strip().lower())
    text = re.sub(r"\b(standard|intensive|partial)[\s_-]+\w+", r"\1", text)
    codes = list(dict.fromkeys(_SAYINGS.get(c, c) for c in _codes(text)))
    read = ", ".join(codes)
    return read, None if read == answer.strip() else read


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
        if q.field == "date" and intake.get("date"):
            note = _intake_note(interview.plan, str(intake["date"]))
            if note:
                interview.say(f"  ! {note}", "yellow")
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


def _intake_note(plan: dict[str, Any], day: str) -> str | None:
    """Said as soon as the intake date is typed, while the intake line is still on the phone:
    a date before discharge, or past the 7-day continuity-of-care mark (validate --strict
    says the same at the review, when the call is over)."""
    try:
        intake = dt.date.fromisoformat(day)
        discharge = dt.date.fromisoformat(str((plan.get("program") or {}).get("discharge_date")))
    except ValueError:
        return None
    days = (intake - discharge).days
    if days < 0:
        when = f"{discharge:%A}, {discharge:%B} {discharge.day}"
        return f"That is before discharge ({when}): is the date right?"
    if days > 7:
        return (
            f"That is {days} days after discharge, past the 7-day mark: ask for an earlier"
            " intake, or book an appointment in between."
        )
    return None


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
