"""The plan store: every plan and every revision of it, in one SQLite file.

Nothing is ever overwritten in place: each save adds a revision inside one transaction, and an
edit based on an old revision is refused rather than silently winning. The file lives in the
platformdirs user data folder (or ``IOPCLI_HOME``), created owner-only, since plans are health
information. WAL mode with ``synchronous=FULL`` keeps every reported save through a crash, and
two processes saving at once both keep their revisions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iopcli.errors import IopcliError
from iopcli.slugs import short_id, slugify

if TYPE_CHECKING:
    from iopcli.model import AftercarePlan
    from iopcli.views import Views

STORE_SCHEMA_VERSION = 2  # the database's tables (PRAGMA user_version)
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
    # 2: what the current revision shows at home (iopcli.views), so agenda and show need not
    # load the plan model. Derived data: a store without it reads the same, only slower.
    """
    CREATE TABLE views (
        plan_id TEXT PRIMARY KEY REFERENCES plans (id) ON DELETE CASCADE,
        revision INTEGER NOT NULL,
        body BLOB NOT NULL
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


def _packed(views: str) -> bytes:
    """Views as stored: a year of agenda entries repeats itself, and packs to a tenth."""
    return zlib.compress(views.encode("utf-8"))


def _unpacked(data: object) -> str | None:
    try:
        return zlib.decompress(data).decode("utf-8") if isinstance(data, bytes) else None
    except (zlib.error, UnicodeDecodeError):
        return None  # damaged views are made again from the plan


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
        from iopcli.dates import LATEST

        # Never past the last date a plan can hold, or the plan could not be read back.
        return min(later, dt.datetime.combine(LATEST, dt.time(23, 59, 59), tzinfo=dt.UTC))
    return now


def _created(now: dt.datetime, plan: AftercarePlan, old: dict[str, Any] | None) -> dt.datetime:
    """When the plan was first written: as the file says, else as first stored, else now."""
    return plan.created or _stored_time(old, "created") or now


class Store:
    """One open plan database. Use :func:`open_store`."""

    def __init__(self, connection: sqlite3.Connection, path: Path, read_only: bool = False) -> None:
        self._db = connection
        self.path = path
        self.read_only = read_only  # the owner or the medium allows reading only; saves refused

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
        except UnicodeDecodeError:
            raise self._damaged("stored text is no longer UTF-8") from None

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
                # The views were of the revision before: made again when next asked for.
                db.execute("DELETE FROM views WHERE plan_id = ?", (plan.id,))
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
        """Remove a plan, every revision of it and every interview draft of it, and leave no
        trace of it in the files. Nothing stored is parsed: a damaged revision is erased too."""
        try:
            with self._write() as db:
                db.execute("DELETE FROM views WHERE plan_id = ?", (plan_id,))
                db.execute("DELETE FROM revisions WHERE plan_id = ?", (plan_id,))
                db.execute("DELETE FROM plans WHERE id = ?", (plan_id,))
            # secure_delete zeroed the freed pages; checkpoint the log and rebuild the file so
            # neither holds old pages.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.execute("VACUUM")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None
        from iopcli import drafts  # deferred: drafts imports this module

        drafts.erase_plan_drafts(plan_id, self.path.parent / drafts.DRAFTS)

    # --- reading ---------------------------------------------------------------------------

    def _damaged(self, what: str) -> DamagedStoreError:
        return DamagedStoreError.at(self.path, what)

    def _body(self, plan_id: str, number: int) -> dict[str, Any]:
        current = self.current_revision(plan_id)
        if not 1 <= number <= current:
            revisions = (
                "its only revision is 1" if current == 1 else f"its revisions are 1 to {current}"
            )
            raise NotFoundError(f"plan {plan_id[:8]} has no revision {number}; {revisions}")
        rows = self._rows(
            "SELECT body FROM revisions WHERE plan_id = ? AND number = ?", (plan_id, number)
        )
        if not rows:
            raise self._damaged(f"revision {number} of plan {plan_id[:8]} is missing")
        try:
            body = json.loads(rows[0][0])
        except (ValueError, TypeError, RecursionError):
            raise self._damaged(f"revision {number} of plan {plan_id[:8]} cannot be read") from None
        if not isinstance(body, dict):
            raise self._damaged(f"revision {number} of plan {plan_id[:8]} cannot be read")
        return body

    def current_revision(self, plan_id: str) -> int:
        rows = self._rows("SELECT current FROM plans WHERE id = ?", (plan_id,))
        if not rows:
            raise NotFoundError(f"no stored plan {plan_id!r}")
        current = rows[0][0]
        if not isinstance(current, int) or current < 1:
            raise self._damaged(f"plan {plan_id[:8]} has no readable current revision")
        return current

    def body(self, plan_id: str, number: int | None = None) -> dict[str, Any]:
        """A revision as stored (the current one by default)."""
        return self._body(plan_id, self.current_revision(plan_id) if number is None else number)

    def views(self, plan_id: str) -> Views:
        """What the current revision shows at home (:mod:`iopcli.views`): as kept, or made
        from the plan the first time they are asked for after a save (or an upgrade of
        iopcli) and kept, where the store can be written. Saving stays as fast as it was."""
        from iopcli.views import Views, compute

        current = self.current_revision(plan_id)
        try:
            row = self._db.execute(
                "SELECT revision, body FROM views WHERE plan_id = ?", (plan_id,)
            ).fetchone()
        except sqlite3.Error:
            row = None  # a store from before views, opened read-only
        kept = Views.read(_unpacked(row[1])) if row is not None and row[0] == current else None
        if kept is not None:
            return kept
        text = compute(self.load(plan_id, current))
        if not self.read_only:
            with contextlib.suppress(sqlite3.Error, StoreError), self._write() as db:
                still = db.execute("SELECT current FROM plans WHERE id = ?", (plan_id,))
                if still.fetchone() == (current,):
                    db.execute(
                        "INSERT OR REPLACE INTO views VALUES (?, ?, ?)",
                        (plan_id, current, _packed(text)),
                    )
        return Views.parse(text)

    def earlier_items(self, plan_id: str) -> AftercarePlan | None:
        """Every item any earlier revision held, as one plan: exporting after an edit cancels,
        in the person's calendar, each event whose item is gone (no ``--previous`` file
        needed). None for a plan with one revision."""
        from iopcli.model import AftercarePlan

        current = self.current_revision(plan_id)
        if current <= 1:
            return None
        merged = self.body(plan_id, current - 1)
        for number in range(current - 2, 0, -1):
            older = self.body(plan_id, number)
            for key in ("meetings", "appointments", "medications"):
                have = {item.get("id") for item in merged.get(key) or []}
                extra = [item for item in older.get(key) or [] if item.get("id") not in have]
                if extra:
                    merged[key] = [*(merged.get(key) or []), *extra]
        try:
            return AftercarePlan.model_validate(merged)
        except ValueError:
            return self.load(plan_id, current - 1)

    def load(self, plan_id: str, number: int | None = None) -> AftercarePlan:
        from pydantic import ValidationError  # deferred: the crisis card reads bodies only

        from iopcli.model import AftercarePlan

        body = self.body(plan_id, number)
        try:
            return AftercarePlan.model_validate(body)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(part) for part in first["loc"])
            which = "the current revision" if number is None else f"revision {number}"
            raise StoreError(
                f"{self.path}: {which} of plan {plan_id[:8]} does not pass today's checks"
                f" ({where}: {first['msg'].removeprefix('Value error, ')}); restore an earlier"
                " revision (see: iopcli history),"
                " or import a corrected plan file with the same id"
            ) from None

    def stored(self, plan_id: str) -> StoredPlan:
        """A stored plan's summary (name, revisions...), read without parsing any revision:
        what ``purge`` shows before erasing."""
        for plan in self.plans(include_archived=True):
            if plan.id == plan_id:
                return plan
        raise NotFoundError(f"no stored plan {plan_id!r}")

    def history(self, plan_id: str) -> list[Revision]:
        rows = self._rows(
            "SELECT number, saved_at, source, changes FROM revisions WHERE plan_id = ?"
            " ORDER BY number",
            (plan_id,),
        )
        try:
            return [
                Revision(n, dt.datetime.fromisoformat(at), source, json.loads(changes))
                for n, at, source, changes in rows
            ]
        except (ValueError, TypeError):
            raise self._damaged(f"the history of plan {plan_id[:8]} cannot be read") from None

    def plans(self, include_archived: bool = False) -> list[StoredPlan]:
        rows = self._rows(
            "SELECT p.id, p.slug, p.name, p.discharge_date, p.archived, p.current, r.saved_at"
            " FROM plans p LEFT JOIN revisions r ON r.plan_id = p.id AND r.number = p.current"
            " WHERE ? OR NOT p.archived ORDER BY p.name, p.id",
            (int(include_archived),),
        )
        try:
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
        except (ValueError, TypeError):
            # A plan whose current revision is gone, or a summary that no longer parses.
            raise self._damaged("a plan's summary or current revision cannot be read") from None

    def resolve(self, ref: str) -> str:
        """A plan id from an id, a unique id prefix, a slug (``dana``) or slug-and-id
        (``dana-3f6c2a9e``, the export file name), or the name shown in ``list``, in any case
        and by its start (``teresa`` for Teresa Okafor-Lind) when nothing else matches."""
        ref = ref.strip()
        every = self.plans(include_archived=True)
        exact = [p for p in every if p.id == ref]
        if exact:
            return exact[0].id
        folded = " ".join(ref.casefold().split())
        matches = [
            p
            for p in every
            if p.id.startswith(ref)
            or p.slug == ref
            or f"{p.slug}-{short_id(p.id)}" == ref
            or " ".join(p.name.casefold().split()) == folded
        ]
        if not matches and folded:
            matches = [p for p in every if " ".join(p.name.casefold().split()).startswith(folded)]
        if len(matches) == 1:
            return matches[0].id
        if not matches:
            raise NotFoundError(f"no stored plan matches {ref!r} (see: iopcli list --all)")
        listed = ", ".join(f"{p.id[:8]} ({p.name})" for p in matches[:10])
        raise NotFoundError(f"{ref!r} matches {len(matches)} plans: {listed}; give more of the id")

    def integrity(self) -> str:
        """``ok``, or SQLite's first finding about a damaged page or index: every page is
        checked, in milliseconds for a store of a thousand plans. Run at every open."""
        return str(self._db.execute("PRAGMA quick_check(1)").fetchone()[0])

    def _verify(self) -> None:
        """Before anything is written: the schema version, that the tables are iopcli's, and
        that the file is intact (a damaged page would otherwise read as fewer plans)."""
        path, db = self.path, self._db
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version > STORE_SCHEMA_VERSION:
            raise StoreError(
                f"{path}: this plan store was written by a newer iopcli (schema {version};"
                f" this one knows {STORE_SCHEMA_VERSION}). Nothing was changed: upgrade iopcli"
            )
        tables = {
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith("sqlite_")
        }
        if version == 0 and tables:
            raise _foreign(path, "it holds tables iopcli did not make")
        if version > 0 and not tables >= _TABLES:
            raise _foreign(path, "the tables of a plan store are missing")
        if version > 0:
            problem = self.integrity()
            if problem != "ok":
                raise self._damaged(problem)
        if self.read_only and version < 1:
            raise StoreError(f"{path}: this plan store needs upgrading, but it is read-only here")


