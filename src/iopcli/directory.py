"""The local directory of meetings and resources, in its own SQLite file.

Kept apart from the plan store: it holds public listings, not health information, can grow to
tens of thousands of meetings, and is replaced wholesale by re-imports. A feed is imported in
one transaction while the feed is read (a big feed is never all in memory): listings are
updated by their source id, listings gone from the feed are marked removed (and reported), and
a feed that fails part-way, that has nothing readable, or that would remove most of a source at
once changes nothing. A plan keeps its own copy of what it took from here: a listing that
disappears is reported by ``upstream_changes``, never taken out of a plan. Text search uses
FTS5; the filters (day, time, online, fellowship, type, category) use indexed columns.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iopcli.errors import IopcliError
from iopcli.store import BUSY_TIMEOUT_MS, default_home

if TYPE_CHECKING:
    from iopcli.feeds import Feed, FeedRecord

DB_NAME = "directory.sqlite3"
DIRECTORY_SCHEMA_VERSION = 1
STALE_AFTER_DAYS = 365
# An import that would remove more than half of a source's listings (and at least this many)
# is refused unless asked for: a broken export looks like a source that closed its meetings.
MASS_REMOVAL_MIN = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    data TEXT NOT NULL,
    day_mask INTEGER NOT NULL DEFAULT 0,
    start_minute INTEGER,
    online INTEGER NOT NULL DEFAULT 0,
    in_person INTEGER NOT NULL DEFAULT 0,
    fellowship TEXT,
    types TEXT NOT NULL DEFAULT '',
    category TEXT,
    updated TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    removed_at TEXT,
    UNIQUE (source, source_id)
);
CREATE INDEX IF NOT EXISTS entries_kind ON entries (kind, removed_at, start_minute);
CREATE VIRTUAL TABLE IF NOT EXISTS entries_text USING fts5 (
    name, place, notes, tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    file TEXT NOT NULL,
    format TEXT NOT NULL,
    at TEXT NOT NULL,
    added INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    removed TEXT NOT NULL,
    skipped TEXT NOT NULL
);
"""


class DirectoryError(IopcliError):
    """The directory cannot be opened, read or written."""


@dataclass
class ImportResult:
    source: str
    format: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)  # names of entries gone from the feed
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # kept, with a field left out; duplicates


@dataclass(frozen=True)
class Listing:
    """A meeting or resource as the directory holds it (what search and find return)."""

    kind: str
    source: str
    source_id: str
    data: dict[str, Any]
    updated: dt.date | None
    active: bool
    removed_at: str | None

    @property
    def ref(self) -> str:
        """What `edit --add` and search results call it: the source id (a slug for meetings)."""
        return self.source_id

    def stale(self, today: dt.date | None = None) -> bool:
        if self.updated is None:
            return False
        return ((today or dt.date.today()) - self.updated).days > STALE_AFTER_DAYS


def _minute(text: Any) -> int | None:
    # Imported here: iopcli.values loads pydantic, which reading programs never needs.
    from iopcli.values import parse_time_of_day

    try:
        start = parse_time_of_day(text)
    except ValueError:
        return None
    return start.hour * 60 + start.minute


def _day_bit(day: str) -> int:
    from iopcli.values import Weekday

    return 1 << Weekday(day).number


