"""Times of day for delivery: digest schedules and quiet hours, parsed and resolved in a zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "Digest",
    "QuietHours",
    "next_digest_time",
    "parse_digest",
    "parse_quiet_hours",
    "parse_zone",
    "quiet_until",
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


def _at(day: datetime, clock: time, zone: ZoneInfo) -> datetime:
    """`clock` on the local date of `day`, as UTC (a time skipped by DST lands just after)."""
    local = datetime.combine(day.date(), clock, tzinfo=zone)
    return local.astimezone(UTC)


def next_digest_time(digest: Digest, after: datetime, zone: ZoneInfo) -> datetime:
    """The first digest time strictly after `after` (UTC in, UTC out)."""
    if digest.every == "hourly":
        return _next_full_hour(after, zone)
    local = after.astimezone(zone)
    for days in range(8):
        day = local + timedelta(days=days)
        if digest.weekday is not None and day.weekday() != digest.weekday:
            continue
        candidate = _at(day, digest.at, zone)
        if candidate > after:
            return candidate
    raise AssertionError("a weekly slot exists within 8 days")  # pragma: no cover


def _next_full_hour(after: datetime, zone: ZoneInfo) -> datetime:
    """The first instant after `after` when the clock in `zone` shows a full hour (xx:00).

    Zones such as Asia/Kolkata (+5:30) or Asia/Kathmandu (+5:45) have their full hours off the
    UTC ones. The candidates are the next few wall-clock hours, each in both of its readings
    around a DST change (`fold`: a repeated 02:00 is two instants); a wall time skipped by a
    change maps to an instant whose clock shows another minute (Lord Howe Island moves by 30),
    and is dropped.
    """
    hour = after.astimezone(zone).replace(minute=0, second=0, microsecond=0, tzinfo=None)
    candidates = (
        (hour + timedelta(hours=step)).replace(tzinfo=zone, fold=fold).astimezone(UTC)
        for step in range(4)
        for fold in (0, 1)
    )
    return min(
        instant
        for instant in candidates
        if instant > after and instant.astimezone(zone).minute == 0
    )


def quiet_until(quiet: QuietHours, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The end of the quiet window `now` falls in (UTC), or None outside quiet hours."""
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if quiet.start < quiet.end:
        inside = quiet.start <= clock < quiet.end
        end_day = local
    else:  # the window wraps past midnight
        inside = clock >= quiet.start or clock < quiet.end
        end_day = local if clock < quiet.end else local + timedelta(days=1)
    return _at(end_day, quiet.end, zone) if inside else None
