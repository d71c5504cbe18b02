"""Hardening of the plan store, drafts and settings (issue 12, items 6, 7, 8 and 13).

Real SQLite files damaged the way disks and people damage them, real tmpfs mounts (full, and
remounted read-only) where this machine allows them, real draft files.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Run
from iopcli import drafts
from iopcli.model import AftercarePlan
from iopcli.store import (
    DB_NAME,
    DamagedStoreError,
    NotFoundError,
    StoreError,
    canonical,
    open_store,
)
from test_store import DANA_ID, MARCUS_ID, dana, fill, marcus, tmpfs, variant

# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("IOPCLI_HOME", str(folder))  # drafts live beside the store
    return folder


def stored(home: Path, *plans: AftercarePlan) -> Path:
    with contextlib.closing(open_store(home)) as store:
        for plan in plans:
            store.save(plan)
    return home / DB_NAME


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def one_line(error: BaseException) -> str:
    text = str(error)
    assert "\n" not in text
    return text


def assert_damage_message(error: BaseException, path: Path) -> None:
    text = one_line(error)
    assert text.startswith(f"{path}: the plan store is damaged (")
    assert "left untouched" in text
    assert "backup" in text
    assert ".recover" in text


# --- purge erases drafts, and needs nothing parsed (item 6) -----------------------------------


def test_purge_erases_the_plans_drafts_and_only_those(home: Path) -> None:
    stored(home, dana(), marcus())
    edit = drafts.start("edit", plan_id=DANA_ID, base_revision=1, label="Dana")
    edit.record("notes", "what Dana typed before the terminal closed")
    from_template = drafts.start("new", template=canonical(dana()))
    other = drafts.start("edit", plan_id=MARCUS_ID, base_revision=1, label="Marcus")
    other.record("notes", "what Marcus typed")  # a draft is kept from its first answer on
    unreadable = drafts.drafts_folder() / "2026-01-01-badbad.json"
    unreadable.write_text('{"plan_id": "' + DANA_ID + '", "answers": {"notes": "half')
    unrelated_unreadable = drafts.drafts_folder() / "2026-01-01-other.json"
    unrelated_unreadable.write_text("{not json")
    with contextlib.closing(open_store(home)) as store:
        store.purge(DANA_ID)
    left = sorted(p.name for p in drafts.drafts_folder().iterdir())
    assert left == sorted([other.path.name, unrelated_unreadable.name])
    assert not edit.path.exists()
    assert not from_template.path.exists()
    assert [d.label for d in drafts.all_drafts()] == ["Marcus"]
    for path in drafts.drafts_folder().iterdir():
        assert b"Dana" not in path.read_bytes()


def test_erase_plan_drafts_without_a_drafts_folder(home: Path) -> None:
    assert drafts.erase_plan_drafts(DANA_ID) == 0
    assert not drafts.drafts_folder().exists()


def break_body(path: Path, plan_id: str, number: int, body: str | bytes) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute(
            "UPDATE revisions SET body = ? WHERE plan_id = ? AND number = ?",
            (body, plan_id, number),
        )
        db.commit()


@pytest.mark.parametrize(
    "body", ['{"id": "3f6c', "null", b"\xff\xfe not text", '{"person": 1}'], ids=repr
)
def test_a_plan_with_an_unreadable_revision_can_still_be_purged(
    home: Path, body: str | bytes
) -> None:
    path = stored(home, dana(), variant(dana(), notes="second"), marcus())
    break_body(path, DANA_ID, 2, body)
    with contextlib.closing(open_store(home)) as store:
        summary = store.stored(DANA_ID)  # what purge shows: no revision is parsed
        assert (summary.name, summary.revisions) == ("Dana", 2)
        with pytest.raises(StoreError) as info:
            store.load(DANA_ID)
        text = one_line(info.value)
        assert str(path) in text
        assert store.load(DANA_ID, 1).person.name == "Dana"
        store.purge(DANA_ID)
        assert [p.id for p in store.plans(include_archived=True)] == [MARCUS_ID]


def test_a_stored_plan_that_no_longer_passes_the_checks_names_the_field(home: Path) -> None:
    # Stored by an older iopcli, before names refused control characters.
    path = stored(home, dana(), variant(dana(), notes="second"))
    with contextlib.closing(sqlite3.connect(path)) as db:
        body = json.loads(db.execute("SELECT body FROM revisions").fetchone()[0])
    body["person"]["name"] = "Dana\x1b[8m"
    break_body(path, DANA_ID, 2, json.dumps(body))
    with contextlib.closing(open_store(home)) as store:
        with pytest.raises(StoreError) as info:
            store.load(DANA_ID)
        assert one_line(info.value) == (
            f"{path}: the current revision of plan 3f6c2a9e does not pass today's checks"
            " (person.name: has a control character (U+001B ESC) at character 5; remove it);"
            " restore an earlier revision (see: iopcli history), or import a corrected plan"
            " file with the same id"
        )
        assert store.restore(DANA_ID, 1).revision == 3


# --- a damaged store is reported, never read as fewer plans (item 7) --------------------------


def page_size(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[16:18], "big")


def root_page(path: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return int(
            db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        )


def test_a_damaged_table_page_is_reported_not_read_as_fewer_plans(home: Path) -> None:
    # Two plans, and enough revisions that the revisions table spans several pages.
    plans = [variant(dana(), notes=f"note {i} " * 200) for i in range(6)] + [marcus()]
    path = stored(home, *plans)
    size = page_size(path)
    data = bytearray(path.read_bytes())
    page = root_page(path, "plans")
    start = (page - 1) * size
    data[start : start + 8] = b"\x0d\x00\x00\x00\x01\xff\xff\x00"  # a leaf whose cell area is gone
    path.write_bytes(data)
    for create in (True, False):
        with pytest.raises(DamagedStoreError) as info:
            open_store(home, create=create)
        assert_damage_message(info.value, path)
        assert path.read_bytes() == data


def test_flipped_bytes_never_read_as_an_empty_or_smaller_store(home: Path) -> None:
    path = stored(home, dana(), marcus())
    original = path.read_bytes()
    for seed in range(40):
        rng = random.Random(seed)
        data = bytearray(original)
        for _ in range(20):
            data[rng.randrange(100, len(data))] ^= 0xFF
        path.write_bytes(data)
        problem = ""
        try:
            with contextlib.closing(open_store(home, create=False)) as store:
                names = sorted(p.name for p in store.plans(include_archived=True))
        except StoreError as exc:
            problem = one_line(exc)
        if problem:
            assert problem.startswith(f"{path}: "), seed
        else:
            # Damage SQLite cannot see (inside a plan's own text) leaves both plans listed.
            assert names == ["Dana", "Marcus"], seed
        assert path.read_bytes() == data, seed


def test_a_zeroed_overflow_page_is_reported_as_damage(home: Path) -> None:
    marker = "OVERFLOW-MARKER"
    long_notes = "a" * 3000 + marker + "b" * 9000
    path = stored(home, variant(dana(), notes=long_notes), marcus())
    data = bytearray(path.read_bytes())
    size = page_size(path)
    at = bytes(data).index(marker.encode())
    page = at // size
    assert page > 0
    data[page * size : (page + 1) * size] = bytes(size)
    path.write_bytes(data)
    with (
        pytest.raises(DamagedStoreError) as info,
        contextlib.closing(open_store(home, create=False)) as store,
    ):
        store.load(DANA_ID)
    assert_damage_message(info.value, path)
    assert path.read_bytes() == data


def test_a_stored_body_that_is_not_json_is_reported_as_damage(home: Path) -> None:
    path = stored(home, dana())
    break_body(path, DANA_ID, 1, '{"id": "3f6c2a9e", "person": {"na')
    with contextlib.closing(open_store(home, create=False)) as store:
        with pytest.raises(DamagedStoreError) as info:
            store.body(DANA_ID)
        assert_damage_message(info.value, path)
        assert "revision 1 of plan 3f6c2a9e cannot be read" in str(info.value)


def test_a_plan_whose_current_revision_is_missing_is_reported(home: Path) -> None:
    path = stored(home, dana(), marcus())
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("DELETE FROM revisions WHERE plan_id = ?", (MARCUS_ID,))
        db.commit()
    with contextlib.closing(open_store(home, create=False)) as store:
        with pytest.raises(DamagedStoreError) as info:
            store.plans()
        assert_damage_message(info.value, path)


def test_undecodable_text_is_damage_and_the_message_does_not_quote_it(home: Path) -> None:
    path = stored(home, dana())
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("UPDATE plans SET name = CAST(? AS TEXT)", (b"Dana \xff secret",))
        db.commit()
    with (
        contextlib.closing(open_store(home, create=False)) as store,
        pytest.raises(DamagedStoreError) as info,
    ):
        store.plans()
    assert "secret" not in str(info.value)
    assert_damage_message(info.value, path)


@pytest.mark.parametrize("user_version", [0, 1, 7])
def test_a_foreign_sqlite_file_named_like_the_store_is_refused_unaltered(
    home: Path, user_version: int
) -> None:
    home.mkdir()
    path = home / DB_NAME
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE recipes (name TEXT, steps TEXT)")
        db.execute("INSERT INTO recipes VALUES ('bread', 'knead')")
        db.execute(f"PRAGMA user_version = {user_version}")
        db.commit()
    before = path.read_bytes()
    for create in (True, False):
        with pytest.raises(StoreError) as info:
            open_store(home, create=create)
        text = one_line(info.value)
        assert str(path) in text
        if user_version <= 1:
            assert "not an iopcli plan store" in text
        assert "untouched" in text or "Nothing was changed" in text
        assert path.read_bytes() == before
        assert sorted(p.name for p in home.iterdir()) == [DB_NAME]


# --- permissions the owner set are kept; read-only stores (item 8) ----------------------------


@pytest.mark.parametrize(
    ("folder_mode", "expected"), [(0o500, 0o500), (0o755, 0o700), (0o550, 0o500), (0o700, 0o700)]
)
def test_opening_never_adds_a_permission_to_the_folder(
    home: Path, folder_mode: int, expected: int
) -> None:
    stored(home, dana())
    home.chmod(folder_mode)
    try:
        with contextlib.suppress(StoreError), contextlib.closing(open_store(home)) as store:
            assert [p.name for p in store.plans()] == ["Dana"]
        assert mode(home) == expected
    finally:
        home.chmod(0o700)


@pytest.mark.parametrize(("file_mode", "expected"), [(0o400, 0o400), (0o644, 0o600)])
def test_opening_never_adds_a_permission_to_the_file(
    home: Path, file_mode: int, expected: int
) -> None:
    path = stored(home, dana())
    path.chmod(file_mode)
    with contextlib.closing(open_store(home, create=False)) as store:
        assert [p.name for p in store.plans()] == ["Dana"]
    assert mode(path) == expected


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write whatever the mode says")
def test_a_store_made_read_only_by_its_owner_is_read_and_says_so(home: Path) -> None:
    path = stored(home, dana())
    path.chmod(0o400)
    with contextlib.closing(open_store(home)) as store:
        assert store.read_only
        assert store.load(DANA_ID).person.name == "Dana"
        with pytest.raises(StoreError, match="read-only here; nothing was saved"):
            store.save(variant(dana(), notes="no"))
    assert mode(path) == 0o400


CRASHED_SAVE = """
import os, sys
from pathlib import Path
from iopcli.planfile import read_plan
from iopcli.store import open_store
store = open_store(Path(sys.argv[1]))
for path in sys.argv[2:]:
    store.save(read_plan(path))
