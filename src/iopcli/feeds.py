"""Reading published meeting and resource feeds into plan items.

Three formats, told apart by their content: Meeting Guide JSON (the code4recovery spec used by
AA intergroups and the 12 Step Meeting List), BMLT JSON (NA's meeting server) and Open
Referral HSDS (211 and community directories: 1.x to 3.0 JSON, single objects and paginated
API responses, or a data package: a folder or zip of CSV files). Each record becomes the plan
model's own Meeting or Resource, checked by the same rules as a plan file.

Feeds are read as they are published, not as their specs say: a record missing what makes it
a meeting is skipped with its reason; an optional field that is wrong is left out (and
reported) and the record is kept; text is stripped of control characters, which have no place
in a listing and could drive a terminal. A JSON list is read record by record, so a
200,000-meeting feed is never in memory at once: ``Feed.records`` is consumed while the
directory imports it, and ``skipped`` and ``notes`` fill in as it is read.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import json
import os
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from iopcli.errors import IopcliError
from iopcli.model import Meeting, Resource
from iopcli.slugs import slugify
from iopcli.values import Weekday, parse_time_of_day

MAX_FEED_BYTES = 200 * 1024 * 1024
_CHUNK = 1 << 20
_MAX_RECORD_CHARS = 16 << 20  # one record this long is not a listing


class FeedError(IopcliError):
    """A feed cannot be read at all (nothing is imported from it)."""


@dataclass
class FeedRecord:
    """One listing read from a feed, ready for the directory: a meeting or a resource."""

    kind: str  # "meeting" or "resource"
    source_id: str
    item: Meeting | Resource
    updated: dt.date | None = None
    active: bool = True
    # What a listing says that the plan's item has no field for, kept for the directory's
    # treatment programs (iopcli.locator): an HSDS service's accreditations and licenses.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Feed:
    """A feed being read. ``records`` may be lazy (read while imported): ``skipped``,
    ``skipped_ids`` and ``notes`` are complete once it has been consumed."""

    format: str
    records: Iterable[FeedRecord] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "record 12 (slug): reason"
    skipped_ids: set[str] = field(default_factory=set)  # kept as they were, not removed
    notes: list[str] = field(default_factory=list)  # kept, with a field left out or renamed

    def load(self) -> Feed:
        """Read every record now (tests, small feeds)."""
        self.records = list(self.records)
        return self


# --- text as published -------------------------------------------------------------------------

# Terminal escape sequences (CSI, OSC with BEL or ST) first, whole, then any control character
# left: a listing is text, and ESC ] 0 ; ... BEL would retitle a counselor's terminal.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """Text without escape sequences or control characters (tab and newline stay)."""
    if text.isprintable() or not _CONTROLS.search(text):  # the first test is the fast one
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


_PLAIN = (int, float, bool, type(None))


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value if value.isprintable() else clean_text(value)
    if isinstance(value, dict):
        # Inline fast paths: most values are printable text or numbers (a feed is mostly that).
        return {
            k if k.isprintable() else clean_text(k): (
                v
                if (v.__class__ is str and v.isprintable()) or v.__class__ in _PLAIN
                else _clean(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _text(value: Any) -> str | None:
    """One line of text from a scalar; lists, objects and booleans are not text."""
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    text = " ".join(str(value).split())
    return text or None


def _para(value: Any) -> str | None:
    """Text that may keep its line breaks (notes, descriptions)."""
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    lines = [" ".join(line.split()) for line in str(value).strip().splitlines()]
    text = "\n".join(lines).strip()
    return text or None


def _join(*parts: Any, sep: str = ", ") -> str | None:
    texts = [t for t in (_text(p) for p in parts) if t]
    return sep.join(texts) or None


def _phone_text(value: Any) -> str | None:
    """A phone as published, without the quotes some CSV exports leave inside the value."""
    text = _text(value)
    return text.strip("\"'“”‘’ ") or None if text else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        return None


_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")


def _date(value: Any) -> dt.date | None:
    """'2026-10-02', '2026-10-02 14:11:09', '2026-10-02T14:11:09Z' or '9/6/2021' (US order)."""
    text = _text(value)
    if not text:
        return None
    match = _US_DATE.match(text)
    try:
        if match:
            year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
            day = dt.date(year, int(match[1]), int(match[2]))
        else:
            day = dt.date.fromisoformat(text[:10])
    except ValueError:
        return None
    return day if dt.date(1900, 1, 1) <= day <= dt.date(2200, 12, 31) else None


def _list(row: dict[str, Any], key: str, text_ok: bool = False) -> list[dict[str, Any]]:
    """The objects under ``key``: a list (other entries ignored) or one object; text where
    ``text_ok`` (read by the caller)."""
    value = row.get(key)
    if value is None or value == "" or (text_ok and isinstance(value, str)):
        return []
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise _WrongType(key, value, "a list")
    return [v for v in value if isinstance(v, dict)]


def _object(row: dict[str, Any], key: str) -> dict[str, Any]:
    value = row.get(key)
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise _WrongType(key, value, "an object")
    return value


class _WrongType(Exception):
    def __init__(self, key: str, value: Any, expected: str) -> None:
        shown = json.dumps(value)[:40] if not isinstance(value, str) else repr(value[:40])
        super().__init__(f"{key}: {shown} is not {expected}")


# --- building items ------------------------------------------------------------------------------

_REQUIRED = {"meeting": {"name", "days", "start"}, "resource": {"name"}}


def _build(
    feed: Feed,
    kind: str,
    source: str,
    source_id: str,
    data: dict[str, Any],
    where: str,
    updated: dt.date | None,
    active: bool = True,
    names: dict[str, str] | None = None,
) -> FeedRecord | None:
    """The record as a Meeting or Resource. An optional field that fails its check is left out
    and noted; a required one skips the record with the reason."""
    from iopcli.planfile import error_message

    data = {k: v for k, v in data.items() if v not in (None, "", [], {})}
    data["id"] = slugify(source_id, max_length=64)
    data["source"] = {"feed": source, "id": source_id, "updated": updated}
    model = Meeting if kind == "meeting" else Resource
    for _ in range(len(data) + 1):
        try:
            item = model.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            first = errors[0]
            top = str(first["loc"][0]) if first["loc"] else ""
            shown = (names or {}).get(top, top)
            path = ".".join([shown, *(str(p) for p in first["loc"][1:])]).strip(".")
            reason = error_message(first, tuple(first["loc"]))
            if top in _REQUIRED[kind] or top not in data or top in ("id", "source"):
                feed.skipped.append(f"{where}: {path}: {reason}")
                feed.skipped_ids.add(source_id)
                return None
            feed.notes.append(f"{where}: {path}: {reason}; left out, the record is kept")
            del data[top]
            continue
        return FeedRecord(kind, source_id, item, updated, active)
    return None  # pragma: no cover - every pass removes a field


def _identified(
    feed: Feed, rows: Iterable[Any], *keys: str
) -> Iterator[tuple[dict[str, Any], str, str]]:
    """(record, its source id, how messages name it) for each record that has an id under
    one of ``keys``; the others are skipped with the reason. Text is cleaned on the way."""
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            feed.skipped.append(f"record {number}: not an object")
            continue
        cleaned = _clean(row)
        source_id = next((t for key in keys if (t := _text(cleaned.get(key)))), None)
        where = f"record {number} ({source_id})" if source_id else f"record {number}"
        if source_id is None:
            feed.skipped.append(f"{where}: no {keys[0]}")
            continue
        yield cleaned, source_id, where


def _each(
    feed: Feed,
    rows: Iterable[Any],
    keys: tuple[str, ...],
    read: Callable[[dict[str, Any], str, str], FeedRecord | None],
) -> Iterator[FeedRecord]:
    """Records read by ``read``, one at a time; a wrong-typed value skips only its record."""
    for row, source_id, where in _identified(feed, rows, *keys):
        try:
            record = read(row, source_id, where)
        except _WrongType as exc:
            feed.skipped.append(f"{where}: {exc}")
            feed.skipped_ids.add(source_id)
            continue
        if record is not None:
            yield record


def _deduplicated(feed: Feed, records: Iterable[FeedRecord]) -> Iterator[FeedRecord]:
    """One listing per source id. Published feeds repeat ids (an active group and a closed one
    under one slug): an active listing is never replaced by an inactive one, whichever comes
    first (inactive listings wait to the end for that); two of the same standing are both
    kept, the later under an id naming its place. Each case is noted."""
    seen: set[str] = set()
    waiting: dict[str, FeedRecord] = {}

    def renamed(record: FeedRecord) -> FeedRecord:
        sid, item = record.source_id, record.item
        place = getattr(item, "location", None) or item.address or item.name
        base = f"{sid}--{slugify(place, max_length=40)}"
        new_id, n = base, 2
        while new_id in seen or new_id in waiting:
            new_id, n = f"{base}-{n}", n + 1
        seen.add(new_id)
        feed.notes.append(f"{sid}: listed twice; both kept, the second as {new_id}")
        source = item.source.model_copy(update={"id": new_id}) if item.source else None
        item = item.model_copy(update={"id": slugify(new_id, max_length=64), "source": source})
        return FeedRecord(record.kind, new_id, item, record.updated, record.active)

    def left_out(sid: str) -> None:
        feed.notes.append(
            f"{sid}: listed twice; the inactive listing was left out, the active one kept"
        )

    for record in records:
        sid = record.source_id
        if not record.active:
            if sid in seen:
                left_out(sid)
            elif sid in waiting:
                yield renamed(record)
            else:
                waiting[sid] = record
            continue
        if sid in waiting:
            del waiting[sid]
            left_out(sid)
        if sid in seen:
            yield renamed(record)
            continue
        seen.add(sid)
        yield record
    for sid, record in waiting.items():
        if sid in seen:  # taken by a renamed listing meanwhile
            yield renamed(record)
        else:
            seen.add(sid)
            yield record


# --- detecting and reading -------------------------------------------------------------------


ZIP_MAGIC = b"PK\x03\x04"


def file_head(path: Path, limit: int, error: type[IopcliError]) -> bytes:
    """The first four bytes of a file to import (a zip's magic number tells a CSV package);
    ``error`` when it cannot be read or is larger than ``limit`` bytes."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise error(f"{path}: cannot be read: {exc.strerror}") from None
    if size > limit:
        raise error(f"{path}: larger than {limit // 2**20} MiB")
    return head


def read_feed(path: Path, source: str, fellowship: str | None = None) -> Feed:
    """Open one feed file (or HSDS CSV folder/zip); FeedError if it is unreadable as a whole.

    A JSON list is checked up to its first record here and read lazily after that: an error
    further on raises FeedError while the records are consumed (the directory then changes
    nothing)."""
    if path.is_dir():
        return _hsds_csv(_csv_folder(path), source)
    if file_head(path, MAX_FEED_BYTES, FeedError) == ZIP_MAGIC:
        return _hsds_csv(_csv_zip(path), source)
    stream = _JsonList(path)
    if stream.is_list():
        rows = stream.rows()
        first: list[Any] = []
        for row in rows:
            first.append(row)
            if isinstance(row, dict):
                break
        return _dispatch(first, _chain(first, rows), source, fellowship, str(path))
    try:
        parsed = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedError(f"{path}: not JSON, a CSV folder or a zip of CSV files ({exc})") from None
    except OSError as exc:
        raise FeedError(f"{path}: cannot be read: {exc.strerror}") from None
    return parse_json_feed(parsed, source, fellowship, str(path))


def _chain(first: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from first
    yield from rest


class _JsonList:
    """A JSON file whose top level is a list, read one element at a time (1 MiB at a time)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._decoder = json.JSONDecoder()

    def is_list(self) -> bool:
        try:
            with self.path.open("rb") as handle:
                start = handle.read(4096)
        except OSError as exc:
            raise FeedError(f"{self.path}: cannot be read: {exc.strerror}") from None
        text = start.decode("utf-8-sig", errors="replace").lstrip()
        return text.startswith("[")

    def rows(self) -> Iterator[Any]:
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        buffer, pos, line, eof = "", 0, 1, False
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise FeedError(f"{self.path}: cannot be read: {exc.strerror}") from None

        def more() -> bool:
            nonlocal buffer, pos, line, eof
            if eof:
                return False
            try:
                chunk = handle.read(_CHUNK)
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                raise FeedError(f"{self.path}: not UTF-8 text ({exc.reason})") from None
            except OSError as exc:
                raise FeedError(f"{self.path}: cannot be read: {exc.strerror}") from None
            eof = not chunk
            line += buffer.count("\n", 0, pos)
            buffer = buffer[pos:] + text
            pos = 0
            return True

        def fail(message: str, at: int) -> FeedError:
            return FeedError(f"{self.path}:{line + buffer.count(chr(10), 0, at)}: {message}")

        def skip_space() -> None:
            nonlocal pos
            while True:
                while pos < len(buffer) and buffer[pos] in " \t\r\n":
                    pos += 1
                if pos < len(buffer) or not more():
                    return

        with handle:
            skip_space()
            if buffer[pos : pos + 1] != "[":
                raise fail("not a JSON list", pos)
            pos += 1
            skip_space()
            if buffer[pos : pos + 1] == "]":
                return
            while True:
                skip_space()
                while True:
                    try:
                        value, end = self._decoder.raw_decode(buffer, pos)
                    except json.JSONDecodeError as exc:
                        if len(buffer) - pos < _MAX_RECORD_CHARS and more():
                            continue
                        reason = exc.msg.removesuffix(" at")  # "Invalid control character at"
                        raise fail(f"not valid JSON ({reason})", exc.pos) from None
                    # A number or word cut at the chunk's end decodes short: read on first.
                    if end >= len(buffer) and not eof and more():
                        continue
                    break
                pos = end
                yield value
                skip_space()
                mark = buffer[pos : pos + 1]
                if mark == ",":
                    pos += 1
                    continue
                if mark == "]":
                    pos += 1
                    skip_space()
                    if pos < len(buffer):
                        raise fail("not valid JSON (extra data after the list)", pos)
                    return
                raise fail("not valid JSON (expected ',' or ']' between records)", pos)


_WRAPPERS = ("meetings", "services", "contents", "data", "results", "items")


def parse_json_feed(parsed: Any, source: str, fellowship: str | None, name: str) -> Feed:
    """A feed from JSON already in memory (every record read now)."""
    rows = parsed
    context: dict[str, Any] = {}
    if isinstance(parsed, dict):
        context = parsed
        if isinstance(parsed.get("services"), list) and "name" in parsed:
            rows = [parsed]  # organization_full: an organization with its services
        for key in () if rows is not parsed else _WRAPPERS:
            if isinstance(parsed.get(key), list):
                rows = parsed[key]
                break
        else:
            if _is_hsds_object(parsed):
                rows = [parsed]  # one service, organization or service_at_location
            elif not parsed or set(parsed) <= {"formats", "meetings"}:
                rows = []  # BMLT answers {} (or formats alone) when nothing matched
    if not isinstance(rows, list):
        raise FeedError(f"{name}: expected a list of meetings or services")
    if "organizations" in context and not any(isinstance(r, dict) for r in rows):
        raise FeedError(f"{name}: HSDS without services: nothing to import")
    sample = [next((r for r in rows if isinstance(r, dict)), None)]
    return _dispatch(sample, iter(rows), source, fellowship, name, context).load()


def _is_hsds_object(row: dict[str, Any]) -> bool:
    if isinstance(row.get("service"), dict):
        return True  # service_at_location
    if isinstance(row.get("services"), list):
        return True  # organization_full
    return "name" in row and any(
        key in row
        for key in (
            "organization",
            "service_at_locations",
            "description",
            "organization_id",
            "status",
        )
    )


def _dispatch(
    sample_rows: list[Any],
    rows: Iterator[Any],
    source: str,
    fellowship: str | None,
    name: str,
    context: dict[str, Any] | None = None,
) -> Feed:
    sample = next((r for r in sample_rows if isinstance(r, dict)), None)
    context = context or {}
    if sample is None:
        leftover = list(rows)
        if not leftover:
            return Feed("empty")
        feed = Feed("unknown")
        feed.skipped += [f"record {n}: not an object" for n in range(1, len(leftover) + 1)]
        return feed
    if "weekday_tinyint" in sample or "meeting_name" in sample or "id_bigint" in sample:
        return _bmlt(rows, source, fellowship or "na", context)
    if "slug" in sample or "day" in sample or "time" in sample:
        return _meeting_guide(rows, source, fellowship or "aa")
    if _is_hsds_object(sample):
        return _hsds_services(_hsds_rows(rows), source)
    raise FeedError(f"{name}: not a Meeting Guide, BMLT or Open Referral (HSDS) feed")


# --- Meeting Guide ---------------------------------------------------------------------------

# The reserved type codes of the Meeting Guide spec, so a handout can say what "B" means.
MEETING_GUIDE_TYPES = {
    "11": "11th Step Meditation",
    "12x12": "12 Steps & 12 Traditions",
    "A": "Secular",
    "ABSI": "As Bill Sees It",
    "AL": "Concurrent with Alateen",
    "AL-AN": "Concurrent with Al-Anon",
    "B": "Big Book",
    "BA": "Babysitting Available",
    "BE": "Newcomer",
    "BI": "Bisexual",
    "BRK": "Breakfast",
    "C": "Closed",
    "CAN": "Candlelight",
    "CF": "Child-Friendly",
    "D": "Discussion",
    "DB": "Digital Basket",
    "DD": "Dual Diagnosis",
    "DR": "Daily Reflections",
    "EN": "English",
    "FF": "Fragrance Free",
    "G": "Gay",
    "GR": "Grapevine",
    "H": "Birthday",
    "HE": "Hebrew",
    "L": "Lesbian",
    "LGBTQ": "LGBTQ",
    "LIT": "Literature",
    "LS": "Living Sober",
    "M": "Men",
    "MED": "Meditation",
    "N": "Native American",
    "NDG": "Indigenous",
    "O": "Open",
    "OUT": "Outdoor",
    "P": "Professionals",
    "POC": "People of Color",
    "S": "Spanish",
    "SEN": "Seniors",
    "SM": "Smoking Permitted",
    "SP": "Speaker",
    "ST": "Step Study",
    "T": "Transgender",
    "TC": "Location Temporarily Closed",
    "TR": "Tradition Study",
    "W": "Women",
    "X": "Wheelchair Access",
    "XB": "Wheelchair-Accessible Bathroom",
    "XT": "Cross Talk Permitted",
    "Y": "Young People",
    "ONL": "Online Meeting",
}
_TYPE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/&+-]{0,31}$")


def _types(feed: Feed, where: str, value: Any) -> list[str]:
    """Type codes as published: a list, ``"C,W"``, ``"O"``, ``"[open]"`` or ``'["O","D"]'``.
    Codes are kept as written; what cannot be a code is left out and noted."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                value = text.strip("[]")
        if isinstance(value, str):
            value = re.split(r"[,;|]", value)
    if not isinstance(value, list):
        feed.notes.append(
            f"{where}: types: {json.dumps(value)[:40]} is not a list of codes;"
            " left out, the record is kept"
        )
        return []
    codes: list[str] = []
    for entry in value:
        code = _text(entry) if isinstance(entry, (str, int)) else None
        code = code.strip("\"' []") if code else None
        if not code:
            continue
        if not _TYPE_CODE.match(code):
            feed.notes.append(f"{where}: types: {code[:40]!r} is not a type code; left out")
            continue
        if code not in codes:
            codes.append(code)
    return codes


def _days_from_sunday(value: Any) -> list[Weekday]:
    """Meeting Guide days: 0 = Sunday ... 6 = Saturday, one or a list. ValueError otherwise."""
    values = value if isinstance(value, list) else [value]
    days: list[Weekday] = []
    for v in values:
        if v is None or v == "":
            continue
        if isinstance(v, bool) or not isinstance(v, (int, str)):
            raise ValueError(v)
        n = int(str(v).strip())
        if not 0 <= n <= 6:
            raise ValueError(v)
        day = list(Weekday)[(n + 6) % 7]  # Weekday counts from Monday
        if day not in days:
            days.append(day)
    return days


def _contacts(row: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for n in range(1, 4):
        contact = {
            "name": _text(row.get(f"contact_{n}_name")),
            "email": _text(row.get(f"contact_{n}_email")),
            "phone": _phone_text(row.get(f"contact_{n}_phone")),
        }
        if any(contact.values()):
            out.append({k: v for k, v in contact.items() if v})
    return out


def _tradition(row: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"service": service, "handle": handle}
        for service in ("venmo", "paypal", "square")
        if (handle := _text(row.get(service)))
    ]


_MG_NAMES = {
    "online_url": "conference_url",
    "online_phone": "conference_phone",
    "online_notes": "conference_url_notes",
    "attendance": "attendance_option",
    "start": "time",
    "end": "end_time",
    "days": "day",
}


def _meeting_guide(rows: Iterable[Any], source: str, fellowship: str) -> Feed:
    feed = Feed("meeting-guide")

    def read(row: dict[str, Any], slug: str, where: str) -> FeedRecord | None:
        try:
            days = _days_from_sunday(row.get("day"))
        except (ValueError, TypeError):
            feed.skipped.append(f"{where}: day {row.get('day')!r} is not 0 (Sunday) to 6")
            feed.skipped_ids.add(slug)
            return None
        types = _types(feed, where, row.get("types"))
        attendance = (_text(row.get("attendance_option")) or "").lower() or None
        active = "TC" not in types and attendance != "inactive"
        regions = row.get("regions")
        region = (
            " > ".join(t for t in (_text(r) for r in regions) if t)
            if isinstance(regions, list)
            else _join(row.get("region"), row.get("sub_region"), sep=" > ")
        )
        address = _text(row.get("formatted_address")) or _join(
            row.get("address"),
            row.get("city"),
            _join(row.get("state"), row.get("postal_code"), sep=" "),
            row.get("country"),
        )
        time = _text(row.get("time"))
        if not days and not time:
            # Listed without a day and time: held by appointment. Kept, as a resource to call.
            listing: dict[str, Any] = {
                "name": _text(row.get("name")),
                "category": "peer_support",
                "hours": "By appointment",
                "phone": _phone_text(row.get("phone") or row.get("conference_phone")),
                "email": _text(row.get("email")),
                "url": _text(row.get("url") or row.get("website")),
                "address": address,
                "notes": _join(row.get("location_notes"), row.get("notes"), sep="\n"),
                "latitude": _number(row.get("latitude")),
                "longitude": _number(row.get("longitude")),
            }
            return _build(
                feed, "resource", source, slug, listing, where, _date(row.get("updated")), active
            )
        if not days or not time:
            missing = "day" if not days else "time"
            feed.skipped.append(f"{where}: no {missing} (a meeting needs a day and a time)")
            feed.skipped_ids.add(slug)
            return None
        data: dict[str, Any] = {
            "name": _text(row.get("name")),
            "fellowship": fellowship,
            "days": days,
            "start": time,
            "end": _text(row.get("end_time")),
            "timezone": _text(row.get("timezone")),
            "location": _text(row.get("location")),
            "address": address,
            "online_url": _text(row.get("conference_url")),
            "online_phone": _phone_text(row.get("conference_phone")),
            "online_notes": _join(
                row.get("conference_url_notes"), row.get("conference_phone_notes"), sep="; "
            ),
            "types": types,
            "type_names": {t: MEETING_GUIDE_TYPES[t] for t in types if t in MEETING_GUIDE_TYPES},
            "notes": _para(row.get("notes")),
            "group": _text(row.get("group")),
            "attendance": attendance,
            "location_notes": _para(row.get("location_notes")),
            "region": region,
            "district": _text(row.get("district")),
            "url": _text(row.get("url")),
            "website": _text(row.get("website") or row.get("group_website")),
            "email": _text(row.get("email")),
            "phone": _phone_text(row.get("phone")),
            "latitude": _number(row.get("latitude")),
            "longitude": _number(row.get("longitude")),
            "contacts": _contacts(row),
            "seventh_tradition": _tradition(row),
        }
        updated = _date(row.get("updated"))
        return _build(feed, "meeting", source, slug, data, where, updated, active, _MG_NAMES)

    feed.records = _deduplicated(feed, _each(feed, rows, ("slug", "id"), read))
    return feed


# --- BMLT ------------------------------------------------------------------------------------


def _hhmm(value: Any) -> str | None:
    """'19:00:00', '7:30:00', '7 pm' -> '19:00', '07:30', '19:00'; else as it is, to be
    checked (and reported) by the model."""
    text = _text(value)
    if not text:
        return None
    try:
        return parse_time_of_day(text).strftime("%H:%M")
    except ValueError:
        return text


def _minutes(value: Any) -> int | None:
    """A BMLT duration 'HH:MM(:SS)' in minutes."""
    match = re.match(r"^(\d{1,2}):(\d{2})(?::\d{2})?$", _text(value) or "")
    return int(match[1]) * 60 + int(match[2]) if match else None


_BMLT_NAMES = {
    "online_url": "virtual_meeting_link",
    "online_phone": "phone_meeting_number",
    "online_notes": "virtual_meeting_additional_info",
    "start": "start_time",
    "timezone": "time_zone",
    "location": "location_text",
    "location_notes": "location_info",
    "notes": "comments",
}
_VENUES = {"1": "in_person", "2": "online", "3": "hybrid"}


def _bmlt(rows: Iterable[Any], source: str, fellowship: str, context: dict[str, Any]) -> Feed:
    feed = Feed("bmlt")
    format_names: dict[str, str] = {}
    for entry in context.get("formats") or []:
        code = _text(entry.get("key_string")) if isinstance(entry, dict) else None
        name = _text(clean_text(str(entry.get("name_string") or ""))) if code else None
        if code and name:
            format_names[code] = name

    def read(row: dict[str, Any], source_id: str, where: str) -> FeedRecord | None:
        weekday = row.get("weekday_tinyint")
        try:
            number = int(str(weekday).strip()) if not isinstance(weekday, bool) else 0
        except ValueError:
            number = 0
        if not 1 <= number <= 7:
            feed.skipped.append(f"{where}: weekday_tinyint {weekday!r} is not 1 (Sunday) to 7")
            feed.skipped_ids.add(source_id)
            return None
        day = list(Weekday)[(number + 5) % 7]  # 1 = Sunday; Weekday counts from Monday
        start = _hhmm(row.get("start_time"))
        end = None
        length = _minutes(row.get("duration_time"))
        if start and length and re.fullmatch(r"\d\d:\d\d", start):
            total = (int(start[:2]) * 60 + int(start[3:]) + length) % (24 * 60)
            end = f"{total // 60:02d}:{total % 60:02d}"
        raw_formats = row.get("formats")
        if raw_formats is not None and not isinstance(raw_formats, (str, list)):
            raise _WrongType("formats", raw_formats, "a list of format codes")
        formats = _types(feed, where, raw_formats)
        published = str(row.get("published", "1")).strip() not in ("0", "false")
        data: dict[str, Any] = {
            "name": _text(row.get("meeting_name")),
            "fellowship": fellowship,
            "days": [day],
            "start": start,
            "end": end,
            "timezone": _text(row.get("time_zone")),
            "location": _text(row.get("location_text")),
            "address": _join(
                row.get("location_street"),
                row.get("location_municipality"),
                _join(row.get("location_province"), row.get("location_postal_code_1"), sep=" "),
                row.get("location_nation"),
            ),
            "region": _join(
                row.get("location_neighborhood"),
                row.get("location_sub_province"),
                row.get("location_municipality"),
                sep=" > ",
            ),
            "online_url": _text(row.get("virtual_meeting_link")),
            "online_phone": _phone_text(row.get("phone_meeting_number")),
            "online_notes": _para(row.get("virtual_meeting_additional_info")),
            "types": formats,
            "type_names": {f: format_names[f] for f in formats if f in format_names},
            "location_notes": _para(row.get("location_info")),
            "notes": _para(row.get("comments")),
            "email": _text(row.get("email_contact")),
            "attendance": _VENUES.get(str(row.get("venue_type", "")).strip()),
            "latitude": _number(row.get("latitude")),
            "longitude": _number(row.get("longitude")),
        }
        if data["latitude"] == 0 and data["longitude"] == 0:
            data["latitude"] = data["longitude"] = None  # BMLT's "not set"
        active = published and "TC" not in formats
        return _build(feed, "meeting", source, source_id, data, where, None, active, _BMLT_NAMES)

    feed.records = _deduplicated(feed, _each(feed, rows, ("id_bigint",), read))
    return feed


# --- Open Referral HSDS ------------------------------------------------------------------

_CATEGORIES = [
    ("housing", ("housing", "shelter", "rent", "homeless")),
    ("food", ("food", "meal", "pantry", "nutrition")),
    ("legal", ("legal", "law", "court", "attorney")),
    ("employment", ("employment", "job", "work", "career")),
    ("education", ("education", "school", "ged", "class")),
    ("transportation", ("transport", "bus", "ride", "transit")),
    ("mental_health", ("mental health", "counseling", "counselling", "therapy")),
    ("medical", ("medical", "clinic", "health", "doctor", "dental")),
    ("peer_support", ("peer", "recovery", "support group")),
    ("financial", ("financial", "benefits", "money", "utility")),
    ("childcare", ("child care", "childcare", "daycare")),
]

# Taxonomy terms, checked before any guess from words. Open Eligibility's top-level service
# names, and the AIRS/211 LA taxonomy's code prefixes (most specific first).
_OPEN_ELIGIBILITY = {
    "housing": "housing",
    "food": "food",
    "legal": "legal",
    "work": "employment",
    "education": "education",
    "transit": "transportation",
    "mental care": "mental_health",
    "health": "medical",
    "medical care": "medical",
    "money": "financial",
    "care": "other",
    "support groups": "peer_support",
    "peer support": "peer_support",
    "addiction & recovery": "peer_support",
    "childcare": "childcare",
    "daytime care": "childcare",
}
_AIRS_PREFIXES = [
    ("BD", "food"),
    ("BH", "housing"),
    ("BT", "transportation"),
    ("BM", "other"),
    ("F", "legal"),
    ("H", "education"),
    ("LR", "medical"),
    ("L", "medical"),
    ("ND", "employment"),
    ("N", "financial"),
    ("PH-1250", "childcare"),
    ("PN-8100", "peer_support"),
    ("RX-8450", "peer_support"),
    ("R", "mental_health"),
]


def _category(terms: list[tuple[str | None, str | None]], *texts: Any) -> str:
    """The resource category: from the service's taxonomy terms (code, name) when one is
    known, else a guess from the words used ("bus" in "abuse" does not count)."""
    for code, name in terms:
        if name and (found := _OPEN_ELIGIBILITY.get(name.strip().lower())):
            return found
        if code and re.match(r"^[A-Z]{1,2}(-\d|$)", code.strip()):
            for prefix, category in _AIRS_PREFIXES:
                if code.strip().upper().startswith(prefix):
                    return category
    blob = " ".join(str(t) for t in [*(n for _, n in terms), *texts] if t).lower()
    for category, words in _CATEGORIES:
        if any(re.search(rf"\b{re.escape(word)}", blob) for word in words):
            return category
    return "other"


_BYDAY = {day.ical: day.value for day in Weekday}  # "MO" -> "mon"


def _schedule_days(schedule: dict[str, Any]) -> list[str]:
    """Weekdays of an HSDS schedule: byday 'MO,TU' (3.0), or weekday (1.x: a name, or a number
    with 1 = Monday, as ISO 8601 counts)."""
    days: list[str] = []
    byday = _text(schedule.get("byday"))
    if byday:
        for part in byday.upper().split(","):
            code = part.strip()[-2:]
            # "2MO" (the second Monday) is monthly: shown as text, not as weekly hours.
            if code in _BYDAY and part.strip() == code:
                days.append(_BYDAY[code])
        return days
    weekday = _text(schedule.get("weekday"))
    if weekday:
        if weekday.isdigit() and 1 <= int(weekday) <= 7:
            days.append(list(Weekday)[int(weekday) - 1].value)
        else:
            with contextlib.suppress(ValueError):
                days.append(Weekday(weekday).value)
    return days


def _hours(schedules: list[dict[str, Any]]) -> tuple[str | None, list[dict[str, Any]]]:
    """Opening hours from HSDS schedules: as text ('MO,TU 09:00-17:00; SA 10:00-12:00') and,
    where weekdays and times are given, as structured hours."""
    parts: list[str] = []
    structured: list[dict[str, Any]] = []
    for schedule in schedules:
        days = _schedule_days(schedule)
        days_text = _text(schedule.get("byday")) or (
            ", ".join(Weekday(d).label[:3] for d in days) or _text(schedule.get("weekday"))
        )
        opens, closes = _hhmm(schedule.get("opens_at")), _hhmm(schedule.get("closes_at"))
        if opens and closes:
            parts.append(f"{days_text + ' ' if days_text else ''}{opens}-{closes}")
            good = all(re.fullmatch(r"\d\d:\d\d", t) for t in (opens, closes))
            if days and good:
                for entry in structured:
                    if (entry["opens"], entry["closes"]) == (opens, closes):
                        entry["days"] += [d for d in days if d not in entry["days"]]
                        break
                else:
                    structured.append({"days": days, "opens": opens, "closes": closes})
        elif description := _text(schedule.get("description")):
            parts.append(description)
    return "; ".join(dict.fromkeys(parts)) or None, structured


def _address(locations: list[dict[str, Any]]) -> str | None:
    """The first physical address, else the first postal one."""
    for wanted in ("physical", "postal"):
        for location in locations:
            for key in ("addresses", "physical_addresses", "physical_address", "postal_addresses"):
                found = location.get(key)
                entries = (
                    found if isinstance(found, list) else [found] if isinstance(found, dict) else []
                )
                for a in entries:
                    if not isinstance(a, dict):
                        continue
                    kind = _text(a.get("address_type")) or (
                        "postal" if key == "postal_addresses" else "physical"
                    )
                    if kind.lower() != wanted:
                        continue
                    text = _join(
                        a.get("address_1"),
                        a.get("address_2"),
                        a.get("city"),
                        _join(a.get("state_province"), a.get("postal_code"), sep=" "),
                    )
                    if text:
                        return text
    return None


def _hsds_rows(rows: Iterable[Any]) -> Iterator[Any]:
    """Services from what HSDS APIs return: services, organizations with their services, and
    service_at_location objects (a service and one of its locations)."""
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("service"), dict):
            location = row.get("location")
            service = dict(row["service"])
            if isinstance(location, dict):
                service["service_at_locations"] = [{"location": location}]
            yield service
        elif isinstance(row, dict) and isinstance(row.get("services"), list) and "name" in row:
            organization = {k: v for k, v in row.items() if k != "services"}
            for service in row["services"]:
                owned = isinstance(service, dict) and isinstance(service.get("organization"), dict)
                yield (
                    service
                    if owned or not isinstance(service, dict)
                    else {
                        **service,
                        "organization": organization,
                    }
                )
        else:
            yield row


def _terms(row: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    terms = []
    for attribute in _list(row, "attributes"):
        term = attribute.get("taxonomy_term")
        if isinstance(term, dict):
            terms.append((_text(term.get("code")), _text(term.get("name") or term.get("term"))))
    for term in _list(row, "taxonomy_terms") + _list(row, "taxonomy"):
        terms.append((_text(term.get("code")), _text(term.get("name") or term.get("term"))))
    return terms


_HSDS_NAMES = {"verified": "assured_date", "url": "url", "notes": "description"}


def _hsds_services(rows: Iterable[Any], source: str) -> Feed:
    feed = Feed("hsds")

    def read(row: dict[str, Any], source_id: str, where: str) -> FeedRecord | None:
        status = (_text(row.get("status")) or "active").lower()
        if status in ("inactive", "defunct"):
            feed.skipped.append(f"{where}: status is {status}")
            return None
        organization = _object(row, "organization")
        locations: list[dict[str, Any]] = [
            _object(sal, "location") or sal for sal in _list(row, "service_at_locations")
        ] + _list(row, "locations")
        phones = _list(row, "phones") + _list(organization, "phones")
        for location in locations:
            phones += _list(location, "phones")
        schedules = _list(row, "schedules") + _list(row, "regular_schedules")
        for location in locations:
            schedules += _list(location, "schedules") + _list(location, "regular_schedules")
        numbers: list[dict[str, Any]] = []
        for p in phones:
            number = _phone_text(p.get("number"))
            if number and all(n["number"] != number for n in numbers):
                kind = _text(p.get("type"))
                numbers.append(
                    {"number": number, "kind": kind, "description": _text(p.get("description"))}
                )
        callable_ = [n for n in numbers if (n["kind"] or "voice").lower() not in ("fax",)]
        phone = callable_[0]["number"] if callable_ else None
        others = [n for n in numbers if n["number"] != phone][:10]
        name = _text(row.get("name"))
        org_name = _text(organization.get("name"))
        notes = _para(row.get("description"))
        if status == "temporarily closed":
            notes = _join("Temporarily closed.", notes, sep=" ")
        hours, opening_hours = _hours(schedules)
        languages = [
            t
            for t in (
                _text(lang.get("name") or lang.get("language") or lang.get("code"))
                for lang in _list(row, "languages", text_ok=True)
            )
            if t
        ]
        if isinstance(row.get("languages"), str):
            languages = [t.strip() for t in str(row["languages"]).split(",") if t.strip()]
        costs = [
            _join(
                c.get("option"),
                _join(c.get("amount"), c.get("currency"), sep=" "),
                c.get("amount_description"),
                sep=": ",
            )
            for c in _list(row, "cost_options")
        ]
        fees = _join(row.get("fees"), row.get("fees_description"), *costs, sep="; ")
        eligibility = _join(
            row.get("eligibility_description"),
            row.get("eligibility") if isinstance(row.get("eligibility"), str) else None,
            *(e.get("eligibility") for e in _list(row, "eligibility", text_ok=True)),
            sep="; ",
        )
        ages = [row.get("minimum_age"), row.get("maximum_age")]
        if any(_text(a) for a in ages):
            span = f"ages {_text(ages[0]) or '0'} to {_text(ages[1]) or 'any'}"
            eligibility = _join(eligibility, span, sep="; ")
        accessibility = _join(
            *(
                _join(a.get("accessibility"), a.get("description"), a.get("details"), sep=": ")
                for location in locations
                for a in _list(location, "accessibility")
                + _list(location, "accessibility_for_disabilities")
            ),
            sep="; ",
        )
        terms = _terms(row)
        first = locations[0] if locations else {}
        data: dict[str, Any] = {
            "name": name if not org_name or org_name == name else f"{name} ({org_name})",
            "category": _category(terms, name, row.get("description"), org_name),
            "phone": phone,
            "other_phones": [{k: v for k, v in n.items() if v} for n in others],
            "url": _text(row.get("url"))
            or _text(organization.get("website") or organization.get("url")),
            "email": _text(row.get("email")) or _text(organization.get("email")),
            "address": _address(locations),
            "hours": hours,
            "opening_hours": opening_hours,
            "notes": notes[:2000] if notes else None,
            "verified": _date(row.get("assured_date") or row.get("last_modified")),
            "languages": list(dict.fromkeys(languages))[:20],
            "fees": fees[:2000] if fees else None,
            "eligibility": eligibility[:2000] if eligibility else None,
            "accessibility": accessibility[:2000] if accessibility else None,
            "taxonomy": list(dict.fromkeys(n or c for c, n in terms if n or c))[:20],
            "latitude": _number(first.get("latitude")),
            "longitude": _number(first.get("longitude")),
        }
        updated = _date(row.get("assured_date") or row.get("last_modified"))
        active = status != "temporarily closed"
        record = _build(
            feed, "resource", source, source_id, data, where, updated, active, _HSDS_NAMES
        )
        credentials = [_text(row.get(k)) for k in ("accreditations", "licenses")]
        if record is not None and any(credentials):
            record.extra["accreditations"] = [c for c in credentials if c]
        # HSDS 3.0: the program a service belongs to ("Intensive Outpatient Program") can be
        # what says it is treatment (iopcli.locator); read as text whatever its shape.
        program = row.get("program")
        title = _text(program.get("name")) if isinstance(program, dict) else _text(program)
        if record is not None and title:
            record.extra["program"] = title[:300]
        return record

    feed.records = _deduplicated(feed, _each(feed, rows, ("id",), read))
    return feed


# --- HSDS data packages (CSV) ----------------------------------------------------------------

# The columns tables are joined on. Rows wait in a temporary SQLite file, indexed on these,
# rather than in memory as Python dicts: a 50,000-service package is half a million rows.
_KEYS = ("id", "service_id", "location_id", "organization_id", "link_id", "link_type")
_LOOKED_UP_BY_ID = ("locations", "organizations", "taxonomy_terms", "taxonomy", "programs")


class Tables:
    """The CSV tables of a data package, for looking rows up by a column."""

    def __init__(self) -> None:
        handle, name = tempfile.mkstemp(prefix="iopcli-hsds-", suffix=".sqlite3")
        os.close(handle)
        self._path = Path(name)
        self._db = sqlite3.connect(self._path)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(f"CREATE TABLE rows (tbl TEXT, {', '.join(_KEYS)}, body TEXT)")
        self.names: set[str] = set()

    def add(self, name: str, handle: Iterable[str]) -> None:
        self.names.add(name)
        marks = ", ".join("?" for _ in range(len(_KEYS) + 2))
        by_id = name in _LOOKED_UP_BY_ID  # only these are found by their own id
        self._db.executemany(
            f"INSERT INTO rows VALUES ({marks})",
            (
                (
                    name,
                    row.get("id") if by_id else None,
                    *(row.get(k) for k in _KEYS[1:]),
                    json.dumps(row, ensure_ascii=False),
                )
                for row in _rows(handle)
            ),
        )

    def index(self) -> None:
        for key in _KEYS[:5]:
            self._db.execute(
                f"CREATE INDEX rows_{key} ON rows ({key}, tbl) WHERE {key} IS NOT NULL"
            )

    def rows(
        self,
        names: tuple[str, ...],
        key: str | None = None,
        value: str | None = None,
        where: str = "",
    ) -> list[dict[str, Any]]:
        """Rows of the tables ``names`` whose ``key`` column is ``value`` (all rows without a
        key), in file order."""
        marks = ", ".join("?" for _ in names)
        sql = f"SELECT body FROM rows WHERE tbl IN ({marks})"
        params: list[Any] = list(names)
        if key is not None:
            if not value:
                return []
            sql += f" AND {key} = ?"
            params.append(value)
        return [
            json.loads(body)
            for (body,) in self._db.execute(sql + where + " ORDER BY rowid", params)
        ]

    def close(self) -> None:
        self._db.close()
        self._path.unlink(missing_ok=True)


def _csv_folder(folder: Path) -> Tables:
    tables = Tables()
    for path in sorted(folder.rglob("*.csv")):
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                tables.add(path.stem.lower(), handle)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            tables.close()
            raise FeedError(f"{path}: cannot be read as CSV ({exc})") from None
    tables.index()
    return tables


def _csv_zip(path: Path) -> Tables:
    tables = Tables()
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.lower().endswith(".csv") and not name.startswith("__MACOSX"):
                    with archive.open(name) as raw:
                        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                        tables.add(Path(name).stem.lower(), text)
    except (zipfile.BadZipFile, UnicodeDecodeError, csv.Error, OSError) as exc:
        tables.close()
        raise FeedError(f"{path}: not a readable zip of CSV files ({exc})") from None
    tables.index()
    return tables


def _rows(handle: Iterable[str]) -> Iterator[dict[str, str]]:
    for row in csv.DictReader(handle):
        yield {
            k.strip().lower(): v for k, v in row.items() if k is not None and v not in (None, "")
        }


def _hsds_csv(tables: Tables, source: str) -> Feed:
    """A data package (1.x or 3.0 table and column names) joined into the shape of HSDS 3.0
    JSON services, one service at a time, then read as those."""
    if "services" not in tables.names:
        tables.close()
        raise FeedError(f"{source}: an HSDS CSV set needs services.csv")
    return _hsds_services(_package_services(tables), source)


_ADDRESSES = ("physical_addresses", "addresses")
_AT_LOCATION = ("service_at_location", "service_at_locations", "services_at_location")
_SCHEDULES = ("schedules", "regular_schedules")
_ACCESS = ("accessibility", "accessibility_for_disabilities")
_TERMS = ("taxonomy_terms", "taxonomy")


def _package_services(tables: Tables) -> Iterator[dict[str, Any]]:
    locations: dict[str, dict[str, Any]] = {}  # each looked up once: services share them
    organizations: dict[str, dict[str, Any]] = {}
    terms: dict[str, dict[str, Any]] = {}

    def location(lid: str) -> dict[str, Any] | None:
        if lid not in locations:
            found = tables.rows(("locations",), "id", lid)
            if not found:
                return None
            addresses = [
                {**a, "address_type": a.get("address_type") or "physical"}
                for a in tables.rows(_ADDRESSES, "location_id", lid)
            ] + [
                {**a, "address_type": "postal"}
                for a in tables.rows(("postal_addresses",), "location_id", lid)
            ]
            locations[lid] = {
                **found[0],
                "addresses": addresses,
                "phones": tables.rows(("phones",), "location_id", lid, " AND service_id IS NULL"),
                "schedules": tables.rows(_SCHEDULES, "location_id", lid, " AND service_id IS NULL"),
                "accessibility": tables.rows(_ACCESS, "location_id", lid),
            }
            if len(locations) > 5000:  # a bounded cache
                locations.pop(next(iter(locations)))
        return locations.get(lid)

    def organization(oid: str) -> dict[str, Any]:
        if oid and oid not in organizations:
            found = tables.rows(("organizations",), "id", oid)
            phones = tables.rows(
                ("phones",),
                "organization_id",
                oid,
                " AND service_id IS NULL AND location_id IS NULL",
            )
            organizations[oid] = {**found[0], "phones": phones} if found else {}
            if len(organizations) > 5000:
                organizations.pop(next(iter(organizations)))
        return organizations.get(oid, {})

    def taxonomy(sid: str) -> list[dict[str, Any]]:
        links = tables.rows(("service_taxonomy",), "service_id", sid) + [
            link
            for link in tables.rows(("attributes",), "link_id", sid)
            if (link.get("link_type") or "service") == "service"
        ]
        out = []
        for link in links:
            tid = link.get("taxonomy_id") or link.get("taxonomy_term_id") or ""
            if tid and tid not in terms:
                found = tables.rows(_TERMS, "id", tid)
                terms[tid] = found[0] if found else {}
            if terms.get(tid):
                out.append({"taxonomy_term": terms[tid]})
        return out

    try:
        for row in tables.rows(("services",)):
            sid = row.get("id") or ""
            places = [
                {"location": place}
                for link in tables.rows(_AT_LOCATION, "service_id", sid)
                if (place := location(link.get("location_id") or ""))
            ]
            yield {
                **row,
                "organization": organization(row.get("organization_id") or ""),
                "service_at_locations": places,
                "phones": tables.rows(("phones",), "service_id", sid),
                "schedules": tables.rows(_SCHEDULES, "service_id", sid),
                "languages": tables.rows(("languages",), "service_id", sid),
                "cost_options": tables.rows(("cost_options",), "service_id", sid),
                "program": next(
                    iter(tables.rows(("programs",), "id", row.get("program_id") or "")), None
                ),
                "eligibility": tables.rows(("eligibility",), "service_id", sid),
                "attributes": taxonomy(sid),
            }
    finally:
        tables.close()
