"""The plan store: every plan and every revision of it, in one SQLite file.

Nothing is ever overwritten in place: each save adds a revision inside one transaction, and an
edit based on an old revision is refused rather than silently winning. The file lives in the
platformdirs user data folder (or ``IOPCLI_HOME``), created owner-only, since plans are health
information. WAL mode with ``synchronous=FULL`` keeps every reported save through a crash, and
two processes saving at once both keep their revisions.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iopcli.errors import IopcliError
from iopcli.slugs import short_id, slugify

if TYPE_CHECKING:
    from iopcli.model import AftercarePlan

SCHEMA_VERSION = 1
DB_NAME = "plans.sqlite3"
BUSY_TIMEOUT_MS = 30_000

# Forward migrations: MIGRATIONS[n] takes a database from user_version n to n + 1.
MIGRATIONS = [
    """
    CREATE TABLE plans (
        id TEXT PRIMARY KEY,
        slug TEXT NOT NULL,
        name TEXT NOT NULL,
        discharge_date TEXT NOT NULL,
        archived INTEGER NOT NULL DEFAULT 0,
        current INTEGER NOT NULL
    );
    CREATE INDEX plans_slug ON plans (slug);
    CREATE TABLE revisions (
        plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        saved_at TEXT NOT NULL,
        source TEXT NOT NULL,
        changes TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (plan_id, number)
    );
    """,
]


class StoreError(IopcliError):
    """The store cannot be opened or written; the message says how to recover."""


class ConflictError(StoreError):
    """Someone saved a newer revision since this edit began."""


class NotFoundError(StoreError):
    """No stored plan matches a reference, or more than one does."""


def default_home() -> Path:
    """``IOPCLI_HOME`` if set, else the platform's user data folder."""
    override = os.environ.get("IOPCLI_HOME")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("iopcli", appauthor=False))


@dataclass(frozen=True)
class Revision:
    number: int
    saved_at: dt.datetime
    source: str
    changes: list[str]


@dataclass(frozen=True)
class StoredPlan:
    id: str
    slug: str
    name: str
    discharge_date: dt.date
    archived: bool
    revisions: int
    last_change: dt.datetime


@dataclass(frozen=True)
class SaveResult:
    plan_id: str
    revision: int
    changed: bool  # False: the plan was the same as its current revision; nothing was added


def canonical(plan: AftercarePlan) -> dict[str, Any]:
    """The plan as stored: JSON-ready, defaults left out."""
    return plan.model_dump(mode="json", exclude_defaults=True)


def _content(body: dict[str, Any]) -> dict[str, Any]:
    """What counts as a change: everything but the timestamps the store itself sets."""
    return {k: v for k, v in body.items() if k not in ("created", "updated")}


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf values by path; list items with an id are addressed by it (``meetings[hope].start``)
    so a change reads the same whatever the item's position."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out |= flatten(inner, f"{prefix}.{key}" if prefix else key)
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) and "id" in v for v in value):
        out = {}
        for item in value:
            out |= flatten({k: v for k, v in item.items() if k != "id"}, f"{prefix}[{item['id']}]")
            out.setdefault(f"{prefix}[{item['id']}]", "(item)")
        return out
    return {prefix: value}


#: Stands for a field that one side of a :func:`field_changes` comparison does not have.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(path, before, after)`` for every field that differs, by path; :data:`MISSING` marks
    an added or removed field. The store's own timestamps are not a change."""
    before, after = flatten(_content(old)), flatten(_content(new))
    return [
        (path, before.get(path, MISSING), after.get(path, MISSING))
        for path in sorted(before.keys() | after.keys())
        if before.get(path, MISSING) != after.get(path, MISSING)
    ]


