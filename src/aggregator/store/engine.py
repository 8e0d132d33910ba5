"""Engine creation (SQLite pragmas and BEGIN IMMEDIATE), short transactions, Alembic runner."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

__all__ = [
    "begin",
    "check_database_url",
    "connect",
    "current_heads",
    "make_engine",
    "migrate",
    "script_heads",
]

SUPPORTED_DIALECTS = ("sqlite", "postgresql")
MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 15000
# Execution option naming how SQLite opens a transaction; writers take the lock up front.
_SQLITE_BEGIN = "aggregator_sqlite_begin"


def check_database_url(url: str) -> str | None:
    """Return why `url` is not a database we support (without its password), or None."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "not a database URL (expected sqlite:///PATH or postgresql+psycopg://...)"
    return _unsupported(parsed)


def _unsupported(url: URL) -> str | None:
    backend = url.get_backend_name()
    if backend in SUPPORTED_DIALECTS:
        return None
    return f"unsupported database {backend!r}: use sqlite or postgresql"


def make_engine(url: str | URL) -> Engine:
    """Create an engine for SQLite (file or memory) or PostgreSQL; refuse other databases."""
    url = make_url(url)
    if problem := _unsupported(url):
        raise ValueError(problem)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if _is_sqlite_memory(url):
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        _create_parent_dir(url)
        engine = create_engine(url)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _is_sqlite_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or "mode=memory" in database


def _create_parent_dir(url: URL) -> None:
    if url.database and not url.query.get("uri"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    # Take transaction control away from the sqlite3 module; `_sqlite_on_begin` emits BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue on busy_timeout instead of
    # one failing with "database is locked" when a deferred read lock cannot be upgraded.
    mode = connection.get_execution_options().get(_SQLITE_BEGIN, "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {mode}")


_SHARED: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_SHARED_GUARD = threading.Lock()


@contextmanager
def connect(engine: Engine) -> Iterator[Connection]:
    """A connection for one transaction. A memory database has a single connection for every
    thread (StaticPool), so its transactions take turns instead of nesting into each other."""
    if not isinstance(engine.pool, StaticPool):
        with engine.connect() as connection:
            yield connection
        return
    with _SHARED_GUARD:
        turn = _SHARED.setdefault(engine, threading.RLock())
    with turn, engine.connect() as connection:
        yield connection


@contextmanager
def begin(engine: Engine, *, write: bool = True) -> Iterator[Connection]:
    """One transaction on a fresh connection: commit on exit, roll back on exception."""
    with connect(engine) as connection:
        if not write:
            connection.execution_options(**{_SQLITE_BEGIN: "DEFERRED"})
        with connection.begin():
            yield connection


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to `revision` in one transaction; a no-op when already there.

    On SQLite, foreign keys are off meanwhile (checked before the commit): a batch migration
    recreates a table (copy, DROP, rename), and with them on, the DROP of `listings` would
    cascade to the sightings, matches and outbox rows of every listing (SQLite's own
    procedure for schema changes, https://www.sqlite.org/lang_altertable.html)."""
    with connect(engine) as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_pragma(connection, "foreign_keys=OFF")  # only outside a transaction
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    # Two processes starting at once must not both try to create the tables.
                    key = "hashtext('aggregator:' || coalesce(current_schema(), ''))"
                    connection.execute(text(f"SELECT pg_advisory_xact_lock({key})"))
                before = set(MigrationContext.configure(connection).get_current_heads())
                command.upgrade(_alembic_config(connection), revision)
                if set(MigrationContext.configure(connection).get_current_heads()) != before:
                    _after_upgrade(connection)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("the migration left rows whose listing is gone")
        finally:
            if sqlite:
                _sqlite_pragma(connection, "foreign_keys=ON")


def _after_upgrade(connection: Connection) -> None:
    """Data the new schema needs that SQL alone cannot make: the identities of sightings
    stored before the merge stage (in the upgrade's transaction, so all or nothing)."""
    from aggregator.store.backfill import backfill_identities  # the merge stage, only now

    if "identity" in {c["name"] for c in inspect(connection).get_columns("sightings")}:
        backfill_identities(connection)


def _sqlite_pragma(connection: Connection, pragma: str) -> None:
    """A PRAGMA on the driver's connection, so that SQLAlchemy begins no transaction for it."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()


def current_heads(engine: Engine) -> set[str]:
    """The revisions the database is at (empty before the first upgrade)."""
    with begin(engine, write=False) as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def script_heads() -> set[str]:
    """The newest revisions shipped with the code."""
    return set(ScriptDirectory.from_config(_alembic_config()).get_heads())
