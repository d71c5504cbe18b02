"""The crisis lines bundled with iopcli, read from ``data/crisis_lines.json``.

Kept as data so another country is a data change only. This module imports nothing heavy: the
`crisis` command reads it when everything else may be broken.

Lines are given in the current language (:mod:`iopcli.i18n`): their description in it, and, in
Spanish, each line's Spanish service as the service publishes it (988: press 2, text AYUDA;
the Crisis Text Line: text AYUDA, WhatsApp), or a plain statement that none is on record.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from iopcli.i18n import _, current

DEFAULT_REGION = "US"


@dataclass(frozen=True)
class Spanish:
    """A line's service in Spanish, each fact from the service's own page (``source``, checked
    on ``verified``): the menu option a caller presses, the keyword to text, a WhatsApp number,
    or that calls are answered in Spanish too."""

    verified: str
    source: str
    call_option: str | None = None
    text_keyword: str | None = None
    whatsapp: str | None = None
    spoken: bool = False
    chat: bool = False
    checked: str | None = None


@dataclass(frozen=True)
class CrisisLine:
    name: str
    when: str
    verified: str
    call: str | None = None
    text: str | None = None
    text_keyword: str | None = None
    tty: str | None = None
    url: str | None = None
    source: str | None = None
    spanish: Spanish | None = None
    translated: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)

    def actions(
        self, number: Callable[[str], str] = str, words: Callable[[str], str] = str
    ) -> list[str]:
        """How to reach the line: 'call or text 988', 'text HOME to 741741', 'TTY ...', in the
        current language (in Spanish, the line's Spanish service, or that it has none on
        record). ``number`` renders each number (a tel: link in the handout), ``words`` the
        rest."""
        if current() == "es":
            return self._spanish_actions(number, words)
        parts = []
        if self.call and self.text == self.call:
            parts.append(_("call or text {number}").format(number=number(self.call)))
        else:
            if self.call:
                parts.append(_("call {number}").format(number=number(self.call)))
            if self.text:
                parts.append(self._text_action(self.text_keyword, words))
        if self.tty:
            parts.append(_("TTY {number}").format(number=number(self.tty)))
        return parts

    def _text_action(self, keyword: str | None, words: Callable[[str], str]) -> str:
        assert self.text is not None
        if keyword:
            return _("text {keyword} to {number}").format(
                keyword=words(keyword), number=words(self.text)
            )
        return _("text {number}").format(number=words(self.text))

    def _spanish_actions(
        self, number: Callable[[str], str], words: Callable[[str], str]
    ) -> list[str]:
        spanish = self.spanish
        if spanish is None:
            parts = []
            if self.call:
                parts.append(_("call {number}").format(number=number(self.call)))
            if self.text:
                parts.append(self._text_action(self.text_keyword, words))
            if self.tty:
                parts.append(_("TTY {number}").format(number=number(self.tty)))
            parts.append(_("no Spanish service on record: you may be answered in English"))
            return parts
        parts = []
        if self.call and spanish.call_option:
            parts.append(
                _("call {number} and press {option} for Spanish").format(
                    number=number(self.call), option=words(spanish.call_option)
                )
            )
        elif self.call and spanish.spoken:
            parts.append(
                _("call {number} (answered in English and Spanish)").format(
                    number=number(self.call)
                )
            )
        elif self.call:
            parts.append(_("call {number}").format(number=number(self.call)))
        if self.text:
            parts.append(self._text_action(spanish.text_keyword or self.text_keyword, words))
        if spanish.whatsapp:
            parts.append(_("WhatsApp {number}").format(number=words(spanish.whatsapp)))
        if self.tty:
            parts.append(_("TTY {number}").format(number=number(self.tty)))
        return parts

    @property
    def how(self) -> str:
        """'Call or text 988', 'Text HOME to 741741': the one line to act on."""
        return "; ".join(part[0].upper() + part[1:] for part in self.actions())


def _line(raw: dict[str, Any], lang: str) -> CrisisLine:
    fields = set(CrisisLine.__dataclass_fields__) - {"spanish"}
    values = {k: v for k, v in raw.items() if k in fields}
    values.update(raw.get("translated", {}).get(lang, {}))  # name and description, as read
    spanish = raw.get("spanish")
    if isinstance(spanish, dict):
        known = set(Spanish.__dataclass_fields__)
        values["spanish"] = Spanish(**{k: v for k, v in spanish.items() if k in known})
    return CrisisLine(**values)


def _load() -> dict[str, list[CrisisLine]]:
    raw = json.loads(
        resources.files("iopcli").joinpath("data/crisis_lines.json").read_text("utf-8")
    )
    lang = current()
    return {
        region: [_line(line, lang) for line in entry["lines"]]
        for region, entry in raw.items()
        if not region.startswith("_")
    }


def crisis_lines(region: str = DEFAULT_REGION) -> tuple[list[CrisisLine], str]:
    """The lines for ``region`` and the region they are really for (US when it has none), in
    the current language."""
    table = _load()
    if region in table:
        return table[region], region
    return table[DEFAULT_REGION], DEFAULT_REGION
