"""The crisis lines bundled with iopcli, read from ``data/crisis_lines.json``.

Kept as data so another country is a data change only. This module imports nothing heavy: the
`crisis` command reads it when everything else may be broken.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

DEFAULT_REGION = "US"


@dataclass(frozen=True)
class CrisisLine:
    name: str
    when: str
    verified: str
    call: str | None = None
    text: str | None = None
    text_keyword: str | None = None
    tty: str | None = None
    url: str | None = None
    source: str | None = None

    def actions(
        self, number: Callable[[str], str] = str, words: Callable[[str], str] = str
    ) -> list[str]:
        """How to reach the line: 'call or text 988', 'text HOME to 741741', 'TTY ...'.
        ``number`` renders each number (a tel: link in the handout), ``words`` the rest."""
        parts = []
        if self.call and self.text == self.call:
            parts.append(f"call or text {number(self.call)}")
        else:
            if self.call:
                parts.append(f"call {number(self.call)}")
            if self.text:
                keyword = f"{words(self.text_keyword)} to " if self.text_keyword else ""
                parts.append(f"text {keyword}{words(self.text)}")
        if self.tty:
            parts.append(f"TTY {number(self.tty)}")
        return parts

    @property
    def how(self) -> str:
        """'Call or text 988', 'Text HOME to 741741': the one line to act on."""
        return "; ".join(part[0].upper() + part[1:] for part in self.actions())


def _load() -> dict[str, list[CrisisLine]]:
    raw = json.loads(
        resources.files("iopcli").joinpath("data/crisis_lines.json").read_text("utf-8")
    )
    fields = set(CrisisLine.__dataclass_fields__)
    return {
        region: [
            CrisisLine(**{k: v for k, v in line.items() if k in fields}) for line in entry["lines"]
        ]
        for region, entry in raw.items()
        if not region.startswith("_")
    }


def crisis_lines(region: str = DEFAULT_REGION) -> tuple[list[CrisisLine], str]:
    """The lines for ``region`` and the region they are really for (US when it has none)."""
    table = _load()
    if region in table:
        return table[region], region
    return table[DEFAULT_REGION], DEFAULT_REGION
