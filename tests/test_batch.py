"""Batch export (``iopcli export`` with many inputs), run as the installed command.

Files, folders, stored plans and JSON Lines on stdin; broken inputs mixed in; the JSON report;
byte-identical output whatever ``--jobs``; output-name collisions; Ctrl-C in the middle; and
the parent process not holding the whole batch in memory.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, Run, command

DANA = ROOT / "examples" / "alcohol-depression.yaml"
MARCUS = ROOT / "examples" / "opioid-buprenorphine.yaml"
DANA_ID = "3f6c2a9e-7b41-4d2a-9c55-1e8a0d4b7f21"
MARCUS_ID = "8d2e5b17-04c9-4f3a-b6e1-9a7c3f50d2c8"
DANA_STEM = "dana-3f6c2a9e"
MARCUS_STEM = "marcus-8d2e5b17"

SUMMARY = re.compile(
    r"iopcli: (interrupted: )?exported (\d+) of (\d+) plans \((\d+) files\) to .+"
    r" in \d+\.\d s(; (\d+) failed)?"
)
ERROR_LINE = re.compile(r"^(\S+?)(:\d+)?: ")  # SOURCE[:LINE]: ...


# --- helpers ---------------------------------------------------------------------------------


def synthetic(n: int, rng: random.Random) -> dict[str, Any]:
    """A realistic plan from the benchmark's generator (id ``plan-NNNNNN``, person ``Person N``)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from batch_export import synthetic_plan
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return synthetic_plan(n, rng)


def write_plans(folder: Path, count: int, seed: int = 7) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for n in range(count):
        path = folder / f"plan-{n:06d}.json"
        path.write_text(json.dumps(synthetic(n, rng)))
        paths.append(path)
    return paths


def stem_of(plan: dict[str, Any]) -> str:
    """The file name (without extension) iopcli gives a synthetic plan: name slug + short id."""
    from iopcli.slugs import short_id, slugify

    return f"{slugify(plan['person']['name'])}-{short_id(plan['id'])}"


def environment(tmp_path: Path) -> dict[str, str]:
    """What the ``run`` fixture gives the command: a private home, no colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOPCLI_")}
    env.update({"IOPCLI_HOME": str(tmp_path / "home"), "NO_COLOR": "1", "COLUMNS": "100"})
    return env


def edited(src: Path, dest: Path, *replacements: tuple[str, str]) -> Path:
    text = src.read_text()
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text)
    return dest


def stderr_parts(result: subprocess.CompletedProcess[str]) -> tuple[list[str], re.Match[str]]:
    """(error lines, summary match): stderr must be error lines then exactly one summary line."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert lines, "no summary line"
    summary = SUMMARY.fullmatch(lines[-1])
    assert summary, lines[-1]
    assert not any(SUMMARY.fullmatch(line) for line in lines[:-1]), result.stderr
    return lines[:-1], summary


def listing(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative name -> bytes)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def temporaries(folder: Path) -> list[str]:
    """Names a temporary file gets: hidden, or ending in .tmp."""
    return [str(p) for p in folder.rglob("*") if p.name.startswith(".") or p.name.endswith(".tmp")]


def load_report(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# --- broken inputs mixed in ------------------------------------------------------------------


BAD_YAML = (
    "schema_version: 1\n"
    "id: bad-plan\n"
    "person:\n"
    "  name: Ann\n"
    "  timezone: Mars/Olympus\n"
    "program:\n"
    "  name: P\n"
    "  discharge_date: 2026-02-30\n"
    "  levl_of_care: iop\n"
)
PNG_JUNK = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4


def mixed_inputs(tmp_path: Path) -> list[str]:
    """Valid YAML, valid JSON, a YAML with 3 errors, binary junk, an empty file, a non-plan
    .txt given explicitly, a missing file, an unknown stored plan name (all relative)."""
    plan = synthetic(1, random.Random(1))
    (tmp_path / "valid.json").write_text(json.dumps(plan))
    (tmp_path / "dana.yaml").write_text(DANA.read_text())
    (tmp_path / "bad.yaml").write_text(BAD_YAML)
    (tmp_path / "junk.json").write_bytes(PNG_JUNK)
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "notes.txt").write_text("Call Kim on Sunday.\n")
    return [
        "dana.yaml",
        "bad.yaml",
        "valid.json",
        "junk.json",
        "empty.yaml",
        "notes.txt",
        "missing.yaml",
        "nosuchplan",
    ]


