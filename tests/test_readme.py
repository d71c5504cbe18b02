"""The README is the manual: it must not drift from the code.

Walks the Typer app in-process (as sqlite-utils checks its docs): every command has help and
is documented, the README's copy of ``iopcli --help`` is what the command prints, and the
layout paragraph names every module.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import typer

from conftest import ROOT, Ran, invoke, plain_environment
from conftest import command as iopcli_command
from iopcli.cli import app

README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path of the app: ("export",), ("directory", "search"), ..."""
    found = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        found.append(path)
        if hasattr(command, "commands"):  # a group (Typer carries its own copy of click)
            found += commands(command, path)
    return found


def help_of(tmp_path: Path, *args: str) -> Ran:
    return invoke(
        (*args, "--help"), plain_environment(tmp_path) | {"COLUMNS": "80"}, None, tmp_path
    )


def test_every_command_has_help_and_is_in_the_readme(tmp_path: Path) -> None:
    every = commands(typer.main.get_group(app))
    assert ("export",) in every
    assert ("directory", "search") in every
    for path in every:
        command: Any = typer.main.get_group(app)
        for name in path:
            command = command.commands[name]
        assert (command.help or "").strip(), f"iopcli {' '.join(path)} has no help"
        assert help_of(tmp_path, *path).returncode == 0, path
        assert f"iopcli {' '.join(path)}" in README, f"{' '.join(path)} is not in the README"


def readme_block(command: str) -> str:
    """The text shown in the README under ``$ COMMAND`` (up to the end of its code block)."""
    match = re.search(rf"^\$ {re.escape(command)}\n(.*?)^```", README, re.M | re.S)
    assert match, f"the README shows no output of {command}"
    return match.group(1)


def test_readme_help_is_what_the_command_prints(tmp_path: Path) -> None:
    # A real process: in-process, Click's test runner forces its own help width.
    environ = plain_environment(tmp_path) | {"COLUMNS": "80"}
    shown = subprocess.run(
        [*iopcli_command(), "--help"], capture_output=True, text=True, env=environ, check=True
    ).stdout
    expected = "\n".join(line.rstrip() for line in shown.splitlines()).strip("\n")
    documented = readme_block("iopcli --help").rstrip("\n")
    assert documented == expected, (
        "README's `iopcli --help` is out of date: paste the output of"
        " `COLUMNS=80 NO_COLOR=1 iopcli --help | sed 's/ *$//'`"
    )


def test_layout_paragraph_names_every_module() -> None:
    layout = README[README.index("Layout") : README.index("Tests check exported calendars")]
    package = ROOT / "src" / "iopcli"
    modules = {p.stem for p in package.glob("*.py") if p.stem not in {"__init__", "__main__"}}
    modules |= {f"cli.{p.stem}" for p in (package / "cli").glob("*.py") if p.stem != "__init__"}
    missing = sorted(m for m in modules if f"`{m}`" not in layout)
    assert not missing, f"README's layout paragraph does not name: {', '.join(missing)}"
