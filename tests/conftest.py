"""Shared fixtures: the command run in-process (fast), or as a real process where the process
itself is what is tested (the console script's fast path, signals, import costs, workers).

``run`` and ``run_rich`` call the Typer app through Click's runner, with a private home and
the environment a user's terminal would give; they return an object shaped like
:class:`subprocess.CompletedProcess` (``returncode``, ``stdout``, ``stderr``), so a test reads
the same whichever way the command ran. ``process`` runs the installed console script.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import typer.testing
from hypothesis import settings
from typer.testing import CliRunner

from iopcli import cli

# The console script runs cli.command(), which builds each command only when it is run; the
# tests run the very same object (Typer's test runner would build every command from cli.app
# on every call).
_typer_command = typer.testing._get_command
typer.testing._get_command = lambda given: (  # type: ignore[assignment]
    cli.command() if given is cli.app else _typer_command(given)
)

# Property tests draw 30 examples each by default, so the suite stays under 90 s on two cores;
# HYPOTHESIS_PROFILE=thorough draws 500 (tests that set their own count keep it).
settings.register_profile("iopcli", max_examples=30)
settings.register_profile("thorough", max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "iopcli"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def pytest_configure(config: pytest.Config) -> None:
    """Byte-compile the package once: with PYTHONDONTWRITEBYTECODE set (as on CI machines)
    every real process the tests start would otherwise compile iopcli again."""
    import compileall

    compileall.compile_dir(ROOT / "src" / "iopcli", quiet=1)


def command() -> list[str]:
    """The installed console script, or ``python -m iopcli`` where there is none."""
    script = Path(sys.executable).with_name("iopcli")
    return [str(script)] if script.exists() else [sys.executable, "-m", "iopcli"]


def rich_environment(tmp_path: Path, **env: str | None) -> dict[str, str]:
    """An environment for seeing rich output (NO_COLOR unset); ``env`` overrides, None
    removes a name."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("IOPCLI_") and k not in {"NO_COLOR", "FORCE_COLOR", "TERM"}
    }
    environ |= {"IOPCLI_HOME": str(tmp_path / "home"), "COLUMNS": "100", "TERM": "xterm"}
    for name, value in env.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return environ


def plain_environment(tmp_path: Path) -> dict[str, str]:
    """What scripts see: NO_COLOR, 100 columns, a private home."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("IOPCLI_")}
    environ |= {"IOPCLI_HOME": str(tmp_path / "home"), "NO_COLOR": "1", "COLUMNS": "100"}
    return environ


@dataclass
class Ran:
    """One command's outcome, in-process or not: the fields of ``CompletedProcess``."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    extra: dict[str, object] = field(default_factory=dict)


Run = Callable[..., "Ran | subprocess.CompletedProcess[str]"]


def invoke(args: tuple[str, ...], environ: dict[str, str], stdin: str | None, cwd: Path) -> Ran:
    """Run ``iopcli ARGS`` in this process with exactly ``environ`` as the environment."""
    app = cli.app
    # The runner sets (and afterwards restores) what it is given; names to remove map to None.
    changes: dict[str, str | None] = {k: None for k in os.environ if k not in environ}
    changes |= environ
    before = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(
            app, list(args), input=stdin, env=changes, prog_name="iopcli", catch_exceptions=True
        )
    finally:
        os.chdir(before)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a crash is the test's business, not an exit code
    return Ran(list(args), result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """Run ``iopcli ARGS`` in-process as a script would (NO_COLOR, a private home)."""

    def call(*args: str, stdin: str | None = None, cwd: Path | None = None) -> Ran:
        return invoke(args, plain_environment(tmp_path), stdin, cwd or tmp_path)

    return call


@pytest.fixture
def run_rich(tmp_path: Path) -> Callable[..., Ran]:
    """Run ``iopcli ARGS`` in-process as on a colour terminal; keyword arguments set (or, with
    None, remove) environment variables."""

    def call(*args: str, stdin: str | None = None, **env: str | None) -> Ran:
        return invoke(args, rich_environment(tmp_path, **env), stdin, tmp_path)

    return call


@pytest.fixture
def process(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed ``iopcli`` as a real process (NO_COLOR, a private home); for what only a
    real process shows: the console script's fast path, exit on signals, imports, workers."""

    def call(
        *args: str, stdin: str | None = None, cwd: Path | None = None, **env: str | None
    ) -> subprocess.CompletedProcess[str]:
        environ = plain_environment(tmp_path)
        for name, value in env.items():
            if value is None:
                environ.pop(name, None)
            else:
                environ[name] = value
        return subprocess.run(
            [*command(), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=environ,
            cwd=cwd or tmp_path,
            timeout=120,
            check=False,
        )

    return call
