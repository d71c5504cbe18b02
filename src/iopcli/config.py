"""Settings in a TOML file: the default plan on a patient's machine, clinic defaults on a
counselor's.

The file lives in the platformdirs user config folder, or beside the store when
``IOPCLI_HOME`` is set (tests, portable use). Reading needs only the standard library, so the
crisis card can ask for ``default_plan`` without slowing down.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from iopcli.errors import IopcliError, Problem, UsageError

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
    "discreet": "true: the interview offers discreet calendar titles by default",
    "caldav_url": "the CalDAV server iopcli publish uses (never a password: see the README)",
    "caldav_user": "the login name on that server",
}


# The clinic's lists, offered by number in the interview: arrays of tables in the file.
LISTS = ("meetings", "resources", "counselors", "professionals")
# The clinic's after-hours line and nearest emergency department: one table each, offered
# first in the safety plan's step 5.
TABLES = ("after_hours", "emergency_department")
MAX_REMIND_MINUTES = 10080  # a week


class ConfigError(IopcliError):
    """The config file cannot be read or written, or holds a value that is not valid; one
    ``FILE:LINE: key: message`` line per problem, like a plan file."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.source = message
        self.problems = problems or []
        super().__init__(self.lines()[0])

    def lines(self) -> list[str]:
        if not self.problems:
            return [self.source]
        return [problem.render(self.source) for problem in self.problems]


def config_path(home: Path | None = None) -> Path:
    """``home``/config.toml when a home is given (``--home``), else beside the store when
    ``IOPCLI_HOME`` is set, else the platform's user config folder."""
    if home is not None:
        return home / CONFIG_NAME
    override = os.environ.get("IOPCLI_HOME")
    if override:
        return Path(override).expanduser() / CONFIG_NAME
    import platformdirs

    return Path(platformdirs.user_config_dir("iopcli", appauthor=False)) / CONFIG_NAME


def read_config(home: Path | None = None, *, check: bool = True) -> dict[str, Any]:
    """The settings, checked: a file that is not UTF-8 or not TOML, an unknown key or a value
    that is not valid is a :class:`ConfigError` naming the line; nothing is silently ignored.
    ``check=False`` (``config set`` and ``unset``, which repair the file) lets values pass."""
    path = config_path(home)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise ConfigError(str(path), [Problem("is a folder, not a settings file")]) from None
    except OSError as exc:
        raise ConfigError(str(path), [Problem(f"cannot be read: {exc.strerror}")]) from None
    return parse_config(data, str(path), check=check)


