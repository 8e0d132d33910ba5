"""A batch of alerts claimed together and sent one message each, under one renewed lease.

E-mail goes one message after another over the URL's kept SMTP connection; a webhook channel
(every URL without an apprise throttle) sends several at once, each worker with its own apprise
objects. The lease of every row not yet recorded is renewed in one statement, before a send,
whenever RENEW_EVERY has passed or it would not outlast a send (so each send starts with at
least the lease it had alone); a URL that took a message is recorded before the next URL's
send, as alone. Outcomes are per alert: the caller records the sent ones in one transaction.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aggregator.crash import crash_point
from aggregator.models import OutboxEntry
from aggregator.notify.channels import Channel
from aggregator.notify.outbox_store import OutboxStore
from aggregator.notify.render import Alert

__all__ = ["BATCH_SLACK", "Batch", "BatchOutcome", "send_batch"]

BATCH_SLACK = timedelta(seconds=30)  # a batch's lease is a send's plus this: renewed less often
RENEW_EVERY = 1.0  # seconds (monotonic) a batch goes at most without renewing its lease

Clock = Callable[[], datetime]
# Records a failed alert (error, URLs done); returns when it will be retried (None: dead).
RecordFailure = Callable[[OutboxEntry, str, frozenset[int]], datetime | None]


@dataclass(slots=True)
class Batch:
    """The claimed rows and what to do with them; `lease` as claimed, from `claimed_at`."""

    store: OutboxStore
    channel: Channel
    clock: Clock
    stop: threading.Event
    render: Callable[[OutboxEntry], Alert]
    record_failure: RecordFailure
    lease: timedelta
    claimed_at: datetime


@dataclass(slots=True)
class BatchOutcome:
    """What became of a batch: the alerts sent (not yet recorded), how many were tried, and
    whether the channel should go on (False: it stopped answering, or the claim was lost)."""

    sent: list[OutboxEntry] = field(default_factory=list)
    tried: int = 0
    go_on: bool = True


@dataclass(slots=True)
class _State:
    batch: Batch
    rows: list[OutboxEntry]  # claimed and not yet recorded
    until: datetime
    outcome: BatchOutcome = field(default_factory=BatchOutcome)
    left: list[OutboxEntry] = field(default_factory=list)  # not tried yet, in order
    renewed: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def still_ours(self, entry: OutboxEntry, done: frozenset[int]) -> bool:
        store, now = self.batch.store, self.batch.clock()
        with self.lock:
            if not self.outcome.go_on:
                return False
            floor = self.batch.lease - BATCH_SLACK  # a send's budget and the margin
            if self.until - now < floor or time.monotonic() - self.renewed > RENEW_EVERY:
                if not store.renew(self.rows, now=now, lease=self.batch.lease):
                    return False
                self.until, self.renewed = now + self.batch.lease, time.monotonic()
        if done:
            return store.renew([entry], now=now, lease=self.batch.lease, done_urls=done)
        return True

    def next_entry(self) -> OutboxEntry | None:
        with self.lock:
            if not self.left or not self.outcome.go_on or self.batch.stop.is_set():
                return None
            self.outcome.tried += 1
            return self.left.pop(0)


def send_batch(batch: Batch, entries: Sequence[OutboxEntry]) -> BatchOutcome:
    """Send each entry as its own message; rows not tried are handed back (after a stop or a
    lost claim) or put off to the failed one's retry (after a send past its budget)."""
    state = _State(batch, list(entries), batch.claimed_at + batch.lease, left=list(entries))
    workers = min(batch.channel.parallel, len(entries))
    if workers <= 1:
        _work(state, batch.channel)
    else:
        threads = [
            threading.Thread(target=_work, args=(state, channel), daemon=True)
            for channel in batch.channel.workers(workers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:  # each send has its budget, so a worker always ends
            thread.join()
    _hand_back(state)
    return state.outcome


def _work(state: _State, channel: Channel) -> None:
    while (entry := state.next_entry()) is not None:
        _send_alone(state, channel, entry)


def _send_alone(state: _State, channel: Channel, entry: OutboxEntry) -> None:
    batch = state.batch
    alert = batch.render(entry)

    def still_ours(_index: int, done: frozenset[int]) -> bool:
        return state.still_ours(entry, done)

    outcome = channel.send(alert, key=entry.key, skip=entry.done_urls, before_each=still_ours)
    if outcome.stopped:
        with state.lock:
            state.outcome.go_on = False
            state.outcome.tried -= 1
            state.left.append(entry)  # handed back with the rest
        return
    if outcome.error is None:
        crash_point("after_send_before_mark")
        with state.lock:
            state.outcome.sent.append(entry)
        return
    with state.lock:
        state.rows.remove(entry)
    retry_at = batch.record_failure(entry, outcome.error, outcome.done)
    if outcome.timed_out:
        # A receiver that did not answer in time would cost every alert left its whole
        # budget: they wait for the failed one's retry instead (no attempt counted).
        with state.lock:
            state.outcome.go_on = False
            rest, state.left = state.left, []
        for other in rest:
            batch.store.defer(other, until=retry_at or batch.clock())


def _hand_back(state: _State) -> None:
    """Rows never tried (a stop, a lost claim) go back to the queue unchanged."""
    if state.left:
        state.batch.store.release(state.left)
