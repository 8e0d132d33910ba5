"""The Store: the only door to the database for the rest of the application."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Collection, Generator, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from aggregator.errors import StoreError, describe_error
from aggregator.models import Listing, OutboxEntry, OutboxStatus, SourceState
from aggregator.store import listing_edits, listing_queries, locks, queries
from aggregator.store import outbox as delivery
from aggregator.store.engine import (
    begin,
    connect,
    current_heads,
    make_engine,
    migrate,
    script_heads,
)
from aggregator.store.listing_edits import MergeResult, SplitResult
from aggregator.store.listing_queries import ListingDetail, ListingFilter, StoredListing
from aggregator.store.liveness import liveness_for
from aggregator.store.locks import RunLockBusy
from aggregator.store.rows import source_state_values, upsert_insert
from aggregator.store.tables import source_state
from aggregator.store.unit_of_work import UnitOfWork

__all__ = ["Store"]

LOCK_RETRY_SECONDS = 0.2


class _LeaseLostError(Exception):
    """Rolls a renewal back when one of its rows is no longer the caller's."""


class Store:
    """Listings, matches, the outbox, source state and the run lock, on SQLite or PostgreSQL.

    Every method runs its own short transaction, except the writes made through
    `transaction()`. Do not call the store's methods inside `transaction()`: they would wait
    for the very write lock that the open transaction holds on SQLite.

    Outbox leases and the run lock name a holder id that dies with this process (liveness.py):
    what a killed process held is free at once.
    """

    def __init__(self, url: str | URL) -> None:
        self._engine = make_engine(url)
        self._liveness = liveness_for(self._engine)
        self._holder: str | None = None
        self._holder_lock = threading.Lock()

    @property
    def display_url(self) -> str:
        """The database URL with any password hidden, for logs and messages."""
        return self._engine.url.render_as_string(hide_password=True)

    def upgrade(self) -> None:
        """Bring the schema to the newest migration; cheap when it already is."""
        migrate(self._engine)

    def schema_is_current(self) -> bool:
        return current_heads(self._engine) == script_heads()

    def dispose(self) -> None:
        """Release this store's holders (their leases become free) and close every connection."""
        with self._holder_lock:
            self._holder = None
        self._liveness.close()
        self._engine.dispose()

    @property
    def holder(self) -> str:
        """This store's holder id (`host:pid:suffix`) for outbox leases, taken on first use."""
        with self._holder_lock:
            if self._holder is None:
                self._holder = self._liveness.take()
            return self._holder

    def living(self, holders: Collection[str]) -> set[str]:
        """The holder ids among `holders` whose process is alive (on any machine, for PG)."""
        with begin(self._engine, write=False) as connection:
            return self._liveness.living(set(holders), connection)

    @contextmanager
    def transaction(self, *, rollback: bool = False) -> Iterator[UnitOfWork]:
        """One write transaction: commit on exit, or roll back on error or when `rollback`."""
        try:
            with connect(self._engine) as connection:
                unit = UnitOfWork(connection)
                try:
                    with connection.begin() as transaction:
                        yield unit
                        if rollback:
                            transaction.rollback()
                finally:
                    unit.close()
        except SQLAlchemyError as exc:  # the driver's first line, never the statement
            raise StoreError(describe_error(exc)) from exc

    def source_states(self) -> dict[str, SourceState]:
        with begin(self._engine, write=False) as connection:
            return queries.source_states(connection)

    def save_source_state(self, state: SourceState) -> None:
        """Insert or replace the state of `state.name`."""
        values = source_state_values(state)
        with begin(self._engine) as connection:
            statement = (
                upsert_insert(connection, source_state)
                .values(name=state.name, **values)
                .on_conflict_do_update(index_elements=["name"], set_=values)
            )
            connection.execute(statement)

    def claim_due(
        self,
        *,
        now: datetime,
        lease: timedelta,
        limit: int = 100,
        channels: Collection[str] | None = None,
        kinds: Collection[str] | None = None,
        same_rule: bool = False,
    ) -> list[OutboxEntry]:
        """Lease due pending rows to this store's holder until `now + lease`; no one else gets
        them meanwhile, unless this process dies. `same_rule`: one rule's rows only."""
        claim = delivery.Claim(
            now=now, lease=lease, holder=self.holder, limit=limit, channels=channels, kinds=kinds
        )
        with begin(self._engine) as connection:
            leased = delivery.lease_holders(connection, claim)
            dead = leased - self._liveness.living(leased, connection)
            claim = dataclasses.replace(claim, dead_holders=dead, same_rule=same_rule)
            return delivery.claim_due(connection, claim)

    def renew(
        self,
        entries: Sequence[OutboxEntry],
        *,
        now: datetime,
        lease: timedelta,
        done_urls: frozenset[int] = frozenset(),
    ) -> bool:
        """Extend our lease on all of `entries` to `now + lease` (and record the URLs done), or
        on none of them: False when one is no longer ours, or when our holder may have died."""
        if not self._liveness.intact():
            return False
        try:
            with begin(self._engine) as connection:
                if not delivery.renew(connection, entries, until=now + lease, done_urls=done_urls):
                    raise _LeaseLostError
        except _LeaseLostError:
            return False
        return True

    def release(self, entries: Sequence[OutboxEntry]) -> None:
        """Hand claimed rows back unchanged, claimable at once, without counting an attempt."""
        with begin(self._engine) as connection:
            delivery.release(connection, entries)

    def mark_sent(self, entry: OutboxEntry, *, now: datetime, message_id: str) -> bool:
        """Record a delivery; False when the lease was lost (the row is someone else's now)."""
        with begin(self._engine) as connection:
            return delivery.mark_sent(connection, entry, now=now, message_id=message_id)

    def mark_sent_alone(self, entries: Sequence[OutboxEntry], *, now: datetime) -> set[int]:
        """Record alerts each sent as its own message (Message-ID: its key) in one
        transaction; returns the ids recorded (the others' leases were lost)."""
        with begin(self._engine) as connection:
            return delivery.mark_sent_alone(connection, entries, now=now)

    def mark_failed(
        self,
        entry: OutboxEntry,
        *,
        now: datetime,
        error: str,
        retry_at: datetime | None,
        done_urls: frozenset[int] = frozenset(),
    ) -> bool:
        """Count a failed attempt; retry at `retry_at`, or mark the row dead when it is None."""
        with begin(self._engine) as connection:
            return delivery.mark_failed(
                connection, entry, now=now, error=error, retry_at=retry_at, done_urls=done_urls
            )

    def defer(self, entry: OutboxEntry, *, until: datetime) -> bool:
        """Hand a claimed row back, due at `until`, without counting an attempt."""
        with begin(self._engine) as connection:
            return delivery.defer(connection, entry, until=until)

    def sent_messages_since(self, channel: str, since: datetime) -> int:
        with begin(self._engine, write=False) as connection:
            return delivery.sent_messages_since(connection, channel, since)

    def enqueue_notice(self, *, key: str, channel: str, text: str, now: datetime) -> bool:
        """Queue a notice about the service (e.g. a failing channel) once per key."""
        with begin(self._engine) as connection:
            return delivery.enqueue_notice(connection, key=key, channel=channel, text=text, now=now)

    def retry_outbox(self, *, ids: Collection[int] | None, now: datetime) -> int:
        """Dead rows (or the given rows) become due now, with a fresh retry schedule."""
        with begin(self._engine) as connection:
            return delivery.retry(connection, ids=ids, now=now)

    def purge_outbox(self, *, statuses: Collection[OutboxStatus], before: datetime) -> int:
        """Delete sent or dead rows created before `before`; returns how many."""
        with begin(self._engine) as connection:
            return delivery.purge(connection, statuses=statuses, before=before)

    def purge_pending(
        self,
        *,
        now: datetime,
        rule: str | None = None,
        source: str | None = None,
        dry_run: bool = False,
    ) -> int:
        """Delete the unleased pending alerts of `rule` and `source` (None: any); return how
        many (`dry_run`: how many would go, deleting nothing)."""
        with begin(self._engine, write=not dry_run) as connection:
            purge = delivery.count_pending if dry_run else delivery.purge_pending
            return purge(connection, now=now, rule=rule, source=source)

    def outbox(self, *, status: OutboxStatus | None = None) -> list[OutboxEntry]:
        with begin(self._engine, write=False) as connection:
            return delivery.list_outbox(connection, status=status)

    def listings(self, ids: Collection[int]) -> dict[int, Listing]:
        with begin(self._engine, write=False) as connection:
            return queries.listings_by_id(connection, ids)

    def all_listings(self, *, since: datetime | None = None) -> list[Listing]:
        with begin(self._engine, write=False) as connection:
            return queries.all_listings(connection, since=since)

    @contextmanager
    def run_lock(self, name: str = "run", *, wait: timedelta) -> Iterator[None]:
        """Hold the lock `name` for the block; one left by a dead process is taken over.

        Raises RunLockBusy, naming the holder and since when, if a live process keeps the lock
        for longer than `wait`.
        """
        holder = self._liveness.take()
        try:
            self._acquire(name, holder, wait=wait)
            try:
                yield
            finally:
                with begin(self._engine) as connection:
                    locks.release(connection, name, holder)
        finally:
            self._liveness.release(holder)

    def _acquire(self, name: str, holder: str, *, wait: timedelta) -> None:
        deadline = time.monotonic() + wait.total_seconds()
        while True:
            with begin(self._engine) as connection:
                row = locks.current(connection, name)
                if row is None or not self._liveness.living({row.holder}, connection):
                    replacing = row.holder if row else None
                    now = datetime.now(UTC)
                    if locks.take(connection, name, holder, now=now, replacing=replacing):
                        return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RunLockBusy(name, row.holder if row else None, row.since if row else None)
            time.sleep(min(LOCK_RETRY_SECONDS, remaining))

    # `aggregate listings`: reads page by page, and the hand corrections (listing_queries.py,
    # listing_edits.py).

    def iter_listings(
        self, selection: ListingFilter, *, page: int = listing_queries.PAGE
    ) -> Generator[StoredListing, None, None]:
        """The selected listings with their sightings, newest first, read `page` at a time in
        one read transaction: a large store streams. Close the iterator to end it early."""
        with begin(self._engine, write=False) as connection:
            yield from listing_queries.iter_listings(connection, selection, page=page)

    def listing_detail(self, listing_id: int) -> ListingDetail | None:
        with begin(self._engine, write=False) as connection:
            return listing_queries.listing_detail(connection, listing_id)

    def merge_listings(self, keep: int, remove: int) -> MergeResult:
        """Move every sighting of `remove` into `keep` and delete `remove`; raises
        ListingEditError (nothing written) for an unknown id or a listing with itself."""
        with begin(self._engine) as connection:
            return listing_edits.merge_listings(connection, keep, remove)

    def split_listing(self, listing_id: int, sighting_id: int, *, now: datetime) -> SplitResult:
        """Move one sighting out into a new listing, kept apart from `listing_id` in later
        runs; raises ListingEditError (nothing written) for ids that do not fit."""
        with begin(self._engine) as connection:
            return listing_edits.split_listing(connection, listing_id, sighting_id, now=now)
