"""The directory of meetings and resources: importing feeds, searching, adding entries to a plan
and refreshing them. Mostly the installed ``iopcli`` in a subprocess with a private home; the
20,000-meeting directory and setup steps go through the library to keep the suite quick."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import sqlite3
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, Run
from iopcli.directory import DB_NAME, Directory, ImportResult, Listing, open_directory
from iopcli.feeds import read_feed
from iopcli.store import open_store

FEEDS = Path(__file__).resolve().parent / "feeds"
MG = FEEDS / "meeting-guide.json"
BMLT = FEEDS / "bmlt.json"
HSDS = FEEDS / "hsds.json"
HSDS_CSV = FEEDS / "hsds-csv"
SMART = FEEDS / "smart-recovery.json"
DANA = ROOT / "examples" / "alcohol-depression.yaml"
DANA_ID = "3f6c2a9e-7b41-4d2a-9c55-1e8a0d4b7f21"
TODAY = dt.date.today()

MEETINGS = {
    "lincoln-square-big-book",
    "saturday-morning-serenity",
    "night-owls-online",
    "temporarily-closed-tuesday",
    "4101",
    "4102",
    "smart-cafe-esperanza",
    "smart-online-thursday",
}
RESOURCES = {"svc-housing-1", "svc-food-1", "svc-legal-1", "svc-bad-phone"}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"  # what the `run` fixture sets IOPCLI_HOME to


def lib_import(home: Path, path: Path, source: str, fellowship: str | None = None) -> ImportResult:
    """Import a feed through the library, as `iopcli directory import` does."""
    feed = read_feed(path, source, fellowship)
    with contextlib.closing(open_directory(home)) as directory:
        return directory.import_feed(feed, source, str(path))


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=1))
    return path


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result


def one_line_error(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """The command failed with ``code`` and exactly one line on stderr; returns that line."""
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def search(run: Run, *args: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(
        ok(run("directory", "search", "--json", "--limit", "10000", *args)).stdout
    )
    return rows


def refs(run: Run, *args: str) -> set[str]:
    found = [row["ref"] for row in search(run, *args)]
    assert len(found) == len(set(found)), found
    return set(found)


def lib_search(home: Path, text: str | None = None, **filters: Any) -> list[Listing]:
    with contextlib.closing(open_directory(home, create=False)) as directory:
        return directory.search(text, limit=100_000, **filters)


def lib_refs(home: Path, text: str | None = None, **filters: Any) -> set[str]:
    return {e.ref for e in lib_search(home, text, **filters)}


def import_count(home: Path) -> int:
    with contextlib.closing(sqlite3.connect(home / DB_NAME)) as db:
        return int(db.execute("SELECT count(*) FROM imports").fetchone()[0])


def live_count(home: Path) -> int:
    with contextlib.closing(sqlite3.connect(home / DB_NAME)) as db:
        return int(
            db.execute("SELECT count(*) FROM entries WHERE removed_at IS NULL").fetchone()[0]
        )


@pytest.fixture
def loaded(run: Run, home: Path) -> Run:
    """A directory with every sample feed (meetings from three feeds, resources from one)."""
    lib_import(home, MG, "mg")
    lib_import(home, BMLT, "bmlt")
    lib_import(home, HSDS, "hsds")
    lib_import(home, SMART, "smart", fellowship="SMART Recovery")
    return run


# --- importing -------------------------------------------------------------------------------


def test_import_meeting_guide_reports_and_skips(run: Run, home: Path) -> None:
    result = ok(run("directory", "import", str(MG)))
    assert result.stdout.splitlines() == [
        f"{MG}: meeting-guide feed 'meeting-guide': 4 added, 0 updated, 0 unchanged,"
        " 0 removed, 5 skipped"
    ]
    assert result.stderr.splitlines() == [
        f"{MG}: skipped record 5: no slug",
        f"{MG}: skipped record 6 (by-appointment): no day (a meeting needs a day and a time)",
        f"{MG}: skipped record 7 (bad-day): day 9 is not 0 (Sunday) to 6",
        f"{MG}: skipped record 8 (bad-time): time: '25:00' is not a time of day:"
        " hours go from 0 to 23",
        f"{MG}: skipped record 9: not an object",
    ]
    assert (home / DB_NAME).stat().st_mode & 0o777 == 0o600
    assert refs(run) == {
        "lincoln-square-big-book",
        "saturday-morning-serenity",
        "night-owls-online",
        "temporarily-closed-tuesday",
    }


def test_import_bmlt_with_source_and_fellowship(run: Run) -> None:
    result = ok(run("directory", "import", str(BMLT), "--source", "denver-na"))
    assert result.stdout.splitlines() == [
        f"{BMLT}: bmlt feed 'denver-na': 2 added, 0 updated, 0 unchanged, 0 removed, 2 skipped"
    ]
    assert result.stderr.splitlines() == [
        f"{BMLT}: skipped record 3 (4103): weekday_tinyint '8' is not 1 (Sunday) to 7",
        f"{BMLT}: skipped record 4: no id_bigint",
    ]
    rows = {row["ref"]: row for row in search(run, "--fellowship", "NA")}
    assert set(rows) == {"4101", "4102"}
    assert rows["4101"]["source"] == {"feed": "denver-na", "id": "4101"}
    assert rows["4101"]["days"] == ["mon"]
    assert rows["4101"]["start"] == "19:00"
    assert rows["4101"]["end"] == "20:30"
    assert rows["4102"]["active"] is False


def test_import_hsds_json(run: Run) -> None:
    result = ok(run("directory", "import", str(HSDS)))
    assert result.stdout.splitlines() == [
        f"{HSDS}: hsds feed 'hsds': 4 added, 0 updated, 0 unchanged, 0 removed, 2 skipped"
    ]
    assert (
        result.stderr.splitlines()[0] == f"{HSDS}: skipped record 4 (svc-gone): status is defunct"
    )
    assert refs(run) == RESOURCES


def test_import_hsds_csv_folder_and_zip(run: Run, tmp_path: Path) -> None:
    archive = tmp_path / "westside.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in HSDS_CSV.glob("*.csv"):
            z.write(path, path.name)
    folder = ok(run("directory", "import", str(HSDS_CSV)))
    assert folder.stdout.splitlines() == [
        f"{HSDS_CSV}: hsds feed 'hsds-csv': 2 added, 0 updated, 0 unchanged, 0 removed, 0 skipped"
    ]
    zipped = ok(run("directory", "import", str(archive)))
    assert zipped.stdout.splitlines() == [
        f"{archive}: hsds feed 'westside': 2 added, 0 updated, 0 unchanged, 0 removed, 0 skipped"
    ]
    rows = search(run, "--category", "employment")
    assert sorted((r["source"]["feed"], r["ref"]) for r in rows) == [
        ("hsds-csv", "svc-jobs-1"),
        ("westside", "svc-jobs-1"),
    ]
    folder_row, zip_row = sorted(rows, key=lambda r: r["source"]["feed"])
    strip = {"source"}
    assert {k: v for k, v in folder_row.items() if k not in strip} == {
        k: v for k, v in zip_row.items() if k not in strip
    }
    assert folder_row["address"] == "420 S Ashland Ave, Chicago, IL 60607"
    assert folder_row["hours"] == "MO,WE 09:00-16:00"


def _unreadable(tmp_path: Path, case: str) -> Path:
    if case == "invalid-json":
        path = tmp_path / "broken.json"
        path.write_text('[{"slug": "lincoln-square-big-book", "day": ')
    elif case == "binary":
        path = tmp_path / "blob.json"
        path.write_bytes(bytes(range(256)) * 8)
    elif case == "zip-without-services":
        path = tmp_path / "orgs.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.write(HSDS_CSV / "organizations.csv", "organizations.csv")
            z.write(HSDS_CSV / "locations.csv", "locations.csv")
    elif case == "corrupt-zip":
        path = tmp_path / "cut.zip"
        path.write_bytes(b"PK\x03\x04" + b"\x01truncated" * 30)
    elif case == "object":
        path = write_json(tmp_path / "object.json", {"name": "Not a feed", "version": 2})
    elif case == "unknown-rows":
        path = write_json(tmp_path / "rows.json", [{"title": "x", "when": "Tuesday"}])
    elif case == "folder-without-services":
        path = tmp_path / "csv"
        path.mkdir()
        (path / "organizations.csv").write_text("id,name\no1,Org\n")
    else:  # missing
        path = tmp_path / "nowhere.json"
    return path


UNREADABLE = {
    "invalid-json": ":1: not valid JSON (Expecting value)",
    "binary": "not JSON, a CSV folder or a zip of CSV files",
    "zip-without-services": "mg: an HSDS CSV set needs services.csv",
    "corrupt-zip": "not a readable zip of CSV files",
    "object": "expected a list of meetings or services",
    "unknown-rows": "not a Meeting Guide, BMLT or Open Referral (HSDS) feed",
    "folder-without-services": "mg: an HSDS CSV set needs services.csv",
    "missing": "cannot be read: No such file or directory",
}


@pytest.mark.parametrize("case", list(UNREADABLE))
def test_unreadable_feed_is_one_error_and_changes_nothing(
    loaded: Run, home: Path, tmp_path: Path, case: str
) -> None:
    before = lib_search(home), lib_search(home, online=True), lib_search(home, "serenity")
    count, imports = live_count(home), import_count(home)
    path = _unreadable(tmp_path, case)
    # Under the name of a feed already in the directory: a bad download must not empty it.
    result = loaded("directory", "import", str(path), "--source", "mg")
    line = one_line_error(result)
    assert UNREADABLE[case] in line, line
    assert line.startswith((f"{path}: ", f"{path}:1: ", "mg: ")), line
    assert result.stdout == ""
    assert (lib_search(home), lib_search(home, online=True), lib_search(home, "serenity")) == (
        before
    )
    assert live_count(home) == count == len(MEETINGS | RESOURCES)
    assert import_count(home) == imports


def test_unreadable_feed_creates_no_directory(run: Run, home: Path, tmp_path: Path) -> None:
    path = _unreadable(tmp_path, "invalid-json")
    line = one_line_error(run("directory", "import", str(path)))
    assert "not valid JSON" in line
    assert not (home / DB_NAME).exists()
    assert "no directory yet" in one_line_error(run("directory", "search", "hope"))


# --- re-importing ----------------------------------------------------------------------------


def mg_row(slug: str, name: str, day: Any = 1, time: str = "19:00", **more: Any) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": name,
        "day": day,
        "time": time,
        "location": f"{name} Hall",
        "formatted_address": "10 Invented St, Springfield, IL 62701",
        "updated": "2026-06-01",
        **more,
    }


def test_reimport_updates_removes_and_keeps_malformed(run: Run, home: Path, tmp_path: Path) -> None:
    first = [
        mg_row("alpha", "Alpha Group"),
        mg_row("bravo", "Bravo Group", day=2),
        mg_row("charlie", "Charlie Group", day=3),
        mg_row("delta", "Delta Group", day=4),
    ]
    v1 = write_json(tmp_path / "v1.json", first)
    out = ok(run("directory", "import", str(v1), "--source", "town"))
    assert "4 added, 0 updated, 0 unchanged, 0 removed, 0 skipped" in out.stdout
    old = {row["ref"]: row for row in search(run)}

    second = [
        mg_row("alpha", "Alpha Renamed Group", time="19:30", updated="2026-07-01"),
        # bravo is gone
        mg_row("charlie", "Charlie Group", day=9),  # now malformed: kept as it was
        mg_row("delta", "Delta Group", day=4),
        mg_row("echo", "Echo Group", day=5),
    ]
    v2 = write_json(tmp_path / "v2.json", second)
    out = ok(run("directory", "import", str(v2), "--source", "town"))
    assert out.stdout.splitlines() == [
        f"{v2}: meeting-guide feed 'town': 1 added, 1 updated, 1 unchanged, 1 removed, 1 skipped",
        "  removed (no longer in the feed): Bravo Group (bravo)",
    ]
    assert out.stderr.splitlines() == [
        f"{v2}: skipped record 2 (charlie): day 9 is not 0 (Sunday) to 6"
    ]

    now = {row["ref"]: row for row in search(run)}
    assert set(now) == {"alpha", "charlie", "delta", "echo"}
    assert now["alpha"]["id"] == old["alpha"]["id"] == "alpha"  # same ref, updated in place
    assert now["alpha"]["start"] == "19:30"
    assert now["alpha"]["name"] == "Alpha Renamed Group"
    assert now["alpha"]["updated"] == "2026-07-01"
    assert now["alpha"]["source"]["updated"] == "2026-07-01"
    assert now["charlie"] == old["charlie"]
    assert now["delta"] == old["delta"]
    # Full-text search follows the update and the removal.
    assert lib_refs(home, "renamed") == {"alpha"}
    assert lib_refs(home, "alpha") == {"alpha"}
    assert lib_refs(home, "bravo") == set()
    assert lib_refs(home, day="tue") == set()
    assert ok(run("directory", "search", "Bravo")).stdout == "Nothing found.\n"

    again = ok(run("directory", "import", str(v2), "--source", "town"))
    assert again.stdout.splitlines() == [
        f"{v2}: meeting-guide feed 'town': 0 added, 0 updated, 3 unchanged, 0 removed, 1 skipped"
    ]
    # Back in the feed: listed again (an update of the removed entry, not a new one).
    back = ok(run("directory", "import", str(v1), "--source", "town"))
    assert "0 added, 2 updated, 2 unchanged, 1 removed, 0 skipped" in back.stdout
    assert "  removed (no longer in the feed): Echo Group (echo)" in back.stdout
    assert {row["ref"]: row for row in search(run)} == old


def test_same_feed_twice_is_unchanged(run: Run, home: Path) -> None:
    for feed in (MG, BMLT, HSDS, HSDS_CSV):
        ok(run("directory", "import", str(feed)))
    snapshot = lib_search(home)
    for feed, count, skipped in ((MG, 4, 5), (BMLT, 2, 2), (HSDS, 4, 2), (HSDS_CSV, 2, 0)):
        again = ok(run("directory", "import", str(feed)))
        assert f": 0 added, 0 updated, {count} unchanged, 0 removed, {skipped} skipped" in (
            again.stdout
        )
    assert lib_search(home) == snapshot


def test_reimport_marks_temporarily_closed(run: Run, home: Path, tmp_path: Path) -> None:
    rows = [mg_row("alpha", "Alpha Group", types=["O"])]
    lib_import(home, write_json(tmp_path / "a.json", rows), "town")
    rows[0]["types"] = ["O", "TC"]
    result = lib_import(home, write_json(tmp_path / "b.json", rows), "town")
    assert (result.added, result.updated, result.removed) == (0, 1, [])
    (row,) = search(run)
    assert row["active"] is False
    assert "[temporarily closed]" in ok(run("directory", "search", "alpha")).stdout


def test_removal_is_per_source(home: Path, tmp_path: Path) -> None:
    lib_import(home, MG, "mg")
    lib_import(home, BMLT, "bmlt")
    rows = json.loads(BMLT.read_text())
    kept = [r for r in rows if r.get("id_bigint") not in ("4101", "4102")][:1]
    kept.append({**rows[0], "id_bigint": "4200", "meeting_name": "New Meeting"})
    result = lib_import(home, write_json(tmp_path / "bmlt.json", kept), "bmlt")
    assert sorted(result.removed) == ["Clean Start Saturday (4102)", "Miracles on Maple (4101)"]
    assert lib_refs(home) == {
        "lincoln-square-big-book",
        "saturday-morning-serenity",
        "night-owls-online",
        "temporarily-closed-tuesday",
        "4200",
    }


def test_an_empty_feed_removes_nothing(home: Path, tmp_path: Path) -> None:
    from iopcli.directory import DirectoryError

    lib_import(home, BMLT, "bmlt")
    before = lib_refs(home)
    with pytest.raises(DirectoryError, match="the feed is empty"):
        lib_import(home, write_json(tmp_path / "bmlt.json", []), "bmlt")
    assert lib_refs(home) == before


def test_bmlt_record_that_becomes_malformed_is_kept(run: Run, tmp_path: Path) -> None:
    rows = json.loads(BMLT.read_text())
    ok(run("directory", "import", str(BMLT), "--source", "na"))
    before = search(run)
    rows[0]["weekday_tinyint"] = "9"
    changed = write_json(tmp_path / "bmlt2.json", rows)
    result = ok(run("directory", "import", str(changed), "--source", "na"))
    assert "0 removed" in result.stdout
    assert search(run) == before


# --- searching -------------------------------------------------------------------------------


def test_search_everything(loaded: Run) -> None:
    rows = search(loaded)
    assert {r["ref"] for r in rows} == MEETINGS | RESOURCES
    assert {r["ref"] for r in rows if r["kind"] == "meeting"} == MEETINGS
    assert {r["ref"] for r in rows if r["kind"] == "resource"} == RESOURCES


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Brendan", {"lincoln-square-big-book"}),
        ("brendan's", {"lincoln-square-big-book"}),
        ("BREND", {"lincoln-square-big-book"}),  # prefix
        ("Brendán", {"lincoln-square-big-book"}),  # accents ignored in the query
        ("cafe", {"smart-cafe-esperanza"}),  # accents ignored in the data
        ("RECUPERACIÓN", {"smart-cafe-esperanza"}),
        ("seren", {"saturday-morning-serenity"}),
        ("housing", {"svc-housing-1"}),
        ("smart recovery", {"smart-cafe-esperanza", "smart-online-thursday"}),
        ("nonexistentword", set()),
    ],
)
def test_search_text(loaded: Run, words: str, expected: set[str]) -> None:
    assert refs(loaded, words) == expected


def test_search_text_output(loaded: Run) -> None:
    out = ok(loaded("directory", "search", "brendan")).stdout
    # The sample listing was updated 2026-10-02: stale once a year has passed since then.
    stale = (dt.date.today() - dt.date(2026, 10, 2)).days > 365
    assert out.splitlines() == [
        "lincoln-square-big-book  Lincoln Square Big Book Study (AA) Tue, Thu 7:00 pm"
        "  St. Brendan's parish hall; 2231 W Fennimore St, Chicago, IL 60625, USA"
        + (" [stale: not verified in over a year]" if stale else "")
    ]
    assert ok(loaded("directory", "search", "zzzqqq")).stdout == "Nothing found.\n"
    flags = ok(loaded("directory", "search")).stdout
    (owls,) = [line for line in flags.splitlines() if line.startswith("night-owls-online ")]
    assert owls.endswith("online [stale: not verified in over a year]")
    (closed,) = [line for line in flags.splitlines() if line.startswith("temporarily-closed")]
    assert closed.endswith("[temporarily closed]")
    (food,) = [line for line in flags.splitlines() if line.startswith("svc-food-1 ")]
    assert food == (
        "svc-food-1  Uptown Community Food Pantry [food]  312-555-0177"
        " [stale: not verified in over a year]"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--day", "tuesday"], {"lincoln-square-big-book", "temporarily-closed-tuesday"}),
        (["--day", "Tue"], {"lincoln-square-big-book", "temporarily-closed-tuesday"}),
        (["--day", "tu"], {"lincoln-square-big-book", "temporarily-closed-tuesday"}),
        (["--day", "thu"], {"lincoln-square-big-book", "smart-online-thursday"}),
        (["--day", "Sunday"], {"night-owls-online"}),
        (["--day", "sa"], {"saturday-morning-serenity", "4102"}),
        (
            ["--after", "18:00"],
            {"lincoln-square-big-book", "4101", "night-owls-online", "smart-cafe-esperanza"},
        ),
        (["--after", "7pm"], {"lincoln-square-big-book", "4101", "night-owls-online"}),
        (["--before", "10am"], {"saturday-morning-serenity", "smart-online-thursday"}),
        (
            ["--after", "10:00", "--before", "noon"],
            {"saturday-morning-serenity", "4102", "temporarily-closed-tuesday"},
        ),
        (["--online"], {"night-owls-online", "4102", "smart-online-thursday"}),
        (["--fellowship", "NA"], {"4101", "4102"}),
        (["--fellowship", "narcotics anonymous"], {"4101", "4102"}),
        (["--fellowship", "SMART Recovery"], {"smart-cafe-esperanza", "smart-online-thursday"}),
        (["--fellowship", "smart"], {"smart-cafe-esperanza", "smart-online-thursday"}),
        (
            ["--fellowship", "aa"],
            {
                "lincoln-square-big-book",
                "saturday-morning-serenity",
                "night-owls-online",
                "temporarily-closed-tuesday",
            },
        ),
        (["--type", "W"], {"saturday-morning-serenity"}),
        (["--type", "w"], {"saturday-morning-serenity"}),
        (["--type", "ONL"], {"night-owls-online", "smart-online-thursday"}),
        (["--category", "housing"], {"svc-housing-1"}),
        (["--category", "Legal"], {"svc-legal-1"}),
        (["serenity", "--day", "sat"], {"saturday-morning-serenity"}),
        (["serenity", "--day", "sun"], set()),
        (["--fellowship", "aa", "--online"], {"night-owls-online"}),
        (["--day", "tue", "--after", "6pm"], {"lincoln-square-big-book"}),
        (["--fellowship", "na", "--in-person", "--after", "12:00"], {"4101", "4102"}),
    ],
)
def test_search_filters(loaded: Run, args: list[str], expected: set[str]) -> None:
    assert refs(loaded, *args) == expected


def test_search_in_person_meetings(loaded: Run) -> None:
    rows = search(loaded, "--in-person")
    assert {r["ref"] for r in rows if r["kind"] == "meeting"} == MEETINGS - {
        "night-owls-online",
        "smart-online-thursday",
    }
    assert all(r.get("address") or r.get("location") for r in rows)


def test_search_time_filters_only_return_meetings(loaded: Run) -> None:
    assert {r["kind"] for r in search(loaded, "--after", "0:00")} == {"meeting"}
    assert {r["kind"] for r in search(loaded, "--category", "legal")} == {"resource"}


def test_search_limit(loaded: Run) -> None:
    assert len(json.loads(ok(loaded("directory", "search", "--json", "--limit", "3")).stdout)) == 3
    assert len(json.loads(ok(loaded("directory", "search", "--json")).stdout)) == 12


def test_search_json_keys(loaded: Run) -> None:
    rows = {row["ref"]: row for row in search(loaded)}
    lincoln = rows["lincoln-square-big-book"]
    assert set(lincoln) == {
        "ref",
        "kind",
        "source",
        "updated",
        "stale",
        "active",
        "id",
        "name",
        "fellowship",
        "days",
        "start",
        "end",
        "timezone",
        "location",
        "address",
        "types",
        "type_names",
        "location_notes",
    }
    assert lincoln["kind"] == "meeting"
    assert lincoln["updated"] == "2026-10-02"
    assert lincoln["stale"] is ((TODAY - dt.date(2026, 10, 2)).days > 365)
    assert lincoln["active"] is True
    # The item's own `source` (feed, id, updated) is what `source` holds.
    assert lincoln["source"] == {
        "feed": "mg",
        "id": "lincoln-square-big-book",
        "updated": "2026-10-02",
    }
    assert lincoln["days"] == ["tue", "thu"]
    assert (lincoln["start"], lincoln["end"]) == ("19:00", "20:15")
    assert lincoln["fellowship"] == "aa"

    food = rows["svc-food-1"]
    assert set(food) == {
        "ref",
        "kind",
        "source",
        "updated",
        "stale",
        "active",
        "id",
        "name",
        "category",
        "phone",
        "hours",
        "notes",
        "verified",
        "opening_hours",
    }
    assert food["kind"] == "resource"
    assert food["stale"] is True
    assert food["verified"] == food["updated"] == "2024-03-01"

    assert rows["night-owls-online"]["stale"] is True
    assert rows["smart-online-thursday"]["stale"] is True
    assert rows["smart-cafe-esperanza"]["updated"] is None
    assert rows["smart-cafe-esperanza"]["stale"] is False
    assert rows["smart-cafe-esperanza"]["fellowship"] == "smart_recovery"
    assert rows["temporarily-closed-tuesday"]["active"] is False
    assert rows["svc-legal-1"]["active"] is False
    assert rows["4101"]["updated"] is None


def test_stale_is_over_a_year(run: Run, home: Path, tmp_path: Path) -> None:
    def ago(days: int) -> str:
        return (TODAY - dt.timedelta(days=days)).isoformat()

    rows = [
        mg_row("fresh", "Fresh Group", updated=ago(10)),
        mg_row("old", "Old Group", updated=ago(400)),
        mg_row("undated", "Undated Group", updated=None),
    ]
    lib_import(home, write_json(tmp_path / "s.json", rows), "s")
    stale = {row["ref"]: row["stale"] for row in search(run)}
    assert stale == {"fresh": False, "old": True, "undated": False}
    lines = ok(run("directory", "search")).stdout.splitlines()
    assert [line for line in lines if "[stale" in line] == [
        next(line for line in lines if line.startswith("old "))
    ]

    def entry(updated: dt.date | None) -> Listing:
        return Listing("meeting", "s", "x", {}, updated, True, None)

    day = dt.date(2027, 6, 1)
    assert not entry(day - dt.timedelta(days=365)).stale(day)
    assert entry(day - dt.timedelta(days=366)).stale(day)
    assert not entry(None).stale(day)


@pytest.mark.parametrize(
    "args",
    [
        ["--day", "xx"],
        ["--after", "25:00"],
        ["--after", "7"],
        ["--before", "soon"],
        ["--fellowship", "zz"],
        ["--category", "nope"],
        ["--limit", "0"],
        ["--bogus"],
    ],
)
def test_search_bad_option_values_exit_2(loaded: Run, args: list[str]) -> None:
    result = loaded("directory", "search", *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    if args[0] in ("--day", "--after", "--before", "--fellowship", "--category"):
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"{args[0]}: {args[1]!r} ")  # the option, what was typed, why


def test_bad_day_message_says_what_is_wrong(loaded: Run) -> None:
    line = one_line_error(loaded("directory", "search", "--day", "xx"), code=2)
    assert "errors.pydantic.dev" not in line
    assert line == "--day: 'xx' is not one of 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun'"


# --- a large directory -------------------------------------------------------------------------

WORDS = ["Serenity", "Daybreak", "Lighthouse", "Keystone", "Riverbend", "Willow", "Granite"]
TYPES = ["O", "C", "D", "B", "W", "M", "ST", "SP", "BE", "LGBTQ"]


def synthetic_feed(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        day: Any = rng.randrange(7)
        if rng.random() < 0.2:
            day = sorted(rng.sample(range(7), rng.randrange(2, 4)))
        word = WORDS[i % len(WORDS)]
        row: dict[str, Any] = {
            "name": f"{word} Group {i}",
            "slug": f"synthetic-{i:05d}",
            "day": day,
            "time": f"{rng.randrange(6, 23):02d}:{rng.choice([0, 15, 30, 45]):02d}",
            "types": rng.sample(TYPES, rng.randrange(0, 4)),
            "timezone": "America/Chicago",
            "updated": "2026-01-15",
        }
        if rng.random() < 0.3:
            row["conference_url"] = f"https://meet.example.org/j/{i}"
            row["types"].append("ONL")
        if rng.random() < 0.85:
            row["location"] = f"Hall {i}"
            row["formatted_address"] = f"{i} Invented Ave, Springfield, IL 62701"
        rows.append(row)
    return rows


@pytest.mark.slow
def test_five_thousand_meetings(tmp_path: Path) -> None:
    rows = synthetic_feed(5_000, seed=20_000)
    path = write_json(tmp_path / "big.json", rows)
    feed = read_feed(path, "big")
    assert feed.format == "meeting-guide"
    directory: Directory
    with contextlib.closing(open_directory(tmp_path / "home")) as directory:
        result = directory.import_feed(feed, "big", str(path))
        assert (result.added, result.updated, result.removed, result.skipped) == (5_000, 0, [], [])
        assert live_count(tmp_path / "home") == 5_000

        def days(row: dict[str, Any]) -> list[int]:
            return row["day"] if isinstance(row["day"], list) else [row["day"]]

        def minute(row: dict[str, Any]) -> int:
            hour, minutes = row["time"].split(":")
            return int(hour) * 60 + int(minutes)

        def found(text: str | None = None, **filters: Any) -> set[str]:
            return {e.ref for e in directory.search(text, limit=100_000, **filters)}

        def expect(keep: Any) -> set[str]:
            return {row["slug"] for row in rows if keep(row)}

        tuesday = expect(lambda r: 2 in days(r))
        assert found(day="tue") == tuesday
        assert 500 < len(tuesday) < 1_500
        assert found(day="sun", after=18 * 60, before=20 * 60) == expect(
            lambda r: 0 in days(r) and 18 * 60 <= minute(r) <= 20 * 60
        )
        assert found(online=True) == expect(lambda r: "conference_url" in r)
        assert found(online=False) == expect(lambda r: "location" in r)
        assert found(type_code="W") == expect(lambda r: "W" in r["types"])
        assert found(fellowship="aa") == expect(lambda r: True)
        assert found(fellowship="na") == set()
        assert found("keystone") == expect(lambda r: r["name"].startswith("Keystone "))
        assert found("riverb", day="fri", online=True) == expect(
            lambda r: r["name"].startswith("Riverbend ") and 5 in days(r) and "conference_url" in r
        )
        assert found("Group 4321") >= {"synthetic-04321"}
        assert found("4321") == {"synthetic-04321"}  # name, address and location all say it
        first = directory.search(day="mon", limit=25)
        assert len(first) == 25
        starts = [e.data["start"] for e in first]
        assert starts == sorted(starts)

        # The same feed again: nothing changes. Then a thousand edited and a thousand gone.
        again = directory.import_feed(read_feed(path, "big"), "big", str(path))
        assert (again.added, again.updated, again.unchanged) == (0, 0, 5_000)
        for row in rows[:1000]:
            row["time"] = "05:00"
        del rows[-1000:]
        edited = write_json(tmp_path / "big2.json", rows)
        third = directory.import_feed(read_feed(edited, "big"), "big", str(edited))
        assert (third.added, third.updated, third.unchanged) == (0, 1000, 3_000)
        assert len(third.removed) == 1000
        assert live_count(tmp_path / "home") == 4_000
        assert found(before=5 * 60) == {f"synthetic-{i:05d}" for i in range(1000)}
        assert found(day="tue") == expect(lambda r: 2 in days(r))


# --- adding to a plan and refreshing ---------------------------------------------------------


@pytest.fixture
def dana(run: Run, home: Path, tmp_path: Path) -> Run:
    """Dana's plan in the store (through the command); the sample meeting and HSDS feeds in
    the directory as sources 'mg' and 'hsds'."""
    ok(run("import", str(DANA)))
    lib_import(home, MG, "mg")
    lib_import(home, HSDS, "hsds")
    return run


def plan_body(home: Path) -> tuple[int, dict[str, Any]]:
    with contextlib.closing(open_store(home, create=False)) as store:
        return store.current_revision(DANA_ID), store.body(DANA_ID)


def item(body: dict[str, Any], section: str, item_id: str) -> dict[str, Any]:
    (found,) = [i for i in body.get(section, []) if i["id"] == item_id]
    return found


NIGHT_OWLS = {
    "id": "night-owls-online",
    "name": "Night Owls Online",
    "fellowship": "aa",
    "days": ["sun"],
    "start": "21:30",
    "timezone": "America/New_York",
    "online_url": "https://meet.example.org/j/5550142",
    "online_phone": "+13125550142,,5550142#",
    "online_notes": "Meeting ID 555 0142, passcode owls",
    "types": ["O", "ONL"],
    "type_names": {"O": "Open", "ONL": "Online Meeting"},
    "source": {"feed": "mg", "id": "night-owls-online", "updated": "2024-05-01"},
}


def test_add_meeting_and_resource(dana: Run, home: Path) -> None:
    revision, before = plan_body(home)
    assert revision == 1
    added = ok(dana("edit", "dana", "meetings", "--add", "night-owls-online", stdin=""))
    assert added.stdout.splitlines() == [
        "meetings: added Night Owls Online (mg:night-owls-online)",
        "3f6c2a9e: saved as revision 2",
    ]
    revision, body = plan_body(home)
    assert revision == 2
    assert body["meetings"][:-1] == before["meetings"]
    assert body["meetings"][-1] == NIGHT_OWLS

    added = ok(dana("edit", "dana", "resources", "--add", "svc-housing-1", stdin=""))
    assert added.stdout.splitlines() == [
        "resources: added Northside Recovery Housing Navigation (Lakeview Housing Partners)"
        " (hsds:svc-housing-1)",
        "3f6c2a9e: saved as revision 3",
    ]
    revision, body = plan_body(home)
    assert revision == 3
    assert body["resources"][:-1] == before["resources"]
    assert body["resources"][-1] == {
        "id": "svc-housing-1",
        "name": "Northside Recovery Housing Navigation (Lakeview Housing Partners)",
        "category": "housing",
        "phone": "(312) 555-0130",
        "url": "https://housing.example.org",
        "address": "1500 W Corliss Ave, Chicago, IL 60613",
        "hours": "MO,TU,WE,TH,FR 09:00-17:00",
        "opening_hours": [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "opens": "09:00", "closes": "17:00"}
        ],
        "other_phones": [{"number": "(312) 555-0131", "kind": "fax"}],
        "notes": "Help finding sober living and transitional housing.",
        "verified": "2026-09-30",
        "source": {"feed": "hsds", "id": "svc-housing-1", "updated": "2026-09-30"},
    }
    history = ok(dana("history", "dana")).stdout
    assert "added from the directory" in history
    assert ok(dana("refresh", "dana")).stdout == (
        "Everything copied from the directory is up to date.\n"
    )


def test_add_several_and_an_id_already_taken(dana: Run, home: Path) -> None:
    # Dana's plan already has a meeting with the id lincoln-square-big-book.
    result = ok(
        dana(
            "edit",
            "dana",
            "meetings",
            "--add",
            "lincoln-square-big-book",
            "--add",
            "mg:saturday-morning-serenity",
            stdin="",
        )
    )
    assert result.stdout.splitlines() == [
        # Dana's own entry is the same meeting (same name, days and start): not added twice.
        "meetings: Lincoln Square Big Book Study is already in the plan"
        " (as lincoln-square-big-book); not added",
        "meetings: added Saturday Morning Serenity (mg:saturday-morning-serenity)",
        "3f6c2a9e: saved as revision 2",
    ]
    revision, body = plan_body(home)
    assert revision == 2
    assert item(body, "meetings", "lincoln-square-big-book")["location"] == (
        "St. Brendan's parish hall, lower level"  # Dana's own entry is untouched
    )
    assert not [i for i in body["meetings"] if i["id"] == "lincoln-square-big-book-2"]
    # The Saturday id is taken by another of Dana's meetings: the copy gets its own.
    copy = item(body, "meetings", "saturday-morning-serenity-2")
    assert copy["source"]["feed"] == "mg"
    assert copy["source"]["id"] == "saturday-morning-serenity"


def test_add_needs_a_known_ref_of_the_right_kind(dana: Run, home: Path) -> None:
    line = one_line_error(dana("edit", "dana", "meetings", "--add", "nope", stdin=""))
    assert line == "no directory entry 'nope' (see: iopcli directory search)"
    line = one_line_error(dana("edit", "dana", "meetings", "--add", "svc-housing-1", stdin=""))
    assert "no directory entry 'svc-housing-1'" in line
    line = one_line_error(dana("edit", "dana", "resources", "--add", "night-owls-online", stdin=""))
    assert "no directory entry 'night-owls-online'" in line
    # One unknown ref among good ones saves nothing.
    result = dana(
        "edit", "dana", "meetings", "--add", "night-owls-online", "--add", "nope", stdin=""
    )
    assert result.returncode == 1
    assert plan_body(home)[0] == 1


@pytest.mark.parametrize("section", ["contacts", "goals", None])
def test_add_goes_with_meetings_or_resources(dana: Run, home: Path, section: str | None) -> None:
    args = ["edit", "dana", *([section] if section else []), "--add", "night-owls-online"]
    line = one_line_error(dana(*args, stdin=""), code=2)
    assert line == "--add goes with the meetings or resources section"
    assert plan_body(home)[0] == 1


def test_add_without_a_directory(run: Run, home: Path) -> None:
    ok(run("import", str(DANA)))
    line = one_line_error(run("edit", "dana", "meetings", "--add", "night-owls-online", stdin=""))
    assert "no directory yet" in line


def test_add_when_two_feeds_share_an_id(dana: Run, home: Path) -> None:
    lib_import(home, MG, "mg-copy")
    line = one_line_error(dana("edit", "dana", "meetings", "--add", "night-owls-online", stdin=""))
    assert line == (
        "'night-owls-online' is in more than one feed: mg:night-owls-online,"
        " mg-copy:night-owls-online; name one"
    )
    ok(dana("edit", "dana", "meetings", "--add", "mg-copy:night-owls-online", stdin=""))
    _, body = plan_body(home)
    assert item(body, "meetings", "night-owls-online")["source"]["feed"] == "mg-copy"


def test_refresh_shows_then_applies_upstream_changes(dana: Run, home: Path, tmp_path: Path) -> None:
    ok(dana("edit", "dana", "meetings", "--add", "night-owls-online", stdin=""))
    ok(dana("edit", "dana", "resources", "--add", "svc-housing-1", stdin=""))
    revision, body = plan_body(home)
    assert revision == 3

    meetings = json.loads(MG.read_text())
    owls = next(m for m in meetings if isinstance(m, dict) and m.get("slug") == "night-owls-online")
    owls["time"] = "22:00"
    owls["updated"] = "2026-11-01 10:00:00"
    changed = write_json(tmp_path / "mg-v2.json", meetings)
    result = ok(dana("directory", "import", str(changed), "--source", "mg"))
    assert "0 added, 1 updated, 3 unchanged, 0 removed" in result.stdout
    services = json.loads(HSDS.read_text())
    services["services"][0]["phones"][0]["number"] = "(312) 555-0139"
    lib_import(home, write_json(tmp_path / "hsds-v2.json", services), "hsds")
    assert plan_body(home) == (3, body)  # the plan keeps its own copy

    shown = ok(dana("refresh", "dana"))
    assert shown.stdout.splitlines() == [
        "meetings[night-owls-online].source.updated: 2024-05-01 -> 2026-11-01",
        "meetings[night-owls-online].start: 21:30 -> 22:00",
        "resources[svc-housing-1].phone: (312) 555-0130 -> (312) 555-0139",
        "Run again with --apply to take these changes.",
    ]
    assert plan_body(home) == (3, body)

    applied = ok(dana("refresh", "dana", "--apply"))
    assert applied.stdout.splitlines()[-1] == "3f6c2a9e: saved as revision 4"
    revision, after = plan_body(home)
    assert revision == 4
    owls_item = item(after, "meetings", "night-owls-online")
    assert owls_item["start"] == "22:00"
    assert owls_item["source"] == {
        "feed": "mg",
        "id": "night-owls-online",
        "updated": "2026-11-01",
    }
    assert item(after, "resources", "svc-housing-1")["phone"] == "(312) 555-0139"
    # Everything else is as it was.
    assert item(after, "meetings", "lincoln-square-big-book") == item(
        body, "meetings", "lincoln-square-big-book"
    )
    assert ok(dana("refresh", "dana")).stdout == (
        "Everything copied from the directory is up to date.\n"
    )
    assert "refresh" in ok(dana("history", "dana")).stdout


def test_refresh_reports_a_meeting_gone_upstream_and_never_removes_it(
    dana: Run, home: Path, tmp_path: Path
) -> None:
    ok(dana("edit", "dana", "meetings", "--add", "night-owls-online", stdin=""))
    revision, body = plan_body(home)
    meetings = [
        m
        for m in json.loads(MG.read_text())
        if not (isinstance(m, dict) and m.get("slug") == "night-owls-online")
    ]
    gone = lib_import(home, write_json(tmp_path / "mg-v3.json", meetings), "mg")
    assert gone.removed == ["Night Owls Online (night-owls-online)"]
    assert plan_body(home) == (revision, body)

    gone_line = (
        "meetings[night-owls-online]: Night Owls Online: no longer listed in mg (closed or"
        " moved?); kept in the plan: check it and remove it by hand if it is gone"
    )
    shown = ok(dana("refresh", "dana"))
    nothing = "Nothing to take: check the entries above and edit the plan if they are gone."
    assert shown.stdout.splitlines() == [gone_line, nothing]
    assert plan_body(home) == (revision, body)

    # Taking the changes never takes a meeting out of the plan (issue 12, item 4).
    applied = ok(dana("refresh", "dana", "--apply"))
    assert applied.stdout.splitlines() == [gone_line, nothing]
    assert plan_body(home) == (revision, body)


def test_refresh_of_a_plan_with_nothing_from_the_directory(dana: Run, home: Path) -> None:
    assert ok(dana("refresh", "dana")).stdout == (
        "Everything copied from the directory is up to date.\n"
    )
    assert ok(dana("refresh", "dana", "--apply")).stdout == (
        "Everything copied from the directory is up to date.\n"
    )
    assert plan_body(home)[0] == 1
    line = one_line_error(dana("refresh", "nobody"))
    assert line == "no stored plan matches 'nobody' (see: iopcli list --all)"


# --- validate --strict -------------------------------------------------------------------------


def _with_source(tmp_path: Path, updated: dt.date) -> Path:
    text = DANA.read_text()
    anchor = "    types: [C, B, X]\n"
    assert text.count(anchor) == 1
    source = (
        f"    source: {{feed: mg, id: lincoln-square-big-book, updated: {updated.isoformat()}}}\n"
    )
    path = tmp_path / f"dana-{updated.isoformat()}.yaml"
    path.write_text(text.replace(anchor, anchor + source))
    return path


def test_validate_strict_warns_about_an_old_listing(run: Run, tmp_path: Path) -> None:
    old = _with_source(tmp_path, TODAY - dt.timedelta(days=400))
    result = run("validate", "--strict", str(old))
    assert result.returncode == 1, result.stdout
    stale = [line for line in result.stdout.splitlines() if "listing was last updated" in line]
    assert len(stale) == 1
    assert stale[0].startswith(f"{old}:")
    assert (
        ": meetings.0.source: warning: Lincoln Square Big Book Study: its listing was last"
        in (stale[0])
    )
    assert "iopcli refresh" in stale[0]
    assert ok(run("validate", str(old))).stdout == f"{old}: ok\n"  # only a warning, with --strict

    recent = _with_source(tmp_path, TODAY - dt.timedelta(days=30))
    fresh = run("validate", "--strict", str(recent))
    assert "listing was last updated" not in fresh.stdout
    report = json.loads(run("validate", "--strict", "--json", str(old)).stdout)
    assert any(
        w["path"] == "meetings.0.source" and "over a year ago" in w["message"]
        for w in report[0]["warnings"]
    )