def _store_error(path: Path, exc: sqlite3.Error) -> StoreError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StoreError(f"{path}: the plan store is busy (another iopcli is saving); try again")
    if "full" in text:
        return StoreError(f"{path}: the disk is full; nothing was saved, the store is unchanged")
    if "readonly" in text or "read-only" in text:
        return StoreError(f"{path}: the plan store is read-only here; nothing was saved")
    if "not a database" in text:
        return _foreign(path, "not a database SQLite can read")
    if "Could not decode" in text:  # the message quotes the stored text: do not repeat it
        return DamagedStoreError.at(path, "stored text is no longer UTF-8")
    if "malformed" in text or "corrupt" in text or "no such table" in text or "no such col" in text:
        return DamagedStoreError.at(path, text)
    if "disk I/O error" in text:
        return DiskError(
            f"{path}: the disk reported an error while reading or writing the plan store"
            " (is it full, or failing?); nothing was saved"
        )
    return StoreError(f"{path}: the plan store failed: {text}")


class DiskError(StoreError):
    """The disk failed a read or write (a full disk while SQLite sets up its log index)."""


class DamagedStoreError(StoreError):
    """The store file is damaged: some of it cannot be read as it was written."""

    @classmethod
    def at(cls, path: Path, detail: str) -> DamagedStoreError:
        detail = " ".join(detail.replace("*** in database main ***", "").split())
        return cls(
            f"{path}: the plan store is damaged ({detail}); it was left untouched. To recover,"
            " move it aside and restore a backup, or rescue what is still readable with"
            f" `sqlite3 {path.name} .recover | sqlite3 rescued.sqlite3` and put"
            " rescued.sqlite3 in its place"
        )


