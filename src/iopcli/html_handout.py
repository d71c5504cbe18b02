"""The HTML handout: a :class:`~iopcli.document.Document` as one self-contained HTML5 file.

A counselor prints it from any browser and a person reads it on a phone. Everything is inside the
file: inline CSS, no scripts, no fonts or images fetched from anywhere (a plan must not call home
when opened). The print stylesheet fits Letter and A4 alike, keeps headings with what follows
them and rows whole, and prints the target of every link (the web address, the phone number).
The week at a glance is drawn with CSS grid, hidden from screen readers, which read the week's
table instead. The wallet card comes last, on a page of its own, at 85.6 × 54 mm.

The layout helpers :func:`printed_target` and :func:`week_lanes` are shared with the PDF
renderer, so both print the same targets and draw the same week.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from iopcli.document import (
    Block,
    Break,
    Document,
    Items,
    Link,
    Paragraph,
    Section,
    Strong,
    Subsection,
    Table,
    Text,
    WalletCard,
    Week,
    WeekEntry,
)
from iopcli.i18n import N_, SOURCE, _, current, day_name, format_time, supported

# What HTML5 forbids as text (C0/C1 controls but tab and newline, noncharacters): a plan
# refuses them, feeds strip them; this is the last line of defence for a valid file.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
_SCHEMES = ("http:", "https:", "tel:", "mailto:")

KIND_NAMES = {"meeting": N_("Meeting"), "appointment": N_("Appointment")}
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
CUT_HERE = N_("Cut along the dashed line, fold in the middle, and keep it in your wallet.")


def text(value: str) -> str:
    """A person's words as HTML text: escaped, never markup, and any right-to-left override
    or isolate they open closed again at their end."""
    return escape(_NOT_TEXT.sub("\ufffd", closed_bidi(value)), quote=False)


_BIDI_OPEN = {"\u202a": "\u202c", "\u202b": "\u202c", "\u202d": "\u202c", "\u202e": "\u202c"}
_BIDI_OPEN |= {"\u2066": "\u2069", "\u2067": "\u2069", "\u2068": "\u2069"}
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def closed_bidi(value: str) -> str:
    """``value`` with the embeddings, overrides and isolates it leaves open closed at its end:
    a name typed with U+202E (right-to-left override) would otherwise turn the rest of its
    line around ("Call 988" read backwards). What was typed is kept, not removed."""
    if not _BIDI.search(value):
        return value
    still_open: list[str] = []
    for char in _BIDI.findall(value):
        if char in _BIDI_OPEN:
            still_open.append(_BIDI_OPEN[char])
        elif char in still_open:  # a closer closes the innermost of its kind and all above
            del still_open[len(still_open) - 1 - still_open[::-1].index(char) :]
    return value + "".join(reversed(still_open))


def attribute(value: str) -> str:
    return escape(_NOT_TEXT.sub("\ufffd", value), quote=True)


def safe_url(url: str) -> str | None:
    """The link target if it is one we write (http(s), tel, mailto), else None."""
    lowered = url.strip().lower()
    return url.strip() if lowered.startswith(_SCHEMES) else None


def printed_target(link: Link) -> str | None:
    """What paper prints after a link's label so that a reader can use it without clicking:
    ``shown`` when the document gives it, else the number or address unless the label
    already is it."""
    if link.shown:
        return link.shown if link.shown != link.label else None
    url = safe_url(link.url)
    if url is None:
        return None
    scheme, _sep, rest = url.partition(":")
    if scheme.lower() in ("http", "https"):
        target = rest.removeprefix("//").removesuffix("/")
    else:
        target = rest.split("?", 1)[0]
    digits = re.sub(r"\D", "", target)
    label_digits = re.sub(r"\D", "", link.label)
    if scheme.lower() == "tel" and label_digits and label_digits in digits:
        return None  # the label is the number already, as written
    if target in link.label or link.label in (url, target):
        return None
    return target


# --- the week at a glance --------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """A week entry with where it goes: its lane within the day (side by side when two
    overlap) and its start and end in minutes from midnight (an end past midnight is cut at
    24:00 for the picture; the words give the real times)."""

    entry: WeekEntry
    lane: int
    start: int
    end: int


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def week_lanes(week: Week) -> tuple[list[list[Placed]], list[int], int, int]:
    """The entries of each day with their lanes, the number of lanes per day, and the hours
    the picture covers (first and last, whole hours)."""
    days: list[list[Placed]] = [[] for _ in range(7)]
    lanes = [1] * 7
    for day in range(7):
        entries = sorted(
            (e for e in week.entries if e.weekday == day), key=lambda e: (e.start, e.end, e.title)
        )
        ends: list[int] = []  # per lane, the minute it is free again
        for entry in entries:
            start = _minutes(entry.start)
            end = _minutes(entry.end)
            if end <= start:
                end = 24 * 60
            end = max(end, start + 15)
            lane = next((i for i, free in enumerate(ends) if free <= start), len(ends))
            if lane == len(ends):
                ends.append(end)
            else:
                ends[lane] = end
            days[day].append(Placed(entry, lane, start, min(end, 24 * 60)))
        lanes[day] = max(1, len(ends))
    placed = [p for day in days for p in day]
    first = min((p.start // 60 for p in placed), default=9)
    last = max(((p.end + 59) // 60 for p in placed), default=17)
    return days, lanes, first, max(last, first + 1)


def page_language(document: Document) -> str:
    """The language the page is written in: the document's (``es-MX`` kept as it is), unless
    its fixed texts were translated into another one (``--lang es`` on an English plan)."""
    lang = document.lang or SOURCE
    writing = current()
    return writing if writing != SOURCE and supported(lang) != writing else lang


_ENGLISH_DAYS = Week(()).days


def day_label(week: Week, day: int) -> str:
    """The column heading of a day: the document's own name for it, unless that is the
    English default, which the current language names instead ("Lunes" in Spanish)."""
    if week.days != _ENGLISH_DAYS and day < len(week.days):
        return week.days[day]
    name = day_name(day)
    return name[:1].upper() + name[1:]


def entry_time(entry: WeekEntry) -> str:
    return _("{start}–{end}").format(start=format_time(entry.start), end=format_time(entry.end))


# --- the page --------------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light; }
html { font-size: %(base)s; }
body { margin: 0 auto; max-width: 46em; padding: 1em; color: #1a1a1a; background: #fff;
  font-family: "DejaVu Sans", Verdana, "Segoe UI", Arial, sans-serif; line-height: 1.45;
  overflow-wrap: break-word; }
h1 { font-size: 1.6em; color: #0b3d6e; margin: 0 0 .4em; }
h2 { font-size: 1.3em; color: #0b3d6e; border-bottom: 2px solid #0b3d6e; margin: 1.4em 0 .5em; }
h3 { font-size: 1.1em; margin: 1.1em 0 .4em; }
h4 { font-size: 1em; margin: 1em 0 .3em; }
h1, h2, h3, h4 { line-height: 1.2; break-after: avoid; page-break-after: avoid; }
p { margin: .5em 0; }
p.lead { font-weight: bold; margin-bottom: .2em; break-after: avoid; page-break-after: avoid; }
ul, ol { margin: .3em 0 .8em; padding-left: 1.5em; }
li { margin: .2em 0; }
a { color: #0645ad; text-decoration: underline; }
/* A long address may break anywhere: nothing may be wider than the paper, or a browser
   shrinks the whole page to fit it (large print would print small). In a table cell too: a
   word without spaces widened its column past the paper. */
a, .target, td, th { overflow-wrap: anywhere; }
.target { display: none; }
section.crisis { border-left: .35em solid #8b1a1a; padding-left: .8em; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%%; margin: .5em 0 1em; }
th, td { border: 1px solid #6b6b6b; padding: .3em .45em; text-align: left; vertical-align: top; }
th { background: #e6e6e6; }
thead { display: table-header-group; }
tr, li, .block { break-inside: avoid; page-break-inside: avoid; }
figure.week { margin: .5em 0 1em; }
figure.week figcaption { font-size: .9em; margin-bottom: .3em; }
.week-grid { display: grid; min-width: 40em; font-size: .72em; line-height: 1.2;
  border: 1px solid #6b6b6b; }
.week-grid .day { font-weight: bold; text-align: center; padding: .2em; background: #e6e6e6;
  border-bottom: 1px solid #6b6b6b; border-left: 1px solid #6b6b6b; }
.week-grid .hour { padding: 0 .3em; white-space: nowrap; color: #333;
  border-top: 1px solid #c4c4c4; }
.week-grid .line { border-top: 1px solid #c4c4c4; }
.week-grid .block { margin: 1px; padding: .15em .25em; overflow: hidden; border-radius: 3px;
  background: #e3edfb; border: 1px solid #1a4f9c; border-left-width: 4px; }
.week-grid .block.appointment { background: #fdf1e1; border: 1px dashed #7a4100;
  border-left: 4px double #7a4100; }
.week-grid .kind { font-size: .85em; text-transform: uppercase; letter-spacing: .03em; }
.week-grid .cadence { font-style: italic; font-weight: bold; }
.legend { font-size: .85em; }
.wallet h2 { border: none; }
.cards { display: flex; flex-wrap: wrap; gap: 0; }
.card { box-sizing: border-box; width: 85.6mm; height: 54mm; overflow: hidden;
  border: 1px dashed #333; padding: 2.5mm 3mm; font-size: 8pt; line-height: 1.25; }
.card + .card { border-left: 1px dotted #333; }
.card h3 { font-size: 1.06em; margin: 0 0 1mm; }
.card p, .card ul { margin: 0 0 1mm; }
.card ul { padding-left: 3.5mm; }
.card li { margin: 0; }
.card .target { display: inline; }
.cut { font-size: .85em; }
/* Large print is large everywhere but in the week's picture (the table says the same) and on
   the card (a fixed size). */
.large-print figcaption, .large-print .legend, .large-print .cut { font-size: 1em; }
a:focus-visible { outline: 3px solid #0b3d6e; outline-offset: 2px; }
@media (max-width: 30em) { body { padding: .6em; } }
@page { margin: 15mm 14mm; }
@media print {
  html { font-size: %(print)s; }
  body { max-width: none; padding: 0; }
  a { color: #1a1a1a; }
  .target { display: inline; }
  .scroll { overflow: visible; }
  .week-grid { min-width: 0; }
  figure.week { break-inside: avoid; page-break-inside: avoid; }
  section.wallet { break-before: page; page-break-before: always; break-inside: avoid; }
}
"""


