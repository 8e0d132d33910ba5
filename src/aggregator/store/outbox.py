"""Outbox queries: claim due rows under a lease, renew it, record outcomes, manage the queue."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, delete, func, or_, select, update

from aggregator.models import OutboxEntry, OutboxStatus
from aggregator.store.rows import format_done_urls, outbox_from_row, upsert_insert
from aggregator.store.tables import outbox, sightings

__all__ = [
    "Claim",
    "claim_due",
    "count_pending",
    "defer",
    "enqueue_notice",
    "lease_holders",
    "list_outbox",
    "mark_failed",
    "mark_sent",
    "mark_sent_alone",
    "purge",
    "purge_pending",
    "release",
    "renew",
    "retry",
    "sent_messages_since",
]

PENDING = OutboxStatus.PENDING.value
_NO_LEASE: dict[str, object] = {"lease_until": None, "lease_token": None, "lease_holder": None}


@dataclass(frozen=True, slots=True)
class Claim:
    """What to claim: due rows of these channels and kinds, for `holder`, under `lease`.

    `dead_holders` are holders found dead: their leases no longer count. `same_rule` takes
    only the rows of the first due row's rule (one digest message).
    """

    now: datetime
    lease: timedelta
    holder: str | None
    limit: int
    channels: Collection[str] | None = None
    kinds: Collection[str] | None = None
    dead_holders: Collection[str] = ()
    same_rule: bool = False


def _due(claim: Claim) -> ColumnElement[bool]:
    due = (outbox.c.status == PENDING) & (outbox.c.next_attempt_at <= claim.now)
    if claim.channels is not None:
        due &= outbox.c.channel.in_(list(claim.channels))
    if claim.kinds is not None:
        due &= outbox.c.kind.in_(list(claim.kinds))
    return due


def _claimable(claim: Claim) -> ColumnElement[bool]:
    lease_free = or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < claim.now)
    if claim.dead_holders:
        lease_free = or_(lease_free, outbox.c.lease_holder.in_(list(claim.dead_holders)))
    return _due(claim) & lease_free


def _held(entry: OutboxEntry) -> ColumnElement[bool]:
    """The row is still pending and still leased to the caller: an outcome recorded after the
    lease ran out and someone else claimed the row must not overwrite theirs."""
    return (
        (outbox.c.id == entry.id)
        & (outbox.c.status == PENDING)
        & (outbox.c.lease_token == entry.lease_token)
    )


def lease_holders(connection: Connection, claim: Claim) -> set[str]:
    """The holders of unexpired leases on rows the claim would take (ask which are alive)."""
    query = (
        select(outbox.c.lease_holder)
        .distinct()
        .where(_due(claim), outbox.c.lease_until >= claim.now, outbox.c.lease_holder.is_not(None))
    )
    return {holder for holder in connection.execute(query).scalars() if holder is not None}


def claim_due(connection: Connection, claim: Claim) -> list[OutboxEntry]:
    """Lease up to `claim.limit` claimable rows to the caller, oldest first, under one new
    lease token.

    On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets concurrent claimers pass each other's rows; on
    SQLite the write transaction (BEGIN IMMEDIATE) already serializes claimers. Either way the
    UPDATE repeats the claimable test, so a row leased since the SELECT is never taken twice.
    """
    query = select(outbox.c.id).where(_claimable(claim)).order_by(outbox.c.id)
    if claim.same_rule:
        first = select(outbox.c.rule).where(_claimable(claim)).order_by(outbox.c.id).limit(1)
        rule = connection.execute(first.with_for_update(skip_locked=True)).scalar()
        if rule is None:
            return []
        query = query.where(outbox.c.rule == rule)
    query = query.limit(claim.limit).with_for_update(skip_locked=True)
    ids = list(connection.execute(query).scalars())
    if not ids:
        return []
    values = {
        "lease_until": claim.now + claim.lease,
        "lease_token": secrets.token_hex(16),
        "lease_holder": claim.holder,
    }
    statement = (
        update(outbox)
        .where(outbox.c.id.in_(ids), _claimable(claim))
        .values(values)
        .returning(*outbox.c)
    )
    entries = [outbox_from_row(row) for row in connection.execute(statement)]
    return sorted(entries, key=lambda entry: entry.id)


def renew(
    connection: Connection,
    entries: Sequence[OutboxEntry],
    *,
    until: datetime,
    done_urls: frozenset[int],
) -> bool:
    """Extend the caller's lease on every row to `until`, recording the URLs done so far;
    False when a row is no longer the caller's (the caller must then roll back)."""
    for entry in entries:
        statement = (
            update(outbox)
            .where(_held(entry))
            .values(lease_until=until, done_urls=format_done_urls(entry.done_urls | done_urls))
        )
        if connection.execute(statement).rowcount != 1:
            return False
    return True


def release(connection: Connection, entries: Sequence[OutboxEntry]) -> None:
    """Give rows still leased to the caller back, due as before, without counting an attempt."""
    for entry in entries:
        connection.execute(update(outbox).where(_held(entry)).values(_NO_LEASE))


def mark_sent(
    connection: Connection, entry: OutboxEntry, *, now: datetime, message_id: str
) -> bool:
    """Record a delivery; False when the row is no longer ours (sent, dead or claimed again)."""
    statement = (
        update(outbox)
        .where(_held(entry))
        .values(
            status=OutboxStatus.SENT.value,
            sent_at=now,
            attempts=outbox.c.attempts + 1,
            last_error=None,
            message_id=message_id,
            **_NO_LEASE,
        )
    )
    return connection.execute(statement).rowcount == 1


