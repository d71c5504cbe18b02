"""The handout's parts, and the one list of section names ``show`` and ``edit`` take.

Kept apart from :mod:`iopcli.handout` (which loads the plan model) so the command line can
offer and check the names without loading it.

A person who reads ``show --section safety`` should be able to type ``edit PLAN safety``, and
the other way round: :data:`SECTION_NAMES` is the one list both commands accept, each name
saying which handout part ``show`` prints and which interview section ``edit`` asks.
"""

from __future__ import annotations

from iopcli.i18n import N_

#: Handout part key -> heading (English; translated where used), in the handout's order.
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

#: Every name ``show --section`` and ``edit PLAN SECTION`` take: the handout part ``show``
#: prints (``title``: the heading and who the plan is from) and the interview section ``edit``
#: asks. None where a name has no such thing; the command then says what to use instead.
SECTION_NAMES: dict[str, tuple[str | None, str | None]] = {
    "crisis": ("crisis", "safety_plan"),
    "next": ("next", "program"),
    "week": ("week", None),
    "relapse": ("relapse", "relapse_prevention"),
    "safety": ("safety", "safety_plan"),
    "medications": ("medications", "medications"),
    "resources": ("resources", "resources"),
    "contacts": ("contacts", "contacts"),
    "goals": ("goals", "goals"),
    "notes": ("notes", "notes"),
    "person": ("title", "person"),
    "program": ("title", "program"),
    "meetings": ("week", "meetings"),
    "appointments": ("week", "appointments"),
    "safety_plan": ("safety", "safety_plan"),
    "relapse_prevention": ("relapse", "relapse_prevention"),
    "clinician": (None, "clinician"),
}


class SectionNameError(ValueError):
    """A section name a command cannot take: the message says which it can."""


def _known(name: str) -> tuple[str | None, str | None]:
    if name not in SECTION_NAMES:
        raise SectionNameError(f"{name!r} is not one of {', '.join(SECTION_NAMES)}")
    return SECTION_NAMES[name]


def shown_part(name: str) -> str:
    """The handout part ``show --section NAME`` prints."""
    part, _edit = _known(name)
    if part is None:
        raise SectionNameError(
            f"{name!r}: the clinician-only part is never shown here"
            " (export --clinician puts it in a handout)"
        )
    return part


def edited_section(name: str) -> str:
    """The interview section ``edit PLAN NAME`` asks."""
    _part, section = _known(name)
    if section is None:
        raise SectionNameError(
            f"{name!r}: the week is made of meetings and appointments: edit one of them"
            " (meetings or appointments)"
        )
    return section
