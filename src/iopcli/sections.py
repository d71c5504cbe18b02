"""The handout's parts: the keys ``show --section`` takes and the heading of each.

Kept apart from :mod:`iopcli.markdown` (which loads the plan model) so the command line can
offer and check the keys without loading it.
"""

from __future__ import annotations

from iopcli.i18n import N_

#: Section key -> heading, in the handout's order (English; translated where shown: ``_(title)``).
HANDOUT_SECTIONS = {
    "crisis": N_("If you are in crisis"),
    "next": N_("Your next program"),
    "week": N_("My week"),
    "relapse": N_("Staying on track"),
    "safety": N_("My safety plan"),
    "medications": N_("My medications"),
    "resources": N_("Help in your community"),
    "contacts": N_("People who support me"),
    "goals": N_("My goals"),
    "notes": N_("Notes"),
}
