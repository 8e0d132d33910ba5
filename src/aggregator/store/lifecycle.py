"""Listing lifecycle: sightings closed when their whole-board source no longer lists them (and
reopened when it does again), and each listing's status: open, closed or expired."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, and_, bindparam, case, func, select, update

from aggregator.store.tables import listings, sightings
from aggregator.store.types import UTCDateTime

__all__ = ["close_unseen", "expire_overdue", "refresh_status", "reopen", "status_of"]

CHUNK = 500
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def status_of(
    open_sightings: int, last_closed: datetime | None, deadline: datetime | None, now: datetime
) -> tuple[str, datetime | None]:
    """(status, closed_at): closed once every sighting is, expired past the deadline."""
    if open_sightings == 0:
        return "closed", last_closed or now
    if deadline is not None and deadline < now:
        return "expired", deadline
    return "open", None


def close_unseen(connection: Connection, source: str, seen: Collection[str], now: datetime) -> int:
    """Close the open sightings of `source` whose dedup keys are not in `seen` (a full listing
    of its board), reopen those that are; return how many were closed."""
    query = select(sightings.c.id, sightings.c.dedup_key, sightings.c.listing_id).where(
        sightings.c.source == source, sightings.c.closed_at.is_(None)
    )
    gone = [
        (row.id, row.listing_id) for row in connection.execute(query) if row.dedup_key not in seen
    ]
    for chunk in _chunks(sorted(sighting for sighting, _ in gone)):
        connection.execute(update(sightings).where(sightings.c.id.in_(chunk)).values(closed_at=now))
    changed = {listing_id for _, listing_id in gone}
    changed |= reopen(connection, [(source, key) for key in sorted(seen)])
    refresh_status(connection, changed, now)
    return len(gone)


def reopen(connection: Connection, keys: Sequence[tuple[str, str]]) -> set[int]:
    """Reopen the closed sightings among `keys` (seen again); return their listings' ids."""
    by_source: dict[str, list[str]] = {}
    for source, dedup_key in keys:
        by_source.setdefault(source, []).append(dedup_key)
    found: list[tuple[int, int]] = []
    for source, dedup_keys in sorted(by_source.items()):
        for chunk in _chunks(dedup_keys):
            query = select(sightings.c.id, sightings.c.listing_id).where(
                sightings.c.source == source,
                sightings.c.dedup_key.in_(chunk),
                sightings.c.closed_at.is_not(None),
            )
            found += [(row.id, row.listing_id) for row in connection.execute(query)]
    for ids in _chunks(sorted(sighting for sighting, _ in found)):
        connection.execute(update(sightings).where(sightings.c.id.in_(ids)).values(closed_at=None))
    return {listing_id for _, listing_id in found}


def refresh_status(connection: Connection, ids: Collection[int], now: datetime) -> None:
    """Recompute the status of these listings from their sightings and deadlines."""
    changes: list[dict[str, Any]] = []
    for chunk in _chunks(sorted(ids)):
        still_open = func.sum(case((sightings.c.closed_at.is_(None), 1), else_=0))
        query = (
            select(
                listings.c.id,
                listings.c.status,
                listings.c.closed_at,
                listings.c.deadline,
                still_open.label("open"),
                func.max(sightings.c.closed_at).label("last_closed"),
            )
            .join(sightings, sightings.c.listing_id == listings.c.id)
            .where(listings.c.id.in_(chunk))
            .group_by(listings.c.id, listings.c.status, listings.c.closed_at, listings.c.deadline)
        )
        for row in connection.execute(query):
            status, closed_at = status_of(int(row.open or 0), row.last_closed, row.deadline, now)
            if (status, closed_at) != (row.status, row.closed_at):
                changes.append({"b_id": row.id, "b_status": status, "b_closed_at": closed_at})
    if changes:
        statement = (
            update(listings)
            .where(listings.c.id == bindparam("b_id"))
            .values(
                status=bindparam("b_status"),
                closed_at=bindparam("b_closed_at", type_=UTCDateTime()),
            )
        )
        connection.execute(statement, changes)


def expire_overdue(connection: Connection, now: datetime) -> int:
    """Open listings whose deadline has passed become expired; return how many."""
    statement = (
        update(listings)
        .where(
            and_(
                listings.c.status == "open",
                listings.c.deadline.is_not(None),
                listings.c.deadline < now,
            )
        )
        .values(status="expired", closed_at=listings.c.deadline)
    )
    return connection.execute(statement).rowcount or 0
