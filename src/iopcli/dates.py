"""The dates a plan can hold, checked without loading the plan model.

Wide enough for any birth, discharge or refill, narrow enough that adding a year of meetings or
a minute to a timestamp never leaves what Python can represent. The model's date types
(:mod:`iopcli.values`) and the command line's date options use the same check.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)


def check_date(value: date) -> date:
    """A date within :data:`EARLIEST` .. :data:`LATEST`."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValueError(
            f"{day.isoformat()} is outside the dates a plan can hold"
            f" ({EARLIEST.isoformat()} to {LATEST.isoformat()})"
        )
    return value


def check_datetime(value: datetime) -> datetime:
    """A date and time whose UTC date is within :data:`EARLIEST` .. :data:`LATEST`."""
    check_date(value)  # its own date first: near year 1, converting to UTC overflows
    if value.tzinfo is not None:
        check_date(value.astimezone(UTC))
    return value
