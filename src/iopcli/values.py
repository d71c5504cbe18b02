"""Value types people type into a plan: phone numbers, times of day, weekdays, time zones, links.

Each accepts the forms a person would write ("7pm", "Tue", "(312) 555-0142") and keeps what was
typed where it is shown back (phone numbers), so a handout reads the way the person wrote it.
"""

from __future__ import annotations

import functools
import re
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    GetCoreSchemaHandler,
    PlainSerializer,
)
from pydantic_core import core_schema

from iopcli.dates import check_date, check_datetime

# The plan's region, set while a plan validates, so "(312) 555-0142" is read as a US number in a
# US plan without every phone field needing to know the plan around it.
PHONE_REGION: ContextVar[str] = ContextVar("PHONE_REGION", default="US")

_PHONE_CHARS = re.compile(r"\+?[0-9 ()./-]+(?:\s*(?:ext\.?|x|#)\s*[0-9]{1,6})?", re.IGNORECASE)
_EXTENSION = re.compile(r"\s*(?:ext\.?|x|#)\s*([0-9]{1,6})$", re.IGNORECASE)


def _split_extension(text: str) -> tuple[str, str | None]:
    match = _EXTENSION.search(text)
    if match is None:
        return text, None
    return text[: match.start()], match.group(1)


def is_short_code(text: str) -> bool:
    """988, 911, 741741, 116 123: service numbers written as digits (and spaces) alone."""
    main, _ = _split_extension(text.strip())
    return bool(re.fullmatch(r"[0-9 ]+", main)) and 3 <= len(main.replace(" ", "")) <= 6


def check_phone(value: str) -> str:
    return _checked_phone(value.strip(), PHONE_REGION.get())


# A directory import checks the same few dial-in numbers thousands of times (one video service's
# numbers serve a whole feed): a number once found good is not parsed again.
@functools.lru_cache(maxsize=4096)
def _checked_phone(text: str, region: str) -> str:
    if not text:
        raise ValueError("phone number is empty")
    if not _PHONE_CHARS.fullmatch(text):
        raise ValueError(
            f"{text!r} is not a phone number: use digits, spaces, + ( ) - . and an optional"
            " extension like 'ext. 12'"
        )
    import phonenumbers  # deferred: only plans with phone numbers pay for its metadata

    if is_short_code(text):
        from phonenumbers import shortnumberinfo

        try:
            number = phonenumbers.parse(text, region)
            valid = shortnumberinfo.is_valid_short_number_for_region(number, region)
        except phonenumbers.NumberParseException:
            valid = False
        if not valid:
            raise ValueError(
                f"{text!r} is too short for a phone number and is not a {region} short code"
            )
        return text
    main, _ = _split_extension(text)
    try:
        number = phonenumbers.parse(main, region)
    except phonenumbers.NumberParseException:
        raise ValueError(f"{text!r} is not a phone number") from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        raise ValueError(f"{text!r} needs its area code")
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise ValueError(
            f"{text!r} has the wrong number of digits for a {region} number"
            " (write numbers from other countries with + and the country code)"
        )
    return text


def split_dial_string(text: str) -> tuple[str, str]:
    """'+13017158592,,503536771#' -> ('+13017158592', ',,503536771#'): the number, then the
    pauses (commas, semicolons) and the digits a phone dials after it (meeting id, PIN)."""
    main, mark, rest = text.strip().partition(",") if "," in text else text.strip().partition(";")
    return main.strip(), (mark + rest).replace(" ", "") if mark else ""


def check_dial_in(value: str) -> str:
    """A phone number, optionally followed by what to dial after it: pauses (`,` or `;`),
    digits, `*` and `#` (``+16699009128,,71771828957#,,#,,777644#``). Kept as written."""
    main, dial = split_dial_string(value)
    if dial and not re.fullmatch(r"[,;][0-9,;*#]*", dial):
        raise ValueError(
            f"{value.strip()!r} is not a dial-in number: after the number, only pauses (,),"
            " digits, * and # can follow"
        )
    check_phone(main)
    return value.strip()