def parse_config(data: bytes, source: str, *, check: bool = True) -> dict[str, Any]:
    """Settings from the bytes of a ``config.toml``; ``source`` names them in messages."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        raise ConfigError(source, [Problem(message, line=line)]) from None
    try:
        settings = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # "Invalid value (at line 3, column 17)": the line goes where every message has it.
        found = re.search(r"\(at line (\d+), column \d+\)|\(at end of document\)", str(exc))
        what = str(exc)[: found.start()].strip() if found else str(exc)
        at = None
        if found is not None:  # a line, or the end of the document: its last line
            at = int(found.group(1)) if found.group(1) else text.rstrip("\n").count("\n") + 1
        raise ConfigError(source, [Problem(f"not valid TOML: {what}", line=at)]) from None
    problems = list(_problems(settings, text)) if check else []
    if problems:
        raise ConfigError(source, problems)
    return settings


def _problems(settings: dict[str, Any], text: str) -> Iterator[Problem]:
    for key, value in settings.items():
        line = _line_of(text, key)
        if key in LISTS:
            if not (isinstance(value, list) and all(isinstance(e, dict) for e in value)):
                yield Problem(f"write the clinic's list as [[{key}]] tables", key, line)
            continue
        if key in TABLES:
            if not (isinstance(value, dict) and isinstance(value.get("name"), str)):
                yield Problem(f'write it as a [{key}] table with name = "..."', key, line)
            continue
        if key not in KEYS:
            close = difflib.get_close_matches(key, [*KEYS, *LISTS, *TABLES], n=1, cutoff=0.75)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            yield Problem(f"unknown setting{hint}", key, line)
            continue
        problem = _check_setting(key, value)
        if problem:
            yield Problem(problem, key, line)


def _check_setting(key: str, value: Any) -> str | None:
    """What is wrong with a value read from the file (None if nothing). Only the standard
    library: the crisis card reads this file and must stay fast."""
    shown = json.dumps(value, ensure_ascii=True, default=str)
    if key == "discreet":
        return None if isinstance(value, bool) else f"must be true or false, not {shown}"
    if key == "remind_minutes":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number of minutes from 0 to {MAX_REMIND_MINUTES}, not {shown}"
        if not 0 <= value <= MAX_REMIND_MINUTES:
            return f"{value} is not between 0 and {MAX_REMIND_MINUTES} minutes"
        return None
    if not isinstance(value, str):
        return f"must be text in quotes, not {shown}"
    text = value.strip()
    if not text:
        return f"is empty (remove the line, or: iopcli config unset {key})"
    if _CONTROL.search(text):
        return "has a control character; remove it"
    if key == "region" and not (len(text) == 2 and text.isascii() and text.isalpha()):
        return f"{shown} is not a two-letter country code like US"
    if key == "counselor_phone" and not (
        _PHONE.fullmatch(text) and sum(ch.isdigit() for ch in text) >= 3
    ):
        return f"{shown} is not a phone number"
    if key == "timezone" and not _is_zone(text):
        return f"{shown} is not a known IANA time zone (e.g. America/Chicago)"
    if key == "caldav_url":
        return _url_problem(text)
    return None


def _url_problem(text: str) -> str | None:
    """What is wrong with a CalDAV address (None if nothing); a password in it is refused."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        has_password = parts.password is not None
    except ValueError:
        return "is not an http:// or https:// address"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an http:// or https:// address"
    if has_password:
        return "holds a password: remove it (passwords go in the keyring or ~/.netrc)"
    return None


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_PHONE = re.compile(r"\+?[0-9 ()./-]+(?:\s*(?:ext\.?|x|#)\s*[0-9]{1,6})?", re.IGNORECASE)


def _is_zone(key: str) -> bool:
    if key.startswith(("/", ".")) or ".." in key or "\\" in key:
        return False
    try:
        ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _line_of(text: str, key: str) -> int | None:
    """The line where a top-level key (or the first [[key]] table) is written."""
    name = re.escape(key)
    pattern = rf"^[ \t]*(?:{name}|\"{name}\"|'{name}')[ \t]*=|^[ \t]*\[\[[ \t]*{name}[ \t]*\]\]"
    found = re.search(pattern, text, re.MULTILINE)
    return text[: found.start()].count("\n") + 1 if found else None


def check_value(key: str, value: str) -> Any:
    """The value as stored, or a UsageError that says what is wrong with it."""
    if key not in KEYS:
        raise UsageError(f"unknown setting {key!r}; settings: {', '.join(KEYS)}")
    text = value.strip()
    if key == "remind_minutes":
        if not text.isdigit() or int(text) > MAX_REMIND_MINUTES:
            raise UsageError(
                f"remind_minutes: {value!r} is not a number of minutes (0 to {MAX_REMIND_MINUTES})"
            )
        return int(text)
    if key == "discreet":
        if text.lower() not in ("true", "false", "yes", "no", "y", "n"):
            raise UsageError(f"discreet: {value!r} is not true or false")
        return text.lower() in ("true", "yes", "y")
    checks = {"counselor_phone": "check_phone", "timezone": "check_timezone"}
    if key in checks:
        from iopcli import values

        try:
            return getattr(values, checks[key])(text)
        except ValueError as exc:
            raise UsageError(f"{key}: {exc}") from None
    if key == "region" and not (len(text) == 2 and text.isalpha()):
        raise UsageError(f"region: {value!r} is not a two-letter country code like US")
    if key == "caldav_url" and text and _url_problem(text):
        raise UsageError(f"caldav_url: the address {_url_problem(text)}")
    if not text:
        raise UsageError(f"{key}: give a value (or use `iopcli config unset {key}`)")
    return text.upper() if key == "region" else text


def write_config(data: dict[str, Any], home: Path | None = None) -> Path:
    import tomli_w

    from iopcli.files import atomic_write

    path = config_path(home)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{path.parent}: cannot create the folder: {exc.strerror}") from None
    atomic_write(path, tomli_w.dumps(dict(sorted(data.items()))).encode("utf-8"))
    return path
