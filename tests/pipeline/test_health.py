"""Source health rules: next fetch time, back-off, disabling dead sources, flagging silent ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aggregator.config.model import HealthConfig, SourceConfig
from aggregator.models import SourceState
from aggregator.pipeline.health import (
    after_failure,
    after_success,
    health_label,
    reenabled,
    status_row,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SOURCE = SourceConfig(name="jobs", adapter="rss", url="https://feeds.example/", every="1h")
HEALTH = HealthConfig()


def success(
    state: SourceState, *, at: datetime = NOW, new: int = 0, hint: timedelta | None = None
) -> tuple[SourceState, list[str]]:
    after, events = after_success(state, SOURCE, HEALTH, now=at, new=new, min_interval=hint)
    return after, [event.kind for event in events]


def failure(
    state: SourceState, *, at: datetime = NOW, status: int | None = None, retry: float | None = None
) -> tuple[SourceState, list[str]]:
    after, events = after_failure(
        state, SOURCE, HEALTH, now=at, error="HTTP 500", status=status, retry_after=retry
    )
    return after, [event.kind for event in events]


def test_a_success_is_due_again_after_every() -> None:
    state, events = success(SourceState(name="jobs"))
    assert (state.next_due_at, events) == (NOW + HOUR, [])


def test_a_longer_server_hint_delays_the_next_fetch_but_never_past_24_hours() -> None:
    assert success(SourceState(name="jobs"), hint=3 * HOUR)[0].next_due_at == NOW + 3 * HOUR
    assert success(SourceState(name="jobs"), hint=timedelta(minutes=5))[0].next_due_at == NOW + HOUR
    assert (
        success(SourceState(name="jobs"), hint=timedelta(days=9))[0].next_due_at == NOW + 24 * HOUR
    )


def test_failures_back_off_by_doubling_and_remember_when_the_streak_began() -> None:
    state = SourceState(name="jobs")
    for _ in range(3):
        state, _ = failure(state, at=NOW)
    assert state.consecutive_failures == 3
    assert (state.next_due_at, state.failing_since) == (NOW + 4 * HOUR, NOW)


def test_a_retry_after_longer_than_the_back_off_is_honoured() -> None:
    state, _ = failure(SourceState(name="jobs"), retry=6 * 3600)
    assert state.next_due_at == NOW + 6 * HOUR


def test_410_gone_disables_the_source_at_once_with_one_event() -> None:
    state, events = failure(SourceState(name="jobs"), status=410)
    assert state.disabled_at == NOW
    assert "410 Gone" in (state.disabled_reason or "")
    assert events == ["disabled"]
    assert failure(state, status=410)[1] == []  # told once


def test_ten_failures_within_72_hours_do_not_disable() -> None:
    state = SourceState(name="jobs")
    for hour in range(12):
        state, events = failure(state, at=NOW + hour * HOUR)
    assert (state.disabled_at, events) == (None, [])


def test_ten_failures_spanning_72_hours_disable_the_source() -> None:
    state = SourceState(name="jobs")
    kinds: list[str] = []
    for step in range(10):
        state, events = failure(state, at=NOW + step * 8 * HOUR)
        kinds += events
    assert state.disabled_at == NOW + 72 * HOUR
    assert (kinds, health_label(state)) == (["disabled"], "disabled")
    assert (
        state.disabled_reason == "10 failures in a row since 2025-03-01 12:00 UTC (last: HTTP 500)"
    )


def test_a_success_ends_the_failing_streak() -> None:
    state, _ = failure(SourceState(name="jobs"))
    state, _ = success(state, at=NOW + HOUR)
    assert (state.consecutive_failures, state.failing_since, state.last_error) == (0, None, None)


def test_a_source_is_flagged_silent_once_after_ten_usual_gaps_without_news() -> None:
    state = SourceState(name="jobs")
    for day in range(4):  # new items once a day: the usual gap is learnt as 24 h
        state, _ = success(state, at=NOW + day * 24 * HOUR, new=2)
    assert state.usual_gap_seconds == 24 * 3600
    last_news = NOW + 3 * 24 * HOUR
    state, events = success(state, at=last_news + 9 * 24 * HOUR)
    assert events == []
    flagged = last_news + 10 * 24 * HOUR + HOUR
    state, events = success(state, at=flagged)
    assert (events, state.silent_since, health_label(state)) == (["silent"], flagged, "silent")
    assert success(state, at=last_news + 11 * 24 * HOUR)[1] == []  # told once
    state, _ = success(state, at=last_news + 12 * 24 * HOUR, new=1)
    assert (state.silent_since, health_label(state)) == (None, "ok")


def test_silence_is_not_judged_before_the_usual_gap_is_known() -> None:
    state, _ = success(SourceState(name="jobs"), new=5)
    assert success(state, at=NOW + 365 * 24 * HOUR)[1] == []


def test_a_per_source_silent_after_overrides_the_default() -> None:
    source = SOURCE.model_copy(update={"silent_after": 2.0})
    state = SourceState(name="jobs", last_new_item_at=NOW, usual_gap_seconds=3600.0)
    _, events = after_success(state, source, HEALTH, now=NOW + 3 * HOUR, new=0, min_interval=None)
    assert [event.kind for event in events] == ["silent"]


def test_reenabling_clears_the_disable_and_makes_the_source_due() -> None:
    state, _ = failure(SourceState(name="jobs"), status=410)
    state = reenabled(state)
    assert (state.disabled_at, state.consecutive_failures, state.next_due_at) == (None, 0, None)


def test_the_status_row_shows_a_never_fetched_source_as_new() -> None:
    row = status_row(SOURCE, None)
    assert (row["health"], row["last_attempt"], row["failures"]) == ("new", None, 0)


def test_the_status_row_shows_a_long_stored_error_as_one_short_line() -> None:
    # as an older version stored a database error: the statement and listing text with it
    stored = "(sqlite3.OperationalError) database or disk is full\n[SQL: INSERT ...]\n" + (
        "[parameters: ('A listing title', 'its description ...')]\n" * 200
    )
    row = status_row(SOURCE, SourceState(name="jobs", last_attempt_at=NOW, last_error=stored))
    assert row["last_error"].startswith("(sqlite3.OperationalError) database or disk is full")
    assert "\n" not in row["last_error"]
    assert len(row["last_error"]) <= 300


def test_a_huge_retry_after_from_the_server_waits_the_longest_interval_not_an_overflow() -> None:
    for asked in (1e20, 1e300, float("inf")):
        after, _ = failure(SourceState(name="jobs"), retry=asked)
        assert after.next_due_at == NOW + timedelta(hours=24)
