"""The outbox deliverer: each channel claims its next message's rows, re-checks the claim before
each URL's send, sends within the URL's time budget and records the outcome."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from aggregator.crash import crash_point
from aggregator.models import DeliveryResult, Listing, OutboxEntry
from aggregator.notify.batch import BATCH_SLACK, Batch, send_batch
from aggregator.notify.channels import Channel
from aggregator.notify.escaping import one_line
from aggregator.notify.outbox_store import OutboxStore
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
# A claim lasts one URL's send budget plus this margin, and is renewed before each URL's send.
# The margin covers rendering, the renewal itself, and recording the outcome of a send that used
# its whole budget (a SQLite write may wait up to 15 s for the write lock).
LEASE_MARGIN = timedelta(seconds=30)
GROUP_LIMIT = 500  # rows in one message: a digest, or the overflow past max_per_hour
# A channel's alerts are claimed in batches (one message each) that double from 1 up to
# BATCH_LIMIT while a batch is sent within FAST_BATCH: a slow receiver is served one claimed
# alert at a time as before, a fast one pays for a claim, a renewal and a commit per batch.
BATCH_LIMIT = 100
FAST_BATCH = timedelta(seconds=5)
STOP_GRACE = 3.0  # seconds a stop gives the messages in flight before abandoning them
NOTICE_ROUNDS = 3  # extra passes for channels that got a notice queued during a pass
# A channel named `admin` gets the "channel failing" notices; without it, every other channel.
ADMIN_CHANNEL = "admin"
_INSTANT = ("alert", "notice")
_TITLE_CHARS = 200  # of a listing title in the log


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
    stop: threading.Event
    results: list[DeliveryResult] = field(default_factory=list)
    noticed: set[str] = field(default_factory=set)  # channels that got a notice queued
    batch_size: dict[str, int] = field(default_factory=dict)  # next claim's size per channel
    errors: list[Exception] = field(default_factory=list)


def deliver_pending(
    store: OutboxStore,
    channels: Mapping[str, Channel],
    *,
    clock: Callable[[], datetime],
    zone: tzinfo = UTC,
    rng: random.Random | None = None,
    stop: threading.Event | None = None,
) -> list[DeliveryResult]:
    """Deliver every due outbox row of the configured channels; never raises for a send failure.

    Each channel delivers in its own thread, so a slow or failing URL delays only its own
    channel. Channels in their quiet hours are left for later; a channel over its
    `max_per_hour` gets the overflow folded into one message. Digest rows go out one message
    per rule and channel. Once `stop` is set (or on Ctrl-C), no new message is started and the
    ones in flight get STOP_GRACE seconds; whatever is left stays pending.
    """
    now = clock()
    budget = Budget(store, channels, now)
    run = _Pass(store, channels, clock, rng or random.Random(), budget, stop or threading.Event())
    names = open_names = open_channels(channels, now=now, zone=zone)
    for _round in range(1 + NOTICE_ROUNDS):
        _deliver_channels(run, names)
        names = [name for name in open_names if name in run.noticed]
        run.noticed.clear()
        if not names or run.stop.is_set():
            break
    return run.results


def _deliver_channels(run: _Pass, names: Sequence[str]) -> None:
    """Every channel in its own daemon thread (an abandoned one never holds up an exit)."""
    finished = {name: threading.Event() for name in names}
    for name in names:
        thread = threading.Thread(
            target=_channel, args=(run, name, finished[name]), name=f"deliver {name}", daemon=True
        )
        thread.start()
    # Waits on events, not Thread.join: a signal handler raising in a join marks the thread
    # as stopped although it still runs (CPython bpo-45274), and short waits let it run.
    try:
        for event in finished.values():
            while not event.wait(0.1) and not run.stop.is_set():
                pass
    except BaseException:  # KeyboardInterrupt from Ctrl-C or the SIGTERM handler
        run.stop.set()
        _grace(finished.values())
        raise
    if run.stop.is_set():
        _grace(finished.values())
    if run.errors:
        raise run.errors[0]


def _grace(finished: Iterable[threading.Event]) -> None:
    deadline = time.monotonic() + STOP_GRACE
    for event in finished:
        event.wait(max(0.0, deadline - time.monotonic()))


def _channel(run: _Pass, name: str, finished: threading.Event) -> None:
    """One channel's deliveries: its instant rows one message at a time, then its digests."""
    try:
        run.channels[name].keep_connections()
        while not run.stop.is_set() and _next_instant(run, name):
            pass
        while not run.stop.is_set() and _next_digest(run, name):
            pass
    except Exception as exc:  # a database error: raised by the pass, not lost in a thread
        run.errors.append(exc)
    finally:
        run.channels[name].close()  # quits the SMTP connections kept over the pass
        finished.set()


