"""Writes made inside one `Store.transaction()`: postings, matches and outbox rows."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.exc import DataError, DBAPIError

from aggregator.errors import describe_error
from aggregator.models import MAX_KEY_BYTES, Listing, Match, Posting
from aggregator.store import lifecycle, queries
from aggregator.store.postings import (
    Batch,
    Key,
    add_keys,
    apply_joins,
    insert_new,
    join,
    new_listing,
)
from aggregator.store.rows import upsert_insert
from aggregator.store.tables import matches, outbox, sightings
from aggregator.store.types import UTCDateTime
from aggregator.text import clean_text

__all__ = ["SkippedPosting", "UnitOfWork", "outbox_key"]

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
        batch = Batch.start(connection, unique, existing, origins or {})
        for key in sorted(batch.identities):
            if not self._store_new(batch, unique[key]):
                seen.append(unique[key])
        _touch(connection, sorted(seen, key=_key))
        reopened = lifecycle.reopen(connection, sorted(_key(posting) for posting in seen))
        add_keys(connection, batch.keys)
        apply_joins(connection, batch)
        lifecycle.refresh_status(connection, set(batch.joiners) | reopened, now)
        return self._results(batch, unique)

    def _store_new(self, batch: Batch, posting: Posting) -> bool:
        """Store one posting never sighted; False if another transaction sighted it first."""
        connection, key = self.connection, _key(posting)
        identity = batch.identities[key]
        decision = batch.candidates.decide(identity, batch.apart.get(key, ()))
        try:
            with connection.begin_nested():  # a refused insert undoes only itself
                if decision.join is not None:
                    listing_id = join(connection, posting, identity, decision)
                else:
                    listing_id = insert_new(connection, posting, identity, decision)
        except DBAPIError as error:
            if not _refuses_values(error):
                raise
            self._skip(posting, describe_error(error))
            return True
        if listing_id is None:
            return False
        if decision.join is None:
            batch.created[key] = listing_id
            if decision.reposted_from is not None:
                batch.reposts[listing_id] = decision.reposted_from
        else:
            batch.had_ats.setdefault(listing_id, batch.candidates.has_origin(listing_id, "ats"))
            batch.joiners[listing_id].append((posting, identity))
        batch.candidates.add(listing_id, identity)
        blocking = identity.keys()
        batch.keys.update((name, listing_id) for name in blocking)
        return True

    def _results(self, batch: Batch, unique: Mapping[Key, Posting]) -> list[Listing]:
        """The created listings in input order (read back if the batch joined them too); the
        existing listings the batch joined go to `joined`."""
        created_ids = set(batch.created.values())
        reread = queries.listings_by_id(self.connection, set(batch.joiners))
        self.joined += [reread[lid] for lid in sorted(reread) if lid not in created_ids]
        return [
            reread.get(batch.created[key])
            or new_listing(batch.created[key], unique[key], batch.reposts.get(batch.created[key]))
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
