"""The store commands, run as the installed ``iopcli`` in a subprocess with a private home."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, Run
from iopcli.planfile import read_plan
from iopcli.store import DB_NAME, STORE_SCHEMA_VERSION, open_store

DANA = ROOT / "examples" / "alcohol-depression.yaml"
MARCUS = ROOT / "examples" / "opioid-buprenorphine.yaml"
DANA_ID = "3f6c2a9e-7b41-4d2a-9c55-1e8a0d4b7f21"
MARCUS_ID = "8d2e5b17-04c9-4f3a-b6e1-9a7c3f50d2c8"
SECRET = "Quokka-Tangerine-7731"


def edited(tmp_path: Path, name: str, *replacements: tuple[str, str]) -> Path:
    """A copy of Dana's example plan with text replaced (each replacement must apply)."""
    text = DANA.read_text()
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text)
    return path


def later_start(tmp_path: Path) -> Path:
    return edited(tmp_path, "dana-730.yaml", ("    start: 7pm\n", "    start: 7:30pm\n"))


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed with exit 1 and exactly one line on stderr; returns that line."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"  # what the `run` fixture sets IOPCLI_HOME to


@pytest.fixture
def stored(run: Run, tmp_path: Path, home: Path) -> Run:
    """Dana at revisions 1 (as in the example) and 2 (meeting at 7:30 pm); Marcus at 1.

    Saved through the library, with the sources ``iopcli import`` records, to keep the suite
    fast; importing through the command is tested on its own."""
    with contextlib.closing(open_store(home)) as store:
        store.save(read_plan(str(DANA)), source="import alcohol-depression.yaml")
        store.save(read_plan(str(MARCUS)), source="import opioid-buprenorphine.yaml")
        store.save(read_plan(str(later_start(tmp_path))), source="import dana-730.yaml")
    return run


# --- import --------------------------------------------------------------------------------


def test_import_prints_each_revision_or_unchanged(run: Run, tmp_path: Path, home: Path) -> None:
    first = run("import", str(DANA), str(MARCUS))
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        f"{DANA}: 3f6c2a9e Dana: revision 1",
        f"{MARCUS}: 8d2e5b17 Marcus: revision 1",
    ]
    assert first.stderr == ""
    again = run("import", str(DANA), str(MARCUS))
    assert again.returncode == 0
    assert again.stdout.splitlines() == [
        f"{DANA}: 3f6c2a9e Dana: unchanged",
        f"{MARCUS}: 8d2e5b17 Marcus: unchanged",
    ]
    changed = later_start(tmp_path)
    third = run("import", str(changed))
    assert third.stdout.splitlines() == [f"{changed}: 3f6c2a9e Dana: revision 2"]
    assert (home / DB_NAME).exists()
    with contextlib.closing(open_store(home, create=False)) as store:
        assert [r.source for r in store.history(DANA_ID)] == [
            "import alcohol-depression.yaml",
            "import dana-730.yaml",
        ]


def test_import_from_stdin(run: Run) -> None:
    result = run("import", "-", stdin=DANA.read_text())
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["-: 3f6c2a9e Dana: revision 1"]


def test_a_bad_file_does_not_stop_the_others(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nprogram: {name: P, discharge_date: 2027-01-01}\n")
    result = run("import", str(bad), str(MARCUS))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"{MARCUS}: 8d2e5b17 Marcus: revision 1"]
    assert f"{bad}: person: is required but missing" in result.stderr
    assert "Traceback" not in result.stderr
    listed = json.loads(run("list", "--json").stdout)
    assert [p["name"] for p in listed] == ["Marcus"]


# --- list ----------------------------------------------------------------------------------


def test_list_with_no_store_yet(run: Run, home: Path) -> None:
    result = run("list")
    assert result.returncode == 0
    assert result.stdout.strip() == "No plans stored yet. Add one with: iopcli import FILE"
    assert json.loads(run("list", "--json").stdout) == []
    assert not home.exists()


