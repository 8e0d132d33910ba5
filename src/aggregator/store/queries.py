"""Read queries: listings with their sources, and source state."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, select, true

from aggregator.models import Listing, SourceState
from aggregator.store.rows import listing_from_row, source_state_from_row
from aggregator.store.tables import listings, sightings, source_state

__all__ = ["all_listings", "listings_by_id", "source_states"]

CHUNK = 500  # ids per IN (...) list


def _load(connection: Connection, where: ColumnElement[bool]) -> list[Listing]:
    rows = connection.execute(select(listings).where(where).order_by(listings.c.id)).all()
    ids = select(listings.c.id).where(where)
    sources: defaultdict[int, list[str]] = defaultdict(list)
    query = select(sightings.c.listing_id, sightings.c.source).where(
        sightings.c.listing_id.in_(ids)
    )
    for listing_id, source in connection.execute(query):
        sources[listing_id].append(source)
    return [listing_from_row(row, sources[row.id]) for row in rows]


def listings_by_id(connection: Connection, ids: Collection[int]) -> dict[int, Listing]:
    """The listings with these ids; unknown ids are left out."""
    wanted = sorted(set(ids))
    found: dict[int, Listing] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found.update((item.id, item) for item in _load(connection, listings.c.id.in_(chunk)))
    return found


def all_listings(connection: Connection, *, since: datetime | None) -> list[Listing]:
    """Every listing (first seen at or after `since`, if given), oldest id first."""
    where = true() if since is None else listings.c.first_seen_at >= since
    return _load(connection, where)


def source_states(connection: Connection) -> dict[str, SourceState]:
    rows = connection.execute(select(source_state).order_by(source_state.c.name))
    return {row.name: source_state_from_row(row) for row in rows}