def _foreign(path: Path, what: str) -> StoreError:
    return StoreError(
        f"{path}: this is not an iopcli plan store ({what}). It was left untouched: move it"
        " aside (or restore a backup) and run again"
    )


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
        raise _foreign(path, "no SQLite header; if it was one, it is damaged")


def _secure_folder(folder: Path) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{folder}: cannot create the plan store folder: {exc.strerror}") from None
    _owner_only(folder)


def _owner_only(path: Path) -> None:
    """Take away what group and others may do; never add a permission the owner removed (a
    folder made read-only on purpose stays read-only). A read-only file system can still be
    read, so do not fail there."""
    try:
        current = path.stat().st_mode & 0o7777
        if current & 0o077:
            os.chmod(path, current & ~0o077)
    except OSError:
        pass


def _has_wal(path: Path) -> bool:
    try:
        return path.with_name(DB_NAME + "-wal").stat().st_size > 0
    except OSError:
        return False


def _connect(path: Path, read_only: bool, exclusive: bool = False) -> Store:
    """The store at ``path``, checked (:meth:`Store._verify`) before anything is written."""
    if read_only and _has_wal(path):
        # Saves not yet copied from the write-ahead log: read them through it (SQLite can on
        # read-only media when the -shm file is there too); immutable would not see them.
        target, uri = f"file:{path}?mode=ro", True
    elif read_only:
        # On read-only media (a backup disc, a locked-down share) the store can still be read:
        # opened as immutable, SQLite needs no -shm file and takes no locks; saves are refused.
        target, uri = f"file:{path}?immutable=1", True
    else:
        target, uri = str(path), False
    try:
        db = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, uri=uri)
    except sqlite3.Error as exc:
        raise _open_error(path, read_only, exc) from None
    store = Store(db, path, read_only=read_only)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if exclusive:
            # The shared-memory index of the log is then kept in memory: reading needs no new
            # -shm file, which a full disk cannot hold.
            db.execute("PRAGMA locking_mode = EXCLUSIVE")
        store._verify()
    except sqlite3.Error as exc:
        db.close()
        raise _open_error(path, read_only, exc) from None
    except UnicodeDecodeError:  # SQLite's own message about a garbled schema
        db.close()
        raise DamagedStoreError.at(path, "its schema cannot be read") from None
    except BaseException:
        db.close()
        raise
    return store


