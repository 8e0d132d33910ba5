"""The `listings` command's reads: listings with their sightings, page by page, and one listing
with its matches (its hand corrections are in listing_edits.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, exists, or_, select

from aggregator.models import Listing
from aggregator.store.rows import listing_from_row
from aggregator.store.tables import listings, matches, sightings

__all__ = [
    "PAGE",
    "STATUS_CHOICES",
    "ListingDetail",
    "ListingFilter",
    "MatchRecord",
    "SightingRecord",
    "StoredListing",
    "iter_listings",
    "listing_detail",
    "sighting_record",
]

PAGE = 500  # listings per page: what a stream holds in memory at once
# What `--status` takes, and the listing statuses each means: closed is every listing no longer
# open (gone from its boards, or past its deadline); expired only those past their deadline.
STATUS_CHOICES: dict[str, tuple[str, ...] | None] = {
    "open": ("open",),
    "closed": ("closed", "expired"),
    "expired": ("expired",),
    "all": None,
}


@dataclass(frozen=True, slots=True)
class SightingRecord:
    """One sighting of a listing: where it was seen, when, and why it joined the listing."""

    id: int
    source: str
    dedup_key: str
    external_id: str | None
    url: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    closed_at: datetime | None
    merge_reason: str | None  # None: this sighting made the listing


@dataclass(frozen=True, slots=True)
class MatchRecord:
    """A rule that matched a listing, why, and when."""

    rule: str
    why: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredListing:
    """A listing with its lifecycle and every sighting (its `listing.sources` are theirs)."""

    listing: Listing
    status: str
    closed_at: datetime | None
    reposted_from: int | None
    description_html: str | None
    sightings: tuple[SightingRecord, ...]

    @property
    def last_seen_at(self) -> datetime:
        """When any board last showed it (its first sighting, if it has none)."""
        return max((s.last_seen_at for s in self.sightings), default=self.listing.first_seen_at)


@dataclass(frozen=True, slots=True)
class ListingDetail:
    """`listings show`: a listing and the rules that matched it."""

    stored: StoredListing
    matches: tuple[MatchRecord, ...]


@dataclass(frozen=True, slots=True)
class ListingFilter:
    """Which listings a stream yields: by status, a source among its sightings, first seen."""

    statuses: tuple[str, ...] | None = ("open",)  # None: every status
    source: str | None = None
    since: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.statuses is not None:
            found.append(listings.c.status.in_(self.statuses))
        if self.source is not None:
            found.append(
                exists().where(
                    sightings.c.listing_id == listings.c.id, sightings.c.source == self.source
                )
            )
        if self.since is not None:
            found.append(listings.c.first_seen_at >= self.since)
        return found


def iter_listings(
    connection: Connection, selection: ListingFilter, *, page: int = PAGE
) -> Iterator[StoredListing]:
    """The selected listings, newest first (first seen, then id), `page` at a time: keyset
    pagination on (first_seen_at, id), so a page costs the same at the end of a large store
    and no more than one page is ever held."""
    after: tuple[datetime, int] | None = None
    while True:
        query = select(listings).where(*selection.conditions())
        if after is not None:
            seen, last_id = after
            query = query.where(
                or_(
                    listings.c.first_seen_at < seen,
                    and_(listings.c.first_seen_at == seen, listings.c.id < last_id),
                )
            )
        query = query.order_by(listings.c.first_seen_at.desc(), listings.c.id.desc()).limit(page)
        rows = connection.execute(query).all()
        full = len(rows) == page
        after = (rows[-1].first_seen_at, rows[-1].id) if rows else None
        found = _with_sightings(connection, rows)
        del rows  # the next page is read with nothing of this one held
        yield from found
        del found
        if not full:
            return


def listing_detail(connection: Connection, listing_id: int) -> ListingDetail | None:
    """One listing with its sightings and matches; None when there is no such listing."""
    row = connection.execute(select(listings).where(listings.c.id == listing_id)).first()
    if row is None:
        return None
    [stored] = _with_sightings(connection, [row])
    query = (
        select(matches.c.rule, matches.c.why, matches.c.created_at)
        .where(matches.c.listing_id == listing_id)
        .order_by(matches.c.created_at, matches.c.rule)
    )
    found = tuple(MatchRecord(*match) for match in connection.execute(query))
    return ListingDetail(stored, found)


def _with_sightings(connection: Connection, rows: Sequence[Row[Any]]) -> list[StoredListing]:
    if not rows:
        return []
    by_listing: defaultdict[int, list[SightingRecord]] = defaultdict(list)
    query = (
        select(sightings)
        .where(sightings.c.listing_id.in_([row.id for row in rows]))
        .order_by(sightings.c.first_seen_at, sightings.c.id)
    )
    for sighting in connection.execute(query):
        by_listing[sighting.listing_id].append(sighting_record(sighting))
    return [_stored(row, by_listing[row.id]) for row in rows]


def sighting_record(row: Row[Any]) -> SightingRecord:
    """A sightings row as a record."""
    return SightingRecord(
        id=row.id,
        source=row.source,
        dedup_key=row.dedup_key,
        external_id=row.external_id,
        url=row.url,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
        closed_at=row.closed_at,
        merge_reason=row.merge_reason,
    )


def _stored(row: Row[Any], seen: list[SightingRecord]) -> StoredListing:
    return StoredListing(
        listing=listing_from_row(row, (s.source for s in seen)),
        status=row.status,
        closed_at=row.closed_at,
        reposted_from=row.reposted_from,
        description_html=row.description_html,
        sightings=tuple(seen),
    )
