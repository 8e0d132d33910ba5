"""Times of day for delivery as the config writes them: digest schedules, quiet hours, zones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "Digest",
    "QuietHours",
    "parse_digest",
    "parse_quiet_hours",
    "parse_zone",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = r"([01]?\d|2[0-3]):([0-5]\d)"
_DIGEST_RE = re.compile(
    rf"^(?:(hourly)|(daily)@{_CLOCK}|(weekly)@({'|'.join(WEEKDAYS)})\s+{_CLOCK})$", re.IGNORECASE
)
_QUIET_RE = re.compile(rf"^{_CLOCK}\s*-\s*{_CLOCK}$")


@dataclass(frozen=True, slots=True)
class Digest:
    """`hourly`, `daily@08:00` or `weekly@mon 08:00`: when a rule's digest goes out."""

    every: str  # hourly | daily | weekly
    at: time = time(0, 0)
    weekday: int | None = None  # Monday is 0

    def __str__(self) -> str:
        if self.every == "hourly":
            return "hourly"
        clock = self.at.strftime("%H:%M")
        if self.weekday is None:
            return f"daily@{clock}"
        return f"weekly@{WEEKDAYS[self.weekday]} {clock}"


@dataclass(frozen=True, slots=True)
class QuietHours:
    """`22:00-07:00`: no delivery from the start (inclusive) to the end (exclusive)."""

    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_zone(name: str) -> ZoneInfo:
    """An IANA time zone such as `Europe/Berlin`; ValueError for an unknown name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (expected e.g. UTC or Europe/Berlin)"
        ) from None


def parse_digest(value: object) -> Digest:
    if isinstance(value, Digest):
        return value
    found = _DIGEST_RE.match(value.strip()) if isinstance(value, str) else None
    if not found:
        raise ValueError(
            f"expected instant, hourly, daily@HH:MM or weekly@DAY HH:MM "
            f"(e.g. weekly@mon 08:00), got {value!r}"
        )
    groups = found.groups()
    if groups[0]:
        return Digest("hourly")
    if groups[1]:
        return Digest("daily", time(int(groups[2]), int(groups[3])))
    weekday = WEEKDAYS.index(groups[5].lower())
    return Digest("weekly", time(int(groups[6]), int(groups[7])), weekday)


def parse_quiet_hours(value: object) -> QuietHours:
    if isinstance(value, QuietHours):
        return value
    found = _QUIET_RE.match(value.strip()) if isinstance(value, str) else None
    if not found:
        raise ValueError(f"expected HH:MM-HH:MM such as 22:00-07:00, got {value!r}")
    hour1, minute1, hour2, minute2 = (int(part) for part in found.groups())
    start, end = time(hour1, minute1), time(hour2, minute2)
    if start == end:
        raise ValueError(f"quiet hours {value!r} start and end at the same time")
    return QuietHours(start, end)
