"""The aftercare plan: the single source of truth every other module reads.

Field names are the plan-file format (readable snake_case); descriptions become the JSON Schema
that `iopcli schema` prints. Structured list items carry an ``id`` that stays put across edits:
calendar UIDs and later edits rely on it. An item written without one gets a readable id made
from its name (``tuesday-night-hope``); once a plan passes through iopcli its ids are written out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeAlias, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from iopcli.slugs import slugify
from iopcli.values import (
    PHONE_REGION,
    Choice,
    DialIn,
    Email,
    NoControlCharacters,
    Phone,
    PlanDate,
    PlanDateTime,
    TimeOfDay,
    TimeZoneName,
    Url,
    Weekday,
)

# Names are one line; other text may hold tabs and line breaks; none holds control characters.
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    NoControlCharacters(lines=True),
]
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20000),
    NoControlCharacters(lines=True),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    NoControlCharacters(lines=False),
]
ItemId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"),
]


class Strict(BaseModel):
    """Unknown keys are errors: a typo must not silently drop what someone wrote."""

    # coerce_numbers_to_str: `id: 2027` or a group called `1212` is text, as the person meant.
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class Item(Strict):
    """A structured list entry with a stable id."""

    id: ItemId | None = Field(
        default=None,
        description="Stable id, unique within its list. Calendar events keep their identity "
        "through it. Made from the name when left out.",
    )

    def id_basis(self) -> str:
        """The text an id is made from when none was given."""
        raise NotImplementedError


T = TypeVar("T", bound=Item)


def _assign_ids(items: list[T]) -> list[T]:
    """Give each item without an id one made from its name; refuse duplicate ids."""
    taken: set[str] = set()
    for item in items:
        if item.id is not None:
            if item.id in taken:
                raise ValueError(f"id {item.id!r} is used twice in this list")
            taken.add(item.id)
    for item in items:
        if item.id is None:
            item.id = unique_id(slugify(item.id_basis()), taken)
    return items


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, else ``base-2``, ``base-3``...: the first not in ``taken``, which it joins.
    Ids made from names, and entries copied in from the directory, never collide."""
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


ItemList: TypeAlias = Annotated[list[T], AfterValidator(_assign_ids)]


def _one_or_many(value: Any) -> Any:
    """Let a single value stand where a list is expected: ``days: tue``."""
    return [value] if isinstance(value, str) else value


def _weeks_of_month(value: Any) -> Any:
    """``weeks: 1`` or ``weeks: [1, 3]`` or ``weeks: 1st and 3rd``: numbers read as text."""
    if isinstance(value, str):
        value = [part for part in re.split(r"\s*(?:,|\band\b|&)\s*", value.strip()) if part]
    if isinstance(value, int):
        value = [value]
    if isinstance(value, list):
        return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
    return value


