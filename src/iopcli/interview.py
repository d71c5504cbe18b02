"""The guided interview behind ``iopcli new`` and ``iopcli edit``.

The questions are data (:data:`SECTIONS`); one runner asks them through an :class:`Asker`, so the
same interview runs in a terminal (:mod:`iopcli.asking`) or from scripted answers in tests.
Every answer is checked on the spot with the plan model's own field types, then recorded in the
draft under a stable key before the next question. Resuming a draft replays the recorded
answers and asks only the rest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, TypeAdapter, ValidationError

from iopcli.continuing_care import Finder
from iopcli.drafts import Draft
from iopcli.model import (
    AftercarePlan,
    Appointment,
    ClinicianNotes,
    Contact,
    ContactRole,
    CopingStrategy,
    Goal,
    Helper,
    Medication,
    Meeting,
    Person,
    Professional,
    Program,
    Resource,
    Text,
    Trigger,
)
from iopcli.values import PHONE_REGION, Choice

CLEAR = "-"  # typed to leave a field with a default empty


class Asker(Protocol):
    """How the interview talks to a person."""

    def say(self, text: str, style: str = "") -> None: ...

    def ask(self, prompt: str, default: str | None) -> str: ...


def _number_from(size: int, *words: str) -> Callable[[str], str | None]:
    """A check for picking from a numbered list: 1 to ``size``, or one of ``words``
    (Enter is the question's default and never reaches the check)."""

    def check(answer: str) -> str | None:
        if answer.lower() in words or (answer.isdigit() and 1 <= int(answer) <= size):
            return None
        if words:
            return f"Type {', '.join(words)}, or a number from 1 to {size}."
        return f"Type a number from 1 to {size}, or press Enter."

    return check


# --- forgiving answers ----------------------------------------------------------------------
# What people type is read into the form the model takes, and the result echoed, so a date read
# wrongly is seen at once. The draft records the result, not the words: "next Tue" resumed next
# week is still the day the person saw.

_MONTHS = {
    name: n
    for n in range(1, 13)
    for name in (
        dt.date(2000, n, 1).strftime("%B").lower(),
        dt.date(2000, n, 1).strftime("%b").lower(),
    )
}
_MONTHS["sept"] = 9
_DAY_WORDS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5,
    "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
_WEEKDAY_VALUES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ORDINALS = {
    "1st": "1st", "first": "1st", "2nd": "2nd", "second": "2nd", "3rd": "3rd", "third": "3rd",
    "4th": "4th", "fourth": "4th", "5th": "5th", "fifth": "5th", "last": "last",
}  # fmt: skip
DATE_HELP = "e.g. 2026-12-15, 12/15, Dec 15, today, tomorrow or next Tue"


def long_date(day: dt.date) -> str:
    """'Tuesday, December 15, 2026': the weekday makes a wrong date stand out."""
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def read_date(text: str, today: dt.date | None = None) -> dt.date:
    """A date as people type it: ISO, 12/15 or 12/15/2026 (month first), Dec 15 (2026),
    15 Dec, today, tomorrow, Tue or next Tue. A date without a year is the next one to come."""
    today = today or dt.date.today()
    words = text.strip().lower().replace(",", " ").replace(".", " ").split()
    joined = " ".join(words)
    if not words:
        raise ValueError(f"a date, {DATE_HELP}")
    if joined in ("today", "now"):
        return today
    if joined == "tomorrow":
        return today + dt.timedelta(days=1)
    relative = len(words) == 1 or (len(words) == 2 and words[0] in ("next", "this", "on"))
    if words[-1] in _DAY_WORDS and relative:
        ahead = (_DAY_WORDS[words[-1]] - today.weekday()) % 7 or 7
        return today + dt.timedelta(days=ahead)
    try:
        return dt.date.fromisoformat(joined)
    except ValueError:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", joined):
            raise ValueError(f"{text.strip()!r} is not a valid date: no such day") from None
    year: int | None = None
    numbers = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})(?:[/-](\d{2}|\d{4}))?", joined)
    named = re.fullmatch(r"([a-z]+) (\d{1,2})(?:st|nd|rd|th)?(?: (\d{4}))?", joined)
    named_after = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)? ([a-z]+)(?: (\d{4}))?", joined)
    if numbers:
        month, day = int(numbers.group(1)), int(numbers.group(2))
        if numbers.group(3):
            year = int(numbers.group(3)) + (2000 if len(numbers.group(3)) == 2 else 0)
    elif named and named.group(1) in _MONTHS:
        month, day = _MONTHS[named.group(1)], int(named.group(2))
        year = int(named.group(3)) if named.group(3) else None
    elif named_after and named_after.group(2) in _MONTHS:
        month, day = _MONTHS[named_after.group(2)], int(named_after.group(1))
        year = int(named_after.group(3)) if named_after.group(3) else None
    else:
        raise ValueError(f"{text.strip()!r} is not a date I can read: {DATE_HELP}")
    try:
        if year is not None:
            return dt.date(year, month, day)
        found = dt.date(today.year, month, day)
        return found if found >= today else dt.date(today.year + 1, month, day)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a day of the calendar: {DATE_HELP}") from None


def read_minutes(text: str) -> str:
    """'50', '50 min', '1h', '1 hour', '1h30', '1:30', '90 minutes' -> '90'."""
    t = text.strip().lower()
    if re.fullmatch(r"\d+", t):
        return t
    hm = re.fullmatch(r"(\d+):(\d{2})", t)
    if hm:
        return str(int(hm.group(1)) * 60 + int(hm.group(2)))
    found = re.fullmatch(
        r"(?:(\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hour|hours))?\s*(?:and\s*)?"
        r"(?:(\d+)\s*(?:m|min|mins|minute|minutes)?)?",
        t,
    )
    if t and found and (found.group(1) or found.group(2)):
        hours = float(found.group(1) or 0)
        return str(round(hours * 60) + int(found.group(2) or 0))
    raise ValueError("a number of minutes, e.g. 50, 50 min, 1h or 1h30")


def read_link(text: str) -> str:
    """``zoom.us/j/123`` -> ``https://zoom.us/j/123``: a web address typed without its start."""
    t = text.strip()
    if re.match(r"^[a-z][a-z0-9+.-]*://", t, re.IGNORECASE):
        return t
    if re.match(r"^(www\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/|$|:|\?)", t):
        return "https://" + t
    return t


_ZONE_NAMES = {
    "eastern": "America/New_York", "central": "America/Chicago", "mountain": "America/Denver",
    "pacific": "America/Los_Angeles", "alaska": "America/Anchorage",
    "hawaii": "Pacific/Honolulu", "arizona": "America/Phoenix", "atlantic": "America/Halifax",
    "newfoundland": "America/St_Johns", "et": "America/New_York", "ct": "America/Chicago",
    "mt": "America/Denver", "pt": "America/Los_Angeles", "est": "America/New_York",
    "edt": "America/New_York", "cst": "America/Chicago", "cdt": "America/Chicago",
    "mst": "America/Denver", "mdt": "America/Denver", "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles", "uk": "Europe/London", "utc": "UTC", "gmt": "UTC",
}  # fmt: skip


