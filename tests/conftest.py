"""Shared fixtures: the installed command, run as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


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


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """Run ``iopcli ARGS`` in a subprocess with a private home; returns the completed process."""

    def call(
        *args: str, stdin: str | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("IOPCLI_")}
        env.update({"IOPCLI_HOME": str(tmp_path / "home"), "NO_COLOR": "1", "COLUMNS": "100"})
        return subprocess.run(
            [*command(), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd or tmp_path,
            timeout=120,
            check=False,
        )

    return call
