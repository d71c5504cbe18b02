"""The Markdown handout: a pure function from a plan to CommonMark text.

Written for the person, in the second person, crisis first. Everything a person typed goes
through :func:`text` so that it can only ever be literal text: never a heading, raw HTML, a link
or a broken table. The only links emitted are ``tel:``, ``mailto:`` and ``http(s):``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote

from iopcli.crisis_lines import crisis_lines
from iopcli.model import (
    AftercarePlan,
    Appointment,
    Contact,
    Helper,
    Meeting,
    MeetingRepeat,
    OpeningHours,
    Professional,
    Recurrence,
    ShortMonths,
)
from iopcli.schedule import (
    DEFAULT_HORIZON_DAYS,
    Occurrence,
    Series,
    first_refill,
    occurrences,
    plan_series,
)
from iopcli.sections import HANDOUT_SECTIONS
from iopcli.values import Weekday, format_time, tel_uri

# Inline punctuation that can start markup anywhere in a line ("&" only where it would start an
# entity such as &lt;); the rest is left as typed so the raw file stays readable.
_INLINE = re.compile(r"([\\`*_\[\]<|~#]|&(?=#?[A-Za-z0-9]+;))")
# Punctuation that only matters at the start of a line: headings, lists, quotes, setext, fences.
_LINE_START = re.compile(r"^(\s*)(?:([#>+=\-:])|(\d+)([.)]))")


def text(value: str) -> str:
    """A person's words as literal, single-line Markdown text."""
    flat = " ".join(value.split())
    escaped = _INLINE.sub(r"\\\1", flat)
    return _LINE_START.sub(_escape_line_start, escaped)


def _escape_line_start(match: re.Match[str]) -> str:
    # A backslash escapes punctuation only: "1." becomes "1\.", "#" becomes "\#".
    if match.group(2) is not None:
        return match.group(1) + "\\" + match.group(2)
    return match.group(1) + match.group(3) + "\\" + match.group(4)


def _destination(url: str) -> str:
    return quote(url, safe=":/?#@!$&'*+,;=%~.-_").replace("(", "%28").replace(")", "%29")


def link(label: str, url: str, links: bool = True) -> str:
    """A Markdown link; with ``links`` false (a terminal), the label with a web address after it."""
    scheme = url.split(":", 1)[0].lower()
    if scheme not in ("http", "https", "tel", "mailto") or not links:
        if scheme in ("http", "https") and label != url:
            return f"{text(label)} ({text(url)})"
        return text(label)
    return f"[{text(label)}]({_destination(url)})"


def phone_link(phone: str, region: str, links: bool = True) -> str:
    return link(phone, tel_uri(phone, region), links)


@dataclass(frozen=True)
class _Style:
    """What every part of the handout needs to write links: the plan's region and whether
    links are wanted at all (passed down, where it used to be a hidden context variable)."""

    region: str
    links: bool

    def link(self, label: str, url: str) -> str:
        return link(label, url, self.links)

    def phone(self, phone: str) -> str:
        return phone_link(phone, self.region, self.links)


@dataclass(frozen=True)
class MarkdownOptions:
    paper: bool = False  # lists instead of tables: narrow enough for any printer and screen
    links: bool = True  # False for a terminal, where "(312) 555-0142 (tel:+1...)" is noise
    clinician: bool = False  # the clinician-only part too (export --clinician): never by default


