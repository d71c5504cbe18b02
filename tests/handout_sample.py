"""A hand-built handout document for the HTML and PDF renderer tests (every block kind, hostile
text, a week with an overlap, a cadence and a meeting past midnight, the wallet card)."""

from __future__ import annotations

import datetime as dt

from iopcli.document import (
    BREAK,
    Document,
    Items,
    Link,
    Paragraph,
    Section,
    Strong,
    Subsection,
    Table,
    WalletCard,
    Week,
    WeekEntry,
)

HOSTILE = '<script>alert(1)</script> & </td> "quotes" ‘ñandú’ ¿qué? ¡sí! – — …'


def sample_document(lang: str = "en") -> Document:
    renee = Link("(312) 555-0123", "tel:+13125550123", "phone")
    chat = Link("chat online", "https://988lifeline.org/chat/", "web", "988lifeline.org/chat")
    week = Week(
        (
            WeekEntry(
                1, dt.time(17, 30), dt.time(18, 20), "Individual therapy: Jordan", "appointment"
            ),
            WeekEntry(
                1,
                dt.time(18, 0),
                dt.time(19, 0),
                "Overlapping check-in",
                "appointment",
                "every other week",
            ),
            WeekEntry(
                1, dt.time(19, 0), dt.time(20, 15), "Lincoln Square Big Book Study (AA)", "meeting"
            ),
            WeekEntry(
                3, dt.time(19, 0), dt.time(20, 15), "Lincoln Square Big Book Study (AA)", "meeting"
            ),
            WeekEntry(5, dt.time(23, 0), dt.time(0, 30), "Midnight Owls (NA)", "meeting"),
            WeekEntry(
                4,
                dt.time(9, 0),
                dt.time(9, 30),
                "Medication check: Dr. Ortiz",
                "appointment",
                "2nd Friday of the month",
            ),
        )
    )
    table = Table(
        ("Day", "Time", "What", "Where"),
        (
            (
                ("Tuesday",),
                ("5:30 pm–6:20 pm",),
                ("Individual therapy: Jordan",),
                (
                    "3340 N Lindale Ave, Suite 210; ",
                    Link("(312) 555-0155", "tel:+13125550155", "phone"),
                ),
            ),
            (
                ("Tuesday",),
                ("6:00 pm–7:00 pm",),
                ("Overlapping check-in (every other week)",),
                ("Online: ", Link("join online", "https://meet.example.org/j/123", "web")),
            ),
            (
                ("Tuesday",),
                ("7:00 pm–8:15 pm",),
                ("Lincoln Square Big Book Study (AA)",),
                ("2231 W Fennimore St, Chicago",),
            ),
            (
                ("Thursday",),
                ("7:00 pm–8:15 pm",),
                ("Lincoln Square Big Book Study (AA)",),
                ("2231 W Fennimore St, Chicago",),
            ),
            (
                ("Friday",),
                ("9:00 am–9:30 am",),
                ("Medication check: Dr. Ortiz (2nd Friday of the month)",),
                ("Clinic",),
            ),
            (("Saturday",), ("11:00 pm–12:30 am",), ("Midnight Owls (NA)",), (HOSTILE,)),
        ),
    )
    crisis = Section(
        "crisis",
        "If you are in crisis",
        (
            Paragraph((Strong("Notice your warning signs:"),), lead=True),
            Items((("You stop answering texts.",), ("Sleeping past noon.",))),
            Paragraph((Strong("Then call someone who can help:"),), lead=True),
            Items(((Strong("Renee"), " (AA sponsor): ", renee),)),
            Paragraph((Strong("Crisis lines, free and open day and night:"),), lead=True),
            Items(
                (
                    (
                        Strong("988 Suicide & Crisis Lifeline"),
                        ": call or text ",
                        Link("988", "tel:988", "phone"),
                        " or ",
                        chat,
                        ".",
                    ),
                    (Strong("Crisis Text Line"), ": text HOME to 741741."),
                    (Strong("Emergency"), ": call ", Link("911", "tel:911", "phone"), "."),
                )
            ),
        ),
    )
    safety = Section(
        "safety",
        "My safety plan",
        (
            Subsection("Step 1: Warning signs", (Items((("Cancelling plans.",),)),)),
            Subsection("Step 2: Things I can do on my own", (Items((("Walk the dog.",),)),)),
            Subsection(
                "Step 3: People and places that distract me", (Items((("The library.",),)),)
            ),
            Subsection("Step 4: People I can ask for help", (Items((("Kim, sister",),)),)),
            Subsection("Step 5: Professionals I can call", (Items((("Alicia, counselor",),)),)),
            Subsection(
                "Step 6: Making my surroundings safe",
                (
                    Items((("Medicines locked away.",),)),
                    Subsection("A deeper heading", (Paragraph(("Deep.",)),)),
                ),
            ),
        ),
    )
    notes = Section(
        "notes",
        "Notes",
        (
            Paragraph(
                (
                    "First line",
                    BREAK,
                    "second line",
                    BREAK,
                    HOSTILE,
                    Link("bad", "javascript:alert(1)"),
                )
            ),
            Items((("one",), ("two",)), numbered=True),
        ),
    )
    card = WalletCard(
        "Dana",
        ("Not answering texts", "Sleeping past noon"),
        (
            (Strong("Renee"), ": ", renee),
            (Strong("Kim"), ": ", Link("312-555-0167", "tel:+13125550167", "phone")),
        ),
        (
            (Strong("988"), ": call or text ", Link("988", "tel:988", "phone")),
            (Strong("Crisis Text Line"), ": text HOME to 741741"),
        ),
        (
            Strong("Emergency department"),
            ": Northwestern ER, 251 E Huron St; ",
            Link("911", "tel:911", "phone"),
        ),
    )
    return Document(
        title="My aftercare plan: Dana",
        lang=lang,
        intro=(
            "From Northbridge IOP. Your counselor: Alicia, ",
            Link("(312) 555-0142", "tel:+13125550142", "phone"),
            ".",
        ),
        sections=(crisis, Section("week", "My week", (week, table)), safety, notes),
        card=card,
    )
