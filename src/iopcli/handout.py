"""The handout built once from a plan, as a :class:`~iopcli.document.Document`.

Every format draws what this module builds (Markdown, HTML, PDF, the terminal), so what the
handout says, and in which order, is decided here and only here. The crisis section comes from
the crisis card's own content (:func:`iopcli.crisis.card_from_body`), so the card and the
handout cannot disagree about whom to call or which lines to show.

Text is literal: a person's words as typed (line breaks become :data:`~iopcli.document.BREAK`,
blank lines separate paragraphs); each renderer escapes for its format. Fixed texts go through
:func:`iopcli.i18n._` as whole sentences with ``{placeholders}``, filled by :func:`fill`.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import replace

from iopcli.continuing_care import section as next_program
from iopcli.crisis import (
    Caller,
    CrisisCard,
    card_from_body,
    emergency_department,
    shown_note,
)
from iopcli.crisis_lines import CrisisLine
from iopcli.document import (
    BREAK,
    Block,
    Document,
    Items,
    Link,
    Paragraph,
    Section,
    Span,
    Strong,
    Subsection,
    Table,
    Text,
    WalletCard,
    Week,
    WeekEntry,
)
from iopcli.i18n import N_, _, format_date, format_short_date, format_time
from iopcli.model import (
    AftercarePlan,
    Appointment,
    Contact,
    Helper,
    Meeting,
    MeetingRepeat,
    OpeningHours,
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
from iopcli.values import Weekday, tel_uri

Piece = str | Span | Text  # what fills a placeholder: words, a link, or a run of spans

#: What a trigger's kind means, in words a person uses (not the worksheet's category names).
TRIGGER_KINDS = {
    "people": N_("people"),
    "places": N_("a place"),
    "things": N_("a thing"),
    "feelings": N_("a feeling"),
    "situations": N_("a situation"),
}
COPING_FOR = {
    "stress": N_("for stress"),
    "emotions": N_("for strong feelings"),
    "cravings": N_("for cravings"),
}

# --- text helpers ------------------------------------------------------------------------------


def words(value: str) -> Text:
    """A person's words as spans: each line break kept as a BREAK (blank lines too, once)."""
    lines = [" ".join(line.split()) for line in re.split(r"\r\n|\r|\n", value)]
    out: list[Span] = []
    for line in lines:
        if not line:
            continue
        if out:
            out.append(BREAK)
        out.append(line)
    return tuple(out)


def paragraphs(value: str) -> list[Paragraph]:
    """Long text as paragraphs (split on blank lines), single line breaks kept."""
    return [
        Paragraph(words(part)) for part in re.split(r"\n[ \t]*\n", value.strip()) if part.strip()
    ]


def _spans(piece: Piece) -> Text:
    if isinstance(piece, tuple):
        return piece
    if isinstance(piece, str):
        return words(piece)
    return (piece,)


def fill(template: str, **pieces: Piece) -> Text:
    """A translated sentence with its ``{placeholders}`` filled by words or spans."""
    out: list[Span] = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            out.append(literal)
        if name is not None:
            out.extend(_spans(pieces[name]))
    return tuple(out)


def join(parts: Sequence[Text], sep: str = ", ") -> Text:
    out: list[Span] = []
    for i, part in enumerate(parts):
        if i:
            out.append(sep)
        out.extend(part)
    return tuple(out)


def _with_notes(details: Text, notes: str | None) -> Text:
    """The details, then the person's own notes on a line of their own."""
    if not notes:
        return details
    return (*details, BREAK, *words(notes)) if details else words(notes)


def phone(number: str, region: str) -> Link:
    return Link(number, tel_uri(number, region), "phone", None)


def web(label: str, url: str) -> Link:
    return Link(label, url, "web", None if label == url else url)


def email(address: str) -> Link:
    return Link(address, f"mailto:{address}", "email", None)


def date_words(day: dt.date) -> str:
    """'Friday, March 5, 2027'; 'viernes, 5 de marzo de 2027' (iopcli.i18n, CLDR)."""
    return format_date(day)


def _short_date(day: dt.date | dt.datetime) -> str:
    return format_short_date(day)


def _lead(sentence: str) -> Paragraph:
    return Paragraph((Strong(sentence),), lead=True)


# --- the document ------------------------------------------------------------------------------


