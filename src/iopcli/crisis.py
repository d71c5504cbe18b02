"""The crisis card: warning signs, coping steps, people and lines to call, on one screen.

It must work when everything else is broken, and fast: it reads the stored plan's JSON
directly (validated when it was saved) instead of building the pydantic model, imports no
exporter, and falls back to the bundled crisis lines whatever goes wrong, saying so in one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from iopcli.crisis_lines import CrisisLine, crisis_lines
from iopcli.errors import IopcliError, UsageError
from iopcli.i18n import N_, language, plan_language

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class Caller:
    name: str
    phone: str | None = None
    note: str | None = None  # relationship or role ("counselor" for the program's counselor)
    after_hours: str | None = None  # a professional's after-hours phone
    address: str | None = None  # a professional's address (the emergency department's)


@dataclass
class CrisisCard:
    lines: list[CrisisLine]
    name: str | None = None
    warning_signs: list[str] = field(default_factory=list)
    coping: list[str] = field(default_factory=list)
    people: list[Caller] = field(default_factory=list)
    professionals: list[Caller] = field(default_factory=list)
    problem: str | None = None  # why the personal plan is not shown, if it is not
    region: str = "US"  # how the phone numbers are dialled
    language: str = "en"  # what the card is written in: print it inside i18n.language(this)


# Control characters (C0, DEL, C1): a stored plan saved before they were refused must not be
# able to retitle the terminal or hide text on the card (ESC ]0; ... BEL, ESC [8m).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def _text(value: Any) -> str | None:
    """A string from the stored JSON, safe to print; None for anything that is not one. Line
    breaks are kept (a warning sign typed on two lines); tabs become spaces."""
    if not isinstance(value, str):
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub(_safe_control, value)


def _safe_control(match: re.Match[str]) -> str:
    char = match.group()
    return char if char == "\n" else " " if char == "\t" else "?"


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [text for v in value if (text := _text(v))]


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _digits(phone: str | None) -> str:
    """A phone number as dialled, to notice the same number written two ways."""
    return "".join(c for c in phone or "" if c.isdigit())


_WORDS = re.compile(r"\w+")


def shown_note(caller: Caller) -> str | None:
    """The role or relationship printed after a name, unless the name already says it:
    "Marlowe Community Hospital Emergency Department" needs no "(Emergency department)"
    after it, nor "Aunt Rosa" "(aunt)". Compared word by word without case, and only a note
    shorter than the name (one the same as it says which of two fields was meant: kept; one
    with no letters or digits says nothing: kept); the counselor's note is our own word."""
    note = caller.note
    if not note or note == "counselor":
        return note
    said = _WORDS.findall(note.casefold())
    name = _WORDS.findall(caller.name.casefold())
    if not said or said == name or " ".join(said) != " ".join(note.casefold().split()):
        return note  # no words, the name itself, or more than words ("<!-- x -->"): kept
    # The note's words as a run of whole words in the name ("ER" is not said by "Berwyn").
    runs = (name[i : i + len(said)] for i in range(len(name) - len(said) + 1))
    return None if said in runs else note


def card_from_body(body: dict[str, Any]) -> CrisisCard:
    """The card for a plan as stored (``store.canonical`` form)."""
    person = body.get("person") or {}
    safety = body.get("safety_plan") or {}
    people = [
        Caller(_text(p.get("name")) or "", _text(p.get("phone")), _text(p.get("relationship")))
        for p in _dicts(safety.get("people_to_ask"))
    ]
    # A contact who is also a person to ask (the same number, however written) is listed once.
    listed = {_digits(c.phone) for c in people if c.phone}
    people += [
        Caller(
            _text(c.get("name")) or "",
            _text(c.get("phone")),
            _text(c.get("relationship")) or _text(c.get("role")),
        )
        for c in _dicts(body.get("contacts"))
        if _text(c.get("phone")) and _digits(_text(c.get("phone"))) not in listed
    ]
    professionals = []
    counselor = (body.get("program") or {}).get("counselor") or {}
    if _text(counselor.get("phone")):
        professionals.append(
            Caller(_text(counselor.get("name")) or "", _text(counselor["phone"]), N_("counselor"))
        )
    professionals += [
        Caller(
            _text(pro.get("name")) or "",
            _text(pro.get("phone")),
            _text(pro.get("role")),
            after_hours=_text(pro.get("after_hours_phone")),
            address=_text(pro.get("address")),
        )
        for pro in _dicts(safety.get("professionals"))
    ]
    region = str(person.get("region", "US"))
    lang = plan_language(_text(person.get("language")))  # --lang, else the person's
    with language(lang):
        lines, _ = crisis_lines(region)
    return CrisisCard(
        lines=lines if shows_lines(safety, people, professionals) else [],
        name=_text(person.get("name")),
        warning_signs=_strings(safety.get("warning_signs")),
        coping=_strings(safety.get("coping_strategies")),
        people=people,
        professionals=professionals,
        region=region,
        language=lang,
    )