class Directory:
    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path

    @property
    def connection(self) -> sqlite3.Connection:
        """The open database, for the tables other modules keep in the same file (the
        treatment programs of :mod:`iopcli.program_index`)."""
        return self._db

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Directory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def import_feed(
        self, feed: Feed, source: str, file: str, *, allow_mass_removal: bool = False
    ) -> ImportResult:
        """Apply one feed in one transaction, reading its records as they come. Listings of
        this source missing from the feed are marked removed, except those whose records were
        skipped as malformed. Nothing changes (DirectoryError) when the feed fails part-way,
        when no record of it could be read while the source has listings, or when it would
        remove most of the source at once and ``allow_mass_removal`` is not set."""
        result = ImportResult(source, feed.format)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        try:
            self._db.execute("BEGIN IMMEDIATE")
            listed = self._live_count(source)
            # A source never imported before has nothing to look up: its first import only adds.
            fresh = not self._db.execute(
                "SELECT 1 FROM entries WHERE source = ? LIMIT 1", (source,)
            ).fetchone()
            seen: set[str] = set()
            for record in feed.records:
                fresh = fresh and (record.item.source is None or record.item.source.feed == source)
                self._upsert(record, result, again=record.source_id in seen, fresh=fresh)
                seen.add(record.source_id)
            result.skipped = list(feed.skipped)
            result.notes = list(feed.notes)
            if not seen and listed:
                what = (
                    f"none of its {len(feed.skipped)} records could be read"
                    f" ({feed.skipped[0]}{', ...' if len(feed.skipped) > 1 else ''})"
                    if feed.skipped
                    else "the feed is empty"
                )
                raise DirectoryError(
                    f"{file}: {what}, so every listing of {source!r} would be removed;"
                    " nothing was changed (a failed download or a changed format?)"
                )
            self._remove_missing(source, seen | set(feed.skipped_ids), now, result)
            gone = len(result.removed)
            if not allow_mass_removal and gone >= MASS_REMOVAL_MIN and gone * 2 > listed:
                raise DirectoryError(
                    f"{file}: {gone} of the {listed} listings of {source!r} would be removed at"
                    " once; nothing was changed. If the feed is right, import it again with"
                    " --allow-mass-removal"
                )
            self._db.execute(
                "INSERT INTO imports (source, file, format, at, added, updated, removed, skipped)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    result.source,
                    file,
                    feed.format,
                    now,
                    result.added,
                    result.updated,
                    json.dumps(result.removed),
                    json.dumps(result.skipped),
                ),
            )
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise DirectoryError(
                f"{self.path}: the directory could not be updated: {exc}"
            ) from None
        except BaseException:  # a feed failing part-way, Ctrl-C: nothing of it is kept
            self._rollback()
            raise
        return result

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _live_count(self, source: str) -> int:
        row = self._db.execute(
            "SELECT count(*) FROM entries WHERE source = ? AND removed_at IS NULL", (source,)
        ).fetchone()
        return int(row[0])

    def _upsert(
        self, record: FeedRecord, result: ImportResult, again: bool = False, fresh: bool = False
    ) -> None:
        """Write one listing; ``again`` when this import already wrote its id (a feed's
        duplicate, kept over the first): replaced, not counted twice; ``fresh`` when its
        source has no listings at all yet (nothing to look up)."""
        item = record.item
        data = item.model_dump(mode="json", exclude_defaults=True)
        body = json.dumps(data, sort_keys=True, ensure_ascii=False)
        source = item.source.feed if item.source else result.source
        row = (
            None
            if fresh and not again
            else self._db.execute(
                "SELECT id, data, removed_at, active FROM entries"
                " WHERE source = ? AND source_id = ?",
                (source, record.source_id),
            ).fetchone()
        )
        if row is not None and row[1] == body and row[2] is None and row[3] == record.active:
            result.unchanged += 0 if again else 1
            return
        meeting = record.kind == "meeting"
        attendance = data.get("attendance")
        columns = {
            "kind": record.kind,
            "name": data.get("name", ""),
            "data": body,
            "day_mask": sum(_day_bit(d) for d in data.get("days", [])) if meeting else 0,
            "start_minute": _minute(data.get("start")) if meeting else None,
            "online": int(
                bool(data.get("online_url") or data.get("online_phone"))
                and attendance != "in_person"
            ),
            "in_person": int(
                bool(data.get("address") or data.get("location")) and attendance != "online"
            ),
            "fellowship": data.get("fellowship") if meeting else None,
            "types": " " + " ".join(t.upper() for t in data.get("types", [])) + " ",
            "category": data.get("category") if not meeting else None,
            "updated": record.updated.isoformat() if record.updated else None,
            "active": int(record.active),
        }
        text = _search_text(data)
        if row is None:
            names = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            cursor = self._db.execute(
                f"INSERT INTO entries (source, source_id, {names}) VALUES (?, ?, {marks})",
                (source, record.source_id, *columns.values()),
            )
            self._db.execute(
                "INSERT INTO entries_text (rowid, name, place, notes) VALUES (?, ?, ?, ?)",
                (cursor.lastrowid, *text),
            )
            result.added += 1
            return
        entry_id = row[0]
        sets = ", ".join(f"{k} = ?" for k in columns)
        self._db.execute(
            f"UPDATE entries SET {sets}, removed_at = NULL WHERE id = ?",
            (*columns.values(), entry_id),
        )
        self._db.execute("DELETE FROM entries_text WHERE rowid = ?", (entry_id,))
        self._db.execute(
            "INSERT INTO entries_text (rowid, name, place, notes) VALUES (?, ?, ?, ?)",
            (entry_id, *text),
        )
        result.updated += 0 if again else 1

    def _remove_missing(self, source: str, seen: set[str], now: str, result: ImportResult) -> None:
        rows = self._db.execute(
            "SELECT id, source_id, name FROM entries WHERE source = ? AND removed_at IS NULL",
            (source,),
        ).fetchall()
        for entry_id, source_id, name in rows:
            if source_id not in seen:
                self._db.execute("UPDATE entries SET removed_at = ? WHERE id = ?", (now, entry_id))
                result.removed.append(f"{name} ({source_id})")

    # --- reading -------------------------------------------------------------------------------

    def search(
        self,
        text: str | None = None,
        *,
        kind: str | None = None,
        day: str | None = None,
        after: int | None = None,
        before: int | None = None,
        online: bool | None = None,
        fellowship: str | None = None,
        type_code: str | None = None,
        category: str | None = None,
        limit: int = 50,
    ) -> list[Listing]:
        where = ["e.removed_at IS NULL"]
        params: list[Any] = []
        if text:
            terms = list(re.findall(r"\w+", text, flags=re.UNICODE))
            if terms:
                where.append("e.id IN (SELECT rowid FROM entries_text WHERE entries_text MATCH ?)")
                params.append(" ".join(f'"{t}"*' for t in terms))
        if kind:
            where.append("e.kind = ?")
            params.append(kind)
        if day:
            where.append("(e.day_mask & ?) != 0")
            params.append(_day_bit(day))
        if after is not None:
            where.append("e.start_minute >= ?")
            params.append(after)
        if before is not None:
            where.append("e.start_minute <= ?")
            params.append(before)
        if online is True:
            where.append("e.online = 1")
        elif online is False:
            where.append("e.in_person = 1")
        if fellowship:
            where.append("e.fellowship = ?")
            params.append(fellowship)
        if type_code:
            where.append("e.types LIKE ?")
            params.append(f"% {type_code.upper()} %")
        if category:
            where.append("e.category = ?")
            params.append(category)
        sql = (
            "SELECT e.kind, e.source, e.source_id, e.data, e.updated, e.active, e.removed_at"
            f" FROM entries e WHERE {' AND '.join(where)}"
            " ORDER BY e.kind, e.start_minute, e.name LIMIT ?"
        )
        try:
            rows = self._db.execute(sql, (*params, limit)).fetchall()
        except sqlite3.Error as exc:
            raise DirectoryError(f"{self.path}: search failed: {exc}") from None
        return [_listing(row) for row in rows]

    def find(self, ref: str, kind: str | None = None) -> Listing:
        """An entry by source id (a meeting's slug), or ``source:id`` when two feeds share it."""
        source, _, source_id = ref.rpartition(":") if ":" in ref else ("", "", ref)
        sql = (
            "SELECT kind, source, source_id, data, updated, active, removed_at FROM entries"
            " WHERE source_id = ?"
        )
        params: list[Any] = [source_id]
        if source:
            sql += " AND source = ?"
            params.append(source)
        if kind:
            sql += " AND kind = ?"
            params.append(kind)
        rows = self._db.execute(sql, params).fetchall()
        live = [r for r in rows if r[6] is None]
        if not live and rows:
            raise DirectoryError(f"{ref!r} is no longer listed in {rows[0][1]} (removed upstream)")
        if not live:
            raise DirectoryError(f"no directory entry {ref!r} (see: iopcli directory search)")
        if len(live) > 1:
            feeds = ", ".join(f"{r[1]}:{r[2]}" for r in live)
            raise DirectoryError(f"{ref!r} is in more than one feed: {feeds}; name one")
        return _listing(live[0])

    def lookup(self, source: str, source_id: str) -> Listing | None:
        row = self._db.execute(
            "SELECT kind, source, source_id, data, updated, active, removed_at FROM entries"
            " WHERE source = ? AND source_id = ?",
            (source, source_id),
        ).fetchone()
        return _listing(row) if row else None