def build(plan: AftercarePlan, *, clinician: bool = False) -> Document:
    """The handout of ``plan``: the title and intro, every part of
    :data:`~iopcli.sections.HANDOUT_SECTIONS` that has something in it, in order, then (with
    ``clinician``) the clinician-only part and a word about the calendar file. The wallet card
    is :attr:`Document.card`."""
    card = crisis_card(plan)
    region = plan.person.region
    builders = {
        "crisis": lambda: _crisis(card, region),
        "next": lambda: next_program(plan),
        "week": lambda: _week(plan),
        "relapse": lambda: _relapse(plan),
        "safety": lambda: _safety(plan, card),
        "medications": lambda: _medications(plan),
        "resources": lambda: _resources(plan),
        "contacts": lambda: _contacts(plan),
        "goals": lambda: _goals(plan),
        "notes": lambda: _notes(plan),
    }
    sections = [builders[key]() for key in HANDOUT_SECTIONS]
    if clinician:
        sections.append(_clinician(plan))
    sections.append(_about_the_calendar())
    return Document(
        title=_("My aftercare plan: {name}").format(name=plan.person.name),
        lang=plan.person.language,
        intro=_intro(plan),
        sections=tuple(s for s in sections if s is not None),
        card=_wallet_card(card, region),
        meta={"program": plan.program.name},
    )


def crisis_card(plan: AftercarePlan) -> CrisisCard:
    """The crisis card's content for ``plan``: the same function ``iopcli crisis`` uses, on
    the plan as it is stored."""
    return card_from_body(plan.model_dump(mode="json", exclude_defaults=True))


def _section(key: str, blocks: Iterable[Block]) -> Section | None:
    kept = tuple(blocks)
    return Section(key, _(HANDOUT_SECTIONS[key]), kept) if kept else None


def _intro(plan: AftercarePlan) -> Text:
    program = plan.program
    intro = fill(
        _("From {program}, discharged {date}."),
        program=program.name,
        date=date_words(program.discharge_date),
    )
    counselor = program.counselor
    if counselor:
        who: Text = (counselor.name,)
        if counselor.phone:
            who = fill(
                _("{name}, {phone}"),
                name=counselor.name,
                phone=phone(counselor.phone, plan.person.region),
            )
        intro += (" ", *fill(_("Your counselor: {counselor}."), counselor=who))
    return intro


# --- crisis ------------------------------------------------------------------------------------


def caller_text(caller: Caller, region: str) -> Text:
    """'**Renee** (AA sponsor): (312) 555-0123, after hours ..., address': one person or
    professional, as the card lists them."""
    out: list[Span] = [Strong(caller.name)]
    note = shown_note(caller)  # not a role the name already says
    if note:
        out += [" (", *_spans(_(note) if note == "counselor" else note), ")"]
    details: list[Text] = []
    if caller.phone:
        details.append((phone(caller.phone, region),))
    if caller.after_hours:
        details.append(fill(_("after hours {phone}"), phone=phone(caller.after_hours, region)))
    if caller.address:
        details.append(words(caller.address))
    if details:
        out += [": ", *join(details)]
    return tuple(out)


def line_text(line: CrisisLine, region: str) -> Text:
    """'**988 Suicide & Crisis Lifeline**: call or text 988 or chat online. Free, 24/7.'"""
    # The ways to reach it, as the crisis card says them (in Spanish: the Spanish service).
    actions: list[Text] = [
        fill(
            template,
            **{k: phone(v, region) if kind == "phone" else v for k, (kind, v) in pieces.items()},
        )
        for template, pieces in line.steps()
    ]
    out: list[Span] = [Strong(line.name), ": ", *join(actions)]
    if line.url:
        out += fill(_(" or {chat}"), chat=web(_("chat online"), line.url))
    out += [". ", *words(line.when)]
    return tuple(out)


def _crisis(card: CrisisCard, region: str) -> Section | None:
    blocks: list[Block] = []
    for lead, items in (
        (N_("Notice your warning signs:"), [words(w) for w in card.warning_signs]),
        (N_("First, try what helps you on your own:"), [words(c) for c in card.coping]),
        (N_("Then call someone who can help:"), [caller_text(p, region) for p in card.people]),
        (
            N_("Professionals you can reach:"),
            [caller_text(p, region) for p in card.professionals],
        ),
        (
            N_("Crisis lines, free and open day and night:"),
            [line_text(line, region) for line in card.lines],
        ),
    ):
        if items:
            blocks += [_lead(_(lead)), Items(tuple(items))]
    return _section("crisis", blocks)