def test_mixed_batch_exports_every_valid_plan_and_reports_every_invalid_one(
    run: Run, tmp_path: Path
) -> None:
    # A store exists (with Marcus in it), so the unknown name is looked up and not found.
    assert run("import", str(MARCUS)).returncode == 0
    refs = mixed_inputs(tmp_path)
    plan = json.loads((tmp_path / "valid.json").read_text())
    result = run("export", *refs, "--out", "out", "--jobs", "2", "--report", "report.json")

    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    errors, summary = stderr_parts(result)
    assert summary.group(2, 3, 4, 6) == ("2", "8", "4", "6")
    expected = [
        ("bad.yaml:5: person.timezone: ", "Mars/Olympus"),
        ("bad.yaml:8: program.discharge_date: ", "2026-02-30"),
        ("bad.yaml:9: program.levl_of_care: ", "unknown field"),
        ("junk.json: ", "binary"),
        ("empty.yaml: ", "empty"),
        ("notes.txt: ", "not a plan file"),
        ("missing.yaml: ", "no such file"),
        ("", "'nosuchplan'"),
    ]
    assert len(errors) == len(expected), errors
    for line, (prefix, words) in zip(errors, expected, strict=True):
        assert line.startswith(prefix), line
        assert words in line, line

    out = tmp_path / "out"
    stem = stem_of(plan)
    assert sorted(os.listdir(out)) == sorted(
        [f"{DANA_STEM}.md", f"{DANA_STEM}.ics", f"{stem}.md", f"{stem}.ics"]
    )
    report = load_report(tmp_path / "report.json")
    assert [r["source"] for r in report["results"]] == refs
    assert [r["status"] for r in report["results"]] == [
        "exported",
        "failed",
        "exported",
        *["failed"] * 5,
    ]
    # The report carries the same lines as stderr, each under its own input.
    assert [line for r in report["results"] for line in r["errors"]] == errors
    assert [len(r["errors"]) for r in report["results"]] == [0, 3, 0, 1, 1, 1, 1, 1]


def test_valid_plans_come_out_the_same_as_when_exported_alone(run: Run, tmp_path: Path) -> None:
    assert run("import", str(MARCUS)).returncode == 0
    refs = mixed_inputs(tmp_path)
    assert run("export", *refs, "--out", "batch", "--jobs", "2").returncode == 1
    assert run("export", "dana.yaml", "--out", "alone").returncode == 0
    assert run("export", "valid.json", "--out", "alone").returncode == 0
    assert listing(tmp_path / "batch") == listing(tmp_path / "alone")


def test_all_valid_exits_0(run: Run, tmp_path: Path) -> None:
    plan = tmp_path / "p.json"
    plan.write_text(json.dumps(synthetic(3, random.Random(3))))
    result = run("export", str(DANA), str(MARCUS), str(plan), "--out", "out")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    errors, summary = stderr_parts(result)
    assert errors == []
    assert summary.group(2, 3, 4, 6) == ("3", "3", "6", None)
    assert len(os.listdir(tmp_path / "out")) == 6


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([], "--all"),
        (["plans", "--name", "handout"], "--name"),
        (["-", "--name", "handout"], "--name"),
        (["--all", "--name", "handout"], "--name"),
        ([str(DANA), str(MARCUS), "--name", "handout"], "--name"),
        ([str(DANA), "--format", "md,docx"], "docx"),
        ([str(DANA), "--format", ","], "--format"),
        ([str(DANA), "--jobs", "0"], "--jobs"),
        ([str(DANA), "--jobs", "many"], "--jobs"),
    ],
)
def test_usage_errors_exit_2_and_write_nothing(
    run: Run, tmp_path: Path, args: list[str], words: str
) -> None:
    (tmp_path / "plans").mkdir()
    edited(DANA, tmp_path / "plans" / "dana.yaml")
    result = run("export", *args, "--out", "out", "--report", "report.json", stdin="")
    assert result.returncode == 2, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "report.json").exists()


