"""Digest times in the configured zone: hourly digests follow the zone's own hours."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.config.schedules import Digest
from aggregator.notify.schedules import next_digest_time
from tests.conftest import run_cli
from tests.support.servers import FeedServer, rss

HOURLY = Digest("hourly")
ZONES = [
    "UTC",
    "Asia/Kolkata",  # +5:30
    "Asia/Kathmandu",  # +5:45
    "Australia/Eucla",  # +8:45
    "Pacific/Chatham",  # +12:45, +13:45 in summer
    "Australia/Lord_Howe",  # +10:30, +11 in summer: a half-hour switch
    "Europe/Berlin",
    "America/St_Johns",  # -3:30, -2:30 in summer
]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        ("Asia/Kolkata", utc(2026, 3, 2, 9, 15), utc(2026, 3, 2, 9, 30)),  # 14:45 -> 15:00 IST
        ("Asia/Kolkata", utc(2026, 3, 2, 9, 30), utc(2026, 3, 2, 10, 30)),  # strictly after
        ("Asia/Kolkata", utc(2026, 3, 2, 9, 29, 59), utc(2026, 3, 2, 9, 30)),
        ("Asia/Kathmandu", utc(2026, 3, 2, 9, 0), utc(2026, 3, 2, 9, 15)),  # 14:45 -> 15:00
        ("Pacific/Chatham", utc(2026, 1, 10, 0, 0), utc(2026, 1, 10, 0, 15)),  # +13:45
        ("UTC", utc(2026, 3, 2, 9, 15), utc(2026, 3, 2, 10, 0)),
        # Berlin falls back on 25 Oct 2026 at 01:00 UTC (03:00 CEST becomes 02:00 CET): the
        # repeated 02:00 is an hour of its own.
        ("Europe/Berlin", utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 0)),
        ("Europe/Berlin", utc(2026, 10, 25, 1, 0), utc(2026, 10, 25, 2, 0)),
        # Berlin springs forward on 29 Mar 2026 at 01:00 UTC (02:00 CET becomes 03:00 CEST).
        ("Europe/Berlin", utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 0)),
        # Lord Howe springs forward half an hour on 4 Oct 2026 at 02:00 (15:30 UTC the day
        # before): the clock shows 02:30 next, so the next full hour is 03:00 (16:00 UTC).
        ("Australia/Lord_Howe", utc(2026, 10, 3, 15, 10), utc(2026, 10, 3, 16, 0)),
    ],
)
def test_an_hourly_digest_goes_out_on_the_zones_full_hours(
    zone: str, after: datetime, expected: datetime
) -> None:
    assert next_digest_time(HOURLY, after, ZoneInfo(zone)) == expected


def _is_full_hour(instant: datetime, zone: ZoneInfo) -> bool:
    local = instant.astimezone(zone)
    return (local.minute, local.second, local.microsecond) == (0, 0, 0)


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    after=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
    ),
)
def test_the_hourly_digest_is_the_first_full_local_hour_after(zone: str, after: datetime) -> None:
    tz = ZoneInfo(zone)
    found = next_digest_time(HOURLY, after, tz)
    assert found.tzinfo is UTC
    assert after < found <= after + timedelta(hours=2)
    assert _is_full_hour(found, tz)
    minute = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while minute < found:  # no full local hour is skipped
        assert not _is_full_hour(minute, tz), minute
        minute += timedelta(minutes=1)


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham"])
def test_daily_digests_in_fractional_zones_go_out_at_the_local_time(zone: str) -> None:
    tz = ZoneInfo(zone)
    found = next_digest_time(Digest("daily", time(8)), utc(2026, 3, 2, 12), tz)
    assert found.astimezone(tz).time() == time(8)
    assert utc(2026, 3, 2, 12) < found <= utc(2026, 3, 3, 12)


def test_a_real_run_queues_an_hourly_digest_for_the_next_full_hour_in_kolkata(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/feed.xml", rss([{"title": "Data gig", "guid": "1"}]))
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///db.sqlite\ntimezone: Asia/Kolkata\nhttp: {per_host_gap: 0}\n"
        f"sources:\n  - {{name: jobs, adapter: rss, url: '{url}'}}\n"
        "channels:\n  me: console://\n"
        "rules:\n  - {name: gigs, query: data, notify: [me], digest: hourly}\n"
    )
    before = datetime.now(UTC)
    result = run_cli("run", "--config", str(config), "--no-notify", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "db.sqlite") as db:
        (due,) = db.execute("SELECT next_attempt_at FROM outbox WHERE kind = 'digest'").fetchone()
    due_at = datetime.fromisoformat(str(due)).replace(tzinfo=UTC)
    assert before < due_at <= before + timedelta(hours=1, minutes=1)
    assert due_at.astimezone(ZoneInfo("Asia/Kolkata")).minute == 0
    assert due_at.minute == 30  # IST is UTC+5:30
