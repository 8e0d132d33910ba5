"""Identities for sightings stored before the merge stage existed, so new postings merge with
the listings an upgraded database already holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, select, update

from aggregator.merge import identity_of
from aggregator.models import Posting
from aggregator.store.postings import add_keys
from aggregator.store.rows import listing_from_row
from aggregator.store.tables import listings, sightings

__all__ = ["backfill_identities"]

BATCH = 500


def backfill_identities(connection: Connection) -> int:
    """Give every sighting without an identity the one its listing's text makes, and the
    listing that identity's blocking keys; return how many sightings were filled."""
    filled = 0
    while rows := connection.execute(_missing().limit(BATCH)).all():
        identities: list[dict[str, Any]] = []
        keys: set[tuple[str, int]] = set()
        for row in rows:
            identity = identity_of(_posting(row))
            identities.append({"b_id": row.sighting_id, "b_identity": identity.to_json()})
            blocking = identity.keys()
            keys |= {(key, row.id) for key in blocking}
        connection.execute(
            update(sightings)
            .where(sightings.c.id == bindparam("b_id"))
            .values(identity=bindparam("b_identity", type_=sightings.c.identity.type)),
            identities,
        )
        add_keys(connection, keys)
        filled += len(rows)
    return filled


def _missing() -> Select[Any]:
    return (
        select(
            listings,
            sightings.c.id.label("sighting_id"),
            sightings.c.source.label("sighting_source"),
            sightings.c.dedup_key,
            sightings.c.external_id,
            sightings.c.url.label("sighting_url"),
        )
        .join(listings, listings.c.id == sightings.c.listing_id)
        .where(sightings.c.identity.is_(None))
        .order_by(sightings.c.id)
    )


def _posting(row: Row[Any]) -> Posting:
    """The sighting as a posting: its own source, key and URL over its listing's text."""
    listing = listing_from_row(row, ())
    return Posting(
        source=row.sighting_source,
        dedup_key=row.dedup_key,
        title=listing.title,
        url=row.sighting_url or listing.url,
        external_id=row.external_id,
        company=listing.company,
        location=listing.location,
        description=listing.description,
        description_html=row.description_html,
        tags=listing.tags,
        posted_at=listing.posted_at,
        first_seen_at=listing.first_seen_at,
        job=listing.job,
    )
