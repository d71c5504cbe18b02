"""A plan as hostile as the model lets it be, for the HTML and PDF handout tests: markup, format
placeholders, bidi overrides and zero-width characters in every kind of field typed by a person,
words and web addresses longer than a line, notes of 10,000 characters, meetings that cross
midnight, many things at the same time."""

from __future__ import annotations

from typing import Any

# What a person (or a feed) might put in a field: markup and an attribute break-out, the
# placeholders of str.format and %-formatting, a right-to-left override left open, zero-width
# joiners and a word joiner. Plans refuse control characters, and web links other than http(s).
NASTY = (
    '<script>alert(1)</script></style>"><img src=x onerror=alert(1)>'
    " {{x}} {} {0} {name} %s %(a)s \u202eevil a\u200db\u200c\u2060"
)
LONG_WORD = "W" * 400
LONG_URL = "https://example.org/" + "a" * 300 + '/"><svg/onload=alert(1)>?q={x}&r=%s'


def hostile_plan(meetings: int = 3, notes: int = 10_000) -> dict[str, Any]:
    """The plan as a dict for ``AftercarePlan.model_validate``."""
    long_notes = (NASTY + "\n" + LONG_WORD + "\n\n") * (notes // (len(NASTY) + 402) + 1)
    return {
        "id": "hostile-1",
        "person": {"name": "Ann " + NASTY[:150], "timezone": "America/Chicago"},
        "program": {
            "name": "P " + NASTY,
            "discharge_date": "2027-03-05",
            "counselor": {"name": "C " + NASTY[:150], "phone": "312-555-0100"},
        },
        "safety_plan": {
            "warning_signs": [NASTY + " " + LONG_WORD, "sign two", "sign three", "sign four"],
            "coping_strategies": [NASTY],
            "people_to_ask": [
                {"name": "R " + NASTY[:150], "relationship": NASTY[:150], "phone": "312-555-0123"}
            ],
            "professionals": [
                {
                    "name": "Marlowe Community Hospital Emergency Department",
                    "role": "Emergency department",
                    "phone": "312-555-0199",
                    "address": "4100 N Marlowe Ave " + NASTY,
                },
                {"name": "Jordan", "role": "Clinician", "phone": "312-555-0155"},
            ],
            "safe_environment": [NASTY],
            "reasons_for_living": [NASTY],
        },
        "meetings": [
            {
                "name": f"M{n} " + NASTY[:150],
                "days": ["tue"],
                "start": "23:30",
                "end": "01:00",
                "address": NASTY + " " + LONG_WORD,
                "online_url": LONG_URL,
                "notes": long_notes[:notes] if n == 0 else NASTY + "\n" + LONG_WORD,
            }
            for n in range(meetings)
        ],
        "appointments": [
            {
                "provider": "Dr " + NASTY[:150],
                "date": "2027-03-09",
                "time": "09:00",
                "repeat": "weekly",
                "notes": NASTY,
                "link": LONG_URL,
                "cost_note": NASTY,
            }
        ],
        "resources": [
            {"name": "Res " + NASTY[:150], "category": "housing", "url": LONG_URL, "notes": NASTY}
        ],
        "contacts": [
            {"name": "Sam " + NASTY[:150], "phone": "312-555-0111", "when_to_call": NASTY}
        ],
        "goals": [{"goal": NASTY, "term": "short"}],
        "notes": long_notes[:notes],
    }


def empty_plan() -> dict[str, Any]:
    """Only the required fields."""
    return {
        "id": "empty",
        "person": {"name": "Lee", "timezone": "America/Chicago"},
        "program": {"name": "P", "discharge_date": "2027-03-05"},
    }