def mark_sent_alone(
    connection: Connection, entries: Sequence[OutboxEntry], *, now: datetime
) -> set[int]:
    """Record alerts each sent as its own message (its Message-ID is its key), in one
    statement per lease token; returns the ids recorded (the others are no longer ours)."""
    by_token: dict[str | None, list[int]] = {}
    for entry in entries:
        by_token.setdefault(entry.lease_token, []).append(entry.id)
    recorded: set[int] = set()
    for token, ids in by_token.items():
        statement = (
            update(outbox)
            .where(outbox.c.id.in_(ids), outbox.c.status == PENDING, outbox.c.lease_token == token)
            .values(
                status=OutboxStatus.SENT.value,
                sent_at=now,
                attempts=outbox.c.attempts + 1,
                last_error=None,
                message_id=outbox.c.key,
                **_NO_LEASE,
            )
            .returning(outbox.c.id)
        )
        recorded.update(connection.execute(statement).scalars())
    return recorded


def mark_failed(
    connection: Connection,
    entry: OutboxEntry,
    *,
    now: datetime,
    error: str,
    retry_at: datetime | None,
    done_urls: frozenset[int] = frozenset(),
) -> bool:
    """Record a failed attempt: retry at `retry_at`, or give up (dead) when it is None.

    `done_urls` are the channel's URLs that took the message anyway; a retry skips them.
    """
    values: dict[str, object] = {
        "attempts": outbox.c.attempts + 1,
        "last_error": error,
        "done_urls": format_done_urls(entry.done_urls | done_urls),
        **_NO_LEASE,
    }
    if retry_at is None:
        values["status"] = OutboxStatus.DEAD.value
    else:
        values["next_attempt_at"] = retry_at
    return connection.execute(update(outbox).where(_held(entry)).values(values)).rowcount == 1


def defer(connection: Connection, entry: OutboxEntry, *, until: datetime) -> bool:
    """Give a claimed row back, due at `until`, without counting an attempt (rate limits)."""
    statement = update(outbox).where(_held(entry)).values(next_attempt_at=until, **_NO_LEASE)
    return connection.execute(statement).rowcount == 1


def sent_messages_since(connection: Connection, channel: str, since: datetime) -> int:
    """How many messages (an alert, or a digest of several rows) `channel` got since `since`."""
    query = select(func.count(func.distinct(outbox.c.message_id))).where(
        outbox.c.channel == channel,
        outbox.c.status == OutboxStatus.SENT.value,
        outbox.c.sent_at >= since,
    )
    return int(connection.execute(query).scalar_one())


def enqueue_notice(
    connection: Connection, *, key: str, channel: str, text: str, now: datetime
) -> bool:
    """Queue a notice (no listing) once per key; False when that key was queued before."""
    statement = (
        upsert_insert(connection, outbox)
        .values(
            key=key,
            listing_id=None,
            rule="-",
            channel=channel,
            kind="notice",
            why=text,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(outbox.c.id)
    )
    return connection.execute(statement).first() is not None


def list_outbox(connection: Connection, *, status: OutboxStatus | None) -> list[OutboxEntry]:
    query = select(outbox).order_by(outbox.c.id)
    if status is not None:
        query = query.where(outbox.c.status == status.value)
    return [outbox_from_row(row) for row in connection.execute(query)]


def retry(connection: Connection, *, ids: Collection[int] | None, now: datetime) -> int:
    """Make dead rows (or the pending/dead rows in `ids`) due now with a fresh retry schedule."""
    condition: ColumnElement[bool]
    if ids is None:
        condition = outbox.c.status == OutboxStatus.DEAD.value
    else:
        condition = outbox.c.id.in_(list(ids)) & outbox.c.status.in_(
            [PENDING, OutboxStatus.DEAD.value]
        )
    statement = (
        update(outbox)
        .where(condition)
        .values(status=PENDING, attempts=0, next_attempt_at=now, **_NO_LEASE)
    )
    return int(connection.execute(statement).rowcount)


def purge(connection: Connection, *, statuses: Collection[OutboxStatus], before: datetime) -> int:
    """Delete rows in `statuses` created before `before`; pending rows are never purged here.

    Deleting a sent row cannot bring its alert back: only new listings are ever queued.
    """
    wanted = [status.value for status in statuses if status != OutboxStatus.PENDING]
    statement = delete(outbox).where(outbox.c.status.in_(wanted), outbox.c.created_at < before)
    return int(connection.execute(statement).rowcount)


def _purgeable(now: datetime, rule: str | None, source: str | None) -> ColumnElement[bool]:
    """Pending alert and digest rows of `rule` and of listings seen on `source` (None: any),
    not leased to a sender right now (such a row may be on its way already)."""
    lease_free = or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now)
    condition = (outbox.c.status == PENDING) & outbox.c.listing_id.is_not(None) & lease_free
    if rule is not None:
        condition &= outbox.c.rule == rule
    if source is not None:
        seen_on = select(sightings.c.listing_id).where(sightings.c.source == source)
        condition &= outbox.c.listing_id.in_(seen_on)
    return condition


def count_pending(
    connection: Connection, *, now: datetime, rule: str | None = None, source: str | None = None
) -> int:
    """How many rows `purge_pending` would delete now."""
    query = select(func.count()).select_from(outbox).where(_purgeable(now, rule, source))
    return int(connection.execute(query).scalar_one())


def purge_pending(
    connection: Connection, *, now: datetime, rule: str | None = None, source: str | None = None
) -> int:
    """Delete the pending alerts of `rule` and `source` (`_purgeable`); return how many. The
    listing's match stays recorded, so the alert is never queued again."""
    statement = delete(outbox).where(_purgeable(now, rule, source))
    return int(connection.execute(statement).rowcount)
