"""The crisis lines bundled with iopcli, read from ``data/crisis_lines.json``.

Kept as data so another country is a data change only. This module imports nothing heavy: the
`crisis` command reads it when everything else may be broken.
"""

from __future__ import annotations

import json
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

    @property
    def how(self) -> str:
        """'Call or text 988', 'Text HOME to 741741': the one line to act on."""
        parts = []
        if self.call and self.text == self.call:
            parts.append(f"Call or text {self.call}")
        else:
            if self.call:
                parts.append(f"Call {self.call}")
            if self.text:
                keyword = f"{self.text_keyword} to " if self.text_keyword else ""
                parts.append(f"Text {keyword}{self.text}")
        if self.tty:
            parts.append(f"TTY {self.tty}")
        return "; ".join(parts)


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


def regions() -> list[str]:
    return sorted(_load())


def crisis_lines(region: str = DEFAULT_REGION) -> tuple[list[CrisisLine], str]:
    """The lines for ``region`` and the region they are really for (US when it has none)."""
    table = _load()
    if region in table:
        return table[region], region
    return table[DEFAULT_REGION], DEFAULT_REGION
