"""The commands a person uses at home: ``crisis``, ``show`` and ``config``.

The crisis card must work whatever state the store is in (none, empty, corrupt, from a newer
iopcli), show the person's own plan when it can, and start without the heavy modules. ``show``
must print a plan's text exactly as typed, in plain text or through rich, at any width.
``config`` keeps its settings owner-only and refuses bad values with a clear message.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, Ran, Run, command, invoke, rich_environment
from iopcli.planfile import read_plan
from iopcli.sections import SECTION_NAMES
from iopcli.store import open_store

DANA = next(p for p in EXAMPLES if p.stem == "alcohol-depression")
MARCUS = next(p for p in EXAMPLES if p.stem == "opioid-buprenorphine")
BUNDLED = ["988", "741741", "1-800-662-4357", "911"]
SECTIONS = {
    "crisis": "If you are in crisis",
    "next": "Your next program",
    "week": "My week",
    "relapse": "Staying on track",
    "safety": "My safety plan",
    "medications": "My medications",
    "resources": "Help in your community",
    "contacts": "People who support me",
    "goals": "My goals",
    "notes": "Notes",
}
SETTINGS = [
    "default_plan",
    "program",
    "counselor",
    "counselor_phone",
    "region",
    "timezone",
    "remind_minutes",
    "discreet",
    "caldav_url",
    "caldav_user",
]
HEAVY = {"icalendar", "iopcli.ics", "iopcli.markdown", "iopcli.export"}


# --- helpers -------------------------------------------------------------------------------


def runner(
    tmp_path: Path, *args: str, python_m: bool = False, process: bool = False, **env: str | None
) -> Ran | subprocess.CompletedProcess[str]:
    """Like the ``run`` fixture, with the environment given here (None removes a name): rich
    output needs NO_COLOR unset. In-process, unless the process itself is tested: ``process``
    runs the console script (its crisis fast path), ``python_m`` ``python -X importtime -m``."""
    environ = rich_environment(tmp_path, **env)
    if not (python_m or process or "PYTHONPROFILEIMPORTTIME" in env):
        return invoke(args, environ, None, tmp_path)
    base = [sys.executable, "-X", "importtime", "-m", "iopcli"] if python_m else command()
    return subprocess.run(
        [*base, *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def imported(stderr: str) -> set[str]:
    """Module names from ``-X importtime`` / PYTHONPROFILEIMPORTTIME output."""
    names = {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    names.discard("imported package")
    assert names, "no import timing in the output"
    return names


def heavy(names: set[str], *, pydantic: bool = False) -> set[str]:
    """The heavy modules among ``names``: the calendar library and exporters, and pydantic
    unless it is allowed."""
    roots = {"icalendar", "vobject"} | (set() if pydantic else {"pydantic", "pydantic_core"})
    return {n for n in names if n in HEAVY or n.split(".")[0] in roots}


def store_plans(home: Path, *files: Path) -> None:
    store = open_store(home)
    try:
        for path in files:
            store.save(read_plan(str(path)), source="test")
    finally:
        store.close()


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr


def widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


HOSTILE_PLAN = """\
id: hostile-plan
person: {name: "Ana [red]x[/red]", timezone: America/Denver}
program: {name: "Clinic **y**", discharge_date: 2027-03-08}
safety_plan:
  warning_signs: ["[red]x[/red] sign", "**y** sign", "<script>alert(1)</script>"]
  people_to_ask:
    - {name: "[red]x[/red] Pat", phone: "(720) 555-0116"}
contacts:
  - {name: "[red]x[/red] Lee **y** <script>", phone: "(720) 555-0117", role: friend}