# --- folders ---------------------------------------------------------------------------------


def test_folder_is_searched_recursively_for_plan_files_only(run: Run, tmp_path: Path) -> None:
    rng = random.Random(11)
    plans = tmp_path / "plans"
    # Created out of order on purpose: the order must not be creation order.
    layout = [
        "sub/deeper/y.json",
        "b.yaml",
        "sub/z.yaml",
        "a.json",
        "c.YML",
        "aa/m.yml",
        ".hidden.yaml",
        ".git/x.yaml",
        "sub/.cache/q.json",
        "notes.txt",
        "README.md",
        "plan.yaml.bak",
        "plan.jsonl",
    ]
    made = {}
    for n, name in enumerate(layout):
        plan = synthetic(n, rng)
        path = plans / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(plan)
        path.write_text(text)
        made[name] = plan

    # Each folder's files in name order, then its subfolders in name order; hidden ones never.
    expected = ["a.json", "b.yaml", "c.YML", "aa/m.yml", "sub/z.yaml", "sub/deeper/y.json"]
    for attempt in ("first", "second"):
        out = tmp_path / attempt
        result = run("export", "plans", "--out", attempt, "--report", f"{attempt}.json")
        assert result.returncode == 0, result.stderr
        report = load_report(tmp_path / f"{attempt}.json")
        assert [r["source"] for r in report["results"]] == [str(Path("plans", e)) for e in expected]
        stems = {stem_of(made[name]) for name in expected}
        assert set(os.listdir(out)) == {f"{s}.{ext}" for s in stems for ext in ("md", "ics")}


