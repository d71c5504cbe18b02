"""The command as people and scripts run it: validate, schema, export (in-process through the
``run`` fixture; ``python -m iopcli`` as a real process)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, Run
from iopcli import __version__


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"iopcli {__version__}"


def test_python_dash_m_runs_too(run: Run) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "iopcli", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_validate_examples_strict(run: Run) -> None:
    result = run("validate", "--strict", "--as-of", "2027-03-01", *map(str, EXAMPLES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"{path}: ok" for path in EXAMPLES]


def test_validate_reports_every_error_with_line_and_field(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: a\n"
        "person: {name: Ann, timezone: Mars/Olympus}\n"
        "program:\n"
        "  name: P\n"
        "  discharge_date: 2026-02-30\n"
        "  levl_of_care: iop\n"
        "meetings:\n"
        "  - {name: M, days: [funday], start: '25:00'}\n"
    )
    result = run("validate", str(bad))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{bad}:2: person.timezone: 'Mars/Olympus' is not a known IANA time zone"
        " (e.g. America/Chicago, Europe/London)",
        f"{bad}:5: program.discharge_date: '2026-02-30' is not a valid date (YYYY-MM-DD):"
        " day value is outside expected range",
        f"{bad}:6: program.levl_of_care: unknown field (did you mean 'level_of_care'?)",
        f"{bad}:8: meetings.0.days.0: 'funday' is not one of 'mon', 'tue', 'wed', 'thu', 'fri',"
        " 'sat' or 'sun'",
        f"{bad}:8: meetings.0.start: '25:00' is not a time of day: hours go from 0 to 23",
    ]
    assert "Traceback" not in result.stderr


HOSTILE = {
    "empty.yaml": (b"", "the file is empty: no plan in it"),
    "blank.yaml": (b"  \n\n", "the file is empty: no plan in it"),
    "binary.yaml": (b"\x00\x01\x02garbage", "this is binary data, not a YAML or JSON plan"),
    "latin1.yaml": (b"id: a\nperson: {name: Ren\xe9}\n", "not UTF-8 text (byte 0xe9)"),
    "list.yaml": (b"- a\n- b\n", "a plan file holds one plan (a mapping of fields), not a list"),
    "broken.json": (b'{"id": "a",\n', "invalid JSON"),
    "broken.yaml": (b"id: [a\nperson: b\n", "invalid YAML"),
    "bomb.yaml": (
        b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
        + b"".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n".encode()
            for i in range(9)
        ),
        "YAML aliases (*name) are not allowed in plan files",
    ),
    "deep.yaml": (b"[" * 100_000 + b"]" * 100_000, ""),
    "huge.yaml": (b"notes: '" + b"x" * (2 * 1024 * 1024) + b"'\n", "a plan file is at most"),
    "wrongtypes.yaml": (b"id: [1]\nperson: 3\nprogram: []\n", "must be a section of fields"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_gets_one_clear_line_per_problem(run: Run, tmp_path: Path, name: str) -> None:
    data, expected = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(data)
    result = run("validate", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines
    assert all(line.startswith(f"{path}:") for line in lines), lines
    assert expected in result.stdout


def test_missing_and_wrong_files(run: Run, tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nope.yaml"), str(tmp_path))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{tmp_path / 'nope.yaml'}: no such file",
        f"{tmp_path}: not a plan file: plan files end in .yaml, .yml or .json",
    ]


def test_validate_from_stdin(run: Run) -> None:
    text = EXAMPLES[0].read_text()
    assert run("validate", "-", stdin=text).stdout == "-: ok\n"
    result = run("validate", "-", stdin='{"id": "a"}')
    assert result.returncode == 1
    assert "-: person: is required but missing" in result.stdout


def test_strict_warnings_name_line_and_field(run: Run, tmp_path: Path) -> None:
    plan = tmp_path / "thin.yaml"
    plan.write_text(
        "id: thin\n"
        "person: {name: Lee, timezone: America/Chicago}\n"
        "program: {name: P, discharge_date: 2030-01-07}\n"
        "contacts:\n"
        "  - name: Sam\n"
    )
    assert run("validate", str(plan)).returncode == 0
    result = run("validate", "--strict", str(plan))
    assert result.returncode == 1
    out = result.stdout
    assert f"{plan}:5: contacts.0.phone: warning: Sam has no phone number" in out
    assert (
        f"{plan}: safety_plan.warning_signs: warning: safety plan step 1 (warning signs) is empty"
        in out
    )
    assert "no appointment within 7 days of discharge" in out
    assert "no plan review date" in out


def test_validate_json_report(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "a",\n "person": {"name": "A", "timezone": "UTC"},\n "program": 1}')
    result = run("validate", "--json", str(EXAMPLES[0]), str(bad))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report[0] == {"file": str(EXAMPLES[0]), "ok": True, "errors": [], "warnings": []}
    assert report[1]["ok"] is False
    assert report[1]["errors"] == [
        {
            "message": "must be a section of fields (name: value), not a single value or a list",
            "path": "program",
            "line": 3,
        }
    ]


def test_schema_is_json_schema_of_the_plan(run: Run) -> None:
    result = run("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert {"id", "person", "program", "meetings", "safety_plan"} <= set(schema["properties"])
    assert set(schema["required"]) == {"id", "person", "program"}


def test_export_writes_handout_and_calendar(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("export", *map(str, EXAMPLES), "--out", str(out))
    assert result.returncode == 0, result.stderr
    # Not a terminal: nothing on stdout, one summary line on stderr.
    assert result.stdout == ""
    assert result.stderr.startswith(f"iopcli: exported 3 of 3 plans (6 files) to {out} in ")
    written = sorted(out.iterdir())
    assert [p.name for p in written] == [
        "dana-3f6c2a9e.ics",
        "dana-3f6c2a9e.md",
        "lucia-5c41e0a2.ics",
        "lucia-5c41e0a2.md",
        "marcus-8d2e5b17.ics",
        "marcus-8d2e5b17.md",
    ]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in written)
    assert not list(out.glob(".*"))  # no temporary files left behind


def test_export_is_byte_identical_across_runs(run: Run, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    run("export", *map(str, EXAMPLES), "--format", "md,ics,json", "--out", str(first))
    run("export", *map(str, EXAMPLES), "--format", "md,ics,json", "--out", str(second))
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes()


def test_export_json_reads_back_as_the_same_plan(run: Run, tmp_path: Path) -> None:
    run("export", str(EXAMPLES[0]), "--format", "json", "--out", str(tmp_path), "--name", "p")
    assert run("validate", str(tmp_path / "p.json")).stdout == f"{tmp_path / 'p.json'}: ok\n"


def test_export_one_bad_plan_does_not_stop_the_others(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n")
    out = tmp_path / "out"
    result = run("export", str(bad), str(EXAMPLES[0]), "--out", str(out))
    assert result.returncode == 1
    assert f"{bad}: person: is required but missing" in result.stderr
    assert "iopcli: exported 1 of 2 plans (2 files)" in result.stderr
    assert result.stderr.rstrip().endswith("; 1 failed")
    assert len(list(out.iterdir())) == 2


def test_export_usage_errors_exit_2(run: Run, tmp_path: Path) -> None:
    result = run("export", str(EXAMPLES[0]), "--format", "md,docx", "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "--format: docx is not one of md, ics, json, yaml, fhir, html, pdf"
    )
    assert run("export", *map(str, EXAMPLES), "--name", "x").returncode == 2
    assert run("export").returncode == 2


def test_export_unwritable_out_is_a_clear_error(run: Run, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("export", str(EXAMPLES[0]), "--out", str(blocker / "sub"))
    assert result.returncode == 1
    assert result.stderr == f"{blocker / 'sub'}: cannot write here: {blocker} is not a folder\n"
    assert "Traceback" not in result.stderr


def test_export_options_reach_the_calendar(run: Run, tmp_path: Path) -> None:
    args = ["export", str(EXAMPLES[0]), "--format", "ics", "--name", "p", "--out", str(tmp_path)]
    run(*args, "--remind", "15", "--horizon-days", "30", "--discreet")
    ics = (tmp_path / "p.ics").read_text()
    assert "TRIGGER:-PT15M" in ics
    assert "SUMMARY:Meeting" in ics
    assert "(AA)" not in ics
    run(*args, "--no-alarms")
    assert "VALARM" not in (tmp_path / "p.ics").read_text()


def test_export_previous_cancels_removed_items(run: Run, tmp_path: Path) -> None:
    run("export", str(EXAMPLES[0]), "--format", "json", "--out", str(tmp_path), "--name", "old")
    plan = json.loads((tmp_path / "old.json").read_text())
    removed = plan["meetings"].pop(0)
    plan["updated"] = "2027-03-05T09:00:00-06:00"
    (tmp_path / "new.json").write_text(json.dumps(plan))
    args = ["export", str(tmp_path / "new.json"), "--format", "ics", "--out", str(tmp_path)]
    result = run(*args, "--name", "new", "--previous", str(tmp_path / "old.json"))
    assert result.returncode == 0, result.stderr
    import vobject

    calendar = vobject.readOne((tmp_path / "new.ics").read_text())
    cancelled = [e for e in calendar.vevent_list if getattr(e, "status", None)]
    assert len(cancelled) == 1
    event = cancelled[0]
    assert event.status.value == "CANCELLED"
    assert removed["name"] in event.summary.value
    assert not hasattr(event, "valarm")
    run(*args, "--name", "again")
    assert "CANCELLED" not in (tmp_path / "again.ics").read_text()


def test_the_clinic_reminder_setting_is_the_export_default(run: Run, tmp_path: Path) -> None:
    assert run("config", "set", "remind_minutes", "30").returncode == 0
    args = ["export", str(EXAMPLES[0]), "--format", "ics", "--name", "p", "--out", str(tmp_path)]
    assert run(*args).returncode == 0
    calendar = (tmp_path / "p.ics").read_text()
    assert "TRIGGER:-PT30M" in calendar
    assert "TRIGGER:-PT1H" not in calendar
    run(*args, "--remind", "10")  # the option still wins
    assert "TRIGGER:-PT10M" in (tmp_path / "p.ics").read_text()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_plain_output_to_a_full_disk_is_one_line_not_an_internal_error(tmp_path: Path) -> None:
    import subprocess

    from conftest import command, plain_environment

    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*command(), "show", "--plain", str(EXAMPLES[0])],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=plain_environment(tmp_path),
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr == ("iopcli: cannot write to standard output: No space left on device\n")


def test_the_clinician_part_is_in_the_handout_only_when_asked(run: Run, tmp_path: Path) -> None:
    from iopcli.planfile import dump_plan, read_plan

    plan = read_plan(str(EXAMPLES[0]))
    data = json.loads(dump_plan(plan, "json"))
    data["clinician"] = {
        "diagnoses": ["F10.20 Alcohol use disorder, moderate"],
        "insurance": "Blue Plan 55-123",
        "referral_source": "Dr. Invented",
    }
    source = tmp_path / "with-clinician.json"
    source.write_text(json.dumps(data))
    for flag, shown in (([], False), (["--clinician"], True)):
        out = tmp_path / ("with" if shown else "without")
        result = run("export", str(source), "--format", "md,ics", "--out", str(out), *flag)
        assert result.returncode == 0, result.stderr
        handout = next(out.glob("*.md")).read_text()
        calendar = next(out.glob("*.ics")).read_text()
        assert ("For the clinician only" in handout) is shown
        assert ("F10.20 Alcohol use disorder, moderate" in handout) is shown
        assert ("Blue Plan 55-123" in handout) is shown
        assert "F10.20" not in calendar  # never in the calendar, asked or not
    show = run("show", str(source), "--plain")
    assert "F10.20" not in show.stdout


def test_crisis_with_a_folder_named_like_a_stored_plan_shows_the_plan_and_says_so(
    run: Run, process: Any, tmp_path: Path
) -> None:
    assert run("import", str(EXAMPLES[0])).returncode == 0
    (tmp_path / "dana").mkdir()
    for result in (run("crisis", "dana", "--plain"), process("crisis", "dana", "--plain")):
        assert result.returncode == 0
        assert result.stdout.startswith("If you are in crisis, Dana\n")
        assert "988" in result.stdout
        assert "'dana' is both a folder in this folder and the stored plan 3f6c2a9e" in (
            result.stdout
        )
