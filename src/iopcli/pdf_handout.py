"""The PDF handout: a :class:`~iopcli.document.Document` drawn with fpdf2.

fpdf2 is pure Python (with fontTools and Pillow, both wheels): it installs with pip alone, needs
no browser or system library, embeds TrueType fonts as subsets and writes selectable, searchable
text with real link annotations. The font is DejaVu Sans, shipped in ``iopcli/fonts`` (cut down
to Latin, Greek and Cyrillic; every Spanish letter and the punctuation we print).

Same content and order as the HTML handout, on Letter paper whose text area also fits A4
(side margins of 18 mm: the page prints at actual size on either). Headings are never left
alone at a page bottom, table rows are never split and their header repeats, every link prints
its target next to it, the week at a glance is drawn as a grid, and the wallet card is on a
page of its own, last, at 85.6 × 54 mm. The bytes depend on the document only: the creation
date is fixed and the file id is a hash of the content.

Whatever a plan holds, nothing is drawn off the page or hidden: a row taller than a page is
written as a list item, a week box or the card holds only what fits it (the card's words cut by
the builder, its type brought down to fit), and a letter the font lacks prints as U+FFFD, which
:func:`unprintable_fields` lets the export warn about by field.

fpdf is imported only here, and this module only when a PDF is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import quote

from iopcli.document import (
    BREAK,
    Block,
    Break,
    Document,
    Items,
    Link,
    Paragraph,
    Span,
    Strong,
    Subsection,
    Table,
    Text,
    WalletCard,
    Week,
)
from iopcli.html_handout import (
    CUT_HERE,
    day_label,
    entry_time,
    page_language,
    printed_target,
    safe_url,
    week_lanes,
)
from iopcli.i18n import _, format_time

if TYPE_CHECKING:
    from fpdf import FPDF

    from iopcli.model import AftercarePlan

FONT = "DejaVu"
#: A fixed creation date: the same document gives the same bytes, whenever it is written.
CREATED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
PT = 25.4 / 72  # millimetres per point
BOTTOM = 18  # mm: the bottom margin, room for the page number

CARD_W, CARD_H = 85.6, 54.0
INK = (26, 26, 26)
HEADING = (11, 61, 110)
LINK = (6, 69, 173)
RULE = (107, 107, 107)
MEETING_FILL, MEETING_LINE = (227, 237, 251), (26, 79, 156)
APPOINTMENT_FILL, APPOINTMENT_LINE = (253, 241, 225), (122, 65, 0)

_SCALE = {1: 1.6, 2: 1.3, 3: 1.12}  # heading sizes by level, times the body size
_PAGES = re.compile(rb"<<((?:(?!>>).)*?/Type /Pages(?:(?!>>).)*?)>>", re.DOTALL)
_COUNT = re.compile(rb"/Count (\d+)")


def page_count(data: bytes) -> int:
    """The number of pages of a PDF this module wrote (its page tree's count)."""
    for tree in _PAGES.finditer(data):
        count = _COUNT.search(tree.group(1))
        if count:
            return int(count.group(1))
    return 0


@cache
def _font_file(style: str) -> str:
    name = "DejaVuSans-Bold.ttf" if style == "B" else "DejaVuSans.ttf"
    return str(resources.files("iopcli").joinpath("fonts", name))


@cache
def font_glyphs() -> frozenset[int]:
    """The characters both bundled fonts (regular and bold) can draw."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fpdf2 depends on it

    regular, bold = (TTFont(_font_file(style)).getBestCmap() for style in ("", "B"))
    return frozenset(regular) & frozenset(bold)


#: Characters that are never drawn (variation selectors, the zero-width no-break space): no
#: font has a glyph for them, and they are left out rather than printed as U+FFFD.
_INVISIBLE = re.compile("[\ufe00-\ufe0f\ufeff]")

#: Plan fields the handout does not print: ids, settings, where an entry came from.
_NOT_PRINTED = frozenset(
    {"id", "schema_version", "created", "updated", "source", "directory_id", "pronouns"}
    | {"timezone", "language", "region", "postal_code", "feed", "discreet", "types"}
)


def unprintable_fields(plan: AftercarePlan, *, clinician: bool = False) -> list[tuple[str, int]]:
    """Each printed field of ``plan`` holding characters the PDF's font has no letter for
    (Chinese, Arabic, Hebrew, emoji: printed as U+FFFD), as (field path, how many). For a
    warning that names the field, never its content."""
    glyphs = font_glyphs()
    found: list[tuple[str, int]] = []

    def walk(value: object, path: str) -> None:
        if isinstance(value, str):
            missing = sum(
                1
                for ch in _INVISIBLE.sub("", value)
                if ord(ch) not in glyphs and ch not in "\t\n\r"
            )
            if missing:
                found.append((path, missing))
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in _NOT_PRINTED and (clinician or key != "clinician"):
                    walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}.{index}")

    walk(plan.model_dump(mode="json", exclude_defaults=True), "")
    return found


def document_to_pdf(document: Document, *, large_print: bool = False) -> bytes:
    """The handout as PDF bytes; ``large_print`` sets body text at 18 pt (the card stays
    card-sized). Fixed texts are in the current language (:mod:`iopcli.i18n`)."""
    writer = _Writer(document, large_print)
    writer.draw()
    return writer.output()


class _Writer:
    def __init__(self, document: Document, large_print: bool) -> None:
        from fpdf import FPDF, ViewerPreferences

        footer_text = _("Page {page} of {pages}")
        # Large print is large everywhere but in the week's picture (its table says the same)
        # and on the card (a fixed size): tables, captions and page numbers too.
        footer_size = 18.0 if large_print else 8.0
        self.small = 1.0 if large_print else 0.92  # tables
        self.smaller = 1.0 if large_print else 0.8  # a picture's caption and legend

        class Handout(FPDF):
            def footer(self) -> None:
                self.set_y(-12 - footer_size * PT * 0.6)
                self.set_font(FONT, "", footer_size)
                self.set_text_color(*INK)
                text = footer_text.format(page=self.page_no(), pages="{nb}")
                self.cell(0, 5, text, align="C")

        self.document = document
        self.size = 18.0 if large_print else 11.0
        self.line = self.size * PT * 1.45
        pdf = Handout(orientation="portrait", unit="mm", format="letter")
        pdf.set_margins(18, 16, 18)
        pdf.set_auto_page_break(True, margin=BOTTOM)
        pdf.add_font(FONT, "", _font_file(""))
        pdf.add_font(FONT, "B", _font_file("B"))
        pdf.set_creation_date(CREATED)
        pdf.set_title(document.title)
        pdf.set_lang(page_language(document))
        pdf.set_creator("iopcli")
        pdf.set_producer("iopcli")
        pdf.set_display_mode("fullwidth")
        # A reader's window and a screen reader name the plan, not the file (PDF/UA asks it).
        pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.pdf: FPDF = pdf
        self.glyphs = font_glyphs()  # what unprintable_fields warns about is what is replaced

    def output(self) -> bytes:
        return bytes(self.pdf.output())

    # --- text ---------------------------------------------------------------------------

    def clean(self, value: str) -> str:
        """What the font can draw: a character it has no glyph for becomes U+FFFD, so
        nothing vanishes silently; line breaks inside a span are spaces (breaks are BREAK)."""
        value = " ".join(value.replace("\t", " ").splitlines()) if "\n" in value else value
        if all(ord(ch) in self.glyphs for ch in value):
            return value
        value = _INVISIBLE.sub("", value)  # an emoji's variation selector is not a letter
        return "".join(ch if ord(ch) in self.glyphs else "\ufffd" for ch in value)

    def font(self, size: float | None = None, bold: bool = False) -> None:
        self.pdf.set_font(FONT, "B" if bold else "", size or self.size)

    def run(self, text: Text, *, bold: bool = False, size: float | None = None) -> None:
        """Write spans from the current position; wraps to the left margin."""
        pdf = self.pdf
        size = size or self.size
        height = size * PT * 1.45
        for piece, strong, url in self.pieces(text, bold):
            if piece == "\n":
                pdf.ln(height)
                continue
            self.font(size, strong)
            if url:
                pdf.set_text_color(*LINK)
                pdf.write(height, piece, link=url)
                pdf.set_text_color(*INK)
            else:
                pdf.write(height, piece)
        self.font(size, bold)

    def pieces(self, text: Text, bold: bool) -> list[tuple[str, bool, str]]:
        """The spans as (text, bold, link) runs, neighbours of one style joined: each
        ``write`` lays its text out anew, so fewer and longer runs are much faster."""
        runs: list[tuple[str, bool, str]] = []

        def add(piece: str, strong: bool, url: str = "") -> None:
            last = runs[-1] if runs else None
            if last and not url and not last[2] and last[1] == strong and last[0] != "\n":
                runs[-1] = (last[0] + piece, strong, "")
            else:
                runs.append((piece, strong, url))

        for span in text:
            if isinstance(span, str):
                add(self.clean(span), bold)
            elif isinstance(span, Strong):
                add(self.clean(span.text), True)
            elif isinstance(span, Break):
                runs.append(("\n", bold, ""))
            elif isinstance(span, Link):
                url = safe_url(span.url)
                add(self.clean(span.label), bold, uri(url) if url else "")
                target = printed_target(span) if url else None
                if target:
                    add(f" ({self.clean(target)})", bold)
        return [run for run in runs if run[0]]

    def keep(self, height: float) -> None:
        """Start a new page unless ``height`` (a heading and the start of what follows) fits."""
        if self.pdf.will_page_break(height):
            self.pdf.add_page()

    def heading_height(self, level: int) -> float:
        """The space a one-line heading takes: the gap above, the line, the rule below."""
        before = self.line * (0.2 if level == 1 else 0.6)
        return before + self.size * _SCALE.get(level, 1.0) * PT * 1.3 + (1.5 if level == 2 else 0)

    def start_height(self, blocks: tuple[Block, ...], level: int) -> float:
        """How much of what follows a heading must fit below it: a heading is never left
        alone at a page bottom, nor above a subheading or a week that moved on."""
        if not blocks:
            return 0.0
        first = blocks[0]
        if isinstance(first, Subsection):
            return self.heading_height(level) + self.start_height(first.blocks, level + 1)
        if isinstance(first, Week):
            return self.week_height(first, 8.0)
        return 3 * self.line

    def heading(self, title: str, level: int, after: float | None = None) -> None:
        pdf = self.pdf
        size = self.size * _SCALE.get(level, 1.0)
        height = size * PT * 1.3
        self.keep(self.heading_height(level) + (3 * self.line if after is None else after) + 2)
        pdf.ln(self.line * (0.2 if level == 1 else 0.6))
        pdf.set_text_color(*(HEADING if level <= 2 else INK))
        self.font(size, True)
        if level >= 2:  # the PDF's outline (bookmarks): sections and their parts
            pdf.start_section(self.clean(title), level=level - 2)
        pdf.multi_cell(0, height, self.clean(title), new_x="LMARGIN", new_y="NEXT")
        if level == 2:
            pdf.set_draw_color(*HEADING)
            pdf.set_line_width(0.5)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
            pdf.ln(1.5)
        pdf.set_text_color(*INK)
        self.font()

    # --- the document -------------------------------------------------------------------

    def draw(self) -> None:
        pdf = self.pdf
        document = self.document
        pdf.add_page()
        pdf.set_text_color(*INK)
        self.heading(document.title, 1)
        if document.intro:
            self.run(document.intro)
            pdf.ln(self.line)
        for section in document.sections:
            self.heading(section.title, 2, self.start_height(section.blocks, 3))
            self.blocks(section.blocks, 3)
        if document.card is not None:
            self.card(document.card)

    def blocks(self, blocks: Iterable[Block], level: int) -> None:
        pdf = self.pdf
        for block in blocks:
            if isinstance(block, Paragraph):
                if block.lead:
                    self.keep(3 * self.line)
                pdf.set_x(pdf.l_margin)
                self.run(block.text, bold=block.lead)
                pdf.ln(self.line * (1.1 if block.lead else 1.4))
            elif isinstance(block, Items):
                self.items(block)
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, Week):
                self.week(block)
            elif isinstance(block, Subsection):
                self.heading(block.title, level, self.start_height(block.blocks, level + 1))
                self.blocks(block.blocks, level + 1)

    def items(self, items: Items) -> None:
        pdf = self.pdf
        indent = self.size * PT * 1.8
        left = pdf.l_margin
        for number, item in enumerate(items.items, 1):
            self.keep(self.line)
            pdf.set_x(left)
            self.font()
            marker = f"{number}." if items.numbered else "•"
            pdf.cell(indent, self.line, marker)
            pdf.set_left_margin(left + indent)
            try:
                self.run(item)
            finally:
                pdf.set_left_margin(left)
            pdf.ln(self.line * 1.15)
        pdf.ln(self.line * 0.3)

    def table(self, table: Table) -> None:
        pdf = self.pdf
        size = self.size * self.small
        self.font(size)
        widths = self.column_widths(table, size)
        texts = [[self.clean(_cell_text(cell)) for cell in cells] for cells in table.rows]
        # A row taller than a page (a meeting with pages of notes) cannot be a table row:
        # fpdf2 refuses it half-way through the table. Such a row is written as a list item
        # instead, one "Header: value" line each, between the table's parts.
        room = pdf.page_break_trigger - pdf.t_margin - 4 * size * PT * 1.35
        parts: list[list[int]] = [[]]
        for index, cells in enumerate(texts):
            if self.row_height(cells, widths, size) <= room:
                parts[-1].append(index)
            else:
                parts += [[-1 - index], []]
        for part in parts:
            if part and part[0] < 0:
                self.tall_row(table, table.rows[-1 - part[0]])
            elif part or len(parts) == 1:
                self.table_part(table, widths, size, [(table.rows[i], texts[i]) for i in part])

    def row_height(self, cells: list[str], widths: tuple[float, ...], size: float) -> float:
        """A row's height in mm, at most: a cheap bound from the number of characters (each
        as wide as an em), measured by fpdf2 only when the bound is more than a page."""
        pdf = self.pdf
        line = size * PT * 1.35
        em = size * PT
        bound = 0.0
        for text, width in zip(cells, widths, strict=False):
            room = max(width - 2.4, em)
            lines = sum(1 + int(len(part) * em / room) for part in text.split("\n"))
            bound = max(bound, lines * line + 2.4)
        if bound <= pdf.page_break_trigger - pdf.t_margin - 4 * line:
            return bound
        self.font(size)
        pairs = zip(cells, widths, strict=False)
        return max(len(wrapped_lines(pdf, w - 2.4, t)) for t, w in pairs) * line + 2.4

    def tall_row(self, table: Table, cells: tuple[Text, ...]) -> None:
        # "Day: Tuesday", the handout's own "{label}: {phone}" sentence with a cell for the number.
        head, _sep, tail = _("{label}: {phone}").partition("{phone}")
        text: list[Span] = []
        for name, cell in zip(table.header, cells, strict=False):
            if text:
                text.append(BREAK)
            text += [Strong(head.format(label=name).rstrip()), " ", *cell, tail]
        self.items(Items((tuple(text),)))

    def table_part(
        self,
        table: Table,
        widths: tuple[float, ...],
        size: float,
        rows: list[tuple[tuple[Text, ...], list[str]]],
    ) -> None:
        from fpdf.fonts import FontFace

        pdf = self.pdf
        self.font(size)
        self.keep(4 * self.line)
        pdf.set_fill_color(255, 255, 255)
        with pdf.table(
            col_widths=widths,
            cell_fill_mode="NONE",
            text_align="LEFT",
            v_align="TOP",
            line_height=size * PT * 1.35,
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
            padding=1.2,
            repeat_headings=1,
            width=pdf.epw,
        ) as drawn:
            header = drawn.row()
            for name in table.header:
                header.cell(self.clean(name))
            for cells, texts in rows:
                row = drawn.row()
                for cell, value in zip(cells, texts, strict=True):
                    # fpdf2 links a whole cell: only when it holds one target (a place with a
                    # phone and a web address would send both to the first). The targets are
                    # printed in the cell either way.
                    targets = {safe_url(s.url) for s in cell if isinstance(s, Link)} - {None}
                    link = targets.pop() if len(targets) == 1 else None
                    row.cell(value, link=uri(link) if link else "")
        pdf.ln(self.line * 0.6)

    def column_widths(self, table: Table, size: float) -> tuple[float, ...]:
        """Widths in mm: every column at least as wide as its longest word (bold for the
        header), the rest of the line shared by how much text each column holds, so a column
        of days stays narrow and one of places gets the room."""
        pdf = self.pdf
        padding = 2.4 + 0.5
        # A word wider than this (a long web address, a name typed without spaces) is broken
        # inside the cell instead: left to claim its whole width, it squeezed the other
        # columns below one character and fpdf2 gave up ("not enough horizontal space").
        cap = max(pdf.epw / max(len(table.header), 1), pdf.epw * 0.4)
        least: list[float] = []
        amount: list[float] = []
        for index, name in enumerate(table.header):
            texts = [_cell_text(row[index]) for row in table.rows if index < len(row)]
            self.font(size, True)
            widest = max((pdf.get_string_width(self.clean(w)) for w in name.split()), default=0)
            self.font(size)
            for value in texts:
                for word in value.split():
                    widest = max(widest, pdf.get_string_width(self.clean(word)))
            least.append(min(widest + padding, cap))
            amount.append(sum(len(t) for t in texts) / max(len(texts), 1) + 1)
        spare = pdf.epw - sum(least)
        if spare <= 0:
            return tuple(width * pdf.epw / sum(least) for width in least)
        return tuple(
            width + spare * share / sum(amount) for width, share in zip(least, amount, strict=True)
        )

    def week_height(self, week: Week, hour_h: float) -> float:
        """The picture's height with ``hour_h`` mm an hour: caption, legend, day names."""
        days, _lanes, first, last = week_lanes(week)
        if not any(days):
            return 0.0
        small = max(6.5, self.size * 0.6)
        return self.line * 2.2 + small * PT * 2.2 + 5 + (last - first) * hour_h

    def week(self, week: Week) -> None:
        """Seven day columns and an hour scale; each entry a box at its time, meetings solid
        and appointments dashed, with the kind and the cadence in words."""
        days, lanes, first, last = week_lanes(week)
        if not any(days):
            return
        pdf = self.pdf
        small = max(6.5, self.size * 0.6)
        hours = last - first
        head_h = small * PT * 2.2
        # Room for at least 8 mm an hour where the picture would start, else a fresh page.
        fixed = self.week_height(week, 0.0)
        if pdf.will_page_break(self.week_height(week, 8.0)):
            pdf.add_page()
        hour_h = max(6.0, min(14.0, (pdf.page_break_trigger - pdf.get_y() - fixed) / hours))
        self.font(self.size * max(0.9, self.smaller), True)
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(
            0,
            self.line,
            self.clean(_("The week at a glance")),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        self.font(self.size * self.smaller)
        pdf.multi_cell(
            0,
            self.line,
            self.clean(_("(solid border: meeting; dashed border: appointment)")),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        top = pdf.get_y() + 1
        left = pdf.l_margin
        scale_w = small * PT * 6
        day_w = (pdf.epw - scale_w) / 7
        grid_top = top + head_h
        bottom = grid_top + hours * hour_h
        pdf.set_line_width(0.2)
        pdf.set_draw_color(*RULE)
        pdf.set_fill_color(230, 230, 230)
        pdf.rect(left + scale_w, top, 7 * day_w, head_h, style="DF")
        self.font(small, True)
        for day in range(7):
            x = left + scale_w + day * day_w
            name = day_label(week, day)
            pdf.set_xy(x, top)
            pdf.cell(day_w, head_h, self.clean(name), align="C")
            pdf.line(x, top, x, bottom)
        pdf.line(left + scale_w + 7 * day_w, top, left + scale_w + 7 * day_w, bottom)
        self.font(small)
        pdf.set_draw_color(196, 196, 196)
        for hour in range(first, last + 1):
            y = grid_top + (hour - first) * hour_h
            pdf.line(left, y, left + scale_w + 7 * day_w, y)
            if hour < last:
                pdf.set_xy(left, y)
                pdf.cell(scale_w, small * PT * 1.5, format_time(dt.time(hour)).replace(":00", ""))
        pdf.set_auto_page_break(False)
        for day in range(7):
            lane_w = day_w / lanes[day]
            for placed in days[day]:
                entry = placed.entry
                x = left + scale_w + day * day_w + placed.lane * lane_w + 0.4
                y = grid_top + (placed.start - first * 60) / 60 * hour_h + 0.3
                w = max(lane_w - 0.8, lane_w * 0.6)  # many at once: thin, never negative
                h = max((placed.end - placed.start) / 60 * hour_h - 0.6, small * PT * 1.4)
                meeting = entry.kind != "appointment"
                pdf.set_fill_color(*(MEETING_FILL if meeting else APPOINTMENT_FILL))
                pdf.set_draw_color(*(MEETING_LINE if meeting else APPOINTMENT_LINE))
                pdf.set_line_width(0.35)
                if not meeting:
                    pdf.set_dash_pattern(dash=1.0, gap=0.7)
                pdf.rect(x, y, w, h, style="DF")
                pdf.set_dash_pattern()
                # The title first: a short box shows what it is; the border says which kind.
                lines = [entry.title, entry_time(entry)]
                if entry.cadence:
                    lines.append(entry.cadence)
                if w - 1 < small * PT * 1.5:
                    continue  # too narrow for a letter (many at once): the table says it
                self.font(small * 0.92)
                line_h = small * PT * 1.2
                # Only the lines the box has room for: the rest, clipped, was still there as
                # text, below the box and off the page (found by a search, read by a reader).
                wrapped = wrapped_lines(pdf, w - 1, self.clean("\n".join(lines)))
                room = max(1, int((h - 0.3) / line_h))
                shown = wrapped[:room]
                if len(wrapped) > room:
                    shown[-1] = shown[-1].rstrip()[:-1] + "…" if len(shown[-1]) > 1 else "…"
                with pdf.rect_clip(x, y, w, h):
                    pdf.set_xy(x + 0.5, y + 0.3)
                    pdf.multi_cell(
                        w - 1, line_h, "\n".join(shown), align="L", new_x="LEFT", new_y="NEXT"
                    )
        pdf.set_auto_page_break(True, margin=BOTTOM)
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.2)
        pdf.set_xy(left, bottom + 2)
        self.font()
        pdf.ln(self.line * 0.5)

    def card(self, card: WalletCard) -> None:
        """Its own last page: two faces side by side, cut along the dashed line and fold along
        the dotted one; the text is small and fixed, the card being a fixed size."""
        pdf = self.pdf
        pdf.add_page()
        self.heading(_("Wallet card"), 2)
        self.run((_(CUT_HERE),))
        pdf.ln(self.line * 1.5)
        x0 = pdf.l_margin
        y0 = pdf.get_y()
        pdf.set_draw_color(51, 51, 51)
        pdf.set_line_width(0.3)
        pdf.set_dash_pattern(dash=2, gap=1.2)
        pdf.rect(x0, y0, 2 * CARD_W, CARD_H)
        pdf.set_dash_pattern(dash=0.4, gap=0.8)
        pdf.line(x0 + CARD_W, y0, x0 + CARD_W, y0 + CARD_H)
        pdf.set_dash_pattern()
        size = 8.0
        # (text, bold, bulleted): a bulleted line wraps under its text, not under the bullet.
        front: list[tuple[Text, bool, bool]] = [((_("If you are in crisis"),), True, False)]
        if card.name:
            front.append(((card.name,), True, False))
        if card.warning_signs:
            front.append(((_("My warning signs:"),), True, False))
            front += [((sign,), False, True) for sign in card.warning_signs]
        if card.people:
            front.append(((_("Call:"),), True, False))
            front += [(person, False, True) for person in card.people]
        back: list[tuple[Text, bool, bool]] = [((_("Crisis lines"),), True, False)]
        back += [(line, False, True) for line in card.lines]
        if card.emergency:
            back.append((card.emergency, False, False))
        # The largest size, 8 pt down to 6, at which both faces fit the card: whatever the
        # clip cut off was lost from the card, yet still there as hidden text.
        size = next(
            (
                s
                for s in (8.0, 7.5, 7.0, 6.5)
                if self.fits_card(front, s) and self.fits_card(back, s)
            ),
            6.0,
        )
        bullet = size * PT * 1.4
        for face, lines in ((0, front), (1, back)):
            x = x0 + face * CARD_W
            with pdf.rect_clip(x + 0.3, y0 + 0.3, CARD_W - 0.6, CARD_H - 0.6):
                pdf.set_left_margin(x + 3)
                pdf.set_right_margin(pdf.w - (x + CARD_W - 3))
                pdf.set_auto_page_break(False)
                pdf.set_xy(x + 3, y0 + 2.5)
                for text, bold, bulleted in lines:
                    pdf.set_x(x + 3)
                    if bulleted:
                        self.font(size)
                        pdf.cell(bullet, size * PT * 1.45, "•")
                        pdf.set_left_margin(x + 3 + bullet)
                    self.run(text, bold=bold, size=size)
                    pdf.set_left_margin(x + 3)
                    pdf.ln(size * PT * 1.3)
                pdf.set_margins(18, 16, 18)
                pdf.set_auto_page_break(True, margin=BOTTOM)
        pdf.set_xy(x0, y0 + CARD_H + 2)

    def fits_card(self, lines: list[tuple[Text, bool, bool]], size: float) -> bool:
        """Whether a face's lines fit the card at ``size`` (as :meth:`card` draws them)."""
        pdf = self.pdf
        said = [
            ("".join(piece for piece, _strong, _url in self.pieces(text, bold)), bold, bulleted)
            for text, bold, bulleted in lines
        ]

        def height(count: Callable[[str, bool, float], int]) -> float:
            total = 2.5 + size * PT * 0.3
            for text, bold, bulleted in said:
                width = CARD_W - 6 - (size * PT * 1.4 if bulleted else 0)
                total += (count(text, bold, width) - 1) * size * PT * 1.45 + size * PT * 1.3
            return total

        def at_most(text: str, _bold: bool, width: float) -> int:  # every letter an em wide
            return 1 + int(len(text) * size * PT / width)

        def measured(text: str, bold: bool, width: float) -> int:
            self.font(size, bold)
            return max(len(wrapped_lines(pdf, width, text)), 1)

        # The bound settles most cards without laying anything out.
        return height(at_most) <= CARD_H - 1 or height(measured) <= CARD_H - 1


def wrapped_lines(pdf: FPDF, width: float, text: str) -> list[str]:
    """The lines fpdf2 breaks ``text`` into at ``width`` mm in the current font (drawn nowhere)."""
    lines = pdf.multi_cell(width, 1, text, dry_run=True, output="LINES")
    return [str(line) for line in lines] if isinstance(lines, list) else []


def uri(url: str) -> str:
    """A link target as a PDF URI action wants it: 7-bit ASCII (RFC 3986), anything else
    percent-encoded as UTF-8; what is already encoded is left alone."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")


def _cell_text(cell: Text) -> str:
    parts: list[str] = []
    for span in cell:
        if isinstance(span, str):
            parts.append(span)
        elif isinstance(span, Strong):
            parts.append(span.text)
        elif isinstance(span, Break):
            parts.append("\n")
        elif isinstance(span, Link):
            target = printed_target(span) if safe_url(span.url) else None
            parts.append(f"{span.label} ({target})" if target else span.label)
    return "".join(parts)
