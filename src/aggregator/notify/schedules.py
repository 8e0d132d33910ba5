"""When delivery may happen: the next digest time and the end of quiet hours, in a zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aggregator.config.schedules import Digest, QuietHours

__all__ = ["next_digest_time", "quiet_until"]


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