def test_folder_with_broken_files_reports_them_with_their_path(run: Run, tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    edited(DANA, plans / "dana.yaml")
    (plans / "inner").mkdir()
    (plans / "inner" / "bad.yaml").write_text(BAD_YAML)
    (plans / "inner" / "empty.json").write_text("  \n")
    result = run("export", "plans", str(MARCUS), "--out", "out")
    assert result.returncode == 1
    errors, summary = stderr_parts(result)
    assert summary.group(2, 3, 6) == ("2", "4", "2")
    bad, empty = str(Path("plans", "inner", "bad.yaml")), str(Path("plans", "inner", "empty.json"))
    assert [line.split(" ", 1)[0] for line in errors] == [
        f"{bad}:5:",
        f"{bad}:8:",
        f"{bad}:9:",
        f"{empty}:",
    ]
    assert sorted(os.listdir(tmp_path / "out")) == sorted(
        f"{s}.{e}" for s in (DANA_STEM, MARCUS_STEM) for e in ("md", "ics")
    )


def test_empty_folder_exports_nothing(run: Run, tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "notes.txt").write_text("not a plan")
    result = run("export", "plans", "--out", "out")
    assert result.returncode == 0
    errors, summary = stderr_parts(result)
    assert errors == []
    assert summary.group(2, 3) == ("0", "0")


def test_exporting_a_folder_twice_does_not_read_its_own_output(run: Run, tmp_path: Path) -> None:
    edited(DANA, tmp_path / "plans" / "dana.yaml")
    first = run("export", ".", "--format", "md,json", cwd=tmp_path / "plans")
    assert first.returncode == 0, first.stderr
    second = run("export", ".", "--format", "md,json", cwd=tmp_path / "plans")
    assert second.returncode == 0, second.stderr


# --- stdin -----------------------------------------------------------------------------------


def test_json_lines_on_stdin(run: Run, tmp_path: Path) -> None:
    rng = random.Random(5)
    plans = [synthetic(n, rng) for n in range(4)]
    wrong = synthetic(9, rng)
    wrong["person"]["timezone"] = "Mars/Olympus"
    wrong["meetings"][0]["start"] = "25:00"
    lines = [
        json.dumps(plans[0]),  # 1
        '{"id": "broken", "person": ',  # 2: cut off
        json.dumps(plans[1]),  # 3
        "",  # 4: blank
        json.dumps(wrong),  # 5: two field errors
        "   ",  # 6: blank (spaces)
        json.dumps(plans[2]),  # 7
        "[1, 2, 3]",  # 8: not a mapping
        json.dumps(plans[3]),  # 9
    ]
    result = run("export", "-", "--out", "out", "--report", "r.json", stdin="\n".join(lines) + "\n")
    assert result.returncode == 1
    assert result.stdout == ""
    errors, summary = stderr_parts(result)
    assert summary.group(2, 3, 4, 6) == ("4", "7", "8", "3")
    where = [ERROR_LINE.match(line) for line in errors]
    assert [m.group(0) if m else line for m, line in zip(where, errors, strict=True)] == [
        "-:2: ",
        "-:5: ",
        "-:5: ",
        "-:8: ",
    ]
    assert "invalid JSON" in errors[0]
    assert any(line.startswith("-:5: person.timezone: ") for line in errors)
    assert any(line.startswith("-:5: meetings.0.start: ") for line in errors)

    report = load_report(tmp_path / "r.json")
    assert [r["source"] for r in report["results"]] == [f"-:{n}" for n in (1, 2, 3, 5, 7, 8, 9)]
    assert [r["plan_id"] for r in report["results"] if r["status"] == "exported"] == [
        p["id"] for p in plans
    ]
    assert set(os.listdir(tmp_path / "out")) == {
        f"{stem_of(p)}.{e}" for p in plans for e in ("md", "ics")
    }


def test_one_yaml_document_on_stdin_is_one_plan(run: Run, tmp_path: Path) -> None:
    result = run("export", "-", "--out", "out", "--report", "r.json", stdin=DANA.read_text())
    assert result.returncode == 0, result.stderr
    report = load_report(tmp_path / "r.json")
    assert [(r["source"], r["plan_id"]) for r in report["results"]] == [("-", DANA_ID)]
    assert run("export", str(DANA), "--out", "alone").returncode == 0
    assert listing(tmp_path / "out") == listing(tmp_path / "alone")


def test_one_pretty_printed_json_document_on_stdin_is_one_plan(run: Run, tmp_path: Path) -> None:
    plan = synthetic(2, random.Random(2))
    result = run(
        "export", "-", "--out", "out", "--report", "r.json", stdin=json.dumps(plan, indent=2)
    )
    assert result.returncode == 0, result.stderr
    report = load_report(tmp_path / "r.json")
    assert [(r["source"], r["plan_id"]) for r in report["results"]] == [("-", plan["id"])]


def test_yaml_on_stdin_errors_name_the_line_in_the_stream(run: Run, tmp_path: Path) -> None:
    text = DANA.read_text().replace("  timezone: America/Chicago\n", "  timezone: Mars/Olympus\n")
    line = text.splitlines().index("  timezone: Mars/Olympus") + 1
    result = run("export", "-", "--out", "out", stdin=text)
    assert result.returncode == 1
    errors, _ = stderr_parts(result)
    assert len(errors) == 1
    assert errors[0].startswith(f"-:{line}: person.timezone: ")


def test_stdin_between_files_keeps_input_order(run: Run, tmp_path: Path) -> None:
    rng = random.Random(8)
    plans = [synthetic(n, rng) for n in range(2)]
    stdin = "".join(json.dumps(p) + "\n" for p in plans)
    result = run(
        "export", str(DANA), "-", str(MARCUS), "--out", "out", "--report", "r.json", stdin=stdin
    )
    assert result.returncode == 0, result.stderr
    report = load_report(tmp_path / "r.json")
    assert [r["source"] for r in report["results"]] == [str(DANA), "-:1", "-:2", str(MARCUS)]


def test_json_lines_starting_with_a_blank_line(run: Run, tmp_path: Path) -> None:
    rng = random.Random(4)
    plans = [synthetic(n, rng) for n in range(3)]
    stdin = "\n" + "".join(json.dumps(p) + "\n" for p in plans)
    result = run("export", "-", "--out", "out", "--report", "r.json", stdin=stdin)
    assert result.returncode == 0, result.stderr
    report = load_report(tmp_path / "r.json")
    assert [r["source"] for r in report["results"]] == ["-:2", "-:3", "-:4"]


def test_json_lines_whose_first_line_is_broken(run: Run, tmp_path: Path) -> None:
    rng = random.Random(4)
    plans = [synthetic(n, rng) for n in range(3)]
    stdin = '{"id": "cut-off", "person": \n' + "".join(json.dumps(p) + "\n" for p in plans)
    result = run("export", "-", "--out", "out", "--report", "r.json", stdin=stdin)
    assert result.returncode == 1
    errors, summary = stderr_parts(result)
    assert [line.split(" ", 1)[0] for line in errors] == ["-:1:"]
    assert summary.group(2, 3) == ("3", "4")


def test_an_oversized_json_line_is_one_input(run: Run, tmp_path: Path) -> None:
    rng = random.Random(6)
    first, huge, wrong = (synthetic(n, rng) for n in range(3))
    huge["notes"] = "x" * 1_200_000
    wrong["person"]["timezone"] = "Mars/Olympus"
    stdin = "".join(json.dumps(p) + "\n" for p in (first, huge, wrong))
    result = run("export", "-", "--out", "out", "--report", "r.json", stdin=stdin)
    assert result.returncode == 1
    report = load_report(tmp_path / "r.json")
    assert [r["source"] for r in report["results"]] == ["-:1", "-:2", "-:3"]
    errors, _ = stderr_parts(result)
    assert errors[0].startswith("-:2: ")
    assert errors[-1].startswith("-:3: person.timezone: ")


# --- the report ------------------------------------------------------------------------------


def test_report_structure(run: Run, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD_YAML)
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "report.json").write_text("an older report\n")  # replaced whole
    result = run(
        "export",
        str(DANA),
        "bad.yaml",
        str(MARCUS),
        "--out",
        "out",
        "--jobs",
        "3",
        "--format",
        "ics,md,json",
        "--report",
        "reports/report.json",
    )
    assert result.returncode == 1
    assert os.listdir(reports) == ["report.json"]  # written atomically: no temporary left
    assert (reports / "report.json").stat().st_mode & 0o077 == 0  # health data: owner only
    report = load_report(reports / "report.json")
    assert list(report) == ["totals", "interrupted", "elapsed_seconds", "jobs", "results"]
    assert report["totals"] == {"inputs": 3, "exported": 2, "failed": 1, "files_written": 6}
    assert report["interrupted"] is False
    assert isinstance(report["elapsed_seconds"], float | int)
    assert report["elapsed_seconds"] >= 0
    assert report["jobs"] == 3
    errors, _ = stderr_parts(result)

    def outputs(stem: str) -> list[str]:
        return [str(Path("out", f"{stem}.{ext}")) for ext in ("ics", "md", "json")]

    assert report["results"] == [
        {
            "source": str(DANA),
            "status": "exported",
            "plan_id": DANA_ID,
            "outputs": outputs(DANA_STEM),
            "errors": [],
        },
        {
            "source": "bad.yaml",
            "status": "failed",
            "plan_id": None,
            "outputs": [],
            "errors": errors,
        },
        {
            "source": str(MARCUS),
            "status": "exported",
            "plan_id": MARCUS_ID,
            "outputs": outputs(MARCUS_STEM),
            "errors": [],
        },
    ]
    for record in report["results"]:
        for name in record["outputs"]:
            assert (tmp_path / name).is_file()
            assert (tmp_path / name).stat().st_mode & 0o077 == 0
    assert temporaries(tmp_path / "out") == []


