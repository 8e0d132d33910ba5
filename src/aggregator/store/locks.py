"""A named lease in the `locks` table, so that only one run works at a time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select

from aggregator.store.rows import upsert_insert
from aggregator.store.tables import locks

__all__ = ["RunLockBusy", "expires_at", "release", "try_acquire"]


class RunLockBusy(Exception):  # noqa: N818 (the public name the CLI and pipeline use)
    """Another process holds the run lock and did not release it within the wait."""

    def __init__(self, name: str, expires_at: datetime | None) -> None:
        self.name = name
        self.expires_at = expires_at
        until = f" until {expires_at.isoformat()}" if expires_at else ""
        super().__init__(f"lock {name!r} is held by another process{until}")


def try_acquire(
    connection: Connection, name: str, holder: str, *, now: datetime, lease: timedelta
) -> bool:
    """Take the lock if nobody holds it or its lease has expired, in one statement."""
    values = {"holder": holder, "expires_at": now + lease}
    statement = (
        upsert_insert(connection, locks)
        .values(name=name, **values)
        .on_conflict_do_update(index_elements=["name"], set_=values, where=locks.c.expires_at < now)
        .returning(locks.c.name)
    )
    return connection.execute(statement).first() is not None


def expires_at(connection: Connection, name: str) -> datetime | None:
    """When the current holder's lease ends (None if nobody holds it)."""
    query = select(locks.c.expires_at).where(locks.c.name == name)
    result: datetime | None = connection.execute(query).scalar_one_or_none()
    return result


def release(connection: Connection, name: str, holder: str) -> None:
    """Drop the lock if it is still ours (an expired lease may have been taken over)."""
    connection.execute(delete(locks).where(locks.c.name == name, locks.c.holder == holder))
