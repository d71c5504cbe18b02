"""The language patient-facing text is written in: message catalogs and the current language.

Fixed texts a person reads (handout, ``show``, ``agenda``, ``crisis``, the calendar's fixed
titles, the export summary) go through :func:`_`, which looks the English message up in the
gettext catalog of the current language (``locale/<lang>/LC_MESSAGES/iopcli.mo`` in the
package). English is the source language: no catalog is read for it, so the fast paths pay
nothing. Texts kept in module-level constants are marked with :func:`N_` and translated where
they are used: ``_(HANDOUT_SECTIONS[key])``.

The language is set at the edge, around the work for one plan: ``with language("es"): ...``.
:func:`plan_language` picks the default from a plan's ``person.language`` (Spanish for ``es``,
``es-MX``, ``es-US``...; English otherwise); ``--lang`` overrides it (:func:`asked_for` carries
it to where a plan's language is decided). The interview and error messages stay English.

Dates, weekdays, months, times and numbers a person reads are formatted here, in the current
language, and nowhere else: call :func:`format_date` ("Tuesday, December 15, 2026"),
:func:`format_day` ("Tuesday, December 15"), :func:`format_short_date` ("Dec 15"),
:func:`format_time` ("7:00 pm"), :func:`day_name` ("Tuesday"), :func:`month_name`,
:func:`format_number` and :func:`format_decimal` (durations). English keeps the
handout's own wording exactly as it always was, without Babel; every other language is
formatted by Babel from the Unicode CLDR data ("martes, 15 de diciembre de 2026",
"7:00 p. m."), never from tables of our own. Babel is imported only when the language is not
English, so the fast paths (``crisis``, ``agenda``, ``show``) pay nothing for it in English.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt  # annotations only: the crisis card's start-up needs no datetime
    import gettext

    from babel import Locale

SOURCE = "en"
#: Languages with a catalog in the package (English is the source).
LANGUAGES = ("en", "es")

_current: ContextVar[str] = ContextVar("iopcli_language", default=SOURCE)
_asked: ContextVar[str | None] = ContextVar("iopcli_asked_language", default=None)


def N_(message: str) -> str:  # the gettext name, found by the extractor
    """Mark a constant for the catalog without translating it here."""
    return message


def current() -> str:
    return _current.get()


@contextlib.contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Write in ``lang`` (a code such as ``es`` or ``es-US``; English for None or unknown)."""
    token = _current.set(supported(lang))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


@contextlib.contextmanager
def asked_for(lang: str | None) -> Iterator[None]:
    """The language asked for on the command line (``--lang``; None: each plan's own), for
    :func:`plan_language` to prefer over the person's."""
    token = _asked.set(lang)
    try:
        yield
    finally:
        _asked.reset(token)


def plan_language(lang: str | None, chosen: str | None = None) -> str:
    """The language to write a plan's text in: ``chosen``, or the one asked for on the command
    line (:func:`asked_for`), when given; else the person's own language (``person.language``,
    ``es-MX`` -> ``es``) when there is a catalog for it; else English."""
    pick = chosen or _asked.get()
    return supported(pick if pick else lang)


def supported(lang: str | None) -> str:
    """The catalog language for a BCP 47 code: ``es-MX`` -> ``es``; anything else English."""
    base = (lang or SOURCE).replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else SOURCE


@cache
def _catalog(lang: str) -> gettext.NullTranslations:
    import gettext
    from importlib import resources

    localedir = resources.files("iopcli").joinpath("locale")
    return gettext.translation("iopcli", str(localedir), languages=[lang], fallback=True)


def _(message: str) -> str:
    """``message`` in the current language."""
    lang = _current.get()
    if lang == SOURCE:
        return message
    return _catalog(lang).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    lang = _current.get()
    if lang == SOURCE:
        return singular if n == 1 else plural
    return _catalog(lang).ngettext(singular, plural, n)


# Locale formatting. English is written exactly as the handout always wrote it (no Babel);
# other languages come from CLDR through Babel, imported on first use.

_ENGLISH_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# CLDR separates "7:00" from "p. m." (and "p." from "m.") with a narrow no-break space, which
# many fonts (and PDF core fonts) lack; a plain no-break space keeps the time in one piece.
_NARROW_NBSP = "\u202f"
_NBSP = "\u00a0"


