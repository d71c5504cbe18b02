"""The crisis card: warning signs, coping steps, people and lines to call, on one screen.

It must work when everything else is broken, and fast: it reads the stored plan's JSON
directly (validated when it was saved) instead of building the pydantic model, imports no
exporter, and falls back to the bundled crisis lines whatever goes wrong, saying so in one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from iopcli.crisis_lines import CrisisLine, crisis_lines
from iopcli.errors import IopcliError, UsageError

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class Caller:
    name: str
    phone: str | None = None
    note: str | None = None  # relationship, role, or "after hours"


@dataclass
class CrisisCard:
    lines: list[CrisisLine]
    name: str | None = None
    warning_signs: list[str] = field(default_factory=list)
    coping: list[str] = field(default_factory=list)
    people: list[Caller] = field(default_factory=list)
    professionals: list[Caller] = field(default_factory=list)
    problem: str | None = None  # why the personal plan is not shown, if it is not


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def card_from_body(body: dict[str, Any]) -> CrisisCard:
    """The card for a plan as stored (``store.canonical`` form)."""
    person = body.get("person") or {}
    safety = body.get("safety_plan") or {}
    people = [
        Caller(p.get("name", ""), p.get("phone"), p.get("relationship"))
        for p in _dicts(safety.get("people_to_ask"))
    ]
    named = {c.name for c in people}
    people += [
        Caller(c.get("name", ""), c.get("phone"), c.get("relationship") or c.get("role"))
        for c in _dicts(body.get("contacts"))
        if c.get("phone") and c.get("name") not in named
    ]
    professionals = []
    counselor = (body.get("program") or {}).get("counselor") or {}
    if counselor.get("phone"):
        professionals.append(Caller(counselor.get("name", ""), counselor["phone"], "counselor"))
    for pro in _dicts(safety.get("professionals")):
        if pro.get("phone"):
            professionals.append(Caller(pro.get("name", ""), pro["phone"], pro.get("role")))
        if pro.get("after_hours_phone"):
            professionals.append(
                Caller(pro.get("name", ""), pro["after_hours_phone"], "after hours")
            )
    include_lines = safety.get("include_crisis_lines", True) is not False
    lines, _ = crisis_lines(str(person.get("region", "US")))
    return CrisisCard(
        lines=lines if include_lines or not (people or professionals) else [],
        name=person.get("name"),
        warning_signs=_strings(safety.get("warning_signs")),
        coping=_strings(safety.get("coping_strategies")),
        people=people,
        professionals=professionals,
    )


def bundled_card(problem: str | None = None) -> CrisisCard:
    lines, _ = crisis_lines()
    return CrisisCard(lines=lines, problem=problem)


def load_card(ref: str | None, home: Path | None = None) -> CrisisCard:
    """The person's card, or the bundled lines with a one-line reason; never raises."""
    try:
        if ref is not None:
            from iopcli.sources import is_file_ref

            if is_file_ref(ref):
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
