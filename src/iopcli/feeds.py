"""Reading published meeting and resource feeds into plan items.

Three formats, told apart by their content: Meeting Guide JSON (the code4recovery spec used by
AA intergroups and the 12 Step Meeting List), BMLT JSON (NA's meeting server) and Open
Referral HSDS (211 and community directories; JSON, or a folder or zip of CSV files). Each
record becomes the plan model's own Meeting or Resource, checked by the same rules as a plan
file; a record that fails is skipped with its reason and the rest is read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from iopcli.errors import IopcliError
from iopcli.model import Meeting, Resource
from iopcli.slugs import slugify

MAX_FEED_BYTES = 200 * 1024 * 1024


class FeedError(IopcliError):
    """A feed cannot be read at all (nothing is imported from it)."""


@dataclass
class Record:
    kind: str  # "meeting" or "resource"
    source_id: str
    item: Meeting | Resource
    updated: dt.date | None = None
    active: bool = True


@dataclass
class Feed:
    format: str
    records: list[Record] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "record 12 (slug): reason"
    skipped_ids: set[str] = field(default_factory=set)  # kept as they were, not removed


# --- detecting and reading -------------------------------------------------------------------


def read_feed(path: Path, source: str, fellowship: str | None = None) -> Feed:
    """Read one feed file (or HSDS CSV folder/zip); FeedError if it is unreadable as a whole."""
    if path.is_dir():
        return _hsds_csv(_csv_folder(path), source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FeedError(f"{path}: cannot be read: {exc.strerror}") from None
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"{path}: larger than {MAX_FEED_BYTES // 2**20} MiB")
    if data[:4] == b"PK\x03\x04":
        return _hsds_csv(_csv_zip(path, data), source)
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedError(f"{path}: not JSON, a CSV folder or a zip of CSV files ({exc})") from None
    return parse_json_feed(parsed, source, fellowship, str(path))


def parse_json_feed(parsed: Any, source: str, fellowship: str | None, name: str) -> Feed:
    rows = parsed
    if isinstance(parsed, dict):
        for key in ("meetings", "services", "data", "results"):
            if isinstance(parsed.get(key), list):
                rows = parsed[key]
                break
    if not isinstance(rows, list):
        raise FeedError(f"{name}: expected a list of meetings or services")
    sample = next((r for r in rows if isinstance(r, dict)), {})
    if "weekday_tinyint" in sample or "meeting_name" in sample:
        return _bmlt(rows, source, fellowship or "na")
    if "slug" in sample or "day" in sample:
        return _meeting_guide(rows, source, fellowship or "aa")
    if isinstance(parsed, dict) and "organizations" in parsed and "services" not in parsed:
        raise FeedError(f"{name}: HSDS without services: nothing to import")
    if "name" in sample and (
        "organization" in sample
        or "service_at_locations" in sample
        or "description" in sample
        or "organization_id" in sample
    ):
        return _hsds_services(rows, source, {})
    if not rows:
        return Feed("empty")
    raise FeedError(f"{name}: not a Meeting Guide, BMLT or Open Referral (HSDS) feed")


# --- Meeting Guide ---------------------------------------------------------------------------

_SUNDAY_FIRST = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _date(value: Any) -> dt.date | None:
    text = _text(value)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _phone(value: Any) -> str | None:
    # Dial strings carry pauses and meeting ids: "+16465588656,,123456#" -> the number.
    text = _text(value)
    return re.split(r"[,;#]", text, maxsplit=1)[0].strip() or None if text else None


def _join(*parts: Any, sep: str = ", ") -> str | None:
    texts = [t for t in (_text(p) for p in parts) if t]
    return sep.join(texts) or None


def _build(
    feed: Feed,
    kind: str,
    source: str,
    source_id: str,
    data: dict[str, Any],
    where: str,
    updated: dt.date | None,
    active: bool = True,
) -> None:
    data = {k: v for k, v in data.items() if v not in (None, "", [])}
    data["id"] = slugify(source_id, max_length=64)
    data["source"] = {"feed": source, "id": source_id, "updated": updated}
    model = Meeting if kind == "meeting" else Resource
    try:
        item = model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        from iopcli.planfile import error_message

        path = ".".join(str(p) for p in error["loc"])
        feed.skipped.append(f"{where}: {path}: {error_message(error, tuple(error['loc']))}")
        feed.skipped_ids.add(source_id)
        return
    feed.records.append(Record(kind, source_id, item, updated, active))


def _identified(
    feed: Feed, rows: list[Any], *keys: str
) -> Iterator[tuple[dict[str, Any], str, str]]:
    """(record, its source id, how messages name it) for each record that has an id under
    one of ``keys``; the others are skipped with the reason."""
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            feed.skipped.append(f"record {number}: not an object")
            continue
        source_id = next((t for key in keys if (t := _text(row.get(key)))), None)
        where = f"record {number} ({source_id})" if source_id else f"record {number}"
        if source_id is None:
            feed.skipped.append(f"{where}: no {keys[0]}")
            continue
        yield row, source_id, where


def _meeting_guide(rows: list[Any], source: str, fellowship: str) -> Feed:
    feed = Feed("meeting-guide")
    for row, slug, where in _identified(feed, rows, "slug", "id"):
        days = row.get("day")
        days = days if isinstance(days, list) else [days]
        try:
            numbers = [int(d) for d in days if d is not None and str(d) != ""]
            if any(not 0 <= n <= 6 for n in numbers):
                raise IndexError(numbers)
            weekdays = [_SUNDAY_FIRST[n] for n in numbers]
        except (ValueError, IndexError, TypeError):
            feed.skipped.append(f"{where}: day {row.get('day')!r} is not 0 (Sunday) to 6")
            feed.skipped_ids.add(slug)
            continue
        if not weekdays or not _text(row.get("time")):
            feed.skipped.append(f"{where}: no day and time (by appointment?)")
            feed.skipped_ids.add(slug)
            continue
        types = [t for t in row.get("types") or [] if isinstance(t, str)]
        address = _text(row.get("formatted_address")) or _join(
            row.get("address"),
            row.get("city"),
            _join(row.get("state"), row.get("postal_code"), sep=" "),
            row.get("country"),
        )
        data = {
            "name": _text(row.get("name")),
            "fellowship": fellowship,
            "days": weekdays,
            "start": _text(row.get("time")),
            "end": _text(row.get("end_time")),
            "timezone": _text(row.get("timezone")),
            "location": _text(row.get("location")),
            "address": address,
            "online_url": _text(row.get("conference_url")),
            "online_phone": _phone(row.get("conference_phone")),
            "online_notes": _join(
                row.get("conference_url_notes"), row.get("conference_phone_notes"), sep="; "
            ),
            "types": types,
            "notes": _join(row.get("location_notes"), row.get("notes"), sep="\n"),
        }
        _build(
            feed,
            "meeting",
            source,
            slug,
            data,
            where,
            _date(row.get("updated")),
            active="TC" not in types,
        )
    return feed


# --- BMLT ------------------------------------------------------------------------------------


def _hhmm(value: Any) -> str | None:
    """'19:00:00' and '7:30:00' -> '19:00', '07:30'; anything else as it is, to be checked."""
    text = _text(value)
    match = re.match(r"^(\d{1,2}):(\d{2})(?::\d{2})?$", text or "")
    return f"{int(match[1]):02d}:{match[2]}" if match else text


def _bmlt(rows: list[Any], source: str, fellowship: str) -> Feed:
    feed = Feed("bmlt")
    for row, source_id, where in _identified(feed, rows, "id_bigint"):
        try:
            weekday = int(str(row.get("weekday_tinyint")))
            if not 1 <= weekday <= 7:
                raise IndexError(weekday)
            day = _SUNDAY_FIRST[weekday - 1]  # 1 = Sunday
        except (ValueError, IndexError):
            feed.skipped.append(
                f"{where}: weekday_tinyint {row.get('weekday_tinyint')!r} is not 1 (Sunday) to 7"
            )
            feed.skipped_ids.add(source_id)
            continue
        start = _hhmm(row.get("start_time"))
        end = None
        duration = _text(row.get("duration_time"))
        if start and duration and re.match(r"^\d{1,2}:\d{2}", duration):
            try:
                h, m = (int(x) for x in start.split(":")[:2])
                dh, dm = (int(x) for x in duration.split(":")[:2])
                total = (h * 60 + m + dh * 60 + dm) % (24 * 60)
                end = f"{total // 60:02d}:{total % 60:02d}"
            except ValueError:
                end = None
        formats = [f.strip() for f in str(row.get("formats") or "").split(",") if f.strip()]
        data = {
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
            ),
            "online_url": _text(row.get("virtual_meeting_link")),
            "online_phone": _phone(row.get("phone_meeting_number")),
            "online_notes": _text(row.get("virtual_meeting_additional_info")),
            "types": [f for f in formats if re.fullmatch(r"[A-Za-z0-9-]{1,12}", f)],
            "notes": _join(row.get("location_info"), row.get("comments"), sep="\n"),
        }
        published = str(row.get("published", "1")) != "0"
        _build(
            feed,
            "meeting",
            source,
            source_id,
            data,
            where,
            None,
            active=published and "TC" not in formats,
        )
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


def _category(*texts: Any) -> str:
    """A best guess from the words used ("bus" in "abuse" does not count)."""
    blob = " ".join(str(t) for t in texts if t).lower()
    for category, words in _CATEGORIES:
        if any(re.search(rf"\b{re.escape(word)}", blob) for word in words):
            return category
    return "other"


def _hours(schedules: Iterable[dict[str, Any]]) -> str | None:
    """'MO,TU 09:00-17:00; SA 10:00-12:00' from HSDS schedules (iCalendar-style rules)."""
    parts = []
    for schedule in schedules:
        days = _text(schedule.get("byday")) or _text(schedule.get("weekday"))
        opens, closes = _hhmm(schedule.get("opens_at")), _hhmm(schedule.get("closes_at"))
        if opens and closes:
            parts.append(f"{days + ' ' if days else ''}{opens}-{closes}")
        elif _text(schedule.get("description")):
            parts.append(str(schedule["description"]).strip())
    return "; ".join(parts) or None


def _address(location: dict[str, Any]) -> str | None:
    for key in ("addresses", "physical_addresses", "physical_address"):
        found = location.get(key)
        entries = found if isinstance(found, list) else [found] if isinstance(found, dict) else []
        for a in entries:
            if not isinstance(a, dict) or a.get("address_type") == "postal":
                continue
            return _join(
                a.get("address_1"),
                a.get("address_2"),
                a.get("city"),
                _join(a.get("state_province"), a.get("postal_code"), sep=" "),
            )
    return None


def _hsds_services(rows: list[Any], source: str, related: dict[str, Any]) -> Feed:
    feed = Feed("hsds")
    organizations = related.get("organizations", {})
    for row, source_id, where in _identified(feed, rows, "id"):
        status = (_text(row.get("status")) or "active").lower()
        if status in ("inactive", "defunct"):
            feed.skipped.append(f"{where}: status is {status}")
            continue
        organization = row.get("organization") or organizations.get(row.get("organization_id"), {})
        locations = [
            sal.get("location", sal)
            for sal in row.get("service_at_locations") or []
            if isinstance(sal, dict)
        ] + list(related.get("locations", {}).get(source_id, []))
        phones = list(row.get("phones") or []) + list(related.get("phones", {}).get(source_id, []))
        schedules = list(row.get("schedules") or []) + list(
            related.get("schedules", {}).get(source_id, [])
        )
        phone = next(
            (
                _phone(p.get("number"))
                for p in phones
                if isinstance(p, dict) and p.get("type") not in ("fax",)
            ),
            None,
        )
        address = next(
            (a for a in (_address(loc) for loc in locations if isinstance(loc, dict)) if a), None
        )
        name = _text(row.get("name"))
        org_name = _text(organization.get("name")) if isinstance(organization, dict) else None
        notes = _text(row.get("description"))
        if status == "temporarily closed":
            notes = _join("Temporarily closed.", notes, sep=" ")
        data = {
            "name": name if not org_name or org_name == name else f"{name} ({org_name})",
            "category": _category(name, row.get("description"), org_name),
            "phone": phone,
            "url": _text(row.get("url"))
            or (
                _text(organization.get("website") or organization.get("url"))
                if isinstance(organization, dict)
                else None
            ),
            "address": address,
            "hours": _hours(s for s in schedules if isinstance(s, dict)),
            "notes": notes[:2000] if notes else None,
            "verified": _date(row.get("assured_date")),
        }
        _build(
            feed,
            "resource",
            source,
            source_id,
            data,
            where,
            _date(row.get("assured_date")),
            active=status != "temporarily closed",
        )
    return feed


def _csv_folder(folder: Path) -> dict[str, list[dict[str, str]]]:
    tables = {}
    for path in folder.glob("*.csv"):
        try:
            tables[path.stem.lower()] = _rows(path.read_text("utf-8-sig"))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise FeedError(f"{path}: cannot be read as CSV ({exc})") from None
    return tables


def _csv_zip(path: Path, data: bytes) -> dict[str, list[dict[str, str]]]:
    tables = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if name.lower().endswith(".csv") and not name.startswith("__MACOSX"):
                    tables[Path(name).stem.lower()] = _rows(archive.read(name).decode("utf-8-sig"))
    except (zipfile.BadZipFile, UnicodeDecodeError, csv.Error, OSError) as exc:
        raise FeedError(f"{path}: not a readable zip of CSV files ({exc})") from None
    return tables


def _rows(text: str) -> list[dict[str, str]]:
    return [dict(row) for row in csv.DictReader(io.StringIO(text))]


def _by(rows: list[dict[str, str]], key: str) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        grouped.setdefault(row.get(key) or "", []).append(row)
    return grouped


def _hsds_csv(tables: dict[str, list[dict[str, str]]], source: str) -> Feed:
    if "services" not in tables:
        raise FeedError(f"{source}: an HSDS CSV set needs services.csv")
    addresses = _by(
        tables.get("physical_addresses", []) + tables.get("addresses", []), "location_id"
    )
    locations = {
        row["id"]: {**row, "physical_addresses": addresses.get(row["id"], [])}
        for row in tables.get("locations", [])
        if row.get("id")
    }
    by_service: dict[str, list[dict[str, Any]]] = {}
    for link in tables.get("service_at_location", []) + tables.get("service_at_locations", []):
        location = locations.get(link.get("location_id") or "")
        if location and link.get("service_id"):
            by_service.setdefault(link["service_id"], []).append(location)
    related = {
        "organizations": {row.get("id"): row for row in tables.get("organizations", [])},
        "locations": by_service,
        "phones": _by([p for p in tables.get("phones", []) if p.get("service_id")], "service_id"),
        "schedules": _by(
            [s for s in tables.get("schedules", []) if s.get("service_id")], "service_id"
        ),
    }
    return _hsds_services(tables["services"], source, related)
