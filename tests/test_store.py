"""The plan store, at library level, on real SQLite files.

Revisions, optimistic concurrency, real concurrent and killed processes, file modes, schema
versions, damaged files, a full disk and a read-only file system (real tmpfs mounts when this
machine allows them), lookup by reference, restore, archive and purge.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from iopcli import store as store_module
from iopcli.model import AftercarePlan
from iopcli.planfile import read_plan
from iopcli.store import (
    DB_NAME,
    STORE_SCHEMA_VERSION,
    ConflictError,
    NotFoundError,
    Store,
    StoreError,
    canonical,
    open_store,
)

DANA_FILE = ROOT / "examples" / "alcohol-depression.yaml"
MARCUS_FILE = ROOT / "examples" / "opioid-buprenorphine.yaml"
DANA_ID = "3f6c2a9e-7b41-4d2a-9c55-1e8a0d4b7f21"
MARCUS_ID = "8d2e5b17-04c9-4f3a-b6e1-9a7c3f50d2c8"
SIDE_FILES = ("", "-wal", "-shm")


# --- helpers -------------------------------------------------------------------------------


def dana() -> AftercarePlan:
    return read_plan(str(DANA_FILE))


def marcus() -> AftercarePlan:
    return read_plan(str(MARCUS_FILE))


def variant(plan: AftercarePlan, **changes: Any) -> AftercarePlan:
    """The plan with top-level fields replaced, validated like any plan."""
    return AftercarePlan.model_validate(canonical(plan) | changes)


def with_meeting_start(plan: AftercarePlan, meeting_id: str, start: str) -> AftercarePlan:
    data = canonical(plan)
    for meeting in data["meetings"]:
        if meeting["id"] == meeting_id:
            meeting["start"] = start
    return AftercarePlan.model_validate(data)


def content(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("created", "updated")}


def raw_rows(db_path: Path) -> list[tuple[Any, ...]]:
    """Every revision row as stored, read with a separate plain connection."""
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        return db.execute(
            "SELECT plan_id, number, saved_at, source, changes, body FROM revisions"
            " ORDER BY plan_id, number"
        ).fetchall()


def numbers(store: Store, plan_id: str) -> list[int]:
    return [r.number for r in store.history(plan_id)]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def all_bytes(home: Path) -> bytes:
    """The database and its -wal and -shm files, as raw bytes."""
    return b"".join(
        (home / (DB_NAME + s)).read_bytes() for s in SIDE_FILES if (home / (DB_NAME + s)).exists()
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def store(home: Path) -> Iterator[Store]:
    opened = open_store(home)
    yield opened
    opened.close()


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A real, small tmpfs mounted at ``where``; skips the test if mounting is not allowed."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    where.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"mount -t tmpfs is not permitted here: {result.stderr.strip()}")
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True, check=False).returncode:
            subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def open_and_list(home: Path, *, create: bool = True) -> None:
    store = open_store(home, create=create)
    try:
        store.plans(include_archived=True)
    finally:
        store.close()


def open_and_save(home: Path, plan: AftercarePlan) -> None:
    store = open_store(home)
    try:
        store.save(plan)
    finally:
        store.close()


def fill(folder: Path) -> Path:
    """Write zeros into ``folder`` until the file system says it is full."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, bytes(4096))
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
    finally:
        os.close(fd)
    return filler


# --- revisions -----------------------------------------------------------------------------


def test_first_save_creates_revision_one(store: Store) -> None:
    result = store.save(dana(), source="import alcohol-depression.yaml")
    assert (result.plan_id, result.revision, result.changed) == (DANA_ID, 1, True)
    assert store.current_revision(DANA_ID) == 1
    [rev] = store.history(DANA_ID)
    assert rev.number == 1
    assert rev.source == "import alcohol-depression.yaml"
    assert rev.changes == ["(new plan)"]
    assert rev.saved_at.tzinfo is not None
    assert content(canonical(store.load(DANA_ID))) == content(canonical(dana()))


def test_every_save_adds_a_revision_and_never_rewrites_an_old_one(store: Store, home: Path) -> None:
    plans = [variant(dana(), notes=f"version {i}") for i in range(4)]
    rows_before: list[tuple[Any, ...]] = []
    for i, plan in enumerate(plans, start=1):
        result = store.save(plan)
        assert (result.revision, result.changed) == (i, True)
        rows = raw_rows(home / DB_NAME)
        assert len(rows) == i
        # The rows written before this save are byte for byte what they were.
        assert rows[: i - 1] == rows_before
        rows_before = rows
    assert numbers(store, DANA_ID) == [1, 2, 3, 4]
    for i, plan in enumerate(plans, start=1):
        loaded = store.load(DANA_ID, i)
        assert loaded.notes == f"version {i - 1}"
        assert content(canonical(loaded)) == content(canonical(plan))
    assert store.load(DANA_ID).notes == "version 3"


