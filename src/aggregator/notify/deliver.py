"""The outbox deliverer: claim due rows, send each through its own channel, record the outcome."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from typing import Protocol

from aggregator.models import DeliveryResult, Listing, OutboxEntry
from aggregator.notify.channels import Channel
from aggregator.notify.render import render_alert

__all__ = ["RETRY_SCHEDULE", "OutboxStore", "deliver_pending", "next_attempt_after"]

log = logging.getLogger(__name__)

# Waits between attempts; after the last one the row is dead-lettered (kept, never dropped).
RETRY_SCHEDULE: tuple[timedelta, ...] = tuple(
    timedelta(seconds=s) for s in (30, 120, 600, 1800, 7200, 21600, 43200)
)
CLAIM_LEASE = timedelta(minutes=5)
# apprise waits between two sends to one service (5.5 s for e-mail), so a batch must be sent well
# within its lease, or another process could claim the rest of it again.
CLAIM_BATCH = 10


class OutboxStore(Protocol):
    """The part of the store the deliverer needs (kept narrow so notify never imports store)."""

    def claim_due(
        self,
        *,
        now: datetime,
        lease: timedelta,
        limit: int = ...,
        channels: Collection[str] | None = ...,
    ) -> list[OutboxEntry]: ...
    def mark_sent(self, entry: OutboxEntry, *, now: datetime) -> None: ...
    def mark_failed(
        self, entry: OutboxEntry, *, now: datetime, error: str, retry_at: datetime | None
    ) -> None: ...
    def listings(self, ids: Collection[int]) -> dict[int, Listing]: ...


def next_attempt_after(attempts: int, now: datetime, rng: random.Random) -> datetime | None:
    """When to try again after `attempts` failed attempts, with ±10 % jitter; None: give up."""
    if attempts > len(RETRY_SCHEDULE):
        return None
    delay = RETRY_SCHEDULE[attempts - 1].total_seconds() * rng.uniform(0.9, 1.1)
    return now + timedelta(seconds=delay)


def deliver_pending(
    store: OutboxStore,
    channels: Mapping[str, Channel],
    *,
    clock: Callable[[], datetime],
    rng: random.Random | None = None,
) -> list[DeliveryResult]:
    """Deliver every due outbox row of the configured channels; never raises for a send failure."""
    rng = rng or random.Random()
    results: list[DeliveryResult] = []
    while batch := store.claim_due(
        now=clock(), lease=CLAIM_LEASE, limit=CLAIM_BATCH, channels=frozenset(channels)
    ):
        listings = store.listings({entry.listing_id for entry in batch})
        for entry in batch:
            results.append(_deliver_one(store, entry, listings, channels, clock, rng))
    return results


def _deliver_one(
    store: OutboxStore,
    entry: OutboxEntry,
    listings: Mapping[int, Listing],
    channels: Mapping[str, Channel],
    clock: Callable[[], datetime],
    rng: random.Random,
) -> DeliveryResult:
    channel = channels[entry.channel]
    alert = render_alert(listings[entry.listing_id], rule=entry.rule, why=entry.why, now=clock())
    error = channel.send(alert)
    now = clock()
    if error is None:
        store.mark_sent(entry, now=now)
        log.info("alert %s sent on channel %s", entry.key, entry.channel)
        return DeliveryResult(outbox_id=entry.id, channel=entry.channel, ok=True)
    retry_at = next_attempt_after(entry.attempts + 1, now, rng)
    store.mark_failed(entry, now=now, error=error, retry_at=retry_at)
    log.warning(
        "alert %s not delivered on channel %s: %s (%s)",
        entry.key,
        entry.channel,
        error,
        "dead-lettered" if retry_at is None else f"retry at {retry_at:%Y-%m-%d %H:%M:%S}Z",
    )
    return DeliveryResult(outbox_id=entry.id, channel=entry.channel, ok=False, error=error)