os._exit(0)  # killed before closing: the saves are still in the -wal file
"""


@contextlib.contextmanager
def crashed_store_on_read_only_media(tmp_path: Path, keep_shm: bool) -> Iterator[Path]:
    from test_store import DANA_FILE, MARCUS_FILE

    with tmpfs(tmp_path / "fs", "4m") as fs:
        home = fs / "home"
        subprocess.run(
            [sys.executable, "-c", CRASHED_SAVE, str(home), str(DANA_FILE), str(MARCUS_FILE)],
            check=True,
        )
        assert (home / (DB_NAME + "-wal")).stat().st_size > 0
        if not keep_shm:
            (home / (DB_NAME + "-shm")).unlink()
        result = subprocess.run(
            ["mount", "-o", "remount,ro", str(fs)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            pytest.skip(f"remounting read-only is not permitted: {result.stderr.strip()}")
        yield home


def test_read_only_media_with_a_leftover_wal_reads_the_recent_saves(tmp_path: Path) -> None:
    with crashed_store_on_read_only_media(tmp_path, keep_shm=True) as home:
        before = {p.name: p.read_bytes() for p in home.iterdir()}
        with contextlib.closing(open_store(home, create=False)) as store:
            assert store.read_only
            assert sorted(p.name for p in store.plans()) == ["Dana", "Marcus"]
            assert store.load(MARCUS_ID).person.name == "Marcus"
            with pytest.raises(StoreError, match="read-only"):
                store.save(variant(dana(), notes="no"))
        assert {p.name: p.read_bytes() for p in home.iterdir()} == before


def test_read_only_media_with_an_unreadable_wal_says_so(tmp_path: Path) -> None:
    with crashed_store_on_read_only_media(tmp_path, keep_shm=False) as home:
        with pytest.raises(StoreError) as info:
            open_store(home, create=False)
        text = one_line(info.value)
        assert "read-only" in text
        assert f"{DB_NAME}-wal" in text
        assert "copy the whole folder" in text


# --- a full disk under the store (item 13) -------------------------------------------------------


def test_a_full_disk_does_not_stop_reading(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "fs", "256k") as fs:
        home = fs / "home"
        stored(home, dana(), marcus())
        filler = fill(fs)
        try:
            with contextlib.closing(open_store(home, create=False)) as store:
                assert sorted(p.name for p in store.plans()) == ["Dana", "Marcus"]
                assert store.load(DANA_ID).person.name == "Dana"
                with pytest.raises(StoreError) as info:
                    store.save(variant(dana(), notes="a long note " * 1500))
                assert "full" in one_line(info.value)
        finally:
            filler.unlink()
        with contextlib.closing(open_store(home)) as store:
            assert store.save(variant(dana(), notes="room again")).revision == 2


# --- revision numbers (item 13) -------------------------------------------------------------------


@pytest.mark.parametrize("number", [0, -1, 3, 10**30, 2**63])
def test_restoring_a_revision_that_does_not_exist_is_a_clear_error(home: Path, number: int) -> None:
    stored(home, dana(), variant(dana(), notes="second"))
    with contextlib.closing(open_store(home)) as store:
        with pytest.raises(NotFoundError) as info:
            store.restore(DANA_ID, number)
        assert one_line(info.value) == (
            f"plan 3f6c2a9e has no revision {number}; its revisions are 1 to 2"
        )
        with pytest.raises(NotFoundError):
            store.body(DANA_ID, number)
        assert store.current_revision(DANA_ID) == 2


# --- the settings file is checked like a plan file (item 13) -----------------------------------


def write_config(home: Path, text: str | bytes) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            'program = "Hope"\nremind_minutes = true\n',
            2,
            "remind_minutes: must be a whole number of minutes from 0 to 10080, not true",
        ),
        (
            "remind_minutes = 1.5\n",
            1,
            "remind_minutes: must be a whole number of minutes from 0 to 10080, not 1.5",
        ),
        (
            'remind_minutes = "30"\n',
            1,
            'remind_minutes: must be a whole number of minutes from 0 to 10080, not "30"',
        ),
        ("remind_minutes = 20000\n", 1, "remind_minutes: 20000 is not between 0 and 10080 minutes"),
        (
            "\n\nremind_minute = 5\n",
            3,
            "remind_minute: unknown setting (did you mean 'remind_minutes'?)",
        ),
        ('region = "USA"\n', 1, 'region: "USA" is not a two-letter country code like US'),
        ("region = 1\n", 1, "region: must be text in quotes, not 1"),
        (
            'timezone = "Mars/Base"\n',
            1,
            'timezone: "Mars/Base" is not a known IANA time zone (e.g. America/Chicago)',
        ),
        ('counselor_phone = "call me"\n', 1, 'counselor_phone: "call me" is not a phone number'),
        (
            'default_plan = " "\n',
            1,
            "default_plan: is empty (remove the line, or: iopcli config unset default_plan)",
        ),
        ('program = "Hope\\u001b]0;x\\u0007"\n', 1, "program: has a control character; remove it"),
        ("meetings = 3\n", 1, "meetings: write the clinic's list as [[meetings]] tables"),
        ('a = 1\nprogram = "Hope\n', 2, "not valid TOML: Illegal character '\\n'"),
    ],
)
def test_a_setting_that_is_not_valid_names_file_line_and_key(
    home: Path, text: str, line: int, message: str
) -> None:
    from iopcli.config import ConfigError, read_config

    path = write_config(home, text)
    with pytest.raises(ConfigError) as info:
        read_config()
    assert info.value.lines()[0] == f"{path}:{line}: {message}"
    assert info.value.exit_code == 1


def test_a_config_file_that_is_not_utf8_is_one_clear_line(home: Path) -> None:
    from iopcli.config import ConfigError, read_config

    path = write_config(home, 'program = "Hope"\ncounselor = "Jos\xe9"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as info:
        read_config()
    assert info.value.lines() == [f"{path}:2: not UTF-8 text (byte 0xe9); save it as UTF-8"]


def test_every_problem_in_the_config_is_listed_at_once(home: Path) -> None:
    from iopcli.config import ConfigError, read_config

    path = write_config(home, 'remind_minutes = true\nregion = "USA"\n')
    with pytest.raises(ConfigError) as info:
        read_config()
    assert [line.split(": ")[0] for line in info.value.lines()] == [f"{path}:1", f"{path}:2"]


def test_valid_settings_and_clinic_lists_read_as_written(home: Path) -> None:
    from iopcli.config import read_config

    write_config(
        home,
        'remind_minutes = 0\nregion = "ca"\ntimezone = "America/Toronto"\n'
        'counselor_phone = "(312) 555-0142 ext. 12"\n\n[[meetings]]\nname = "Hope"\n',
    )
    assert read_config() == {
        "remind_minutes": 0,
        "region": "ca",
        "timezone": "America/Toronto",
        "counselor_phone": "(312) 555-0142 ext. 12",
        "meetings": [{"name": "Hope"}],
    }


TOML_VALUES = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
)


@settings(max_examples=40, deadline=None)
@given(key=st.sampled_from(["remind_minutes", "region", "timezone", "program"]), value=TOML_VALUES)
def test_any_value_in_the_config_is_accepted_as_valid_or_refused_in_one_line(
    key: str, value: object
) -> None:
    import tomli_w

    from iopcli.config import ConfigError, parse_config

    data = tomli_w.dumps({key: value}).encode("utf-8")
    try:
        settings_read = parse_config(data, "config.toml")
    except ConfigError as exc:
        (line,) = exc.lines()
        assert line.startswith(f"config.toml:1: {key}: ")
        assert not any(unicodedata.category(ch) == "Cc" for ch in line)
        return
    read = settings_read[key]
    if key == "remind_minutes":
        assert type(read) is int
        assert 0 <= read <= 10080
    else:
        assert isinstance(read, str)
        assert read.strip()


def test_config_set_and_unset_can_still_read_a_file_with_a_bad_value(home: Path) -> None:
    from iopcli.config import read_config

    write_config(home, "remind_minutes = true\n")
    assert read_config(check=False) == {"remind_minutes": True}


def test_the_export_default_reminder_never_reads_true_as_one_minute(home: Path) -> None:
    from iopcli.config import ConfigError
    from iopcli.export import default_remind

    write_config(home, "remind_minutes = true\n")
    with pytest.raises(ConfigError, match="remind_minutes"):
        default_remind()


# --- a name that is both a file here and a stored plan (item 13) -------------------------------


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_a_file_or_folder_named_like_a_stored_plan_asks_which_was_meant(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    from iopcli.errors import UsageError
    from iopcli.sources import PlanSource

    stored(home, dana())
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    if kind == "folder":
        (here / "dana").mkdir()
    else:
        (here / "dana").write_text("not a plan")
    with PlanSource() as source, pytest.raises(UsageError) as info:
        source.load("dana")
    assert str(info.value) == (
        f"'dana' is both a {kind} in this folder and the stored plan 3f6c2a9e: write ./dana"
        f" for the {kind}, or 3f6c2a9e for the stored plan"
    )
    with PlanSource() as source:
        assert source.load("3f6c2a9e").person.name == "Dana"


def test_a_bare_name_that_is_only_a_file_is_read_as_the_file(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iopcli.errors import PlanFileError
    from iopcli.sources import PlanSource

    stored(home, dana())
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes").write_text("x")
    with PlanSource() as source, pytest.raises(PlanFileError, match="not a plan file"):
        source.load("notes")


# --- another user's view: unreadable home, read-only folder (items 8, 13) ---------------------

AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@functools.cache
def _nobody_can_import() -> bool:
    probe = subprocess.run(
        [*AS_NOBODY, sys.executable, "-c", "import iopcli"],
        capture_output=True,
        cwd="/",
        check=False,
        timeout=60,
    )
    return probe.returncode == 0


def as_nobody(code: str, home: Path) -> subprocess.CompletedProcess[str]:
    """Run Python ``code`` as the unprivileged user nobody, with IOPCLI_HOME=home."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run as another user")
    if not _nobody_can_import():
        pytest.skip("the project's folder is not readable by another user here (a private clone)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOPCLI_")}
    env["IOPCLI_HOME"] = str(home)
    return subprocess.run(
        [*AS_NOBODY, sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        check=False,
        timeout=60,
    )


LIST_EVERYTHING = """
from iopcli import drafts
from iopcli.config import read_config
from iopcli.directory import open_directory
from iopcli.errors import IopcliError
from iopcli.store import open_store
steps = (
    drafts.all_drafts,
    read_config,
    lambda: open_store(create=False).plans(),
    lambda: open_directory(create=False),
)
for step in steps:
    try:
        step()
    except IopcliError as exc:
        print(exc.lines()[0])
"""


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A temporary folder other users can reach (pytest's own is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="iopcli-test-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            with contextlib.suppress(OSError):
                path.chmod(0o700)
        shutil.rmtree(folder, ignore_errors=True)


def test_an_unreadable_home_gives_clear_messages(shared_tmp: Path) -> None:
    locked = shared_tmp / "locked"
    (locked / "home").mkdir(parents=True)
    locked.chmod(0o000)
    try:
        result = as_nobody(LIST_EVERYTHING, locked / "home")
    finally:
        locked.chmod(0o700)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{locked}/home/drafts: the drafts cannot be listed: Permission denied",
        f"{locked}/home/config.toml: cannot be read: Permission denied",
        f"{locked}/home/plans.sqlite3: cannot be read: Permission denied",
        f"{locked}/home/directory.sqlite3: cannot be read: Permission denied",
    ]


READ_ONLY_FOLDER = """
from iopcli.planfile import read_plan
from iopcli.store import StoreError, open_store
import sys
store = open_store()
print("read_only", store.read_only)
print("plans", [p.name for p in store.plans()])
try:
    store.save(read_plan(sys.argv[1] if len(sys.argv) > 1 else "{plan}"))
except StoreError as exc:
    print(exc)
"""


def test_a_folder_its_owner_made_read_only_stays_so_and_the_store_says_so(
    shared_tmp: Path,
) -> None:
    from test_store import MARCUS_FILE

    home = shared_tmp / "home"
    stored(home, dana())
    subprocess.run(["chown", "-R", "65534:65534", str(home)], check=True)
    home.chmod(0o500)
    result = as_nobody(READ_ONLY_FOLDER.replace("{plan}", str(MARCUS_FILE)), home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "read_only True",
        "plans ['Dana']",
        f"{home}/{DB_NAME}: the plan store is read-only here; nothing was saved",
    ]
    assert mode(home) == 0o500


# --- the commands (in-process) --------------------------------------------------------------


def test_a_failed_import_creates_no_store(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nperson: {name: Sam}\n")
    result = run("import", str(bad))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{bad}:")
    assert not (tmp_path / "home").exists()
    assert run("list").stdout.startswith("No plans stored yet")


def test_import_of_a_good_and_a_bad_file_stores_the_good_one(run: Run, tmp_path: Path) -> None:
    from test_store import DANA_FILE

    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n")
    result = run("import", str(bad), str(DANA_FILE))
    assert result.returncode == 1
    assert f"{DANA_FILE}: 3f6c2a9e Dana: revision 1" in result.stdout
    assert "Dana" in run("list").stdout


def test_purge_of_a_plan_with_an_unreadable_revision_and_a_draft(run: Run, home: Path) -> None:
    path = stored(home, dana(), marcus())
    drafts.start("edit", plan_id=DANA_ID, base_revision=1, label="Dana").record("notes", "x")
    break_body(path, DANA_ID, 1, '{"id": "3f6c')
    result = run("purge", "dana", "--yes")
    assert (result.returncode, result.stdout, result.stderr) == (0, "3f6c2a9e: erased\n", "")
    assert "Dana" not in run("drafts").stdout
    assert "Dana" not in run("list", "--all").stdout


@pytest.mark.parametrize("number", ["0", "3", str(10**30)])
def test_restore_of_a_revision_that_does_not_exist(run: Run, home: Path, number: str) -> None:
    stored(home, dana(), variant(dana(), notes="second"))
    result = run("restore", "dana", number)
    assert result.returncode == 1
    assert result.stderr == (f"plan 3f6c2a9e has no revision {number}; its revisions are 1 to 2\n")


def test_list_on_a_damaged_store_is_an_error_not_an_empty_list(run: Run, home: Path) -> None:
    path = stored(home, dana(), marcus())
    data = bytearray(path.read_bytes())
    size = page_size(path)
    start = (root_page(path, "revisions") - 1) * size
    data[start : start + 8] = b"\x0d\x00\x00\x00\x01\xff\xff\x00"
    path.write_bytes(data)
    for args in (["list"], ["export", "--all", "--out", str(home.parent / "out")]):
        result = run(*args)
        assert result.returncode == 1, args
        assert result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"{path}: the plan store is damaged")
        assert ".recover" in line
    assert path.read_bytes() == data


def test_config_set_and_unset_repair_a_bad_settings_file(run: Run, home: Path) -> None:
    path = write_config(home, "remind_minutes = true\nremind_minute = 5\n")
    shown = run("config", "show")
    assert shown.returncode == 1
    assert shown.stderr.splitlines() == [
        f"{path}:1: remind_minutes: must be a whole number of minutes from 0 to 10080, not true",
        f"{path}:2: remind_minute: unknown setting (did you mean 'remind_minutes'?)",
    ]
    assert run("config", "set", "remind_minutes", "30").returncode == 0
    assert run("config", "unset", "remind_minute").returncode == 0
    assert "remind_minutes = 30" in run("config", "show").stdout


def test_show_with_a_folder_named_like_the_plan_asks_which(
    run: Run, home: Path, tmp_path: Path
) -> None:
    stored(home, dana())
    (tmp_path / "dana").mkdir()
    result = run("show", "dana", cwd=tmp_path)
    assert result.returncode == 2
    assert "'dana' is both a folder in this folder and the stored plan 3f6c2a9e" in result.stderr
    assert run("show", "3f6c2a9e", cwd=tmp_path).returncode == 0