class _Doc:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def heading(self, level: int, title: str) -> None:
        self.lines += ["#" * level + " " + title, ""]

    def para(self, line: str) -> None:
        self.lines += [line, ""]

    def bullets(self, items: Iterable[str]) -> None:
        items = list(items)
        if items:
            self.lines += [f"- {item}" for item in items] + [""]

    def numbered(self, items: Iterable[str]) -> None:
        items = list(items)
        if items:
            self.lines += [f"{i}. {item}" for i, item in enumerate(items, 1)] + [""]

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        self.lines.append("| " + " | ".join(header) + " |")
        self.lines.append("|" + "|".join("---" for _ in header) + "|")
        self.lines += ["| " + " | ".join(row) + " |" for row in rows]
        self.lines.append("")

    def render(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"


def plan_to_markdown(plan: AftercarePlan, options: MarkdownOptions | None = None) -> str:
    return "\n".join(part for part in handout_sections(plan, options).values() if part)


def handout_sections(plan: AftercarePlan, options: MarkdownOptions | None = None) -> dict[str, str]:
    """The handout part by part, in order: ``title`` (the heading and who it is from), each
    :data:`~iopcli.sections.HANDOUT_SECTIONS` key, then ``calendar`` (about the .ics file).
    A part the plan has nothing for is the empty string."""
    options = options or MarkdownOptions()
    style = _Style(plan.person.region, options.links)
    parts: dict[str, Callable[[_Doc], None]] = {
        "title": lambda doc: _title(doc, plan, style),
        "crisis": lambda doc: _crisis(doc, plan, style),
        "week": lambda doc: _week(doc, plan, options, style),
        "relapse": lambda doc: _relapse(doc, plan, style),
        "safety": lambda doc: _safety(doc, plan, style),
        "medications": lambda doc: _medications(doc, plan, style),
        "resources": lambda doc: _resources(doc, plan, style),
        "contacts": lambda doc: _contacts(doc, plan, style),
        "goals": lambda doc: _goals(doc, plan, style),
        "notes": lambda doc: _notes(doc, plan),
        "clinician": lambda doc: _clinician(doc, plan) if options.clinician else None,
        "calendar": _about_the_calendar,
    }
    out = {}
    for key, build in parts.items():
        doc = _Doc()
        build(doc)
        out[key] = doc.render() if doc.lines else ""
    return out


def _title(doc: _Doc, plan: AftercarePlan, style: _Style) -> None:
    doc.heading(1, f"My aftercare plan: {text(plan.person.name)}")
    program = plan.program
    intro = f"From {text(program.name)}, discharged {_date(program.discharge_date)}."
    if program.counselor:
        counselor = text(program.counselor.name)
        if program.counselor.phone:
            counselor += f", {style.phone(program.counselor.phone)}"
        intro += f" Your counselor: {counselor}."
    doc.para(intro)


def _notes(doc: _Doc, plan: AftercarePlan) -> None:
    if plan.notes:
        doc.heading(2, HANDOUT_SECTIONS["notes"])
        for paragraph in plan.notes.split("\n\n"):
            doc.para(text(paragraph))


def _clinician(doc: _Doc, plan: AftercarePlan) -> None:
    """The clinician-only part, for a copy meant for the next provider (``--clinician``)."""
    notes = plan.clinician
    if notes is None or notes.empty:
        return
    doc.heading(2, "For the clinician only")
    doc.bullets(
        f"{label}: {text(value)}"
        for label, value in (
            ("Insurance", notes.insurance),
            ("Payer", notes.payer),
            ("Referral source", notes.referral_source),
        )
        if value
    )
    if notes.diagnoses:
        doc.para("Diagnoses:")
        doc.bullets(text(d) for d in notes.diagnoses)
    if notes.level_of_care_notes:
        doc.para("Level of care:")
        for paragraph in notes.level_of_care_notes.split("\n\n"):
            doc.para(text(paragraph))


def _about_the_calendar(doc: _Doc) -> None:
    doc.heading(2, "About your calendar file")
    doc.para(
        "The .ics file that comes with this handout puts your meetings, appointments and refills "
        "into your calendar app. Some apps (Google Calendar among them) drop reminders when a file "
        "is imported: after importing, turn on notifications for these events in your app."
    )


def _date(day: dt.date) -> str:
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def _helper(person: Helper | Contact, style: _Style) -> str:
    line = f"**{text(person.name)}**"
    if person.relationship:
        line += f" ({text(person.relationship)})"
    if person.phone:
        line += f": {style.phone(person.phone)}"
    return line


def _professional(pro: Professional, style: _Style) -> str:
    line = f"**{text(pro.name)}**"
    if pro.role:
        line += f" ({text(pro.role)})"
    parts = []
    if pro.phone:
        parts.append(style.phone(pro.phone))
    if pro.after_hours_phone:
        parts.append(f"after hours {style.phone(pro.after_hours_phone)}")
    if pro.address:
        parts.append(text(pro.address))
    return line + (": " + ", ".join(parts) if parts else "")


def _crisis(doc: _Doc, plan: AftercarePlan, style: _Style) -> None:
    safety = plan.safety_plan
    has_people = bool(safety.people_to_ask or any(c.phone for c in plan.contacts))
    if not (
        safety.warning_signs
        or safety.coping_strategies
        or has_people
        or safety.professionals
        or safety.include_crisis_lines
    ):
        return
    doc.heading(2, "If you are in crisis")
    if safety.warning_signs:
        doc.para("**Notice your warning signs:**")
        doc.bullets(map(text, safety.warning_signs))
    if safety.coping_strategies:
        doc.para("**First, try what helps you on your own:**")
        doc.bullets(map(text, safety.coping_strategies))
    people: list[Helper] | list[Contact] = safety.people_to_ask or [
        c for c in plan.contacts if c.phone
    ]
    if people:
        doc.para("**Then call someone who can help:**")
        doc.bullets(_helper(p, style) for p in people)
    if safety.professionals:
        doc.para("**Professionals you can reach:**")
        doc.bullets(_professional(p, style) for p in safety.professionals)
    if safety.include_crisis_lines:
        lines, _ = crisis_lines(style.region)
        doc.para("**Crisis lines, free and open day and night:**")
        doc.bullets(_crisis_line(line, style) for line in lines)


def _crisis_line(line: object, style: _Style) -> str:
    from iopcli.crisis_lines import CrisisLine

    assert isinstance(line, CrisisLine)
    actions = line.actions(number=lambda n: style.link(n, tel_uri(n)), words=text)
    out = f"**{text(line.name)}**: " + ", ".join(actions)
    if line.url:
        out += f" or {style.link('chat online', line.url)}"
    return out + ". " + text(line.when)


def _meeting_where(meeting: Meeting, style: _Style) -> str:
    parts = []
    place = ", ".join(x for x in (meeting.location, meeting.address) if x)
    if place:
        parts.append(text(place))
    if meeting.online_url:
        parts.append(style.link("join online", meeting.online_url))
    if meeting.online_phone:
        parts.append("by phone " + style.phone(meeting.online_phone))
    if meeting.online_notes:
        parts.append(text(meeting.online_notes))
    return "; ".join(parts + _listing_details(meeting, style))


def _listing_details(meeting: Meeting, style: _Style) -> list[str]:
    """What a meeting's listing adds: the group, how to find the room, whom to ask, where to
    give."""
    parts = []
    if meeting.location_notes:
        parts.append(text(meeting.location_notes))
    if meeting.group:
        parts.append(f"group: {text(meeting.group)}")
    area = ", ".join(text(x) for x in (meeting.region, meeting.district) if x)
    if area:
        parts.append(f"area: {area}")
    if meeting.attendance:
        parts.append(text(meeting.attendance.label.lower()))
    if meeting.type_names:
        parts.append(text(", ".join(meeting.type_names.get(t, t) for t in meeting.types)))
    if meeting.latitude is not None and meeting.longitude is not None:
        parts.append(style.link("map", _map_url(meeting.latitude, meeting.longitude)))
    if meeting.phone:
        parts.append("group phone " + style.phone(meeting.phone))
    if meeting.email:
        parts.append(style.link(meeting.email, f"mailto:{meeting.email}"))
    if meeting.website:
        parts.append(style.link("group website", meeting.website))
    if meeting.url:
        parts.append(style.link("listing", meeting.url))
    for contact in meeting.contacts:
        who = [text(contact.name)] if contact.name else []
        if contact.phone:
            who.append(style.phone(contact.phone))
        if contact.email:
            who.append(style.link(contact.email, f"mailto:{contact.email}"))
        parts.append("contact: " + " ".join(who))
    if meeting.seventh_tradition:
        parts.append(
            "7th tradition: "
            + ", ".join(style.link(t.label, t.url) for t in meeting.seventh_tradition)
        )
    return parts


def _opening(hours: OpeningHours) -> str:
    days = ", ".join(day.label[:3] for day in hours.days)
    return f"{days} {format_time(hours.opens)}–{format_time(hours.closes)}"


def _map_url(latitude: float, longitude: float) -> str:
    return f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}"


