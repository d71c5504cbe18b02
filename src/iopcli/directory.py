"""The local directory of meetings and resources, in its own SQLite file.

Kept apart from the plan store: it holds public listings, not health information, can grow to
tens of thousands of meetings, and is replaced wholesale by re-imports. A feed is imported in
one transaction: entries are updated by their source id, entries gone from the feed are marked
removed (and reported), and an unreadable feed changes nothing. Text search uses FTS5; the
filters (day, time, online, fellowship, type, category) use indexed columns.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iopcli.errors import IopcliError
from iopcli.store import BUSY_TIMEOUT_MS, default_home

DB_NAME = "directory.sqlite3"
SCHEMA_VERSION = 1
STALE_AFTER_DAYS = 365
_DAY_BITS = {d: 1 << i for i, d in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])}

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


@dataclass(frozen=True)
class Entry:
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
    match = re.match(r"^(\d{1,2}):(\d{2})", str(text or ""))
    return int(match[1]) * 60 + int(match[2]) if match else None


class Directory:
    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Directory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def import_feed(self, feed: Any, source: str, file: str) -> ImportResult:
        """Apply one read feed in one transaction. Entries of this source missing from the feed
        are marked removed, except those whose records were skipped as malformed."""
        result = ImportResult(source, feed.format, skipped=list(feed.skipped))
        if not feed.records and not feed.skipped and self._has(source):
            raise DirectoryError(
                f"{file}: the feed is empty, so every entry of {source!r} would be removed;"
                " nothing was changed (a failed download?)"
            )
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        try:
            self._db.execute("BEGIN IMMEDIATE")
            seen: set[str] = set()
            for record in feed.records:
                seen.add(record.source_id)
                self._upsert(record, result)
            self._remove_missing(source, seen | set(feed.skipped_ids), now, result)
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
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise DirectoryError(
                f"{self.path}: the directory could not be updated: {exc}"
            ) from None
        return result

    def _has(self, source: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM entries WHERE source = ? AND removed_at IS NULL LIMIT 1", (source,)
        ).fetchone()
        return row is not None

    def _upsert(self, record: Any, result: ImportResult) -> None:
        item = record.item
        data = item.model_dump(mode="json", exclude_defaults=True)
        body = json.dumps(data, sort_keys=True, ensure_ascii=False)
        row = self._db.execute(
            "SELECT id, data, removed_at, active FROM entries WHERE source = ? AND source_id = ?",
            (item.source.feed, record.source_id),
        ).fetchone()
        meeting = record.kind == "meeting"
        columns = {
            "kind": record.kind,
            "name": data.get("name", ""),
            "data": body,
            "day_mask": sum(_DAY_BITS[d] for d in data.get("days", [])) if meeting else 0,
            "start_minute": _minute(data.get("start")) if meeting else None,
            "online": int(bool(data.get("online_url") or data.get("online_phone"))),
            "in_person": int(bool(data.get("address") or data.get("location"))),
            "fellowship": data.get("fellowship") if meeting else None,
            "types": " " + " ".join(t.upper() for t in data.get("types", [])) + " ",
            "category": data.get("category") if not meeting else None,
            "updated": record.updated.isoformat() if record.updated else None,
            "active": int(record.active),
        }
        text = (
            data.get("name", ""),
            " ".join(filter(None, [data.get("location"), data.get("address")])),
            " ".join(filter(None, [data.get("notes"), data.get("hours")])),
        )
        if row is None:
            names = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            cursor = self._db.execute(
                f"INSERT INTO entries (source, source_id, {names}) VALUES (?, ?, {marks})",
                (item.source.feed, record.source_id, *columns.values()),
            )
            self._db.execute(
                "INSERT INTO entries_text (rowid, name, place, notes) VALUES (?, ?, ?, ?)",
                (cursor.lastrowid, *text),
            )
            result.added += 1
            return
        entry_id, old_body, removed_at, active = row
        if old_body == body and removed_at is None and active == columns["active"]:
            result.unchanged += 1
            return
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
        result.updated += 1

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
    ) -> list[Entry]:
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
            params.append(_DAY_BITS[day])
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
        return [_entry(row) for row in rows]

    def find(self, ref: str, kind: str | None = None) -> Entry:
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
        return _entry(live[0])

    def lookup(self, source: str, source_id: str) -> Entry | None:
        row = self._db.execute(
            "SELECT kind, source, source_id, data, updated, active, removed_at FROM entries"
            " WHERE source = ? AND source_id = ?",
            (source, source_id),
        ).fetchone()
        return _entry(row) if row else None

    def count(self) -> int:
        return int(
            self._db.execute("SELECT count(*) FROM entries WHERE removed_at IS NULL").fetchone()[0]
        )


def upstream_changes(
    body: dict[str, Any], directory: Directory
) -> tuple[list[str], dict[str, Any]]:
    """What changed in the directory since a plan copied its meetings and resources: one line
    per change, and the plan as it would be with the changes taken (entries gone upstream
    dropped, the others replaced by their current listing, keeping the plan's ids)."""
    from iopcli.store import flatten

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
                    f"{section}[{item['id']}]: {item.get('name')}: no longer in"
                    f" {ref['feed']} (closed or moved?)"
                )
                continue
            upstream = {**entry.data, "id": item["id"]}
            before, after = flatten(item), flatten(upstream)
            for key in sorted(
                k for k in before.keys() | after.keys() if before.get(k) != after.get(k)
            ):
                changes.append(
                    f"{section}[{item['id']}].{key}: {before.get(key)} -> {after.get(key)}"
                )
            kept.append(upstream)
        if section in body:
            refreshed[section] = kept
    return changes, refreshed


def _entry(row: Any) -> Entry:
    kind, source, source_id, data, updated, active, removed_at = row
    return Entry(
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
    if not path.exists() and not create:
        raise DirectoryError(f"{path}: no directory yet (iopcli directory import FILE makes one)")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            db.close()
            raise DirectoryError(f"{path}: written by a newer iopcli (schema {version})")
        db.execute("PRAGMA journal_mode = WAL")
        if version < SCHEMA_VERSION:
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except sqlite3.Error as exc:
        raise DirectoryError(
            f"{path}: not a usable directory ({exc}); move it aside and import the feeds again"
        ) from None
    except OSError as exc:
        raise DirectoryError(f"{folder}: cannot create the directory: {exc.strerror}") from None
    if path.exists() and path.stat().st_mode & 0o777 != 0o600:
        os.chmod(path, 0o600)
    return Directory(db, path)


def copy_entries(
    body: dict[str, Any], section: str, refs: list[str], directory: Directory
) -> list[str]:
    """Copy directory entries into a plan's ``meetings`` or ``resources`` (``body`` is changed in
    place): the plan keeps its own copy, with a ``source`` reference and an id unique in the
    list. One line per entry added, naming it and where it came from."""
    items = body.setdefault(section, [])
    taken = {item.get("id") for item in items}
    added = []
    for ref in refs:
        entry = directory.find(ref, kind=section[:-1])
        copy = dict(entry.data)
        base, n = copy["id"], 2
        while copy["id"] in taken:
            copy["id"], n = f"{base}-{n}", n + 1
        taken.add(copy["id"])
        items.append(copy)
        added.append(f"{section}: added {copy['name']} ({entry.source}:{entry.source_id})")
    return added
