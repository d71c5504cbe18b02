"""Settings in a TOML file: the default plan on a patient's machine, clinic defaults on a
counselor's.

The file lives in the platformdirs user config folder, or beside the store when
``IOPCLI_HOME`` is set (tests, portable use). Reading needs only the standard library, so the
crisis card can ask for ``default_plan`` without slowing down.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from iopcli.errors import IopcliError, UsageError

CONFIG_NAME = "config.toml"

# Every key, what it holds, and how a value typed on the command line is checked.
KEYS: dict[str, str] = {
    "default_plan": "the stored plan that show, agenda and crisis use when none is named",
    "program": "your program or clinic name, offered when a plan is written",
    "counselor": "the counselor's name, offered when a plan is written",
    "counselor_phone": "the counselor's phone number",
    "region": "two-letter country code for crisis lines and phone numbers (default US)",
    "timezone": "IANA time zone offered for new plans (default: this machine's)",
    "remind_minutes": "calendar reminder in minutes before each event (default 60)",
}


class ConfigError(IopcliError):
    """The config file cannot be read or written."""


def config_path() -> Path:
    home = os.environ.get("IOPCLI_HOME")
    if home:
        return Path(home).expanduser() / CONFIG_NAME
    import platformdirs

    return Path(platformdirs.user_config_dir("iopcli", appauthor=False)) / CONFIG_NAME


def read_config() -> dict[str, Any]:
    path = config_path()
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
    return data


def check_value(key: str, value: str) -> Any:
    """The value as stored, or a UsageError that says what is wrong with it."""
    if key not in KEYS:
        raise UsageError(f"unknown setting {key!r}; settings: {', '.join(KEYS)}")
    text = value.strip()
    if key == "remind_minutes":
        if not text.isdigit() or int(text) > 10080:
            raise UsageError(f"remind_minutes: {value!r} is not a number of minutes (0 to 10080)")
        return int(text)
    checks = {"counselor_phone": "check_phone", "timezone": "check_timezone"}
    if key in checks:
        from iopcli import values

        try:
            return getattr(values, checks[key])(text)
        except ValueError as exc:
            raise UsageError(f"{key}: {exc}") from None
    if key == "region" and not (len(text) == 2 and text.isalpha()):
        raise UsageError(f"region: {value!r} is not a two-letter country code like US")
    if not text:
        raise UsageError(f"{key}: give a value (or use `iopcli config unset {key}`)")
    return text.upper() if key == "region" else text


def write_config(data: dict[str, Any]) -> Path:
    import tomli_w

    from iopcli.files import atomic_write

    path = config_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{path.parent}: cannot create the folder: {exc.strerror}") from None
    atomic_write(path, tomli_w.dumps(dict(sorted(data.items()))).encode("utf-8"))
    return path