def tel_uri(phone: str, region: str = "US") -> str:
    """A ``tel:`` URI (RFC 3966) for a phone number as the person typed it; a dial-in number
    keeps its pauses and codes (phones dial them after connecting), ``#`` written %23."""
    phone, dial = split_dial_string(phone)
    if dial:
        return tel_uri(phone, region) + dial.replace("#", "%23")
    main, extension = _split_extension(phone.strip())
    suffix = f";ext={extension}" if extension else ""
    if is_short_code(phone):
        return "tel:" + re.sub(r"\D", "", main) + suffix
    import phonenumbers

    number = phonenumbers.parse(main, region)
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) + suffix


Phone = Annotated[str, AfterValidator(check_phone)]
DialIn = Annotated[str, AfterValidator(check_dial_in)]


_EMAIL = re.compile(r"[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\"]+")


def check_email(value: str) -> str:
    text = value.strip()
    if len(text) > 254 or not _EMAIL.fullmatch(text):
        raise ValueError(f"{text!r} is not an email address")
    return text


Email = Annotated[str, AfterValidator(check_email)]


_TIME = re.compile(
    r"(?P<h>[0-9]{1,2})(?:[:.h](?P<m>[0-9]{2}))?(?::(?P<s>00))?"
    r"(?:\s*(?P<ampm>[ap])\.?(?:\s*m\.?)?)?",
    re.IGNORECASE,
)


def parse_time_of_day(value: Any) -> time:
    """Accept 19:00, 7pm, 7:30 pm, 7:30 p.m., noon, midnight (and time objects)."""
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if not isinstance(value, str):
        raise ValueError("give a time of day like 19:00 or 7pm")
    text = value.strip().lower()
    if text == "noon":
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"{value!r} is not a time of day: write 19:00, 7pm or 7:30 pm")
    hour, minute = int(match["h"]), int(match["m"] or 0)
    ampm = match["ampm"]
    if ampm is None and match["m"] is None and 1 <= hour <= 12:
        # A bare 1-12 is morning or evening; a bare 0 or 13-23 can only be one hour.
        if hour == 12:
            raise ValueError(f"{value!r} is ambiguous: write noon, midnight or 12:30")
        raise ValueError(f"{value!r} is ambiguous: write {hour + 12}:00, {hour}pm or {hour}am")
    if minute > 59:
        raise ValueError(f"{value!r} is not a time of day: minutes go from 00 to 59")
    if ampm is not None:
        if not 1 <= hour <= 12:
            raise ValueError(f"{value!r} is not a time of day: with am/pm the hour is 1 to 12")
        hour = hour % 12 + (12 if ampm == "p" else 0)
    elif hour > 23:
        raise ValueError(f"{value!r} is not a time of day: hours go from 0 to 23")
    return time(hour, minute)


TimeOfDay = Annotated[
    time,
    BeforeValidator(parse_time_of_day),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str, when_used="json"),
]


def format_time(value: time) -> str:
    """'7:00 pm' style, the way people read times on a handout."""
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'am' if value.hour < 12 else 'pm'}"


def check_timezone(value: str) -> str:
    key = value.strip()
    not_zones = ("localtime", "posixrules", "Factory")
    if (
        not key
        or key.startswith(("/", ".", "posix/", "right/"))
        or ".." in key
        or "\\" in key
        or key in not_zones
    ):
        raise ValueError(f"{value!r} is not an IANA time zone name like America/Chicago")
    try:
        ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"{value!r} is not a known IANA time zone (e.g. America/Chicago, Europe/London)"
        ) from None
    return key


TimeZoneName = Annotated[str, AfterValidator(check_timezone)]


def check_url(value: str) -> str:
    text = value.strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        raise ValueError(f"{text!r} is not a web link") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ValueError(f"{text!r} is not a web link: it must start with https:// or http://")
    if any(ch.isspace() or _CONTROL.match(ch) for ch in text):
        raise ValueError(f"{text!r} is not a web link: it contains spaces or control characters")
    return text


Url = Annotated[str, AfterValidator(check_url)]


# C0 controls, DEL and the C1 controls: ESC starts terminal escape sequences (retitle the
# window, hide text on the crisis card, inject links), BEL rings, NUL cuts C strings short, a
# lone CR overwrites a line. None belongs in a plan; tab and newline are allowed where a field
# may hold more than one line.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {"\x00": "NUL", "\x07": "BEL", "\x08": "BS", "\x0d": "CR", "\x1b": "ESC"}


