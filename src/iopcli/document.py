"""The handout as data: built once from a plan, then drawn by each renderer.

Markdown, HTML, PDF and the terminal (``show``) all draw the same :class:`Document`, so they can
never disagree about what the handout says or in which order. Text here is *literal*: a person's
words exactly as typed, never pre-escaped; each renderer escapes for its own format. Links carry
their target so that paper can print it (a web address, a phone number) next to the label.

Kept free of the plan model and of every renderer: a plain tree of frozen dataclasses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Link:
    """A ``tel:``, ``mailto:`` or ``http(s):`` link. ``shown`` is what paper prints after the
    label when the label is not already the target (the phone number, the web address)."""

    label: str
    url: str
    kind: Literal["phone", "email", "web", "map"] = "web"
    shown: str | None = None


@dataclass(frozen=True)
class Strong:
    """Emphasised words: a name, a day, a lead-in."""

    text: str


@dataclass(frozen=True)
class Break:
    """A line break inside a paragraph or list item (a note typed line by line)."""


BREAK = Break()

#: One piece of inline text; a run of them is a :data:`Text`.
Span = str | Link | Strong | Break
Text = tuple[Span, ...]


@dataclass(frozen=True)
class Paragraph:
    text: Text
    lead: bool = False  # a lead-in to the list after it ("Then call someone who can help:")


@dataclass(frozen=True)
class Items:
    items: tuple[Text, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    """A table with a header row. ``paper`` renderers may draw it as a list of rows."""

    header: tuple[str, ...]
    rows: tuple[tuple[Text, ...], ...]


@dataclass(frozen=True)
class WeekEntry:
    """One block in the week at a glance: a meeting or a repeating appointment on a weekday."""

    weekday: int  # 0 = Monday ... 6 = Sunday
    start: dt.time
    end: dt.time  # may be earlier than start: ends the next day
    title: str
    kind: Literal["meeting", "appointment"]
    cadence: str | None = None  # "every other week", "2nd Tuesday of the month", ...; None weekly


@dataclass(frozen=True)
class Week:
    """The week at a glance: seven day columns. Renderers that cannot draw a picture (Markdown,
    the terminal) rely on the table or list the section carries as well."""

    entries: tuple[WeekEntry, ...]
    days: tuple[str, ...] = (
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    )


@dataclass(frozen=True)
class Subsection:
    title: str
    blocks: tuple[Block, ...]


Block = Paragraph | Items | Table | Week | Subsection


@dataclass(frozen=True)
class Section:
    """A handout part: ``key`` is one of :data:`iopcli.sections.HANDOUT_SECTIONS` (or
    ``title``/``calendar``), the names ``show --section`` and ``edit SECTION`` take."""

    key: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class WalletCard:
    """The crisis card cut to 85.6 × 54 mm: a few warning signs, two people, the lines, the
    emergency department. Built by the same code as the handout's crisis section."""

    name: str | None
    warning_signs: tuple[str, ...]
    people: tuple[Text, ...]
    lines: tuple[Text, ...]
    emergency: Text | None = None


@dataclass(frozen=True)
class Document:
    title: str
    lang: str  # BCP 47: the HTML lang attribute, the PDF's language
    intro: Text
    sections: tuple[Section, ...]
    card: WalletCard | None = None
    meta: dict[str, str] = field(default_factory=dict)  # e.g. the program's name, for a footer

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)
