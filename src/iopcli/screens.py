"""The crisis card on a terminal, kept apart from the Typer app so it can be drawn without it.

Rendering only (the card itself comes from :mod:`iopcli.crisis`): rich for a terminal, plain
text for ``--plain``, NO_COLOR, TERM=dumb and screen readers. Meaning is never carried by
colour alone: headings are words, items are bulleted.
"""

from __future__ import annotations

import os

from typing import TYPE_CHECKING

from iopcli.crisis import Caller, CrisisCard

if TYPE_CHECKING:
    from rich.console import Console


def wants_plain(flag: bool) -> bool:
    """Plain text: asked for, or NO_COLOR set, or a terminal that cannot do more."""
    return flag or bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"


def make_console(stderr: bool = False) -> Console:
    """The one rich Console every command draws with (markup off: a plan's "[x]" is text)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, markup=False)


def _caller(caller: Caller) -> str:
    name = caller.name + (f" ({caller.note})" if caller.note else "")
    return f"{name}: {caller.phone}" if caller.phone else name


def crisis_sections(card: CrisisCard) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    if card.warning_signs:
        out.append(("Your warning signs", card.warning_signs))
    if card.coping:
        out.append(("Things you can do on your own", card.coping))
    if card.people:
        out.append(("People you can call", [_caller(c) for c in card.people]))
    if card.professionals:
        out.append(("Professionals", [_caller(c) for c in card.professionals]))
    if card.lines:
        rows = [f"{line.name}: {line.how}" for line in card.lines]
        out.append(("Crisis lines, free, day and night", rows))
    return out


def print_crisis(card: CrisisCard, plain: bool) -> None:
    title = f"If you are in crisis, {card.name}" if card.name else "If you are in crisis"
    sections = crisis_sections(card)
    if wants_plain(plain):
        print(title)
        for heading, items in sections:
            print(f"\n{heading}:")
            for item in items:
                print(f"  - {item}")
        if card.problem:
            print(f"\n{card.problem}")
        return
    from rich.text import Text

    console = make_console()
    console.print(Text(title, style="bold"))
    for heading, items in sections:
        console.print()
        console.print(Text(heading, style="bold"))
        for item in items:
            console.print(Text(f"  • {item}"))
    if card.problem:
        console.print()
        console.print(Text(card.problem, style="italic"))