def test_report_names_stored_plans_by_id(run: Run, tmp_path: Path) -> None:
    assert run("import", str(DANA)).returncode == 0
    result = run("export", "dana", str(MARCUS), "--out", "out", "--report", "r.json")
    assert result.returncode == 0, result.stderr
    report = load_report(tmp_path / "r.json")
    assert [(r["source"], r["plan_id"]) for r in report["results"]] == [
        (f"store:{DANA_ID}", DANA_ID),
        (str(MARCUS), MARCUS_ID),
    ]


# --- determinism across --jobs ---------------------------------------------------------------


def test_output_is_identical_whatever_the_number_of_jobs(run: Run, tmp_path: Path) -> None:
    src = tmp_path / "plans"
    write_plans(src, 30)
    (src / "plan-000010-broken.yaml").write_text(BAD_YAML)  # failures land in the same places
    (src / "plan-000020-empty.json").write_text("")
    results = {}
    for jobs in ("1", "2", "4"):
        result = run(
            "export",
            "plans",
            "--out",
            f"out-{jobs}",
            "--jobs",
            jobs,
            "--format",
            "md,ics,json",
            "--report",
            f"report-{jobs}.json",
        )
        assert result.returncode == 1
        errors, summary = stderr_parts(result)
        assert summary.group(2, 3, 4, 6) == ("30", "32", "90", "2")
        report = load_report(tmp_path / f"report-{jobs}.json")
        assert report["jobs"] == int(jobs)
        del report["elapsed_seconds"], report["jobs"]
        text = json.dumps(report).replace(f"out-{jobs}", "OUT")
        results[jobs] = (listing(tmp_path / f"out-{jobs}"), errors, text)
    files, errors, report_text = results["1"]
    assert len(files) == 90
    for jobs in ("2", "4"):
        assert results[jobs][0].keys() == files.keys()
        for name, data in files.items():
            assert results[jobs][0][name] == data, f"{name} differs with --jobs {jobs}"
        assert results[jobs][1] == errors
        assert results[jobs][2] == report_text