def document_to_html(document: Document, *, large_print: bool = False) -> str:
    """The handout as one HTML5 page; ``large_print`` sets body text at 18 pt (the card, a
    fixed size, stays small). Fixed texts are in the current language (:mod:`iopcli.i18n`),
    which the caller sets around the work for one plan."""
    base = "18pt" if large_print else "12pt"
    css = _CSS % {"base": base, "print": "18pt" if large_print else "11pt"}
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{attribute(page_language(document))}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        # Belt and braces: even a browser that found something to fetch or run may not.
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>{text(document.title)}</title>",
        f"<style>{css}</style>",
        "</head>",
        f'<body class="{"large-print" if large_print else "standard"}">',
        "<main>",
        "<header>",
        f"<h1>{text(document.title)}</h1>",
    ]
    if document.intro:
        out.append(f"<p>{spans(document.intro)}</p>")
    out.append("</header>")
    for section in document.sections:
        out.extend(_section(section))
    if document.card is not None:  # inside main: every part of the page is in a landmark
        out.extend(_card(document.card))
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


def spans(run: Text) -> str:
    parts: list[str] = []
    for span in run:
        if isinstance(span, str):
            parts.append(text(span))
        elif isinstance(span, Strong):
            parts.append(f"<strong>{text(span.text)}</strong>")
        elif isinstance(span, Break):
            parts.append("<br>")
        elif isinstance(span, Link):
            parts.append(_link(span))
    return "".join(parts)


