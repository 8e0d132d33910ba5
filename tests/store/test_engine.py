"""Engine set-up: SQLite pragmas, write locking, in-memory databases, URL display."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import make_url

from aggregator.store import Store
from aggregator.store.engine import make_engine


def _sqlite_path(store_url: str) -> Path:
    if not store_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    database = make_url(store_url).database
    assert database is not None
    return Path(database)


def test_sqlite_store_creates_the_database_folder(store: Store, store_url: str) -> None:
    assert _sqlite_path(store_url).is_file()


def test_sqlite_database_is_in_wal_mode(store: Store, store_url: str) -> None:
    with sqlite3.connect(_sqlite_path(store_url)) as raw:
        mode = raw.execute("PRAGMA journal_mode").fetchone()[0]

    assert mode == "wal"


def test_sqlite_connections_wait_for_locks_and_enforce_foreign_keys(store_url: str) -> None:
    _sqlite_path(store_url)
    engine = make_engine(store_url)
    with engine.connect() as connection:
        busy_timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    engine.dispose()

    assert (busy_timeout, foreign_keys) == (15000, 1)


def test_sqlite_write_transaction_takes_the_write_lock_at_begin(
    store: Store, store_url: str
) -> None:
    path = _sqlite_path(store_url)
    with store.transaction():
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_in_memory_sqlite_store_works_across_calls() -> None:
    store = Store("sqlite://")
    store.upgrade()

    assert store.schema_is_current() is True
    assert store.all_listings() == []
    store.dispose()


def test_display_url_hides_the_password() -> None:
    store = Store("postgresql+psycopg://bob:s3cret@db.example.org:5432/jobs")

    assert "s3cret" not in store.display_url
    assert store.display_url == "postgresql+psycopg://bob:***@db.example.org:5432/jobs"
    store.dispose()
