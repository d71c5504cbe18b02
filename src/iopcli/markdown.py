"""The Markdown handout: the handout's :class:`~iopcli.document.Document` drawn as CommonMark.

What the handout says is decided once, in :mod:`iopcli.handout`; this module only draws it.
Every word in the document is literal, so all of it goes through the same escaping
(:func:`text`): a person's words can never become a heading, raw HTML, a link or a broken
table. The only links emitted are ``tel:``, ``mailto:`` and ``http(s):``. A line break a
person typed is a CommonMark hard break (a backslash at the end of the line); inside a table
cell, where no line can break (without raw HTML, which pandoc drops on paper), the lines are
kept apart with " / ". ``paper`` draws tables as lists, where every break is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from iopcli.document import (
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
    Week,
)
from iopcli.sections import HANDOUT_SECTIONS
from iopcli.values import tel_uri

if TYPE_CHECKING:
    from iopcli.document import Block
    from iopcli.model import AftercarePlan

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
class MarkdownOptions:
    paper: bool = False  # lists instead of tables: narrow enough for any printer and screen
    links: bool = True  # False for a terminal, where "(312) 555-0142 (tel:+1...)" is noise
    clinician: bool = False  # the clinician-only part too (export --clinician): never by default


#: The handout's parts in order, as :func:`handout_sections` gives them.
PARTS = ("title", *HANDOUT_SECTIONS, "clinician", "calendar")


def plan_to_markdown(plan: AftercarePlan, options: MarkdownOptions | None = None) -> str:
    return "\n".join(part for part in handout_sections(plan, options).values() if part)


def handout_sections(plan: AftercarePlan, options: MarkdownOptions | None = None) -> dict[str, str]:
    """The handout part by part, in order: ``title`` (the heading and who it is from), each
    :data:`~iopcli.sections.HANDOUT_SECTIONS` key, ``clinician`` (only with that option), then
    ``calendar`` (about the .ics file). A part the plan has nothing for is the empty string."""
    from iopcli.handout import build

    options = options or MarkdownOptions()
    return render_parts(build(plan, clinician=options.clinician), options)


def render(document: Document, options: MarkdownOptions | None = None) -> str:
    """The whole document as Markdown."""
    parts = render_parts(document, options or MarkdownOptions())
    return "\n".join(part for part in parts.values() if part)


def render_parts(document: Document, options: MarkdownOptions) -> dict[str, str]:
    """The document's parts (see :func:`handout_sections`) drawn one by one."""
    out = dict.fromkeys(PARTS, "")
    lines = [f"# {_line(document.title, options)}", "", _text(document.intro, options), ""]
    out["title"] = _finish(lines)
    for section in document.sections:
        out[section.key] = _finish(_section(section, options))
    return out


def _finish(lines: list[str]) -> str:
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def _section(section: Section, options: MarkdownOptions) -> list[str]:
    lines = [f"## {_line(section.title, options)}", ""]
    for block in section.blocks:
        lines += _block(block, options, 2)
    return lines


def _block(block: Block, options: MarkdownOptions, level: int) -> list[str]:
    if isinstance(block, Paragraph):
        return [_text(block.text, options), ""]
    if isinstance(block, Items):
        if block.numbered:
            return [
                f"{i}. " + _text(item, options, "   ") for i, item in enumerate(block.items, 1)
            ] + [""]
        return ["- " + _text(item, options, "  ") for item in block.items] + [""]
    if isinstance(block, Table):
        return _table(block, options)
    if isinstance(block, Subsection):
        lines = ["#" * (level + 1) + f" {_line(block.title, options)}", ""]
        for inner in block.blocks:
            lines += _block(inner, options, level + 1)
        return lines
    if isinstance(block, Week):
        return []  # a picture; the table or list next to it says the same in words
    raise TypeError(f"not a block: {type(block).__name__}")


def _table(table: Table, options: MarkdownOptions) -> list[str]:
    if options.paper:
        # A list item per row: "**Tuesday 7:00 pm–8:15 pm**: What. Where".
        items = []
        for row in table.rows:
            lead = " ".join(_plain(cell) for cell in row[:2] if cell)
            line: Text = (Strong(lead), ": ", *row[2])
            for cell in row[3:]:
                if cell:
                    line += (". ", *cell)
            items.append(line)
        return _block(Items(tuple(items)), options, 2)
    lines = ["| " + " | ".join(_line(h, options) for h in table.header) + " |"]
    lines.append("|" + "|".join("---" for _ in table.header) + "|")
    lines += ["| " + " | ".join(_cell(c, options) for c in row) + " |" for row in table.rows]
    return [*lines, ""]


def _plain(spans: Text) -> str:
    return " ".join(
        span if isinstance(span, str) else span.text if isinstance(span, Strong) else ""
        for span in spans
        if isinstance(span, str | Strong)
    )


# --- inline text -------------------------------------------------------------------------------


def _segments(spans: Text, options: MarkdownOptions) -> list[str]:
    """The spans drawn as Markdown, split at each line break; each line escaped at its start."""
    segments = [""]
    for span in spans:
        if isinstance(span, Break):
            segments.append("")
        elif isinstance(span, str):
            segments[-1] += _inline(span)
        elif isinstance(span, Strong):
            inner = _inline(span.text).strip()
            segments[-1] += f"**{inner}**" if inner else ""
        elif isinstance(span, Link):
            segments[-1] += link(span.label, span.url, options.links)
    return [_LINE_START.sub(_escape_line_start, seg.strip()) for seg in segments]


def _text(spans: Text, options: MarkdownOptions, indent: str = "") -> str:
    """Inline text; a line break is a hard break, the next line indented under a list item."""
    return ("\\\n" + indent).join(s for s in _segments(spans, options) if s)


def _cell(spans: Text, options: MarkdownOptions) -> str:
    """A table cell: one line, so the lines typed are kept apart with " / "."""
    return " / ".join(s for s in _segments(spans, options) if s)


def _line(words: str, options: MarkdownOptions) -> str:
    """A heading's words: one line."""
    return " ".join(_segments((words,), options))


def _inline(value: str) -> str:
    return _INLINE.sub(r"\\\1", re.sub(r"\s+", " ", value))