def shows_lines(safety: dict[str, Any], people: list[Caller], professionals: list[Caller]) -> bool:
    """The one rule for the crisis lines, on the card and in the handout: shown unless the plan
    says not to, and always when there is nobody else to call."""
    reachable = any(c.phone or c.after_hours for c in (*people, *professionals))
    return safety.get("include_crisis_lines", True) is not False or not reachable


# An emergency department (or room), an ER or ED; failing that, urgent care. In Spanish too
# (a plan written in Spanish says "sala de emergencias", "urgencias", "cuidado urgente").
_EMERGENCY = re.compile(r"(?i:\bemergency\b|\bemergencias?\b|\burgencias\b)|\bE\.?[RD]\b")
_URGENT = re.compile(
    r"\burgent\s*care\b|\bcuidados?\s+urgentes?\b|\batenci[oó]n\s+(?:de\s+)?urgencia\b",
    re.IGNORECASE,
)


def emergency_department(card: CrisisCard) -> Caller | None:
    """The professional the plan names as its emergency department (by role or name), else
    its urgent care: where to go, for the wallet card."""
    for pattern in (_EMERGENCY, _URGENT):
        for pro in card.professionals:
            said = f"{pro.note or ''} {pro.name}"
            if pattern.search(said):
                return pro
    return None


def bundled_card(problem: str | None = None) -> CrisisCard:
    lang = plan_language(None)
    with language(lang):
        lines, _ = crisis_lines()
    return CrisisCard(lines=lines, problem=problem, language=lang)


def _shadowed_plan(ref: str, home: Path | None) -> CrisisCard | None:
    """A bare name that is a file or folder here and also a stored plan (``crisis dana`` next
    to a folder ``dana/``): the stored plan's card, saying which was shown and how to ask for
    the other. None when the name means only the file."""
    from iopcli.sources import is_bare_name, shadowing
    from iopcli.store import NotFoundError, open_store

    if not is_bare_name(ref):
        return None
    try:
        store = open_store(home, create=False)
    except NotFoundError:
        return None
    try:
        message = shadowing(ref, store)
        if message is None:
            return None
        card = card_from_body(store.body(store.resolve(ref)))
    finally:
        store.close()
    return replace(card, problem=f"This is the stored plan: {message}")


def load_card(ref: str | None, home: Path | None = None) -> CrisisCard:
    """The person's card, or the bundled lines with a one-line reason; never raises."""
    try:
        if ref is not None:
            from iopcli.sources import is_file_ref

            if is_file_ref(ref):
                stored = _shadowed_plan(ref, home)
                if stored is not None:
                    return stored
                from iopcli.planfile import read_plan
                from iopcli.store import canonical

                return card_from_body(canonical(read_plan(ref)))
        from iopcli.sources import default_ref
        from iopcli.store import NotFoundError, open_store

        try:
            store = open_store(home, create=False)
        except NotFoundError:
            if ref is None:
                return bundled_card()
            raise
        try:
            plan_id = store.resolve(ref) if ref is not None else default_ref(store, home)
            return card_from_body(store.body(plan_id))
        finally:
            store.close()
    except UsageError as exc:  # several plans stored and none chosen, or none yet
        return bundled_card(f"To see your own plan here: {exc.lines()[0]}")
    except IopcliError as exc:
        return bundled_card(f"Your personal plan could not be read: {exc.lines()[0]}")
    except Exception as exc:  # the card must show whatever went wrong
        return bundled_card(f"Your personal plan could not be read ({type(exc).__name__}).")