def _from_text(key: str) -> Callable[[Any], Any]:
    """Let a plain string stand for an item with only its main field: ``- Call Sam``.

    Only list entries are converted; anything else goes on to pydantic to be reported.
    """

    def convert(value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [{key: entry} if isinstance(entry, str) else entry for entry in value]

    return convert


# --- choices -------------------------------------------------------------------------------


class LevelOfCare(Choice):
    """ASAM-style level of care after discharge."""

    NONE = "none"
    STANDARD_OUTPATIENT = "standard_outpatient"
    IOP_STEP_DOWN = "iop_step_down"
    PARTIAL_HOSPITALIZATION = "partial_hospitalization"
    RESIDENTIAL = "residential"

    @staticmethod
    def _labels() -> dict[str, str]:
        return {
            "none": "No further treatment",
            "standard_outpatient": "Standard outpatient (ASAM 1)",
            "iop_step_down": "Intensive outpatient step-down (ASAM 2.1)",
            "partial_hospitalization": "Partial hospitalization (ASAM 2.5)",
            "residential": "Residential (ASAM 3)",
        }

    @staticmethod
    def _aliases() -> dict[str, str]:
        return {
            "outpatient": "standard_outpatient",
            "op": "standard_outpatient",
            "iop": "iop_step_down",
            "php": "partial_hospitalization",
            "partial_hospitalisation": "partial_hospitalization",
        }


class AppointmentKind(Choice):
    INDIVIDUAL = "individual"
    GROUP = "group"
    FAMILY = "family"
    PSYCHIATRY = "psychiatry"
    MAT = "mat"
    PRIMARY_CARE = "primary_care"
    OTHER = "other"

    @staticmethod
    def _labels() -> dict[str, str]:
        return {
            "individual": "Individual therapy",
            "group": "Group therapy",
            "family": "Family therapy",
            "psychiatry": "Psychiatry",
            "mat": "Medication for addiction treatment",
            "primary_care": "Primary care",
            "other": "Appointment",
        }

    @staticmethod
    def _aliases() -> dict[str, str]:
        return {
            "moud": "mat",
            "medication_for_addiction_treatment": "mat",
            "therapy": "individual",
            "pcp": "primary_care",
        }


class Recurrence(Choice):
    ONCE = "once"
    WEEKLY = "weekly"
    EVERY_2_WEEKS = "every_2_weeks"
    MONTHLY = "monthly"

    @staticmethod
    def _aliases() -> dict[str, str]:
        return {
            "one_off": "once",
            "none": "once",
            "biweekly": "every_2_weeks",
            "fortnightly": "every_2_weeks",
            "every_two_weeks": "every_2_weeks",
        }

    @staticmethod
    def _labels() -> dict[str, str]:
        return {
            "once": "Once",
            "weekly": "Every week",
            "every_2_weeks": "Every 2 weeks",
            "monthly": "Every month",
        }


class MeetingRepeat(Choice):
    """How often a meeting is held: weekly, every other week, or on Nth weekdays of the month."""

    WEEKLY = "weekly"
    EVERY_2_WEEKS = "every_2_weeks"
    MONTHLY = "monthly"

    @staticmethod
    def _aliases() -> dict[str, str]:
        return {
            "biweekly": "every_2_weeks",
            "fortnightly": "every_2_weeks",
            "every_two_weeks": "every_2_weeks",
            "every_other_week": "every_2_weeks",
        }


class WeekOfMonth(Choice):
    """Which of a month's weekdays: the 1st to 5th, or the last."""

    FIRST = "1st"
    SECOND = "2nd"
    THIRD = "3rd"
    FOURTH = "4th"
    FIFTH = "5th"
    LAST = "last"

    @staticmethod
    def _aliases() -> dict[str, str]:
        words = ["first", "second", "third", "fourth", "fifth"]
        out = {str(n): f"{n}{WEEK_SUFFIXES[n - 1]}" for n in range(1, 6)}
        out.update({word: f"{n}{WEEK_SUFFIXES[n - 1]}" for n, word in enumerate(words, 1)})
        out["-1"] = "last"
        return out

    @property
    def nth(self) -> int:
        """1 to 5, or -1 for the last: the number in an RRULE ``BYDAY=-1SU``."""
        return -1 if self is WeekOfMonth.LAST else int(self.value[0])


WEEK_SUFFIXES = ("st", "nd", "rd", "th", "th")


class ShortMonths(Choice):
    """What a monthly repeat on day 29, 30 or 31 does in a month without that day."""

    LAST_DAY = "last_day"
    SKIP = "skip"


class Fellowship(Choice):
    AA = "aa"
    NA = "na"
    SMART_RECOVERY = "smart_recovery"
    AL_ANON = "al_anon"
    REFUGE_RECOVERY = "refuge_recovery"
    CELEBRATE_RECOVERY = "celebrate_recovery"
    DUAL_RECOVERY = "dual_recovery"
    OTHER = "other"

    @staticmethod
    def _labels() -> dict[str, str]:
        return {
            "aa": "AA",
            "na": "NA",
            "smart_recovery": "SMART Recovery",
            "al_anon": "Al-Anon",
            "refuge_recovery": "Refuge Recovery",
            "celebrate_recovery": "Celebrate Recovery",
            "dual_recovery": "Dual Recovery Anonymous",
            "other": "Support group",
        }

    @staticmethod
    def _aliases() -> dict[str, str]:
        return {
            "alcoholics_anonymous": "aa",
            "narcotics_anonymous": "na",
            "smart": "smart_recovery",
            "alanon": "al_anon",
            "dra": "dual_recovery",
            "dual_recovery_anonymous": "dual_recovery",
        }


class ResourceCategory(Choice):
    HOUSING = "housing"
    EMPLOYMENT = "employment"
    EDUCATION = "education"
    FOOD = "food"
    LEGAL = "legal"
    TRANSPORTATION = "transportation"
    MEDICAL = "medical"
    MENTAL_HEALTH = "mental_health"
    PEER_SUPPORT = "peer_support"
    FINANCIAL = "financial"
    CHILDCARE = "childcare"
    OTHER = "other"


class TriggerKind(Choice):
    PEOPLE = "people"
    PLACES = "places"
    THINGS = "things"
    FEELINGS = "feelings"
    SITUATIONS = "situations"


class CopingFor(Choice):
    STRESS = "stress"
    EMOTIONS = "emotions"
    CRAVINGS = "cravings"
    GENERAL = "general"


class ContactRole(Choice):
    SPONSOR = "sponsor"
    FAMILY = "family"
    PEER = "peer"
    FRIEND = "friend"
    OTHER = "other"


class GoalTerm(Choice):
    SHORT = "short"
    LONG = "long"

    @staticmethod
    def _aliases() -> dict[str, str]:
        return {"short_term": "short", "long_term": "long"}


# --- sections ------------------------------------------------------------------------------


# A ZIP code (60657, 60657-1234) or another country's postal code (SW1A 1AA).
PostalCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$")
]


