"""Outbox delivery queries: claim due rows under a lease, record outcomes, manage the queue."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, delete, func, or_, select, update

from aggregator.models import OutboxEntry, OutboxStatus
from aggregator.store.rows import format_done_urls, outbox_from_row, upsert_insert
from aggregator.store.tables import outbox

__all__ = [
    "claim_due",
    "defer",
    "enqueue_notice",
    "list_outbox",
    "mark_failed",
    "mark_sent",
    "purge",
    "retry",
    "sent_messages_since",
]

PENDING = OutboxStatus.PENDING.value


def _claimable(now: datetime) -> ColumnElement[bool]:
    lease_free = or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now)
    return (outbox.c.status == PENDING) & (outbox.c.next_attempt_at <= now) & lease_free


def _held(entry: OutboxEntry) -> ColumnElement[bool]:
    """The row is still pending and still leased to the caller: an outcome recorded after the
    lease ran out and someone else claimed the row must not overwrite theirs."""
    return (
        (outbox.c.id == entry.id)
        & (outbox.c.status == PENDING)
        & (outbox.c.lease_token == entry.lease_token)
    )


def claim_due(
    connection: Connection,
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    channels: Collection[str] | None,
    kinds: Collection[str] | None = None,
) -> list[OutboxEntry]:
    """Lease up to `limit` due rows to the caller, oldest first, under one new lease token.

    On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets concurrent claimers pass each other's rows; on
    SQLite the write transaction (BEGIN IMMEDIATE) already serializes claimers. Either way the
    UPDATE repeats the claimable test, so a row leased since the SELECT is never taken twice.
    """
    query = select(outbox.c.id).where(_claimable(now)).order_by(outbox.c.id).limit(limit)
    if channels is not None:
        query = query.where(outbox.c.channel.in_(list(channels)))
    if kinds is not None:
        query = query.where(outbox.c.kind.in_(list(kinds)))
    ids = list(connection.execute(query.with_for_update(skip_locked=True)).scalars())
    if not ids:
        return []
    claim = (
        update(outbox)
        .where(outbox.c.id.in_(ids), _claimable(now))
        .values(lease_until=now + lease, lease_token=secrets.token_hex(16))
        .returning(*outbox.c)
    )
    entries = [outbox_from_row(row) for row in connection.execute(claim)]
    return sorted(entries, key=lambda entry: entry.id)


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
            lease_until=None,
            lease_token=None,
            message_id=message_id,
        )
    )
    return connection.execute(statement).rowcount == 1


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
        "lease_until": None,
        "lease_token": None,
        "done_urls": format_done_urls(entry.done_urls | done_urls),
    }
    if retry_at is None:
        values["status"] = OutboxStatus.DEAD.value
    else:
        values["next_attempt_at"] = retry_at
    return connection.execute(update(outbox).where(_held(entry)).values(values)).rowcount == 1


def defer(connection: Connection, entry: OutboxEntry, *, until: datetime) -> bool:
    """Give a claimed row back, due at `until`, without counting an attempt (rate limits)."""
    statement = (
        update(outbox)
        .where(_held(entry))
        .values(next_attempt_at=until, lease_until=None, lease_token=None)
    )
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
        .values(status=PENDING, attempts=0, next_attempt_at=now, lease_until=None, lease_token=None)
    )
    return int(connection.execute(statement).rowcount)


def purge(connection: Connection, *, statuses: Collection[OutboxStatus], before: datetime) -> int:
    """Delete rows in `statuses` created before `before`; pending rows are never purged here.

    Deleting a sent row cannot bring its alert back: only new listings are ever queued.
    """
    wanted = [status.value for status in statuses if status != OutboxStatus.PENDING]
    statement = delete(outbox).where(outbox.c.status.in_(wanted), outbox.c.created_at < before)
    return int(connection.execute(statement).rowcount)