def _lease(channel: Channel) -> timedelta:
    return timedelta(seconds=channel.config.send_timeout) + LEASE_MARGIN


def _claim(
    run: _Pass,
    name: str,
    kinds: Collection[str],
    limit: int,
    *,
    same_rule: bool = False,
    lease: timedelta | None = None,
    now: datetime | None = None,
) -> list[OutboxEntry]:
    """Claim the rows of the next message (or batch of messages), right before sending."""
    entries = run.store.claim_due(
        now=now or run.clock(),
        lease=lease or _lease(run.channels[name]),
        limit=limit,
        channels=[name],
        kinds=kinds,
        same_rule=same_rule,
    )
    if entries:
        crash_point("after_claim")
    return entries


def _next_instant(run: _Pass, name: str) -> bool:
    """Send the channel's next alerts, each alone, while the hourly budget lasts; with one
    message left, fold every due alert into it; with none, put them off. False: nothing was
    due, or the channel stopped answering (the rest waits for the next pass)."""
    left = run.budget.left(name)
    if left == 0:
        until = run.budget.free_at(name)
        for entry in _claim(run, name, _INSTANT, GROUP_LIMIT):
            run.store.defer(entry, until=until)
        return False
    if left == 1:
        entries = _claim(run, name, _INSTANT, GROUP_LIMIT)
        if len(entries) == 1:
            _send_group(run, name, entries, title=None, message_id=entries[0].key)
        elif entries:
            title = f"{len(entries)} more alert(s) (over {name}'s hourly limit)"
            _send_group(run, name, entries, title=title, message_id=_group_id(entries))
        return bool(entries)
    size = run.batch_size.get(name, 1)
    if left is not None:
        size = min(size, left - 1)  # keep the last message of the hour for the overflow
    lease, claimed_at = _lease(run.channels[name]) + BATCH_SLACK, run.clock()
    entries = _claim(run, name, _INSTANT, size, lease=lease, now=claimed_at)
    return bool(entries) and _send_batch(run, name, entries, lease, claimed_at)


def _next_digest(run: _Pass, name: str) -> bool:
    """Send one rule's due digest rows as one message. False: no digest was due."""
    entries = _claim(run, name, ("digest",), GROUP_LIMIT, same_rule=True)
    if entries:
        title = f"{len(entries)} new match(es) for {entries[0].rule}"
        _send_group(run, name, entries, title=title, message_id=_group_id(entries))
    return bool(entries)


