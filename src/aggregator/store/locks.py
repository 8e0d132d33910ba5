"""Named locks in the `locks` table, held by a holder id that dies with its process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select, update

from aggregator.errors import StoreError
from aggregator.store.liveness import show_holder
from aggregator.store.rows import upsert_insert
from aggregator.store.tables import locks

__all__ = ["LockRow", "RunLockBusy", "current", "release", "take"]


class RunLockBusy(StoreError):  # noqa: N818 (the public name the CLI and pipeline use)
    """Another live process holds the lock and did not release it within the wait."""

    def __init__(self, name: str, holder: str | None, since: datetime | None) -> None:
        self.name = name
        self.holder = show_holder(holder) if holder else None
        self.since = since
        by = f" by {self.holder}" if self.holder else " by another process"
        when = f" since {since:%Y-%m-%d %H:%M:%S} UTC" if since else ""
        super().__init__(f"lock {name!r} is held{by}{when}")


@dataclass(frozen=True, slots=True)
class LockRow:
    """Who holds a lock (maybe a dead process: ask liveness) and since when."""

    holder: str
    since: datetime


def current(connection: Connection, name: str) -> LockRow | None:
    query = select(locks.c.holder, locks.c.since).where(locks.c.name == name)
    row = connection.execute(query).first()
    return None if row is None else LockRow(row.holder, row.since)


def take(
    connection: Connection, name: str, holder: str, *, now: datetime, replacing: str | None
) -> bool:
    """Take the lock if nobody holds it (`replacing` None) or if it is still `replacing`'s,
    a holder found dead: one statement each, so of two takers only one succeeds."""
    if replacing is None:
        statement = (
            upsert_insert(connection, locks)
            .values(name=name, holder=holder, since=now)
            .on_conflict_do_nothing(index_elements=["name"])
            .returning(locks.c.name)
        )
        return connection.execute(statement).first() is not None
    takeover = (
        update(locks)
        .where(locks.c.name == name, locks.c.holder == replacing)
        .values(holder=holder, since=now)
    )
    return connection.execute(takeover).rowcount == 1


def release(connection: Connection, name: str, holder: str) -> None:
    """Drop the lock if it is still ours."""
    connection.execute(delete(locks).where(locks.c.name == name, locks.c.holder == holder))