def _appointment_where(item: Appointment, style: _Style) -> str:
    parts = []
    if item.address:
        parts.append(text(item.address))
    if item.link:
        parts.append(style.link("join online", item.link))
    if item.phone:
        parts.append(style.phone(item.phone))
    return "; ".join(parts)


def _span(start: dt.time, end: dt.time, next_day: bool) -> str:
    span = f"{format_time(start)}–{format_time(end)}"
    return span + " the next day" if next_day else span


def _time_range(meeting: Meeting, plan_tz: str) -> str:
    # A meeting whose end is not after its start ends the next day (the model refuses equal).
    span = _span(meeting.start, meeting.end_time, meeting.end_time <= meeting.start)
    if meeting.timezone and meeting.timezone != plan_tz:
        span += f" ({text(meeting.timezone)} time)"
    return span


def _appointment_span(item: Appointment) -> str:
    end = dt.datetime.combine(item.date, item.time) + dt.timedelta(minutes=item.duration_minutes)
    return _span(item.time, end.time(), end.date() > item.date)


def _meeting_days(meeting: Meeting, day: Weekday) -> tuple[int, str]:
    """The row's sort position (weekdays first, then monthly rows) and its Day column."""
    if meeting.repeat is MeetingRepeat.MONTHLY:
        weeks = [w.value for w in sorted(meeting.weeks, key=lambda w: (w.nth < 0, w.nth))]
        said = weeks[0] if len(weeks) == 1 else ", ".join(weeks[:-1]) + " and " + weeks[-1]
        return 7 + day.number, f"{said.capitalize()} {day.label} of the month"
    if meeting.repeat is MeetingRepeat.EVERY_2_WEEKS:
        return day.number, f"Every other {day.label}"
    return day.number, day.label