def _group_id(entries: Sequence[OutboxEntry]) -> str:
    return f"digest:{entries[0].key}+{len(entries) - 1}"


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
    *,
    title: str | None,
    message_id: str,
) -> None:
    """Send one message carrying `entries`; record each row's outcome. Before each URL's send
    the claim is renewed: if it was lost (another deliverer has the rows now), nothing more is
    sent and nothing recorded."""
    channel = run.channels[channel_name]
    listings = run.store.listings({e.listing_id for e in entries if e.listing_id is not None})
    alert = _render(run, channel, entries, listings, title)
    skip = frozenset.intersection(*(entry.done_urls for entry in entries))

    def still_ours(_index: int, done: frozenset[int]) -> bool:
        return run.store.renew(entries, now=run.clock(), lease=_lease(channel), done_urls=done)

    outcome = channel.send(alert, key=message_id, skip=skip, before_each=still_ours)
    if outcome.stopped:
        run.store.release(entries)  # those rows that are still ours, for the next claimer
        log.warning("alert %s left on channel %s: its claim was lost", message_id, channel_name)
        return
    if outcome.ok:
        crash_point("after_send_before_mark")
    now = run.clock()
    run.budget.spend(channel_name)
    for entry in entries:
        if outcome.error is None:
            if not run.store.mark_sent(entry, now=now, message_id=message_id):
                log.warning("alert %s was sent after its claim ran out", entry.key)
            crash_point("after_mark")
            title = _title_of(entry, listings, alert)
            # At DEBUG: the daemon logs each pass's sends by title (a `run` prints its summary).
            log.debug("alert %s (%r) sent on channel %s", entry.key, title, channel_name)
            result = DeliveryResult(outbox_id=entry.id, channel=channel_name, ok=True, title=title)
            run.results.append(result)
            continue
        _record_failure(run, entry, outcome.error, outcome.done, now)


def _send_batch(
    run: _Pass, name: str, entries: Sequence[OutboxEntry], lease: timedelta, claimed_at: datetime
) -> bool:
    """Send each claimed alert as its own message (batch.py) and record the sent ones in one
    transaction. False: the channel stopped answering or the claim was lost; its pass ends."""
    channel = run.channels[name]
    started = claimed_at
    listings = run.store.listings({e.listing_id for e in entries if e.listing_id is not None})

    def failed(entry: OutboxEntry, error: str, done: frozenset[int]) -> datetime | None:
        return _record_failure(run, entry, error, done, run.clock())

    batch = Batch(
        store=run.store,
        channel=channel,
        clock=run.clock,
        stop=run.stop,
        render=lambda entry: _render(run, channel, [entry], listings, None),
        record_failure=failed,
        lease=lease,
        claimed_at=started,
    )
    outcome = send_batch(batch, entries)
    if not outcome.go_on and not run.stop.is_set():
        log.warning("channel %s: alerts left for a later pass", name)
    for _ in range(outcome.tried):
        run.budget.spend(name)
    _flush(run, name, outcome.sent, listings)
    fast = len(outcome.sent) == len(entries) and run.clock() - started <= FAST_BATCH
    run.batch_size[name] = min(BATCH_LIMIT, 2 * len(entries)) if fast else 1
    return outcome.go_on


def _flush(
    run: _Pass, name: str, sent: Sequence[OutboxEntry], listings: Mapping[int, Listing]
) -> None:
    """Record the sent alerts of a batch in one transaction."""
    if not sent:
        return
    recorded = run.store.mark_sent_alone(sent, now=run.clock())
    for entry in sent:
        if entry.id not in recorded:
            log.warning("alert %s was sent after its claim ran out", entry.key)
        crash_point("after_mark")
        title = _title_of(entry, listings, None)
        # At DEBUG: the daemon logs each pass's sends by title (a `run` prints its summary).
        log.debug("alert %s (%r) sent on channel %s", entry.key, title, name)
        run.results.append(DeliveryResult(outbox_id=entry.id, channel=name, ok=True, title=title))


def _title_of(entry: OutboxEntry, listings: Mapping[int, Listing], alert: Alert | None) -> str:
    """The row's listing title on one line, for the log (the outbox key means nothing to
    people); a notice's own title (its text when sent in a batch)."""
    listing = listings.get(entry.listing_id) if entry.listing_id is not None else None
    if listing is not None:
        return one_line(listing.title)[:_TITLE_CHARS]
    return alert.title if alert is not None else one_line(entry.why)[:_TITLE_CHARS]


def _record_failure(
    run: _Pass, entry: OutboxEntry, error: str, done: frozenset[int], now: datetime
) -> datetime | None:
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
    return retry_at


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
            run.noticed.add(target)
            log.warning("channel %s is failing; notice queued for channel %s", failing, target)