def _link(link: Link) -> str:
    url = safe_url(link.url)
    if url is None:
        return text(link.label)
    target = printed_target(link)
    shown = f'<span class="target"> ({text(target)})</span>' if target else ""
    return f'<a href="{attribute(url)}">{text(link.label)}</a>{shown}'


def _section(section: Section) -> list[str]:
    key = re.sub(r"[^a-z0-9-]", "-", section.key.lower())
    heading = f"h-{key}"
    classes = f"part {key}"
    out = [
        f'<section class="{classes}" aria-labelledby="{heading}">',
        f'<h2 id="{heading}">{text(section.title)}</h2>',
    ]
    out.extend(_blocks(section.blocks, level=3))
    out.append("</section>")
    return out


def _blocks(blocks: Iterable[Block], level: int) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            lead = ' class="lead"' if block.lead else ""
            out.append(f"<p{lead}>{spans(block.text)}</p>")
        elif isinstance(block, Items):
            tag = "ol" if block.numbered else "ul"
            out.append(f"<{tag}>")
            out.extend(f"<li>{spans(item)}</li>" for item in block.items)
            out.append(f"</{tag}>")
        elif isinstance(block, Table):
            out.extend(_table(block))
        elif isinstance(block, Week):
            out.extend(_week(block))
        elif isinstance(block, Subsection):
            tag = f"h{min(level, 6)}"
            out.append(f"<{tag}>{text(block.title)}</{tag}>")
            out.extend(_blocks(block.blocks, level + 1))
    return out