def _zones() -> dict[str, str]:
    """Every IANA zone by its folded name, and by its city (the last part) where that is
    unique: 'denver', 'america/denver', 'new york'."""
    import zoneinfo

    names = sorted(
        z for z in zoneinfo.available_timezones() if not z.startswith(("posix/", "right/"))
    )
    found: dict[str, str] = {}
    cities: dict[str, list[str]] = {}
    for name in names:
        found[name.lower()] = name
        city = name.rsplit("/", maxsplit=1)[-1].replace("_", " ").lower()
        cities.setdefault(city, []).append(name)
    for city, zones in cities.items():
        canonical = [z for z in zones if "/" in z and not z.startswith(("Etc/", "US/"))]
        if len(canonical) == 1:
            found.setdefault(city, canonical[0])
    return found


def read_zone(text: str) -> str:
    """A time zone by IANA name in any case, city ('Denver') or common name ('Mountain');
    when unsure, a suggestion."""
    t = " ".join(text.strip().replace("_", " ").split()).lower()
    t = re.sub(r"\s+(time|time zone|standard time|daylight time)$", "", t)
    if t in _ZONE_NAMES:
        return _ZONE_NAMES[t]
    zones = _zones()
    key = t.replace(" / ", "/")
    for candidate in (key, key.replace(" ", "_")):
        if candidate in zones:
            return zones[candidate]
    import difflib

    close = difflib.get_close_matches(key, list(zones) + list(_ZONE_NAMES), n=1, cutoff=0.75)
    if close:
        suggestion = _ZONE_NAMES.get(close[0]) or zones[close[0]]
        raise ValueError(f"{text.strip()!r} is not a time zone I know; did you mean {suggestion}?")
    raise ValueError(
        f"{text.strip()!r} is not a time zone I know: a city (Denver), a common name "
        "(Mountain) or an IANA name (America/Denver)"
    )


def read_days(text: str) -> dict[str, Any]:
    """Meeting days as people say them: 'Mondays and Thursdays', 'tue, thu', 'every other
    Saturday', '1st and 3rd Friday', 'last Sunday' -> days, repeat and weeks."""
    t = text.strip().lower()
    words = [w for w in re.split(r"[\s,;&/]+|\band\b", t) if w]
    repeat = "weekly"
    if t.startswith(("every other ", "every 2nd ", "every second ", "alternate ", "biweekly ")):
        repeat = "every_2_weeks"
        words = words[2:] if t.startswith("every") else words[1:]
    elif words and words[0] == "every":
        words = words[1:]
    weeks = []
    days = []
    for word in words:
        if word in _ORDINALS:
            weeks.append(_ORDINALS[word])
            continue
        if word in ("of", "the", "month", "each", "week", "weekly", "on"):
            continue
        base = word[:-1] if word.endswith("s") and word[:-1] in _DAY_WORDS else word
        if base not in _DAY_WORDS:
            raise ValueError(
                f"{word!r} is not a day: e.g. Mondays and Thursdays, every other Saturday, "
                "1st and 3rd Friday"
            )
        value = _WEEKDAY_VALUES[_DAY_WORDS[base]]
        if value not in days:
            days.append(value)
    if not days:
        raise ValueError("which day(s)? e.g. tue, thu or Mondays and Thursdays")
    if weeks:
        if repeat != "weekly":
            raise ValueError("say either every other week or which weeks of the month")
        return {"days": days, "repeat": "monthly", "weeks": list(dict.fromkeys(weeks))}
    return {"days": days, "repeat": repeat, "weeks": []}


def days_text(days: dict[str, Any]) -> str:
    """The recorded (and echoed) form of :func:`read_days`: 'tue, thu', 'every other sat',
    '1st, 3rd fri'; :func:`read_days` reads it back the same."""
    listed = ", ".join(days["days"])
    if days["repeat"] == "every_2_weeks":
        return f"every other {listed}"
    if days["repeat"] == "monthly":
        return f"{', '.join(days['weeks'])} {listed}"
    return listed


def _words(text: str) -> str:
    """'1st, 3rd fri' -> '1st and 3rd Friday'; for the echo."""
    days = read_days(text)
    names = [dt.date(2024, 1, 1 + _WEEKDAY_VALUES.index(d)).strftime("%A") for d in days["days"]]
    said = " and ".join(names)
    if days["repeat"] == "every_2_weeks":
        return f"every other {said}"
    if days["repeat"] == "monthly":
        return f"the {' and '.join(days['weeks'])} {said} of each month"
    return f"every {said}"


# --- the questions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Q:
    """One field of a model: what to ask, whether it is needed, where its default comes from."""

    field: str  # dotted within the model's dict: "name", "counselor.phone"; "_where": asked only
    prompt: str
    required: bool = False
    many: bool = False  # a list typed on one line, separated by commas: "tue, thu"
    default: Callable[[Interview], str | None] | None = None
    when: Callable[[dict[str, Any]], bool] | None = None  # asked only if this holds
    kind: str = ""  # how the answer is read: date, minutes, link, zone, days, where, person
    detail: bool = False  # behind the item's one "More details?" question
    help: str = ""  # what `?` adds to the field's own description


@dataclass(frozen=True)
class Strings:
    """A list of short texts, one per answer (warning signs, reasons for living); several on
    one line with ';' between them."""

    field: str
    prompt: str


@dataclass(frozen=True)
class Items:
    """A list of structured items asked in a loop (meetings, contacts)."""

    field: str
    noun: str
    model: type[BaseModel]
    questions: tuple[Q, ...]
    clinic_list: str | None = None  # config key holding a clinic's usual entries
    people: bool = False  # offer the people entered once, by number
    quick: bool = False  # the first question is the "add" question: Enter when done


Step = Q | Strings | Items


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    about: str
    model: type[BaseModel] | None  # for sections that are one object (person, program)
    steps: tuple[Step, ...]
    path: str = ""  # where in the plan the section lives ("" = top level)
    skippable: bool = True


def _machine_zone(_: Interview) -> str | None:
    try:
        import tzlocal

        return str(tzlocal.get_localzone_name())
    except Exception:  # no usable local zone: the person types one
        return None


def _config(key: str) -> Callable[[Interview], str | None]:
    def default(interview: Interview) -> str | None:
        value = interview.config.get(key)
        return str(value) if value is not None else None

    return default


def _today(_: Interview) -> str:
    return dt.date.today().isoformat()


def _review_date(interview: Interview) -> str | None:
    discharge = interview.plan.get("program", {}).get("discharge_date")
    try:
        return (dt.date.fromisoformat(str(discharge)) + dt.timedelta(days=30)).isoformat()
    except ValueError:
        return None


def _searched_payer(interview: Interview) -> str | None:
    """The payment the next program's search asked for (asked before this section): typed
    once, offered here."""
    from iopcli.continuing_care import searched_payer

    return searched_payer(interview.draft.answers.get(interview.prefix + "program/next/pays"))


def _meeting_end(interview: Interview) -> str | None:
    start = interview.current.get("start")
    if not start:
        return None
    from iopcli.values import parse_time_of_day

    try:
        time = parse_time_of_day(start)
    except ValueError:
        return None
    end = dt.datetime.combine(dt.date(2000, 1, 1), time) + dt.timedelta(hours=1)
    return end.strftime("%H:%M")


def _choices(model: type[BaseModel], name: str) -> str:
    annotation = model.model_fields[name].annotation if name in model.model_fields else None
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, Choice):
            return ", ".join(member.value for member in candidate)
    return ""