# --- output name collisions ------------------------------------------------------------------


def test_colliding_output_names_first_wins_second_fails(run: Run, tmp_path: Path) -> None:
    # Same person name and a UUID with the same first 8 hex digits: the same file names.
    other_id = "3f6c2a9e-0000-4000-8000-000000000001"
    twin = edited(
        DANA,
        tmp_path / "twin.yaml",
        (f"id: {DANA_ID}", f"id: {other_id}"),
        ("notes: |\n", "notes: |\n  THE TWIN PLAN.\n"),
    )
    edited(DANA, tmp_path / "dana.yaml")
    assert run("export", "dana.yaml", "--out", "alone-dana").returncode == 0
    assert run("export", "twin.yaml", "--out", "alone-twin").returncode == 0
    assert listing(tmp_path / "alone-dana") != listing(tmp_path / "alone-twin")

    for first, second, jobs in (("dana.yaml", "twin.yaml", "1"), ("twin.yaml", "dana.yaml", "2")):
        out = f"out-{jobs}"
        result = run("export", first, second, "--out", out, "--jobs", jobs, "--report", "r.json")
        assert result.returncode == 1
        errors, summary = stderr_parts(result)
        assert summary.group(2, 3, 4, 6) == ("1", "2", "2", "1")
        assert len(errors) == 1
        assert errors[0].startswith(f"{second}: ")
        assert first in errors[0].split(": ", 1)[1]
        assert DANA_STEM in errors[0]
        winner = "alone-dana" if first == "dana.yaml" else "alone-twin"
        assert listing(tmp_path / out) == listing(tmp_path / winner)  # never overwritten
        report = load_report(tmp_path / "r.json")
        assert [(r["source"], r["status"], r["outputs"]) for r in report["results"]] == [
            (first, "exported", [str(Path(out, f"{DANA_STEM}.{e}")) for e in ("md", "ics")]),
            (second, "failed", []),
        ]
        assert report["results"][1]["plan_id"] == (DANA_ID if second == "dana.yaml" else other_id)
    assert twin.exists()


# --- --all -----------------------------------------------------------------------------------


def test_all_exports_every_stored_plan_that_is_not_archived(run: Run, tmp_path: Path) -> None:
    plan = synthetic(1, random.Random(1))
    (tmp_path / "person.json").write_text(json.dumps(plan))
    imported = run("import", str(DANA), str(MARCUS), "person.json")
    assert imported.returncode == 0, imported.stderr
    assert run("archive", plan["id"]).returncode == 0

    result = run("export", "--all", "--out", "out", "--report", "r.json")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    report = load_report(tmp_path / "r.json")
    assert sorted(r["source"] for r in report["results"]) == sorted(
        [f"store:{DANA_ID}", f"store:{MARCUS_ID}"]
    )
    assert sorted(os.listdir(tmp_path / "out")) == sorted(
        f"{s}.{e}" for s in (DANA_STEM, MARCUS_STEM) for e in ("md", "ics")
    )
    # Each is what exporting that stored plan on its own gives.
    assert run("export", DANA_ID, MARCUS_ID, "--out", "alone").returncode == 0
    assert listing(tmp_path / "out") == listing(tmp_path / "alone")


