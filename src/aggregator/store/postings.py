"""Writing postings never sighted: a listing of their own, or a sighting of the listing of the
same job, with the blocking keys and best fields that follow."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, delete, insert, select, update

from aggregator.merge import Identity, identity_of
from aggregator.models import Listing, Posting
from aggregator.store import lifecycle
from aggregator.store.merging import Candidates, Decision, better_values, listing_face, load_apart
from aggregator.store.rows import upsert_insert
from aggregator.store.tables import listing_keys, listings, sightings

__all__ = ["Batch", "Key", "add_keys", "apply_joins", "insert_new", "join", "new_listing"]

Key = tuple[str, str]  # (source, dedup_key): one posting on one source
T = TypeVar("T")
CHUNK = 500


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(slots=True)
class Batch:
    """One upsert's new postings: their identities and candidates, and what storing them did."""

    identities: dict[Key, Identity]
    candidates: Candidates
    apart: dict[Key, set[int]]
    created: dict[Key, int] = field(default_factory=dict)
    joiners: defaultdict[int, list[tuple[Posting, Identity]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    had_ats: dict[int, bool] = field(default_factory=dict)  # before this batch joined it
    reposts: dict[int, int] = field(default_factory=dict)  # new listing: the one it reposts
    keys: set[tuple[str, int]] = field(default_factory=set)

    @classmethod
    def start(
        cls,
        connection: Connection,
        unique: Mapping[Key, Posting],
        existing: Collection[Key],
        origins: Mapping[str, str],
    ) -> Batch:
        identities = {
            key: _identity(posting, origins.get(posting.source))
            for key, posting in unique.items()
            if key not in existing
        }
        keys = {name for identity in identities.values() for name in _blocking(identity)}
        return cls(
            identities=identities,
            candidates=Candidates.load(connection, keys),
            apart=load_apart(connection, identities),
        )


def _blocking(identity: Identity) -> tuple[str, ...]:
    return identity.keys()


def _identity(posting: Posting, origin: str | None) -> Identity:
    identity = identity_of(posting)
    if origin is not None and origin != identity.origin:
        identity = dataclasses.replace(identity, origin=origin)
    return identity


def insert_new(
    connection: Connection, posting: Posting, identity: Identity, decision: Decision
) -> int | None:
    """Create the listing and its sighting; None if another transaction sighted it first."""
    values = _listing_values(posting) | {"reposted_from": decision.reposted_from}
    values["status"], values["closed_at"] = lifecycle.status_of(
        1, None, posting.job.deadline, posting.first_seen_at
    )
    # Constant statements with the values as parameters: SQLAlchemy compiles them once, where
    # a `.values(...)` statement per posting costs more than the database's own work.
    listing_id: int = connection.execute(_INSERT_LISTING, values).scalar_one()
    if _insert_sighting(connection, posting, listing_id, identity, None) is None:
        connection.execute(delete(listings).where(listings.c.id == listing_id))
        return None
    return listing_id


def join(
    connection: Connection, posting: Posting, identity: Identity, decision: Decision
) -> int | None:
    """Add the posting as a sighting of `decision.join`; None if it was sighted meanwhile."""
    assert decision.join is not None
    return _insert_sighting(connection, posting, decision.join, identity, decision.reason)


def _insert_sighting(
    connection: Connection,
    posting: Posting,
    listing_id: int,
    identity: Identity,
    reason: str | None,
) -> int | None:
    values = _sighting_values(posting, listing_id)
    values |= {"identity": identity.to_json(), "merge_reason": reason}
    return (
        None
        if connection.execute(_sighting_insert(connection), values).first() is None
        else listing_id
    )


_INSERT_LISTING = insert(listings).returning(listings.c.id)
_SIGHTING_INSERTS: dict[str, Any] = {}


def _sighting_insert(connection: Connection) -> Any:
    """INSERT a sighting unless its (source, dedup_key) is there: one statement per dialect."""
    dialect = connection.dialect.name
    if dialect not in _SIGHTING_INSERTS:
        _SIGHTING_INSERTS[dialect] = (
            upsert_insert(connection, sightings)
            .on_conflict_do_nothing(index_elements=["source", "dedup_key"])
            .returning(sightings.c.id)
        )
    return _SIGHTING_INSERTS[dialect]


def new_listing(listing_id: int, posting: Posting, reposted_from: int | None) -> Listing:
    """The listing just created for `posting`, without reading it back."""
    status, closed_at = lifecycle.status_of(1, None, posting.job.deadline, posting.first_seen_at)
    return Listing(
        id=listing_id,
        title=posting.title,
        url=posting.url,
        company=posting.company,
        location=posting.location,
        description=posting.description,
        tags=posting.tags,
        posted_at=posting.posted_at,
        first_seen_at=posting.first_seen_at,
        sources=(posting.source,),
        job=posting.job,
        status=status,
        closed_at=closed_at,
        reposted_from=reposted_from,
    )


def add_keys(connection: Connection, keys: Collection[tuple[str, int]]) -> None:
    """Record blocking keys of the listings a batch created or joined, in key order."""
    rows = [{"key": key, "listing_id": listing_id} for key, listing_id in sorted(keys)]
    for chunk in _chunks(rows):
        statement = upsert_insert(connection, listing_keys).on_conflict_do_nothing(
            index_elements=["key", "listing_id"]
        )
        connection.execute(statement, list(chunk))


def apply_joins(connection: Connection, batch: Batch) -> None:
    """Give each joined listing the fields of its best sighting, in id order."""
    ids = sorted(batch.joiners)
    for chunk in _chunks(ids):
        rows = connection.execute(select(listings).where(listings.c.id.in_(chunk)))
        for row in sorted(rows, key=lambda row: row.id):
            had_ats = batch.had_ats.get(row.id, False)
            values = better_values(row._mapping, had_ats, batch.joiners[row.id])
            if values:
                connection.execute(update(listings).where(listings.c.id == row.id).values(values))


def _listing_values(posting: Posting) -> dict[str, object]:
    """A new listing's row: its one sighting's face, and when it was posted and first seen."""
    return listing_face(posting) | {
        "posted_at": posting.posted_at,
        "first_seen_at": posting.first_seen_at,
    }


def _sighting_values(posting: Posting, listing_id: int) -> dict[str, object]:
    return {
        "source": posting.source,
        "dedup_key": posting.dedup_key,
        "external_id": posting.external_id,
        "url": posting.url,
        "listing_id": listing_id,
        "first_seen_at": posting.first_seen_at,
        "last_seen_at": posting.first_seen_at,
    }
