"""Dates as sources write them (ISO 8601, RFC 2822, epoch seconds or milliseconds), one reader."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final, Literal

__all__ = [
    "EPOCH_MS_FROM",
    "DateFormat",
    "as_utc",
    "epoch_number",
    "from_epoch",
    "from_iso",
    "from_rfc2822",
    "parse_date",
    "utc_or_none",
]

# Epoch numbers from here on are milliseconds: 1e11 seconds is the year 5138.
EPOCH_MS_FROM: Final = 1e11
EpochUnit = Literal["auto", "s", "ms"]
DateFormat = Literal["auto", "iso", "epoch_s", "epoch_ms"]
_UNITS: Final[dict[DateFormat, EpochUnit]] = {"auto": "auto", "epoch_s": "s", "epoch_ms": "ms"}


def as_utc(value: datetime) -> datetime:
    """Naive means UTC; aware values are converted."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_or_none(value: datetime) -> datetime | None:
    """`as_utc`, or None for a time with no UTC equivalent ("0001-01-01T00:00+05:00")."""
    try:
        return as_utc(value)
    except OverflowError:
        return None


def epoch_number(value: object) -> float | None:
    """An epoch as a number: numbers, and strings of digits with at most one decimal point."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.strip().replace(".", "", 1).isdigit():
        return float(value)
    return None


def from_epoch(value: object, *, unit: EpochUnit = "auto") -> datetime | None:
    """A UTC datetime from an epoch (`epoch_number`) in seconds or milliseconds (`auto`: from
    EPOCH_MS_FROM on); None for what is no epoch, zero and negatives ("no date", not 1970),
    and times past the year 9999."""
    number = epoch_number(value)
    if number is None or not math.isfinite(number) or number <= 0:
        return None
    if unit == "ms" or (unit == "auto" and number >= EPOCH_MS_FROM):
        number /= 1000
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def from_iso(value: object) -> datetime | None:
    """An ISO 8601 datetime as given (aware when it has an offset or `Z`), else None."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def from_rfc2822(value: str) -> datetime | None:
    """An RFC 2822 date (RSS, e-mail) as given, else None."""
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def parse_date(value: object, date_format: DateFormat = "auto") -> datetime | None:
    """A date from an ISO 8601 string or an epoch number (or numeric string), in the given
    format (`auto`: whichever it is); naive times are UTC; else None."""
    if isinstance(value, bool) or value is None:
        return None
    if date_format != "iso" and (number := epoch_number(value)) is not None:
        return from_epoch(number, unit=_UNITS[date_format])
    if not isinstance(value, str) or date_format not in ("auto", "iso"):
        return None
    parsed = from_iso(value)
    return parsed if parsed is None or parsed.tzinfo else parsed.replace(tzinfo=UTC)