def _month_day(item: Appointment) -> str:
    said = f"Day {item.date.day} of the month"
    if item.date.day <= 28:
        return said
    if item.short_months is ShortMonths.LAST_DAY:
        return f"{said} (the last day in shorter months)"
    return f"{said} (none in months without a {item.date.day}{_suffix(item.date.day)})"


def _suffix(day: int) -> str:
    return {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(day, "th")


def _clock_words(occurrence: Occurrence) -> str:
    """Why a listed time was moved, or which of two it is, on a clock-change day."""
    assert isinstance(occurrence.start, dt.datetime)
    planned = format_time(occurrence.start.time())
    if occurrence.clock == "skipped":
        return f"{planned} does not exist that day: the clocks go forward"
    return f"the first {planned}: the clocks go back that night"


def _clock_notes(plan: AftercarePlan, series: list[Series]) -> list[str]:
    """A line for each instance of a repeat, within the calendar's horizon, at a time the
    clocks skip or repeat: when it is, as the calendar file and the agenda show it."""
    notes = []
    for entry in series:
        if entry.rule is None or entry.all_day:
            continue
        for occurrence in occurrences(entry):
            if occurrence.clock is None:
                continue
            start, end = _clock_times(occurrence)
            name = _entry_name(entry)
            notes.append(
                f"**{_date(start.date())}**: {name} is at {format_time(start.time())}–"
                f"{format_time(end.time())} ({_clock_words(occurrence)})"
            )
    return notes


def _clock_times(occurrence: Occurrence) -> tuple[dt.datetime, dt.datetime]:
    """Start and end as the clocks read them, in the entry's own zone."""
    assert isinstance(occurrence.start, dt.datetime)
    assert isinstance(occurrence.end, dt.datetime)
    tz = occurrence.start.tzinfo
    return (
        occurrence.start.astimezone(dt.UTC).astimezone(tz),
        occurrence.end.astimezone(dt.UTC).astimezone(tz),
    )


def _entry_name(entry: Series) -> str:
    item = entry.item
    if isinstance(item, Meeting):
        return text(item.name)
    if isinstance(item, Appointment):
        return f"{item.kind.label}: {text(item.provider)}"
    return ""


def _once(item: Appointment, series: dict[str, Series]) -> str:
    """A one-off appointment's day and times, as the calendar file and the agenda give them."""
    entry = series.get(f"appointments/{item.id}")
    if entry is None:
        return f"{_date(item.date)}, {_appointment_span(item)}"
    (occurrence,) = occurrences(entry)
    start, end = _clock_times(occurrence)
    when = f"{_date(start.date())}, " + _span(start.time(), end.time(), end.date() > start.date())
    if occurrence.clock is not None:
        when += f" ({_clock_words(occurrence)})"
    return when


def _week(doc: _Doc, plan: AftercarePlan, options: MarkdownOptions, style: _Style) -> None:
    series = plan_series(plan, DEFAULT_HORIZON_DAYS)
    by_key = {entry.key: entry for entry in series}
    rows: list[tuple[int, str, list[str]]] = []
    for meeting in plan.meetings:
        what = text(meeting.name)
        if meeting.fellowship != "other":
            what += f" ({meeting.fellowship.label})"
        for day in meeting.days:
            order, label = _meeting_days(meeting, day)
            when = _time_range(meeting, plan.timezone)
            first = by_key.get(f"meetings/{meeting.id}")
            if meeting.repeat is MeetingRepeat.EVERY_2_WEEKS and first is not None:
                assert isinstance(first.start, dt.datetime)
                when += f" (from {first.start:%b} {first.start.day})"
            rows.append(
                (
                    order,
                    meeting.start.isoformat(),
                    [label, when, what, _meeting_where(meeting, style)],
                )
            )
    repeating = [a for a in plan.appointments if a.repeat != Recurrence.ONCE]
    for item in repeating:
        day = Weekday(list(Weekday)[item.date.weekday()])
        how_often = {"weekly": "", "every_2_weeks": "every 2 weeks, ", "monthly": "monthly, "}[
            item.repeat.value
        ]
        when = f"{_appointment_span(item)} ({how_often}from {item.date:%b} {item.date.day})"
        what = f"{item.kind.label}: {text(item.provider)}"
        monthly = item.repeat == "monthly"
        rows.append(
            (
                7 + item.date.day if monthly else day.number,  # monthly rows after the weekdays
                item.time.isoformat(),
                [
                    _month_day(item) if monthly else day.label,
                    when,
                    what,
                    _appointment_where(item, style),
                ],
            )
        )
    once = sorted(
        (a for a in plan.appointments if a.repeat == Recurrence.ONCE),
        key=lambda a: (a.date, a.time),
    )
    if not rows and not once:
        return
    doc.heading(2, "My week")
    rows.sort(key=lambda r: (r[0], r[1]))
    if rows:
        if options.paper:
            doc.bullets(
                f"**{r[0]} {r[1]}**: {r[2]}" + (f". {r[3]}" if r[3] else "") for _, _, r in rows
            )
        else:
            doc.table(["Day", "Time", "What", "Where"], [r for _, _, r in rows])
    notes = _clock_notes(plan, series)
    if notes:
        doc.para("**When the clocks change:**")
        doc.bullets(notes)
    if once:
        doc.para("**Appointments coming up:**")
        doc.bullets(
            f"**{_once(a, by_key)}**: {a.kind.label}: {text(a.provider)}"
            + (f". {_appointment_where(a, style)}" if _appointment_where(a, style) else "")
            for a in once
        )


def _relapse(doc: _Doc, plan: AftercarePlan, style: _Style) -> None:
    rp = plan.relapse_prevention
    if not any(
        (
            rp.triggers,
            rp.warning_signs,
            rp.coping_strategies,
            rp.high_risk_situations,
            rp.after_a_lapse,
            rp.reasons_for_recovery,
        )
    ):
        return
    doc.heading(2, "Staying on track")
    if rp.triggers:
        doc.para("**Your triggers and what you will do:**")
        doc.bullets(
            f"{text(t.trigger)}"
            + (f" ({t.kind.value})" if t.kind else "")
            + (f": {text(t.response)}" if t.response else "")
            for t in rp.triggers
        )
    if rp.warning_signs:
        doc.para("**Early warning signs to notice:**")
        doc.bullets(map(text, rp.warning_signs))
    if rp.coping_strategies:
        doc.para("**Skills that help you:**")
        doc.bullets(
            text(c.strategy) + ("" if c.helps_with == "general" else f" (for {c.helps_with.value})")
            for c in rp.coping_strategies
        )
    if rp.high_risk_situations:
        doc.para("**High-risk situations to plan for:**")
        doc.bullets(map(text, rp.high_risk_situations))
    if rp.after_a_lapse:
        doc.para("**If you slip, a lapse is not failure. Do this:**")
        doc.numbered(map(text, rp.after_a_lapse))
    if rp.reasons_for_recovery:
        doc.para("**Why you are doing this:**")
        doc.bullets(map(text, rp.reasons_for_recovery))


def _safety(doc: _Doc, plan: AftercarePlan, style: _Style) -> None:
    s = plan.safety_plan
    steps: list[tuple[str, list[str]]] = [
        ("Step 1. Warning signs that a crisis may be starting", [text(x) for x in s.warning_signs]),
        (
            "Step 2. Things you can do on your own to take your mind off problems",
            [text(x) for x in s.coping_strategies],
        ),
        (
            "Step 3. People and places that help you take your mind off things",
            [_helper(p, style) for p in s.distraction_people]
            + [text(x) for x in s.distraction_places],
        ),
        ("Step 4. People you can ask for help", [_helper(p, style) for p in s.people_to_ask]),
        (
            "Step 5. Professionals and agencies to contact in a crisis",
            [_professional(p, style) for p in s.professionals],
        ),
        ("Step 6. Making your surroundings safe", [text(x) for x in s.safe_environment]),
        ("Your reasons for living", [text(x) for x in s.reasons_for_living]),
    ]
    if not any(items for _, items in steps):
        return
    doc.heading(2, "My safety plan")
    for title, items in steps:
        if items:
            doc.heading(3, title)
            doc.bullets(items)


def _medications(doc: _Doc, plan: AftercarePlan, style: _Style) -> None:
    if not plan.medications:
        return
    doc.heading(2, "My medications")
    lines = []
    for med in plan.medications:
        line = f"**{text(med.name)}**"
        details = [text(x) for x in (med.dose, med.schedule) if x]
        if med.prescriber:
            details.append(f"prescribed by {text(med.prescriber)}")
        if med.pharmacy:
            pharmacy = text(med.pharmacy)
            if med.pharmacy_phone:
                pharmacy += f" ({style.phone(med.pharmacy_phone)})"
            details.append(f"pharmacy: {pharmacy}")
        # The refill the calendar starts with: one before discharge is already past.
        refill = first_refill(med, plan.program.discharge_date)
        if refill:
            details.append(f"next refill {_date(refill)}")
        if med.refill_every_days:
            details.append(f"every {med.refill_every_days} days")
        lines.append(line + (": " + ", ".join(details) if details else ""))
    doc.bullets(lines)


def _resources(doc: _Doc, plan: AftercarePlan, style: _Style) -> None:
    if not plan.resources:
        return
    doc.heading(2, "Help in your community")
    for category in dict.fromkeys(r.category for r in plan.resources):
        doc.heading(3, category.label)
        lines = []
        for r in (r for r in plan.resources if r.category == category):
            parts = [text(x) for x in (r.address, r.hours) if x]
            if r.phone:
                parts.insert(0, style.phone(r.phone))
            if r.url:
                parts.append(style.link("website", r.url))
            if r.email:
                parts.append(style.link(r.email, f"mailto:{r.email}"))
            for other in r.other_phones:
                label = text(other.description or other.kind or "also")
                parts.append(f"{label}: {style.phone(other.number)}")
            if r.opening_hours and not r.hours:
                parts.append("open " + "; ".join(_opening(h) for h in r.opening_hours))
            for label, value in (
                ("listed as", ", ".join(r.taxonomy)),
                ("languages", ", ".join(r.languages)),
                ("cost", r.fees),
                ("who can use it", r.eligibility),
                ("access", r.accessibility),
            ):
                if value:
                    parts.append(f"{label}: {text(value)}")
            if r.latitude is not None and r.longitude is not None:
                parts.append(style.link("map", _map_url(r.latitude, r.longitude)))
            if r.notes:
                parts.append(text(r.notes))
            lines.append(f"**{text(r.name)}**" + (": " + "; ".join(parts) if parts else ""))
        doc.bullets(lines)


def _contacts(doc: _Doc, plan: AftercarePlan, style: _Style) -> None:
    if not plan.contacts:
        return
    doc.heading(2, "People who support me")
    lines = []
    for c in plan.contacts:
        who = text(c.relationship) if c.relationship else c.role.label.lower()
        line = f"**{text(c.name)}** ({who})"
        if c.phone:
            line += f": {style.phone(c.phone)}"
        if c.when_to_call:
            line += f". Call when: {text(c.when_to_call)}"
        lines.append(line)
    doc.bullets(lines)


def _goals(doc: _Doc, plan: AftercarePlan, style: _Style) -> None:
    if not plan.goals:
        return
    doc.heading(2, "My goals")
    for term, title in (("short", "Soon"), ("long", "Longer term")):
        goals = [g for g in plan.goals if g.term == term]
        if goals:
            doc.heading(3, title)
            doc.bullets(
                text(g.goal) + (f" (by {_date(g.target_date)})" if g.target_date else "")
                for g in goals
            )