def _where(item: dict[str, Any]) -> str:
    return str(item.get("_where") or "")


def _in_person(item: dict[str, Any]) -> bool:
    return _where(item) in ("in person", "both")


def _online(item: dict[str, Any]) -> bool:
    return _where(item) in ("online", "both")


def _every_other(item: dict[str, Any]) -> bool:
    return item.get("repeat") == "every_2_weeks"


def _someone(relationship: str = "Who they are to you") -> tuple[Q, ...]:
    """The questions for a person: name, who they are to the person, phone."""
    return (
        Q("name", "Name", required=True),
        Q("relationship", relationship),
        Q("phone", "Phone"),
    )


WHERE_HELP = "in person, online or both: it decides whether an address or a link is asked"

SECTIONS: tuple[Section, ...] = (
    Section(
        "person",
        "About you",
        "The name you want on your plan (a first name is fine), and where you live, so times and"
        " crisis lines are right.",
        Person,
        (
            Q("name", "Name on the plan", required=True),
            Q("pronouns", "Pronouns (optional)", detail=True),
            Q(
                "timezone",
                "Time zone",
                required=True,
                default=lambda i: _config("timezone")(i) or _machine_zone(i),
                kind="zone",
            ),
            Q(
                "region",
                "Country (two letters)",
                default=lambda i: str(i.config.get("region", "US")),
                detail=True,
            ),
            Q("language", "Preferred language", default=lambda _: "en", detail=True),
        ),
        path="person",
        skippable=False,
    ),
    Section(
        "program",
        "Your program",
        "The program you are leaving, your counselor, and the care that comes next.",
        Program,
        (
            Q("name", "Program or clinic", required=True, default=_config("program")),
            Q("counselor.name", "Counselor's name", default=_config("counselor"), kind="counselor"),
            Q(
                "counselor.phone",
                "Counselor's phone",
                default=_config("counselor_phone"),
                when=lambda data: bool(_get(data, "counselor.name")),
            ),
            Q("discharge_date", "Discharge date", required=True, default=_today, kind="date"),
            Q("level_of_care", "Care after discharge", default=lambda _: "standard_outpatient"),
            Q("next_review", "Next plan review", default=_review_date, kind="date"),
        ),
        path="program",
        skippable=False,
    ),
    Section(
        "clinician",
        "For the clinician only",
        "Diagnoses, insurance and payer, level-of-care notes and the referral source. Kept in"
        " the plan file, never printed in the handout or the calendar.",
        ClinicianNotes,
        (
            Q("diagnoses", "Diagnoses (separate several with ;)", many=True, kind="list"),
            Q("insurance", "Insurance plan and member id"),
            Q("payer", "Payer", default=_searched_payer),
            Q("level_of_care_notes", "Level-of-care notes"),
            Q("referral_source", "Referred by"),
        ),
        path="clinician",
    ),
    Section(
        "people",
        "People in the plan",
        "Everyone the plan names (sponsor, family, friends, your own therapist), entered once:"
        " later questions offer them by number. The clinic's own professionals are offered"
        " already.",
        None,
        (
            Items(
                "people",
                "person",
                Helper,
                _someone("Who they are to you (sister, sponsor, therapist)"),
                quick=True,
            ),
        ),
        path="_people",
    ),
    Section(
        "safety_plan",
        "Safety plan",
        "Six steps for a hard moment, in order: notice the signs, cope on your own, be around"
        " others, ask someone for help, call a professional, make your surroundings safe.",
        None,
        (
            Strings("warning_signs", "Step 1. A warning sign that a crisis may be starting"),
            Strings("coping_strategies", "Step 2. Something you can do on your own to feel better"),
            Items(
                "distraction_people",
                "person who helps take your mind off things (step 3)",
                Helper,
                _someone(),  # the handout shows "Ada (sister)"
                people=True,
            ),
            Strings("distraction_places", "Step 3. A place or group that helps"),
            Items(
                "people_to_ask",
                "person you can ask for help (step 4)",
                Helper,
                _someone(),
                people=True,
            ),
            Items(
                "professionals",
                "professional or agency (step 5)",
                Professional,
                (
                    Q("name", "Name", required=True),
                    Q("role", "Role (clinician, urgent care, emergency dept.)"),
                    Q("phone", "Phone"),
                    Q("after_hours_phone", "After-hours phone", detail=True),
                    Q("address", "Address", detail=True),
                ),
                clinic_list="professionals",
                people=True,
            ),
            Strings("safe_environment", "Step 6. A way to make your surroundings safer"),
            Strings("reasons_for_living", "A reason for living"),
        ),
        path="safety_plan",
    ),
    Section(
        "meetings",
        "Support groups",
        "Meetings you will go to each week: in person, online, or both.",
        None,
        (
            Items(
                "meetings",
                "meeting",
                Meeting,
                (
                    Q("name", "Meeting name", required=True),
                    Q("fellowship", "Fellowship", default=lambda _: "other"),
                    Q(
                        "days",
                        "Day(s), e.g. tue, thu or every other Saturday",
                        required=True,
                        kind="days",
                        help="Mondays and Thursdays; every other Saturday; 1st and 3rd Friday;"
                        " last Sunday.",
                    ),
                    Q(
                        "first_date",
                        "Date of one of these meetings",
                        required=True,
                        kind="date",
                        when=_every_other,
                    ),
                    Q("start", "Start time, e.g. 7pm", required=True),
                    Q("end", "End time", default=_meeting_end),
                    Q(
                        "_where",
                        "In person, online or both?",
                        default=lambda i: "in person",
                        kind="where",
                        help=WHERE_HELP,
                    ),
                    Q("location", "Place name", when=_in_person),
                    Q("address", "Address", when=_in_person),
                    Q("online_url", "Online link", when=_online, kind="link"),
                    Q("online_phone", "Dial-in phone", when=_online),
                    Q("online_notes", "Meeting ID / passcode", when=_online),
                    Q(
                        "timezone",
                        "Time zone of the meeting (Enter: same as yours)",
                        kind="zone",
                        detail=True,
                    ),
                    Q("notes", "Notes", detail=True),
                ),
                clinic_list="meetings",
            ),
        ),
    ),
    Section(
        "appointments",
        "Therapy and appointments",
        "Therapy, psychiatry, medication and doctor visits: the first date and how often.",
        None,
        (
            Items(
                "appointments",
                "appointment",
                Appointment,
                (
                    Q("provider", "With whom (a name, or a number from the list)", kind="person"),
                    Q("kind", "Kind", default=lambda _: "individual"),
                    Q("date", "First date", required=True, kind="date"),
                    Q("time", "Time, e.g. 3pm", required=True),
                    Q("repeat", "Repeats", default=lambda _: "once"),
                    Q(
                        "_where",
                        "Where (an address, a video link, or Enter for neither)",
                        kind="place",
                        help="An address for a visit in person, or a link (zoom.us/j/123) for"
                        " telehealth.",
                    ),
                    Q(
                        "duration_minutes",
                        "Minutes",
                        default=lambda _: "60",
                        kind="minutes",
                        detail=True,
                    ),
                    Q("phone", "Phone", detail=True),
                    Q("cost_note", "Insurance or cost note", detail=True),
                    Q("notes", "Notes", detail=True),
                ),
                people=True,
                quick=True,
            ),
        ),
    ),
    Section(
        "medications",
        "Medications",
        "What you take, who prescribes it, and when to pick up the next refill.",
        None,
        (
            Items(
                "medications",
                "medication",
                Medication,
                (
                    Q("name", "Medication", required=True),
                    Q("dose", "Dose"),
                    Q("schedule", "When to take it"),
                    Q(
                        "prescriber",
                        "Prescriber (a name, or a number from the list)",
                        kind="person",
                    ),
                    Q("pharmacy", "Pharmacy", detail=True),
                    Q("pharmacy_phone", "Pharmacy phone", detail=True),
                    Q("next_refill", "Next refill", kind="date", detail=True),
                    Q("refill_every_days", "Refill every how many days", detail=True),
                ),
                people=True,
                quick=True,
            ),
        ),
    ),
    Section(
        "resources",
        "Local resources",
        "Help nearby: housing, work, food, legal aid, transport and more.",
        None,
        (
            Items(
                "resources",
                "resource",
                Resource,
                (
                    Q("name", "Name", required=True),
                    Q("category", "Category", default=lambda _: "other"),
                    Q("phone", "Phone"),
                    Q("url", "Website", kind="link"),
                    Q("address", "Address"),
                    Q("hours", "Hours", detail=True),
                    Q("notes", "Notes", detail=True),
                    Q("verified", "Date checked", default=_today, kind="date", detail=True),
                ),
                clinic_list="resources",
            ),
        ),
    ),
    Section(
        "relapse_prevention",
        "Staying on track",
        "Your triggers and what you will do about each, early warning signs, the skills that"
        " help, and what to do after a slip.",
        None,
        (
            Items(
                "triggers",
                "trigger",
                Trigger,
                (
                    Q("trigger", "Trigger", required=True),
                    Q("response", "What you will do about it"),
                    Q("kind", "Kind (people, places, things, feelings, situations)", detail=True),
                ),
                quick=True,
            ),
            Strings("warning_signs", "An early warning sign"),
            Items(
                "coping_strategies",
                "skill that helps",
                CopingStrategy,
                (
                    Q("strategy", "Skill", required=True),
                    Q("helps_with", "Helps with", default=lambda _: "general", detail=True),
                ),
                quick=True,
            ),
            Strings("high_risk_situations", "A high-risk situation to plan for"),
            Strings("after_a_lapse", "A step to take after a slip"),
            Strings("reasons_for_recovery", "A reason for your recovery"),
        ),
        path="relapse_prevention",
    ),
    Section(
        "contacts",
        "People who support you",
        "Sponsor, family, friends and peers: who they are and when to call.",
        None,
        (
            Items(
                "contacts",
                "support contact",
                Contact,
                (
                    Q("name", "Name", required=True),
                    Q("role", "Role", default=lambda _: "other"),
                    Q("relationship", "Who they are to you"),
                    Q("phone", "Phone"),
                    Q("when_to_call", "When to call", detail=True),
                ),
                people=True,
            ),
        ),
    ),
    Section(
        "goals",
        "Goals",
        "What you want to reach soon and further ahead.",
        None,
        (
            Items(
                "goals",
                "goal",
                Goal,
                (
                    Q("goal", "Goal", required=True),
                    Q(
                        "term",
                        "Soon or longer term (short, long)",
                        default=lambda _: "short",
                        detail=True,
                    ),
                    Q("target_date", "By when", kind="date", detail=True),
                ),
                quick=True,
            ),
        ),
    ),
    Section("notes", "Notes", "Anything else worth writing down.", None, (Q("notes", "Notes"),)),
)