def test_unknown_stored_plan_next_to_a_store(run: Run, tmp_path: Path) -> None:
    assert run("import", str(DANA)).returncode == 0
    result = run("export", "nosuchplan", str(DANA), "--out", "out")
    assert result.returncode == 1
    errors, summary = stderr_parts(result)
    assert len(errors) == 1
    assert "'nosuchplan'" in errors[0]
    assert summary.group(2, 3, 6) == ("1", "2", "1")


def test_unknown_stored_plan_without_a_store_names_the_input(run: Run, tmp_path: Path) -> None:
    result = run("export", str(DANA), "plnas", str(MARCUS), "--out", "out")
    assert result.returncode == 1
    errors, _ = stderr_parts(result)
    # A mistyped file or folder name is taken for a stored plan: the line names the input.
    assert len(errors) == 1
    assert errors[0].startswith("plnas: "), errors[0]
    assert "no plan store yet" in errors[0]


# --- not a terminal --------------------------------------------------------------------------


@pytest.mark.parametrize("quiet", [[], ["--quiet"], ["-q"]])
def test_not_a_terminal_stdout_is_empty_stderr_errors_and_summary(
    run: Run, tmp_path: Path, quiet: list[str]
) -> None:
    (tmp_path / "bad.yaml").write_text(BAD_YAML)
    result = run("export", str(DANA), "bad.yaml", str(MARCUS), "--out", "out", *quiet)
    assert result.returncode == 1
    assert result.stdout == ""
    errors, summary = stderr_parts(result)
    assert [line.split(" ", 1)[0] for line in errors] == [
        "bad.yaml:5:",
        "bad.yaml:8:",
        "bad.yaml:9:",
    ]
    assert summary.group(2, 3, 4, 6) == ("2", "3", "4", "1")
    # No progress bar, colour or cursor control in the output of a pipe.
    assert "\x1b" not in result.stderr
    assert "\r" not in result.stderr

    single = run("export", str(DANA), "--out", "single", *quiet)
    assert single.returncode == 0
    assert single.stdout == ""
    assert stderr_parts(single)[0] == []


# --- an interrupted batch --------------------------------------------------------------------