def test_list_table(stored: Run) -> None:
    result = stored("list")
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["id", "name", "discharged", "last", "change", "revisions"]
    assert len(rows) == 2
    dana, marcus = (row.split() for row in rows)
    assert dana[:3] == ["3f6c2a9e", "Dana", "2027-03-05"]
    assert dana[-1] == "2"
    assert marcus[:3] == ["8d2e5b17", "Marcus", "2027-03-08"]
    assert marcus[-1] == "1"
    # The last change, in local time, to the minute.
    dt.datetime.strptime(f"{dana[3]} {dana[4]}", "%Y-%m-%d %H:%M")


def test_list_json_has_exactly_these_keys(stored: Run, home: Path) -> None:
    result = stored("list", "--json")
    assert result.returncode == 0
    rows = json.loads(result.stdout)
    for row in rows:
        assert list(row) == [
            "id",
            "name",
            "discharge_date",
            "last_change",
            "revisions",
            "archived",
        ]
        assert dt.datetime.fromisoformat(row["last_change"]).utcoffset() == dt.timedelta(0)
    with contextlib.closing(open_store(home, create=False)) as store:
        saved = {pid: store.history(pid)[-1].saved_at for pid in (DANA_ID, MARCUS_ID)}
    assert [{k: v for k, v in row.items() if k != "last_change"} for row in rows] == [
        {
            "id": DANA_ID,
            "name": "Dana",
            "discharge_date": "2027-03-05",
            "revisions": 2,
            "archived": False,
        },
        {
            "id": MARCUS_ID,
            "name": "Marcus",
            "discharge_date": "2027-03-08",
            "revisions": 1,
            "archived": False,
        },
    ]
    assert [dt.datetime.fromisoformat(r["last_change"]) for r in rows] == [
        saved[DANA_ID],
        saved[MARCUS_ID],
    ]


# --- history and diff ----------------------------------------------------------------------


def test_history_table(stored: Run) -> None:
    result = stored("history", "dana")
    assert result.returncode == 0, result.stderr
    header, first, second = result.stdout.splitlines()
    assert header.split() == ["rev", "saved", "by", "changed"]
    assert first.split()[0] == "1"
    assert " ".join(first.split()[3:]) == "import alcohol-depression.yaml (new plan)"
    assert second.split()[0] == "2"
    assert " ".join(second.split()[3:]) == (
        "import dana-730.yaml meetings[lincoln-square-big-book].start"
    )
    # The saved time, in local time, to the minute.
    dt.datetime.strptime(" ".join(first.split()[1:3]), "%Y-%m-%d %H:%M")


def test_history_json(stored: Run) -> None:
    result = stored("history", "--json", "3f6c")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    for row in rows:
        assert list(row) == ["revision", "saved_at", "source", "changes"]
        dt.datetime.fromisoformat(row["saved_at"])
    assert [{k: v for k, v in r.items() if k != "saved_at"} for r in rows] == [
        {"revision": 1, "source": "import alcohol-depression.yaml", "changes": ["(new plan)"]},
        {
            "revision": 2,
            "source": "import dana-730.yaml",
            "changes": ["meetings[lincoln-square-big-book].start"],
        },
    ]


def test_history_summarises_many_changes(run: Run, tmp_path: Path) -> None:
    run("import", str(DANA))
    many = edited(
        tmp_path,
        "many.yaml",
        ("    start: 7pm\n", "    start: 7:30pm\n"),
        ("    end: 8:15pm\n", "    end: 8:45pm\n"),
        ("discreet: false\n", "discreet: true\n"),
        ("  pronouns: she/her\n", "  pronouns: they/them\n"),
        ("  next_review: 2027-04-06\n", "  next_review: 2027-04-08\n"),
        ("  level_of_care: standard_outpatient\n", "  level_of_care: iop_step_down\n"),
    )
    run("import", str(many))
    changes = json.loads(run("history", "--json", "dana").stdout)[-1]["changes"]
    assert changes == [
        "discreet",
        "meetings[lincoln-square-big-book].end",
        "meetings[lincoln-square-big-book].start",
        "person.pronouns",
        "program.level_of_care",
        "program.next_review",
    ]
    table = run("history", "dana").stdout
    assert "and 2 more" in table