# The sections a stored plan can be edited by (people is the interview's own list).
SECTION_KEYS = tuple(s.key for s in SECTIONS if s.key != "people")


# --- checking one answer -------------------------------------------------------------------


def _adapter(model: type[BaseModel], dotted: str) -> TypeAdapter[Any]:
    """A validator for one (possibly nested) field, with its constraints and validators."""
    first, _, rest = dotted.partition(".")
    info = model.model_fields[first]
    if rest:
        inner = info.annotation
        for candidate in (inner, *getattr(inner, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                return _adapter(candidate, rest)
    if not info.metadata:
        return TypeAdapter(info.annotation)  # type: ignore[arg-type]
    return TypeAdapter(Annotated[info.annotation, *info.metadata])  # type: ignore[arg-type]


_NUMBER_EXAMPLES = {
    "duration_minutes": "a number of minutes, e.g. 50",
    "refill_every_days": "a number of days, e.g. 30",
}


def check_answer(model: type[BaseModel], dotted: str, value: Any, region: str) -> str | None:
    """None if ``value`` is good for the field, else the reason in plain words."""
    token = PHONE_REGION.set(region)
    try:
        _adapter(model, dotted).validate_python(value)
    except ValidationError as exc:
        from iopcli.planfile import error_message

        error = exc.errors(include_url=False)[0]
        if error["type"] in ("int_parsing", "int_from_float"):
            # The rule, not Python's words ("unable to parse string as an integer").
            return f"{value!r} is not a whole number: {_NUMBER_EXAMPLES.get(dotted, 'e.g. 30')}"
        return error_message(error, (dotted.rsplit(".", maxsplit=1)[-1],))
    finally:
        PHONE_REGION.reset(token)
    return None


def _split(answer: str, kind: str = "") -> list[str]:
    """A list typed on one line: words (``tue thu``), or with ``kind`` list, texts between
    semicolons (a diagnosis holds commas)."""
    if kind == "list":
        return [part.strip() for part in answer.split(";") if part.strip()]
    return [part for part in re.split(r"[,;]\s*|\s+", answer.strip()) if part]


def _get(data: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)  # type: ignore[assignment]
    return data


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    if value is None:
        data.pop(last, None)
    else:
        data[last] = value


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _model_default(model: type[BaseModel], dotted: str) -> str | None:
    first = dotted.split(".", maxsplit=1)[0]
    info = model.model_fields.get(first)
    if info is None or "." in dotted or info.is_required() or info.default is None:
        return None
    value = info.default
    return str(value.value if isinstance(value, Choice) else value)


def _label(item: dict[str, Any]) -> str:
    for key in ("name", "provider", "goal", "trigger", "strategy"):
        if item.get(key):
            return str(item[key])
    return "(item)"


# --- the runner ------------------------------------------------------------------------------


class Back(Exception):
    """``back`` typed at a question: the previous question is asked again."""


GENERAL_HELP = (
    "Enter takes the value in [brackets]; '-' leaves it empty; 'back' returns to the"
    " previous question."
)
# Recorded by the interview itself, not typed: stepping back goes past them.
_DERIVED = re.compile(r"(^plan/id$|/item/\d+$)")
_FAMILY = (
    "sister mother father mom dad brother wife husband partner son daughter aunt uncle cousin"
    " grandmother grandfather grandma grandpa niece nephew spouse family"
)
_RELATIONS = {"sponsor": "sponsor", "friend": "friend", "peer": "peer"}
_RELATIONS.update(dict.fromkeys(_FAMILY.split(), "family"))
_KINDS = {
    "therapist": "individual",
    "counselor": "individual",
    "psychiatrist": "psychiatry",
    "family therapist": "family",
    "doctor": "primary_care",
    "pcp": "primary_care",
}


def _pick_numbers(answer: str, size: int) -> list[int] | None:
    """'1,3 4' -> [1, 3, 4] when every part is a number from 1 to ``size``, else None."""
    parts = [p for p in re.split(r"[\s,;]+|\band\b", answer.strip()) if p]
    if not parts or not all(p.isdigit() and 1 <= int(p) <= size for p in parts):
        return None
    return list(dict.fromkeys(int(p) for p in parts))


def _summary(item: dict[str, Any]) -> str:
    """An item with its key facts, so three 'Pine Street Big Book' entries are told apart."""
    facts: list[str] = []
    if item.get("days"):
        days = item["days"] if isinstance(item["days"], list) else [item["days"]]
        facts.append(
            days_text(
                {"days": days, "repeat": item.get("repeat", "weekly"), "weeks": item.get("weeks")}
            )
        )
    for key in ("start", "date", "time", "relationship", "role", "dose", "schedule"):
        value = item.get(key)
        if value and key in ("start", "time"):
            from iopcli.values import parse_time_of_day

            with contextlib.suppress(ValueError):  # as typed or as stored: one form, 18:30
                value = parse_time_of_day(value).strftime("%H:%M")
        if value and str(value) not in facts:
            facts.append(str(value))
    for key in ("location", "address", "online_url", "link", "phone"):
        if item.get(key):
            facts.append(str(item[key]))
            break
    return _label(item) + (f" ({', '.join(facts)})" if facts else "")


@dataclass
class Interview:
    asker: Asker
    draft: Draft
    base: dict[str, Any]  # the plan the answers start from: {} for new, the stored plan for edit
    config: dict[str, Any] = field(default_factory=dict)
    plan: dict[str, Any] = field(default_factory=dict)
    current: dict[str, Any] = field(default_factory=dict)  # the item being asked
    # Directory look-up for meetings and resources: (kind, words) -> matching items.
    lookup: Callable[[str, str], list[dict[str, Any]]] | None = None
    # The programs directory, for the next program (continuing_care.program_finder).
    programs: Finder | None = None
    prefix: str = ""  # before every key: a later round of changes to the same draft ("fix1/")
    _muted: bool = False  # replaying after `back`: say only what leads to the next question
    _held: list[tuple[str, str]] = field(default_factory=list)

    @property
    def timezone(self) -> str | None:
        value = _get(self.plan, "person.timezone")
        return str(value) if value else None

    @property
    def region(self) -> str:
        return str(_get(self.plan, "person.region") or "US").upper()

    def say(self, text: str, style: str = "") -> None:
        if self._muted:
            self._held.append((text, style))
        else:
            self.asker.say(text, style)

    # One question: replayed from the draft if answered before, else asked, checked, recorded.
    def ask(
        self,
        key: str,
        prompt: str,
        *,
        default: str | None = None,
        required: bool = False,
        checker: Callable[[str], str | None] | None = None,
        reader: Callable[[str], tuple[str, str | None]] | None = None,
        help: str = "",
    ) -> str:
        key = self.prefix + key
        if key in self.draft.answers:
            self._held.clear()
            return self.draft.answers[key]
        if self._muted:
            self._muted = False
            for text, style in self._held:
                self.asker.say(text, style)
            self._held.clear()
        while True:
            answer = self.asker.ask(prompt, default).strip()
            if answer.lower() == "back":
                raise Back
            if answer == "?":
                self.asker.say(f"  {help + ' ' if help else ''}{GENERAL_HELP}")
                continue
            if answer == "" and default is not None:
                answer = default
            if answer == CLEAR:
                answer = ""
            if not answer and required:
                self.asker.say("  This one is needed.", "yellow")
                continue
            if answer and reader:
                try:
                    answer, echo = reader(answer)
                except ValueError as exc:
                    self.asker.say(f"  {exc}", "yellow")
                    continue
                if echo:
                    self.asker.say(f"  = {echo}")
            reason = checker(answer) if answer and checker else None
            if reason:
                self.asker.say(f"  {reason}", "yellow")
                continue
            self.draft.record(key, answer)
            return answer

    def yes(self, key: str, prompt: str, default: bool) -> bool:
        def yes_or_no(answer: str) -> str | None:
            ok = answer.lower() in ("y", "yes", "n", "no")
            return None if ok else "Please answer y or n."

        shown = "(Y/n)" if default else "(y/N)"
        answer = self.ask(
            key,
            f"{prompt} {shown}",
            default="y" if default else "n",
            checker=yes_or_no,
            help="y or n.",
        )
        return answer.lower().startswith("y")

    def step_back(self) -> bool:
        """Forget the last answer typed (and what the interview recorded after it)."""
        keys = [k for k in self.draft.answers if k.startswith(self.prefix)]
        while keys and _DERIVED.search(keys[-1]):
            keys.pop()
        if not keys:
            return False
        last = keys[-1]
        later = list(self.draft.answers)[list(self.draft.answers).index(last) :]
        for key in later:
            if key == last or _DERIVED.search(key):
                self.draft.answers.pop(key, None)
        self.draft.save()
        return True

    def back(self) -> bool:
        """``back`` after the last question (at the review): forget the last answer; the next
        :meth:`run` replays the rest quietly and asks that question again."""
        stepped = self.step_back()
        self._muted, self._held = True, []
        return stepped

    # --- running -------------------------------------------------------------------------------

    def run(self, only: str | None = None) -> dict[str, Any]:
        """Ask every section (or one), and return the plan data the answers make. ``back``
        forgets the last answer and replays the rest: the question before is asked again."""
        while True:
            try:
                data = self._run(only)
            except Back:
                if not self.step_back():
                    self.asker.say("  This is the first question.")
                self._muted, self._held = True, []
                continue
            data.pop("_people", None)
            return data

    def _run(self, only: str | None) -> dict[str, Any]:
        import copy

        self.plan = copy.deepcopy(self.base)
        if "id" not in self.plan:
            self.plan["id"] = self.draft.answers.get("plan/id") or self._new_id()
        if only == "next":  # edit PLAN next: the next program alone, not the program's fields
            from iopcli.continuing_care import ask_next_program

            ask_next_program(self)
            return self.plan
        sections = [s for s in SECTIONS if only is None or s.key == only]
        skipped = []
        for number, section in enumerate(sections, 1):
            if only is None and not self._enter(section, number, len(sections)):
                skipped.append(section)
                continue
            self._section(section)
        round_ = 0
        while skipped:
            titles = ", ".join(f"{n}. {s.title}" for n, s in enumerate(skipped, 1))
            self.say(f"You skipped: {titles}.")
            answer = self.ask(
                f"return/{round_}",
                "Fill one in now? (number, or Enter to finish)",
                default="",
                checker=_number_from(len(skipped)),
            )
            round_ += 1
            if not answer:
                break
            section = skipped.pop(int(answer) - 1)
            self._section(section)
        return self.plan

    def _new_id(self) -> str:
        plan_id = str(uuid.uuid4())
        self.draft.record("plan/id", plan_id)
        return plan_id

    def _enter(self, section: Section, number: int, total: int) -> bool:
        self.say("")
        self.say(f"{number}/{total} {section.title}", "bold")
        self.say(section.about)
        if not section.skippable:
            return True
        return self.yes(f"{section.key}/go", "Fill this in now?", True)

    def _section(self, section: Section) -> None:
        if section.model is not None:
            self._object(section)
            if section.key == "program":  # then the program that comes next, if care goes on
                from iopcli.continuing_care import ask_next_program

                ask_next_program(self)
            return
        for step in section.steps:
            if isinstance(step, Strings):
                self._strings(section, step)
            elif isinstance(step, Items):
                self._items(section, step)
            else:
                value = self.ask(
                    f"{section.key}/{step.field}",
                    step.prompt,
                    default=_shown(_get(self.plan, step.field)),
                    help="Anything else worth writing down.",
                )
                _set(self.plan, step.field, value or None)

    def _object(self, section: Section) -> None:
        assert section.model is not None
        stored = bool(self.base.get(section.path))
        data = self.plan.setdefault(section.path, {})
        questions = [q for q in section.steps if isinstance(q, Q)]
        for q in questions:
            if not q.detail:
                self._field(section.key, section.model, q, data, stored=stored)
        details = [q for q in questions if q.detail]
        if details:
            names = ", ".join(q.prompt.split(" (")[0].lower() for q in details)
            # A draft begun before this question existed may hold the details already.
            answered = any(self._answered(f"{section.key}/{q.field}") for q in details)
            if answered or self.yes(f"{section.key}/more", f"More details ({names})?", False):
                for q in details:
                    self._field(section.key, section.model, q, data, stored=stored)
        if not data:
            self.plan.pop(section.path, None)

    def _field(
        self,
        prefix: str,
        model: type[BaseModel],
        q: Q,
        data: dict[str, Any],
        *,
        stored: bool = False,
    ) -> None:
        self.current = data
        if q.field == "counselor.phone" and data.pop("_picked", None):
            return  # picked from the clinic's counselors: the phone came with the name
        if q.when is not None and not q.when(data):
            _set(data, q.field, None)
            return
        if q.kind == "days" and data.get("days"):
            days = data["days"] if isinstance(data["days"], list) else [data["days"]]
            weeks = data.get("weeks") or []
            weeks = [weeks] if isinstance(weeks, str) else weeks
            repeat = data.get("repeat") or ("monthly" if weeks else "weekly")
            current: str | None = days_text({"days": days, "repeat": repeat, "weeks": weeks})
        elif q.field == "_where" and "_where" not in data:
            current = self._where_now(data, q.kind, prefix)
        else:
            current = _shown(_get(data, q.field))
        if current is None and stored:
            # A stored plan leaves out fields at their default (region US): that default is its
            # current value, not the clinic's.
            current = _model_default(model, q.field)
        default = current if current is not None else (q.default(self) if q.default else None)
        choices = _choices(model, q.field.split(".")[0])
        prompt = f"{q.prompt} ({choices})" if choices and "(" not in q.prompt else q.prompt
        pool = self._pool(q)
        if pool:
            self.say("  " + "; ".join(f"{n}. {_summary(e)}" for n, e in enumerate(pool, 1)))

        def checker(answer: str) -> str | None:
            if pool and _pick_numbers(answer, len(pool)) and answer.strip().isdigit():
                return None
            if q.field.startswith("_") or q.kind == "days":
                return None
            value: Any = _split(answer, q.kind) if q.many else answer
            reason = check_answer(model, q.field, value, self.region)
            if reason is None and q.field == "first_date":
                day = dt.date.fromisoformat(answer)
                if day.strftime("%a").lower() not in data.get("days", []):
                    return f"{long_date(day)} is not one of the meeting's days"
            return reason

        answer = self.ask(
            f"{prefix}/{q.field}",
            prompt,
            default=default,
            required=q.required,
            checker=checker,
            reader=self._reader(q, pool),
            help=self._help(model, q),
        )
        if pool and answer.isdigit() and 1 <= int(answer) <= len(pool):
            self._take(pool[int(answer) - 1], q, data)
            return
        if q.kind == "days":
            for name, value in read_days(answer).items() if answer else ():
                _set(data, name, value or None)
            if answer and data.get("repeat") == "weekly":
                data.pop("repeat", None)
            return
        if q.kind == "place":
            looks_like_link = bool(re.match(r"^(https?://|www\.)|^[\w-]+(\.[\w-]+)+/", answer))
            data.pop("address", None)
            data.pop("link", None)
            if answer:
                data["link" if looks_like_link else "address"] = answer
            return
        _set(data, q.field, (_split(answer, q.kind) if q.many else answer) or None)

    def _answered(self, key: str) -> bool:
        return bool(self.draft.answers.get(self.prefix + key))

    def _where_now(self, data: dict[str, Any], kind: str, prefix: str = "") -> str | None:
        """The current 'in person, online or both' of a stored item (or of the answers a draft
        begun before this question was asked holds)."""
        earlier = ("location", "address", "online_url", "online_phone", "link")
        recorded = {f: self.draft.answers.get(f"{self.prefix}{prefix}/{f}") for f in earlier}
        data = {**{k: v for k, v in recorded.items() if v}, **data}
        if kind == "place":
            return str(data.get("link") or data.get("address") or "") or None
        person = bool(data.get("location") or data.get("address"))
        online = bool(data.get("online_url") or data.get("online_phone"))
        if person and online:
            return "both"
        if online:
            return "online"
        if person or data:
            return "in person"
        return None

    def _reader(
        self, q: Q, pool: list[dict[str, Any]]
    ) -> Callable[[str], tuple[str, str | None]] | None:
        def with_pool(answer: str) -> tuple[str, str | None]:
            if pool and answer.isdigit() and 1 <= int(answer) <= len(pool):
                return answer, _summary(pool[int(answer) - 1])
            return read(answer)

        def read(answer: str) -> tuple[str, str | None]:
            if q.kind == "date":
                day = read_date(answer)
                return day.isoformat(), long_date(day)
            if q.kind == "minutes":
                minutes = read_minutes(answer)
                return minutes, None if minutes == answer else f"{minutes} minutes"
            if q.kind == "link":
                link = read_link(answer)
                return link, None if link == answer else link
            if q.kind == "place":
                return (
                    (read_link(answer), None)
                    if re.match(r"^[\w-]+(\.[\w-]+)+/", answer)
                    else (
                        answer,
                        None,
                    )
                )
            if q.kind == "zone":
                zone = read_zone(answer)
                return zone, None if zone == answer else zone
            if q.kind == "days":
                text = days_text(read_days(answer))
                return text, _words(text)
            if q.kind == "where":
                return _read_where(answer), None
            return answer, None

        return with_pool if pool else (read if q.kind else None)

    def _help(self, model: type[BaseModel], q: Q) -> str:
        info = model.model_fields.get(q.field.split(".")[0])
        described = (info.description or "") if info is not None else ""
        extra = {
            "date": f"A date: {DATE_HELP}.",
            "minutes": "Minutes: 50, 50 min, 1h or 1h30.",
            "zone": "A city (Denver), a common name (Mountain) or America/Denver.",
            "link": "A web address; https:// is added when left out.",
        }.get(q.kind, "")
        return " ".join(part for part in (described, q.help, extra) if part)

    # --- people entered once ----------------------------------------------------------------

    def people(self) -> list[dict[str, Any]]:
        """Everyone entered once (and, in an edit, everyone the plan already names), and the
        clinic's professionals: offered by number wherever a person is asked for."""
        found: list[dict[str, Any]] = []
        seen: set[str] = set()

        def add(entry: Any) -> None:
            if not isinstance(entry, dict):
                return
            name = str(entry.get("name") or "").strip()
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                found.append({k: v for k, v in entry.items() if k != "id"})

        for entry in _get(self.plan, "_people.people") or []:
            add(entry)
        safety = self.base.get("safety_plan") or {}
        for entry in [
            *(safety.get("people_to_ask") or []),
            *(safety.get("distraction_people") or []),
            *(self.base.get("contacts") or []),
        ]:
            add(entry)
        for entry in self.config.get("professionals") or []:
            if isinstance(entry, dict):
                add({**entry, "relationship": entry.get("relationship") or entry.get("role")})
        return found

    def _clinic(self, key: str) -> list[dict[str, Any]]:
        """A clinic list from the config; step 5 also gets the after-hours line and the
        nearest emergency department."""
        listed = [dict(e) for e in self.config.get(key) or [] if isinstance(e, dict)]
        if key == "professionals":
            for table, role in (
                ("after_hours", "after-hours line"),
                ("emergency_department", "emergency department"),
            ):
                entry = self.config.get(table)
                if isinstance(entry, dict) and entry.get("name"):
                    listed.insert(0, {"role": role, **entry})
        return listed

    def _pool(self, q: Q) -> list[dict[str, Any]]:
        if q.kind == "person":
            return self.people()
        if q.kind == "counselor":
            return [dict(e) for e in self.config.get("counselors") or [] if isinstance(e, dict)]
        return []

    def _take(self, entry: dict[str, Any], q: Q, data: dict[str, Any]) -> None:
        """A person picked by number: their name, and what else the item can hold of them."""
        if q.kind == "counselor":
            counselor = data.setdefault("counselor", {})
            counselor["name"] = entry["name"]
            if entry.get("phone"):
                counselor["phone"] = entry["phone"]
                data["_picked"] = True
            return
        data[q.field] = entry["name"]
        if q.field == "provider":
            if entry.get("phone") and not data.get("phone"):
                data["phone"] = entry["phone"]
            if entry.get("address") and not data.get("address"):
                data["address"] = entry["address"]
            kind = _KINDS.get(str(entry.get("relationship") or entry.get("role") or "").lower())
            if kind and not data.get("kind"):
                data["kind"] = kind

    def _as_item(self, entry: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
        """A picked person or clinic entry as an item of ``model``: only what it can hold."""
        item = dict(entry)
        relation = str(item.get("relationship") or "")
        if model is Professional and relation and not item.get("role"):
            item["role"] = relation
        if model is Contact:
            roles = {role.value for role in ContactRole}
            if str(item.get("role") or "").lower() not in roles:
                last = relation.lower().split()[-1] if relation.split() else ""
                item["role"] = _RELATIONS.get(last, "other")
        return {k: v for k, v in item.items() if k in model.model_fields and k != "id"}

    # --- lists ------------------------------------------------------------------------------

    def _strings(self, section: Section, step: Strings) -> None:
        path = f"{section.path}.{step.field}" if section.path else step.field
        existing = list(_get(self.plan, path) or [])
        kept = []
        for i, text in enumerate(existing):
            # y keeps it, n drops it, anything else is the new wording (changed in place).
            answer = self.ask(
                f"{section.key}/{step.field}/keep/{i}",
                f"Keep {text!r}? (Y/n, or type it anew)",
                default="y",
                checker=_text_or_yes_no,
                help="y keeps it as it is, n removes it, other words replace it.",
            )
            if answer.lower() in ("y", "yes"):
                kept.append(text)
            elif answer.lower() not in ("n", "no"):
                kept.append(answer)
        n = 0
        while True:
            answer = self.ask(
                f"{section.key}/{step.field}/{n}",
                f"{step.prompt} (Enter when done)",
                default="",
                help="One at a time, or several with ';' between them.",
            )
            if not answer:
                break
            kept += [part.strip() for part in answer.split(";") if part.strip()]
            n += 1
        _set(self.plan, path, kept or None)

    def _items(self, section: Section, step: Items) -> None:
        path = f"{section.path}.{step.field}" if section.path else step.field
        key = f"{section.key}/{step.field}"
        existing = [dict(item) for item in _get(self.plan, path) or []]
        if f"{self.prefix}{key}/keep/0" in self.draft.answers:
            kept = self._keep_old_way(key, existing)  # a draft started before the edit menu
        else:
            kept = self._change(key, step, existing)
        if self.lookup is not None and step.field in ("meetings", "resources"):
            kept += self._from_directory(key, step)
        offered = self._clinic(step.clinic_list) if step.clinic_list else []
        if step.people:
            names = {e.get("name") for e in offered}
            offered += [p for p in self.people() if p.get("name") not in names]
        n = 0
        while True:
            more = "another" if kept else ("an" if step.noun[0] in "aeiou" else "a")
            if offered and not step.quick:
                if n == 0:  # once: the numbers stay the same for "Add another"
                    self.say(
                        "From the list: "
                        + "; ".join(f"{i}. {_summary(e)}" for i, e in enumerate(offered, 1))
                    )
                answer = self.ask(
                    f"{key}/add/{n}",
                    f"Add {more} {step.noun}? (numbers from the list, e.g. 1,3; y for a new"
                    " one; Enter when done)",
                    default="",
                    checker=_picks_or(len(offered), "y", "n", "yes", "no"),
                    help="Several at once: 1,3,4.",
                )
                picked = _pick_numbers(answer, len(offered))
                if picked:
                    kept += [self._as_item(offered[i - 1], step.model) for i in picked]
                    n += 1
                    continue
                wanted = answer.lower() in ("y", "yes")
            elif step.quick:
                item = self._item(f"{key}/{n}", step, quick=True)
                if item is None:
                    break
                kept += item if isinstance(item, list) else [item]
                n += 1
                continue
            else:
                wanted = self.yes(f"{key}/add/{n}", f"Add {more} {step.noun}?", False)
            if not wanted:
                break
            new = self._item(f"{key}/{n}", step)
            assert isinstance(new, dict)
            kept.append(new)
            n += 1
        _set(self.plan, path, kept or None)

    def _keep_old_way(self, key: str, existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kept = []
        for i, item in enumerate(existing):
            if self.yes(f"{key}/keep/{i}", f"Keep {_label(item)}?", True):
                kept.append(item)
        return kept

    def _change(self, key: str, step: Items, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The items already there, numbered with their key facts: change one in place (its
        id, and so its calendar identity, stays), remove one, or move one."""
        k = 0
        while items:
            self.say(f"Already there ({step.field.replace('_', ' ')}):")
            for n, item in enumerate(items, 1):
                self.say(f"  {n}. {_summary(item)}")
            size = len(items)

            def command(answer: str, size: int = size) -> str | None:
                if _edit_command(answer, size) is None:
                    return (
                        f"Type a number from 1 to {size} to change it, -N to remove it,"
                        " 'N to M' to move it, or press Enter."
                    )
                return None

            answer = self.ask(
                f"{key}/edit/{k}",
                "Change one? (number; -number removes; '3 to 1' moves; Enter to go on)",
                default="",
                checker=command,
                help="Every field of an item can be changed, with its current values offered.",
            )
            if not answer:
                break
            action = _edit_command(answer, size)
            assert action is not None
            verb, first, second = action
            if verb == "change":
                items[first] = self._item(f"{key}/edit/{k}", step, base=items[first])  # type: ignore[assignment]
            elif verb == "remove":
                self.say(f"  Removed {_label(items.pop(first))}.")
            else:
                items.insert(second, items.pop(first))
            k += 1
        return items

    def _from_directory(self, prefix: str, step: Items) -> list[dict[str, Any]]:
        """Offer directory matches: type words, pick by number, until Enter."""
        assert self.lookup is not None
        chosen: list[dict[str, Any]] = []
        n = 0
        while True:
            words = self.ask(
                f"{prefix}/search/{n}",
                f"Look up a {step.noun} in the directory (words, or Enter to skip)",
                default="",
            )
            if not words or words.lower() in ("n", "no"):  # "n" is a no, not a word to find
                return chosen
            kept_key = f"{self.prefix}{prefix}/item/{n}"
            if kept_key in self.draft.answers:  # picked before an interruption: the same entry
                chosen.append(json.loads(self.draft.answers[kept_key]))
                n += 1
                continue
            found = self.lookup(step.field[:-1], words)[:8]
            if not found:
                self.say("  Nothing found.")
                n += 1
                continue
            for number, item in enumerate(found, 1):
                self.say(f"  {number}. {_summary(item)}")
            answer = self.ask(
                f"{prefix}/pick/{n}",
                "Add which? (number, or Enter for none)",
                default="",
                checker=_number_from(len(found)),
            )
            if answer:
                # Keep the entry itself: a resume adds this one even if the directory changed.
                entry = found[int(answer) - 1]
                self.draft.record(kept_key, json.dumps(entry, ensure_ascii=False))
                chosen.append(dict(entry))
            n += 1

    def _item(
        self,
        prefix: str,
        step: Items,
        *,
        quick: bool = False,
        base: dict[str, Any] | None = None,
    ) -> dict[str, Any] | list[dict[str, Any]] | None:
        """One item's questions (``base``: its current values as defaults). ``quick``: the
        first question is the add question, Enter ends the list, and several answers with ';'
        between them make several items with nothing more asked."""
        item: dict[str, Any] = dict(base) if base else {}
        questions = list(step.questions)
        if quick:
            first = questions.pop(0)
            if first.kind == "person" and self.people():
                self.say(
                    "  " + "; ".join(f"{n}. {_summary(e)}" for n, e in enumerate(self.people(), 1))
                )
            answer = self.ask(
                f"{prefix}/{first.field}",
                f"{first.prompt.split(' (')[0]} (Enter when done)",
                default="",
                help="; between several adds them all at once with nothing more asked.",
                checker=lambda a: None if ";" in a else self._check_one(step.model, first, a),
            )
            if not answer:
                return None
            if ";" in answer:
                return [{first.field: part.strip()} for part in answer.split(";") if part.strip()]
            people = self.people() if first.kind == "person" else []
            if people and answer.isdigit() and 1 <= int(answer) <= len(people):
                self._take(people[int(answer) - 1], first, item)
            else:
                item[first.field] = answer
        for q in questions:
            if not q.detail:
                self._field(prefix, step.model, q, item)
        details = [q for q in questions if q.detail]
        if details:
            names = ", ".join(q.prompt.split(" (")[0].lower() for q in details)
            answered = any(self._answered(f"{prefix}/{q.field}") for q in details)
            if answered or self.yes(f"{prefix}/more", f"More details ({names})?", False):
                for q in details:
                    self._field(prefix, step.model, q, item)
        return {k: v for k, v in item.items() if not k.startswith("_")}

    def _check_one(self, model: type[BaseModel], q: Q, answer: str) -> str | None:
        if q.kind == "person" and answer.isdigit():
            return None
        return check_answer(model, q.field, answer, self.region)


def _text_or_yes_no(answer: str) -> str | None:
    if answer.lower() in ("y", "yes", "n", "no"):
        return None
    try:
        TypeAdapter(Text).validate_python(answer)
    except ValidationError as exc:
        from iopcli.planfile import error_message

        return error_message(exc.errors(include_url=False)[0], ("text",))
    return None


def _read_where(answer: str) -> str:
    t = answer.strip().lower().replace("-", " ")
    if t in ("in person", "person", "p", "i", "in", "inperson", "in person only"):
        return "in person"
    if t in ("online", "o", "zoom", "virtual", "video", "online only", "on line"):
        return "online"
    if t in ("both", "b", "hybrid", "in person and online", "in person or online"):
        return "both"
    raise ValueError("in person, online or both")


def _picks_or(size: int, *words: str) -> Callable[[str], str | None]:
    def check(answer: str) -> str | None:
        if answer.lower() in words or _pick_numbers(answer, size):
            return None
        return f"Type numbers from 1 to {size} (e.g. 1,3), y for a new one, or press Enter."

    return check


def _edit_command(answer: str, size: int) -> tuple[str, int, int] | None:
    """'2' change, '-2' remove, '3 to 1' (or '3>1') move: zero-based positions."""
    t = answer.strip().lower()
    if t.isdigit() and 1 <= int(t) <= size:
        return ("change", int(t) - 1, 0)
    removed = re.fullmatch(r"(?:-|remove |delete |rm )\s*(\d+)", t)
    if removed and 1 <= int(removed.group(1)) <= size:
        return ("remove", int(removed.group(1)) - 1, 0)
    moved = re.fullmatch(r"(?:move )?(\d+)\s*(?:to|>|->)\s*(\d+)", t)
    if moved and all(1 <= int(g) <= size for g in moved.groups()):
        return ("move", int(moved.group(1)) - 1, int(moved.group(2)) - 1)
    return None


def section_lines(data: dict[str, Any], key: str) -> list[str]:
    """One section of plan data as short lines (items with their key facts): what the review
    shows again after a change, instead of the whole plan."""
    if key == "next":
        from iopcli.continuing_care import summary

        nxt = data.get("next_program")
        return [f"  Next program: {summary(nxt)}"] if nxt else ["  (no next program)"]
    section = next(s for s in SECTIONS if s.key == key)
    lines: list[str] = []
    for step in section.steps:
        path = (
            f"{section.path}.{step.field}"
            if section.path and section.model is None
            else (section.path or step.field)
        )
        value = _get(data, path)
        if isinstance(step, Q) and section.model is not None:
            shown = _shown(_get(data, f"{section.path}.{step.field}"))
            if shown:
                lines.append(f"  {step.prompt.split(' (')[0]}: {shown}")
            continue
        title = step.field.replace("_", " ").capitalize()
        if isinstance(value, list) and value:
            lines.append(f"  {title}:")
            for item in value:
                lines.append(f"    - {_summary(item) if isinstance(item, dict) else item}")
        elif value:
            lines.append(f"  {title}: {value}")
    if key == "program" and data.get("next_program"):
        from iopcli.continuing_care import summary

        lines.append(f"  Next program: {summary(data['next_program'])}")
    return lines or ["  (nothing)"]


def prune(value: Any) -> Any:
    """Drop what was left empty (a counselor with no name or phone), recursively."""
    if isinstance(value, dict):
        pruned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, {}, [], "")}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def finish(data: dict[str, Any]) -> AftercarePlan:
    """The plan the answers make; the model has the last word."""
    return AftercarePlan.model_validate(prune(data))
