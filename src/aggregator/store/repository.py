"""The Store: the only door to the database for the rest of the application."""

from __future__ import annotations

import secrets
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import URL

from aggregator.models import Listing, OutboxEntry, OutboxStatus, SourceState
from aggregator.store import locks, queries
from aggregator.store import outbox as delivery
from aggregator.store.engine import begin, current_heads, make_engine, migrate, script_heads
from aggregator.store.locks import RunLockBusy
from aggregator.store.rows import source_state_values, upsert_insert
from aggregator.store.tables import source_state
from aggregator.store.unit_of_work import UnitOfWork

__all__ = ["Store"]

LOCK_RETRY_SECONDS = 0.2


class Store:
    """Listings, matches, the outbox, source state and the run lock, on SQLite or PostgreSQL.

    Every method runs its own short transaction, except the writes made through
    `transaction()`. Do not call the store's methods inside `transaction()`: they would wait
    for the very write lock that the open transaction holds on SQLite.
    """

    def __init__(self, url: str | URL) -> None:
        self._engine = make_engine(url)

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
        """Close every pooled connection."""
        self._engine.dispose()

    @contextmanager
    def transaction(self, *, rollback: bool = False) -> Iterator[UnitOfWork]:
        """One write transaction: commit on exit, or roll back on error or when `rollback`."""
        with self._engine.connect() as connection:
            unit = UnitOfWork(connection)
            try:
                with connection.begin() as transaction:
                    yield unit
                    if rollback:
                        transaction.rollback()
            finally:
                unit.close()

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
    ) -> list[OutboxEntry]:
        """Lease due pending rows to this caller until `now + lease`; no one else gets them."""
        with begin(self._engine) as connection:
            return delivery.claim_due(
                connection, now=now, lease=lease, limit=limit, channels=channels, kinds=kinds
            )

    def mark_sent(self, entry: OutboxEntry, *, now: datetime, message_id: str) -> bool:
        """Record a delivery; False when the lease was lost (the row is someone else's now)."""
        with begin(self._engine) as connection:
            return delivery.mark_sent(connection, entry, now=now, message_id=message_id)

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
    def run_lock(self, name: str = "run", *, wait: timedelta, lease: timedelta) -> Iterator[None]:
        """Hold the lock `name` for the block; a lease left by a crashed holder is taken over.

        Raises RunLockBusy if the lock stays held for longer than `wait`.
        """
        holder = secrets.token_hex(16)
        self._acquire(name, holder, wait=wait, lease=lease)
        try:
            yield
        finally:
            with begin(self._engine) as connection:
                locks.release(connection, name, holder)

    def _acquire(self, name: str, holder: str, *, wait: timedelta, lease: timedelta) -> None:
        deadline = time.monotonic() + wait.total_seconds()
        while True:
            with begin(self._engine) as connection:
                now = datetime.now(UTC)
                if locks.try_acquire(connection, name, holder, now=now, lease=lease):
                    return
                until = locks.expires_at(connection, name)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RunLockBusy(name, until)
            time.sleep(min(LOCK_RETRY_SECONDS, remaining))