def changed_paths(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    if old is None:
        return ["(new plan)"]
    return [path for path, _, _ in field_changes(old, new)]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _stored_time(body: dict[str, Any] | None, key: str) -> dt.datetime | None:
    value = body.get(key) if body else None
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None


def _later(now: dt.datetime, plan: AftercarePlan, old: dict[str, Any] | None) -> dt.datetime:
    """The new revision's ``updated``: now, but never earlier than what the plan or its last
    revision already says, so calendar SEQUENCE and DTSTAMP only ever grow."""
    floor = [t for t in (plan.updated, _stored_time(old, "updated")) if t is not None]
    if floor and max(floor) >= now:
        later = max(floor).astimezone(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=60)
        from iopcli.values import LATEST  # deferred: the crisis card does not load pydantic

        # Never past the last date a plan can hold, or the plan could not be read back.
        return min(later, dt.datetime.combine(LATEST, dt.time(23, 59, 59), tzinfo=dt.UTC))
    return now


def _created(now: dt.datetime, plan: AftercarePlan, old: dict[str, Any] | None) -> dt.datetime:
    """When the plan was first written: as the file says, else as first stored, else now."""
    return plan.created or _stored_time(old, "created") or now


class Store:
    """One open plan database. Use :func:`open_store`."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: the write lock is taken before anything is read."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None
        try:
            yield self._db
        except BaseException:
            self._rollback()
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise _store_error(self.path, exc) from None

    def _rollback(self) -> None:
        # SQLite has already rolled back after some errors (a full disk): a second ROLLBACK
        # would replace the real error with "no transaction is active".
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """A read; SQLite's errors (a damaged page) become the store's clear message."""
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None

    def save(
        self, plan: AftercarePlan, *, base: int | None = None, source: str = "save"
    ) -> SaveResult:
        """Add ``plan`` as a new revision. With ``base``, refuse if the stored plan has moved on
        from that revision (someone else saved in between)."""
        try:
            with self._write() as db:
                row = db.execute("SELECT current FROM plans WHERE id = ?", (plan.id,)).fetchone()
                current = row[0] if row else 0
                if base is not None and current != base:
                    raise ConflictError(
                        f"plan {plan.id[:8]} was changed by someone else (revision {current},"
                        f" this edit started from revision {base}); nothing was saved: reload"
                        " the plan and make the change again"
                    )
                old = self._body(plan.id, current) if row else None
                now = _now()
                stamped = plan.model_copy(
                    update={"updated": _later(now, plan, old), "created": _created(now, plan, old)}
                )
                body = canonical(stamped)
                if old is not None and _content(old) == _content(body):
                    return SaveResult(plan.id, current, changed=False)
                number = current + 1
                db.execute(
                    "INSERT INTO plans (id, slug, name, discharge_date, current)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET slug = excluded.slug,"
                    " name = excluded.name, discharge_date = excluded.discharge_date,"
                    " current = excluded.current",
                    (
                        plan.id,
                        slugify(plan.person.name),
                        plan.person.name,
                        plan.program.discharge_date.isoformat(),
                        number,
                    ),
                )
                db.execute(
                    "INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        plan.id,
                        number,
                        now.isoformat(),
                        source,
                        json.dumps(changed_paths(old, body)),
                        json.dumps(body, sort_keys=True, ensure_ascii=False),
                    ),
                )
                return SaveResult(plan.id, number, changed=True)
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None

    def restore(self, plan_id: str, number: int) -> SaveResult:
        """Make an old revision current again, by adding it as a new revision."""
        plan = self.load(plan_id, number)
        current = self.current_revision(plan_id)
        return self.save(plan, base=current, source=f"restore of revision {number}")

    def set_archived(self, plan_id: str, archived: bool) -> None:
        try:
            with self._write() as db:
                db.execute("UPDATE plans SET archived = ? WHERE id = ?", (int(archived), plan_id))
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None

    def purge(self, plan_id: str) -> None:
        """Remove a plan and every revision of it, and leave no trace of it in the file."""
        try:
            with self._write() as db:
                db.execute("DELETE FROM revisions WHERE plan_id = ?", (plan_id,))
                db.execute("DELETE FROM plans WHERE id = ?", (plan_id,))
            # secure_delete zeroed the freed pages; checkpoint the log and rebuild the file so
            # neither holds old pages.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.execute("VACUUM")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None

    # --- reading ---------------------------------------------------------------------------

    def _body(self, plan_id: str, number: int) -> dict[str, Any]:
        rows = self._rows(
            "SELECT body FROM revisions WHERE plan_id = ? AND number = ?", (plan_id, number)
        )
        row = rows[0] if rows else None
        if row is None:
            raise NotFoundError(f"plan {plan_id[:8]} has no revision {number}")
        body: dict[str, Any] = json.loads(row[0])
        return body

    def current_revision(self, plan_id: str) -> int:
        rows = self._rows("SELECT current FROM plans WHERE id = ?", (plan_id,))
        if not rows:
            raise NotFoundError(f"no stored plan {plan_id!r}")
        row = rows[0]
        return int(row[0])

    def body(self, plan_id: str, number: int | None = None) -> dict[str, Any]:
        """A revision as stored (the current one by default)."""
        return self._body(plan_id, number or self.current_revision(plan_id))

    def load(self, plan_id: str, number: int | None = None) -> AftercarePlan:
        from iopcli.model import AftercarePlan  # deferred: the crisis card reads bodies only

        return AftercarePlan.model_validate(self.body(plan_id, number))

    def history(self, plan_id: str) -> list[Revision]:
        rows = self._rows(
            "SELECT number, saved_at, source, changes FROM revisions WHERE plan_id = ?"
            " ORDER BY number",
            (plan_id,),
        )
        return [
            Revision(n, dt.datetime.fromisoformat(at), source, json.loads(changes))
            for n, at, source, changes in rows
        ]

    def plans(self, include_archived: bool = False) -> list[StoredPlan]:
        rows = self._rows(
            "SELECT p.id, p.slug, p.name, p.discharge_date, p.archived, p.current, r.saved_at"
            " FROM plans p JOIN revisions r ON r.plan_id = p.id AND r.number = p.current"
            " WHERE ? OR NOT p.archived ORDER BY p.name, p.id",
            (int(include_archived),),
        )
        return [
            StoredPlan(
                pid,
                slug,
                name,
                dt.date.fromisoformat(day),
                bool(archived),
                current,
                dt.datetime.fromisoformat(saved),
            )
            for pid, slug, name, day, archived, current, saved in rows
        ]

    def resolve(self, ref: str) -> str:
        """A plan id from an id, a unique id prefix, a slug (``dana``) or slug-and-id
        (``dana-3f6c2a9e``, the export file name)."""
        ref = ref.strip()
        every = self.plans(include_archived=True)
        exact = [p for p in every if p.id == ref]
        if exact:
            return exact[0].id
        matches = [
            p
            for p in every
            if p.id.startswith(ref) or p.slug == ref or f"{p.slug}-{short_id(p.id)}" == ref
        ]
        if len(matches) == 1:
            return matches[0].id
        if not matches:
            raise NotFoundError(f"no stored plan matches {ref!r} (see: iopcli list --all)")
        listed = ", ".join(f"{p.id[:8]} ({p.name})" for p in matches[:10])
        raise NotFoundError(f"{ref!r} matches {len(matches)} plans: {listed}; give more of the id")

    def integrity(self) -> str:
        return str(self._rows("PRAGMA integrity_check")[0][0])


def _store_error(path: Path, exc: sqlite3.Error) -> StoreError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StoreError(f"{path}: the plan store is busy (another iopcli is saving); try again")
    if "full" in text:
        return StoreError(f"{path}: the disk is full; nothing was saved, the store is unchanged")
    if "readonly" in text or "read-only" in text:
        return StoreError(f"{path}: the plan store is read-only here; nothing was saved")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(
            f"{path}: this is not an iopcli plan store, or it is damaged ({text}). It was left"
            " untouched: move it aside (or restore a backup) and run again"
        )
    return StoreError(f"{path}: the plan store failed: {text}")


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _check_file(path: Path, create: bool) -> None:
    """Refuse, before SQLite touches it, a file that cannot be a store: SQLite would take a
    file shorter than its 100-byte header for an empty database and write a new one over it."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = None
    except OSError as exc:
        raise StoreError(f"{path}: cannot be read: {exc.strerror}") from None
    if size is None or (size == 0 and not create):
        if not create:
            raise NotFoundError(
                f"{path}: there is no plan store yet (iopcli import FILE creates it)"
            )
        return
    if size == 0:
        return  # created and left empty by an earlier run: nothing to lose
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path}: cannot be read: {exc.strerror}") from None
    if header != _SQLITE_MAGIC:
        raise StoreError(
            f"{path}: this is not an iopcli plan store, or it is damaged (no SQLite header)."
            " It was left untouched: move it aside (or restore a backup) and run again"
        )


