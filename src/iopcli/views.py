"""What a stored plan shows at home, worked out when the plan is saved.

``agenda`` and ``show`` are what a person runs on a bad day, and they must answer at once. For
a stored plan they read these views instead of the plan: loading the plan model (pydantic), the
schedule and the handout renderer takes longer than everything else the commands do, and what
they would work out is fixed by the revision. The first time they are asked for after a save,
the store makes them from the validated plan (:func:`compute`) and keeps them beside the
revision; a save drops them. They are used only for the revision they were made from, when this
very code made them (a hash of the package) and when they cover the days asked for; otherwise
the commands work it out from the plan as before. This module imports nothing heavy at module
level.

Views are written in the plan's own language (the person's, :func:`iopcli.i18n.plan_language`)
and say which (``lang``); ``--lang`` asking for another one works it out from the plan.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from iopcli.model import AftercarePlan

#: The agenda is worked out this many days before the plan's start (today or discharge) ...
DAYS_BEFORE = 31
#: ... and this many after it; outside those days the commands work it out from the plan.
DAYS_AFTER = 400


@cache
def code_key() -> str:
    """A checksum of the package's modules and data: views made by other code are not used.
    (CRC-32 rather than a cryptographic hash: it only has to notice a change, and loading
    hashlib would cost every agenda more than the whole check.)"""
    package = Path(__file__).resolve().parent
    checksum, size = 0, 0
    kept = [*package.glob("*.py"), *package.glob("data/*.json"), *package.glob("locale/*/*/*.mo")]
    for path in sorted(kept):
        data = path.name.encode() + b"\0" + path.read_bytes()
        checksum, size = zlib.crc32(data, checksum), size + len(data)
    return f"{checksum:08x}-{size:x}"


def compute(plan: AftercarePlan, today: dt.date | None = None) -> str:
    """The views of ``plan`` as stored: the agenda's entries around today and discharge, and
    the handout as ``show`` prints it (with lists, and with tables), section by section."""
    from iopcli.agenda import today_in
    from iopcli.i18n import language, supported

    lang = supported(plan.person.language)  # the plan's own: never a --lang of the moment
    with language(lang):
        return _compute(plan, today or today_in(plan), lang)


def _compute(plan: AftercarePlan, today: dt.date, lang: str) -> str:
    from iopcli.handout import build
    from iopcli.markdown import MarkdownOptions, render_parts

    first = min(today, plan.program.discharge_date) - dt.timedelta(days=DAYS_BEFORE)
    last = max(today, plan.program.discharge_date) + dt.timedelta(days=DAYS_AFTER)
    first, last = max(first, dt.date(1900, 1, 1)), min(last, dt.date(2200, 12, 31))
    rows = agenda_rows(plan, first, (last - first).days + 1)
    document = build(plan)
    views = {
        "code": code_key(),
        "plan": plan.id,
        "timezone": plan.timezone,
        "lang": lang,
        "agenda": {"first": first.isoformat(), "last": last.isoformat(), "rows": rows},
        "handout": {  # the handout built once, drawn both ways
            style: render_parts(document, MarkdownOptions(paper=paper, links=False))
            for style, paper in (("lists", True), ("tables", False))
        },
    }
    return json.dumps(views, ensure_ascii=False)  # in order: the handout's parts, the JSON keys


def agenda_rows(plan: AftercarePlan, first: dt.date, days: int) -> list[dict[str, Any]]:
    """The agenda's rows for ``days`` days from ``first``: ``entry`` as ``agenda --json``
    shows it, ``when``, its time as the agenda prints it (None for all-day entries), and
    ``day``, the heading of its day: both in the current language, so that reading kept rows
    needs no locale library."""
    from iopcli.agenda import agenda
    from iopcli.i18n import format_day, format_time

    return [
        {
            "entry": e.as_json(),
            "when": format_time(e.start.time()) if isinstance(e.start, dt.datetime) else None,
            "day": format_day(e.day),
        }
        for e in agenda(plan, first, days)
    ]


class Views:
    """The views of one revision: as :func:`compute` kept them, or (:meth:`of`) worked out
    from a plan as they are asked for."""

    def __init__(self, data: dict[str, Any], plan: AftercarePlan | None = None) -> None:
        self.data = data
        self.plan_id: str = data["plan"]
        self.timezone: str = data["timezone"]
        self.lang: str = data.get("lang", "en")  # what the kept text is written in
        self._plan = plan

    @classmethod
    def parse(cls, text: str) -> Views:
        """The views :func:`compute` wrote."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("views are a JSON object")
        return cls(data)

    @classmethod
    def read(cls, text: str | None) -> Views | None:
        """The views in ``text``; None when there are none, or other code made them."""
        try:
            views = cls.parse(text) if text else None
        except (ValueError, KeyError, TypeError):
            return None
        return views if views is not None and views.data.get("code") == code_key() else None

    @classmethod
    def of(cls, plan: AftercarePlan) -> Views:
        """Views worked out from ``plan`` when asked (a plan file: nothing is kept), in the
        language current when they are asked for."""
        from iopcli.i18n import plan_language

        lang = plan_language(plan.person.language)
        return cls({"plan": plan.id, "timezone": plan.timezone, "lang": lang}, plan)

    def today(self) -> dt.date:
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo(self.timezone)).date()

    def agenda(self, first: dt.date, days: int) -> list[dict[str, Any]] | None:
        """The agenda's rows (see :func:`agenda_rows`) for ``days`` days from ``first``; None
        when the kept views do not cover those days."""
        if self._plan is not None:
            return agenda_rows(self._plan, first, days)
        span = self.data["agenda"]
        last = first + dt.timedelta(days=days - 1)
        low, high = first.isoformat(), last.isoformat()
        if not span["first"] <= low <= high <= span["last"]:
            return None
        return [r for r in span["rows"] if low <= r["entry"]["start"][:10] <= high]

    def handout(self, paper: bool) -> dict[str, str]:
        """The handout as ``show`` prints it (lists, or tables), by part, in order."""
        if self._plan is not None:
            from iopcli.markdown import MarkdownOptions, handout_sections

            return handout_sections(self._plan, MarkdownOptions(paper=paper, links=False))
        sections: dict[str, str] = self.data["handout"]["lists" if paper else "tables"]
        return sections