def test_identical_content_adds_no_revision(store: Store, home: Path) -> None:
    first = store.save(dana())
    again = store.save(dana())
    assert (again.revision, again.changed) == (1, False)
    # Only the timestamps differ: still the same content.
    stamped = dana().model_copy(
        update={
            "updated": dt.datetime(2031, 1, 1, tzinfo=dt.UTC),
            "created": dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        }
    )
    same = store.save(stamped)
    assert (same.revision, same.changed) == (first.revision, False)
    # What was loaded back from the store is the same content too.
    assert store.save(store.load(DANA_ID)).changed is False
    assert len(raw_rows(home / DB_NAME)) == 1
    assert numbers(store, DANA_ID) == [1]


def test_store_sets_updated_and_fills_in_created(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [dt.datetime(2030, 5, 1, 12, 0, tzinfo=dt.UTC)]
    monkeypatch.setattr(store_module, "_now", lambda: clock[0])
    original = dana()
    assert original.updated is not None
    store.save(original)
    body = store.body(DANA_ID, 1)
    assert dt.datetime.fromisoformat(body["updated"]) == clock[0]  # not the file's value
    assert dt.datetime.fromisoformat(body["created"]) == original.created  # the file's value
    assert store.history(DANA_ID)[0].saved_at == clock[0]

    clock[0] = dt.datetime(2030, 5, 2, 8, 30, tzinfo=dt.UTC)
    store.save(variant(dana(), notes="changed"))
    body = store.body(DANA_ID, 2)
    assert dt.datetime.fromisoformat(body["updated"]) == clock[0]
    assert dt.datetime.fromisoformat(body["created"]) == original.created

    # A plan without `created` gets the time of its first save.
    data = canonical(marcus())
    del data["created"], data["updated"]
    store.save(AftercarePlan.model_validate(data))
    body = store.body(MARCUS_ID)
    assert dt.datetime.fromisoformat(body["created"]) == clock[0]
    assert dt.datetime.fromisoformat(body["updated"]) == clock[0]


def test_created_stays_the_first_revisions_time_across_reimports(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [dt.datetime(2030, 1, 1, tzinfo=dt.UTC)]
    monkeypatch.setattr(store_module, "_now", lambda: clock[0])
    data = canonical(dana())
    del data["created"], data["updated"]
    store.save(AftercarePlan.model_validate(data))
    clock[0] = dt.datetime(2030, 1, 2, tzinfo=dt.UTC)
    store.save(AftercarePlan.model_validate(data | {"notes": "edited file, imported again"}))
    assert store.body(DANA_ID, 2)["created"] == store.body(DANA_ID, 1)["created"]


def test_history_lists_changed_paths_with_items_by_id(store: Store) -> None:
    store.save(dana(), source="import a")
    store.save(with_meeting_start(dana(), "lincoln-square-big-book", "19:30"), source="import b")
    store.save(
        variant(
            with_meeting_start(dana(), "lincoln-square-big-book", "19:30"),
            notes="new notes",
            discreet=True,
        ),
        source="import c",
    )
    history = store.history(DANA_ID)
    assert [(r.number, r.source) for r in history] == [
        (1, "import a"),
        (2, "import b"),
        (3, "import c"),
    ]
    assert history[1].changes == ["meetings[lincoln-square-big-book].start"]
    assert history[2].changes == ["discreet", "notes"]


def test_history_addresses_items_by_id_whatever_their_position(store: Store) -> None:
    store.save(dana())
    data = canonical(dana())
    data["meetings"] = data["meetings"][::-1]
    for meeting in data["meetings"]:
        if meeting["id"] == "saturday-morning-serenity":
            meeting["location"] = "Room 5"
    removed = data["contacts"].pop()
    store.save(AftercarePlan.model_validate(data))
    changes = store.history(DANA_ID)[-1].changes
    assert "meetings[saturday-morning-serenity].location" in changes
    assert not any(c.startswith("meetings[lincoln-square-big-book]") for c in changes)
    assert f"contacts[{removed['id']}]" in changes
    assert all(c.startswith(("meetings[saturday", f"contacts[{removed['id']}]")) for c in changes)


def test_a_failing_save_leaves_nothing_behind(store: Store, home: Path) -> None:
    """The plan row and the revision row are written in one transaction: when the revision
    cannot be written, the plan row is not changed (or created) either."""
    store.save(dana())
    with contextlib.closing(sqlite3.connect(home / DB_NAME, isolation_level=None)) as other:
        other.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON revisions"
            " WHEN NEW.number = 2 OR NEW.plan_id = 'brand-new'"
            " BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        )
    renamed = variant(dana(), person=canonical(dana())["person"] | {"name": "Dana R"})
    with pytest.raises(StoreError, match="injected failure"):
        store.save(renamed)
    with pytest.raises(StoreError, match="injected failure"):
        store.save(variant(marcus(), id="brand-new"))
    assert not store._db.in_transaction
    [only] = store.plans(include_archived=True)
    assert (only.id, only.name, only.revisions) == (DANA_ID, "Dana", 1)
    assert numbers(store, DANA_ID) == [1]
    with pytest.raises(NotFoundError):
        store.current_revision("brand-new")
    assert store.integrity() == "ok"


# --- optimistic concurrency ----------------------------------------------------------------


def test_save_based_on_an_old_revision_is_refused(home: Path) -> None:
    mine, theirs = open_store(home), open_store(home)
    try:
        assert mine.save(dana()).revision == 1
        base = mine.current_revision(DANA_ID)
        plan = mine.load(DANA_ID, base)
        # Someone else saves revision 2 meanwhile.
        theirs_plan = theirs.load(DANA_ID)
        assert theirs.save(variant(theirs_plan, notes="theirs"), base=1).revision == 2
        rows = raw_rows(home / DB_NAME)
        with pytest.raises(ConflictError) as info:
            mine.save(variant(plan, notes="mine"), base=base)
        message = str(info.value)
        assert "changed by someone else" in message
        assert "revision 2" in message
        assert "revision 1" in message
        assert "nothing was saved" in message
        assert isinstance(info.value, StoreError)
        assert raw_rows(home / DB_NAME) == rows
        assert mine.load(DANA_ID).notes == "theirs"
        assert not mine._db.in_transaction
        # Based on the current revision, the same edit goes through.
        assert mine.save(variant(plan, notes="mine"), base=2).revision == 3
        # The base is checked even when the content would be unchanged.
        with pytest.raises(ConflictError):
            mine.save(mine.load(DANA_ID), base=2)
    finally:
        mine.close()
        theirs.close()


def test_base_for_a_plan_not_stored_yet(store: Store) -> None:
    with pytest.raises(ConflictError):
        store.save(dana(), base=1)
    with pytest.raises(NotFoundError):
        store.current_revision(DANA_ID)
    assert store.save(dana(), base=0).revision == 1


# --- real concurrent processes -------------------------------------------------------------

WRITER = """
import pathlib, random, sys, time
from iopcli.planfile import read_plan
from iopcli.store import open_store
home, go, tag, k, plan_file = sys.argv[1:]
plan = read_plan(plan_file)
store = open_store(pathlib.Path(home))
print("ready", flush=True)
while not pathlib.Path(go).exists():
    time.sleep(0.001)
for i in range(int(k)):
    time.sleep(random.uniform(0, 0.002))  # let the other process in between saves
    result = store.save(plan.model_copy(update={"notes": f"{tag} {i}"}), source=tag)
    assert result.changed
    print(result.revision, i, flush=True)
store.close()
"""

EDITOR = """
import pathlib, random, sys, time
from iopcli.store import ConflictError, open_store
home, go, tag, k, plan_id = sys.argv[1:]
store = open_store(pathlib.Path(home))
print("ready", flush=True)
while not pathlib.Path(go).exists():
    time.sleep(0.001)
for i in range(int(k)):
    time.sleep(random.uniform(0, 0.002))
    base = store.current_revision(plan_id)
    plan = store.load(plan_id, base)
    try:
        result = store.save(plan.model_copy(update={"notes": f"{tag} {i}"}), base=base)
    except ConflictError:
        print("conflict", i, flush=True)
    else:
        print("saved", result.revision, base, i, flush=True)
store.close()
"""


def start_together(script: str, args: list[list[str]], go: Path) -> list[list[str]]:
    """Start one process per argument list, release them at once, return their output lines."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, *a],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for a in args
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline() == "ready\n", proc.stderr and proc.stderr.read()
        go.touch()
        outputs = []
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            outputs.append(out.splitlines())
        return outputs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_two_processes_saving_at_once_keep_every_revision(home: Path, tmp_path: Path) -> None:
    k = 40
    with contextlib.closing(open_store(home)) as first:
        first.save(dana())
    outputs = start_together(
        WRITER,
        [[str(home), str(tmp_path / "go"), tag, str(k), str(DANA_FILE)] for tag in ("a", "b")],
        tmp_path / "go",
    )
    with contextlib.closing(open_store(home)) as store:
        assert store.integrity() == "ok"
        assert numbers(store, DANA_ID) == list(range(1, 2 * k + 2))
        assert store.current_revision(DANA_ID) == 1 + 2 * k
        seen: set[int] = set()
        for tag, lines in zip(("a", "b"), outputs, strict=True):
            assert len(lines) == k
            revisions = [int(line.split()[0]) for line in lines]
            assert revisions == sorted(revisions)
            assert not seen & set(revisions)
            seen |= set(revisions)
            for line in lines:
                number, i = map(int, line.split())
                assert store.load(DANA_ID, number).notes == f"{tag} {i}"
                assert store.history(DANA_ID)[number - 1].source == tag
        assert seen == set(range(2, 2 * k + 2))


def test_racing_edits_based_on_a_revision_lose_and_duplicate_nothing(
    home: Path, tmp_path: Path
) -> None:
    k = 40
    with contextlib.closing(open_store(home)) as first:
        first.save(dana())
    outputs = start_together(
        EDITOR,
        [[str(home), str(tmp_path / "go"), tag, str(k), DANA_ID] for tag in ("a", "b")],
        tmp_path / "go",
    )
    with contextlib.closing(open_store(home)) as store:
        assert store.integrity() == "ok"
        saved: dict[int, str] = {}
        for tag, lines in zip(("a", "b"), outputs, strict=True):
            assert len(lines) == k
            for line in lines:
                kind, *rest = line.split()
                if kind == "saved":
                    number, base, i = map(int, rest)
                    # Each accepted edit was made on the revision right before it.
                    assert number == base + 1
                    assert number not in saved, "two saves got the same revision"
                    saved[number] = f"{tag} {i}"
                else:
                    assert kind == "conflict"
        assert numbers(store, DANA_ID) == list(range(1, len(saved) + 2))
        assert sorted(saved) == list(range(2, len(saved) + 2))
        for number, notes in saved.items():
            assert store.load(DANA_ID, number).notes == notes


def test_processes_opening_a_new_store_at_once_all_succeed(tmp_path: Path) -> None:
    home = tmp_path / "fresh"
    outputs = start_together(
        WRITER,
        [[str(home), str(tmp_path / "go"), tag, "3", str(DANA_FILE)] for tag in "abc"],
        tmp_path / "go",
    )
    with contextlib.closing(open_store(home)) as store:
        assert store.integrity() == "ok"
        assert numbers(store, DANA_ID) == list(range(1, 10))
        assert sorted(int(line.split()[0]) for out in outputs for line in out) == list(range(1, 10))
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == STORE_SCHEMA_VERSION


# --- killed at any moment ------------------------------------------------------------------

SAVER = """
import sys, pathlib
from iopcli.planfile import read_plan
from iopcli.store import open_store
home, tag, plan_file = sys.argv[1:]
plan = read_plan(plan_file)
store = open_store(pathlib.Path(home))
print("ready", flush=True)
i = 0
while True:
    i += 1
    notes = f"{tag} {i} " + "padding " * (i % 7 * 300)
    result = store.save(plan.model_copy(update={"notes": notes}), source=tag)
    print(result.revision, i, flush=True)
"""


@pytest.mark.slow
def test_a_save_killed_at_any_moment_loses_no_reported_revision(home: Path) -> None:
    rng = random.Random(20270305)
    with contextlib.closing(open_store(home)) as first:
        first.save(dana())
    # revision: the first two words of the notes it was saved with
    reported: dict[int, list[str]] = {1: (dana().notes or "").split()[:2]}
    for round_ in range(6):
        lines_before_kill = rng.randint(1, 25)
        mid_burst = round_ % 2 == 1
        proc = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(home), f"round{round_}", str(DANA_FILE)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline() == "ready\n"
            lines = []
            for _ in range(lines_before_kill):
                line = proc.stdout.readline()
                assert line.endswith("\n"), proc.stderr and proc.stderr.read()
                lines.append(line)
            if mid_burst:
                time.sleep(rng.uniform(0.0005, 0.02))
            proc.send_signal(signal.SIGKILL)
            rest, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == -signal.SIGKILL, err
        # Lines the process wrote before it died were reported too.
        for line in lines + rest.split("\n")[:-1]:
            number, i = map(int, line.split())
            assert number not in reported, f"revision {number} reported twice"
            reported[number] = [f"round{round_}", str(i)]
        context = f"round {round_}, killed after {lines_before_kill} lines, mid_burst={mid_burst}"
        with contextlib.closing(open_store(home)) as store:
            assert store.integrity() == "ok", context
            present = numbers(store, DANA_ID)
            assert present == list(range(1, len(present) + 1)), context
            assert store.current_revision(DANA_ID) == present[-1]
            missing = set(reported) - set(present)
            assert not missing, f"{context}: reported revisions lost: {sorted(missing)}"
            for number, words in reported.items():
                loaded = store.load(DANA_ID, number)  # validates the stored body
                assert (loaded.notes or "").split()[:2] == words, f"{context}: revision {number}"


# --- file modes ----------------------------------------------------------------------------


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("permissive_umask")
def test_folder_is_0700_and_database_files_0600(home: Path) -> None:
    store = open_store(home)
    try:
        assert mode(home) == 0o700
        store.save(dana())
        for suffix in SIDE_FILES:
            path = home / (DB_NAME + suffix)
            assert path.exists(), f"{path.name} should exist while the store is open"
            assert mode(path) == 0o600, path.name
        store.purge(DANA_ID)  # VACUUM rewrites the file
        store.save(marcus())
        for suffix in SIDE_FILES:
            assert mode(home / (DB_NAME + suffix)) == 0o600, suffix
    finally:
        store.close()
    assert mode(home) == 0o700
    for suffix in SIDE_FILES:
        path = home / (DB_NAME + suffix)
        if path.exists():
            assert mode(path) == 0o600, path.name
    # Reopened, the -wal and -shm files are created afresh: owner-only too.
    with contextlib.closing(open_store(home)) as again:
        again.save(variant(marcus(), notes="again"))
        for suffix in SIDE_FILES:
            assert mode(home / (DB_NAME + suffix)) == 0o600, suffix


@pytest.mark.usefixtures("permissive_umask")
def test_an_existing_open_folder_and_file_are_made_owner_only(home: Path) -> None:
    home.mkdir(mode=0o755)
    with contextlib.closing(sqlite3.connect(home / DB_NAME)):
        pass
    os.chmod(home / DB_NAME, 0o644)
    with contextlib.closing(open_store(home)) as store:
        store.save(dana())
        assert mode(home) == 0o700
        for suffix in SIDE_FILES:
            assert mode(home / (DB_NAME + suffix)) == 0o600, suffix


def test_nested_home_is_created(tmp_path: Path) -> None:
    home = tmp_path / "a" / "b" / "home"
    with contextlib.closing(open_store(home)) as store:
        store.save(dana())
    assert mode(home) == 0o700


# --- schema --------------------------------------------------------------------------------


def test_new_store_has_the_current_schema(store: Store, home: Path) -> None:
    store.save(dana())
    with contextlib.closing(sqlite3.connect(home / DB_NAME)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == STORE_SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"plans", "revisions"} <= tables
    # What the crash and purge guarantees rest on, and that no kill test can observe:
    # every commit reaches the disk, and deleted content is overwritten.
    settings = {
        name: store._db.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "synchronous", "foreign_keys", "secure_delete")
    }
    assert settings == {
        "journal_mode": "wal",
        "synchronous": 2,  # FULL
        "foreign_keys": 1,
        "secure_delete": 1,
    }


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_a_store_from_a_newer_iopcli_is_refused_untouched(home: Path, journal: str) -> None:
    home.mkdir()
    path = home / DB_NAME
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute(f"PRAGMA journal_mode = {journal}")
        db.execute("CREATE TABLE plans_v9 (id TEXT PRIMARY KEY, data BLOB)")
        db.execute("INSERT INTO plans_v9 VALUES ('x', randomblob(3000))")
        db.execute(f"PRAGMA user_version = {STORE_SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    for create in (True, False):
        with pytest.raises(StoreError, match="newer iopcli") as info:
            open_store(home, create=create)
        assert str(path) in str(info.value)
        assert f"schema {STORE_SCHEMA_VERSION + 1}" in str(info.value)
        assert "Nothing was changed" in str(info.value)
        assert path.read_bytes() == before
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == STORE_SCHEMA_VERSION + 1
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [
            ("plans_v9",),
            ("sqlite_autoindex_plans_v9_1",),
        ]


@pytest.mark.parametrize("kind", ["zero-byte", "vacuumed"])
def test_migration_from_version_0(home: Path, kind: str) -> None:
    home.mkdir()
    path = home / DB_NAME
    with contextlib.closing(sqlite3.connect(path)) as db:
        if kind == "vacuumed":
            db.execute("VACUUM")
        assert db.execute("PRAGMA user_version").fetchone()[0] == 0
    assert path.exists()
    assert (path.stat().st_size == 0) == (kind == "zero-byte")
    with contextlib.closing(open_store(home)) as store:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == STORE_SCHEMA_VERSION
        assert store.save(dana()).revision == 1
        assert store.load(DANA_ID).person.name == "Dana"
        assert store.integrity() == "ok"
    # Opening again does not migrate again.
    with contextlib.closing(open_store(home)) as store:
        assert numbers(store, DANA_ID) == [1]


def test_open_without_create_does_not_create_anything(tmp_path: Path) -> None:
    home = tmp_path / "nothing-here"
    with pytest.raises(NotFoundError, match="no plan store yet"):
        open_store(home, create=False)
    assert not home.exists()


# --- damaged or foreign files --------------------------------------------------------------


def real_database(tmp_path: Path) -> bytes:
    home = tmp_path / "real"
    with contextlib.closing(open_store(home)) as store:
        for i in range(4):
            store.save(variant(dana(), notes=f"note {i} " * 200))
        store.save(marcus())
    return (home / DB_NAME).read_bytes()


@pytest.mark.parametrize(
    "kind", ["random-bytes", "text", "one-byte", "tiny-text", "truncated-half", "truncated-page"]
)
def test_a_file_that_is_not_a_store_is_refused_untouched(
    home: Path, tmp_path: Path, kind: str
) -> None:
    if kind == "random-bytes":
        data = random.Random(7).randbytes(20_000)
    elif kind == "text":
        data = b"These are my notes, not a database.\nSecond line.\n"
    elif kind == "one-byte":  # shorter than SQLite's header: it would take it for a new db
        data = b"x"
    elif kind == "tiny-text":
        data = b"ok\n"
    else:
        real = real_database(tmp_path)
        data = real[: len(real) // 2] if kind == "truncated-half" else real[:4096]
    home.mkdir()
    path = home / DB_NAME
    path.write_bytes(data)
    for create in (True, False):
        with pytest.raises(StoreError) as info:
            open_and_list(home, create=create)
        message = str(info.value)
        assert str(path) in message
        assert "move it aside" in message
        assert "\n" not in message
        assert path.read_bytes() == data


def test_a_damaged_data_page_gives_the_move_it_aside_error(home: Path, tmp_path: Path) -> None:
    data = bytearray(real_database(tmp_path))
    data[4096:8192] = random.Random(3).randbytes(4096)  # page 2: the root of the plans table
    home.mkdir()
    (home / DB_NAME).write_bytes(data)
    with pytest.raises(StoreError, match="move it aside"):
        open_and_list(home, create=False)
    assert (home / DB_NAME).read_bytes() == data


# --- full disk, read-only file system, busy -------------------------------------------------


def test_disk_full_on_a_real_tmpfs_keeps_every_revision(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "fs", "256k") as fs:
        home = fs / "home"
        store = open_store(home)
        try:
            store.save(dana())
            store.save(variant(dana(), notes="second"))
            rows = raw_rows(home / DB_NAME)
            filler = fill(fs)
            with pytest.raises(StoreError) as info:
                store.save(variant(dana(), notes="a long note " * 1500))
            assert str(home / DB_NAME) in str(info.value)
            assert not store._db.in_transaction
            assert numbers(store, DANA_ID) == [1, 2]
            assert store.load(DANA_ID).notes == "second"
            assert store.integrity() == "ok"
            filler.unlink()
            # With room again, the store carries on from where it was.
            assert store.save(variant(dana(), notes="third")).revision == 3
        finally:
            store.close()
        assert raw_rows(home / DB_NAME)[:2] == rows
        with contextlib.closing(open_store(home)) as again:
            assert again.integrity() == "ok"
            assert numbers(again, DANA_ID) == [1, 2, 3]


def test_max_page_count_full_keeps_every_revision(store: Store, home: Path) -> None:
    store.save(dana())
    rows = raw_rows(home / DB_NAME)
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError):
        store.save(variant(dana(), notes="a long note " * 1500))
    assert not store._db.in_transaction
    assert raw_rows(home / DB_NAME) == rows
    assert store.integrity() == "ok"
    store._db.execute("PRAGMA max_page_count = 1073741823")
    assert store.save(variant(dana(), notes="fits now")).revision == 2


@pytest.mark.parametrize("how", ["max_page_count", "tmpfs"])
def test_disk_full_says_so(tmp_path: Path, how: str) -> None:
    def attempt(home: Path, make_full: Any) -> None:
        store = open_store(home)
        try:
            store.save(dana())
            make_full(store)
            with pytest.raises(StoreError, match="the disk is full"):
                store.save(variant(dana(), notes="a long note " * 1500))
        finally:
            store.close()

    if how == "max_page_count":

        def cap(store: Store) -> None:
            pages = store._db.execute("PRAGMA page_count").fetchone()[0]
            store._db.execute(f"PRAGMA max_page_count = {pages}")

        attempt(tmp_path / "home", cap)
    else:
        with tmpfs(tmp_path / "fs", "256k") as fs:
            attempt(fs / "home", lambda _store: fill(fs))


@contextlib.contextmanager
def read_only_store(tmp_path: Path) -> Iterator[Path]:
    """A store with one plan on a tmpfs that is then remounted read-only."""
    with tmpfs(tmp_path / "fs", "4m") as fs:
        home = fs / "home"
        with contextlib.closing(open_store(home)) as store:
            store.save(dana())
        result = subprocess.run(
            ["mount", "-o", "remount,ro", str(fs)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            pytest.skip(f"remounting read-only is not permitted: {result.stderr.strip()}")
        yield home


def test_saving_on_a_read_only_file_system_is_a_clear_error(tmp_path: Path) -> None:
    with read_only_store(tmp_path) as home:
        before = (home / DB_NAME).read_bytes()
        with pytest.raises(StoreError) as info:
            open_and_save(home, variant(dana(), notes="cannot be written"))
        message = str(info.value)
        assert str(home) in message
        assert "read-only" in message.lower()
        assert (home / DB_NAME).read_bytes() == before


def test_a_read_only_store_can_be_read_and_refuses_saves(tmp_path: Path) -> None:
    with read_only_store(tmp_path) as home:
        store = open_store(home, create=False)
        try:
            assert [p.name for p in store.plans()] == ["Dana"]
            assert store.load(DANA_ID).person.name == "Dana"
            with pytest.raises(StoreError, match="read-only here; nothing was saved"):
                store.save(variant(dana(), notes="cannot be written"))
        finally:
            store.close()


def test_a_locked_store_gives_a_busy_error_after_the_timeout(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 300)
    store = open_store(home)
    try:
        store.save(dana())
        with contextlib.closing(
            sqlite3.connect(home / DB_NAME, isolation_level=None, timeout=0)
        ) as other:
            other.execute("BEGIN EXCLUSIVE")
            started = time.monotonic()
            with pytest.raises(StoreError) as info:
                store.save(variant(dana(), notes="while locked"))
            waited = time.monotonic() - started
            assert "busy" in str(info.value)
            assert str(home / DB_NAME) in str(info.value)
            assert 0.25 <= waited < 10
            # Reading still works while someone else holds the write lock (WAL).
            assert store.load(DANA_ID).notes == dana().notes
            other.execute("ROLLBACK")
        assert not store._db.in_transaction
        assert numbers(store, DANA_ID) == [1]
        assert store.save(variant(dana(), notes="after the lock")).revision == 2
    finally:
        store.close()


# --- resolving references ------------------------------------------------------------------

OTHER_DANA_ID = "3f6c0000-aaaa-4bbb-8ccc-000000000000"


@pytest.fixture
def three(store: Store) -> Store:
    store.save(dana())
    store.save(marcus())
    store.save(variant(dana(), id=OTHER_DANA_ID))
    return store


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        (DANA_ID, DANA_ID),
        (OTHER_DANA_ID, OTHER_DANA_ID),
        ("3f6c2", DANA_ID),
        ("3f6c2a9e", DANA_ID),
        ("8", MARCUS_ID),
        ("marcus", MARCUS_ID),
        ("dana-3f6c2a9e", DANA_ID),
        ("dana-3f6c0000", OTHER_DANA_ID),
        ("marcus-8d2e5b17", MARCUS_ID),
        (f"  {MARCUS_ID}\n", MARCUS_ID),
    ],
)
def test_resolve(three: Store, ref: str, expected: str) -> None:
    assert three.resolve(ref) == expected


@pytest.mark.parametrize("ref", ["dana", "3f6c", "3"])
def test_resolve_ambiguous_lists_the_candidates(three: Store, ref: str) -> None:
    with pytest.raises(NotFoundError) as info:
        three.resolve(ref)
    message = str(info.value)
    assert f"{ref!r} matches 2 plans" in message
    assert "3f6c2a9e (Dana)" in message
    assert "3f6c0000 (Dana)" in message
    assert "Marcus" not in message


@pytest.mark.parametrize("ref", ["nobody", "9", "dana-12345678", "3f6c2a9e-7b41-4d2a-9c55-x"])
def test_resolve_unknown(three: Store, ref: str) -> None:
    with pytest.raises(NotFoundError, match="no stored plan matches") as info:
        three.resolve(ref)
    assert repr(ref) in str(info.value)


def test_resolve_finds_archived_plans(three: Store) -> None:
    three.set_archived(MARCUS_ID, True)
    assert three.resolve("marcus") == MARCUS_ID


def test_unknown_revision_and_plan(store: Store) -> None:
    store.save(dana())
    with pytest.raises(NotFoundError, match="has no revision 7"):
        store.load(DANA_ID, 7)
    with pytest.raises(NotFoundError, match="no stored plan"):
        store.load("nobody")
    assert store.history("nobody") == []


# --- restore, archive, purge ---------------------------------------------------------------


def test_restore_adds_a_revision_equal_to_the_old_one(store: Store, home: Path) -> None:
    store.save(dana())
    store.save(with_meeting_start(dana(), "lincoln-square-big-book", "19:30"))
    store.save(variant(dana(), notes="third"))
    rows = raw_rows(home / DB_NAME)
    result = store.restore(DANA_ID, 1)
    assert (result.revision, result.changed) == (4, True)
    assert content(store.body(DANA_ID, 4)) == content(store.body(DANA_ID, 1))
    assert raw_rows(home / DB_NAME)[:3] == rows
    last = store.history(DANA_ID)[-1]
    assert last.source == "restore of revision 1"
    assert last.changes == ["notes"]
    # Restoring what is already current adds nothing.
    again = store.restore(DANA_ID, 4)
    assert (again.revision, again.changed) == (4, False)
    assert store.restore(DANA_ID, 1).changed is False
    with pytest.raises(NotFoundError):
        store.restore(DANA_ID, 9)
    assert numbers(store, DANA_ID) == [1, 2, 3, 4]


def test_archive_hides_from_the_list_and_keeps_everything(store: Store) -> None:
    store.save(dana())
    store.save(variant(dana(), notes="second"))
    store.save(marcus())
    store.set_archived(DANA_ID, True)
    assert [p.id for p in store.plans()] == [MARCUS_ID]
    listed = {p.id: p for p in store.plans(include_archived=True)}
    assert listed[DANA_ID].archived is True
    assert listed[DANA_ID].revisions == 2
    assert listed[MARCUS_ID].archived is False
    assert numbers(store, DANA_ID) == [1, 2]
    assert store.load(DANA_ID).notes == "second"
    store.set_archived(DANA_ID, False)
    assert [p.name for p in store.plans()] == ["Dana", "Marcus"]
    assert numbers(store, DANA_ID) == [1, 2]


def test_plans_summary(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    moment = dt.datetime(2030, 3, 1, 9, 15, tzinfo=dt.UTC)
    monkeypatch.setattr(store_module, "_now", lambda: moment)
    store.save(marcus())
    store.save(dana())
    [d, m] = store.plans()
    assert (d.id, d.slug, d.name, d.discharge_date) == (
        DANA_ID,
        "dana",
        "Dana",
        dt.date(2027, 3, 5),
    )
    assert (d.archived, d.revisions, d.last_change) == (False, 1, moment)
    assert (m.name, m.discharge_date) == ("Marcus", dt.date(2027, 3, 8))


SECRET = "Quokka-Tangerine-7731 lives at 12 Hidden Lane"


@pytest.mark.parametrize("another_connection", [False, True])
def test_purge_leaves_no_trace_in_the_files(
    store: Store, home: Path, another_connection: bool
) -> None:
    store.save(dana())
    store.save(variant(dana(), notes=SECRET))
    store.save(variant(dana(), notes="the secret was removed again"))
    store.save(marcus())
    store.save(variant(marcus(), notes="Marcus keeps this note"))
    other = open_store(home) if another_connection else None
    try:
        if other is not None:
            assert len(other.plans()) == 2
        assert SECRET.encode() in all_bytes(home)  # the check below can see it
        store.purge(DANA_ID)
        for raw in (all_bytes(home), (home / DB_NAME).read_bytes()):
            assert SECRET.encode() not in raw
            assert DANA_ID.encode() not in raw
            assert b"Northbridge" not in raw  # Dana's clinic, not in Marcus's plan
        assert b"Marcus keeps this note" in all_bytes(home)
        assert store.integrity() == "ok"
        assert [p.id for p in store.plans(include_archived=True)] == [MARCUS_ID]
        assert store.history(DANA_ID) == []
        with pytest.raises(NotFoundError):
            store.resolve("dana")
        with pytest.raises(NotFoundError):
            store.load(DANA_ID)
        if other is not None:
            assert [p.id for p in other.plans(include_archived=True)] == [MARCUS_ID]
    finally:
        if other is not None:
            other.close()
    store.close()
    assert SECRET.encode() not in all_bytes(home)
    with contextlib.closing(open_store(home)) as again:
        assert again.integrity() == "ok"
        assert numbers(again, MARCUS_ID) == [1, 2]
        # A purged plan imported again starts a new history.
        assert again.save(dana()).revision == 1
