"""Dates typed on the command line (agenda --from/--days, validate --as-of) stay within the
dates a plan can hold (values.EARLIEST..values.LATEST): outside them, one line naming the
option and exit 2, never an internal error (9999-12-30 plus a week is past what Python's
dates can represent)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Ran, Run, invoke, plain_environment
from iopcli.dates import EARLIEST, LATEST

ROOT = Path(__file__).resolve().parent.parent
DANA = str(ROOT / "examples" / "alcohol-depression.yaml")
RANGE = "(1900-01-01 to 2200-12-31)"


def usage_error(result: Ran | subprocess.CompletedProcess[str]) -> str:
    """The one line of a usage error (exit 2, nothing on stdout)."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# --- agenda --from / --days -------------------------------------------------------------------


@pytest.mark.parametrize("first", ["9999-12-30", "9999-12-31", "0001-01-01", "1899-12-31"])
def test_agenda_from_outside_the_plan_dates_is_a_usage_error(run: Run, first: str) -> None:
    line = usage_error(run("agenda", DANA, "--from", first))
    assert line == f"--from: {first} is outside the dates a plan can hold {RANGE}"


def test_agenda_from_past_the_last_date_is_a_usage_error_in_json_too(run: Run) -> None:
    line = usage_error(run("agenda", DANA, "--json", "--from", "2201-01-01", "--days", "1"))
    assert line == f"--from: 2201-01-01 is outside the dates a plan can hold {RANGE}"


@pytest.mark.parametrize(
    ("first", "days", "last"),
    [
        ("2200-12-31", "366", "2201-12-31"),
        ("2200-12-31", "2", "2201-01-01"),
        ("2200-06-01", "366", "2201-06-01"),
    ],
)
def test_agenda_window_ending_past_the_last_date_is_a_usage_error(
    run: Run, first: str, days: str, last: str
) -> None:
    line = usage_error(run("agenda", DANA, "--from", first, "--days", days))
    assert line == (
        f"--days: {days} days from {first} end on {last}, past 2200-12-31,"
        " the last date a plan can hold"
    )


@pytest.mark.parametrize(
    ("first", "days"), [("2200-12-31", "1"), ("2200-01-01", "365"), ("1900-01-01", "366")]
)
def test_agenda_windows_at_the_edges_of_the_plan_dates_work(
    run: Run, first: str, days: str
) -> None:
    result = run("agenda", DANA, "--json", "--from", first, "--days", days)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["from"], data["days"]) == (first, int(days))
    for entry in data["entries"]:
        start = dt.datetime.fromisoformat(entry["start"]).date()
        assert dt.date.fromisoformat(first) <= start <= dt.date(2200, 12, 31)


def test_a_window_on_the_last_day_shows_that_day(run: Run) -> None:
    # 2200-12-31 is a Wednesday: Dana's Wednesday alumni group is on it.
    result = run("agenda", DANA, "--from", "2200-12-31", "--days", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Wednesday, December 31"


# Any date Python has, weighted towards the plan dates and their last month.
SOME_DATES = st.one_of(
    st.dates(), st.dates(EARLIEST, LATEST), st.dates(dt.date(2200, 12, 1), LATEST)
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=SOME_DATES, days=st.integers(1, 366))
def test_any_from_and_days_is_an_agenda_or_one_clear_line(
    tmp_path: Path, first: dt.date, days: int
) -> None:
    args = ("agenda", DANA, "--json", "--from", first.isoformat(), "--days", str(days))
    result = invoke(args, plain_environment(tmp_path), None, tmp_path)
    if not EARLIEST <= first <= LATEST:
        assert usage_error(result).startswith(f"--from: {first.isoformat()} is outside")
    elif first + dt.timedelta(days=days - 1) > LATEST:
        assert usage_error(result).startswith(f"--days: {days} days from {first.isoformat()}")
    else:
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["from"] == first.isoformat()


# --- validate --as-of -------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"])
@pytest.mark.parametrize("strict", [True, False], ids=["strict", "plain"])
def test_validate_as_of_outside_the_plan_dates_is_a_usage_error(
    run: Run, as_of: str, strict: bool
) -> None:
    args = ["validate", *(["--strict"] if strict else []), "--as-of", as_of, DANA]
    line = usage_error(run(*args))
    assert line == f"--as-of: {as_of} is outside the dates a plan can hold {RANGE}"


@pytest.mark.parametrize("as_of", ["1900-01-01", "2200-12-31"])
def test_validate_as_of_at_the_edges_checks_the_plan(run: Run, as_of: str) -> None:
    result = run("validate", "--strict", "--json", "--as-of", as_of, DANA)
    assert result.returncode in (0, 1), result.stderr
    (report,) = json.loads(result.stdout)
    assert report["file"] == DANA
    assert report["errors"] == []