def test_diff_shows_changed_paths(stored: Run) -> None:
    result = stored("diff", "dana")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "3f6c2a9e: revision 1 -> 2",
        "~ meetings[lincoln-square-big-book].start: 19:00 -> 19:30",
    ]
    assert stored("diff", "dana", "2", "1").stdout.splitlines() == [
        "3f6c2a9e: revision 2 -> 1",
        "~ meetings[lincoln-square-big-book].start: 19:30 -> 19:00",
    ]
    assert stored("diff", "marcus").stdout.splitlines() == [
        "8d2e5b17: revision 1 -> 1",
        "no differences",
    ]


def test_diff_shows_added_and_removed(run: Run, tmp_path: Path) -> None:
    run("import", str(DANA))
    changed = edited(
        tmp_path,
        "changed.yaml",
        ("  pronouns: she/her\n", ""),
        (
            "    days: [Tue, thursday]\n",
            "    days: [Tue, thursday]\n    online_url: https://x.example.org/m\n",
        ),
    )
    assert run("import", str(changed)).returncode == 0
    assert run("diff", "dana").stdout.splitlines() == [
        "3f6c2a9e: revision 1 -> 2",
        "+ meetings[lincoln-square-big-book].online_url: https://x.example.org/m",
        "- person.pronouns: she/her",
    ]


def test_diff_unknown_revision(stored: Run) -> None:
    line = one_line_error(stored("diff", "dana", "1", "9"))
    assert line == "plan 3f6c2a9e has no revision 9; its revisions are 1 to 2"


# --- restore, archive, purge ---------------------------------------------------------------


