"""The next program of care (continuing care): the handout's "Your next program" section.

Placeholder until the plan holds a next program (issue #16); the handout builder calls
:func:`section` for the ``next`` part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iopcli.document import Section
    from iopcli.model import AftercarePlan


def section(plan: AftercarePlan) -> Section | None:
    """The "Your next program" section, or None when the plan names no next program."""
    return None
