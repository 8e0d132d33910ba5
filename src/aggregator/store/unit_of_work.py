"""Writes made inside one `Store.transaction()`: postings, matches and outbox rows."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.exc import DataError, DBAPIError

from aggregator.errors import describe_error
from aggregator.merge import Identity, identity_of
from aggregator.models import MAX_KEY_BYTES, Listing, Match, Posting
from aggregator.store import lifecycle, queries
from aggregator.store.merging import Candidates, Decision, better_values, load_apart
from aggregator.store.rows import job_values, upsert_insert
from aggregator.store.tables import listing_keys, listings, matches, outbox, sightings
from aggregator.store.types import UTCDateTime
from aggregator.text import clean_text

__all__ = ["SkippedPosting", "UnitOfWork", "outbox_key"]

Key = tuple[str, str]  # (source, dedup_key): one posting on one source
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
CHUNK = 500  # keys per IN (...) list, well under every backend's parameter limit
# SQLSTATE classes of errors about one statement's values: data exception (22: bad encoding,
# NUL, value too long) and program limit exceeded (54: an index row too large).
_VALUE_ERROR_CLASSES = ("22", "54")


@dataclass(frozen=True, slots=True)
class SkippedPosting:
    """A posting the store could not take, and why (one short line)."""

    source: str
    dedup_key: str
    title: str
    reason: str


class UnitOfWork:
    """The writes of one transaction; valid only inside the `Store.transaction()` that made it."""

    def __init__(self, connection: Connection) -> None:
        self._connection: Connection | None = connection
        self.skipped: list[SkippedPosting] = []  # postings that upsert_postings could not store
        self.joined: list[Listing] = []  # existing listings that upsert_postings added sightings to

    def close(self) -> None:
        """Called by the store when the transaction ends; later calls raise."""
        self._connection = None

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("this UnitOfWork is used outside its Store.transaction()")
        return self._connection

    def upsert_postings(
        self, postings: Sequence[Posting], *, origins: Mapping[str, str] | None = None
    ) -> list[Listing]:
        """Record postings; return the listings created for the ones never seen, in input order.

        A posting already sighted (same source and dedup key) only moves `last_seen_at` (and
        reopens its sighting if it was closed), even if its text changed. A posting never seen
        joins the listing of the same job when there is one (merge.compare against the few
        listings sharing one of its identity's keys, postings of this batch included): it adds
        a sighting, may improve the listing's fields, and creates nothing (so it alerts
        nothing); those listings are added to `joined`. `origins` gives a source's kind
        ("ats": the company's own board), which outranks the identity's own guess.

        Sightings are written in key order, then listing keys in key order, then listing rows
        in id order, so that two processes writing the same postings wait on each other
        instead of deadlocking; a process that loses the race for a sighting drops the listing
        it had just made and counts the posting as seen.

        A posting the database cannot take (text no encoder takes, a key too long for the index,
        a value the database refuses) is left out and listed in `skipped`; the others are stored.
        """
        connection = self.connection
        unique = {
            key: posting
            for key, posting in _first_by_key(postings, _key).items()
            if self._storable(posting)
        }
        if not unique:
            return []
        now = max(posting.first_seen_at for posting in unique.values())
        existing = _existing_keys(connection, unique)
        seen = [posting for key, posting in unique.items() if key in existing]
        batch = _Batch.start(connection, unique, existing, origins or {})
        for key in sorted(batch.identities):
            if not self._store_new(batch, unique[key]):
                seen.append(unique[key])
        _touch(connection, sorted(seen, key=_key))
        reopened = lifecycle.reopen(connection, sorted(_key(posting) for posting in seen))
        _add_keys(connection, batch.keys)
        _apply_joins(connection, batch)
        lifecycle.refresh_status(connection, set(batch.joiners) | reopened, now)
        return self._results(batch, unique)

    def _store_new(self, batch: _Batch, posting: Posting) -> bool:
        """Store one posting never sighted; False if another transaction sighted it first."""
        connection, key = self.connection, _key(posting)
        identity = batch.identities[key]
        decision = batch.candidates.decide(identity, batch.apart.get(key, ()))
        try:
            with connection.begin_nested():  # a refused insert undoes only itself
                if decision.join is not None:
                    listing_id = _join(connection, posting, identity, decision)
                else:
                    listing_id = _insert_new(connection, posting, identity, decision)
        except DBAPIError as error:
            if not _refuses_values(error):
                raise
            self._skip(posting, describe_error(error))
            return True
        if listing_id is None:
            return False
        if decision.join is None:
            batch.created[key] = listing_id
        else:
            batch.had_ats.setdefault(listing_id, batch.candidates.has_origin(listing_id, "ats"))
            batch.joiners[listing_id].append((posting, identity))
        batch.candidates.add(listing_id, identity)
        batch.keys.update((name, listing_id) for name in identity.keys())
        return True

    def _results(self, batch: _Batch, unique: Mapping[Key, Posting]) -> list[Listing]:
        """The created listings in input order (read back if the batch joined them too); the
        existing listings the batch joined go to `joined`."""
        created_ids = set(batch.created.values())
        reread = queries.listings_by_id(self.connection, set(batch.joiners))
        self.joined += [reread[lid] for lid in sorted(reread) if lid not in created_ids]
        return [
            reread.get(batch.created[key]) or _new_listing(batch.created[key], unique[key])
            for key in unique
            if key in batch.created
        ]

    def close_unseen(self, source: str, seen: Collection[str], *, now: datetime) -> int:
        """`source` lists its whole board and listed just `seen` (dedup keys): close its other
        open sightings, and the listings left with none open; return how many were closed."""
        return lifecycle.close_unseen(self.connection, source, seen, now)

    def expire_overdue(self, *, now: datetime) -> int:
        """Open listings past their deadline become expired; return how many."""
        return lifecycle.expire_overdue(self.connection, now)

    def _storable(self, posting: Posting) -> bool:
        problem = _unstorable(posting)
        if problem is not None:
            self._skip(posting, problem)
        return problem is None

    def _skip(self, posting: Posting, reason: str) -> None:
        self.skipped.append(
            SkippedPosting(posting.source, posting.dedup_key, clean_text(posting.title), reason)
        )

    def add_matches(self, found: Sequence[Match], *, now: datetime | None = None) -> list[Match]:
        """Record matches; a (listing, rule) pair already recorded is left as it was. Returns the
        matches recorded now (a rule matches a listing once: only these may alert)."""
        created_at = now or datetime.now(UTC)
        unique = _first_by_key(found, lambda match: (match.listing_id, match.rule))
        rows = [
            {"listing_id": m.listing_id, "rule": m.rule, "why": m.why, "created_at": created_at}
            for m in unique.values()
        ]
        if not rows:
            return []
        statement = (
            upsert_insert(self.connection, matches)
            .on_conflict_do_nothing(index_elements=["listing_id", "rule"])
            .returning(matches.c.listing_id, matches.c.rule)
        )
        recorded = {tuple(row) for row in self.connection.execute(statement, rows)}
        return [match for key, match in unique.items() if key in recorded]

    def enqueue(
        self,
        items: Sequence[tuple[Match, str]],
        *,
        now: datetime,
        digest_at: Mapping[str, datetime] | None = None,
    ) -> int:
        """Add one pending outbox row per (match, channel) not queued before; return how many.

        A rule named in `digest_at` queues digest rows, due at its next digest time.
        """
        unique = _first_by_key(items, lambda item: outbox_key(*item))
        if not unique:
            return 0
        digest_at = digest_at or {}
        rows = [
            _outbox_row(key, match, channel, now, digest_at.get(match.rule))
            for key, (match, channel) in unique.items()
        ]
        statement = (
            upsert_insert(self.connection, outbox)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(outbox.c.id)
        )
        return len(self.connection.execute(statement, rows).all())


def outbox_key(match: Match, channel: str) -> str:
    """At most one alert per (listing, rule, channel), ever."""
    return f"{match.listing_id}:{match.rule}:{channel}"


def _outbox_row(
    key: str, match: Match, channel: str, now: datetime, digest_at: datetime | None
) -> dict[str, object]:
    return {
        "key": key,
        "listing_id": match.listing_id,
        "rule": match.rule,
        "channel": channel,
        "kind": "alert" if digest_at is None else "digest",
        "why": match.why,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now if digest_at is None else digest_at,
        "created_at": now,
    }


def _unstorable(posting: Posting) -> str | None:
    """Why no database would take the posting as it is, or None; checked before any SQL, since
    a driver raises on such text while binding and the whole statement fails."""
    if len(posting.dedup_key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        return f"its key is longer than {MAX_KEY_BYTES} bytes"
    for name, text in _texts(posting):
        if clean_text(text) != text:
            return f"its {name} holds a NUL character or a lone surrogate"
    return None


def _texts(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a posting with the field that holds it, nested ones included."""
    if isinstance(value, str):
        yield path, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            name = f"{path}.{field.name}" if path else field.name
            yield from _texts(getattr(value, field.name), name)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _texts(item, path)


def _refuses_values(error: DBAPIError) -> bool:
    """The database refused this statement's values, not the statement's chance to run (a full
    disk, a lock, a lost connection must fail the whole transaction)."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    return isinstance(error, DataError) or str(sqlstate or "").startswith(_VALUE_ERROR_CLASSES)


def _first_by_key(items: Iterable[T], key: Callable[[T], K]) -> dict[K, T]:
    """The first item of each key, in input order: a repeat within one batch counts once."""
    unique: dict[K, T] = {}
    for item in items:
        unique.setdefault(key(item), item)
    return unique


def _key(posting: Posting) -> Key:
    return posting.source, posting.dedup_key


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_keys(connection: Connection, keys: Iterable[Key]) -> set[Key]:
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, dedup_key in keys:
        by_source[source].append(dedup_key)
    found: set[Key] = set()
    for source, dedup_keys in by_source.items():
        for chunk in _chunks(dedup_keys):
            query = select(sightings.c.dedup_key).where(
                sightings.c.source == source, sightings.c.dedup_key.in_(chunk)
            )
            found.update((source, key) for key in connection.execute(query).scalars())
    return found


@dataclass(slots=True)
class _Batch:
    """One upsert's new postings: their identities and candidates, and what storing them did."""

    identities: dict[Key, Identity]
    candidates: Candidates
    apart: dict[Key, set[int]]
    created: dict[Key, int] = field(default_factory=dict)
    joiners: defaultdict[int, list[tuple[Posting, Identity]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    had_ats: dict[int, bool] = field(default_factory=dict)  # before this batch joined it
    keys: set[tuple[str, int]] = field(default_factory=set)

    @classmethod
    def start(
        cls,
        connection: Connection,
        unique: Mapping[Key, Posting],
        existing: Collection[Key],
        origins: Mapping[str, str],
    ) -> _Batch:
        identities = {
            key: _identity(posting, origins.get(posting.source))
            for key, posting in unique.items()
            if key not in existing
        }
        keys = {name for identity in identities.values() for name in identity.keys()}
        return cls(
            identities=identities,
            candidates=Candidates.load(connection, keys),
            apart=load_apart(connection, identities),
        )


def _identity(posting: Posting, origin: str | None) -> Identity:
    identity = identity_of(posting)
    if origin is not None and origin != identity.origin:
        identity = dataclasses.replace(identity, origin=origin)
    return identity


def _insert_new(
    connection: Connection, posting: Posting, identity: Identity, decision: Decision
) -> int | None:
    """Create the listing and its sighting; None if another transaction sighted it first."""
    values = _listing_values(posting) | {"reposted_from": decision.reposted_from}
    values["status"], values["closed_at"] = lifecycle.status_of(
        1, None, posting.job.deadline, posting.first_seen_at
    )
    listing_id: int = connection.execute(
        insert(listings).values(values).returning(listings.c.id)
    ).scalar_one()
    if _insert_sighting(connection, posting, listing_id, identity, None) is None:
        connection.execute(delete(listings).where(listings.c.id == listing_id))
        return None
    return listing_id


def _join(
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
    sighting = (
        upsert_insert(connection, sightings)
        .values(values)
        .on_conflict_do_nothing(index_elements=["source", "dedup_key"])
        .returning(sightings.c.id)
    )
    return None if connection.execute(sighting).first() is None else listing_id


def _new_listing(listing_id: int, posting: Posting) -> Listing:
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
    )


def _add_keys(connection: Connection, keys: Collection[tuple[str, int]]) -> None:
    """Record blocking keys of the listings a batch created or joined, in key order."""
    rows = [{"key": key, "listing_id": listing_id} for key, listing_id in sorted(keys)]
    for chunk in _chunks(rows):
        statement = upsert_insert(connection, listing_keys).on_conflict_do_nothing(
            index_elements=["key", "listing_id"]
        )
        connection.execute(statement, list(chunk))


def _apply_joins(connection: Connection, batch: _Batch) -> None:
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
    return {
        "title": posting.title,
        "url": posting.url,
        "company": posting.company,
        "location": posting.location,
        "description": posting.description,
        "description_html": posting.description_html,
        "tags": list(posting.tags),
        "posted_at": posting.posted_at,
        "first_seen_at": posting.first_seen_at,
        **job_values(posting.job),
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


def _touch(connection: Connection, seen: Sequence[Posting]) -> None:
    """Move `last_seen_at` forward (never back) for postings already sighted."""
    if not seen:
        return
    seen_at = bindparam("b_seen_at", type_=UTCDateTime())
    statement = (
        update(sightings)
        .where(
            sightings.c.source == bindparam("b_source"),
            sightings.c.dedup_key == bindparam("b_dedup_key"),
            sightings.c.last_seen_at < seen_at,
        )
        .values(last_seen_at=seen_at)
    )
    params = [
        {"b_source": p.source, "b_dedup_key": p.dedup_key, "b_seen_at": p.first_seen_at}
        for p in seen
    ]
    connection.execute(statement, params)
