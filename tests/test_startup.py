"""What each command loads on start, and that plain parameters convert without pydantic.

Start-up time is measured in ``benchmarks/startup.py`` (figures, never timed assertions);
these tests pin down the cause: which heavy modules a command imports. They run a real
process with ``PYTHONPROFILEIMPORTTIME``, since imports are a property of the process.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, Run

Process = Callable[..., subprocess.CompletedProcess[str]]
EXPORTERS = {"icalendar", "iopcli.ics", "iopcli.export", "iopcli.markdown"}


def imported(stderr: str) -> set[str]:
    names = {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert names, "no import timing in the output"
    return names


def top_level(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names} | names


@pytest.fixture
def stored(run: Run) -> None:
    assert run("import", *map(str, EXAMPLES)).returncode == 0
    assert run("config", "set", "default_plan", "dana").returncode == 0


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--json"],
        ["history", "dana"],
        ["diff", "dana"],
        ["config", "path"],
        ["config", "show"],
        ["drafts"],
        ["--help"],
        ["show", "--help"],
    ],
    ids=" ".join,
)
def test_commands_without_plan_models_load_no_pydantic(process: Process, args: list[str]) -> None:
    result = process(*args, PYTHONPROFILEIMPORTTIME="1")
    assert result.returncode == 0, result.stderr[-1000:]
    names = top_level(imported(result.stderr))
    assert "pydantic" not in names
    assert not names & EXPORTERS


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize("args", [["agenda", "--days", "3"], ["show", "--plain"]], ids=" ".join)
def test_reading_a_plan_loads_no_calendar_library(process: Process, args: list[str]) -> None:
    result = process(*args, PYTHONPROFILEIMPORTTIME="1")
    assert result.returncode == 0, result.stderr[-1000:]
    assert not top_level(imported(result.stderr)) & {"icalendar", "iopcli.ics", "iopcli.export"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Input should be greater than or equal to 1"),
        ("367", "Input should be less than or equal to 366"),
        ("x", "Input should be a valid integer"),
        ("1.5", "Input should be a valid integer"),
        ("-1", "Input should be greater than or equal to 1"),
        ("٣", "Input should be"),  # a digit, but not an ASCII one: Typer's own rules decide
    ],
)
def test_numbers_out_of_bounds_get_typers_own_message(run: Run, value: str, message: str) -> None:
    result = run("agenda", str(EXAMPLES[0]), "--days", value)
    assert result.returncode == 2
    assert message in " ".join(result.stderr.replace("│", " ").split())


@pytest.mark.parametrize("value", ["1", "05", "366"])
def test_plain_numbers_convert(run: Run, value: str) -> None:
    result = run("agenda", str(EXAMPLES[0]), "--from", "2027-03-09", "--days", value, "--json")
    assert result.returncode == 0, result.stderr
    assert f'"days": {int(value)}' in result.stdout


def test_lists_options_and_flags_convert(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("export", *map(str, EXAMPLES), "--out", str(out), "--no-alarms", "--not-discreet")
    assert result.returncode == 0, result.stderr
    assert len(list(out.iterdir())) == 2 * len(EXAMPLES)


def test_commands_built_on_demand_are_the_commands_typer_builds() -> None:
    """cli.command() builds each command when it runs; it must be the same as Typer's whole
    build of cli.app, help text, options and all."""
    import typer

    from iopcli import cli

    lazy, whole = cli.command(), typer.main.get_group(cli.app)
    assert lazy.list_commands(typer.Context(lazy)) == list(whole.commands)

    def shown(root: typer.core.TyperGroup, command: Any, name: str) -> str:
        # As a run makes it: the root's settings (-h for help) reach every command.
        parent = root.make_context("iopcli", [], resilient_parsing=True)
        return str(command.get_help(typer.Context(command, parent=parent, info_name=name)))

    for name, built in whole.commands.items():
        on_demand = lazy.get_command(typer.Context(lazy), name)
        assert on_demand is not None
        assert shown(lazy, on_demand, name) == shown(whole, built, name), name
        assert [p.opts for p in on_demand.params] == [p.opts for p in built.params], name
