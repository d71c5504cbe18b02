"""The language patient-facing text is written in: message catalogs and the current language.

Fixed texts a person reads (handout, ``show``, ``agenda``, ``crisis``, the calendar's fixed
titles, the export summary) go through :func:`_`, which looks the English message up in the
gettext catalog of the current language (``locale/<lang>/LC_MESSAGES/iopcli.mo`` in the
package). English is the source language: no catalog is read for it, so the fast paths pay
nothing. Texts kept in module-level constants are marked with :func:`N_` and translated where
they are used: ``_(HANDOUT_SECTIONS[key])``.

The language is set at the edge, around the work for one plan: ``with language("es"): ...``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gettext

SOURCE = "en"
#: Languages with a catalog in the package (English is the source).
LANGUAGES = ("en", "es")

_current: ContextVar[str] = ContextVar("iopcli_language", default=SOURCE)


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