def _secure_folder(folder: Path) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{folder}: cannot create the plan store folder: {exc.strerror}") from None
    _owner_only(folder, 0o700)


def _owner_only(path: Path, mode: int) -> None:
    # Tighten what exists; a read-only file system can still be read, so do not fail there.
    try:
        if path.stat().st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except OSError:
        pass


def open_store(home: Path | None = None, *, create: bool = True) -> Store:
    """Open (and if needed create and migrate) the plan store in ``home``."""
    folder = home or default_home()
    path = folder / DB_NAME
    _check_file(path, create)
    _secure_folder(folder)
    # On read-only media (a backup disc, a locked-down share) the store can still be read:
    # opened as immutable, SQLite needs no -shm file and takes no locks; saves are refused.
    read_only = path.exists() and not os.access(folder, os.W_OK)
    target = f"file:{path}?immutable=1" if read_only else str(path)
    old_umask = os.umask(0o077)  # the database and its -wal and -shm files: owner-only
    try:
        db = sqlite3.connect(
            target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, uri=read_only
        )
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                db.close()
                raise StoreError(
                    f"{path}: this plan store was written by a newer iopcli (schema {version};"
                    f" this one knows {SCHEMA_VERSION}). Nothing was changed: upgrade iopcli"
                )
            if read_only:
                if version < SCHEMA_VERSION:
                    db.close()
                    raise StoreError(
                        f"{path}: this plan store needs upgrading, but it is read-only here"
                    )
            else:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = FULL")
                db.execute("PRAGMA foreign_keys = ON")
                db.execute("PRAGMA secure_delete = ON")
                _migrate(db, version)
        except sqlite3.Error as exc:
            db.close()
            raise _store_error(path, exc) from None
    except sqlite3.Error as exc:
        raise _store_error(path, exc) from None
    finally:
        os.umask(old_umask)
    for side in (path, path.with_name(DB_NAME + "-wal"), path.with_name(DB_NAME + "-shm")):
        if side.exists():
            _owner_only(side, 0o600)
    return Store(db, path)


def _migrate(db: sqlite3.Connection, version: int) -> None:
    while version < SCHEMA_VERSION:
        db.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the lock: another process may have migrated meanwhile.
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version < SCHEMA_VERSION:
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        db.execute(statement)
                version += 1
                db.execute(f"PRAGMA user_version = {version}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
