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
from typing import Any, Literal

from iopcli.i18n import N_, _, current

DEFAULT_REGION = "US"
#: How a piece of a way to reach a line is shown: a number to dial, or words as they are.
Piece = Literal["phone", "words"]


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

    def steps(self) -> list[tuple[str, dict[str, tuple[Piece, str]]]]:
        """How to reach the line, one way at a time, in the current language: each a whole
        translated sentence ('call or text {number}', 'text {keyword} to {number}') and its
        pieces, each marked ``phone`` (a number to dial: a tel: link) or ``words``. In Spanish,
        the line's Spanish service, or that it has none on record. Renderers fill them in
        (:meth:`actions` for plain text, ``handout.line_text`` for the handout)."""
        spanish = self.spanish if current() == "es" else None
        out: list[tuple[str, dict[str, tuple[Piece, str]]]] = []
        if self.call and spanish is not None and spanish.call_option:
            template = N_("call {number} and press {option} for Spanish")
            out.append(
                (
                    template,
                    {"number": ("phone", self.call), "option": ("words", spanish.call_option)},
                )
            )
        elif self.call and spanish is not None and spanish.spoken:
            template = N_("call {number} (answered in English and Spanish)")
            out.append((template, {"number": ("phone", self.call)}))
        elif self.call and self.text == self.call and spanish is None:
            out.append((N_("call or text {number}"), {"number": ("phone", self.call)}))
        elif self.call:
            out.append((N_("call {number}"), {"number": ("phone", self.call)}))
        if self.text and not (self.text == self.call and spanish is None):
            keyword = (spanish.text_keyword if spanish else None) or self.text_keyword
            if keyword:
                template = N_("text {keyword} to {number}")
                out.append(
                    (template, {"keyword": ("words", keyword), "number": ("words", self.text)})
                )
            else:
                out.append((N_("text {number}"), {"number": ("words", self.text)}))
        if spanish is not None and spanish.whatsapp:
            out.append((N_("WhatsApp {number}"), {"number": ("words", spanish.whatsapp)}))
        if self.tty:
            out.append((N_("TTY {number}"), {"number": ("phone", self.tty)}))
        if current() == "es" and self.spanish is None:
            out.append((N_("no Spanish service on record: you may be answered in English"), {}))
        return [(_(template), pieces) for template, pieces in out]

    def brief(self) -> list[tuple[str, dict[str, tuple[Piece, str]]]]:
        """The numbers alone, for the wallet card, as :meth:`steps` gives them: '988',
        'text HOME to 741741'; in Spanish '988, press 2' and 'text AYUDA to 988'."""
        spanish = self.spanish if current() == "es" else None
        out: list[tuple[str, dict[str, tuple[Piece, str]]]] = []
        if self.call and spanish is not None and spanish.call_option:
            pieces: dict[str, tuple[Piece, str]] = {
                "number": ("phone", self.call),
                "option": ("words", spanish.call_option),
            }
            out.append((_("{number}, press {option}"), pieces))
        elif self.call and self.text == self.call and spanish is None:
            # 988 takes texts too: a bare "988" on the wallet card lost that.
            out.append((_("call or text {number}"), {"number": ("phone", self.call)}))
        elif self.call:
            out.append(("{number}", {"number": ("phone", self.call)}))
        keyword = (spanish.text_keyword if spanish else None) or self.text_keyword
        if self.text and (self.text != self.call or (spanish and spanish.text_keyword)):
            if keyword:
                pieces = {"keyword": ("words", keyword), "number": ("words", self.text)}
                out.append((_("text {keyword} to {number}"), pieces))
            else:
                out.append((_("text {number}"), {"number": ("words", self.text)}))
        if spanish is not None and spanish.whatsapp:
            out.append((_("WhatsApp {number}"), {"number": ("words", spanish.whatsapp)}))
        return out

    def actions(
        self, number: Callable[[str], str] = str, words: Callable[[str], str] = str
    ) -> list[str]:
        """:meth:`steps` as text: 'call or text 988', 'text HOME to 741741', 'TTY ...'.
        ``number`` renders each number to dial (a tel: link), ``words`` the rest."""
        return [
            template.format(
                **{k: number(v) if kind == "phone" else words(v) for k, (kind, v) in pieces.items()}
            )
            for template, pieces in self.steps()
        ]

    @property
    def how(self) -> str:
        """'Call or text 988', 'Text HOME to 741741': the one line to act on."""
        said = "; ".join(self.actions())
        return said[:1].upper() + said[1:]


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