class Person(Strict):
    name: Name = Field(
        description="The name the person wants on the handout; no legal name needed."
    )
    pronouns: Name | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = (
        Field(default="en", description="Preferred language, a BCP 47 tag such as en or es-MX.")
    )
    timezone: TimeZoneName = Field(description="IANA time zone, e.g. America/Chicago.")
    region: Annotated[
        str,
        StringConstraints(pattern=r"^[A-Z]{2}$"),
        BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
    ] = Field(
        default="US",
        description="Two-letter country code; chooses the crisis lines and how local phone "
        "numbers are read.",
    )
    postal_code: PostalCode | None = Field(
        default=None,
        description="ZIP or postal code: a search for the next program starts near it.",
    )


class Counselor(Strict):
    name: Name
    phone: Phone | None = None


class Program(Strict):
    name: Name = Field(description="Program or clinic the person is leaving.")
    counselor: Counselor | None = None
    discharge_date: PlanDate
    level_of_care: LevelOfCare = Field(
        default=LevelOfCare.STANDARD_OUTPATIENT, description="Level of care after discharge."
    )
    next_review: PlanDate | None = Field(
        default=None, description="When the plan is next reviewed."
    )


class Appointment(Item):
    provider: Name = Field(description="Who the appointment is with.")
    kind: AppointmentKind = AppointmentKind.OTHER
    date: PlanDate = Field(description="Date of the first (or only) appointment.")
    time: TimeOfDay = Field(description="Start time, e.g. 15:00 or 3pm.")
    duration_minutes: int = Field(default=60, ge=5, le=720)
    repeat: Recurrence = Recurrence.ONCE
    short_months: ShortMonths = Field(
        default=ShortMonths.LAST_DAY,
        description="Monthly on day 29, 30 or 31: in a shorter month, last_day (the month's "
        "last day) or skip.",
    )
    timezone: TimeZoneName | None = Field(default=None, description="Defaults to the plan's.")
    address: Text | None = Field(default=None, description="Where, for an in-person visit.")
    link: Url | None = Field(default=None, description="Telehealth link.")
    phone: Phone | None = None
    cost_note: Text | None = Field(default=None, description="Insurance, copay or cost.")
    notes: LongText | None = None

    def id_basis(self) -> str:
        return f"{self.kind.value} {self.provider}"