notes: "Notes [red]x[/red] and **y** and <script>alert(1)</script> and [a](http://x.example)"
"""
HOSTILE_TEXTS = [
    "Ana [red]x[/red]",
    "Clinic **y**",
    "[red]x[/red] sign",
    "**y** sign",
    "<script>alert(1)</script>",
    "[red]x[/red] Pat: (720) 555-0116",
    "[red]x[/red] Lee **y** <script> (friend): (720) 555-0117",
    "Notes [red]x[/red] and **y** and <script>alert(1)</script> and [a](http://x.example)",
]


# --- crisis: whatever state the store is in ------------------------------------------------


def test_crisis_with_no_store_at_all(run: Run, tmp_path: Path) -> None:
    result = run("crisis")
    assert result.returncode == 0
    for number in BUNDLED:
        assert number in result.stdout
    assert result.stdout.startswith("If you are in crisis\n")
    assert "could not be read" not in result.stdout
    assert result.stderr == ""
    no_traceback(result)
    assert not (tmp_path / "home").exists()  # looking creates nothing


def test_crisis_with_an_empty_store(run: Run, tmp_path: Path) -> None:
    open_store(tmp_path / "home").close()
    result = run("crisis")
    assert result.returncode == 0
    for number in BUNDLED:
        assert number in result.stdout
    assert "could not be read" not in result.stdout
    assert "To see your own plan here: no plan is stored yet" in result.stdout
    no_traceback(result)


@pytest.mark.parametrize(
    "size",
    [
        1,
        2,
        100,
        4096,
        20_000,
    ],
)
def test_crisis_with_a_corrupt_store_shows_the_lines_and_touches_nothing(
    run: Run, tmp_path: Path, size: int
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    junk = bytes((i * 131 + 17) % 256 for i in range(size))  # not an SQLite header
    (home / "plans.sqlite3").write_bytes(junk)
    result = run("crisis")
    assert result.returncode == 0
    for number in BUNDLED:
        assert number in result.stdout
    problem = [line for line in result.stdout.splitlines() if "could not be read" in line]
    assert len(problem) == 1
    assert problem[0].startswith("Your personal plan could not be read")
    no_traceback(result)
    assert (home / "plans.sqlite3").read_bytes() == junk
    assert sorted(p.name for p in home.iterdir()) == ["plans.sqlite3"]  # no -wal or -shm left


def test_crisis_with_random_bytes_in_the_store(run: Run, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    junk = os.urandom(8192)
    (home / "plans.sqlite3").write_bytes(junk)
    for args in (("crisis",), ("crisis", "--plain"), ("crisis", "dana")):
        result = run(*args)
        assert result.returncode == 0, args
        assert all(number in result.stdout for number in BUNDLED)
        assert sum("could not be read" in line for line in result.stdout.splitlines()) == 1
        no_traceback(result)
    assert (home / "plans.sqlite3").read_bytes() == junk


def test_crisis_with_a_store_from_a_newer_iopcli(run: Run, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    db = sqlite3.connect(home / "plans.sqlite3")
    db.execute("PRAGMA user_version = 99")
    db.close()
    before = (home / "plans.sqlite3").read_bytes()
    result = run("crisis")
    assert result.returncode == 0
    assert all(number in result.stdout for number in BUNDLED)
    assert "could not be read" in result.stdout
    assert "newer iopcli" in result.stdout
    no_traceback(result)
    assert (home / "plans.sqlite3").read_bytes() == before


def test_crisis_with_a_broken_settings_file_still_shows_the_lines(run: Run, tmp_path: Path) -> None:
    store_plans(tmp_path / "home", DANA)
    (tmp_path / "home" / "config.toml").write_text("default_plan = [unclosed\n")
    result = run("crisis")
    assert result.returncode == 0
    assert all(number in result.stdout for number in BUNDLED)
    assert sum("could not be read" in line for line in result.stdout.splitlines()) == 1
    no_traceback(result)


def test_crisis_with_an_unknown_plan_name_still_shows_the_lines(run: Run, tmp_path: Path) -> None:
    store_plans(tmp_path / "home", DANA)
    for ref in ("nobody", "missing.yaml"):
        result = run("crisis", ref)
        assert result.returncode == 0, ref
        assert all(number in result.stdout for number in BUNDLED)
        assert "could not be read" in result.stdout
        no_traceback(result)


def test_crisis_shows_the_persons_own_plan_first(run: Run, tmp_path: Path) -> None:
    store_plans(tmp_path / "home", DANA)
    plan = read_plan(str(DANA))
    result = run("crisis")
    assert result.returncode == 0
    no_traceback(result)
    out = result.stdout
    lines = out.splitlines()
    assert lines[0] == "If you are in crisis, Dana"
    order = [
        "Your warning signs:",
        "Things you can do on your own:",
        "People you can call:",
        "Professionals:",
        "Crisis lines, free, day and night:",
    ]
    assert [line for line in lines if line in order] == order
    for sign in plan.safety_plan.warning_signs:
        assert f"  - {sign}" in lines
    for step in plan.safety_plan.coping_strategies:
        assert f"  - {step}" in lines
    people = [
        "Renee (AA sponsor): (312) 555-0123",
        "Kim (sister): 312-555-0167",
        # Contacts with a phone, not already listed as people to ask:
        "Priya (IOP group friend): +1 312 555 0174",
        "Tasha (friend from pottery class): 312.555.0178",
    ]
    professionals = [
        "Alicia (counselor): (312) 555-0142",
        "Jordan, therapist (Clinician): (312) 555-0155, after hours (312) 555-0156",
        "Northbridge Behavioral Health on-call line (After-hours clinician):"
        " after hours (312) 555-0150 ext. 9",
        # The emergency department with its address (issue #15); its role, which the name
        # already says, is not repeated.
        "Marlowe Community Hospital Emergency Department:"
        " (312) 555-0199, 4100 N Marlowe Ave, Chicago, IL 60613",
    ]
    for who in people + professionals:
        assert f"  - {who}" in lines
    assert sum(line.startswith("  - Kim ") for line in lines) == 1  # listed once
    # The crisis lines come last, after every personal part.
    crisis_at = lines.index("Crisis lines, free, day and night:")
    assert lines.index(f"  - {professionals[-1]}") < crisis_at
    assert all(any(n in line for line in lines[crisis_at:]) for n in BUNDLED)
    assert "could not be read" not in out
    assert "To see your own plan" not in out


def test_crisis_from_a_plan_file(run: Run) -> None:
    result = run("crisis", str(MARCUS))
    assert result.returncode == 0
    no_traceback(result)
    assert result.stdout.startswith("If you are in crisis, Marcus\n")
    assert "  - Luis (NA sponsor): (720) 555-0116" in result.stdout
    assert "  - Gabriela (counselor): (720) 555-0131 ext. 204" in result.stdout
    assert all(number in result.stdout for number in BUNDLED)


def test_crisis_plain_has_no_bullets_and_rich_does(tmp_path: Path) -> None:
    store_plans(tmp_path / "home", MARCUS)
    rich = runner(tmp_path, "crisis", process=True)
    plain = runner(tmp_path, "crisis", "--plain", process=True)
    no_color = runner(tmp_path, "crisis", NO_COLOR="1", process=True)
    for result in (rich, plain, no_color):
        assert result.returncode == 0
        no_traceback(result)
        assert all(number in result.stdout for number in BUNDLED)
    assert "•" in rich.stdout
    assert "•" not in plain.stdout
    assert "\x1b[" not in plain.stdout
    assert plain.stdout == no_color.stdout
    assert "  - Luis (NA sponsor): (720) 555-0116" in plain.stdout
    # The full command line (an option the fast path does not know) draws the same card.
    assert runner(tmp_path, "--home", str(tmp_path / "home"), "crisis", "--plain").stdout == (
        plain.stdout
    )


def test_crisis_help_and_bad_options_go_to_the_full_cli(run: Run) -> None:
    helped = run("crisis", "--help")
    assert helped.returncode == 0
    assert "crisis" in helped.stdout
    bad = run("crisis", "--bogus")
    assert bad.returncode == 2
    no_traceback(bad)


# --- crisis, --help and agenda load no more than they need ----------------------------------


@pytest.mark.parametrize("python_m", [True, False], ids=["python-X-importtime", "console-script"])
def test_crisis_for_a_stored_plan_imports_no_exporter_or_pydantic(
    tmp_path: Path, python_m: bool
) -> None:
    store_plans(tmp_path / "home", DANA)
    result = runner(
        tmp_path, "crisis", python_m=python_m, NO_COLOR="1", PYTHONPROFILEIMPORTTIME="1"
    )
    assert result.returncode == 0
    assert "If you are in crisis, Dana" in result.stdout
    names = imported(result.stderr)
    assert "iopcli.crisis" in names
    assert heavy(names) == set()
    assert not {n for n in names if n.startswith("pydantic")}


@pytest.mark.parametrize(
    "state", ["no-store", "empty-store", "corrupt-store", "two-plans", "by-name"]
)
def test_crisis_imports_nothing_heavy_whatever_the_store(tmp_path: Path, state: str) -> None:
    home = tmp_path / "home"
    args = ["crisis"]
    if state == "empty-store":
        open_store(home).close()
    elif state == "corrupt-store":
        home.mkdir()
        (home / "plans.sqlite3").write_bytes(b"\x00garbage" * 100)
    elif state == "two-plans":
        store_plans(home, DANA, MARCUS)
    elif state == "by-name":
        store_plans(home, DANA, MARCUS)
        args.append("marcus")
    result = runner(tmp_path, *args, python_m=True)
    assert result.returncode == 0
    assert all(number in result.stdout for number in BUNDLED)
    assert heavy(imported(result.stderr)) == set()


def test_help_imports_no_exporter_or_pydantic(tmp_path: Path) -> None:
    result = runner(tmp_path, "--help", python_m=True)
    assert result.returncode == 0
    assert "crisis" in result.stdout
    names = imported(result.stderr)
    assert heavy(names) == set()
    assert not {n for n in names if n.startswith("pydantic")}


def test_agenda_imports_no_icalendar_or_exporter(tmp_path: Path) -> None:
    store_plans(tmp_path / "home", MARCUS)
    # The first agenda or show after a save makes the plan's views (iopcli.views); the next
    # ones read them.
    assert runner(tmp_path, "agenda", "--days", "3").returncode == 0
    for args in (["agenda", "--days", "3", "--from", "2027-03-08"], ["agenda", str(DANA)]):
        result = runner(tmp_path, *args, python_m=True)
        assert result.returncode == 0, result.stderr[-2000:]
        names = imported(result.stderr)
        assert "iopcli.views" in names
        assert heavy(names, pydantic=True) == set()


# --- show ----------------------------------------------------------------------------------


@pytest.mark.parametrize("section", list(SECTIONS))
def test_show_one_section(run: Run, section: str) -> None:
    title = SECTIONS[section]
    for path in (DANA, MARCUS):
        result = run("show", str(path), "--section", section)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[:2] == [title, "-" * len(title)]
        assert len(lines) > 3
        others = [t for t in SECTIONS.values() if t not in (title, "Notes")]
        assert not any(line in others for line in lines), (section, path.stem)
        assert "Nothing in this part of the plan yet." not in result.stdout
    short = run("show", str(DANA), "-s", section)
    assert short.stdout == run("show", str(DANA), "--section", section).stdout


def test_show_crisis_section_has_the_crisis_lines(run: Run) -> None:
    result = run("show", str(DANA), "-s", "crisis")
    assert all(number in result.stdout for number in BUNDLED)


def test_show_an_empty_section_says_so(run: Run, tmp_path: Path) -> None:
    bare = tmp_path / "bare.yaml"
    bare.write_text(
        "id: bare\nperson: {name: Ana, timezone: America/Denver}\n"
        "program: {name: Clinic, discharge_date: 2027-03-08}\n"
    )
    result = run("show", str(bare), "-s", "goals")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["My goals", "--------"]
    assert "Nothing in this part of the plan yet." in result.stdout


def test_show_unknown_section_is_a_usage_error(run: Run) -> None:
    for bad in ("bogus", "Crisis", "week ", ""):
        result = run("show", str(DANA), "--section", bad)
        assert result.returncode == 2, bad
        assert result.stdout == ""
        assert ", ".join(SECTION_NAMES) in result.stderr
        no_traceback(result)


@pytest.mark.parametrize("path", [DANA, MARCUS], ids=["dana", "marcus"])
def test_show_plain_has_no_markdown_and_keeps_the_crisis_lines(run: Run, path: Path) -> None:
    result = run("show", str(path), "--plain")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for markup in ("**", "\\", "](", "<br", "&amp;", "\x1b["):
        assert markup not in out, markup
    assert not any(line.startswith(("#", "|")) for line in out.splitlines())
    assert all(number in out for number in BUNDLED)
    plan = read_plan(str(path))
    assert out.splitlines()[0].endswith(plan.person.name)
    # The crisis part comes first.
    assert out.index("If you are in crisis") < out.index("My week")


def test_show_plain_does_not_depend_on_the_width(tmp_path: Path) -> None:
    narrow = runner(tmp_path, "show", str(DANA), "--plain", COLUMNS="40")
    wide = runner(tmp_path, "show", str(DANA), "--plain", COLUMNS="200")
    assert narrow.returncode == wide.returncode == 0
    assert narrow.stdout == wide.stdout


@pytest.mark.parametrize("width", [40, 80])
@pytest.mark.parametrize("path", [DANA, MARCUS], ids=["dana", "marcus"])
def test_rich_output_fits_the_terminal(tmp_path: Path, width: int, path: Path) -> None:
    store_plans(tmp_path / "home", path)
    for args in (
        ["show", str(path)],
        ["show", str(path), "-s", "week"],
        ["crisis"],
        ["agenda", "--from", "2027-03-08", "--days", "14"],
    ):
        result = runner(tmp_path, *args, COLUMNS=str(width))
        assert result.returncode == 0, (args, result.stderr)
        assert widest(result.stdout) <= width, args
        assert widest(result.stdout) > width // 2, args  # it does use the room
        no_traceback(result)
    shown = runner(tmp_path, "show", str(path), COLUMNS=str(width)).stdout
    assert all(number in shown for number in ("988", "741741"))


def test_hostile_text_is_printed_as_typed(run: Run, tmp_path: Path) -> None:
    plan_file = tmp_path / "hostile.yaml"
    plan_file.write_text(HOSTILE_PLAN)
    imported_plan = run("import", str(plan_file))
    assert imported_plan.returncode == 0, imported_plan.stderr

    plain = run("show", "--plain")
    assert plain.returncode == 0, plain.stderr
    for text in HOSTILE_TEXTS:
        assert text in plain.stdout, text

    rich = runner(tmp_path, "show", COLUMNS="200")
    assert rich.returncode == 0, rich.stderr
    flat = " ".join(line.strip() for line in rich.stdout.splitlines())
    assert "[red]x[/red]" in rich.stdout  # rich markup is not interpreted
    for text in HOSTILE_TEXTS:
        assert text in flat, text

    for card in (run("crisis"), runner(tmp_path, "crisis", COLUMNS="200")):
        assert card.returncode == 0
        assert "If you are in crisis, Ana [red]x[/red]" in card.stdout
        assert "[red]x[/red] Lee **y** <script> (friend): (720) 555-0117" in card.stdout
        assert "<script>alert(1)</script>" in card.stdout


def test_show_a_stored_plan_by_default_and_by_name(run: Run, tmp_path: Path) -> None:
    store_plans(tmp_path / "home", DANA)
    by_default = run("show", "-s", "contacts")
    by_name = run("show", "dana", "-s", "contacts")
    from_file = run("show", str(DANA), "-s", "contacts")
    assert by_default.returncode == by_name.returncode == from_file.returncode == 0
    assert by_default.stdout == by_name.stdout == from_file.stdout
    store_plans(tmp_path / "home", MARCUS)
    both = run("show")
    assert both.returncode == 2
    assert "(Dana)" in both.stderr
    assert "(Marcus)" in both.stderr


# --- config --------------------------------------------------------------------------------


def test_config_path_is_under_iopcli_home(run: Run, tmp_path: Path) -> None:
    result = run("config", "path")
    assert result.returncode == 0
    assert result.stdout == f"{tmp_path / 'home' / 'config.toml'}\n"
    other = run("--home", str(tmp_path / "elsewhere"), "config", "path")
    assert other.stdout == f"{tmp_path / 'elsewhere' / 'config.toml'}\n"
    assert not (tmp_path / "home").exists()  # asking writes nothing


def test_config_show_lists_every_setting(run: Run) -> None:
    result = run("config", "show")
    assert result.returncode == 0
    lines = [line for line in result.stdout.splitlines() if not line.startswith("[[")]
    assert [line.split(" = ")[0] for line in lines] == SETTINGS
    assert all(" = (not set)    # " in line for line in lines)
    # ... then the clinic's lists, which are edited in the file itself
    assert "[[meetings]]: 0 in the clinic list" in result.stdout
    assert "[[resources]]: 0 in the clinic list" in result.stdout


def test_config_set_and_unset(run: Run, tmp_path: Path) -> None:
    changes = [
        ("remind_minutes", "15", "remind_minutes = 15"),
        ("remind_minutes", " 0 ", "remind_minutes = 0"),
        ("region", "ca", 'region = "CA"'),
        ("counselor_phone", "(312) 555-0142", 'counselor_phone = "(312) 555-0142"'),
        ("timezone", "America/Denver", 'timezone = "America/Denver"'),
        ("program", "Northbridge [IOP] **x**", 'program = "Northbridge [IOP] **x**"'),
        ("counselor", "Alicia", 'counselor = "Alicia"'),
    ]
    for key, value, printed in changes:
        result = run("config", "set", key, value)
        assert result.returncode == 0, (key, result.stderr)
        assert result.stdout == printed + "\n"
    shown = run("config", "show").stdout.splitlines()
    assert shown[SETTINGS.index("remind_minutes")].startswith("remind_minutes = 0    # ")
    assert shown[SETTINGS.index("region")].startswith('region = "CA"    # ')
    assert shown[SETTINGS.index("program")].startswith('program = "Northbridge [IOP] **x**"')
    assert shown[SETTINGS.index("default_plan")].startswith("default_plan = (not set)")

    unset = run("config", "unset", "region")
    assert unset.returncode == 0
    assert unset.stdout == "region unset\n"
    shown = run("config", "show").stdout.splitlines()
    assert shown[SETTINGS.index("region")].startswith("region = (not set)")
    assert shown[SETTINGS.index("counselor")].startswith('counselor = "Alicia"')
    again = run("config", "unset", "region")  # unsetting what is not set is fine
    assert again.returncode == 0


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("remind_minutes", "abc", "remind_minutes: 'abc' is not a number of minutes"),
        ("remind_minutes", "10081", "remind_minutes: '10081' is not a number of minutes"),
        ("remind_minutes", "1.5", "remind_minutes: '1.5' is not a number of minutes"),
        ("region", "USA", "region: 'USA' is not a two-letter country code"),
        ("region", "1A", "region: '1A' is not a two-letter country code"),
        ("counselor_phone", "12", "counselor_phone: '12' has the wrong number of digits"),
        ("counselor_phone", "abc", "counselor_phone: 'abc' is not a phone number"),
        ("counselor_phone", "555-0142", "counselor_phone: '555-0142' needs its area code"),
        ("timezone", "Mars/Base", "timezone: 'Mars/Base' is not a known IANA time zone"),
        ("program", "  ", "program: give a value"),
        ("colour", "red", "unknown setting 'colour'; settings: " + ", ".join(SETTINGS)),
    ],
)
def test_config_refuses_bad_values_clearly(
    run: Run, tmp_path: Path, key: str, value: str, message: str
) -> None:
    result = run("config", "set", key, value)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [result.stderr.strip()]  # one line
    assert message in result.stderr
    no_traceback(result)
    assert not (tmp_path / "home" / "config.toml").exists()


def test_config_refuses_a_three_digit_counselor_phone(run: Run) -> None:
    result = run("config", "set", "counselor_phone", "123")
    assert result.returncode == 2


def test_config_refuses_unknown_keys_everywhere(run: Run) -> None:
    result = run("config", "unset", "colour")
    assert result.returncode == 2
    assert "unknown setting 'colour'" in result.stderr
    no_traceback(result)


def test_config_file_is_owner_only(run: Run, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run("config", "set", "counselor", "Alicia").returncode == 0
    path = home / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) & 0o077 == 0
    # A file that was readable by others becomes owner-only on the next change.
    path.chmod(0o644)
    assert run("config", "set", "remind_minutes", "30").returncode == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert run("config", "unset", "counselor").returncode == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "remind_minutes = 30\n"
    assert [p.name for p in home.iterdir()] == ["config.toml"]  # no temporary files left


def test_config_default_plan_is_resolved_to_the_full_id(run: Run, tmp_path: Path) -> None:
    store_plans(tmp_path / "home", DANA, MARCUS)
    marcus = read_plan(str(MARCUS))
    result = run("config", "set", "default_plan", "marcus")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f'default_plan = "{marcus.id}"\n'
    card = run("crisis")
    assert card.stdout.startswith("If you are in crisis, Marcus\n")
    shown = run("show", "-s", "contacts")
    assert "Luis (NA sponsor)" in shown.stdout
    unknown = run("config", "set", "default_plan", "nobody")
    assert unknown.returncode == 1
    assert "no stored plan matches 'nobody'" in unknown.stderr
    assert run("config", "show").stdout.startswith(f'default_plan = "{marcus.id}"')


def test_config_default_plan_needs_a_store(run: Run, tmp_path: Path) -> None:
    result = run("config", "set", "default_plan", "dana")
    assert result.returncode != 0
    assert "iopcli import" in result.stderr
    no_traceback(result)
    assert not (tmp_path / "home" / "plans.sqlite3").exists()


def test_a_broken_config_file_is_a_clear_error(run: Run, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("remind_minutes = = 3\n")
    for args in (("config", "show"), ("config", "set", "region", "US")):
        result = run(*args)
        assert result.returncode == 1, args
        assert f"{home / 'config.toml'}:1: not valid TOML" in result.stderr
        no_traceback(result)
    assert (home / "config.toml").read_text() == "remind_minutes = = 3\n"
