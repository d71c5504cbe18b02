"""The crisis card on a terminal, kept apart from the Typer app so it can be drawn without it.

Rendering only (the card itself comes from :mod:`iopcli.crisis`): rich for a terminal, plain
text for ``--plain``, NO_COLOR, TERM=dumb and screen readers. Meaning is never carried by
colour alone: headings are words, items are bulleted.

Also what every command needs of the terminal: a width that makes sense whatever COLUMNS says
(:func:`screen_width`), and output that degrades to what a terminal that is not UTF-8 can show
(:func:`adapt_streams`: ASCII bullets and dashes, letters without their accents, else "?")
instead of a UnicodeEncodeError half-way through the crisis card.
"""

from __future__ import annotations

import codecs
import errno
import functools
import os
import sys
import unicodedata
from typing import TYPE_CHECKING, Any

from iopcli.errors import IopcliError

if TYPE_CHECKING:
    from rich.console import Console

    from iopcli.crisis import Caller, CrisisCard


def wants_plain(flag: bool) -> bool:
    """Plain text: asked for, or NO_COLOR set, or a terminal that cannot do more."""
    return flag or bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"


MIN_WIDTH = 20  # narrower than this, COLUMNS (or the terminal) is taken to be wrong
MAX_WIDTH = 500  # rich pads lines to the width: COLUMNS=100000000 must not mean 100 MB lines
FALLBACK_WIDTH = 80


def screen_width(stderr: bool = False) -> int:
    """Columns to draw in: COLUMNS when it is a sane number, else the terminal's width, else
    80. COLUMNS=0 drew a blank crisis card and COLUMNS=1 one character a line."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isascii() and columns.isdigit() and int(columns) >= MIN_WIDTH:
        return min(int(columns), MAX_WIDTH)
    try:
        size = os.get_terminal_size((sys.stderr if stderr else sys.stdout).fileno()).columns
    except (AttributeError, OSError, ValueError):  # not a terminal, or no such stream
        size = 0
    return min(size, MAX_WIDTH) if size >= MIN_WIDTH else FALLBACK_WIDTH


def make_console(stderr: bool = False) -> Console:
    """The one rich Console every command draws with: markup and emoji codes off (a plan's
    "[x]" or ":pill:" is text), and a sane width whatever COLUMNS says."""
    return _console_class()(
        stderr=stderr, highlight=False, markup=False, emoji=False, width=screen_width(stderr)
    )


@functools.cache
def _console_class() -> type[Console]:
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # rich's own choice is SystemExit(1); the reader going away (| head -1) is the
            # caller's to judge: the crisis card exits 0, other commands as they always did.
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, "the reader of the output went away")

        def _check_buffer(self) -> None:
            # rich writes and flushes as it draws, so `iopcli show > /dev/full` fails here,
            # inside the command: make that one clear line (exit 1), not an internal error.
            try:
                super()._check_buffer()
            except BrokenPipeError:
                raise
            except OSError as exc:
                if self.stderr:
                    raise
                self.quiet = True
                _silence(sys.stdout)
                raise OutputError(
                    f"iopcli: cannot write to standard output: {exc.strerror or 'failed'}"
                ) from None

    return _Console


class OutputError(IopcliError):
    """Standard output cannot be written (a full disk, a device error)."""


def _silence(stream: Any) -> None:
    """Point the stream's file descriptor at the null device, so that the interpreter's last
    flush at exit cannot fail again (it would print "Exception ignored ...")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass


# --- terminals that are not UTF-8 -------------------------------------------------------------

FALLBACK = "iopcli-terminal"  # the codec error handler adapt_streams installs

# What a character becomes where the terminal cannot show it and taking accents off is not
# enough. Box-drawing characters are handled by their names (see _ascii).
_ASCII = {
    "\u2022": "*",  # bullet
    "\u25e6": "o",
    "\u2023": ">",
    "\u2043": "-",
    "\u00b7": ".",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": ",",
    "\u201b": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2026": "...",
    "\u2192": "->",
    "\u2190": "<-",
    "\u21d2": "=>",
    "\u00d7": "x",
    "\u00a0": " ",
    "\u200b": "",
    "\u00df": "ss",
    "\u00e6": "ae",
    "\u00c6": "AE",
    "\u0153": "oe",
    "\u0152": "OE",
    "\u00f8": "o",
    "\u00d8": "O",
    "\u0111": "d",
    "\u0110": "D",
    "\u0142": "l",
    "\u0141": "L",
    "\u0131": "i",
    "\u00fe": "th",
    "\u00de": "Th",
    "\u00f0": "d",
    "\u00d0": "D",
    "\u20ac": "EUR",
}