class DirectoryRef(Strict):
    """Where an item was copied from in the directory, so ``iopcli refresh`` can compare."""

    feed: Name = Field(description="The directory source it was imported from.")
    id: Name = Field(description="The entry's id in that source.")
    updated: PlanDate | None = Field(default=None, description="When the source last changed it.")


class Attendance(Choice):
    """How a listing says people attend (the Meeting Guide ``attendance_option``)."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"
    INACTIVE = "inactive"

    @staticmethod
    def _labels() -> dict[str, str]:
        return {
            "in_person": "In person",
            "online": "Online",
            "hybrid": "In person and online",
            "inactive": "Not meeting at the moment",
        }


class ListingContact(Strict):
    """A contact a meeting listing publishes (a group's secretary, an intergroup line)."""

    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None


class TraditionLink(Strict):
    """Where to give to a group's 7th tradition, as a Meeting Guide listing publishes it."""

    service: Literal["venmo", "paypal", "square"]
    handle: Name = Field(description="@name (Venmo), $cashtag (Square) or PayPal.me name.")

    @property
    def label(self) -> str:
        """'Venmo @name': the service as it writes its name, and the handle."""
        service = {"venmo": "Venmo", "paypal": "PayPal", "square": "Square"}[self.service]
        return f"{service} {self.handle}"

    @property
    def url(self) -> str:
        if self.handle.startswith(("https://", "http://")):
            return self.handle
        name = self.handle.lstrip("@$")
        return {
            "venmo": f"https://venmo.com/u/{name}",
            "paypal": f"https://www.paypal.me/{name}",
            "square": f"https://cash.app/${name}",
        }[self.service]


class OpeningHours(Strict):
    """Opening hours on some weekdays (an HSDS schedule), structured as well as shown."""

    days: Annotated[list[Weekday], BeforeValidator(_one_or_many)] = Field(min_length=1)
    opens: TimeOfDay
    closes: TimeOfDay


class ListingPhone(Strict):
    """A further phone number of a resource: a hotline, a location's desk, a text line."""

    number: DialIn
    kind: Name | None = Field(default=None, description="voice, text, fax, ... (RFC 6350).")
    description: Text | None = None


Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
TypeCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._/&+-]{0,31}$")]


