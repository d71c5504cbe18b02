"""Hypothesis strategies for valid aftercare plans.

``plan_data()`` draws the plain data a person could write in a plan file (with human spellings:
"7:30 p.m.", "SMART Recovery", "tues", a lone string for a one-day meeting); ``plans()``
validates it into an :class:`AftercarePlan`. Free text is unicode-heavy and mixed with strings
that YAML, Markdown or HTML would misread if they were not quoted or escaped.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hypothesis import strategies as st

from iopcli.model import (
    AftercarePlan,
    AppointmentKind,
    Choice,
    ContactRole,
    CopingFor,
    Fellowship,
    GoalTerm,
    LevelOfCare,
    Recurrence,
    ResourceCategory,
    TriggerKind,
    Weekday,
)
from iopcli.values import parse_time_of_day

# Strings that mean something else to YAML 1.1/1.2, Markdown, HTML or a shell.
HOSTILE = [
    "# x",
    "#",
    "*",
    "**bold**",
    "_x_",
    "|",
    ">",
    "<script>alert(1)</script>",
    "<!-- x -->",
    "&amp;",
    "&",
    "- a",
    "-",
    "1. a",
    ": b",
    "a: b",
    "a #b",
    "'\"",
    "'",
    '"',
    "\n",
    "a\nb",
    "a\n\n\nb",
    "a\n  b",
    "a \nb",
    "a\r\nb",
    "a\tb",
    "19:00",
    "7:30",
    "no",
    "NO",
    "yes",
    "Off",
    "y",
    "~",
    "null",
    "Null",
    "true",
    "0x1f",
    "0o17",
    "017",
    "08",
    "1e5",
    "1_000",
    ".inf",
    "-.5",
    "+1",
    "2026-01-05",
    "2026-01-05 10:00",
    "&anchor",
    "*alias",
    "!tag",
    "!!python/object:os.system",
    "%YAML 1.2",
    "---",
    "...",
    "? x",
    "[a]",
    "{a: b}",
    "@",
    "`",
    "```",
    "[link](http://x)",
    "\\",
    "=",
    "$HOME",
    "\u00a0nbsp",
    "\u200b",
    "\u202eRTL",
    "\ufeffbom",
    "a\u2028b",
    "a\u2029b",
    "😀",
    "👩‍👩‍👧",
    "Zoë Ñandú",
    "日本語",
    "עִברִית",
    "ﷺ",
]

# Strings a plan refuses in any text field (values.NoControlCharacters): a terminal escape, NUL,
# DEL, a lone carriage return, C1 codes such as NEL (U+0085), BEL, backspace.
REFUSED = ["\x00", "\x1b[31m", "\x7f", "a\rb", "a\x85b", "\x07", "a\x08b", "\x9b31m"]

# What a multi-line text field accepts: every character except surrogates and the control
# characters (Unicode category Cc: U+0000-U+001F, U+007F-U+009F), tab and newline excepted.
_CHARACTERS = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n")
_SEPARATORS = st.sampled_from([" ", "  ", "\n", "\n\n", ": ", " # ", "\n- ", "\t", ", "])


@st.composite
def _phrase(draw: st.DrawFn) -> str:
    parts = draw(
        st.lists(
            st.one_of(st.sampled_from(HOSTILE), st.text(_CHARACTERS, min_size=1, max_size=12)),
            min_size=1,
            max_size=6,
        )
    )
    out = parts[0]
    for part in parts[1:]:
        out += draw(_SEPARATORS) + part
    return out


def text(max_size: int = 200) -> st.SearchStrategy[str]:
    """Non-blank text; the model strips it, so leading/trailing space is fine to draw."""
    raw = st.one_of(
        st.sampled_from(HOSTILE),
        st.text(_CHARACTERS, min_size=1, max_size=40),
        _phrase(),
    )
    return raw.map(lambda s: s.strip()[:max_size]).filter(bool)


_LINE_BREAKS = re.compile(r"[\t\r\n]+")


def one_line(max_size: int = 200) -> st.SearchStrategy[str]:
    """Non-blank text on one line, for names (``NoControlCharacters(lines=False)``): the same
    draws as :func:`text` with tabs and line breaks turned into spaces."""
    return text(max_size).map(lambda s: _LINE_BREAKS.sub(" ", s).strip()).filter(bool)


def texts(max_size: int = 3) -> st.SearchStrategy[list[str]]:
    return st.lists(text(), max_size=max_size)


ITEM_IDS = st.one_of(
    st.sampled_from(["0x1f", "08", "1e5", "true", "no", "NO", "null", "2026-01-05", "1.5", "y"]),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", fullmatch=True),
)

TIME_ZONES = [
    "America/Chicago",
    "America/New_York",
    "America/St_Johns",
    "Europe/London",
    "Europe/Oslo",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "UTC",
]

# Forms of phone numbers that are valid in each region (short codes are valid everywhere).
PHONES = {
    "US": [
        "(312) 555-0142",
        "312.555.0142",
        "+1 312 555 0142",
        "1-800-662-4357",
        "(312) 555-0142 ext. 12",
        "312-555-0142 x7",
        "312 555 0142 #99",
        "988",
        "741741",
        "911",
        "+44 20 7946 0958",
    ],
    "CA": ["(416) 555-0123", "+1 416 555 0123", "988", "686868"],
    "GB": ["020 7946 0958", "0161 496 0000", "+44 20 7946 0958", "116 123", "999"],
    "NO": ["+47 22 12 34 56", "22 12 34 56", "113", "116 123"],
}
# As a person might type the region; the model upper-cases it ("no" is Norway, not false).
REGION_SPELLINGS = {"US": ["US", "us"], "CA": ["CA"], "GB": ["GB", "gb"], "NO": ["NO", "no"]}

URLS = [
    "https://example.org",
    "http://example.com/meet?id=1&pw=x#top",
    "https://zoom.example.com:8443/j/123?pwd=abc",
    "HTTPS://EXAMPLE.ORG/A%20B",
    "https://例え.jp/パス?q=日本",
    "https://example.org/#-a:b&c='d'",
]

# Human spellings the Choice enums accept, beyond their values.
SPELLINGS: dict[type[Choice], list[str]] = {
    Fellowship: ["SMART Recovery", "smart-recovery", "Al-Anon", "Alcoholics Anonymous", "DRA"],
    LevelOfCare: ["IOP", "php", "Outpatient", "Standard outpatient (ASAM 1)", "none"],
    AppointmentKind: ["MOUD", "pcp", "Primary care", "therapy"],
    Recurrence: ["biweekly", "Every 2 weeks", "one-off", "fortnightly"],
    GoalTerm: ["short-term", "Long Term"],
    Weekday: ["Tuesday", "tues", "Th", "thurs", "SAT", " sunday "],
}


def choice(cls: type[Choice]) -> st.SearchStrategy[Any]:
    return st.sampled_from([*cls, *(m.value for m in cls), *SPELLINGS.get(cls, [])])


def dates() -> st.SearchStrategy[Any]:
    day = st.dates(dt.date(1950, 1, 1), dt.date(2100, 12, 31))
    return st.one_of(day, day.map(dt.date.isoformat))


_OFFSETS = [dt.UTC] + [
    dt.timezone(dt.timedelta(minutes=m)) for m in (-600, -360, -210, 0, 60, 330, 345, 780)
]


def aware_datetimes() -> st.SearchStrategy[Any]:
    # Fixed offsets only: an aware datetime in a DST fold never equals one in another zone.
    moment = st.datetimes(
        dt.datetime(1990, 1, 1), dt.datetime(2100, 1, 1), timezones=st.sampled_from(_OFFSETS)
    )
    return st.one_of(moment, moment.map(dt.datetime.isoformat))


@st.composite
def times_of_day(draw: st.DrawFn) -> Any:
    """A minute-resolution time, as a time object or written the way people write times."""
    value = dt.time(draw(st.integers(0, 23)), draw(st.integers(0, 59)))
    hour12 = value.hour % 12 or 12
    ampm = "am" if value.hour < 12 else "pm"
    forms: list[Any] = [
        value,
        value.strftime("%H:%M"),
        f"{value.hour}:{value.minute:02d}",
        f"{hour12}:{value.minute:02d} {ampm}",
        f"{hour12}:{value.minute:02d} {ampm[0]}.m.",
        f"{hour12}:{value.minute:02d}{ampm.upper()}",
    ]
    if value.minute == 0:
        forms.append(f"{hour12}{ampm}")
    if value == dt.time(12, 0):
        forms.append("noon")
    if value == dt.time(0, 0):
        forms.append("midnight")
    return draw(st.sampled_from(forms))


def _has_a_length(meeting: dict[str, Any]) -> bool:
    """A meeting that ends when it starts is refused (leave ``end`` out for an hour)."""
    end = meeting.get("end")
    return end is None or parse_time_of_day(end) != parse_time_of_day(meeting["start"])


def _optional(**fields: st.SearchStrategy[Any]) -> dict[str, st.SearchStrategy[Any]]:
    return fields


def _items(item: st.SearchStrategy[Any], max_size: int = 3) -> st.SearchStrategy[list[Any]]:
    """A list of items (dicts, or shorthand strings) whose explicit ids are unique."""

    def drop_repeated_ids(items: list[Any]) -> list[Any]:
        seen: set[str] = set()
        out = []
        for entry in items:
            if isinstance(entry, dict) and "id" in entry:
                if entry["id"] in seen:
                    out.append({k: v for k, v in entry.items() if k != "id"})
                    continue
                seen.add(entry["id"])
            out.append(entry)
        return out

    return st.lists(item, max_size=max_size).map(drop_repeated_ids)


@st.composite
def plan_data(draw: st.DrawFn) -> dict[str, Any]:
    """The plain data of a valid plan file."""
    region = draw(st.sampled_from(sorted(PHONES)))
    phone = st.sampled_from(PHONES[region])
    zone = st.sampled_from(TIME_ZONES)
    name = one_line(max_size=80)
    long_text = text(max_size=2000)

    person = st.fixed_dictionaries(
        {"name": name, "timezone": zone, "region": st.sampled_from(REGION_SPELLINGS[region])},
        optional=_optional(
            pronouns=st.sampled_from(["she/her", "he/him", "they/them", "ze/zir", "no"]),
            language=st.sampled_from(["en", "es-MX", "no", "zh-Hant-TW", "fr"]),
            postal_code=st.sampled_from(["60657", "02139-4307", "SW1A 1AA", "K1A 0B1", "0150"]),
        ),
    )
    counselor = st.fixed_dictionaries({"name": name}, optional=_optional(phone=phone))
    program = st.fixed_dictionaries(
        {"name": name, "discharge_date": dates()},
        optional=_optional(
            counselor=counselor, level_of_care=choice(LevelOfCare), next_review=dates()
        ),
    )
    helper = st.fixed_dictionaries(
        {"name": name}, optional=_optional(id=ITEM_IDS, relationship=name, phone=phone)
    )
    professional = st.fixed_dictionaries(
        {"name": name},
        optional=_optional(
            id=ITEM_IDS, role=name, phone=phone, after_hours_phone=phone, address=text()
        ),
    )
    safety_plan = st.fixed_dictionaries(
        {},
        optional=_optional(
            warning_signs=texts(),
            coping_strategies=texts(),
            distraction_people=_items(helper),
            distraction_places=texts(),
            people_to_ask=_items(helper),
            professionals=_items(professional),
            include_crisis_lines=st.booleans(),
            safe_environment=texts(),
            reasons_for_living=texts(),
        ),
    )
    meeting = st.fixed_dictionaries(
        {
            "name": name,
            "days": st.one_of(choice(Weekday), st.lists(choice(Weekday), min_size=1, max_size=3)),
            "start": times_of_day(),
        },
        optional=_optional(
            id=ITEM_IDS,
            fellowship=choice(Fellowship),
            end=times_of_day(),
            timezone=zone,
            location=name,
            address=text(),
            online_url=st.sampled_from(URLS),
            online_phone=phone,
            online_notes=text(),
            types=st.lists(
                st.sampled_from(["O", "C", "D", "ONL", "NO", "y", "08", "1e5", "X-1", "W"]),
                max_size=3,
            ),
            notes=long_text,
        ),
    ).filter(_has_a_length)
    appointment = st.fixed_dictionaries(
        {"provider": name, "date": dates(), "time": times_of_day()},
        optional=_optional(
            id=ITEM_IDS,
            kind=choice(AppointmentKind),
            duration_minutes=st.integers(5, 720),
            repeat=choice(Recurrence),
            timezone=zone,
            address=text(),
            link=st.sampled_from(URLS),
            phone=phone,
            cost_note=text(),
            notes=long_text,
        ),
    )
    medication = st.fixed_dictionaries(
        {"name": name},
        optional=_optional(
            id=ITEM_IDS,
            dose=text(),
            schedule=text(),
            prescriber=name,
            pharmacy=text(),
            pharmacy_phone=phone,
            next_refill=dates(),
            refill_every_days=st.integers(1, 365),
        ),
    )
    resource = st.fixed_dictionaries(
        {"name": name},
        optional=_optional(
            id=ITEM_IDS,
            category=choice(ResourceCategory),
            phone=phone,
            url=st.sampled_from(URLS),
            address=text(),
            hours=text(),
            notes=long_text,
            verified=dates(),
        ),
    )
    trigger = st.one_of(
        text(),  # shorthand: "- Payday"
        st.fixed_dictionaries(
            {"trigger": text()},
            optional=_optional(id=ITEM_IDS, kind=choice(TriggerKind), response=text()),
        ),
    )
    coping = st.one_of(
        text(),
        st.fixed_dictionaries(
            {"strategy": text()}, optional=_optional(id=ITEM_IDS, helps_with=choice(CopingFor))
        ),
    )
    relapse_prevention = st.fixed_dictionaries(
        {},
        optional=_optional(
            triggers=_items(trigger),
            warning_signs=texts(),
            coping_strategies=_items(coping),
            high_risk_situations=texts(),
            after_a_lapse=texts(),
            reasons_for_recovery=texts(),
        ),
    )
    contact = st.fixed_dictionaries(
        {"name": name},
        optional=_optional(
            id=ITEM_IDS,
            role=choice(ContactRole),
            relationship=name,
            phone=phone,
            when_to_call=text(),
        ),
    )
    goal = st.fixed_dictionaries(
        {"goal": text()},
        optional=_optional(id=ITEM_IDS, term=choice(GoalTerm), target_date=dates()),
    )
    intake = st.fixed_dictionaries(
        {"date": dates(), "time": times_of_day()},
        optional=_optional(duration_minutes=st.integers(5, 720)),
    )
    next_program = st.fixed_dictionaries(
        {"name": name},
        optional=_optional(
            directory_id=st.sampled_from(["12345", "0x1f", "hsds:abc-1", "no"]),
            address=text(),
            phone=phone,
            intake_phone=phone,
            website=st.sampled_from(URLS),
            level_of_care=choice(LevelOfCare),
            payment_accepted=st.lists(name, max_size=3),
            intake=intake,
            what_to_bring=texts(),
            notes=long_text,
        ),
    )
    plan = st.fixed_dictionaries(
        {"id": ITEM_IDS, "person": person, "program": program},
        optional=_optional(
            schema_version=st.just(1),
            created=aware_datetimes(),
            updated=aware_datetimes(),
            discreet=st.booleans(),
            safety_plan=safety_plan,
            meetings=_items(meeting),
            appointments=_items(appointment),
            medications=_items(medication),
            resources=_items(resource),
            relapse_prevention=relapse_prevention,
            contacts=_items(contact),
            goals=_items(goal),
            notes=long_text,
            next_program=next_program,
        ),
    )
    return draw(plan)


def plans() -> st.SearchStrategy[AftercarePlan]:
    """Valid plans; a draw the model refuses is a bug in this strategy (or in the model)."""
    return plan_data().map(AftercarePlan.model_validate)
