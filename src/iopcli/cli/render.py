"""How command results look: one renderer for people (rich tables, plain lines) and one for
scripts (JSON), so command functions only choose which.

Every ``--json`` output goes through :func:`print_json`: UTF-8 as typed (no ``\\u`` escapes),
two-space indents, the same in every command.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def console() -> Console:
    from iopcli.screens import make_console

    return make_console()


def print_table(columns: Sequence[str], rows: Iterable[Sequence[str]], fold: bool = False) -> None:
    """A borderless table: readable on a bad terminal and by screen readers.

    When every cell is one column per character and the table fits the screen, it is written
    directly, exactly as rich would draw it (so ``list`` and ``history`` need not load rich);
    otherwise rich draws it, wrapping or folding cells to fit."""
    import sys

    from iopcli.screens import screen_width

    table = [list(columns), *(list(row) for row in rows)]
    widths = [max(len(row[n]) for row in table) for n in range(len(columns))]
    fits = sum(widths) + 2 * (len(widths) - 1) <= screen_width()
    if fits and all(_narrow(cell) for row in table for cell in row):
        bold = sys.stdout.isatty() and os.environ.get("TERM") != "dumb"
        for number, row in enumerate(table):
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            print(f"\x1b[1m{line}\x1b[0m" if bold and number == 0 else line)
        return
    from rich.table import Table

    drawn = Table(box=None, pad_edge=False)
    for column in columns:
        drawn.add_column(column, overflow="fold" if fold else "ellipsis")
    for row in table[1:]:
        drawn.add_row(*row)
    console().print(drawn)


def _narrow(cell: str) -> bool:
    """Every character takes one column (no wide, zero-width or control characters), as rich
    measures them: its own width table, far lighter to load than its tables."""
    if cell.isascii():
        return cell.isprintable()
    from rich.cells import cell_len

    return cell.isprintable() and all(cell_len(c) == 1 for c in cell)


def local_minute(moment: dt.datetime) -> str:
    """A stored UTC time in this machine's local time, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def shown(value: Any) -> str:
    """A stored value on one line, as typed."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.replace("\n", " / ")


def some_of(paths: list[str], most: int = 4) -> str:
    """The first few of a list and how many more there are."""
    listed = ", ".join(paths[:most])
    return listed + (f" and {len(paths) - most} more" if len(paths) > most else "")


def print_agenda(rows: Sequence[dict[str, Any]], plain: bool) -> None:
    """Agenda rows (:func:`iopcli.views.agenda_rows`) grouped by day: a plain list, or a rich
    grid with times right-aligned. Days and fixed words in the current language (iopcli.i18n)."""
    from iopcli.i18n import _, format_day

    days: dict[dt.date, list[tuple[str, str, str]]] = {}
    headings: dict[dt.date, str] = {}
    for row in rows:
        entry = row["entry"]
        where = "; ".join(x for x in (entry["where"], entry["link"], entry["phone"]) if x)
        day = dt.date.fromisoformat(entry["start"][:10])
        days.setdefault(day, []).append((row["when"] or _("all day"), entry["title"], where))
        headings.setdefault(day, row.get("day") or format_day(day))  # kept views carry it
    if plain:
        for number, (day, lines) in enumerate(days.items()):
            print(("\n" if number else "") + headings[day])
            for when, title, details in lines:
                print(f"  {when}: {title}" + (f". {details}" if details else ""))
        return
    from rich.table import Table
    from rich.text import Text

    out = console()
    for number, (day, lines) in enumerate(days.items()):
        if number:
            out.print()
        out.print(Text(headings[day], style="bold"))
        grid = Table.grid(padding=(0, 2), pad_edge=True)
        grid.add_column(justify="right", no_wrap=True, min_width=8)
        grid.add_column(overflow="fold")
        for when, title, where in lines:
            body = Text(title)
            if where:
                body.append("\n" + where, style="dim")
            grid.add_row(Text(when), body)
        out.print(grid)
