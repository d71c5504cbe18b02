"""Treatment programs (issue #16): the record a program is, the words search uses for it, and
how each word maps from what the public treatment locator and HSDS feeds say.

A program is a licensed treatment facility or service a person may step down to after an
IOP. Sources say the same thing in many ways ("Intensive outpatient treatment", "IOP", a
category code ``SET``); search filters on a few plain codes (``--level iop``, ``--pays
medicaid``), so this module holds those vocabularies, the values that map onto each code, and
how a filter matches, so a result can show which value matched. What maps to no code is kept
as it came and shown as it is: nothing a source says is dropped.

Pure data and functions; the locator reader is :mod:`iopcli.locator`, the SQLite tables are
:mod:`iopcli.program_index`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from iopcli.i18n import N_


@dataclass(frozen=True)
class Category:
    """One category a source gave, as it gave it: the locator's ``f1`` (name), ``f2`` (code)
    and ``f3`` (values, split on "; "), or an HSDS field."""

    code: str
    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class TreatmentProgram:
    """Everything a program's listing says. ``id`` is what a person types (``programs show
    ID``); it is stable across re-imports (the locator's ``frid``; ``SOURCE:ID`` for HSDS).
    Derived codes (levels, pays, ...) come from ``categories`` through the vocabularies below;
    ``categories`` keeps every category and value as the source gave it, known or not."""

    id: str
    source: str
    name: str
    name2: str = ""
    street1: str = ""
    street2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    phone: str = ""  # main
    intake_phone: str = ""
    hotline: str = ""
    website: str = ""
    latitude: float | None = None
    longitude: float | None = None
    facility_types: tuple[str, ...] = ()  # the locator's typeFacility: SA, MH, ...
    focus: str | None = None  # substance-use | mental-health | co-occurring
    levels: tuple[str, ...] = ()  # LEVELS codes
    settings: tuple[str, ...] = ()  # service settings as written ("Intensive outpatient ...")
    telehealth: bool = False
    pays: tuple[str, ...] = ()  # PAYS codes
    payment_accepted: tuple[str, ...] = ()  # as written, every value
    assistance: tuple[str, ...] = ()  # ASSISTANCE codes
    payment_assistance: tuple[str, ...] = ()  # as written
    approaches: tuple[str, ...] = ()  # APPROACHES codes
    approaches_offered: tuple[str, ...] = ()  # as written
    medications: tuple[str, ...] = ()
    licensing: tuple[str, ...] = ()  # licenses, certifications, accreditations
    languages: tuple[str, ...] = ()  # language codes (es, en, asl, ...) and unknown names
    ages: tuple[str, ...] = ()  # AGES codes
    genders: tuple[str, ...] = ()  # GENDERS codes
    special_groups: tuple[str, ...] = ()  # as written
    schedule: tuple[str, ...] = ()  # lines, e.g. "Mon-Thu 18:00-21:00" (HSDS)
    fees: str = ""  # HSDS fees / cost options, as written
    eligibility: str = ""  # HSDS eligibility, as written
    description: str = ""
    categories: tuple[Category, ...] = ()
    updated: str | None = None  # ISO date the source last verified it, when it says
    removed_at: str | None = None  # set when a re-import no longer lists it

    @property
    def address(self) -> str:
        """One line: street, city, state ZIP (at most 2,000 characters, as a plan holds)."""
        street = ", ".join(x for x in (self.street1, self.street2) if x)
        place = " ".join(x for x in (self.state, self.zip) if x)
        return _shortened(", ".join(x for x in (street, self.city, place) if x), 2000)

    @property
    def display_name(self) -> str:
        """The name and second name, at most 200 characters: what a plan's next program can
        hold as its name (a long listing made ``edit PLAN program --next`` fail)."""
        return _shortened(f"{self.name} ({self.name2})" if self.name2 else self.name, 200)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (what the directory stores and ``--json`` prints)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "categories":
                value = [{"code": c.code, "name": c.name, "values": list(c.values)} for c in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TreatmentProgram:
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, given in data.items():
            if key not in known:
                continue
            if key == "categories":
                values[key] = tuple(
                    Category(str(c.get("code", "")), str(c.get("name", "")), tuple(c["values"]))
                    for c in given
                )
            else:
                values[key] = tuple(given) if isinstance(given, list) else given
        return cls(**values)


def _shortened(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def lookup(home: Path | None, program_id: str) -> TreatmentProgram | None:
    """The program ``program_id`` from the directory database in ``home`` (the default home
    when None), or None when there is no directory or no such program. A program removed by a
    later import is returned with ``removed_at`` set."""
    from iopcli.program_index import find_program

    return find_program(home, program_id)


# --- vocabularies -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One code of a vocabulary: its label, and the patterns (lower case, matched as words
    anywhere in a value) that mean it."""

    code: str
    label: str
    patterns: tuple[str, ...] = field(default=())

    def matches(self, value: str) -> bool:
        return _matches(self.patterns, value)


@functools.lru_cache(maxsize=8192)
def _matches(patterns: tuple[str, ...], value: str) -> bool:
    """Whether any pattern is in ``value``; remembered, since exports repeat the same few
    hundred values over thousands of rows (import time was mostly spent here)."""
    text = value.casefold()
    return any(re.search(p, text) for p in patterns)


def _terms(*rows: tuple[str, str, tuple[str, ...]]) -> dict[str, Term]:
    return {code: Term(code, label, patterns) for code, label, patterns in rows}


# Levels of care, from the locator's service settings (SET) and type of care (TC).
LEVELS = _terms(
    ("iop", N_("Intensive outpatient (IOP)"), (r"intensive outpatient", r"\biop\b")),
    (
        "php",
        N_("Partial hospitalization / day treatment"),
        (r"partial hospitali", r"day treatment"),
    ),
    (
        "op",
        N_("Outpatient"),
        (r"regular outpatient", r"^outpatient$", r"^outpatient (treatment|services)$"),
    ),
    ("residential", N_("Residential"), (r"(?<!non-)(?<!non )residential",)),
    (
        "mat",
        N_("Medication treatment (MAT/MOUD)"),
        (r"methadone/buprenorphine", r"medication[- ]assisted", r"buprenorphine", r"naltrexone"),
    ),
    (
        "otp",
        N_("Opioid treatment program (OTP)"),
        (r"opioid treatment program", r"\botp\b", r"methadone maintenance", r"methadone clinic"),
    ),
)
FOCUSES = _terms(
    ("substance-use", N_("Substance use"), ()),
    ("mental-health", N_("Mental health"), ()),
    ("co-occurring", N_("Substance use and mental health (co-occurring)"), ()),
)
PAYS = _terms(
    # "State-financed health insurance plan other than Medicaid" is not Medicaid.
    ("medicaid", N_("Medicaid"), (r"(?<!other than )medicaid",)),
    ("medicare", N_("Medicare"), (r"medicare",)),
    ("private", N_("Private insurance"), (r"private health insurance", r"private insurance")),
    ("self-pay", N_("Self-pay"), (r"self[- ]pay", r"cash")),
    ("military", N_("Military insurance"), (r"military", r"tricare", r"\bva\b", r"veterans")),
    ("state", N_("State-financed insurance"), (r"state[- ]financed", r"state health insurance")),
)
ASSISTANCE = _terms(
    ("sliding-fee", N_("Sliding fee scale"), (r"sliding fee", r"sliding scale")),
    (
        "free",
        N_("Free or payment assistance"),
        (
            r"payment assistance",
            r"no charge",
            r"(?<![-\w])free\b",  # free treatment, not "drug-free" or "smoke-free"
            r"cannot (afford to )?pay",
            r"can't pay",
            r"no payment accepted",
        ),
    ),
)
APPROACHES = _terms(
    ("cbt", N_("Cognitive behavioral therapy"), (r"cognitive behavioral", r"\bcbt\b")),
    ("dbt", N_("Dialectical behavior therapy"), (r"dialectical", r"\bdbt\b")),
    # Not "MI" alone: HSDS descriptions read for approaches say "Detroit, MI".
    ("mi", N_("Motivational interviewing"), (r"motivational interviewing",)),
    ("met", N_("Motivational enhancement therapy"), (r"motivational enhancement",)),
    ("cm", N_("Contingency management"), (r"contingency management", r"motivational incentive")),
    ("rp", N_("Relapse prevention"), (r"relapse prevention",)),
    ("trauma", N_("Trauma-related counseling"), (r"trauma",)),
    ("12-step", N_("12-step facilitation"), (r"12[- ]step", r"twelve[- ]step")),
    ("anger", N_("Anger management"), (r"anger management",)),
    ("brief", N_("Brief intervention"), (r"brief intervention",)),
    ("cra", N_("Community reinforcement approach"), (r"community reinforcement",)),
    ("matrix", N_("Matrix model"), (r"matrix model",)),
    ("rebt", N_("Rational emotive behavioral therapy"), (r"rational emotive",)),
    (
        "integrated",
        N_("Integrated mental and substance use treatment"),
        (r"integrated (mental|substance|dual|co-?occurring|treatment)",),
    ),
)
AGES = _terms(
    ("adults", N_("Adults"), (r"(?<!young )(?<!older )\badults?\b", r"\b18\b.*\bover\b", r"18\+")),
    ("young-adults", N_("Young adults"), (r"young adults?",)),
    ("adolescents", N_("Adolescents"), (r"adolescent", r"\bteen", r"\byouth")),
    ("children", N_("Children"), (r"\bchild(ren)?\b",)),  # not "childcare"
    ("seniors", N_("Seniors"), (r"senior", r"older adults?")),
)
GENDERS = _terms(
    ("women", N_("Women"), (r"\bfemales?\b", r"\bwomen\b", r"\bwoman\b")),
    ("men", N_("Men"), (r"\bmales?\b", r"\bmen\b", r"\bman\b")),
)
TELEHEALTH = Term("telehealth", N_("Telehealth"), (r"telemedicine", r"telehealth", r"virtual"))
LANGUAGES: dict[str, tuple[str, ...]] = {
    # code: names a source uses for it (lower case)
    "en": ("english",),
    "es": ("spanish", "español", "espanol"),
    "asl": ("american sign language", "sign language", "asl", "hearing impaired"),
    "zh": ("chinese", "mandarin", "cantonese"),
    "vi": ("vietnamese",),
    "ko": ("korean",),
    "ru": ("russian",),
    "ar": ("arabic",),
    "fr": ("french",),
    "ht": ("haitian creole", "creole"),
    "pt": ("portuguese",),
    "pl": ("polish",),
    "tl": ("tagalog", "filipino"),
    "hi": ("hindi",),
    "de": ("german",),
    "it": ("italian",),
    "ja": ("japanese",),
    "fa": ("farsi", "persian"),
    "so": ("somali",),
    "hmn": ("hmong",),
    "nv": ("navajo",),
}
VOCABULARIES = {
    "level": LEVELS,
    "focus": FOCUSES,
    "pays": PAYS,
    "assistance": ASSISTANCE,
    "approach": APPROACHES,
    "ages": AGES,
    "gender": GENDERS,
}


def codes(terms: dict[str, Term], values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The codes of ``terms`` that any of ``values`` means, in the vocabulary's order."""
    return tuple(code for code, term in terms.items() if any(term.matches(v) for v in values))


def matching(terms: dict[str, Term], code: str, values: tuple[str, ...]) -> list[str]:
    """The values (as written) that make a program match ``code``: what search shows."""
    term = terms.get(code)
    return [v for v in values if term is not None and term.matches(v)]


def language_code(name: str) -> str:
    """A language's code (``es``) from the name a source uses ("Spanish"); a code given
    already stays; a language not known here is kept as written."""
    text = name.strip().casefold()
    if text in LANGUAGES:
        return text
    if "other than" in text:  # "Any language other than English" names no language
        return name.strip()
    for code, names in LANGUAGES.items():
        # "Spanish", "Spanish (staff)", "Spanish: by interpreter"
        if any(re.match(rf"{re.escape(n)}\b", text) for n in names):
            return code
    for code, names in LANGUAGES.items():
        # "Any Chinese language", "Services in Spanish": the language later in the value
        if any(re.search(rf"\b{re.escape(n)}\b", text) for n in names):
            return code
    return name.strip()