def upstream_changes(
    body: dict[str, Any], directory: Directory
) -> tuple[list[str], dict[str, Any]]:
    """What changed in the directory since a plan copied its meetings and resources: one line
    per change, and the plan as it would be with the changes taken (each item replaced by its
    current listing, keeping the plan's id).

    An item whose listing disappeared (or became something else) is reported and kept as it
    is: a feed that lost a meeting may be a broken export, and a person's plan is theirs to
    change, so taking the changes never removes anything from it."""
    from iopcli.store import MISSING, field_changes

    changes: list[str] = []
    refreshed = dict(body)
    for section in ("meetings", "resources"):
        kept = []
        for item in body.get(section, []):
            ref = item.get("source")
            entry = directory.lookup(ref["feed"], ref["id"]) if ref else None
            if entry is None:
                kept.append(item)
                continue
            if entry.removed_at:
                changes.append(
                    f"{section}[{item['id']}]: {item.get('name')}: no longer listed in"
                    f" {ref['feed']} (closed or moved?); kept in the plan: check it and remove"
                    " it by hand if it is gone"
                )
                kept.append(item)
                continue
            if entry.kind != section[:-1]:
                changes.append(
                    f"{section}[{item['id']}]: {item.get('name')}: now listed in {ref['feed']}"
                    f" as a {entry.kind}; kept in the plan as it is"
                )
                kept.append(item)
                continue
            upstream = {**entry.data, "id": item["id"]}
            for key, *values in field_changes(item, upstream):
                old, new = (None if v is MISSING else v for v in values)
                changes.append(f"{section}[{item['id']}].{key}: {old} -> {new}")
            kept.append(upstream)
        if section in body:
            refreshed[section] = kept
    return changes, refreshed