def interrupt_batch(tmp_path: Path, count: int) -> tuple[subprocess.Popen[str], str, Path] | None:
    """Start a batch of ``count`` plans, send SIGINT once some files are written.
    None when the batch was over before the signal could be sent."""
    src = tmp_path / f"plans-{count}"
    write_plans(src, count, seed=count)
    out = tmp_path / f"out-{count}"
    report = tmp_path / f"report-{count}.json"
    args = ["export", str(src), "--out", str(out), "--jobs", "2", "--report", str(report)]
    process = subprocess.Popen(
        [*command(), *args],
        env=environment(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    try:
        while process.poll() is None and time.monotonic() < deadline:
            if out.is_dir() and sum(not n.startswith(".") for n in os.listdir(out)) >= 20:
                break
            time.sleep(0.005)
        if process.poll() is not None:
            process.communicate()
            return None
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if process.returncode == 0 and not load_report(report)["interrupted"]:
        return None  # over just before the signal
    return process, stderr, out


def test_interrupted_batch_leaves_only_whole_files_and_an_honest_report(tmp_path: Path) -> None:
    import icalendar

    for count in (400, 4000):
        started = interrupt_batch(tmp_path, count)
        if started is not None:
            break
    else:
        pytest.skip("this machine exported 4000 plans before SIGINT could be sent")
    process, stderr, out = started
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    last = stderr.splitlines()[-1]
    summary = SUMMARY.fullmatch(last)
    assert summary, last
    assert summary.group(1) == "interrupted: "
    assert int(summary.group(3)) < count  # it did stop early

    leftovers = temporaries(out)
    names = sorted(n for n in os.listdir(out) if str(out / n) not in leftovers)
    assert names, "nothing was written before the signal"
    for name in names:
        data = (out / name).read_bytes()
        if name.endswith(".ics"):
            assert data.endswith(b"END:VCALENDAR\r\n"), name
            calendar = icalendar.Calendar.from_ical(data)
            assert calendar.walk("VEVENT"), name
        else:
            assert name.endswith(".md"), name
            assert b"## About your calendar file" in data, name
            assert data.rstrip().endswith(b"turn on notifications for these events in your app."), (
                name
            )

    # Every file written is byte-for-byte what a fresh export of that plan gives.
    ids = sorted({m.group(1) for n in names if (m := re.search(r"-(plan-\d{6})-", n))})
    assert len(ids) == len({n.rsplit(".", 1)[0] for n in names})
    sources = [str(tmp_path / f"plans-{count}" / f"{i}.json") for i in ids]
    fresh = tmp_path / "fresh"
    again = subprocess.run(
        [*command(), "export", *sources, "--out", str(fresh), "--jobs", "2", "-q"],
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    fresh_files = listing(fresh)
    for name in names:
        assert (out / name).read_bytes() == fresh_files[name], name

    report = load_report(tmp_path / f"report-{count}.json")
    assert report["interrupted"] is True
    results = report["results"]
    assert report["totals"]["inputs"] == len(results) == int(summary.group(3))
    assert report["totals"]["files_written"] == sum(len(r["outputs"]) for r in results)
    # Input order, with no gaps: the first N plans of the folder.
    assert [r["source"] for r in results] == [
        str(tmp_path / f"plans-{count}" / f"plan-{n:06d}.json") for n in range(len(results))
    ]
    for record in results:
        assert record["status"] == "exported"
        for path in record["outputs"]:
            assert Path(path).is_file(), path
    listed = {Path(p).name for r in results for p in r["outputs"]}
    # Files on disk the report does not list: at most the one plan being written at the signal.
    assert listed <= set(names)
    assert len({n.rsplit(".", 1)[0] for n in set(names) - listed}) <= 1

    # Nothing half-done is left behind: no temporary files at all.
    assert leftovers == []


def test_atomic_write_holds_off_ctrl_c_while_it_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C arriving while the temporary file exists is held until the write is done,
    so it can never strand a temporary (the race was: SIGINT during mkstemp's open)."""
    import signal
    import tempfile

    from iopcli import files

    real = tempfile.mkstemp

    def during_mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, right inside the critical part
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", during_mkstemp)
    with pytest.raises(KeyboardInterrupt):
        files.atomic_write(tmp_path / "dana.md", b"# Dana\n")
    # The interrupt was delivered only after the write: the file is whole, nothing else left.
    assert os.listdir(tmp_path) == ["dana.md"]
    assert (tmp_path / "dana.md").read_bytes() == b"# Dana\n"
    assert sigint_restored()


def sigint_restored() -> bool:
    import signal

    return signal.getsignal(signal.SIGINT) is signal.default_int_handler


# --- memory ----------------------------------------------------------------------------------


def peak_rss_mb(tmp_path: Path, stdin: Path, out: str) -> float:
    """Peak RSS (MB) of the largest of the command and its workers, from wait4."""
    with stdin.open("rb") as handle:
        process = subprocess.Popen(
            [*command(), "export", "-", "--out", out, "--jobs", "2", "-q", "--format", "json"],
            env=environment(tmp_path),
            cwd=tmp_path,
            stdin=handle,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return usage.ru_maxrss / scale


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4")
def test_parent_does_not_hold_the_whole_batch(tmp_path: Path) -> None:
    rng = random.Random(1500)
    big, small = tmp_path / "big.jsonl", tmp_path / "small.jsonl"
    with big.open("w") as handle:
        for n in range(1500):
            handle.write(json.dumps(synthetic(n, rng)) + "\n")
    with small.open("w") as handle:
        for n in range(50):
            handle.write(json.dumps(synthetic(n, rng)) + "\n")
    assert big.stat().st_size > 2_500_000
    small_mb = peak_rss_mb(tmp_path, small, "out-small")
    big_mb = peak_rss_mb(tmp_path, big, "out-big")
    assert len(os.listdir(tmp_path / "out-big")) == 1500
    assert big_mb < 300, f"peak RSS {big_mb:.0f} MB for 1500 plans"
    # 30 times the plans, barely more memory (holding them all would add tens of MB).
    assert big_mb < small_mb * 1.5, f"{small_mb:.0f} MB for 50 plans, {big_mb:.0f} MB for 1500"