def test_restore(stored: Run, home: Path) -> None:
    result = stored("restore", "dana", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3f6c2a9e: revision 1 restored as revision 3"
    assert stored("diff", "dana", "1", "3").stdout.splitlines()[1:] == ["no differences"]
    history = json.loads(stored("history", "--json", "dana").stdout)
    assert [(r["revision"], r["source"]) for r in history] == [
        (1, "import alcohol-depression.yaml"),
        (2, "import dana-730.yaml"),
        (3, "restore of revision 1"),
    ]
    assert history[2]["changes"] == ["meetings[lincoln-square-big-book].start"]
    again = stored("restore", "dana", "3")
    assert again.stdout.strip() == "3f6c2a9e: revision 3 is already the current content"
    assert len(json.loads(stored("history", "--json", "dana").stdout)) == 3
    assert one_line_error(stored("restore", "dana", "7")) == (
        "plan 3f6c2a9e has no revision 7; its revisions are 1 to 3"
    )


def test_archive_and_unarchive(stored: Run) -> None:
    result = stored("archive", "dana")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3f6c2a9e: archived"
    assert [p["name"] for p in json.loads(stored("list", "--json").stdout)] == ["Marcus"]
    assert "Dana" not in stored("list").stdout
    everything = json.loads(stored("list", "--all", "--json").stdout)
    assert [(p["name"], p["archived"], p["revisions"]) for p in everything] == [
        ("Dana", True, 2),
        ("Marcus", False, 1),
    ]
    assert "Dana (archived)" in stored("list", "--all").stdout
    # Still reachable by name while archived.
    assert stored("history", "dana").returncode == 0
    back = stored("unarchive", "dana")
    assert back.stdout.strip() == "3f6c2a9e: back in the list"
    assert [p["name"] for p in json.loads(stored("list", "--json").stdout)] == ["Dana", "Marcus"]


def test_purge_without_yes_and_without_a_tty_is_refused(stored: Run) -> None:
    result = stored("purge", "dana", stdin="dana\n")
    assert result.returncode == 2
    assert result.stderr.strip() == "purge asks to type the plan's name back; use --yes in scripts"
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert len(json.loads(stored("history", "--json", "dana").stdout)) == 2


def test_purge_yes_erases_every_trace(run: Run, tmp_path: Path, home: Path) -> None:
    secret = edited(tmp_path, "secret.yaml", ("notes: |\n", f"notes: |\n  {SECRET}\n"))
    assert run("import", str(DANA), str(secret), str(MARCUS)).returncode == 0
    assert run("import", str(DANA)).returncode == 0  # the secret is only in an old revision
    files = [home / (DB_NAME + s) for s in ("", "-wal", "-shm")]
    assert SECRET.encode() in b"".join(f.read_bytes() for f in files if f.exists())
    result = run("purge", "dana", "--yes")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3f6c2a9e: erased"
    raw = b"".join(f.read_bytes() for f in files if f.exists())
    assert SECRET.encode() not in raw
    assert DANA_ID.encode() not in raw
    assert b"Marcus" in raw
    assert [p["id"] for p in json.loads(run("list", "--all", "--json").stdout)] == [MARCUS_ID]
    assert "no stored plan matches 'dana'" in one_line_error(run("history", "dana"))
    with contextlib.closing(open_store(home, create=False)) as store:
        assert store.integrity() == "ok"


# --- export of a stored plan ---------------------------------------------------------------


@pytest.mark.parametrize("ref", ["dana", "3f6c2a9e", "dana-3f6c2a9e", DANA_ID])
def test_export_a_stored_plan(stored: Run, tmp_path: Path, ref: str) -> None:
    out = tmp_path / "out"
    result = stored("export", ref, "--out", str(out))
    assert result.returncode == 0, result.stderr
    md, ics = out / "dana-3f6c2a9e.md", out / "dana-3f6c2a9e.ics"
    assert result.stdout == ""  # not a terminal: only the summary line, on stderr
    assert sorted(p.name for p in out.iterdir()) == ["dana-3f6c2a9e.ics", "dana-3f6c2a9e.md"]
    assert "Dana" in md.read_text()
    calendar = ics.read_text()
    assert calendar.startswith("BEGIN:VCALENDAR")
    # The current revision (meeting moved to 7:30 pm) is what was exported.
    [event] = [e for e in calendar.split("BEGIN:VEVENT")[1:] if "SUMMARY:Lincoln Square" in e]
    assert "DTSTART;TZID=America/Chicago:20270309T193000\n" in event


def test_export_a_stored_plan_matches_exporting_its_file(stored: Run, tmp_path: Path) -> None:
    assert stored("restore", "dana", "1").returncode == 0
    stored("export", "dana", "-f", "md", "-o", str(tmp_path / "a"))
    stored("export", str(DANA), "-f", "md", "-o", str(tmp_path / "b"))
    assert (tmp_path / "a" / "dana-3f6c2a9e.md").read_text() == (
        tmp_path / "b" / "dana-3f6c2a9e.md"
    ).read_text()


def test_export_unknown_stored_plan(stored: Run, tmp_path: Path) -> None:
    result = stored("export", "nobody", "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == (
        "no stored plan matches 'nobody' (see: iopcli list --all)"
    )
    assert not (tmp_path / "out").exists()


# --- --home, errors ------------------------------------------------------------------------


def test_home_option_works_like_iopcli_home(run: Run, tmp_path: Path, home: Path) -> None:
    other = tmp_path / "elsewhere"
    result = run("--home", str(other), "import", str(MARCUS))
    assert result.returncode == 0, result.stderr
    assert (other / DB_NAME).exists()
    assert not home.exists()
    assert [p["name"] for p in json.loads(run("--home", str(other), "list", "--json").stdout)] == [
        "Marcus"
    ]
    assert json.loads(run("list", "--json").stdout) == []
    assert run("--home", str(other), "history", "marcus").returncode == 0
    assert run("--home", str(other), "export", "marcus", "-o", str(tmp_path / "o")).returncode == 0
    assert (tmp_path / "o" / "marcus-8d2e5b17.md").exists()
    # And IOPCLI_HOME (set by the fixture) is used when there is no --home.
    run("import", str(DANA))
    assert [p["name"] for p in json.loads(run("list", "--json").stdout)] == ["Dana"]
    assert (home / DB_NAME).exists()


@pytest.mark.parametrize(
    "args",
    [
        ("history", "nobody"),
        ("history", "--json", "nobody"),
        ("diff", "nobody"),
        ("restore", "nobody", "1"),
        ("archive", "nobody"),
        ("unarchive", "nobody"),
        ("purge", "nobody", "--yes"),
    ],
)
def test_unknown_plan_is_one_line(stored: Run, args: tuple[str, ...]) -> None:
    line = one_line_error(stored(*args))
    assert line == "no stored plan matches 'nobody' (see: iopcli list --all)"


def test_ambiguous_name_lists_the_candidates(stored: Run, tmp_path: Path) -> None:
    twin = edited(
        tmp_path,
        "twin.yaml",
        (
            "id: 3f6c2a9e-7b41-4d2a-9c55-1e8a0d4b7f21\n",
            "id: 3f6c0000-1111-4222-8333-444455556666\n",
        ),
    )
    assert stored("import", str(twin)).returncode == 0
    line = one_line_error(stored("history", "dana"))
    assert line == ("'dana' matches 2 plans: 3f6c0000 (Dana), 3f6c2a9e (Dana); give more of the id")
    exported = stored("export", "3f6c", "-o", str(tmp_path / "out"))
    assert exported.returncode == 1
    assert exported.stderr.splitlines()[0].startswith("'3f6c' matches 2 plans: ")
    assert stored("history", "dana-3f6c0000").returncode == 0
    assert stored("history", "3f6c2").returncode == 0


def test_no_store_yet(run: Run, home: Path) -> None:
    line = one_line_error(run("history", "dana"))
    assert line == f"{home / DB_NAME}: there is no plan store yet (iopcli import FILE creates it)"
    assert not home.exists()


@pytest.mark.parametrize("kind", ["random-bytes", "text", "one-byte"])
def test_a_file_that_is_not_a_store_is_one_clear_line(run: Run, home: Path, kind: str) -> None:
    home.mkdir()
    path = home / DB_NAME
    data = {
        "random-bytes": random.Random(11).randbytes(10_000),
        "text": b"not a db\n",
        "one-byte": b"x",
    }[kind]
    path.write_bytes(data)
    for args in (("list",), ("import", str(DANA)), ("history", "dana"), ("purge", "dana")):
        line = one_line_error(run(*args))
        assert line.startswith(f"{path}: this is not an iopcli plan store")
        assert "move it aside" in line
        assert path.read_bytes() == data
    # export adds its usual summary line after the error line.
    exported = run("export", "dana")
    assert exported.returncode == 1
    assert "Traceback" not in exported.stderr
    assert exported.stderr.splitlines()[0] == f"dana: {line}"  # a batch names each input
    assert exported.stderr.splitlines()[1].startswith("iopcli: exported 0 of 1 plans (0 files)")
    assert path.read_bytes() == data


def test_a_store_from_a_newer_iopcli_is_one_clear_line(run: Run, home: Path) -> None:
    home.mkdir()
    path = home / DB_NAME
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE future (x)")
        db.execute(f"PRAGMA user_version = {STORE_SCHEMA_VERSION + 1}")
        db.commit()
    before = path.read_bytes()
    line = one_line_error(run("import", str(DANA)))
    assert "newer iopcli" in line
    assert line.startswith(str(path))
    assert path.read_bytes() == before


def test_a_damaged_store_is_the_move_it_aside_line(stored: Run, home: Path) -> None:
    path = home / DB_NAME
    data = bytearray(path.read_bytes())
    data[4096:8192] = random.Random(5).randbytes(4096)  # page 2: the plans table
    path.write_bytes(data)
    line = one_line_error(stored("list"))
    assert "move it aside" in line