def _open_error(path: Path, read_only: bool, exc: sqlite3.Error) -> StoreError:
    if read_only and _has_wal(path) and "unable to open" in str(exc):
        return StoreError(
            f"{path}: the plan store is read-only here, and its most recent saves are still in"
            f" {DB_NAME}-wal, which cannot be read here without {DB_NAME}-shm. Nothing was"
            " read: copy the whole folder to a writable place and run iopcli there"
        )
    return _store_error(path, exc)


_TABLES = {"plans", "revisions"}


def _is_read_only(path: Path, folder: Path) -> bool:
    """The owner (or the medium) took away writing: open for reading only, never chmod back."""
    return path.exists() and not (os.access(folder, os.W_OK) and os.access(path, os.W_OK))


def open_store(home: Path | None = None, *, create: bool = True) -> Store:
    """Open (and if needed create and migrate) the plan store in ``home``."""
    folder = home or default_home()
    path = folder / DB_NAME
    _check_file(path, create)
    if path.exists():
        _owner_only(folder)
    else:
        _secure_folder(folder)
    read_only = _is_read_only(path, folder)
    old_umask = os.umask(0o077)  # the database and its -wal and -shm files: owner-only
    try:
        try:
            store = _connect(path, read_only)
        except DiskError:
            if read_only:
                raise
            store = _connect(path, read_only, exclusive=True)  # a full disk: read all the same
        if not read_only:
            db = store._db
            try:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = FULL")
                db.execute("PRAGMA foreign_keys = ON")
                db.execute("PRAGMA secure_delete = ON")
                _migrate(db, int(db.execute("PRAGMA user_version").fetchone()[0]))
            except sqlite3.Error as exc:
                db.close()
                raise _store_error(path, exc) from None
    finally:
        os.umask(old_umask)
    for side in (path, path.with_name(DB_NAME + "-wal"), path.with_name(DB_NAME + "-shm")):
        if side.exists():
            _owner_only(side)
    return store


def _migrate(db: sqlite3.Connection, version: int) -> None:
    while version < STORE_SCHEMA_VERSION:
        db.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the lock: another process may have migrated meanwhile.
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version < STORE_SCHEMA_VERSION:
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        db.execute(statement)
                version += 1
                db.execute(f"PRAGMA user_version = {version}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