def _table(table: Table) -> list[str]:
    out = ['<div class="scroll"><table>', "<thead><tr>"]
    out.extend(f'<th scope="col">{text(h)}</th>' for h in table.header)
    out.append("</tr></thead><tbody>")
    for row in table.rows:
        out.append("<tr>" + "".join(f"<td>{spans(cell)}</td>" for cell in row) + "</tr>")
    out.append("</tbody></table></div>")
    return out


def _week(week: Week) -> list[str]:
    """Seven day columns (a day with two things at once gets two lanes), a row every quarter
    hour, each entry a block spanning its time. aria-hidden: the table carries the words."""
    days, lanes, first, last = week_lanes(week)
    if not any(days):
        return []
    starts = [2]  # grid column where each day starts (column 1 holds the hours)
    for count in lanes[:-1]:
        starts.append(starts[-1] + count)
    rows = (last - first) * 4
    template = "4.2em " + " ".join(f"repeat({n}, minmax(0, 1fr))" for n in lanes)
    out = [
        '<figure class="week" aria-hidden="true">',
        f"<figcaption>{text(_('The week at a glance'))}"
        f' <span class="legend">{text(_("(solid border: meeting; dashed border: appointment)"))}'
        "</span></figcaption>",
        '<div class="scroll">',
        f'<div class="week-grid" style="grid-template-columns: {template};'
        f' grid-template-rows: auto repeat({rows}, minmax(.42em, auto));">',
    ]
    for day in range(7):
        name = day_label(week, day)
        out.append(
            f'<div class="day" style="grid-column: {starts[day]} / span {lanes[day]};'
            f' grid-row: 1;">{text(name)}</div>'
        )
    for hour in range(first, last):
        row = 2 + (hour - first) * 4
        label = format_time(dt.time(hour)).replace(":00", "")
        out.append(
            f'<div class="hour" style="grid-column: 1; grid-row: {row} / span 4;">'
            f"{text(label)}</div>"
        )
        out.append(f'<div class="line" style="grid-column: 2 / -1; grid-row: {row};"></div>')
    for day in range(7):
        for placed in days[day]:
            entry = placed.entry
            top = 2 + (placed.start - first * 60) // 15
            span = max(1, -(-(placed.end - placed.start) // 15))
            kind = entry.kind if entry.kind in KIND_NAMES else "meeting"
            cadence = f'<div class="cadence">{text(entry.cadence)}</div>' if entry.cadence else ""
            out.append(
                f'<div class="block {kind}" style="grid-column: {starts[day] + placed.lane};'
                f' grid-row: {top} / span {span};">'
                f'<div class="kind">{text(_(KIND_NAMES[kind]))}</div>'
                f"<strong>{text(entry_time(entry))}</strong><br>{text(entry.title)}"
                f"{cadence}</div>"
            )
    out += ["</div>", "</div>", "</figure>"]
    return out


def _plain(run: Text) -> str:
    out = []
    for span in run:
        if isinstance(span, str):
            out.append(span)
        elif isinstance(span, Strong):
            out.append(span.text)
        elif isinstance(span, Link):
            out.append(f"{span.label} ({printed_target(span) or ''})")
    return "".join(out)


def card_size(lines: list[str]) -> str:
    """The largest font size, 8 pt down to 6, at which a face's lines should fit the card
    (85.6 x 54 mm, less its padding), by a count of characters: a browser cannot be asked,
    and what overflows is hidden at the card's edge (the crisis lines, the people to call)."""
    for size in (8.0, 7.5, 7.0, 6.5):
        per_line = int(79.6 / (0.58 * size * 25.4 / 72))
        rows = sum(-(-max(len(line), 1) // per_line) for line in lines)
        if rows * size * 1.25 * 25.4 / 72 <= 44:  # 49 mm inside, less the gaps
            return f"{size:g}pt"
    return "6pt"


def _card(card: WalletCard) -> list[str]:
    """Two card faces side by side: cut along the dashed line, fold along the dotted one."""
    title = _("Wallet card")
    heads = [_("If you are in crisis"), _("My warning signs:"), _("Call:")]
    said = [*heads, card.name or "", *card.warning_signs, *map(_plain, card.people)]
    back_said = [_("Crisis lines"), *map(_plain, card.lines), _plain(card.emergency or ())]
    front = [
        f'<div class="card front" style="font-size: {card_size(said)};">',
        f"<h3>{text(_('If you are in crisis'))}</h3>",
    ]
    if card.name:
        front.append(f"<p><strong>{text(card.name)}</strong></p>")
    if card.warning_signs:
        front.append(f"<p><strong>{text(_('My warning signs:'))}</strong></p><ul>")
        front.extend(f"<li>{text(sign)}</li>" for sign in card.warning_signs)
        front.append("</ul>")
    if card.people:
        front.append(f"<p><strong>{text(_('Call:'))}</strong></p><ul>")
        front.extend(f"<li>{spans(person)}</li>" for person in card.people)
        front.append("</ul>")
    front.append("</div>")
    back = [
        f'<div class="card back" style="font-size: {card_size(back_said)};">',
        f"<h3>{text(_('Crisis lines'))}</h3><ul>",
    ]
    back.extend(f"<li>{spans(line)}</li>" for line in card.lines)
    back.append("</ul>")
    if card.emergency:
        back.append(f"<p>{spans(card.emergency)}</p>")
    back.append("</div>")
    return [
        '<section class="wallet" aria-labelledby="h-wallet">',
        f'<h2 id="h-wallet">{text(title)}</h2>',
        f'<p class="cut">{text(_(CUT_HERE))}</p>',
        '<div class="cards">',
        *front,
        *back,
        "</div>",
        "</section>",
    ]