def _wallet_card(card: CrisisCard, region: str) -> WalletCard:
    """The card to cut out: three warning signs, two people, the lines, the emergency
    department."""
    er = emergency_department(card)
    emergency = None
    if er is not None:
        er = replace(
            er,
            name=brief(er.name, 60) or er.name,
            note=brief(er.note, 30),
            address=brief(er.address, 70),
        )
        emergency = caller_text(er, region)
    lines = tuple(
        (Strong(line.name), ": ", *join(_line_numbers(line, region), " / ")) for line in card.lines
    )
    # Words cut to fit a card of 85.6 x 54 mm (the handout has them whole): what did not fit
    # was cut off at the card's edge, the people to call first of all.
    callers = [p for p in card.people if p.phone][:2]  # two people who can be called
    return WalletCard(
        name=brief(card.name, 40),
        warning_signs=tuple(brief(w, 70) or "" for w in card.warning_signs[:3]),
        people=tuple(
            caller_text(replace(p, name=brief(p.name, 40) or "", note=brief(p.note, 30)), region)
            for p in callers
        ),
        lines=lines,
        emergency=emergency,
    )


def brief(value: str | None, limit: int) -> str | None:
    """``value`` on one line, cut at a word before ``limit`` characters with "…" if longer."""
    if value is None:
        return None
    said = " ".join(value.split())
    if len(said) <= limit:
        return said
    cut = said[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def _line_numbers(line: CrisisLine, region: str) -> list[Text]:
    """The line's numbers in few words, as the crisis card says them (in Spanish: the Spanish
    service's option and keyword)."""
    return [
        fill(
            template,
            **{k: phone(v, region) if kind == "phone" else v for k, (kind, v) in pieces.items()},
        )
        for template, pieces in line.brief()
    ]


# --- the week ----------------------------------------------------------------------------------


def _span(start: dt.time, end: dt.time, next_day: bool) -> str:
    if next_day:
        return _("{start}–{end} the next day").format(
            start=format_time(start), end=format_time(end)
        )
    return f"{format_time(start)}–{format_time(end)}"


def _time_range(meeting: Meeting, plan_tz: str) -> str:
    # A meeting whose end is not after its start ends the next day (the model refuses equal).
    span = _span(meeting.start, meeting.end_time, meeting.end_time <= meeting.start)
    if meeting.timezone and meeting.timezone != plan_tz:
        span = _("{times} ({zone} time)").format(times=span, zone=meeting.timezone)
    return span


def _appointment_end(item: Appointment) -> dt.datetime:
    return dt.datetime.combine(item.date, item.time) + dt.timedelta(minutes=item.duration_minutes)


def _appointment_span(item: Appointment) -> str:
    end = _appointment_end(item)
    return _span(item.time, end.time(), end.date() > item.date)


def _weeks_said(meeting: Meeting) -> str:
    weeks = [_(w.value) for w in sorted(meeting.weeks, key=lambda w: (w.nth < 0, w.nth))]
    if len(weeks) == 1:
        return weeks[0]
    return _("{some} and {last}").format(some=", ".join(weeks[:-1]), last=weeks[-1])


def _meeting_days(meeting: Meeting, day: Weekday) -> tuple[int, str, str | None]:
    """The row's sort position (weekdays first, then monthly rows), its Day column and the
    cadence the week picture shows (None: weekly)."""
    if meeting.repeat is MeetingRepeat.MONTHLY:
        said = _("{weeks} {day} of the month").format(weeks=_weeks_said(meeting), day=_(day.label))
        return 7 + day.number, said[0].upper() + said[1:], said
    if meeting.repeat is MeetingRepeat.EVERY_2_WEEKS:
        return day.number, _("Every other {day}").format(day=_(day.label)), _("every other week")
    return day.number, _(day.label), None


def _month_day(item: Appointment) -> str:
    day = item.date.day
    if day <= 28:
        return _("Day {day} of the month").format(day=day)
    if item.short_months is ShortMonths.LAST_DAY:
        return _("Day {day} of the month (the last day in shorter months)").format(day=day)
    return _("Day {day} of the month (none in months without a {nth})").format(
        day=day, nth=f"{day}{_suffix(day)}"
    )


def _suffix(day: int) -> str:
    return {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(day, "th")


def _clock_words(occurrence: Occurrence) -> str:
    """Why a listed time was moved, or which of two it is, on a clock-change day."""
    assert isinstance(occurrence.start, dt.datetime)
    planned = format_time(occurrence.start.time())
    if occurrence.clock == "skipped":
        return _("{time} does not exist that day: the clocks go forward").format(time=planned)
    return _("the first {time}: the clocks go back that night").format(time=planned)


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
        return item.name
    if isinstance(item, Appointment):
        return _appointment_what(item)
    return ""


def _clock_notes(series: list[Series]) -> list[Text]:
    """A line for each instance of a repeat, within the calendar's horizon, at a time the
    clocks skip or repeat: when it is, as the calendar file and the agenda show it."""
    notes: list[Text] = []
    for entry in series:
        if entry.rule is None or entry.all_day:
            continue
        for occurrence in occurrences(entry):
            if occurrence.clock is None:
                continue
            start, end = _clock_times(occurrence)
            notes.append(
                (
                    Strong(date_words(start.date())),
                    ": ",
                    *fill(
                        _("{name} is at {times} ({why})"),
                        name=_entry_name(entry),
                        times=f"{format_time(start.time())}–{format_time(end.time())}",
                        why=_clock_words(occurrence),
                    ),
                )
            )
    return notes


def _once(item: Appointment, series: dict[str, Series]) -> str:
    """A one-off appointment's day and times, as the calendar file and the agenda give them."""
    entry = series.get(f"appointments/{item.id}")
    if entry is None:
        return f"{date_words(item.date)}, {_appointment_span(item)}"
    (occurrence,) = occurrences(entry)
    start, end = _clock_times(occurrence)
    when = f"{date_words(start.date())}, " + _span(
        start.time(), end.time(), end.date() > start.date()
    )
    if occurrence.clock is not None:
        when += f" ({_clock_words(occurrence)})"
    return when


def _appointment_what(item: Appointment) -> str:
    return _("{kind}: {provider}").format(kind=_(item.kind.label), provider=item.provider)


def _meeting_what(meeting: Meeting) -> str:
    if meeting.fellowship != "other":
        return _("{name} ({fellowship})").format(
            name=meeting.name, fellowship=_(meeting.fellowship.label)
        )
    return meeting.name


def meeting_where(meeting: Meeting, region: str) -> Text:
    """Where and how to join, what the listing adds, and the person's own notes."""
    parts: list[Text] = []
    place = ", ".join(x for x in (meeting.location, meeting.address) if x)
    if place:
        parts.append(words(place))
    if meeting.online_url:
        parts.append((web(_("join online"), meeting.online_url),))
    if meeting.online_phone:
        parts.append(fill(_("by phone {phone}"), phone=phone(meeting.online_phone, region)))
    if meeting.online_notes:
        parts.append(words(meeting.online_notes))
    parts += _listing_details(meeting, region)
    return _with_notes(join(parts, "; "), meeting.notes)


def _listing_details(meeting: Meeting, region: str) -> list[Text]:
    """What a meeting's listing adds: the group, how to find the room, whom to ask, where to
    give."""
    parts: list[Text] = []
    if meeting.location_notes:
        parts.append(words(meeting.location_notes))
    if meeting.group:
        parts.append(fill(_("group: {group}"), group=meeting.group))
    area = ", ".join(x for x in (meeting.region, meeting.district) if x)
    if area:
        parts.append(fill(_("area: {area}"), area=area))
    if meeting.attendance:
        parts.append(words(_(meeting.attendance.label).lower()))
    if meeting.type_names:
        parts.append(words(", ".join(meeting.type_names.get(t, t) for t in meeting.types)))
    if meeting.latitude is not None and meeting.longitude is not None:
        parts.append((_map(meeting.latitude, meeting.longitude),))
    if meeting.phone:
        parts.append(fill(_("group phone {phone}"), phone=phone(meeting.phone, region)))
    if meeting.email:
        parts.append((email(meeting.email),))
    if meeting.website:
        parts.append((web(_("group website"), meeting.website),))
    if meeting.url:
        parts.append((web(_("listing"), meeting.url),))
    for contact in meeting.contacts:
        who: list[Text] = [(contact.name,)] if contact.name else []
        if contact.phone:
            who.append((phone(contact.phone, region),))
        if contact.email:
            who.append((email(contact.email),))
        parts.append(fill(_("contact: {who}"), who=join(who, " ")))
    if meeting.seventh_tradition:
        links: list[Text] = [(web(t.label, t.url),) for t in meeting.seventh_tradition]
        parts.append(fill(_("7th tradition: {links}"), links=join(links)))
    return parts


def _map(latitude: float, longitude: float) -> Link:
    url = f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}"
    return Link(_("map"), url, "map", url)


def appointment_where(item: Appointment, region: str) -> Text:
    """Where, the link and phone, what it costs, and the person's notes."""
    parts: list[Text] = []
    if item.address:
        parts.append(words(item.address))
    if item.link:
        parts.append((web(_("join online"), item.link),))
    if item.phone:
        parts.append((phone(item.phone, region),))
    if item.cost_note:
        parts.append(fill(_("cost: {cost}"), cost=item.cost_note))
    return _with_notes(join(parts, "; "), item.notes)


def _week(plan: AftercarePlan) -> Section | None:
    region = plan.person.region
    series = plan_series(plan, DEFAULT_HORIZON_DAYS)
    by_key = {entry.key: entry for entry in series}
    rows: list[tuple[int, str, tuple[Text, ...]]] = []
    entries: list[WeekEntry] = []
    for meeting in plan.meetings:
        what = _meeting_what(meeting)
        for day in meeting.days:
            order, label, cadence = _meeting_days(meeting, day)
            when = _time_range(meeting, plan.timezone)
            first = by_key.get(f"meetings/{meeting.id}")
            if meeting.repeat is MeetingRepeat.EVERY_2_WEEKS and first is not None:
                assert isinstance(first.start, dt.datetime)
                when = _("{times} (from {date})").format(times=when, date=_short_date(first.start))
            row = ((label,), (when,), (what,), meeting_where(meeting, region))
            rows.append((order, meeting.start.isoformat(), row))
            entries.append(
                WeekEntry(day.number, meeting.start, meeting.end_time, what, "meeting", cadence)
            )
    for item in (a for a in plan.appointments if a.repeat != Recurrence.ONCE):
        day = list(Weekday)[item.date.weekday()]
        how_often = {
            "weekly": N_("{times} (from {date})"),
            "every_2_weeks": N_("{times} (every 2 weeks, from {date})"),
            "monthly": N_("{times} (monthly, from {date})"),
        }[item.repeat.value]
        when = _(how_often).format(times=_appointment_span(item), date=_short_date(item.date))
        what = _appointment_what(item)
        monthly = item.repeat == "monthly"
        label = _month_day(item) if monthly else _(day.label)
        row = ((label,), (when,), (what,), appointment_where(item, region))
        # monthly rows after the weekdays
        rows.append((7 + item.date.day if monthly else day.number, item.time.isoformat(), row))
        cadence = {
            "weekly": None,
            "every_2_weeks": _("every 2 weeks"),
            "monthly": _month_day(item).lower(),
        }[item.repeat.value]
        entries.append(
            WeekEntry(
                item.date.weekday(),
                item.time,
                _appointment_end(item).time(),
                what,
                "appointment",
                cadence,
            )
        )
    once = sorted(
        (a for a in plan.appointments if a.repeat == Recurrence.ONCE),
        key=lambda a: (a.date, a.time),
    )
    blocks: list[Block] = []
    if rows:
        rows.sort(key=lambda r: (r[0], r[1]))
        entries.sort(key=lambda e: (e.weekday, e.start))
        week_days = tuple(
            _(d)
            for d in Week(
                (),
            ).days
        )
        blocks.append(Week(tuple(entries), week_days))
        header = (_("Day"), _("Time"), _("What"), _("Where"))
        blocks.append(Table(header, tuple(r for _o, _t, r in rows)))
    notes = _clock_notes(series)
    if notes:
        blocks += [_lead(_("When the clocks change:")), Items(tuple(notes))]
    if once:
        items = []
        for a in once:
            line: Text = (Strong(_once(a, by_key)), ": ", _appointment_what(a))
            where = appointment_where(a, region)
            if where:
                line += (". ", *where)
            items.append(line)
        blocks += [_lead(_("Appointments coming up:")), Items(tuple(items))]
    return _section("week", blocks)


# --- the other parts ---------------------------------------------------------------------------


def _relapse(plan: AftercarePlan) -> Section | None:
    rp = plan.relapse_prevention
    blocks: list[Block] = []
    if rp.triggers:
        items = []
        for t in rp.triggers:
            line = words(t.trigger)
            if t.kind:
                line += (" (", _(TRIGGER_KINDS[t.kind.value]), ")")
            if t.response:
                line += (": ", *words(t.response))
            items.append(line)
        blocks += [_lead(_("Your triggers and what you will do:")), Items(tuple(items))]
    if rp.warning_signs:
        blocks += [
            _lead(_("Early warning signs to notice:")),
            Items(tuple(words(w) for w in rp.warning_signs)),
        ]
    if rp.coping_strategies:
        items = []
        for c in rp.coping_strategies:
            line = words(c.strategy)
            if c.helps_with != "general":
                line += (" (", _(COPING_FOR[c.helps_with.value]), ")")
            items.append(line)
        blocks += [_lead(_("Skills that help you:")), Items(tuple(items))]
    if rp.high_risk_situations:
        blocks += [
            _lead(_("High-risk situations to plan for:")),
            Items(tuple(words(w) for w in rp.high_risk_situations)),
        ]
    if rp.after_a_lapse:
        blocks += [
            _lead(_("If you slip, a lapse is not failure. Do this:")),
            Items(tuple(words(w) for w in rp.after_a_lapse), numbered=True),
        ]
    if rp.reasons_for_recovery:
        blocks += [
            _lead(_("Why you are doing this:")),
            Items(tuple(words(w) for w in rp.reasons_for_recovery)),
        ]
    return _section("relapse", blocks)


def _helper(person: Helper | Contact, region: str) -> Text:
    return caller_text(Caller(person.name, person.phone, person.relationship), region)


def _safety(plan: AftercarePlan, card: CrisisCard) -> Section | None:
    s = plan.safety_plan
    region = plan.person.region
    steps: list[tuple[str, list[Text]]] = [
        (
            N_("Step 1. Warning signs that a crisis may be starting"),
            [words(x) for x in s.warning_signs],
        ),
        (
            N_("Step 2. Things you can do on your own to take your mind off problems"),
            [words(x) for x in s.coping_strategies],
        ),
        (
            N_("Step 3. People and places that help you take your mind off things"),
            [_helper(p, region) for p in s.distraction_people]
            + [words(x) for x in s.distraction_places],
        ),
        (N_("Step 4. People you can ask for help"), [_helper(p, region) for p in s.people_to_ask]),
        (
            N_("Step 5. Professionals and agencies to contact in a crisis"),
            # The counselor too, as on the crisis card: the same list, the same order.
            [caller_text(p, region) for p in card.professionals],
        ),
        (N_("Step 6. Making your surroundings safe"), [words(x) for x in s.safe_environment]),
        (N_("Your reasons for living"), [words(x) for x in s.reasons_for_living]),
    ]
    blocks: list[Block] = [
        Subsection(_(title), (Items(tuple(items)),)) for title, items in steps if items
    ]
    return _section("safety", blocks)


def _medications(plan: AftercarePlan) -> Section | None:
    region = plan.person.region
    lines: list[Text] = []
    for med in plan.medications:
        details: list[Text] = [words(x) for x in (med.dose, med.schedule) if x]
        if med.prescriber:
            details.append(fill(_("prescribed by {prescriber}"), prescriber=med.prescriber))
        if med.pharmacy:
            pharmacy = words(med.pharmacy)
            if med.pharmacy_phone:
                pharmacy += (" (", phone(med.pharmacy_phone, region), ")")
            details.append(fill(_("pharmacy: {pharmacy}"), pharmacy=pharmacy))
        elif med.pharmacy_phone:
            details.append(
                fill(_("pharmacy: {pharmacy}"), pharmacy=phone(med.pharmacy_phone, region))
            )
        # The refill the calendar starts with: one before discharge is already past.
        refill = first_refill(med, plan.program.discharge_date)
        if refill:
            details.append(fill(_("next refill {date}"), date=date_words(refill)))
        if med.refill_every_days:
            details.append(fill(_("every {days} days"), days=str(med.refill_every_days)))
        line: Text = (Strong(med.name),)
        if details:
            line += (": ", *join(details))
        lines.append(line)
    return _section("medications", [Items(tuple(lines))] if lines else [])


def _opening(hours: OpeningHours) -> str:
    days = ", ".join(_(day.label[:3]) for day in hours.days)
    return f"{days} {format_time(hours.opens)}–{format_time(hours.closes)}"


def _resources(plan: AftercarePlan) -> Section | None:
    region = plan.person.region
    blocks: list[Block] = []
    for category in dict.fromkeys(r.category for r in plan.resources):
        lines: list[Text] = []
        for r in (r for r in plan.resources if r.category == category):
            parts: list[Text] = [words(x) for x in (r.address, r.hours) if x]
            if r.phone:
                parts.insert(0, (phone(r.phone, region),))
            if r.url:
                parts.append((web(_("website"), r.url),))
            if r.email:
                parts.append((email(r.email),))
            for other in r.other_phones:
                label = other.description or other.kind or _("also")
                parts.append(
                    fill(_("{label}: {phone}"), label=label, phone=phone(other.number, region))
                )
            if r.opening_hours and not r.hours:
                parts.append(
                    fill(_("open {hours}"), hours="; ".join(_opening(h) for h in r.opening_hours))
                )
            for label, value in (
                (N_("listed as: {value}"), ", ".join(r.taxonomy)),
                (N_("languages: {value}"), ", ".join(r.languages)),
                (N_("cost: {value}"), r.fees),
                (N_("who can use it: {value}"), r.eligibility),
                (N_("access: {value}"), r.accessibility),
            ):
                if value:
                    parts.append(fill(_(label), value=value))
            if r.latitude is not None and r.longitude is not None:
                parts.append((_map(r.latitude, r.longitude),))
            if r.notes:
                parts.append(words(r.notes))
            line: Text = (Strong(r.name),)
            if parts:
                line += (": ", *join(parts, "; "))
            lines.append(line)
        blocks.append(Subsection(_(category.label), (Items(tuple(lines)),)))
    return _section("resources", blocks)


def _contacts(plan: AftercarePlan) -> Section | None:
    region = plan.person.region
    lines: list[Text] = []
    for c in plan.contacts:
        who = c.relationship or _(c.role.label).lower()
        line: Text = (Strong(c.name), " (", *words(who), ")")
        if c.phone:
            line += (": ", phone(c.phone, region))
        if c.when_to_call:
            line += (". ", *fill(_("Call when: {when}"), when=c.when_to_call))
        lines.append(line)
    return _section("contacts", [Items(tuple(lines))] if lines else [])


def _goals(plan: AftercarePlan) -> Section | None:
    blocks: list[Block] = []
    for term, title in (("short", N_("Soon")), ("long", N_("Longer term"))):
        goals = [g for g in plan.goals if g.term == term]
        if goals:
            items = []
            for g in goals:
                line = words(g.goal)
                if g.target_date:
                    line += (" ", *fill(_("(by {date})"), date=date_words(g.target_date)))
                items.append(line)
            blocks.append(Subsection(_(title), (Items(tuple(items)),)))
    return _section("goals", blocks)


def _notes(plan: AftercarePlan) -> Section | None:
    return _section("notes", paragraphs(plan.notes) if plan.notes else [])


def _clinician(plan: AftercarePlan) -> Section | None:
    """The clinician-only part, for a copy meant for the next provider (``--clinician``)."""
    notes = plan.clinician
    if notes is None or notes.empty:
        return None
    blocks: list[Block] = []
    facts = [
        fill(_(label), value=value)
        for label, value in (
            (N_("Insurance: {value}"), notes.insurance),
            (N_("Payer: {value}"), notes.payer),
            (N_("Referral source: {value}"), notes.referral_source),
        )
        if value
    ]
    if facts:
        blocks.append(Items(tuple(facts)))
    if notes.diagnoses:
        blocks += [Paragraph((_("Diagnoses:"),)), Items(tuple(words(d) for d in notes.diagnoses))]
    if notes.level_of_care_notes:
        blocks += [Paragraph((_("Level of care:"),)), *paragraphs(notes.level_of_care_notes)]
    return Section("clinician", _("For the clinician only"), tuple(blocks))


def _about_the_calendar() -> Section:
    return Section(
        "calendar",
        _("About your calendar file"),
        (
            Paragraph(
                (
                    _(
                        "The .ics file that comes with this handout puts your meetings, "
                        "appointments and refills into your calendar app. Some apps (Google "
                        "Calendar among them) drop reminders when a file is imported: after "
                        "importing, turn on notifications for these events in your app."
                    ),
                )
            ),
        ),
    )
