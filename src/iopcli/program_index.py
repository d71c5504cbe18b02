"""Treatment programs in the directory database: their tables, import and search.

Programs live in the same SQLite file as meetings and resources (:mod:`iopcli.directory`: one
file, owner-only, WAL, one transaction per import) in tables of their own, made when first
needed. A program is keyed by its id (the locator's ``frid``), and each import file is a
*source* that lists some programs: two locator exports of neighbouring areas share programs, and
a program is gone only when no source lists it any more. Imports keep the feeds' guarantees: a
re-import updates and reports removals, an empty or all-bad file changes nothing, and one that
would remove most of a source at once is refused unless asked for.

Search answers in a few milliseconds over 25,000 programs: each filter is a bit mask or an
indexed column computed at import. Distance is ordered in SQL by the straight-line (chord)
distance between points on the unit sphere, kept as x, y, z at import: the chord grows with the
great-circle distance, so the order is the exact one (anywhere on Earth, across the 180th
meridian and near the poles) with plain arithmetic SQLite can do; only the results are then
measured in miles (haversine) and read in full.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iopcli.directory import MASS_REMOVAL_MIN, DirectoryError, open_directory
from iopcli.places import EARTH_RADIUS_MILES, haversine_miles
from iopcli.programs import (
    AGES,
    APPROACHES,
    ASSISTANCE,
    GENDERS,
    LEVELS,
    PAYS,
    TreatmentProgram,
)

if TYPE_CHECKING:
    from iopcli.directory import Directory

PROGRAM_SCHEMA_VERSION = 3  # 2: the names index; 3: x, y, z for exact distance order

_SCHEMA = """
CREATE TABLE IF NOT EXISTS programs (
    id INTEGER PRIMARY KEY,
    program_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    data TEXT NOT NULL,
    lat REAL,
    lon REAL,
    x REAL,
    y REAL,
    z REAL,
    focus INTEGER NOT NULL DEFAULT 0,
    levels INTEGER NOT NULL DEFAULT 0,
    pays INTEGER NOT NULL DEFAULT 0,
    assistance INTEGER NOT NULL DEFAULT 0,
    approaches INTEGER NOT NULL DEFAULT 0,
    ages INTEGER NOT NULL DEFAULT 0,
    genders INTEGER NOT NULL DEFAULT 0,
    telehealth INTEGER NOT NULL DEFAULT 0,
    languages TEXT NOT NULL DEFAULT ' ',
    live INTEGER NOT NULL DEFAULT 1,
    removed_at TEXT
);
-- Covering every filter: a search reads this index, never the rows (whose JSON is large),
-- except for the few it returns.
DROP INDEX IF EXISTS programs_filters;
CREATE INDEX IF NOT EXISTS programs_filters_xyz ON programs (
    live, lat, lon, x, y, z, focus, levels, pays, assistance, approaches, ages, genders,
    telehealth, languages
);
-- Results without --near come by name: walked in this order, a search stops at its limit.
CREATE INDEX IF NOT EXISTS programs_names ON programs (live, name COLLATE NOCASE, program_id);
CREATE TABLE IF NOT EXISTS program_sources (
    source TEXT NOT NULL,
    program_id TEXT NOT NULL,
    removed_at TEXT,
    PRIMARY KEY (source, program_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS program_sources_id ON program_sources (program_id);
CREATE VIRTUAL TABLE IF NOT EXISTS programs_text USING fts5 (
    name, place, services, tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS program_imports (
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
CREATE TABLE IF NOT EXISTS program_schema (version INTEGER NOT NULL);
"""

# Focus bits: a co-occurring program treats both, so it matches every focus.
FOCUS_BITS = {"substance-use": 1, "mental-health": 2, "co-occurring": 4}
# The squared chord from (x0, y0, z0), given as x0, x0, y0, y0, z0, z0.
_CHORD2 = "((p.x - ?) * (p.x - ?) + (p.y - ?) * (p.y - ?) + (p.z - ?) * (p.z - ?))"


def unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    """The point on the unit sphere: the squared chord between two of them orders pairs
    exactly as their great-circle distance does."""
    phi, lam = math.radians(lat), math.radians(lon)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def _mask(vocabulary: dict[str, Any], codes: Iterable[str]) -> int:
    order = list(vocabulary)
    return sum(1 << order.index(c) for c in set(codes) if c in order)


def focus_mask(focus: str | None) -> int:
    if focus == "co-occurring":
        return 7
    return FOCUS_BITS.get(focus or "", 0)


@dataclass
class ProgramImport:
    """What one import did (what ``programs import`` reports)."""

    source: str
    format: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)  # "name (id)"
    skipped: list[str] = field(default_factory=list)  # "FILE: row 3 (id): reason"
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Hit:
    """One search result: the program and its distance in miles (None: unknown)."""

    program: TreatmentProgram
    miles: float | None


class ProgramIndex:
    """The program tables of one directory database."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.path = directory.path
        self._db: sqlite3.Connection = directory.connection
        try:
            made = self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'program_schema'"
            ).fetchone()
            version = 0
            if made:
                row = self._db.execute("SELECT max(version) FROM program_schema").fetchone()
                version = int(row[0] or 0)
            if version > PROGRAM_SCHEMA_VERSION:
                raise DirectoryError(
                    f"{self.path}: programs written by a newer iopcli (schema {version})"
                )
            if version < PROGRAM_SCHEMA_VERSION:  # every statement is IF NOT EXISTS
                if made:
                    self._add_unit_vectors()
                self._db.executescript(_SCHEMA)
                self._db.execute(
                    "INSERT INTO program_schema (version) VALUES (?)", (PROGRAM_SCHEMA_VERSION,)
                )
        except sqlite3.Error as exc:
            raise DirectoryError(
                f"{self.path}: not a usable directory ({exc}); move it aside and import again"
            ) from None

    def _add_unit_vectors(self) -> None:
        """Schema 3: x, y, z for the programs a schema 2 import kept (one transaction)."""
        have = {row[1] for row in self._db.execute("PRAGMA table_info(programs)")}
        if "x" in have:
            return
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            for column in ("x", "y", "z"):
                db.execute(f"ALTER TABLE programs ADD COLUMN {column} REAL")
            rows = db.execute(
                "SELECT id, lat, lon FROM programs WHERE lat IS NOT NULL AND lon IS NOT NULL"
            ).fetchall()
            db.executemany(
                "UPDATE programs SET x = ?, y = ?, z = ? WHERE id = ?",
                [(*unit_vector(lat, lon), rowid) for rowid, lat, lon in rows],
            )
            db.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def close(self) -> None:
        self.directory.close()

    def __enter__(self) -> ProgramIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------------

    def import_programs(
        self,
        programs: Iterable[TreatmentProgram],
        source: str,
        file: str,
        fmt: str,
        skipped: list[str],
        *,
        skipped_ids: set[str] | None = None,
        allow_mass_removal: bool = False,
    ) -> ProgramImport:
        """Apply one file's programs in one transaction. Programs this source listed before
        and lists no more are marked removed from it (and gone when no source lists them);
        ``skipped_ids`` (rows that could not be read) are left as they were. Nothing changes
        (DirectoryError) when the file has no readable program while the source has some, or
        when it would remove most of the source at once and ``allow_mass_removal`` is not set.
        ``skipped`` is read after ``programs`` is consumed (a lazy reader fills it in)."""
        result = ProgramImport(source, fmt)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            listed = int(
                db.execute(
                    "SELECT count(*) FROM program_sources WHERE source = ? AND removed_at IS NULL",
                    (source,),
                ).fetchone()[0]
            )
            seen: set[str] = set()
            for program in programs:
                again = program.id in seen
                self._upsert(program, result, again)
                db.execute(
                    "INSERT INTO program_sources (source, program_id, removed_at)"
                    " VALUES (?, ?, NULL) ON CONFLICT (source, program_id)"
                    " DO UPDATE SET removed_at = NULL",
                    (source, program.id),
                )
                seen.add(program.id)
            result.skipped = list(skipped)
            if not seen and listed:
                what = (
                    f"none of its {len(skipped)} rows could be read"
                    f" ({skipped[0]}{', ...' if len(skipped) > 1 else ''})"
                    if skipped
                    else "the file lists no programs"
                )
                raise DirectoryError(
                    f"{file}: {what}, so every program of {source!r} would be removed;"
                    " nothing was changed (a failed download or a changed format?)"
                )
            keep = seen | (skipped_ids or set())
            rows = db.execute(
                "SELECT s.program_id, p.name FROM program_sources s"
                " JOIN programs p ON p.program_id = s.program_id"
                " WHERE s.source = ? AND s.removed_at IS NULL",
                (source,),
            ).fetchall()
            for program_id, name in rows:
                if program_id in keep:
                    continue
                db.execute(
                    "UPDATE program_sources SET removed_at = ? WHERE source = ? AND program_id = ?",
                    (now, source, program_id),
                )
                still = db.execute(
                    "SELECT 1 FROM program_sources WHERE program_id = ? AND removed_at IS NULL",
                    (program_id,),
                ).fetchone()
                if not still:
                    db.execute(
                        "UPDATE programs SET live = 0, removed_at = ? WHERE program_id = ?",
                        (now, program_id),
                    )
                result.removed.append(f"{name} ({program_id})")
            gone = len(result.removed)
            if not allow_mass_removal and gone >= MASS_REMOVAL_MIN and gone * 2 > listed:
                raise DirectoryError(
                    f"{file}: {gone} of the {listed} programs of {source!r} would be removed at"
                    " once; nothing was changed. If the file is right, import it again with"
                    " --allow-mass-removal"
                )
            db.execute(
                "INSERT INTO program_imports (source, file, format, at, added, updated, removed,"
                " skipped) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    source,
                    file,
                    fmt,
                    now,
                    result.added,
                    result.updated,
                    json.dumps(result.removed),
                    json.dumps(result.skipped),
                ),
            )
            db.execute("COMMIT")
            # Statistics for the query planner: without them it scans the filter index
            # for a word search instead of looking up the few rows the words find.
            db.execute("ANALYZE programs")
        except sqlite3.Error as exc:
            self._rollback()
            raise DirectoryError(
                f"{self.path}: the directory could not be updated: {exc}"
            ) from None
        except BaseException:  # a file failing part-way, Ctrl-C: nothing of it is kept
            self._rollback()
            raise
        return result

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _upsert(self, program: TreatmentProgram, result: ProgramImport, again: bool) -> None:
        data = program.to_dict()
        data.pop("removed_at", None)
        body = json.dumps(data, sort_keys=True, ensure_ascii=False)
        row = self._db.execute(
            "SELECT id, data, live FROM programs WHERE program_id = ?", (program.id,)
        ).fetchone()
        if row is not None and row[1] == body and row[2]:
            result.unchanged += 0 if again else 1
            return
        placed = program.latitude is not None and program.longitude is not None
        x, y, z = (
            unit_vector(program.latitude, program.longitude)  # type: ignore[arg-type]
            if placed
            else (None, None, None)
        )
        columns = {
            "name": program.name,
            "data": body,
            "lat": program.latitude if placed else None,
            "lon": program.longitude if placed else None,
            "x": x,
            "y": y,
            "z": z,
            "focus": focus_mask(program.focus),
            "levels": _mask(LEVELS, program.levels),
            "pays": _mask(PAYS, program.pays),
            "assistance": _mask(ASSISTANCE, program.assistance),
            "approaches": _mask(APPROACHES, program.approaches),
            "ages": _mask(AGES, program.ages),
            "genders": _mask(GENDERS, program.genders),
            "telehealth": int(program.telehealth),
            "languages": " " + " ".join(program.languages) + " ",
        }
        text = _search_text(program)
        if row is None:
            names = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            cursor = self._db.execute(
                f"INSERT INTO programs (program_id, {names}) VALUES (?, {marks})",
                (program.id, *columns.values()),
            )
            rowid = cursor.lastrowid
            result.added += 1
        else:
            rowid = row[0]
            sets = ", ".join(f"{k} = ?" for k in columns)
            self._db.execute(
                f"UPDATE programs SET {sets}, live = 1, removed_at = NULL WHERE id = ?",
                (*columns.values(), rowid),
            )
            self._db.execute("DELETE FROM programs_text WHERE rowid = ?", (rowid,))
            result.updated += 0 if again else 1
        self._db.execute(
            "INSERT INTO programs_text (rowid, name, place, services) VALUES (?, ?, ?, ?)",
            (rowid, *text),
        )

    # --- reading ---------------------------------------------------------------------------

    def find(self, program_id: str) -> TreatmentProgram | None:
        row = self._db.execute(
            "SELECT data, removed_at FROM programs WHERE program_id = ?", (program_id,)
        ).fetchone()
        if row is None:
            # Ids are typed by people: the case of letters should not matter.
            row = self._db.execute(
                "SELECT data, removed_at FROM programs WHERE program_id = ? COLLATE NOCASE",
                (program_id,),
            ).fetchone()
        return _program(row[0], row[1]) if row else None

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM programs WHERE live = 1").fetchone()[0])

    def search(
        self,
        text: str | None = None,
        *,
        near: tuple[float, float] | None = None,
        within: float | None = None,
        levels: Iterable[str] = (),
        focus: Iterable[str] = (),
        pays: Iterable[str] = (),
        assistance: Iterable[str] = (),
        approaches: Iterable[str] = (),
        ages: Iterable[str] = (),
        genders: Iterable[str] = (),
        languages: Iterable[str] = (),
        telehealth: bool = False,
        limit: int = 20,
    ) -> list[Hit]:
        """Programs matching every filter given (within one filter, any of its values), the
        nearest first when ``near`` is given (those without coordinates last), else by name."""
        where = ["p.live = 1"]
        params: list[Any] = []
        if text:
            terms = re.findall(r"\w+", text, flags=re.UNICODE)
            if terms:
                where.append(
                    "p.id IN (SELECT rowid FROM programs_text WHERE programs_text MATCH ?)"
                )
                params.append(" ".join(f'"{t}"*' for t in terms))
        for column, vocabulary, wanted in (
            ("levels", LEVELS, levels),
            ("pays", PAYS, pays),
            ("assistance", ASSISTANCE, assistance),
            ("approaches", APPROACHES, approaches),
            ("ages", AGES, ages),
            ("genders", GENDERS, genders),
        ):
            mask = _mask(vocabulary, wanted)
            if mask:
                where.append(f"(p.{column} & ?) != 0")
                params.append(mask)
        focus_bits = sum(FOCUS_BITS.get(f, 0) for f in focus)
        if focus_bits:
            where.append("(p.focus & ?) != 0")
            params.append(focus_bits)
        spoken = [code for code in languages if code]
        if spoken:
            where.append("(" + " OR ".join("p.languages LIKE ?" for _ in spoken) + ")")
            params += [f"% {code} %" for code in spoken]
        if telehealth:
            where.append("p.telehealth = 1")
        try:
            if near is None:
                rows = self._db.execute(
                    f"SELECT p.id FROM programs p WHERE {' AND '.join(where)}"
                    " ORDER BY p.name COLLATE NOCASE, p.program_id LIMIT ?",
                    (*params, limit),
                ).fetchall()
                return [Hit(self._by_rowid(r[0]), None) for r in rows]
            return self._nearest(near, within, where, params, limit)
        except sqlite3.Error as exc:
            raise DirectoryError(f"{self.path}: search failed: {exc}") from None

    def _nearest(
        self,
        near: tuple[float, float],
        within: float | None,
        where: list[str],
        params: list[Any],
        limit: int,
    ) -> list[Hit]:
        lat, lon = near
        x0, y0, z0 = unit_vector(lat, lon)
        placed = [*where, "p.x IS NOT NULL"]
        placed_params = list(params)
        if within is not None:
            # Exact, not a box: a great-circle distance is never shorter than the difference in
            # latitude (an indexed range), and d miles is a chord of 2 sin(d / 2R).
            reach = within / EARTH_RADIUS_MILES
            dlat = math.degrees(reach) * (1 + 1e-9) + 1e-9
            placed.append("p.lat BETWEEN ? AND ?")
            placed_params += [lat - dlat, lat + dlat]
            chord = 2 * math.sin(min(reach, math.pi) / 2)
            placed.append(f"{_CHORD2} <= ?")
            placed_params += [x0, x0, y0, y0, z0, z0, chord * chord * (1 + 1e-9) + 1e-15]
        # The chord orders exactly as the great-circle distance; a few more candidates than
        # asked for absorb rounding between the two formulas at the last place. Only columns
        # of the covering index are read (a name would read every row's JSON: 10x slower).
        candidates = self._db.execute(
            "SELECT p.id, p.lat, p.lon FROM programs p"
            f" WHERE {' AND '.join(placed)}"
            f" ORDER BY {_CHORD2}, p.id LIMIT ?",
            (*placed_params, x0, x0, y0, y0, z0, z0, limit + 8),
        ).fetchall()
        # sorted() is stable: equal distances keep SQL's order (first imported first).
        measured = sorted(
            ((haversine_miles(lat, lon, r[1], r[2]), r[0]) for r in candidates),
            key=lambda m: m[0],
        )
        if within is not None:
            measured = [m for m in measured if m[0] <= within]
        measured = measured[:limit]
        hits = [Hit(self._by_rowid(rowid), round(miles, 1)) for miles, rowid in measured]
        if within is None and len(hits) < limit:
            rest = self._db.execute(
                f"SELECT p.data FROM programs p WHERE {' AND '.join(where)}"
                " AND p.x IS NULL"
                " ORDER BY p.name COLLATE NOCASE, p.program_id LIMIT ?",
                (*params, limit - len(hits)),
            ).fetchall()
            hits += [Hit(_program(r[0], None), None) for r in rest]
        return hits

    def _by_rowid(self, rowid: int) -> TreatmentProgram:
        row = self._db.execute("SELECT data FROM programs WHERE id = ?", (rowid,)).fetchone()
        return _program(row[0], None)


def _program(data: str, removed_at: str | None) -> TreatmentProgram:
    body = json.loads(data)
    body["removed_at"] = removed_at
    return TreatmentProgram.from_dict(body)


def _search_text(program: TreatmentProgram) -> tuple[str, str, str]:
    """What words search looks through: the names; the place; every service value."""
    return (
        " ".join(x for x in (program.name, program.name2) if x),
        " ".join(x for x in (program.address, program.city, program.state, program.zip) if x),
        " ".join(
            [
                *(v for c in program.categories for v in c.values),
                program.description,
                program.fees,
                program.eligibility,
            ]
        ),
    )


def open_programs(home: Path | None = None, *, create: bool = True) -> ProgramIndex:
    """The program tables of the directory database in ``home`` (made when missing)."""
    return ProgramIndex(open_directory(home, create=create))


def find_program(home: Path | None, program_id: str) -> TreatmentProgram | None:
    """The program by id, or None (no directory, or no such program)."""
    try:
        index = open_programs(home, create=False)
    except DirectoryError:
        return None
    with index:
        return index.find(program_id)