@cache
def _locale(lang: str) -> Locale:
    from babel import Locale

    return Locale.parse(lang)


def _spaces(text: str) -> str:
    return text.replace(_NARROW_NBSP, _NBSP)


@cache
def _pattern(lang: str, skeleton: str) -> str:
    """CLDR's pattern for ``skeleton`` in ``lang``, with field widths widened as the skeleton
    asks (ICU does this; Babel returns the closest pattern as it is: "E" for "EEEE")."""
    import re

    from babel.dates import match_skeleton

    locale = _locale(lang)
    best = match_skeleton(skeleton, locale.datetime_skeletons) or skeleton
    pattern = str(locale.datetime_skeletons[best].pattern)
    if "EEEE" in skeleton:
        # Widen unquoted runs of E (quoted literals, 'de', are left alone).
        parts = re.split(r"('[^']*')", pattern)
        pattern = "".join(p if p.startswith("'") else re.sub("E+", "EEEE", p) for p in parts)
    return pattern


def format_date(day: dt.date) -> str:
    """'Tuesday, December 15, 2026'; 'martes, 15 de diciembre de 2026'."""
    lang = _current.get()
    if lang == SOURCE:
        return f"{_ENGLISH_DAYS[day.weekday()]}, {day:%B} {day.day}, {day.year}"
    from babel.dates import format_date as babel_date

    return _spaces(babel_date(day, format="full", locale=_locale(lang)))


def format_day(day: dt.date) -> str:
    """A day without its year, as the agenda heads its days: 'Tuesday, December 15';
    'martes, 15 de diciembre'."""
    lang = _current.get()
    if lang == SOURCE:
        return f"{_ENGLISH_DAYS[day.weekday()]}, {day:%B} {day.day}"
    from babel.dates import format_date as babel_date

    return _spaces(babel_date(day, _pattern(lang, "MMMMEEEEd"), locale=_locale(lang)))


def format_short_date(day: dt.date) -> str:
    """A day in few words, as a list of dates gives it: 'Mar 9'; '9 mar'."""
    lang = _current.get()
    if lang == SOURCE:
        return f"{day:%b} {day.day}"
    from babel.dates import format_date as babel_date

    return _spaces(babel_date(day, _pattern(lang, "MMMd"), locale=_locale(lang)))


def format_time(value: dt.time) -> str:
    """'7:00 pm' (the handout's English); '7:00 p. m.' in Spanish (12-hour clock, as CLDR
    writes it, with no-break spaces)."""
    lang = _current.get()
    if lang == SOURCE:
        hour = value.hour % 12 or 12
        return f"{hour}:{value.minute:02d} {'am' if value.hour < 12 else 'pm'}"
    from babel.dates import format_time as babel_time

    return _spaces(babel_time(value, _pattern(lang, "hmm"), locale=_locale(lang)))


def day_name(weekday: int) -> str:
    """The weekday's name, 0 = Monday: 'Tuesday'; 'martes' (lower case, as Spanish writes it
    inside a sentence)."""
    lang = _current.get()
    if lang == SOURCE:
        return _ENGLISH_DAYS[weekday]
    return str(_locale(lang).days["format"]["wide"][weekday])


def month_name(month: int) -> str:
    """The month's name, 1 = January: 'December'; 'diciembre'."""
    lang = _current.get()
    if lang == SOURCE:
        import datetime as dt

        return dt.date(2000, month, 1).strftime("%B")
    return str(_locale(lang).months["format"]["wide"][month])


def format_decimal(number: float, places: int) -> str:
    """A measure with a fixed number of decimals, as the command line reports durations:
    '12.3' (English, no grouping, as always); '12,3' (Spanish, with CLDR's grouping)."""
    lang = _current.get()
    if lang == SOURCE:
        return f"{number:.{places}f}"
    from babel.numbers import format_decimal as babel_decimal

    pattern = "#,##0" + ("." + "0" * places if places else "")
    return _spaces(babel_decimal(number, format=pattern, locale=_locale(lang)))


def format_number(number: float) -> str:
    """'1,234.5'; '1.234,5'."""
    lang = _current.get()
    if lang == SOURCE:
        return f"{number:,}"
    from babel.numbers import format_decimal

    return _spaces(format_decimal(number, locale=_locale(lang)))
