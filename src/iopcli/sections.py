"""The handout's parts: the keys ``show --section`` takes and the heading of each.

Kept apart from :mod:`iopcli.markdown` (which loads the plan model) so the command line can
offer and check the keys without loading it.
"""

from __future__ import annotations

#: Section key -> heading, in the handout's order.
HANDOUT_SECTIONS = {
    "crisis": "If you are in crisis",
    "next": "Your next program",
    "week": "My week",
    "relapse": "Staying on track",
    "safety": "My safety plan",
    "medications": "My medications",
    "resources": "Help in your community",
    "contacts": "People who support me",
    "goals": "My goals",
    "notes": "Notes",
}