def _search_text(data: dict[str, Any]) -> tuple[str, str, str]:
    """What words search looks through: (name, place, notes) columns of the FTS table. The
    group is searched with the name ("Pass It On" finds the group's meetings)."""

    def words(*keys: str) -> str:
        return " ".join(str(data[k]) for k in keys if data.get(k))

    extra = " ".join(
        [
            *data.get("type_names", {}).values(),
            *data.get("taxonomy", []),
            *data.get("languages", []),
        ]
    )
    return (
        words("name", "group"),
        words("location", "address", "region", "district"),
        " ".join(filter(None, [words("notes", "location_notes", "hours", "online_notes"), extra])),
    )


def _listing(row: Any) -> Listing:
    kind, source, source_id, data, updated, active, removed_at = row
    return Listing(
        kind,
        source,
        source_id,
        json.loads(data),
        dt.date.fromisoformat(updated) if updated else None,
        bool(active),
        removed_at,
    )


def open_directory(home: Path | None = None, *, create: bool = True) -> Directory:
    folder = home or default_home()
    path = folder / DB_NAME
    try:
        exists = path.exists()
    except OSError as exc:  # a home this user may not read
        raise DirectoryError(f"{path}: cannot be read: {exc.strerror}") from None
    if not exists and not create:
        raise DirectoryError(
            f"{path}: no directory yet (iopcli directory import or programs import makes one)"
        )
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version > DIRECTORY_SCHEMA_VERSION:
            db.close()
            raise DirectoryError(f"{path}: written by a newer iopcli (schema {version})")
        db.execute("PRAGMA journal_mode = WAL")
        if version < DIRECTORY_SCHEMA_VERSION:
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version = {DIRECTORY_SCHEMA_VERSION}")
    except sqlite3.Error as exc:
        raise DirectoryError(
            f"{path}: not a usable directory ({exc}); move it aside and import the feeds again"
        ) from None
    except OSError as exc:
        raise DirectoryError(f"{folder}: cannot create the directory: {exc.strerror}") from None
    mode = path.stat().st_mode & 0o777 if path.exists() else 0
    if mode & 0o077:  # owner-only; never add a permission the owner took away
        os.chmod(path, mode & 0o700)
    return Directory(db, path)


def copy_entries(
    body: dict[str, Any], section: str, refs: list[str], directory: Directory
) -> tuple[list[str], int]:
    """Copy directory entries into a plan's ``meetings`` or ``resources`` (``body`` is changed in
    place): the plan keeps its own copy, with a ``source`` reference and an id unique in the
    list. An entry the plan already has (:func:`already_there`) is not added twice. One line per
    entry, saying what was done, and how many were added."""
    from iopcli.model import unique_id

    items = body.setdefault(section, [])
    taken = {str(item["id"]) for item in items if item.get("id")}
    lines, added, seen = [], 0, set()
    for ref in refs:
        entry = directory.find(ref, kind=section[:-1])
        twin = already_there(items, entry.data)
        if twin is not None:
            if ref not in seen:
                name = entry.data.get("name")
                lines.append(f"{section}: {name} is already in the plan (as {twin}); not added")
            seen.add(ref)
            continue
        seen.add(ref)
        copy = dict(entry.data)
        copy["id"] = unique_id(str(copy["id"]), taken)
        items.append(copy)
        added += 1
        lines.append(f"{section}: added {copy['name']} ({entry.source}:{entry.source_id})")
    return lines, added


def already_there(items: list[dict[str, Any]], entry: dict[str, Any]) -> str | None:
    """The id of the plan's item that is ``entry`` already: copied from the same directory
    entry, or (a meeting) with the same name, days and start; else None."""

    def source(item: dict[str, Any]) -> tuple[Any, Any] | None:
        ref = item.get("source")
        return (ref.get("feed"), ref.get("id")) if isinstance(ref, dict) else None

    def days(item: dict[str, Any]) -> list[str]:
        value = item.get("days") or []
        return sorted(str(d).lower()[:3] for d in ([value] if isinstance(value, str) else value))

    def start(item: dict[str, Any]) -> str:
        from iopcli.values import parse_time_of_day

        try:
            return parse_time_of_day(item.get("start")).isoformat()
        except (ValueError, TypeError):
            return str(item.get("start"))

    for item in items:
        if source(entry) is not None and source(item) == source(entry):
            return str(item.get("id"))
        same_name = str(item.get("name", "")).casefold() == str(entry.get("name", "")).casefold()
        if same_name and days(item) == days(entry) and start(item) == start(entry):
            return str(item.get("id"))
    return None