class Meeting(Item):
    name: Name
    fellowship: Fellowship = Fellowship.OTHER
    days: Annotated[list[Weekday], BeforeValidator(_one_or_many)] = Field(
        min_length=1, description="Weekday(s): names or abbreviations (mon, Tuesday, thu)."
    )
    start: TimeOfDay
    end: TimeOfDay | None = Field(
        default=None,
        description="Defaults to one hour after start; an end before the start is the next day.",
    )
    repeat: MeetingRepeat = Field(
        default=MeetingRepeat.WEEKLY,
        description="weekly, every_2_weeks (with first_date) or monthly (with weeks).",
    )
    first_date: PlanDate | None = Field(
        default=None, description="Every 2 weeks: the date of one meeting, to count from."
    )
    weeks: Annotated[list[WeekOfMonth], BeforeValidator(_weeks_of_month)] = Field(
        default_factory=list,
        description="Monthly: which of the month's days, e.g. [1st, 3rd] or [last].",
    )
    timezone: TimeZoneName | None = Field(
        default=None, description="Where the meeting's clock is; defaults to the plan's."
    )
    location: Name | None = Field(default=None, description="Venue name, e.g. St. Mark's hall.")
    address: Text | None = None
    online_url: Url | None = None
    online_phone: DialIn | None = Field(
        default=None,
        description="Dial-in number; the pauses (,) and meeting id or PIN after it are kept: "
        "+16465588656,,123456#.",
    )
    online_notes: Text | None = Field(default=None, description="Meeting ID, passcode, etc.")
    types: list[TypeCode] = Field(
        default_factory=list, description="Meeting Guide type codes, e.g. O, D, ONL."
    )
    type_names: dict[TypeCode, Name] = Field(
        default_factory=dict, description="What the listing calls its type codes: {JT: ...}."
    )
    notes: LongText | None = None
    group: Name | None = Field(default=None, description="The group that holds the meeting.")
    attendance: Attendance | None = Field(
        default=None, description="in_person, online, hybrid or inactive, as listed."
    )
    location_notes: Text | None = Field(default=None, description="Which door, parking, ...")
    region: Text | None = Field(default=None, description="Region (and sub-region) listed.")
    district: Name | None = None
    url: Url | None = Field(default=None, description="The meeting's page in its listing.")
    website: Url | None = Field(default=None, description="The group's own website.")
    email: Email | None = None
    phone: Phone | None = Field(default=None, description="The group's phone.")
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    contacts: list[ListingContact] = Field(default_factory=list)
    seventh_tradition: list[TraditionLink] = Field(
        default_factory=list, description="Venmo, PayPal or Square links of the group."
    )
    source: DirectoryRef | None = Field(default=None, description="Copied from the directory.")

    def id_basis(self) -> str:
        return self.name

    @field_validator("end")
    @classmethod
    def _has_a_length(cls, end: dt.time | None, info: ValidationInfo) -> dt.time | None:
        if end is not None and end == info.data.get("start"):
            raise ValueError(
                "the meeting ends when it starts: give the time it ends (leave end out for"
                " one hour; an end before the start means the next day)"
            )
        return end

    @field_validator("first_date")
    @classmethod
    def _first_date_is_a_meeting_day(cls, first: dt.date | None, info: ValidationInfo) -> Any:
        if first is None:
            return first
        if info.data.get("repeat") is not MeetingRepeat.EVERY_2_WEEKS:
            raise ValueError("first_date is only used with repeat: every_2_weeks")
        days = info.data.get("days") or []
        if first.weekday() not in {day.number for day in days}:
            raise ValueError(f"{first} is a {first:%A}, not one of the meeting's days")
        return first

    @model_validator(mode="after")
    def _check_repeat(self) -> Meeting:
        if self.weeks and "repeat" not in self.model_fields_set:
            self.repeat = MeetingRepeat.MONTHLY  # weeks: [1st, 3rd] says monthly by itself
        if self.repeat is MeetingRepeat.EVERY_2_WEEKS and self.first_date is None:
            raise ValueError("repeat every_2_weeks needs first_date: the date of one meeting")
        if self.repeat is MeetingRepeat.MONTHLY and not self.weeks:
            raise ValueError("repeat monthly needs weeks: which of the month's days, e.g. [1st]")
        if self.repeat is not MeetingRepeat.MONTHLY and self.weeks:
            raise ValueError("weeks is only used with repeat: monthly")
        return self

    @property
    def end_time(self) -> dt.time:
        if self.end is not None:
            return self.end
        start = dt.datetime.combine(dt.date(2000, 1, 1), self.start)
        return (start + dt.timedelta(hours=1)).time()

    @property
    def in_person(self) -> bool:
        return self.address is not None or self.location is not None

    @property
    def online(self) -> bool:
        return self.online_url is not None or self.online_phone is not None


class Resource(Item):
    name: Name
    category: ResourceCategory = ResourceCategory.OTHER
    phone: Phone | None = None
    url: Url | None = None
    address: Text | None = None
    hours: Text | None = None
    opening_hours: list[OpeningHours] = Field(
        default_factory=list, description="The hours as weekdays and times, when listed so."
    )
    notes: LongText | None = None
    verified: PlanDate | None = Field(
        default=None, description="Date the details were last checked."
    )
    email: Email | None = None
    other_phones: list[ListingPhone] = Field(default_factory=list)
    languages: list[Name] = Field(default_factory=list)
    fees: Text | None = Field(default=None, description="Cost, fees, what insurance is taken.")
    eligibility: Text | None = Field(default=None, description="Who can use it.")
    accessibility: Text | None = None
    taxonomy: list[Name] = Field(
        default_factory=list, description="The directory's own category terms, as published."
    )
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    source: DirectoryRef | None = Field(default=None, description="Copied from the directory.")

    def id_basis(self) -> str:
        return self.name


class Trigger(Item):
    trigger: Text
    kind: TriggerKind | None = None
    response: Text | None = Field(default=None, description="What I will do about it.")

    def id_basis(self) -> str:
        return self.trigger


