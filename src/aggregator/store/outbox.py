"""Outbox delivery queries: claim due rows under a lease, then record the outcome."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, or_, select, update

from aggregator.models import OutboxEntry, OutboxStatus
from aggregator.store.rows import outbox_from_row
from aggregator.store.tables import outbox

__all__ = ["claim_due", "list_outbox", "mark_failed", "mark_sent"]

PENDING = OutboxStatus.PENDING.value


def _claimable(now: datetime) -> ColumnElement[bool]:
    lease_free = or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now)
    return (outbox.c.status == PENDING) & (outbox.c.next_attempt_at <= now) & lease_free


def claim_due(
    connection: Connection,
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    channels: Collection[str] | None,
) -> list[OutboxEntry]:
    """Lease up to `limit` due rows to the caller, oldest first.

    On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets concurrent claimers pass each other's rows; on
    SQLite the write transaction (BEGIN IMMEDIATE) already serializes claimers. Either way the
    UPDATE repeats the claimable test, so a row leased since the SELECT is never taken twice.
    """
    query = select(outbox.c.id).where(_claimable(now)).order_by(outbox.c.id).limit(limit)
    if channels is not None:
        query = query.where(outbox.c.channel.in_(list(channels)))
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


def mark_sent(connection: Connection, entry: OutboxEntry, *, now: datetime) -> None:
    """Record a delivery; a row no longer pending (already sent or dead) is left alone."""
    connection.execute(
        update(outbox)
        .where(outbox.c.id == entry.id, outbox.c.status == PENDING)
        .values(
            status=OutboxStatus.SENT.value,
            sent_at=now,
            attempts=outbox.c.attempts + 1,
            lease_until=None,
            lease_token=None,
        )
    )


def mark_failed(
    connection: Connection,
    entry: OutboxEntry,
    *,
    now: datetime,
    error: str,
    retry_at: datetime | None,
) -> None:
    """Record a failed attempt: retry at `retry_at`, or give up (dead) when it is None."""
    values: dict[str, object] = {
        "attempts": outbox.c.attempts + 1,
        "last_error": error,
        "lease_until": None,
        "lease_token": None,
    }
    if retry_at is None:
        values["status"] = OutboxStatus.DEAD.value
    else:
        values["next_attempt_at"] = retry_at
    connection.execute(
        update(outbox).where(outbox.c.id == entry.id, outbox.c.status == PENDING).values(values)
    )


def list_outbox(connection: Connection, *, status: OutboxStatus | None) -> list[OutboxEntry]:
    query = select(outbox).order_by(outbox.c.id)
    if status is not None:
        query = query.where(outbox.c.status == status.value)
    return [outbox_from_row(row) for row in connection.execute(query)]