def _ascii(char: str) -> str:
    """An ASCII stand-in for one character: a bullet or dash by its look, a letter without
    its accent, else "?"."""
    if char in _ASCII:
        return _ASCII[char]
    if "\u2500" <= char <= "\u257f":  # box drawing: lines and corners
        name = unicodedata.name(char, "")
        return "-" if "HORIZONTAL" in name else "|" if "VERTICAL" in name else "+"
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", char) if c.isascii() and c.isprintable()
    )
    return plain or "?"


def _fallback(error: UnicodeError) -> tuple[str | bytes, int]:
    """Codec error handler: what to write for a character the stream's encoding lacks."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    char = error.object[error.start]
    if "\udc80" <= char <= "\udcff":  # a byte of a file name that was not UTF-8: as it was
        return bytes([ord(char) - 0xDC00]), error.start + 1
    return _ascii(char), error.start + 1


def adapt_streams() -> None:
    """Let stdout and stderr write anything: what their encoding cannot show becomes an ASCII
    stand-in instead of a UnicodeEncodeError (PYTHONIOENCODING=latin-1, LC_ALL=C, cp437)."""
    codecs.register_error(FALLBACK, _fallback)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            reconfigure(errors=FALLBACK)
        except (OSError, ValueError):  # a closed or unusual stream: leave it as it is
            continue


def can_show(text: str, stderr: bool = False) -> bool:
    """Whether the stream's encoding has every character of ``text``."""
    encoding = getattr(sys.stderr if stderr else sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _caller(caller: Caller) -> str:
    """'Jordan (Clinician): (312) 555-0155, after hours (312) 555-0156, address', in the
    handout's order (:func:`iopcli.handout.caller_text` writes the same for the page)."""
    from iopcli.crisis import shown_note
    from iopcli.i18n import _

    note = shown_note(caller)
    note = _(note) if note == "counselor" else note  # the role we wrote
    name = caller.name + (f" ({note})" if note else "")
    details = [caller.phone] if caller.phone else []
    if caller.after_hours:
        details.append(_("after hours {phone}").format(phone=caller.after_hours))
    if caller.address:
        details.append(caller.address)
    return f"{name}: {', '.join(details)}" if details else name


def crisis_sections(card: CrisisCard) -> list[tuple[str, list[str]]]:
    """The card's parts, headed in the current language (print inside ``language(card.language)``;
    the lines were loaded in it)."""
    from iopcli.i18n import _

    out: list[tuple[str, list[str]]] = []
    if card.warning_signs:
        out.append((_("Your warning signs"), card.warning_signs))
    if card.coping:
        out.append((_("Things you can do on your own"), card.coping))
    if card.people:
        out.append((_("People you can call"), [_caller(c) for c in card.people]))
    if card.professionals:
        out.append((_("Professionals"), [_caller(c) for c in card.professionals]))
    if card.lines:
        rows = [f"{line.name}: {line.how}" for line in card.lines]
        out.append((_("Crisis lines, free, day and night"), rows))
    return out


def print_crisis(card: CrisisCard, plain: bool) -> None:
    """Draw the card. Whatever goes wrong in drawing it with rich, it is printed as plain
    text: the crisis lines must reach the screen (only a failing stdout stops that)."""
    from iopcli.i18n import _

    title = (
        _("If you are in crisis, {name}").format(name=card.name)
        if card.name
        else _("If you are in crisis")
    )
    sections = crisis_sections(card)
    if not wants_plain(plain):
        try:
            _rich_crisis(title, sections, card.problem)
        except (OSError, OutputError):  # stdout itself failed: plain text would fail too
            raise
        except Exception:  # whatever it was, the card is drawn again below as plain text
            print()
        else:
            return
    print(title)
    for heading, items in sections:
        print(f"\n{heading}:")
        for item in items:
            print("  - " + item.replace("\n", "\n    "))
    if card.problem:
        print(f"\n{card.problem}")


def _rich_crisis(title: str, sections: list[tuple[str, list[str]]], problem: str | None) -> None:
    from rich.text import Text

    console = make_console()
    bullet = "\u2022" if can_show("\u2022") else "*"
    console.print(Text(title, style="bold"))
    for heading, items in sections:
        console.print()
        console.print(Text(heading, style="bold"))
        for item in items:
            console.print(Text(f"  {bullet} " + item.replace("\n", "\n    ")))
    if problem:
        console.print()
        console.print(Text(problem, style="italic"))