class CopingStrategy(Item):
    strategy: Text
    helps_with: CopingFor = CopingFor.GENERAL

    def id_basis(self) -> str:
        return self.strategy


class RelapsePrevention(Strict):
    triggers: Annotated[ItemList[Trigger], BeforeValidator(_from_text("trigger"))] = Field(
        default_factory=list
    )
    warning_signs: list[Text] = Field(default_factory=list)
    coping_strategies: Annotated[
        ItemList[CopingStrategy],
        BeforeValidator(_from_text("strategy")),
    ] = Field(
        default_factory=list, description="Skills from the program: stress, emotions, cravings."
    )
    high_risk_situations: list[Text] = Field(default_factory=list)
    after_a_lapse: list[Text] = Field(default_factory=list, description="What to do after a lapse.")
    reasons_for_recovery: list[Text] = Field(default_factory=list)


class Helper(Item):
    """Someone on the safety plan: a person to call, or a distraction."""

    name: Name
    relationship: Name | None = None
    phone: Phone | None = None

    def id_basis(self) -> str:
        return self.name


class Professional(Item):
    name: Name
    role: Name | None = Field(default=None, description="Clinician, urgent care, emergency dept.")
    phone: Phone | None = None
    after_hours_phone: Phone | None = None
    address: Text | None = None

    def id_basis(self) -> str:
        return self.name


class SafetyPlan(Strict):
    """The six Stanley-Brown steps, plus reasons for living."""

    warning_signs: list[Text] = Field(
        default_factory=list, description="Step 1: signs a crisis may be starting."
    )
    coping_strategies: list[Text] = Field(
        default_factory=list, description="Step 2: things I can do on my own."
    )
    distraction_people: ItemList[Helper] = Field(
        default_factory=list, description="Step 3: people who help me take my mind off things."
    )
    distraction_places: list[Text] = Field(
        default_factory=list, description="Step 3: social settings that help."
    )
    people_to_ask: ItemList[Helper] = Field(
        default_factory=list, description="Step 4: people I can ask for help."
    )
    professionals: ItemList[Professional] = Field(
        default_factory=list,
        description="Step 5: clinicians, after-hours lines, urgent care or emergency department.",
    )
    include_crisis_lines: bool = Field(
        default=True,
        description="Step 5: add the region's crisis lines (988 and others in the US).",
    )
    safe_environment: list[Text] = Field(
        default_factory=list, description="Step 6: making the environment safe."
    )
    reasons_for_living: list[Text] = Field(default_factory=list)


class Medication(Item):
    name: Name
    dose: Text | None = None
    schedule: Text | None = Field(default=None, description="When to take it, e.g. every morning.")
    prescriber: Name | None = None
    pharmacy: Text | None = None
    pharmacy_phone: Phone | None = None
    next_refill: PlanDate | None = None
    refill_every_days: int | None = Field(
        default=None, ge=1, le=365, description="Repeat the refill reminder this often."
    )

    def id_basis(self) -> str:
        return self.name


class Contact(Item):
    name: Name
    role: ContactRole = ContactRole.OTHER
    relationship: Name | None = None
    phone: Phone | None = None
    when_to_call: Text | None = None

    def id_basis(self) -> str:
        return self.name


class Goal(Item):
    goal: Text
    term: GoalTerm = GoalTerm.SHORT
    target_date: PlanDate | None = None

    def id_basis(self) -> str:
        return self.goal


class ClinicianNotes(Strict):
    """The clinician-only part of a plan: stored and written to the JSON/YAML plan file, never
    printed in the handout or the calendar (an export shows it only when asked: ``--clinician``)."""

    diagnoses: list[Text] = Field(
        default_factory=list, description="Diagnoses, e.g. F10.20 Alcohol use disorder, moderate."
    )
    insurance: Name | None = Field(default=None, description="Insurance plan and member id.")
    payer: Name | None = Field(default=None, description="Who pays: the payer or funding source.")
    level_of_care_notes: LongText | None = Field(
        default=None, description="Why this level of care; ASAM dimensions, step-down notes."
    )
    referral_source: Name | None = Field(default=None, description="Who referred the person.")

    @property
    def empty(self) -> bool:
        return not (
            self.diagnoses
            or self.insurance
            or self.payer
            or self.level_of_care_notes
            or self.referral_source
        )


