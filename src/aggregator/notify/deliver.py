"""The outbox deliverer: claim due rows, send each through its own channel, record the outcome."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol, TypeVar

from aggregator.crash import crash_point
from aggregator.models import DeliveryResult, Listing, OutboxEntry
from aggregator.notify.channels import Channel
from aggregator.notify.policy import Budget, open_channels
from aggregator.notify.render import Alert, render_alert, render_digest, render_notice

__all__ = [
    "ADMIN_CHANNEL",
    "RETRY_SCHEDULE",
    "OutboxStore",
    "deliver_pending",
    "next_attempt_after",
]

log = logging.getLogger(__name__)

# Waits between attempts; after the last one the row is dead-lettered (kept, never dropped).
RETRY_SCHEDULE: tuple[timedelta, ...] = tuple(
    timedelta(seconds=s) for s in (30, 120, 600, 1800, 7200, 21600, 43200)
)
CLAIM_LEASE = timedelta(minutes=5)
# apprise waits between two sends to one service (5.5 s for e-mail), so a batch must be sent well
# within its lease, or another process could claim the rest of it again.
CLAIM_BATCH = 10
DIGEST_BATCH = 500
# A channel named `admin` gets the "channel failing" notices; without it, every other channel.
ADMIN_CHANNEL = "admin"


class OutboxStore(Protocol):
    """The part of the store the deliverer needs (kept narrow so notify never imports store)."""

    def claim_due(
        self,
        *,
        now: datetime,
        lease: timedelta,
        limit: int = ...,
        channels: Collection[str] | None = ...,
        kinds: Collection[str] | None = ...,
    ) -> list[OutboxEntry]: ...
    def mark_sent(self, entry: OutboxEntry, *, now: datetime, message_id: str) -> bool: ...
    def mark_failed(
        self,
        entry: OutboxEntry,
        *,
        now: datetime,
        error: str,
        retry_at: datetime | None,
        done_urls: frozenset[int] = ...,
    ) -> bool: ...
    def defer(self, entry: OutboxEntry, *, until: datetime) -> bool: ...
    def sent_messages_since(self, channel: str, since: datetime) -> int: ...
    def enqueue_notice(self, *, key: str, channel: str, text: str, now: datetime) -> bool: ...
    def listings(self, ids: Collection[int]) -> dict[int, Listing]: ...


def next_attempt_after(attempts: int, now: datetime, rng: random.Random) -> datetime | None:
    """When to try again after `attempts` failed attempts, with ±10 % jitter; None: give up."""
    if attempts > len(RETRY_SCHEDULE):
        return None
    delay = RETRY_SCHEDULE[attempts - 1].total_seconds() * rng.uniform(0.9, 1.1)
    return now + timedelta(seconds=delay)


@dataclass(slots=True)
class _Pass:
    """One delivery pass: the store, the channels, the clock, and what happened so far."""

    store: OutboxStore
    channels: Mapping[str, Channel]
    clock: Callable[[], datetime]
    rng: random.Random
    budget: Budget
    results: list[DeliveryResult] = field(default_factory=list)


def deliver_pending(
    store: OutboxStore,
    channels: Mapping[str, Channel],
    *,
    clock: Callable[[], datetime],
    zone: tzinfo = UTC,
    rng: random.Random | None = None,
) -> list[DeliveryResult]:
    """Deliver every due outbox row of the configured channels; never raises for a send failure.

    Channels in their quiet hours are left for later; a channel over its `max_per_hour` gets
    the overflow folded into one message. Digest rows go out one message per rule and channel.
    """
    now = clock()
    names = open_channels(channels, now=now, zone=zone)
    run = _Pass(store, channels, clock, rng or random.Random(), Budget(store, channels, now))
    while batch := store.claim_due(
        now=clock(), lease=CLAIM_LEASE, limit=CLAIM_BATCH, channels=names, kinds=_INSTANT
    ):
        crash_point("after_claim")
        listings = store.listings({e.listing_id for e in batch if e.listing_id is not None})
        for channel, entries in _by(batch, lambda e: e.channel).items():
            _deliver_instant(run, channel, entries, listings)
    while batch := store.claim_due(
        now=clock(), lease=CLAIM_LEASE, limit=DIGEST_BATCH, channels=names, kinds=("digest",)
    ):
        crash_point("after_claim")
        listings = store.listings({e.listing_id for e in batch if e.listing_id is not None})
        for (channel, rule), entries in _by(batch, lambda e: (e.channel, e.rule)).items():
            title = f"{len(entries)} new match(es) for {rule}"
            _send_group(run, channel, entries, listings, title=title, message_id=_group_id(entries))
    return run.results


_INSTANT = ("alert", "notice")
K = TypeVar("K")


def _by(
    entries: Sequence[OutboxEntry], key: Callable[[OutboxEntry], K]
) -> dict[K, list[OutboxEntry]]:
    groups: dict[K, list[OutboxEntry]] = {}
    for entry in entries:
        groups.setdefault(key(entry), []).append(entry)
    return groups


def _group_id(entries: Sequence[OutboxEntry]) -> str:
    return f"digest:{entries[0].key}+{len(entries) - 1}"


def _deliver_instant(
    run: _Pass, channel: str, entries: list[OutboxEntry], listings: Mapping[int, Listing]
) -> None:
    """Send each row on its own while the hourly budget lasts; fold the rest into one message."""
    alone, folded, deferred_until = run.budget.split(channel, len(entries))
    for entry in entries[:alone]:
        _send_group(run, channel, [entry], listings, title=None, message_id=entry.key)
    rest = entries[alone:]
    if folded and rest:
        title = f"{len(rest)} more alert(s) (over {channel}'s hourly limit)"
        _send_group(run, channel, rest, listings, title=title, message_id=_group_id(rest))
    elif rest and deferred_until is not None:
        for entry in rest:
            run.store.defer(entry, until=deferred_until)


def _render(
    run: _Pass,
    channel: Channel,
    entries: Sequence[OutboxEntry],
    listings: Mapping[int, Listing],
    title: str | None,
) -> Alert:
    now = run.clock()
    first = entries[0]
    if first.kind == "notice":
        return render_notice(f"aggregator: {first.why.split('.', 1)[0]}", first.why)
    if title is None and first.listing_id is not None and first.listing_id in listings:
        return render_alert(
            listings[first.listing_id],
            rule=first.rule,
            why=first.why,
            now=now,
            templates=channel.config.templates,
            html=channel.is_email,
            channel=channel.name,
        )
    items = [
        (listings[e.listing_id], e.why)
        for e in entries
        if e.listing_id is not None and e.listing_id in listings
    ]
    return render_digest(items, title=title or "new matches", now=now)


def _send_group(
    run: _Pass,
    channel_name: str,
    entries: Sequence[OutboxEntry],
    listings: Mapping[int, Listing],
    *,
    title: str | None,
    message_id: str,
) -> None:
    """Send one message carrying `entries`; record each row's outcome."""
    channel = run.channels[channel_name]
    alert = _render(run, channel, entries, listings, title)
    skip = frozenset.intersection(*(entry.done_urls for entry in entries))
    outcome = channel.send(alert, key=message_id, skip=skip)
    if outcome.ok:
        crash_point("after_send_before_mark")
    now = run.clock()
    run.budget.spend(channel_name)
    for entry in entries:
        if outcome.error is None:
            run.store.mark_sent(entry, now=now, message_id=message_id)
            crash_point("after_mark")
            log.info("alert %s sent on channel %s", entry.key, channel_name)
            run.results.append(DeliveryResult(outbox_id=entry.id, channel=channel_name, ok=True))
            continue
        _record_failure(run, entry, outcome.error, outcome.done, now)


