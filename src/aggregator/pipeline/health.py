"""Source health between runs: the next fetch time, back-off, dead sources and silent ones.

Pure functions from the previous SourceState and one run's outcome to the next state and the
health events worth telling the admin about; the pipeline stores the state and queues the
events. miniflux's rules: back off while failing (doubling, at most 24 h), never fetch sooner
than the server asks (Cache-Control max-age, RSS `<ttl>`, Retry-After), give up on a source
that answers 410 Gone or has failed for days.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aggregator.config.model import HealthConfig, SourceConfig, format_duration
from aggregator.errors import one_line
from aggregator.models import SourceState

__all__ = [
    "MAX_INTERVAL",
    "HealthEvent",
    "after_failure",
    "after_success",
    "health_label",
    "is_silent",
    "reenabled",
    "status_row",
]

MAX_INTERVAL = timedelta(hours=24)  # no back-off or server hint pushes a fetch further out
GAP_WEIGHT = 0.3  # the newest gap's weight in the moving average of gaps between new items
GONE = 410


@dataclass(frozen=True, slots=True)
class HealthEvent:
    """A change in a source's health: `kind` is disabled or silent."""

    source: str
    kind: str
    message: str


def after_success(
    state: SourceState,
    source: SourceConfig,
    health: HealthConfig,
    *,
    now: datetime,
    new: int,
    min_interval: timedelta | None,
) -> tuple[SourceState, list[HealthEvent]]:
    """The state after a successful fetch: failures reset, the next fetch after the longer of
    `every` and the server's hint, the usual gap learnt, silence flagged once."""
    hint = min(min_interval, MAX_INTERVAL) if min_interval else timedelta(0)
    state = dataclasses.replace(
        state,
        last_attempt_at=now,
        last_success_at=now,
        next_due_at=now + max(source.interval, hint),
        consecutive_failures=0,
        failing_since=None,
        last_error=None,
    )
    if new:
        return _learn_gap(state, now), []
    last, gap = state.last_new_item_at, state.usual_gap_seconds
    if last and gap and state.silent_since is None and is_silent(state, source, health, now=now):
        state = dataclasses.replace(state, silent_since=now)
        quiet = format_duration(_rounded(now - last))
        usual = format_duration(_rounded(timedelta(seconds=gap)))
        message = (
            f"Source {source.name} is silent: no new item for {quiet} "
            f"(usually one every {usual}). It still answers; check that it still lists jobs."
        )
        return state, [HealthEvent(source.name, "silent", message)]
    return state, []


def after_failure(
    state: SourceState,
    source: SourceConfig,
    health: HealthConfig,
    *,
    now: datetime,
    error: str,
    status: int | None = None,
    retry_after: float | None = None,
) -> tuple[SourceState, list[HealthEvent]]:
    """The state after a failed fetch or parse: back off, and disable the source on 410 Gone
    or after `disable_after_failures` failures spanning at least `disable_after`."""
    failures = state.consecutive_failures + 1
    since = state.failing_since if state.consecutive_failures and state.failing_since else now
    backoff = min(source.interval * 2 ** min(failures - 1, 16), MAX_INTERVAL)
    # clamped as seconds: a server's Retry-After of 1e20 would overflow a timedelta
    longest = MAX_INTERVAL.total_seconds()
    asked = timedelta(seconds=min(retry_after, longest)) if retry_after else timedelta(0)
    state = dataclasses.replace(
        state,
        last_attempt_at=now,
        next_due_at=now + max(backoff, source.interval, asked),
        consecutive_failures=failures,
        failing_since=since,
        last_error=error,
    )
    reason = _disable_reason(failures, since, health, now=now, error=error, status=status)
    if reason is None or state.disabled_at is not None:
        return state, []
    state = dataclasses.replace(state, disabled_at=now, disabled_reason=reason)
    message = (
        f"Source {source.name} disabled: {reason}. It is no longer fetched; "
        f"run `aggregate sources enable {source.name}` once it is fixed."
    )
    return state, [HealthEvent(source.name, "disabled", message)]


def is_silent(
    state: SourceState, source: SourceConfig, health: HealthConfig, *, now: datetime
) -> bool:
    """No new item for `silent_after` times the usual gap (which must be known: two runs with
    new items), and never less than `silent_after` times `every`."""
    if state.last_new_item_at is None or state.usual_gap_seconds is None:
        return False
    factor = source.silent_after or health.silent_after
    usual = max(timedelta(seconds=state.usual_gap_seconds), source.interval)
    return now - state.last_new_item_at > usual * factor


def health_label(state: SourceState | None) -> str:
    """One word for `sources status`: new, ok, failing, silent or disabled."""
    if state is None or state.last_attempt_at is None:
        return "new"
    if state.disabled_at is not None:
        return "disabled"
    if state.consecutive_failures:
        return "failing"
    if state.silent_since is not None:
        return "silent"
    return "ok"


def status_row(source: SourceConfig, state: SourceState | None) -> dict[str, Any]:
    """One source's line of `aggregate sources status`, as JSON-ready values."""
    state = state or SourceState(name=source.name)

    def when(value: datetime | None) -> str | None:
        return value.isoformat(timespec="seconds") if value else None

    return {
        "name": source.name,
        "adapter": source.adapter,
        "health": health_label(state) if state.last_attempt_at else "new",
        "enabled": source.enabled,
        "last_attempt": when(state.last_attempt_at),
        "last_success": when(state.last_success_at),
        "failures": state.consecutive_failures,
        "failing_since": when(state.failing_since),
        # one line even for an error stored by an older version (with a whole SQL statement)
        "last_error": one_line(state.last_error) if state.last_error else None,
        "last_new_item": when(state.last_new_item_at),
        "next_due": when(state.next_due_at),
        "disabled_at": when(state.disabled_at),
        "disabled_reason": state.disabled_reason,
        "silent_since": when(state.silent_since),
    }


def reenabled(state: SourceState) -> SourceState:
    """The state after `aggregate sources enable`: due now, with a fresh failure count."""
    return dataclasses.replace(
        state,
        disabled_at=None,
        disabled_reason=None,
        consecutive_failures=0,
        failing_since=None,
        next_due_at=None,
    )


def _learn_gap(state: SourceState, now: datetime) -> SourceState:
    usual = state.usual_gap_seconds
    if state.last_new_item_at is not None:
        gap = (now - state.last_new_item_at).total_seconds()
        usual = gap if usual is None else (1 - GAP_WEIGHT) * usual + GAP_WEIGHT * gap
    return dataclasses.replace(
        state, last_new_item_at=now, silent_since=None, usual_gap_seconds=usual
    )


def _disable_reason(
    failures: int,
    since: datetime,
    health: HealthConfig,
    *,
    now: datetime,
    error: str,
    status: int | None,
) -> str | None:
    if status == GONE:
        return "the server answers 410 Gone (the feed was removed)"
    if failures >= health.disable_after_failures and now - since >= health.disable_after:
        return f"{failures} failures in a row since {since:%Y-%m-%d %H:%M} UTC (last: {error})"
    return None


def _rounded(value: timedelta) -> timedelta:
    """Whole days from two days on, whole hours from two hours on, else whole minutes."""
    for unit in (timedelta(days=1), timedelta(hours=1)):
        if value >= 2 * unit:
            return unit * (value // unit)
    return timedelta(minutes=max(1, int(value.total_seconds() // 60)))