class IntakeAppointment(Strict):
    """The first appointment at the next program, once it is booked."""

    date: PlanDate
    time: TimeOfDay = Field(description="Start time, e.g. 10:00 or 10am.")
    duration_minutes: int = Field(default=60, ge=5, le=720)


class NextProgram(Strict):
    """Continuing care: the program the person goes to after discharge (issue 16)."""

    name: Name = Field(description="The program or clinic.")
    directory_id: Name | None = Field(
        default=None,
        description="Its id in the programs directory (iopcli programs show ID), when it was "
        "chosen there.",
    )
    address: Text | None = None
    phone: Phone | None = Field(default=None, description="The program's main number.")
    intake_phone: Phone | None = Field(
        default=None, description="The number to call to book or change the intake."
    )
    website: Url | None = None
    level_of_care: LevelOfCare | None = Field(
        default=None,
        description="The level of care there; the plan's level after discharge when left out.",
    )
    payment_accepted: list[Name] = Field(
        default_factory=list,
        description="What it takes: Medicaid, Medicare, private insurance, sliding fee, ...",
    )
    intake: IntakeAppointment | None = Field(
        default=None,
        description="The intake appointment (date and time) once booked; left out, the handout "
        "says to call the intake number to book it.",
    )
    what_to_bring: list[Text] = Field(
        default_factory=list,
        description="What to bring to the intake (the handout suggests the usual when empty).",
    )
    notes: LongText | None = None


class AftercarePlan(Strict):
    """An aftercare plan for one person stepping down from an IOP."""

    model_config = ConfigDict(
        extra="forbid",
        coerce_numbers_to_str=True,
        title="iopcli aftercare plan",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    schema_version: Literal[1] = Field(default=1, description="Plan file format.")
    id: ItemId = Field(
        description="Stable plan id (a UUID or any short slug); calendar UIDs use it."
    )
    created: PlanDateTime | None = None
    updated: PlanDateTime | None = Field(
        default=None, description="Last change; calendar DTSTAMP and SEQUENCE derive from it."
    )
    discreet: bool = Field(
        default=False,
        description="Calendar entries name no fellowship, diagnosis, medication or clinic.",
    )
    person: Person
    program: Program
    next_program: NextProgram | None = Field(
        default=None,
        description="Continuing care: the program the person goes to next, and its intake.",
    )
    safety_plan: SafetyPlan = Field(default_factory=SafetyPlan)
    meetings: ItemList[Meeting] = Field(default_factory=list)
    appointments: ItemList[Appointment] = Field(default_factory=list)
    medications: ItemList[Medication] = Field(default_factory=list)
    resources: ItemList[Resource] = Field(default_factory=list)
    relapse_prevention: RelapsePrevention = Field(default_factory=RelapsePrevention)
    contacts: ItemList[Contact] = Field(default_factory=list)
    goals: ItemList[Goal] = Field(default_factory=list)
    notes: LongText | None = None
    clinician: ClinicianNotes | None = Field(
        default=None,
        description="Clinician only (diagnoses, insurance, payer, level-of-care notes, referral "
        "source): kept in the plan file, never in the handout or calendar unless asked.",
    )

    @model_validator(mode="wrap")
    @classmethod
    def _read_phones_in_plan_region(
        cls, data: Any, handler: ModelWrapValidatorHandler[AftercarePlan]
    ) -> AftercarePlan:
        region = "US"
        if isinstance(data, dict):
            person = data.get("person")
            if isinstance(person, dict) and isinstance(person.get("region"), str):
                region = person["region"].strip().upper()
        elif isinstance(data, AftercarePlan):
            region = data.person.region
        token = PHONE_REGION.set(region)
        try:
            return handler(data)
        finally:
            PHONE_REGION.reset(token)

    @property
    def timezone(self) -> str:
        return self.person.timezone