def _record_failure(
    run: _Pass, entry: OutboxEntry, error: str, done: frozenset[int], now: datetime
) -> None:
    retry_at = next_attempt_after(entry.attempts + 1, now, run.rng)
    run.store.mark_failed(entry, now=now, error=error, retry_at=retry_at, done_urls=done)
    log.warning(
        "alert %s not delivered on channel %s: %s (%s)",
        entry.key,
        entry.channel,
        error,
        "dead-lettered" if retry_at is None else f"retry at {retry_at:%Y-%m-%d %H:%M:%S}Z",
    )
    run.results.append(
        DeliveryResult(outbox_id=entry.id, channel=entry.channel, ok=False, error=error)
    )
    if retry_at is None and entry.kind != "notice":
        _notify_channel_failing(run, entry, error, now)


def _notify_channel_failing(run: _Pass, entry: OutboxEntry, error: str, now: datetime) -> None:
    """Queue one "channel failing" notice a day per failing channel, to admin or the others."""
    failing = entry.channel
    if ADMIN_CHANNEL in run.channels and failing != ADMIN_CHANNEL:
        targets = [ADMIN_CHANNEL]
    else:
        targets = [name for name in run.channels if name != failing]
    text = (
        f"Channel {failing} is failing. Alert {entry.key} (rule {entry.rule}) was given up "
        f"after {entry.attempts + 1} attempts; last error: {error}. "
        "`aggregate outbox list --status dead` shows the alerts given up; "
        "`aggregate outbox retry` sends them again."
    )
    for target in targets:
        key = f"notice:channel-failing:{failing}:{now:%Y-%m-%d}:{target}"
        if run.store.enqueue_notice(key=key, channel=target, text=text, now=now):
            log.warning("channel %s is failing; notice queued for channel %s", failing, target)