def control_name(ch: str) -> str:
    """How a message names a character it must not print: ``U+001B ESC``."""
    code = f"U+{ord(ch):04X}"
    name = _CONTROL_NAMES.get(ch) or ("DEL" if ch == "\x7f" else "")
    return f"{code} {name}" if name else code


def _control_message(ch: str, position: int) -> str:
    return f"has a control character ({control_name(ch)}) at character {position}; remove it"


def check_line(value: str) -> str:
    """Text that must stay on one line (a name, a label): no control characters at all."""
    if value.isprintable():  # no control character, tab or line break: the common case, fast
        return value
    for position, ch in enumerate(value, start=1):
        if ch in "\n\r":
            raise ValueError(f"must be one line: there is a line break at character {position}")
        if ch == "\t":
            raise ValueError(f"has a tab at character {position}: use spaces")
        if _CONTROL.match(ch):
            raise ValueError(_control_message(ch, position))
    return value


def check_lines(value: str) -> str:
    """Text that may span lines: tabs and line breaks (CRLF read as LF), no other control
    characters."""
    if value.isprintable():  # no control character at all: the common case, fast
        return value
    text = value.replace("\r\n", "\n")
    for position, ch in enumerate(text, start=1):
        if ch not in "\t\n" and _CONTROL.match(ch):
            raise ValueError(_control_message(ch, position))
    return text


@dataclass(frozen=True)
class NoControlCharacters:
    """A constraint on a text type, like ``StringConstraints``: no control characters, and with
    ``lines=False`` no tab or line break either. Not a parser: what passes is kept as typed
    (except CRLF, read as LF)."""

    lines: bool

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        check = check_lines if self.lines else check_line
        return core_schema.no_info_after_validator_function(check, handler(source))


PlanDate = Annotated[date, AfterValidator(check_date)]
PlanDateTime = Annotated[AwareDatetime, AfterValidator(check_datetime)]


def _choice_key(text: str) -> str:
    return re.sub(r"[\s\-/]+", "_", text.strip().lower())


class Choice(StrEnum):
    """An enum that accepts what people type: any case, spaces or hyphens for underscores."""

    @classmethod
    def _missing_(cls, value: object) -> Choice | None:
        if isinstance(value, str):
            key = _choice_key(value)
            for member in cls:
                if key in (member.value, _choice_key(member.english_label)):
                    return member
            aliases: dict[str, str] = getattr(cls, "_aliases", lambda: {})()
            if key in aliases:
                return cls(aliases[key])
        return None

    @property
    def label(self) -> str:
        """The value as a person reads it, in the current language (:mod:`iopcli.i18n`; the
        catalogs take every label from the enums themselves, see :mod:`iopcli.catalogs`)."""
        from iopcli.i18n import _

        return _(self.english_label)

    @property
    def english_label(self) -> str:
        """The label as written here: what people may type, whatever language is current."""
        labels: dict[str, str] = getattr(type(self), "_labels", lambda: {})()
        return labels.get(self.value, self.value.replace("_", " ").capitalize())


class Weekday(Choice):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @staticmethod
    def _aliases() -> dict[str, str]:
        names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        out = {name: name[:3] for name in names}
        out.update({"mo": "mon", "tu": "tue", "tues": "tue", "we": "wed", "th": "thu"})
        out.update({"thur": "thu", "thurs": "thu", "fr": "fri", "sa": "sat", "su": "sun"})
        return out

    @property
    def label(self) -> str:
        """'Monday'; in another language the locale's own name (CLDR, via Babel): 'lunes'."""
        from iopcli.i18n import day_name

        return day_name(list(Weekday).index(self))

    @staticmethod
    def _labels() -> dict[str, str]:
        return {
            "mon": "Monday",
            "tue": "Tuesday",
            "wed": "Wednesday",
            "thu": "Thursday",
            "fri": "Friday",
            "sat": "Saturday",
            "sun": "Sunday",
        }

    @property
    def number(self) -> int:
        """Monday = 0, as ``date.weekday()`` counts."""
        return list(Weekday).index(self)

    @property
    def ical(self) -> str:
        """The RFC 5545 BYDAY code: MO, TU, ..."""
        return self.value[:2].upper()
